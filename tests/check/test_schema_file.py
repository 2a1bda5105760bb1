"""Where the ASL JSON Schema is read from: the file beside the module when it holds the
schema; else the package's resource (a zip install); else the checkout's schemas/
(a checkout without symlink support holds the link's target path as text)."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any

import pytest

from sfnchain.check import schema_file


def _fake_module(tmp_path: Path, beside: str) -> Path:
    module = tmp_path / "sfnchain" / "check" / "schema_file.py"
    module.parent.mkdir(parents=True)
    module.write_text("")
    (module.parent / schema_file.SCHEMA_FILE).write_text(beside)
    return module


def test_the_file_beside_the_module_is_used_when_it_holds_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _fake_module(tmp_path, '  {"$schema": "x"}')
    monkeypatch.setattr(schema_file, "__file__", str(module))
    assert schema_file.schema_path() == module.with_name(schema_file.SCHEMA_FILE)


def test_a_link_left_as_text_falls_back_to_the_package_resource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _fake_module(tmp_path, "../../schemas/asl.schema.json")
    monkeypatch.setattr(schema_file, "__file__", str(module))
    found = schema_file.schema_path()
    assert found != module.with_name(schema_file.SCHEMA_FILE)
    assert json.loads(found.read_text(encoding="utf-8"))["$schema"]


class _Missing:
    def joinpath(self, name: str) -> _Missing:
        return self

    def is_file(self) -> bool:
        return False


def test_without_a_usable_copy_the_checkouts_schemas_folder_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _fake_module(tmp_path, "../../schemas/asl.schema.json")
    monkeypatch.setattr(schema_file, "__file__", str(module))

    def files(package: Any) -> _Missing:
        return _Missing()

    monkeypatch.setattr(importlib.resources, "files", files)
    assert schema_file.schema_path() == tmp_path / "schemas" / schema_file.SCHEMA_FILE
