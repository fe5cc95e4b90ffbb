"""The generated golden module at run time: lazy tables, lossless decoding, channel keys."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from decimal import Decimal
from ipaddress import IPv4Interface
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from .gen_cases import ROOT

TYPED_APP = ROOT / "tests/typing/typed_app.py"

INSERT = """{
  "schema": "public", "table": "todos", "type": "INSERT",
  "commit_timestamp": "2024-05-01T10:00:00.123Z", "errors": null,
  "columns": [{"name": "id", "type": "int8"}, {"name": "title", "type": "text"}],
  "record": {
    "id": 9223372036854775807, "user_id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    "title": "write tests", "done": false, "priority": 3, "mood": "in between",
    "moods": ["happy", null, "added later"], "labels": ["a", "b"],
    "address": {"zip": 12345, "street": "Main St", "location": "(1.5,2)"},
    "due": "2024-05-02", "inserted_at": "2024-05-01T10:00:00.5+00:00",
    "total": 12345678901234567890.123456789012345, "new_column": 1
  }
}"""


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, TYPED_APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def app() -> ModuleType:
    return _load("typed_app_runtime")


def _decoded(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def test_tables_are_built_on_first_use() -> None:
    module = _load("typed_app_lazy")
    assert "Todos" not in vars(module)
    todos = module.Todos
    assert vars(module)["Todos"] is todos
    assert module.Todos is todos
    with pytest.raises(AttributeError, match="Todo'"):
        _ = module.Todo


def test_importing_builds_no_table_model() -> None:
    code = (
        "import importlib.util, sys, pydantic;"
        f"spec = importlib.util.spec_from_file_location('m', {str(TYPED_APP)!r});"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m);"
        "print(sorted(n for n in vars(m) if n in m._builders))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_insert_decodes_losslessly(app: ModuleType) -> None:
    change = app.Todos.insert.decode(_decoded(INSERT))
    record = change.record
    assert record.id == 9223372036854775807
    assert record.user_id == UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    assert record.total == Decimal("12345678901234567890.123456789012345")
    assert record.mood == "in between"
    assert record.moods == ["happy", None, "added later"]
    assert record.address.zip == 12345
    assert record.inserted_at.utcoffset() is not None
    assert record.model_extra == {"new_column": 1}
    assert change.schema_name == "public"


def test_delete_needs_only_the_primary_key(app: ModuleType) -> None:
    data = _decoded(INSERT)
    data.update(type="DELETE", old_record={"id": 7})
    del data["record"]
    change = app.Todos.delete.decode(data)
    assert change.old_record.id == 7
    assert change.old_record.title is None
    with pytest.raises(ValidationError):
        app.Todos.delete.decode({**data, "old_record": {"title": "no key"}})


def test_all_narrows_by_type(app: ModuleType) -> None:
    change = app.Todos.all.decode(_decoded(INSERT))
    assert type(change).__name__.startswith("InsertChange")


def test_wire_forms_of_special_types(app: ModuleType) -> None:
    row = app.AllTypes.Row.model_validate(
        {
            "id": 1,
            "c_integer": 2,
            "c_smallpos": 3,
            "c_bytea": "00ff10",
            "c_bytea_array": ["\\x00ff10", None],
            "c_timetz": "03:04:05+02",
            "c_jsonb": {"price": Decimal("2.50"), "tags": [Decimal("1.5"), 2]},
            "c_inet": "10.1.2.3/24",
            "c_interval": "1 year 2 mons 3 days 04:05:06.7",
            "c_int_matrix": [[1, 2], [3, None]],
        }
    )
    assert row.c_bytea == b"\x00\xff\x10"
    assert row.c_bytea_array == [b"\x00\xff\x10", None]
    assert row.c_timetz.utcoffset().total_seconds() == 7200
    assert row.c_jsonb == {"price": 2.5, "tags": [1.5, 2]}
    assert row.c_inet == IPv4Interface("10.1.2.3/24")
    assert row.c_int_matrix == [[1, 2], [3, None]]


def test_odd_column_names_keep_their_wire_names(app: ModuleType) -> None:
    row = app.WeirdNames.Row.model_validate(
        {"user-id": 1, "class": "c", "2fa": True, "café": "x", "status": "on", "json": None}
    )
    assert (row.user_id, row.class_, row.c_2fa, row.café) == (1, "c", True, "x")
    dumped = row.model_dump(by_alias=True, exclude_none=True)
    assert dumped == {"user-id": 1, "class": "c", "2fa": True, "café": "x", "status": "on"}
    assert app.WeirdNames.c.user_id.eq(4).build() == "user-id=eq.4"
    assert app.WeirdNames.insert.table == "Weird Names"


def test_channel_keys(app: ModuleType) -> None:
    assert app.Room.topic(room_id="42") == "room:42"
    assert app.Board.topic(org="acme", board_id="7") == "board:acme:7"
    assert app.Lobby.topic() == "lobby"
    assert app.Room.cursor.event == "cursor"
    assert app.Room.new_message.event == "new-message"
    assert app.Room.cursor.decode({"x": 1, "y": 2.5}) == app.Room.Cursor(x=1.0, y=2.5)
    typing = app.Room.Typing(user_id="u", is_typing=True)
    assert app.Room.typing.encode(typing) == {"user_id": "u", "is typing": True}
    presence = app.Room.presence.decode({"user_id": "u1", "status": "away"})
    assert presence.status == "away"
    assert app.Room.presence.encode(presence)["user_id"] == "u1"
