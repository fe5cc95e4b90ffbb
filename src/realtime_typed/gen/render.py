"""The generated module's source, laid out by the jinja2 templates in ``gen/templates/``.

Per table a class (``Todos``; ``AuditEvents`` for ``audit.events``) holding ``Row``, ``Old``,
the typed keys ``insert``/``update``/``delete``/``all`` and typed columns ``c``. Type checkers
read the classes under ``if TYPE_CHECKING:``; at run time the same class text sits in a
builder that the module's ``__getattr__`` calls on first use, so importing a module of a
thousand tables builds none of their Pydantic models.

Every decision (names, types, which filters a column offers) is made by
:func:`~realtime_typed.gen.plan.plan_module`; the templates only lay the plan out. The module
names what it uses through private imports (``import datetime as _dt``), so a column called
``date`` or a table called ``Callable`` cannot shadow them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import jinja2

from realtime_typed.gen.catalog import Catalog, Table
from realtime_typed.gen.channels import ChannelFile, generate_models
from realtime_typed.gen.plan import (
    ModulePlan,
    TablePlan,
    Warning_,
    plan_module,
    selected_tables,
)
from realtime_typed.gen.private_names import privatize_models
from realtime_typed.gen.renames import Renames

__all__ = ["TABLES_PER_MODULE", "Warning_", "render_module", "render_package", "selected_tables"]

TABLES_PER_MODULE = 50
"""Tables per module of a generated package: small enough for pyright's analysis limits."""
_SHARED_MODULE = "_shared"

_DOC_WIDTH = 72
"""Docstring width: stays under the line length at any nesting, runtime builders included."""


def _wrapped(paragraph: str) -> list[str]:
    """The lines of one paragraph, as ``textwrap.wrap`` makes them; a short plain one is its
    own line, without the cost of wrapping it."""
    if len(paragraph) <= _DOC_WIDTH and paragraph.isprintable() and not paragraph.endswith(" "):
        return [paragraph]
    return textwrap.wrap(paragraph, _DOC_WIDTH) or [""]


def _docstring(text: str, indent: int) -> str:
    """A docstring at ``indent``, wrapped to the line width, quotes made safe."""
    safe = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    if safe.endswith('"'):
        safe += " "
    lines = [line for paragraph in safe.split("\n") for line in _wrapped(paragraph)]
    pad = " " * indent
    if len(lines) == 1:
        return f'{pad}"""{lines[0]}"""'
    body = [f"{pad}{line}" if line else "" for line in lines[1:]]
    return "\n".join([f'{pad}"""{lines[0]}', *body, f'{pad}"""'])


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("realtime_typed.gen", "templates"),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,
)
_FILTERS: dict[str, Any] = _ENVIRONMENT.filters
_FILTERS.update(py=repr, docstring=_docstring)


def _plan(
    catalog: Catalog,
    tables: Sequence[Table],
    channels: ChannelFile | None,
    renames: Renames | None,
    strict_enums: bool,
) -> tuple[ModulePlan, list[str], str]:
    """The module plan, and the channel payload models' imports and code."""
    model_imports: list[str] = []
    models_code = ""
    model_names: set[str] = set()
    if channels is not None:
        raw_imports, raw_code, model_names = generate_models(channels)
        model_imports, models_code = privatize_models(raw_imports, raw_code)
    plan = plan_module(
        catalog,
        tables,
        channels,
        renames or Renames(),
        strict_enums=strict_enums,
        model_names=model_names,
    )
    return plan, model_imports, models_code


def _table_texts(tables: Sequence[TablePlan]) -> dict[str, str]:
    """Each table class's text, from the ``table`` macro: rendered once, laid out twice."""
    macros: dict[str, Any] = vars(_ENVIRONMENT.get_template("macros.py.j2").module)
    macro: Callable[[TablePlan], object] = macros["table"]
    return {table.name: str(macro(table)) for table in tables}


def _shared_context(plan: ModulePlan, model_imports: list[str], models_code: str) -> dict[str, Any]:
    return {
        "model_imports": model_imports,
        "models_code": models_code,
        "helpers": plan.helpers,
        "enums": plan.enums,
        "composites": plan.composites,
        "channels": plan.channels,
    }


def render_module(
    catalog: Catalog,
    tables: Sequence[Table],
    channels: ChannelFile | None,
    header: Sequence[str],
    renames: Renames | None = None,
    *,
    strict_enums: bool = False,
) -> tuple[str, list[Warning_]]:
    """The module source (not yet formatted) and the lossy-column warnings."""
    plan, model_imports, models_code = _plan(catalog, tables, channels, renames, strict_enums)
    source = _ENVIRONMENT.get_template("module.py.j2").render(
        header=header,
        exports=plan.exports,
        tables=plan.tables,
        table_texts=_table_texts(plan.tables),
        **_shared_context(plan, model_imports, models_code),
    )
    return source, plan.warnings


def render_package(
    catalog: Catalog,
    tables: Sequence[Table],
    channels: ChannelFile | None,
    header: Sequence[str],
    renames: Renames | None = None,
    *,
    strict_enums: bool = False,
) -> tuple[dict[str, str], list[Warning_]]:
    """A package's files (not yet formatted) by name, and the lossy-column warnings.

    ``__init__`` imports enums, composites and channels from ``_shared`` and each table class
    from its table module on first use; a table module holds :data:`TABLES_PER_MODULE` tables,
    so each file stays within what pyright analyzes fully.
    """
    plan, model_imports, models_code = _plan(catalog, tables, channels, renames, strict_enums)
    shared = _shared_context(plan, model_imports, models_code)
    generated = header[0]
    chunks = [
        plan.tables[start : start + TABLES_PER_MODULE]
        for start in range(0, len(plan.tables), TABLES_PER_MODULE)
    ]
    table_modules = [(f"_tables_{index:03d}", chunk) for index, chunk in enumerate(chunks)]
    shared_names = [
        "_record",
        *plan.helpers,
        *(e.private for e in plan.enums),
        *(c.private for c in plan.composites),
    ]
    table_names = {t.name for t in plan.tables}
    files = {
        "__init__.py": _ENVIRONMENT.get_template("package_init.py.j2").render(
            header=header,
            exports=plan.exports,
            shared_module=_SHARED_MODULE,
            shared_exports=[name for name in plan.exports if name not in table_names],
            table_modules=[(name, [t.name for t in chunk]) for name, chunk in table_modules],
        ),
        f"{_SHARED_MODULE}.py": _ENVIRONMENT.get_template("package_shared.py.j2").render(
            header=[generated, '"""What the table modules of this package share."""', ""],
            tables=plan.tables,
            **shared,
        ),
    }
    for name, chunk in table_modules:
        files[f"{name}.py"] = _ENVIRONMENT.get_template("package_tables.py.j2").render(
            header=[generated, '"""Table classes of this package."""', ""],
            model_imports=[],
            shared_module=_SHARED_MODULE,
            shared_names=shared_names,
            tables=chunk,
            table_texts=_table_texts(chunk),
        )
    return files, plan.warnings
