"""JSONata expression syntax, checked with the jsonata-python parser.

Step Functions evaluates ``{% ... %}`` strings in JSONata states with JSONata 2.0; parsing
the expression with a real JSONata implementation finds the syntax errors AWS reports.
"""

from __future__ import annotations

import functools
import re
import warnings

OPEN = "{%"
CLOSE = "%}"
# Step Functions provides no $eval (developer guide, "Transforming data with JSONata").
_EVAL = re.compile(r"\$eval\s*\(")


@functools.cache
def parser_available() -> bool:
    try:
        import jsonata  # noqa: F401
    except ImportError:
        return False
    return True


def is_expression(value: str) -> bool:
    return value.startswith(OPEN) and value.endswith(CLOSE) and len(value) >= 4


def half_open(value: str) -> bool:
    """A string that starts like an expression but does not close (or the reverse)."""
    stripped = value.strip()
    return stripped.startswith(OPEN) != stripped.endswith(CLOSE)


@functools.lru_cache(maxsize=4096)
def syntax_error(expression: str) -> str | None:
    """The parser's complaint about ``expression`` (the text between {% and %}), or None."""
    if not expression.strip():
        return "the expression between {% and %} is empty"
    from jsonata import Jsonata  # imported on first use: parsing is the only need
    from jsonata.jexception import JException

    try:
        # What Jsonata(expression) does first, and the only step that can fail: the rest
        # (an evaluation environment) is not needed to know the syntax is right. A regex
        # literal is compiled while parsing; Python's warnings about it are not ours.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Jsonata.get_parser().parse(expression)
    except re.error as exc:  # a /regex/ literal that does not compile
        return f"its regular expression cannot be compiled ({exc}); fix or escape it"
    except JException as exc:
        position = getattr(exc, "location", None)
        where = f" at character {position}" if isinstance(position, int) and position else ""
        return f"{exc}{where}"
    except (RecursionError, ValueError, TypeError, IndexError, KeyError) as exc:
        return f"cannot be parsed ({type(exc).__name__})"
    if _EVAL.search(expression):
        return "$eval is not available in Step Functions; use $parse"
    return None
