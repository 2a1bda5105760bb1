"""copy_json: a deep copy of a JSON value, independent of the original."""

from __future__ import annotations

import datetime
from collections import OrderedDict

from sfnchain.engine.jsoncopy import copy_json


def test_a_copy_is_equal_and_shares_no_container() -> None:
    original = {"a": [1, 2.5, {"b": None, "c": True}], "d": "text", "e": {}}
    copied = copy_json(original)
    assert copied == original
    copied["a"][2]["b"] = "changed"
    copied["e"]["new"] = 1
    assert original == {"a": [1, 2.5, {"b": None, "c": True}], "d": "text", "e": {}}


def test_other_values_are_deep_copied_as_copy_deepcopy_does() -> None:
    stamp = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    ordered = OrderedDict(x=[1])
    copied = copy_json({"when": stamp, "ordered": ordered})
    assert copied == {"when": stamp, "ordered": ordered}
    assert type(copied["ordered"]) is OrderedDict and copied["ordered"]["x"] is not ordered["x"]
