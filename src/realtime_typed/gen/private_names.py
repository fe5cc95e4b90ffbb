"""Payload-model code from datamodel-code-generator, rewritten to the module's private names.

The generator writes ``from pydantic import BaseModel`` and annotations such as ``str`` or
``Point``; in the app module a table, type or payload field could shadow any of them. Every
read of an imported name becomes an attribute of a privately imported module
(``_pd.BaseModel``), of a builtin one of ``_b`` (``_b.str``), and of a model class its private
alias (``_u_Point``, declared after the class), the same scheme as the rest of the module.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Sequence

from realtime_typed.gen.names import private_alias

__all__ = ["privatize_models"]

_MODULE_ALIASES = {
    "builtins": "_b",
    "collections.abc": "_abc",
    "datetime": "_dt",
    "decimal": "_decimal",
    "typing": "_t",
    "typing_extensions": "_te",
    "uuid": "_uuid",
    "pydantic": "_pd",
    "enum": "_enum",
    "ipaddress": "_ipaddress",
}
_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))


def _module_alias(module: str) -> str:
    return _MODULE_ALIASES.get(module) or "_m_" + module.replace(".", "_")


class _Privatize(ast.NodeTransformer):
    """Reads of imported names, builtins and model classes become private references."""

    def __init__(self, imported: dict[str, ast.expr], classes: frozenset[str]) -> None:
        self.imported = imported
        self.classes = classes

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if not isinstance(node.ctx, ast.Load):
            return node
        replacement: ast.expr | None = self.imported.get(node.id)
        if node.id in self.classes:
            replacement = ast.Name(id=private_alias(node.id), ctx=ast.Load())
        elif replacement is None and node.id in _BUILTINS:
            replacement = ast.Attribute(ast.Name(id="_b", ctx=ast.Load()), node.id, ast.Load())
        return node if replacement is None else ast.copy_location(replacement, node)


def _imports(imports: Sequence[str]) -> tuple[list[str], dict[str, ast.expr]]:
    """The private import lines, and the expression each imported name becomes."""
    lines: set[str] = set()
    names: dict[str, ast.expr] = {}
    for statement in ast.parse("\n".join(imports)).body:
        if isinstance(statement, ast.ImportFrom) and statement.module not in (None, "__future__"):
            module = statement.module or ""
            alias = _module_alias(module)
            lines.add(f"import {module} as {alias}")
            for item in statement.names:
                module_name = ast.Name(id=alias, ctx=ast.Load())
                names[item.asname or item.name] = ast.Attribute(module_name, item.name, ast.Load())
        elif isinstance(statement, ast.Import):
            for item in statement.names:
                alias = _module_alias(item.name)
                lines.add(f"import {item.name} as {alias}")
                names[item.asname or item.name] = ast.Name(id=alias, ctx=ast.Load())
    return sorted(lines), names


def privatize_models(imports: Sequence[str], code: str) -> tuple[list[str], str]:
    """The models' private import lines and their rewritten code."""
    lines, names = _imports(imports)
    tree = ast.parse(code)
    classes = frozenset(s.name for s in tree.body if isinstance(s, ast.ClassDef))
    body: list[ast.stmt] = []
    for statement in _Privatize(names, classes).visit(tree).body:
        body.append(statement)
        if isinstance(statement, ast.ClassDef):
            alias = f"{private_alias(statement.name)}: _t.TypeAlias = {statement.name}"
            body.extend(ast.parse(alias).body)
    return lines, ast.unparse(ast.fix_missing_locations(ast.Module(body=body, type_ignores=[])))
