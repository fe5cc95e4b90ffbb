"""The rules by which the samples test reads a page (pure: no server)."""

from __future__ import annotations

from pathlib import Path

from .markdown import excerpt_missing, read_steps

PAGE = """# A page

Given `schema.sql`:

```sql
create table t (id int primary key);
```

```console
pip install realtime-typed
realtime-gen --tables schema.sql -o app/types.py
realtime-gen --migrations supabase/migrations -o app/types.py  # in your project
```

## Sample

```python
print("hello")
```

prints

```text
hello
```

```python
# file: test_app.py
def test_nothing() -> None: ...
```

- a list item with a fragment:

  ```python
  # excerpt from examples/app.py
  await run()
  ```
"""


def test_steps_of_a_page(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    steps = read_steps(page)
    assert [(step.kind, step.name) for step in steps] == [
        ("file", "schema.sql"),
        ("commands", ""),
        ("program", ""),
        ("file", "test_app.py"),
        ("excerpt", "examples/app.py"),
    ]
    assert steps[1].text == "realtime-gen --tables schema.sql -o app/types.py\n"
    assert steps[2].output == "hello\n"
    assert steps[4].text == "# excerpt from examples/app.py\nawait run()\n"


def test_an_excerpt_must_appear_in_order() -> None:
    source = "async def main():\n    await setup()\n    await run()\n"
    assert excerpt_missing("# excerpt from x.py\nawait setup()\nawait run()\n", source) is None
    assert excerpt_missing("# excerpt from x.py\nawait run()\nawait setup()\n", source) == (
        "await setup()"
    )
