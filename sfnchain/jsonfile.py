"""Reading JSON text and files strictly, with failures as diagnostics that name the file,
line and column (or JSON pointer).

Strict means what RFC 8259 and Step Functions accept: UTF-8 only, no ``NaN`` /
``Infinity`` literals (Python's json module accepts them), and no key twice in one object
(Python keeps the last value silently, so a typo'd duplicate would drop a field unseen).

Bounded means hostile input cannot exhaust the process: files are read up to
``MAX_FILE_BYTES``, text nested deeper than ``MAX_NESTING`` levels is refused with the
JSON pointer of the first container that is too deep, and a number Python cannot hold (an
integer of more than 4,300 digits, a float beyond the range of a double) is refused
rather than raising from inside the parser. The depth verdict does not depend on
Python's recursion limit or on how deep the caller's stack is: the same text gets the
same answer whatever ran before it in the process.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from sfnchain.diagnostics import SfnchainError, SourceLocation, error, json_pointer

INVALID_ENCODING = "INVALID_ENCODING"
TOO_DEEPLY_NESTED = "TOO_DEEPLY_NESTED"
FILE_TOO_LARGE = "FILE_TOO_LARGE"

# Deeper than any real definition, input or mock file (a definition is held to 100 levels
# by the validator), and shallow enough that code walking the value recursively stays
# far from Python's default recursion limit of 1,000 frames.
MAX_NESTING = 200
# Step Functions takes definitions up to 1 MiB and CloudFormation templates up to 1 MB;
# ten times that leaves room for indentation and comments.
MAX_FILE_BYTES = 10 * 1024 * 1024

T = TypeVar("T")


class NotStrictJSON(ValueError):
    """Text that Python's json module accepts (or chokes on) but that is not acceptable
    JSON here. ``pos`` is the offset in the text when known."""

    def __init__(self, message: str, pointer: str = "", pos: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        self.pos = pos

    def line_column(self, text: str) -> tuple[int | None, int | None]:
        if self.pos is None:
            return None, None
        line = text.count("\n", 0, self.pos) + 1
        return line, self.pos - (text.rfind("\n", 0, self.pos) + 1) + 1


class TooDeeplyNested(NotStrictJSON):
    """Text or a value nested deeper than the limit; ``pointer`` is the first container
    (in document order) that is too deep."""

    def __init__(self, pointer: str, limit: int) -> None:
        super().__init__(nesting_message(limit), pointer or "/")
        self.limit = limit


def nesting_message(limit: int) -> str:
    return (
        f"nests more than {limit} levels deep here; flatten it (a deep branch or "
        "processor can become a child state machine, deep data a string)"
    )


def _constant(name: str) -> Any:
    raise NotStrictJSON(
        f"{name} is not JSON (RFC 8259 has no NaN or Infinity); write a finite number or a string"
    )


def _find(value: Any, target: int) -> str:
    """The JSON pointer of the container whose id() is ``target``, iteratively (the text
    may nest deeply)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, parts = stack.pop()
        if id(item) == target:
            return json_pointer(*parts) or "/"
        if isinstance(item, dict):
            stack.extend((v, (*parts, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*parts, str(i))) for i, v in enumerate(item))
    return "/"


# -- depth -----------------------------------------------------------------------------

_SCALARS = frozenset({str, int, float, bool, type(None)})
_Path = tuple[str | int, "_Path"] | None


def first_too_deep(value: Any, limit: int = MAX_NESTING) -> str | None:
    """The JSON pointer of the first container (in document order) nested deeper than
    ``limit`` levels below ``value`` ("/" for the root itself never counts), or None.
    Iterative, and it visits a shared or cyclic container at most ``limit`` times deep."""
    # This runs on every file and definition read: plain dicts and lists take the fast
    # path, scalars are never pushed, and the path to each container is a linked
    # (key, parent) pair, turned into a pointer only for an offender. Children are pushed
    # last-first so that they are popped in document order.
    todo: list[tuple[Any, int, _Path]] = [(value, 0, None)]
    pop, push = todo.pop, todo.append
    while todo:
        item, depth, path = pop()
        if depth > limit:
            return _pointer(path)
        kind = type(item)
        if kind is dict or (kind is not list and isinstance(item, Mapping)):
            for key, child in reversed(item.items()) if kind is dict else _backwards(item):
                ckind = type(child)
                if ckind is dict or ckind is list or (ckind not in _SCALARS and _container(child)):
                    push((child, depth + 1, (key, path)))
        elif kind is list:
            for index in range(len(item) - 1, -1, -1):
                child = item[index]
                ckind = type(child)
                if ckind is dict or ckind is list or (ckind not in _SCALARS and _container(child)):
                    push((child, depth + 1, (index, path)))
    return None


