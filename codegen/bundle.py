"""Load ``schema/*.yaml`` and bundle one self-contained JSON Schema document per direction.

Each schema file is a JSON Schema document of its own; definitions refer to each other with
``#/$defs/Name`` inside a file and ``other.yaml#/$defs/Name`` across files. A bundle starts
from a root file (``client.yaml`` or ``server.yaml``), keeps its top level (title,
description, the ``oneOf`` of its messages) and gathers under ``$defs`` every definition the
root reaches, with every reference rewritten to ``#/$defs/Name``. Definition names are unique
across all files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

__all__ = ["SchemaBundleError", "SchemaSet", "load_schema_set"]

_DEFS_PREFIX = "#/$defs/"


class SchemaBundleError(Exception):
    """A schema file that cannot be loaded, or a reference that does not resolve."""


@dataclass(frozen=True)
class SchemaSet:
    """Every schema file, parsed, keyed by file name."""

    files: Mapping[str, Mapping[str, Any]]

    def definition(self, file: str, name: str) -> Mapping[str, Any]:
        """The definition ``name`` of ``file``; raises SchemaBundleError if there is none."""
        defs = self.files[file].get("$defs", {})
        if name not in defs:
            raise SchemaBundleError(f"{file}: no definition named {name!r}")
        definition: Mapping[str, Any] = defs[name]
        return definition

    def bundle(self, root_file: str) -> dict[str, Any]:
        """The document of ``root_file`` with every definition it reaches under ``$defs``."""
        root = self.files[root_file]
        gathered: dict[str, Any] = {}
        pending: list[tuple[str, str]] = []
        top = {key: value for key, value in root.items() if key != "$defs"}
        bundled_top = self._rewrite(top, root_file, pending)
        while pending:
            file, name = pending.pop()
            if name in gathered:
                continue
            gathered[name] = self._rewrite(self.definition(file, name), file, pending)
        return {**bundled_top, "$defs": dict(sorted(gathered.items()))}

    def _rewrite(self, node: object, file: str, pending: list[tuple[str, str]]) -> Any:
        if isinstance(node, Mapping):
            out: dict[str, Any] = {}
            for key, value in cast("Mapping[str, Any]", node).items():
                if key == "$ref":
                    target_file, name = self._resolve(value, file)
                    pending.append((target_file, name))
                    out[key] = _DEFS_PREFIX + name
                else:
                    out[key] = self._rewrite(value, file, pending)
            return out
        if isinstance(node, list):
            return [self._rewrite(item, file, pending) for item in cast("list[object]", node)]
        return node

    def _resolve(self, ref: object, file: str) -> tuple[str, str]:
        if not isinstance(ref, str):
            raise SchemaBundleError(f"{file}: $ref must be a string, got {ref!r}")
        target, hash_, pointer = ref.partition("#")
        if not hash_ or not pointer.startswith("/$defs/"):
            raise SchemaBundleError(f"{file}: unsupported $ref {ref!r} (use [file]#/$defs/Name)")
        target_file = target or file
        if target_file not in self.files:
            raise SchemaBundleError(f"{file}: $ref {ref!r} names a missing file")
        name = pointer.removeprefix("/$defs/")
        self.definition(target_file, name)
        return target_file, name


def load_schema_set(schema_dir: Path) -> SchemaSet:
    """Parse every ``*.yaml`` file of ``schema_dir``; definition names must be unique."""
    files: dict[str, Mapping[str, Any]] = {}
    owners: dict[str, str] = {}
    for path in sorted(schema_dir.glob("*.yaml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SchemaBundleError(f"{path.name}: not valid YAML: {exc}") from exc
        if not isinstance(document, dict):
            raise SchemaBundleError(f"{path.name}: a schema file must be a mapping")
        document = cast("dict[str, Any]", document)
        defs: Mapping[str, Any] = document.get("$defs", {})
        for name in defs:
            if name in owners:
                raise SchemaBundleError(
                    f"{path.name}: definition {name!r} is already defined in {owners[name]}"
                )
            owners[name] = path.name
        files[path.name] = document
    return SchemaSet(files)
