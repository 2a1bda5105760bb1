"""Conformance: JSONata states and workflow variables.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
Causes quoted below were recorded against AWS.
"""

from __future__ import annotations

from tests.engine.aws import (
    Throw,
    execute,
    failure,
    jsonata,
    machine,
    output,
    returns,
    sequence,
    task,
)

# --- Arguments, Output and $states --------------------------------------------------


def test_output_expression_over_states_input() -> None:
    definition = jsonata(
        {"S": {"Type": "Pass", "Output": "{% $states.input.a + 1 %}", "End": True}}
    )
    assert output(definition, {"a": 41}) == 42


def test_templates_mix_literals_and_expressions() -> None:
    state = {
        "Type": "Pass",
        "Output": {
            "sum": "{% 1 + 2 %}",
            "literal": "plain",
            "nested": {"n": "{% $states.input.n %}"},
        },
        "End": True,
    }
    assert output(jsonata({"S": state}), {"n": [1]}) == {
        "sum": 3,
        "literal": "plain",
        "nested": {"n": [1]},
    }


def test_task_arguments_and_default_output_is_the_result() -> None:
    # a JSONata Task without Output outputs its result ($states.result)
    state = task(Arguments={"Payload": "{% $states.input %}"}, End=True)
    assert output(jsonata({"S": state}), {"x": 1}, mocks=returns(S={"r": 1})) == {"r": 1}


def test_task_output_over_states_result() -> None:
    state = task(Output="{% $states.result.Payload.answer %}", End=True)
    assert (
        output(jsonata({"S": state}), {}, mocks=returns(S={"Payload": {"answer": "yes"}})) == "yes"
    )


def test_states_context_in_jsonata() -> None:
    state = {"Type": "Pass", "Output": "{% $states.context.State.Name %}", "End": True}
    assert output(jsonata({"Named": state}), {}) == "Named"


def test_choice_condition() -> None:
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n > 10 %}", "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Pass", "Output": "big", "End": True},
            "Small": {"Type": "Pass", "Output": "small", "End": True},
        }
    )
    assert output(definition, {"n": 11}) == "big"
    assert output(definition, {"n": 1}) == "small"


def test_per_state_query_language() -> None:
    # a JSONPath machine may run single states in JSONata ("QueryLanguage" on the state)
    definition = machine(
        {
            "Path": {"Type": "Pass", "Parameters": {"v.$": "$.a"}, "Next": "Ata"},
            "Ata": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": "{% $states.input.v * 2 %}",
                "End": True,
            },
        }
    )
    assert output(definition, {"a": 21}) == 42


def test_undefined_output_fails_query_evaluation_error() -> None:
    definition = jsonata({"State0": {"Type": "Pass", "Output": "{% $doesNotExist %}", "End": True}})
    assert failure(definition, {}) == (
        "States.QueryEvaluationError",
        "An error occurred while executing the state 'State0' (entered at the event id #2). The "
        "JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing "
        "(undefined).",
    )


def test_undefined_output_field_names_the_field_path() -> None:
    definition = jsonata(
        {"State0": {"Type": "Pass", "Output": {"result": "{% $doesNotExist %}"}, "End": True}}
    )
    assert failure(definition, {}) == (
        "States.QueryEvaluationError",
        "An error occurred while executing the state 'State0' (entered at the event id #2). The "
        "JSONata expression '$doesNotExist' specified for the field 'Output/result' returned "
        "nothing (undefined).",
    )


def test_undefined_assign_names_the_variable() -> None:
    definition = jsonata(
        {"State0": {"Type": "Pass", "Assign": {"result": "{% $doesNotExist %}"}, "End": True}}
    )
    assert failure(definition, {}) == (
        "States.QueryEvaluationError",
        "An error occurred while executing the state 'State0' (entered at the event id #2). The "
        "JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned "
        "nothing (undefined).",
    )


def test_undefined_arguments_field() -> None:
    state = task(Arguments={"FunctionName": "{% $doesNotExist %}"}, End=True)
    error, cause = failure(jsonata({"State0": state}), {}, mocks=returns(State0={}))
    assert error == "States.QueryEvaluationError"
    assert cause == (
        "An error occurred while executing the state 'State0' (entered at the event id #2). The "
        "JSONata expression '$doesNotExist' specified for the field 'Arguments/FunctionName' "
        "returned nothing (undefined)."
    )


