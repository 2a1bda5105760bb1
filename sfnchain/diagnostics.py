"""One diagnostic format for every check in sfnchain.

A diagnostic renders as ``file:line: severity CODE: message [json/pointer]``, with
``CODE (RULE)`` where sfnchain's finer rule stands behind AWS's code. Checks
collect diagnostics and return them; only the CLI decides whether to exit.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace


class Severity(enum.Enum):
    """How bad a [`Diagnostic`][sfnchain.Diagnostic] is: ``Severity.ERROR`` (AWS
    rejects the definition, or the workflow is wrong) or ``Severity.WARNING``.

    Examples:
        ```python
        from sfnchain import Severity, validate

        problems = validate({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
        assert {p.severity for p in problems} == {Severity.ERROR}
        assert Severity.WARNING.label == "warning"
        ```
    """

    ERROR = "ERROR"
    WARNING = "WARNING"

    @property
    def label(self) -> str:
        """The word a diagnostic line starts with: ``error`` or ``warning``."""
        return self.value.lower()


@dataclass(frozen=True, order=True)
class SourceLocation:
    """Where in user code (a Python file, a template, a JSON or YAML file) something
    came from.

    Attributes:
        file: The file's path.
        line: The line (1-based), when known.
        column: The column (1-based), when known.

    Examples:
        ```python
        from sfnchain import SourceLocation

        assert str(SourceLocation("workflows/chain.py", 12)) == "workflows/chain.py:12"
        assert str(SourceLocation("asl.json")) == "asl.json"
        ```
    """

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found by the validator or the compiler.

    Attributes:
        code: The diagnostic code (AWS's where AWS reports the same problem, e.g.
            ``MISSING_TRANSITION_TARGET``).
        message: What is wrong and how to fix it.
        severity: [`Severity.ERROR`][sfnchain.Severity] or ``Severity.WARNING``.
        pointer: A JSON pointer into the definition.
        location: Where in user code it comes from (a
            [`SourceLocation`][sfnchain.SourceLocation]).
        rule: sfnchain's finer rule name, where ``code`` is AWS's coarser one.

    Examples:
        ```python
        from sfnchain import Diagnostic, Severity, SourceLocation

        d = Diagnostic(
            "INVALID_RETRY",
            "MaxAttempts must be an integer from 0 to 99999999",
            Severity.ERROR,
            "/States/Describe/Retry/0",
            SourceLocation("workflows/chain.py", 14),
        )
        assert d.is_error
        assert d.format() == (
            "workflows/chain.py:14: error INVALID_RETRY: MaxAttempts must be an integer "
            "from 0 to 99999999 [/States/Describe/Retry/0]"
        )
        ```
    """

    code: str
    message: str
    severity: Severity = Severity.ERROR
    pointer: str = ""
    location: SourceLocation | None = None
    # sfnchain's finer reason where ``code`` is AWS's coarser one (SCHEMA_VALIDATION_FAILED).
    rule: str | None = None
    # False for a problem that is about no JSON document (a command's arguments, a
    # missing file): its text shows no pointer rather than the root's "[/]"
    in_document: bool = True

    @property
    def is_error(self) -> bool:
        """Whether the severity is ``ERROR``."""
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """One line: ``file:line: error CODE (rule): message [pointer]``."""
        where = f"{self.location}: " if self.location is not None else ""
        shown = self.pointer or (self.location is None and self.in_document)
        ptr = f" [{self.pointer or '/'}]" if shown else ""
        rule = f" ({self.rule})" if self.rule else ""
        line = f"{where}{self.severity.label} {self.code}{rule}: {self.message}{ptr}"
        return line.translate(_LINE_BREAKS)  # one diagnostic, one line, whatever it quotes

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "location": self.pointer or "/",
        }
        if self.rule:
            out["rule"] = self.rule
        if self.location is not None:
            out["source"] = str(self.location)
        return out

    def with_location(self, location: SourceLocation | None) -> Diagnostic:
        return replace(self, location=location)


# Every character str.splitlines() breaks at, written as an escape.
_LINE_BREAKS = {
    c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"
    for c in (0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)
}
_LINE_BREAKS.update({0x0A: "\\n", 0x0D: "\\r"})

# Maps a JSON pointer into a compiled definition (e.g. "/States/Describe") to the Python
# source line that produced it.
SourceMap = Mapping[str, SourceLocation]


def locate(pointer: str, source_map: SourceMap) -> SourceLocation | None:
    """The source location of the longest prefix of ``pointer`` found in ``source_map``."""
    probe = pointer
    while True:
        loc = source_map.get(probe)
        if loc is not None:
            return loc
        if not probe or probe == "/":
            return source_map.get("")
        probe = probe.rsplit("/", 1)[0]


def attach_locations(diags: Iterable[Diagnostic], source_map: SourceMap) -> list[Diagnostic]:
    return [
        d if d.location is not None else d.with_location(locate(d.pointer, source_map))
        for d in diags
    ]


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diags)


def json_pointer(*parts: str | int) -> str:
    """Build an RFC 6901 pointer, escaping ``~`` and ``/`` in each part."""
    out = ""
    for part in parts:
        text = part if type(part) is str else str(part)
        if "~" in text or "/" in text:  # rare: escape only then (this runs per field)
            text = text.replace("~", "~0").replace("/", "~1")
        out += "/" + text
    return out


class SfnchainError(Exception):
    """A user-facing failure: the CLI prints the diagnostics and exits with ``exit_code``.

    exit_code 1 means the input is invalid; 2 means the command was used wrongly.

    Raised by [`compile`][sfnchain.compile] and the builders for what the user must fix;
    ``diagnostics`` lists the problems.

    Examples:
        ```python
        from sfnchain import SfnchainError, bedrock

        try:
            bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_token=500)
        except SfnchainError as exc:
            assert exc.exit_code == 1
            assert "max_tokens" in exc.diagnostics[0].message  # did you mean
        else:
            raise AssertionError("a misspelt parameter compiles")
        ```
    """

    def __init__(self, diagnostics: Diagnostic | list[Diagnostic], exit_code: int = 1) -> None:
        self.diagnostics = diagnostics if isinstance(diagnostics, list) else [diagnostics]
        self.exit_code = exit_code
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def error(
    code: str,
    message: str,
    *,
    pointer: str = "",
    location: SourceLocation | None = None,
    exit_code: int = 1,
) -> SfnchainError:
    return SfnchainError(
        Diagnostic(code, message, Severity.ERROR, pointer, location, in_document=bool(pointer)),
        exit_code=exit_code,
    )
