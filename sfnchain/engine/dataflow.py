"""How a state's input becomes its arguments and its result becomes its output.

JSONPath states: InputPath → Parameters → (work) → ResultSelector → ResultPath → OutputPath
("Processing input and output in Step Functions"). JSONata states: Arguments → (work) →
Output, with ``$states.input``, ``$states.result``, ``$states.errorOutput`` and
``$states.context`` ("Transforming data with JSONata").

Variables ("Passing data between states with variables"): ``Assign`` is evaluated against
the variable values the state started with, and the new values take effect only after the
state's Output/OutputPath are evaluated (issue 9, root cause 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfnchain.check.intrinsics import looks_like_intrinsic
from sfnchain.engine import intrinsics, jsonata, paths
from sfnchain.engine.clock import iso
from sfnchain.engine.errors import StatesError
from sfnchain.engine.scope import Frame

NOTHING: Any = object()  # "no result yet" / "no error output"
# the states that can retry have $$.State.RetryCount; a Pass state's State object has only
# Name and EnteredTime (recorded against AWS)
_RETRYING = frozenset({"Task", "Parallel", "Map"})


def _is_path(text: str) -> bool:
    return text.startswith("$")


class Step:
    """One entry into one state: its input, context object and data processing."""

    def __init__(self, frame: Frame, name: str, state: Mapping[str, Any], raw: Any) -> None:
        self.frame = frame
        self.name = name
        self.state = state
        self.raw = raw
        self.ql = str(state.get("QueryLanguage") or frame.query_language)
        self.jsonata = self.ql == "JSONata"
        self.entered = frame.now()
        self.retry_count = 0
        # the id of the state's StateEntered event (set when the state starts to run)
        self.entered_id = 0
        self.token: str | None = None
        self.pending: dict[str, Any] | None = None
        # $$.Map.Item while a Map state's ItemSelector is evaluated ({"Index", "Value"})
        self.item: Mapping[str, Any] | None = None

    # --- the context object ("$$" / $states.context) -----------------------------------
    def context(self) -> dict[str, Any]:
        run = self.frame.run
        extra = run.context_extra
        execution = {
            "Id": run.arn,
            "Input": run.input,
            "Name": run.name,
            "RoleArn": f"arn:aws:iam::{run.machine_arn.split(':')[4]}:role/sfnchain-test",
            "StartTime": iso(run.start),
            # "RedriveCount" is always present, 0 until the execution is redriven
            "RedriveCount": 0,
            **dict(extra.get("Execution", {})),
        }
        state: dict[str, Any] = {"EnteredTime": iso(self.entered), "Name": self.name}
        if self.state.get("Type") in _RETRYING:
            state["RetryCount"] = self.retry_count
        ctx: dict[str, Any] = {
            "Execution": execution,
            "State": state,
            "StateMachine": {
                "Id": run.machine_arn,
                "Name": run.machine,
                **dict(extra.get("StateMachine", {})),
            },
        }
        if self.token is not None:
            ctx["Task"] = {"Token": self.token}
        if self.item is not None:
            ctx["Map"] = {"Item": dict(self.item)}
        return ctx

    # --- JSONPath ----------------------------------------------------------------------
    def resolve(
        self,
        path: str,
        data: Any,
        *,
        field: str = "Parameters",
        key: bool = False,
        index_null: bool = False,
    ) -> Any:
        """A path in a JSONPath state: ``$$…`` context, ``$name…`` a variable, ``$…`` data.

        ``field`` names where the path sits; ``key``: a miss is worded as for a field
        that holds a path (a template's ``x.$`` key, TimestampPath, ItemsPath, ...), not
        as for InputPath/OutputPath; ``index_null``: see :func:`paths.select`."""
        named = field if key else None
        if path.startswith("$$"):
            return paths.select(
                self.context(), path[1:], field=named, written=path, index_null=index_null
            )
        if len(path) > 1 and path[1] not in ".[":
            head = path[1:]
            cut = min((i for i in (head.find("."), head.find("[")) if i >= 0), default=len(head))
            var = head[:cut]
            if var not in self.frame.variables:
                raise StatesError(
                    "States.Runtime",
                    f"The variable '${var}' referenced by the field '{field}' is not defined",
                )
            return paths.select(
                self.frame.variables[var],
                "$" + head[cut:],
                field=named,
                written=path,
                index_null=index_null,
            )
        return paths.select(data, path, field=named, index_null=index_null)

    def template(self, value: Any, data: Any, *, field: str) -> Any:
        """A Parameters/ResultSelector/ItemSelector/Assign template applied to ``data``."""
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                if key.endswith(".$") and isinstance(item, str):
                    out[key[:-2]] = self.dynamic(item, data, field=key)
                else:
                    out[key] = self.template(item, data, field=field)
            return out
        if isinstance(value, list):
            return [self.template(v, data, field=field) for v in value]
        return value

    def dynamic(self, text: str, data: Any, *, field: str) -> Any:
        """The value of a ``.$`` field (``field``: its key) or of ErrorPath/CausePath."""
        if looks_like_intrinsic(text):
            try:
                return intrinsics.evaluate(
                    text, lambda p: self.resolve(p, data, field=p, key=True), self.frame.run.rng
                )
            except paths.PathMissing as miss:
                # recorded against AWS: the whole expression is named, then the argument
                raise StatesError(
                    "States.Runtime",
                    f"The function '{text}' had the following error: The JsonPath argument "
                    f"for the field '{miss.path}' could not be found in the input "
                    f"'{paths.dumps(miss.data)}'",
                ) from miss
        if _is_path(text):
            template = field.endswith(".$")
            return self.resolve(text, data, field=field, key=True, index_null=template)
        raise StatesError(
            "States.Runtime",
            f"The value '{text}' of a '.$' field in '{field}' is neither a path nor an "
            "intrinsic function",
        )

    def input_path(self) -> Any:
        if "InputPath" in self.state and self.state["InputPath"] is None:
            return {}  # InputPath null: "the state gets {} as its input"
        return self.resolve(self.state.get("InputPath", "$"), self.raw, field="InputPath")

    # --- JSONata -----------------------------------------------------------------------
    def bindings(self, result: Any = NOTHING, error: Any = NOTHING) -> dict[str, Any]:
        states: dict[str, Any] = {"input": self.raw, "context": self.context()}
        if result is not NOTHING:
            states["result"] = result
        if error is not NOTHING:
            states["errorOutput"] = error
        return {**self.frame.variables, "states": states}

    def expr(self, value: Any, *, field: str, result: Any = NOTHING, error: Any = NOTHING) -> Any:
        return jsonata.template(
            value, self.bindings(result, error), self.frame.run.functions, field=field
        )

    # --- Output and Assign -------------------------------------------------------------
    def output(self, result: Any, *, has_result: bool = True) -> Any:
        """The state's output from its result; Assign is evaluated now, applied later."""
        st = self.state
        if self.jsonata:
            bound = result if has_result else NOTHING
            self._assign(st.get("Assign"), result=bound)
            if "Output" in st:
                return self.expr(st["Output"], field="Output", result=bound)
            return result
        # JSONPath: Assign reads the result (after ResultSelector), the variables as they were
        self._assign(st.get("Assign"), data=result)
        if has_result:
            if "ResultPath" in st and st["ResultPath"] is None:
                placed = self.raw
            else:
                placed = paths.place(self.raw, st.get("ResultPath", "$"), result)
        else:
            placed = result
        if "OutputPath" in st and st["OutputPath"] is None:
            return {}
        return self.resolve(st.get("OutputPath", "$"), placed, field="OutputPath")

    def caught(self, catcher: Mapping[str, Any], error_output: dict[str, Any]) -> Any:
        """The output of a state whose error ``catcher`` caught."""
        if self.jsonata:
            self._assign(catcher.get("Assign"), error=error_output)
            if "Output" in catcher:
                return self.expr(catcher["Output"], field="Output", error=error_output)
            return error_output
        self._assign(catcher.get("Assign"), data=error_output)
        if "ResultPath" in catcher and catcher["ResultPath"] is None:
            return self.raw
        return paths.place(self.raw, catcher.get("ResultPath", "$"), error_output)

    def _assign(
        self, assign: Any, *, data: Any = NOTHING, result: Any = NOTHING, error: Any = NOTHING
    ) -> None:
        if not isinstance(assign, dict):
            self.pending = None
            return
        if self.jsonata:
            if isinstance(assign, str):
                values = self.expr(assign, field="Assign", result=result, error=error)
            else:
                values = self.expr(assign, field="Assign", result=result, error=error)
        else:
            values = self.template(assign, data, field="Assign")
        self.pending = dict(values) if isinstance(values, dict) else None

    def commit(self) -> None:
        """Make the evaluated Assign visible (after Output/OutputPath were computed)."""
        if self.pending:
            self.frame.variables.update(self.pending)
        self.pending = None