def test_jsonata_map_items_must_be_an_array() -> None:
    state = {
        "Type": "Map",
        "Items": "{% 1 %}",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }
    assert failure(jsonata({"MapIterateState": state}), {}) == (
        "States.QueryEvaluationError",
        "An error occurred while executing the state 'MapIterateState' (entered at the event id "
        "#2). The JSONata expression '1' specified for the field 'Items' returned an unexpected "
        "result type. Expected 'array', but was 'number' for value: 1",
    )


def test_jsonata_map_items_and_item_selector() -> None:
    state = {
        "Type": "Map",
        "Items": "{% $states.input.xs %}",
        "ItemSelector": {
            "v": "{% $states.context.Map.Item.Value %}",
            "i": "{% $states.context.Map.Item.Index %}",
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }
    assert output(jsonata({"M": state}), {"xs": ["a", "b"]}) == [
        {"v": "a", "i": 0},
        {"v": "b", "i": 1},
    ]


# --- Variables ----------------------------------------------------------------------


def test_assign_then_read_in_a_later_state() -> None:
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"x": "{% $states.input.v %}"}, "Next": "B"},
            "B": {"Type": "Pass", "Output": "{% $x %}", "End": True},
        }
    )
    assert output(definition, {"v": 7}) == 7


def test_assign_sees_the_variables_as_they_were_on_entry() -> None:
    # all of a state's Assign expressions are evaluated with the values the variables had
    # when the state was entered; the new values are visible from the next state on
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "Assign": {"x": 2, "y": "{% $x %}"},
                "Output": "{% $x %}",
                "Next": "C",
            },
            "C": {
                "Type": "Pass",
                "Output": {"x": "{% $x %}", "y": "{% $y %}", "b": "{% $states.input %}"},
                "End": True,
            },
        }
    )
    assert output(definition, {}) == {"x": 2, "y": 1, "b": 1}


def test_task_assign_reads_states_result() -> None:
    definition = jsonata(
        {
            "T": task(
                Assign={"answer": "{% $states.result.Payload %}"},
                Output="{% $states.input %}",
                Next="R",
            ),
            "R": {
                "Type": "Pass",
                "Output": {"answer": "{% $answer %}", "out": "{% $states.input %}"},
                "End": True,
            },
        }
    )
    got = output(definition, {"in": 1}, mocks=returns(T={"Payload": 42}))
    assert got == {"answer": 42, "out": {"in": 1}}


def test_jsonpath_assign_with_paths() -> None:
    # JSONPath Assign: keys ending in .$ select from the state's result (a Pass's Result)
    definition = machine(
        {
            "State0": {
                "Type": "Pass",
                "Result": {"theQuestion": "What is the answer?"},
                "Assign": {"question.$": "$.theQuestion", "answer": 42},
                "Next": "State1",
            },
            "State1": {
                "Type": "Pass",
                "Parameters": {"q.$": "$question", "a.$": "$answer"},
                "End": True,
            },
        }
    )
    assert output(definition, {}) == {"q": "What is the answer?", "a": 42}


def test_map_iterations_read_outer_variables() -> None:
    # recorded against AWS: a Map's iterations read variables of the enclosing scope
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"x": 42, "xs": [1, 2, 3]}, "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": "{% $xs %}",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "In",
                    "States": {
                        "In": {"Type": "Pass", "Output": "{% $x + $states.input %}", "End": True}
                    },
                },
                "End": True,
            },
        }
    )
    assert output(definition, {}) == [43, 44, 45]


def test_parallel_branches_read_outer_variables_and_keep_their_own() -> None:
    branch = {
        "StartAt": "B1",
        "States": {
            "B1": {"Type": "Pass", "Assign": {"inner": "{% $outer * 2 %}"}, "Next": "B2"},
            "B2": {"Type": "Pass", "Output": "{% $inner %}", "End": True},
        },
    }
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"outer": 5}, "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [branch, branch], "Next": "After"},
            "After": {
                "Type": "Pass",
                "Output": {"r": "{% $states.input %}", "outer": "{% $outer %}"},
                "End": True,
            },
        }
    )
    assert output(definition, {}) == {"r": [10, 10], "outer": 5}