def _backwards(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return list(mapping.items())[::-1]


def _container(value: Any) -> bool:
    return isinstance(value, (Mapping, list))


def _pointer(path: _Path) -> str:
    parts: list[str | int] = []
    while path is not None:
        parts.append(path[0])
        path = path[1]
    return json_pointer(*reversed(parts)) or "/"


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')


def _first_too_deep_in_text(text: str, limit: int, end: int | None = None) -> str | None:
    """``first_too_deep`` on JSON text, without parsing it: for text the parser gave up
    on. Only strings, brackets, colons and commas matter for the path."""
    # Per open container: [is an object, current key or index, last string seen].
    stack: list[list[Any]] = []
    for m in _TOKENS.finditer(text, 0, len(text) if end is None else end):
        token = m.group()
        char = token[0]
        if char == '"':
            if stack:
                stack[-1][2] = token
        elif char in "[{":
            if len(stack) > limit:
                return json_pointer(*(entry[1] for entry in stack))
            stack.append([char == "{", "" if char == "{" else 0, None])
        elif char in "]}":
            if stack:
                stack.pop()
        elif char == ":":
            if stack and stack[-1][0] and stack[-1][2] is not None:
                stack[-1][1] = _key(stack[-1][2])
        elif stack and not stack[-1][0]:
            stack[-1][1] += 1
    return None


def _key(token: str) -> str:
    try:
        key = json.loads(token)
    except ValueError:
        return token[1:-1]
    return key if isinstance(key, str) else token[1:-1]


def on_fresh_stack(fn: Callable[[], T]) -> T:
    """``fn()`` on a new thread, whose stack starts empty: for work that met the recursion
    limit only because the caller was already deep. Its exception is re-raised here."""
    from sfnchain.threads import on_thread

    return on_thread(fn, name="sfnchain-fresh-stack")


# -- numbers ---------------------------------------------------------------------------

# Where an integer literal too long for int() starts (searched only once one was met).
_LONG_DIGITS = re.compile(rf"-?\d{{{sys.get_int_max_str_digits() + 1}}}")


def _int_too_long(text: str) -> NotStrictJSON:
    allowed = sys.get_int_max_str_digits()
    m = _LONG_DIGITS.search(text) if allowed else None
    pos = m.start() if m else None
    run = _DIGIT_RUN.match(text, pos) if pos is not None else None
    digits = len(run.group().lstrip("-")) if run else 0
    size = f"of {digits:,} digits " if digits else ""
    return NotStrictJSON(
        f"an integer {size}is more than can be read ({allowed:,} digits at most, and Step "
        "Functions numbers are far smaller); write it as a string",
        pos=pos,
    )


_DIGIT_RUN = re.compile(r"-?\d+")


def _float(literal: str) -> float:
    """Floats are few in a definition, so each is checked as it is read: Python turns a
    literal beyond a double's range into infinity, which JSON cannot hold."""
    value = float(literal)
    if math.isinf(value):
        raise NotStrictJSON(
            f"the number {literal[:20]}{'...' if len(literal) > 20 else ''} is beyond the "
            "range of a double (about 1.8e308); write a smaller number or a string"
        )
    return value


def _place(exc: NotStrictJSON, text: str) -> NotStrictJSON:
    """Give a float error the offset of its literal (the first such one in the text)."""
    if exc.pos is None and exc.message.startswith("the number "):
        literal = exc.message[len("the number ") :].split(" ", 1)[0].removesuffix("...")
        found = text.find(literal)
        exc.pos = found if found >= 0 else None
    return exc


# -- surrogates -------------------------------------------------------------------------

# A \uD800-\uDFFF escape: legal JSON syntax, but alone it is not a character.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _lone_surrogate(text: str) -> int | None:
    """The offset of the first surrogate escape that is not part of a high-low pair
    (only called when the text has a surrogate escape at all)."""
    escapes = {m.start(): m.group()[2:].lower() for m in _SURROGATE_ESCAPE.finditer(text)}
    for pos, hexa in escapes.items():
        if text[pos - 1 : pos] == "\\" and _escaped_backslash(text, pos):
            continue  # "\\ud800" is a backslash and the letters u, d, 8, 0, 0
        high = hexa[1] in "89ab"
        if high and escapes.get(pos + 6, "x")[1:2] in ("c", "d", "e", "f"):
            continue
        if not high and escapes.get(pos - 6, "x")[1:2] in ("8", "9", "a", "b"):
            continue
        return pos
    return None


def _escaped_backslash(text: str, pos: int) -> bool:
    """Whether the backslash at ``pos`` is itself escaped (an odd run of them before)."""
    run = 0
    while pos - run - 1 >= 0 and text[pos - run - 1] == "\\":
        run += 1
    return run % 2 == 1


# -- parsing ---------------------------------------------------------------------------


def loads_strict(text: str, max_nesting: int = MAX_NESTING) -> Any:
    """``json.loads`` that raises NotStrictJSON for NaN/Infinity, duplicate keys and
    numbers Python cannot hold, TooDeeplyNested for nesting deeper than ``max_nesting``,
    and json.JSONDecodeError as json.loads does. It never raises RecursionError."""
    try:
        return _loads_checked(text, max_nesting)
    except RecursionError:
        pass
    pointer = _first_too_deep_in_text(text, max_nesting)
    if pointer is not None:
        raise TooDeeplyNested(pointer, max_nesting) from None
    # Within the limit: the caller's stack was deep. Start again with an empty one.
    return on_fresh_stack(lambda: _loads_checked(text, max_nesting))


def _loads_checked(text: str, max_nesting: int) -> Any:
    duplicates: list[tuple[int, str]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.append((id(out), key))
                    break
                seen.add(key)
        return out

    try:
        value = json.loads(
            text, object_pairs_hook=pairs_hook, parse_constant=_constant, parse_float=_float
        )
    except json.JSONDecodeError as exc:
        # Whatever the recursion limit, text too deep before the error is too deep.
        pointer = _first_too_deep_in_text(text, max_nesting, exc.pos)
        if pointer is not None:
            raise TooDeeplyNested(pointer, max_nesting) from None
        raise
    except (NotStrictJSON, ValueError) as exc:
        # NaN, a float beyond a double, or an integer longer than int() takes (the one
        # ValueError json.loads raises that is not a JSONDecodeError).
        pointer = _first_too_deep_in_text(text, max_nesting)
        if pointer is not None:
            raise TooDeeplyNested(pointer, max_nesting) from None
        if isinstance(exc, NotStrictJSON):
            raise _place(exc, text) from None
        raise _int_too_long(text) from None
    # Depth before duplicates: under a lower recursion limit the parser stops at the
    # depth first, and the verdict must not depend on the limit. Text with no more
    # brackets than the limit cannot nest deeper than it (most files: no walk at all).
    if text.count("[") + text.count("{") > max_nesting:
        pointer = first_too_deep(value, max_nesting)
        if pointer is not None:
            raise TooDeeplyNested(pointer, max_nesting)
    if _SURROGATE_ESCAPE.search(text):
        lone = _lone_surrogate(text)
        if lone is not None:
            raise NotStrictJSON(
                f"{text[lone : lone + 6]} is half of a UTF-16 surrogate pair with no other "
                "half, which is not Unicode text (no UTF-8 file or AWS API can carry it); "
                "write the character itself or both halves",
                pos=lone,
            )
    if duplicates:
        target, key = duplicates[0]
        raise NotStrictJSON(
            f"duplicate key {key!r} in one object; JSON readers keep only one of the "
            "values (Python the last), so remove or rename the other",
            _find(value, target),
        )
    return value


# -- files -----------------------------------------------------------------------------


def decode_utf8(raw: bytes, file: str) -> str:
    """``raw`` as text (a UTF-8 byte-order mark dropped), or one INVALID_ENCODING
    diagnostic at the line of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise error(
            INVALID_ENCODING,
            f"the file must be UTF-8, but byte 0x{bad} at offset {exc.start} is not; "
            "save it as UTF-8",
            location=SourceLocation(file, line),
        ) from None


def read_bounded(stream: BinaryIO, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """All of ``stream``, or None once it holds more than ``limit`` bytes (``/dev/zero`` or
    a runaway pipe is not read to the end). Read in chunks: asking for ``limit`` bytes at
    once would allocate that much for every small file."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    return None


def too_large(file: str, what: str) -> SfnchainError:
    return error(
        FILE_TOO_LARGE,
        f"{what} is larger than {MAX_FILE_BYTES:,} bytes, more than sfnchain reads (a state "
        "machine definition may be at most 1 MiB); give the right file or split it",
        location=SourceLocation(file),
    )


def read_text_file(
    path: str | Path,
    *,
    what: str,
    unreadable_code: str,
    exit_code: int = 1,
    regular_only: bool = False,
) -> str:
    """The UTF-8 text of ``path``; unreadable, oversized or non-UTF-8 files are one
    diagnostic. With ``regular_only`` a FIFO, device or directory is refused without
    being read (and a FIFO without waiting for a writer)."""
    p = Path(path)
    try:
        # With regular_only the file is opened without waiting (O_NONBLOCK: a FIFO opens at
        # once instead of blocking for a writer) and what was opened is checked, so a file
        # swapped for a FIFO between a check and the open cannot block the read.
        flags = os.O_RDONLY | (os.O_NONBLOCK if regular_only else 0)
        with os.fdopen(os.open(p, flags), "rb") as fh:
            # A regular file's size is known: read it whole (one call) or refuse it unread.
            info = os.fstat(fh.fileno())
            regular = stat.S_ISREG(info.st_mode)
            if regular_only and not regular:
                raise error(
                    unreadable_code,
                    f"cannot read {what}: it is not a regular file (a device, FIFO or "
                    "directory); name a file",
                    location=SourceLocation(str(p)),
                    exit_code=exit_code,
                )
            if regular and info.st_size > MAX_FILE_BYTES:
                raw = None
            elif regular:
                raw = fh.read()
            else:
                raw = read_bounded(fh)
    except OSError as exc:
        raise error(
            unreadable_code,
            f"cannot read {what}: {exc.strerror or exc}; check the path",
            location=SourceLocation(str(p)),
            exit_code=exit_code,
        ) from None
    if raw is None:
        raise too_large(str(p), what[:1].upper() + what[1:])
    return decode_utf8(raw, str(p))


def read_json_file(
    path: str | Path,
    *,
    what: str,
    unreadable_code: str,
    invalid_code: str,
    hint: str,
    exit_code: int = 1,
) -> Any:
    """The decoded JSON in ``path``; ``what`` names the file in messages ("the seed file"),
    ``hint`` says how to fix invalid JSON. Nesting too deep is TOO_DEEPLY_NESTED."""
    p = Path(path)
    text = read_text_file(p, what=what, unreadable_code=unreadable_code, exit_code=exit_code)
    try:
        return loads_strict(text)
    except json.JSONDecodeError as exc:
        raise error(
            invalid_code,
            f"not valid JSON: {exc.msg}; {hint}",
            location=SourceLocation(str(p), exc.lineno, exc.colno),
        ) from None
    except TooDeeplyNested as exc:
        raise error(
            TOO_DEEPLY_NESTED,
            f"the JSON {exc.message}",
            pointer=exc.pointer,
            location=SourceLocation(str(p)),
        ) from None
    except NotStrictJSON as exc:
        line, column = exc.line_column(text)
        raise error(
            invalid_code,
            exc.message,
            pointer=exc.pointer,
            location=SourceLocation(str(p), line, column),
        ) from None
