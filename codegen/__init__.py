"""The maintainers' code generator: ``schema/*.yaml`` to ``src/realtime_typed/_generated/``.

Run ``python -m codegen`` from the repository root to regenerate, or ``python -m codegen
--check`` to fail (exit 1, with a diff) when the checked-in output is stale. The pipeline:

1. :mod:`codegen.bundle` loads the YAML files and bundles, per direction, one JSON Schema
   document with every definition it reaches.
2. :mod:`codegen.ir` reads the events and the join-error codes out of those documents.
3. :mod:`codegen.models` turns each document into Pydantic models with
   datamodel-code-generator (pinned options); :mod:`codegen.render` renders the event tables
   from Jinja templates.
4. :mod:`codegen.output` formats everything with ruff, adds the stamp and writes or compares.
"""