def test_variables_of_an_inner_scope_are_not_visible_outside() -> None:
    # "Variables assigned in a Parallel branch or Map iteration ... are not accessible
    # from outer scopes": referring to one is an undefined-variable evaluation error
    branch = {
        "StartAt": "B",
        "States": {"B": {"Type": "Pass", "Assign": {"inner": 1}, "End": True}},
    }
    definition = jsonata(
        {
            "P": {"Type": "Parallel", "Branches": [branch], "Next": "After"},
            "After": {"Type": "Pass", "Output": "{% $inner %}", "End": True},
        }
    )
    error, _ = failure(definition, {})
    assert error == "States.QueryEvaluationError"


def test_catch_assign_and_output_read_states_error_output() -> None:
    definition = jsonata(
        {
            "T": task(
                Catch=[
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"err": "{% $states.errorOutput.Error %}"},
                        "Output": "{% $states.errorOutput %}",
                        "Next": "H",
                    }
                ],
                End=True,
            ),
            "H": {
                "Type": "Pass",
                "Output": {"err": "{% $err %}", "in": "{% $states.input %}"},
                "End": True,
            },
        }
    )
    got = output(definition, {}, mocks=sequence(T=[Throw("Custom.Error", "why")]))
    assert got == {"err": "Custom.Error", "in": {"Error": "Custom.Error", "Cause": "why"}}


def test_a_variable_used_before_assignment_fails() -> None:
    error, _ = failure(jsonata({"S": {"Type": "Pass", "Output": "{% $never %}", "End": True}}), {})
    assert error == "States.QueryEvaluationError"


def test_jsonata_fail_state_error_and_cause_expressions() -> None:
    state = {
        "Type": "Fail",
        "Error": "{% $states.input.e %}",
        "Cause": "{% 'because ' & $states.input.c %}",
    }
    assert failure(jsonata({"F": state}), {"e": "Oops", "c": "reasons"}) == (
        "Oops",
        "because reasons",
    )


def test_execution_status_reflects_jsonata_wait_seconds() -> None:
    ex = execute(
        jsonata({"W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "End": True}}), {"s": 3}
    )
    assert ex.status == "SUCCEEDED"
    assert sum(w.seconds for w in ex.waits if w.state == "W") == 3


def test_choice_default_takes_the_state_level_assign() -> None:
    # recorded against AWS: "42" (a string) matches no rule, so the Default is taken with
    # the Choice state's own Assign
    definition = machine(
        {
            "CheckInputState": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": "$.input_value",
                        "IsPresent": False,
                        "Assign": {"status": "UNKNOWN"},
                        "Next": "FinalState",
                    },
                    {
                        "Variable": "$.input_value",
                        "NumericEquals": 42,
                        "Assign": {"status": "CORRECT"},
                        "Next": "FinalState",
                    },
                ],
                "Assign": {"status": "INCORRECT", "guess.$": "$.input_value"},
                "Default": "FinalState",
            },
            "FinalState": {
                "Type": "Pass",
                "Parameters": {"result.$": "$status", "guess.$": "$guess"},
                "End": True,
            },
        }
    )
    assert output(definition, {"input_value": "42"}) == {"result": "INCORRECT", "guess": "42"}


def test_jsonata_output_literals_stay_literal() -> None:
    # recorded against AWS: in a JSONata state only a string that is exactly "{% ... %}" is
    # an expression; paths, intrinsics, ".$" keys and padded braces are plain values
    literals = {
        "constant_null": None,
        "constant_float": 0.1,
        "constant_not_jsonata": " {% states.input %} ",
        "constant_varpath_states": "$states.input",
        "constant_jp_input.$": "$",
        "constant_jp_context": "$$",
        "constant_if": "States.Format('Format:{}', 101)",
        "constant_lst": [None, 0, 0.1, True, [], {"constant": 0}, "$no.such.var.path"],
        "constant_obj_empty": {},
    }
    definition = jsonata({"S": {"Type": "Pass", "Output": literals, "End": True}})
    assert output(definition, {"input_value": "string literal"}) == literals


def test_jsonata_output_may_be_any_json_value() -> None:
    # recorded against AWS: null, numbers, booleans, strings and arrays are valid Outputs
    for value in (None, 0, 0.1, True, "string literal", []):
        assert output(jsonata({"S": {"Type": "Pass", "Output": value, "End": True}}), {}) == value
