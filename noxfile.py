"""Developer sessions: tests, lint, typecheck, codegen, peers, bench, soak and demo.

Every session runs in one shared virtual environment, ``.venv``, made on first use and
refreshed when ``pyproject.toml`` changes, so sessions start in seconds.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "typecheck", "codegen", "tests"]

ROOT = Path(__file__).parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PEERS_JS = ROOT / "tests" / "peers" / "js"


def _dev_env(session: nox.Session) -> dict[str, str]:
    """Make or refresh ``.venv`` with the project and its dev extra; return its environment."""
    stamp = VENV / ".pyproject-hash"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not (BIN / "python").exists():
        session.run(sys.executable, "-m", "venv", str(VENV), external=True)
    if not stamp.exists() or stamp.read_text() != digest:
        session.run(str(BIN / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip",
                    external=True)
        session.run(str(BIN / "python"), "-m", "pip", "install", "-q", "-e", ".[dev]",
                    external=True)
        stamp.write_text(digest)
    return {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "VIRTUAL_ENV": str(VENV)}


def _node_peers(session: nox.Session) -> None:
    """Install the pinned npm peer client from its lockfile when it is missing."""
    if (PEERS_JS / "package-lock.json").exists() and not (PEERS_JS / "node_modules").exists():
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: unit, integration (local server + PostgreSQL) and peers."""
    env = _dev_env(session)
    if PEERS_JS.exists():
        with session.chdir(PEERS_JS):
            _node_peers(session)
    session.run("pytest", *session.posargs, env=env, external=True)


@nox.session
def peers(session: nox.Session) -> None:
    """Only the tests that run the official clients against the local server."""
    env = _dev_env(session)
    with session.chdir(PEERS_JS):
        _node_peers(session)
    session.run("pytest", "tests/peers", *session.posargs, env=env, external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff format --check and ruff check."""
    env = _dev_env(session)
    session.run("ruff", "format", "--check", ".", env=env, external=True)
    session.run("ruff", "check", ".", env=env, external=True)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict and pyright strict over src and tests."""
    env = _dev_env(session)
    session.run("mypy", "--strict", env=env, external=True)
    session.run("pyright", env=env, external=True)


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate ``src/realtime_typed/_generated`` from ``schema/``; ``-- --check`` diffs."""
    env = _dev_env(session)
    session.run(str(BIN / "python"), "-m", "codegen", *session.posargs, env=env, external=True)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks side by side with the official client; writes bench/RESULTS.md."""
    env = _dev_env(session)
    session.run("python", "-m", "bench", *session.posargs, env=env, external=True)


@nox.session
def soak(session: nox.Session) -> None:
    """A long fault-injection scenario (default 10 minutes); ``-- --seconds N`` to change."""
    env = _dev_env(session)
    session.run("python", "-m", "bench.soak", *session.posargs, env=env, external=True)


@nox.session
def demo(session: nox.Session) -> None:
    """Start a local server and two clients chatting over it, printed live."""
    env = _dev_env(session)
    session.run("python", "examples/chat_demo.py", *session.posargs, env=env, external=True)
