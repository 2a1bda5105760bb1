"""Diagnostic codes of ``sfnchain validate``.

Codes that AWS's ValidateStateMachineDefinition API also reports keep AWS's name; the
others are sfnchain's own and say what they check.
"""

from __future__ import annotations

# --- codes shared with ValidateStateMachineDefinition -----------------------------------
INVALID_JSON_DESCRIPTION = "INVALID_JSON_DESCRIPTION"
MISSING_DESCRIPTION = "MISSING_DESCRIPTION"
SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"
INVALID_RESOURCE = "INVALID_RESOURCE"
MISSING_END_STATE = "MISSING_END_STATE"
MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
INVALID_STATE_NAME = "INVALID_STATE_NAME"
# warnings
NO_DOLLAR = "NO_DOLLAR"
NO_PATH = "NO_PATH"
PASS_RESULT_IS_STATIC = "PASS_RESULT_IS_STATIC"

# --- sfnchain's own codes ---------------------------------------------------------------
UNREACHABLE_STATE = "UNREACHABLE_STATE"
INVALID_ERROR_MATCHER = "INVALID_ERROR_MATCHER"
UNKNOWN_STATES_ERROR = "UNKNOWN_STATES_ERROR"
INVALID_JSONPATH = "INVALID_JSONPATH"
INVALID_REFERENCE_PATH = "INVALID_REFERENCE_PATH"
INVALID_INTRINSIC_FUNCTION = "INVALID_INTRINSIC_FUNCTION"
INVALID_JSONATA = "INVALID_JSONATA"
INVALID_DYNAMIC_VALUE = "INVALID_DYNAMIC_VALUE"
INVALID_CHOICE_RULE = "INVALID_CHOICE_RULE"
INVALID_TIMESTAMP = "INVALID_TIMESTAMP"
INVALID_MAP = "INVALID_MAP"
INVALID_QUERY_LANGUAGE = "INVALID_QUERY_LANGUAGE"
INVALID_VARIABLE_NAME = "INVALID_VARIABLE_NAME"
INVALID_WAIT = "INVALID_WAIT"
INVALID_TIMEOUT = "INVALID_TIMEOUT"
EXPRESS_UNSUPPORTED_PATTERN = "EXPRESS_UNSUPPORTED_PATTERN"
DEFINITION_TOO_LARGE = "DEFINITION_TOO_LARGE"
DEPRECATED_FIELD = "DEPRECATED_FIELD"
INVALID_INTEGRATION_PARAMETERS = "INVALID_INTEGRATION_PARAMETERS"
NO_STATE_MACHINE_FOUND = "NO_STATE_MACHINE_FOUND"
UNRESOLVED_DEFINITION = "UNRESOLVED_DEFINITION"
# A SAM DefinitionUri that is absolute, leaves the template's directory, or names
# something other than a readable regular file.
INVALID_DEFINITION_URI = "INVALID_DEFINITION_URI"
# A Parallel branch or Map iteration assigns a variable of an enclosing scope.
INVALID_VARIABLE_SCOPE = "INVALID_VARIABLE_SCOPE"
# $states.result / $states.errorOutput where Step Functions does not provide it.
INVALID_STATES_REFERENCE = "INVALID_STATES_REFERENCE"
TOO_DEEPLY_NESTED = "TOO_DEEPLY_NESTED"

# Errors of sfnchain's own rules that AWS reports under one of its coarser codes: the
# diagnostic's ``code`` becomes AWS's and the rule moves to ``Diagnostic.rule``. AWS reports
# an unreachable state as MISSING_TRANSITION_TARGET ('State "X" is not reachable.', seen in
# CreateStateMachine's InvalidDefinition message); everything else that AWS rejects at
# validation is a SCHEMA_VALIDATION_FAILED. Warnings of sfnchain's own have no AWS
# counterpart and keep their code; DEFINITION_TOO_LARGE is a request error at AWS, not a
# diagnostic, and the template codes are about files, not definitions.
AWS_CODE_OF_RULE = {
    UNREACHABLE_STATE: MISSING_TRANSITION_TARGET,
    **{
        rule: SCHEMA_VALIDATION_FAILED
        for rule in (
            INVALID_ERROR_MATCHER,
            INVALID_JSONPATH,
            INVALID_REFERENCE_PATH,
            INVALID_INTRINSIC_FUNCTION,
            INVALID_JSONATA,
            INVALID_DYNAMIC_VALUE,
            INVALID_CHOICE_RULE,
            INVALID_TIMESTAMP,
            INVALID_MAP,
            INVALID_QUERY_LANGUAGE,
            INVALID_VARIABLE_NAME,
            INVALID_WAIT,
            INVALID_TIMEOUT,
            EXPRESS_UNSUPPORTED_PATTERN,
            INVALID_INTEGRATION_PARAMETERS,
            TOO_DEEPLY_NESTED,
            INVALID_VARIABLE_SCOPE,
            INVALID_STATES_REFERENCE,
        )
    },
}
