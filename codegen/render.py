"""Render the Jinja templates of ``codegen/templates/``.

The environment is strict: an undefined name is an error, not an empty string. Values are
written into the source with ``repr`` (the ``py`` filter), so any string is a valid literal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

__all__ = ["TEMPLATES_DIR", "render"]

TEMPLATES_DIR = Path(__file__).parent / "templates"

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,
)
_ENVIRONMENT.filters["py"] = repr


def render(template: str, **context: Any) -> str:
    """Render ``template`` (a file name under ``templates/``) with ``context``."""
    return _ENVIRONMENT.get_template(template).render(**context)
