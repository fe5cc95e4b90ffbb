"""What every command of the package shares: one-line errors with exit status 2, ``--version``.

``argparse`` prints its usage before an error; here an error is one line,
``PROG: error: ...``, so it can be read (and grepped) on its own. ``--help`` still shows the
usage and, with :class:`DefaultsHelp`, every option's default.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

__all__ = ["USAGE_ERROR", "CommandParser", "DefaultsHelp", "fail", "package_version"]

USAGE_ERROR = 2
"""The exit status of every error a command reports."""


def package_version() -> str:
    """The installed version of realtime-typed."""
    try:
        return version("realtime-typed")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def fail(prog: str, message: str) -> int:
    """Print ``PROG: error: message`` (one line) to stderr; returns the exit status, 2."""
    flat = " ".join(message.split())
    print(f"{prog}: error: {flat}", file=sys.stderr)
    return USAGE_ERROR


class DefaultsHelp(argparse.HelpFormatter):
    """Help that ends each option's text with its default, when it has a meaningful one."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help
        default: object = action.default
        if (
            text is None
            or "%(default)" in text
            or default in (None, False, [], argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, with ``--version`` built in."""

    def __init__(self, prog: str, description: str) -> None:
        super().__init__(
            prog=prog,
            description=description,
            formatter_class=DefaultsHelp,
        )
        self.add_argument("--version", action="version", version=f"{prog} {package_version()}")

    def error(self, message: str) -> NoReturn:
        fail(self.prog, f"{message} (see {self.prog} --help)")
        sys.exit(USAGE_ERROR)
