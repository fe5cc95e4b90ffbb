"""Pydantic models from a bundled schema document, by datamodel-code-generator.

The options are pinned here, so the output depends only on the schema and the generator's
version. Client (outbound) models forbid unknown keys; server (inbound) models keep them.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from datamodel_code_generator import generate
from datamodel_code_generator.enums import DataModelType, InputFileType
from datamodel_code_generator.format import PythonVersion

__all__ = ["generate_models"]

_CONFIG_LINE = "    model_config = ConfigDict("
_TYPED_CONFIG_LINE = "    model_config: ClassVar[ConfigDict] = ConfigDict("
_FUTURE_IMPORT = "from __future__ import annotations\n"

_PINNED_OPTIONS: dict[str, Any] = {
    "input_file_type": InputFileType.JsonSchema,
    "output_model_type": DataModelType.PydanticV2BaseModel,
    "target_python_version": PythonVersion.PY_311,
    "use_union_operator": True,
    "use_standard_collections": True,
    "enum_field_as_literal": "all",
    "use_type_alias": True,
    "collapse_root_models": True,
    "use_schema_description": True,
    "use_field_description": True,
    "use_default_kwarg": True,
    "disable_timestamp": True,
    "formatters": [],
}


def generate_models(
    bundle: dict[str, Any], *, header: str, extra: Literal["allow", "forbid"]
) -> str:
    """The source of one module of models for ``bundle``, starting with ``header``."""
    source = generate(
        json.dumps(bundle, sort_keys=False),
        **_PINNED_OPTIONS,
        extra_fields=extra,
        custom_file_header=header,
    )
    if not isinstance(source, str):
        raise TypeError("datamodel-code-generator did not return a single module")
    return _declare_class_vars(source)


def _declare_class_vars(source: str) -> str:
    """Declare ``model_config`` as the ``ClassVar`` it is on ``BaseModel``.

    An unannotated override is ambiguous to ``pyright --verifytypes``; the declared one is not.
    """
    if _CONFIG_LINE not in source:
        return source
    source = source.replace(_CONFIG_LINE, _TYPED_CONFIG_LINE)
    return source.replace(_FUTURE_IMPORT, f"{_FUTURE_IMPORT}\nfrom typing import ClassVar\n", 1)
