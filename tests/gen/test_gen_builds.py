"""Every generated golden module imports and builds every model of every class at run time.

A module can pass ``mypy --strict`` yet fail when Pydantic resolves its annotations (a field
``date: date | None = None`` reads its own default as the type). So each golden module, the
hostile-names one included, is imported fresh and every table's ``Row`` and ``Old``, every
composite and payload model is built, and every typed column builds a filter.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel

from realtime_typed import ChangeSpec, Filter, NullColumn

from .gen_cases import CASES, ROOT, GoldenCase


def _load(case: GoldenCase) -> ModuleType:
    name = f"golden_build_{case.name}"
    spec = importlib.util.spec_from_file_location(name, ROOT / case.expected)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _build(model: type[BaseModel]) -> None:
    model.model_rebuild(force=True)
    assert model.model_json_schema()["type"] == "object"


def _is_model(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _is_table(value: object) -> bool:
    keys = getattr(value, "insert", None)
    return hasattr(value, "Row") and (keys is None or isinstance(keys, ChangeSpec))


def _build_table(table: Any) -> None:
    _build(table.Row)
    _build(table.Old)
    holder: type = table.c
    for column in vars(holder).values():
        if isinstance(column, NullColumn):
            assert isinstance(column.is_(None), Filter)


def _build_channel(channel: Any) -> None:
    placeholders = list(inspect.signature(channel.topic).parameters)
    assert isinstance(channel.topic(**dict.fromkeys(placeholders, "x")), str)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_model_of_every_class_builds(case: GoldenCase) -> None:
    module = _load(case)
    built = 0
    for name in module.__all__:
        value: Any = getattr(module, name)
        if _is_model(value):
            _build(value)
            built += 1
        elif _is_table(value):
            _build_table(value)
            built += 2
        elif isinstance(value, type):
            _build_channel(value)
    assert built > 0 or case.name == "channels"


def test_hostile_names_keep_their_wire_names() -> None:
    module = _load(next(case for case in CASES if case.name == "hostile_names"))
    row = module.None_.Row.model_validate(
        {"id": 1, "date": "2024-01-02", "time": "10:00:00", "datetime": "2024-01-02T10:00:00",
         "str": "s", "int": 2, "Field": "f", "Final": "x", "Mood": "it's", "_b": 3,
         "x-y": "dash", "x y": "space", "a_b": "lower", "A_B": "upper",
         "Builders": {"a": 1, "Final": "f", "date": "2024-01-03"}}
    )  # fmt: skip
    assert str(row.date) == "2024-01-02"
    assert row.str == "s"
    assert row.int == 2
    assert row.Field == "f"
    assert row.b == 3
    assert (row.x_y, row.x_dash_y, row.a_b, row.A_B) == ("space", "dash", "lower", "upper")
    assert str(row.Builders.date) == "2024-01-03"
    assert module.None_.c.date.eq(row.date).build() == "date=eq.2024-01-02"
    assert module.True_.insert.table == "True"
    assert module.CallableNone.insert.schema == "Callable"
    assert module.CapitalItems.insert.table == "Items"
    assert module.Items.insert.table == "items"


def test_hostile_payload_properties_decode() -> None:
    module = _load(next(case for case in CASES if case.name == "hostile_names"))
    payload = module.Annotated.date.decode(
        {"date": "2024-01-02", "str": "s", "BaseModel": True, "Point": {"x": 1, "Point": "p"}}
    )
    assert str(payload.date) == "2024-01-02"
    assert (payload.str_, payload.base_model, payload.point.point) == ("s", True, "p")
    assert module.Annotated.topic(str="x") == "callable:x"
