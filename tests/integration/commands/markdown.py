"""The samples of a Markdown page, as the docs test runs them (pure: no I/O beyond reading).

A page's fenced blocks become steps, in page order:

* a ``python`` block is a **program**: run alone, it must exit 0. When the next block is a
  ``text`` block with at most a short paragraph between them (such as "prints"), that block is
  the program's exact standard output.
* a ``python`` block whose first line is ``# file: NAME`` is a **file** written to ``NAME``
  (a test module, say) for a later command.
* a ``python`` block whose first line is ``# excerpt from PATH`` (the visible marker of a
  fragment that cannot run alone) is an **excerpt**: its lines must appear, in order, in the
  example ``PATH`` of this repository, and that example runs as a program.
* any other block preceded by a paragraph ending in ``NAME``:, like "Given `schema.sql`:", is
  a **file** written to ``NAME``.
* a ``console`` block gives **commands**: its lines whose first word is one of
  :data:`RUNNABLE` run in order; the others (installing, starting ``realtime-local``, ``nox``)
  are the test's own setup or left to the reader, and so is a line that ends with a comment
  (``# in a Supabase CLI project``): the comment tells the reader what it needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

__all__ = ["RUNNABLE", "Step", "excerpt_missing", "read_steps"]

RUNNABLE: Final = ("realtime-gen", "realtime-doctor", "psql", "pytest")
"""The commands of console blocks that the docs test runs."""

_FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[\w-]*)\s*$")
_NAMED = re.compile(r"`(?P<name>[\w./-]+)`:\s*$")
_FILE = re.compile(r"^# file: (?P<name>\S+)\s*$")
_EXCERPT = re.compile(r"^# excerpt from (?P<path>\S+)\s*$", re.IGNORECASE)
_MAX_GAP_LINES: Final = 3
"""Lines of prose allowed between a program and its output block."""

Kind = Literal["program", "file", "excerpt", "commands"]


@dataclass(frozen=True)
class Step:
    """One thing the docs test does for a page."""

    kind: Kind
    line: int
    """The 1-based line of the block's opening fence."""
    text: str
    name: str = ""
    """The file name (file), the example's path (excerpt)."""
    output: str | None = None
    """The exact standard output a program must print, when the page shows it."""

    @property
    def where(self) -> str:
        return f"line {self.line}"


@dataclass(frozen=True)
class _Block:
    info: str
    start: int
    end: int
    text: str
    before: str
    """The prose between the previous block (or heading) and this one."""


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    prose: list[str] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            line = lines[index]
            prose = [] if line.startswith("#") else [*prose, line]
            index += 1
            continue
        indent = len(opening["indent"])
        body: list[str] = []
        close = index + 1
        while close < len(lines) and lines[close].strip() != "```":
            body.append(lines[close][indent:])
            close += 1
        before = "\n".join(prose).strip()
        blocks.append(_Block(opening["info"], index + 1, close + 1, "\n".join(body) + "\n", before))
        prose = []
        index = close + 1
    return blocks


def _output_of(blocks: list[_Block], position: int) -> str | None:
    if position + 1 >= len(blocks):
        return None
    following = blocks[position + 1]
    gap = following.start - blocks[position].end - 1
    if following.info == "text" and gap <= _MAX_GAP_LINES:
        return following.text
    return None


def _python_step(blocks: list[_Block], position: int) -> Step:
    block = blocks[position]
    first = block.text.split("\n", 1)[0]
    if (named := _FILE.match(first)) is not None:
        return Step("file", block.start, block.text, name=named["name"])
    if (excerpt := _EXCERPT.match(first)) is not None:
        return Step("excerpt", block.start, block.text, name=excerpt["path"])
    return Step("program", block.start, block.text, output=_output_of(blocks, position))


def read_steps(page: Path) -> list[Step]:
    """The steps of ``page``, in order."""
    blocks = _blocks(page.read_text(encoding="utf-8").splitlines())
    steps: list[Step] = []
    for position, block in enumerate(blocks):
        if block.info == "python":
            steps.append(_python_step(blocks, position))
        elif block.info == "console":
            runnable = [
                line
                for line in block.text.splitlines()
                if line.split(" ", 1)[0] in RUNNABLE and " # " not in line
            ]
            if runnable:
                steps.append(Step("commands", block.start, "\n".join(runnable) + "\n"))
        elif block.info != "text" and (named := _NAMED.search(block.before)) is not None:
            steps.append(Step("file", block.start, block.text, name=named["name"]))
    return steps


def excerpt_missing(excerpt: str, source: str) -> str | None:
    """The first line of ``excerpt`` (after its marker) not found in order in ``source``."""
    wanted = [line.strip() for line in excerpt.splitlines()[1:] if line.strip()]
    lines = iter(line.strip() for line in source.splitlines())
    for line in wanted:
        if not any(candidate == line for candidate in lines):
            return line
    return None
