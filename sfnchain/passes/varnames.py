"""Variable names for step results (JSONata target).

A variable is named after the step key (``$Describe``), unless that name would hide
one of JSONata's functions (variables and functions share the ``$`` namespace, so an
input named ``count`` would make ``$count()`` uncallable) or is the reserved
``states``; those get a trailing underscore.
"""

from __future__ import annotations

# JSONata 2.0 built-in functions plus the ones Step Functions adds ($partition, $range,
# $hash, $random, $uuid, $parse; "Transforming data with JSONata in Step Functions").
JSONATA_FUNCTIONS = frozenset(
    [
        "sum",
        "count",
        "max",
        "min",
        "average",
        "string",
        "substring",
        "substringBefore",
        "substringAfter",
        "uppercase",
        "lowercase",
        "trim",
        "pad",
        "length",
        "contains",
        "split",
        "join",
        "match",
        "replace",
        "now",
        "millis",
        "fromMillis",
        "toMillis",
        "formatNumber",
        "formatBase",
        "formatInteger",
        "parseInteger",
        "number",
        "abs",
        "floor",
        "ceil",
        "round",
        "power",
        "sqrt",
        "random",
        "boolean",
        "not",
        "exists",
        "append",
        "reverse",
        "shuffle",
        "distinct",
        "sort",
        "zip",
        "keys",
        "lookup",
        "spread",
        "merge",
        "sift",
        "each",
        "error",
        "assert",
        "type",
        "base64encode",
        "base64decode",
        "encodeUrlComponent",
        "encodeUrl",
        "decodeUrlComponent",
        "decodeUrl",
        "eval",
        "single",
        "map",
        "filter",
        "reduce",
        "hash",
        "partition",
        "range",
        "uuid",
        "parse",
    ]
)
RESERVED = frozenset({"states"})


def base_name(key: str) -> str:
    if key in JSONATA_FUNCTIONS or key in RESERVED:
        return key + "_"
    return key
