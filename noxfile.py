"""Developer sessions: tests, lint, typecheck, codegen, peers, bench, soak, demo, websockets.

Every session but ``websockets`` runs in one shared virtual environment, ``.venv``, made on
first use and refreshed when ``pyproject.toml`` changes, so sessions start in seconds.
``websockets`` runs the client's tests once per websockets version in its own environment.
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
PEERS_NODE = ROOT / "tests" / "peers" / "node"
WEBSOCKETS_VERSIONS = ("14.0", "17.4")
"""The oldest and the newest websockets of the runtime pin (``websockets>=14,<18``)."""
CLIENT_TESTS = ("tests/unit", "tests/integration/client", "tests/integration/scenarios")
"""The client's tests (and the protocol core's), the soak left to ``nox -s tests``: they need
the package with its extras."""


def _run(session: nox.Session, tool: str, *args: str) -> None:
    """Run a tool of ``.venv``, making or refreshing the environment first."""
    stamp = VENV / ".pyproject-hash"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    python = str(BIN / "python")
    if not (BIN / "python").exists():
        session.run(sys.executable, "-m", "venv", str(VENV), external=True)
    if not stamp.exists() or stamp.read_text() != digest:
        session.run(python, "-m", "pip", "install", "-q", "--upgrade", "pip", external=True)
        session.run(python, "-m", "pip", "install", "-q", "-e", ".[dev]", external=True)
        stamp.write_text(digest)
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "VIRTUAL_ENV": str(VENV)}
    session.run(str(BIN / tool), *args, env=env, external=True)


def _node_peers(session: nox.Session) -> None:
    """Install Node.js 22 (npm's ``node`` package) and, with it, the pinned npm peer client,
    from their lockfiles, when they are missing. realtime-js 2.119.1 requires node >=22."""
    if not (PEERS_NODE / "node_modules").exists():
        with session.chdir(PEERS_NODE):
            session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    if not (PEERS_JS / "node_modules").exists():
        node_bin = PEERS_NODE / "node_modules" / ".bin"
        env = {"PATH": f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
        with session.chdir(PEERS_JS):
            session.run("npm", "ci", "--no-audit", "--no-fund", env=env, external=True)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: unit, integration (local server + PostgreSQL) and peers."""
    _node_peers(session)
    _run(session, "pytest", *session.posargs)


@nox.session
def peers(session: nox.Session) -> None:
    """Only the tests that run the official clients against the local server."""
    _node_peers(session)
    _run(session, "pytest", "tests/peers", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff format --check, ruff check, and the import contracts of pyproject.toml (layers, no
    import cycles) with lint-imports."""
    _run(session, "ruff", "format", "--check", ".")
    _run(session, "ruff", "check", ".")
    _run(session, "lint-imports", "--no-cache", "--no-logo")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict and pyright strict over src and tests; the public API fully typed.

    ``pyright --verifytypes`` finds ``py.typed`` through the python on PATH, which ``_run``
    makes the environment's.
    """
    _run(session, "mypy", "--strict")
    _run(session, "pyright")
    _run(session, "pyright", "--verifytypes", "realtime_typed", "--ignoreexternal")


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate ``src/realtime_typed/_generated`` from ``schema/``; ``-- --check`` diffs."""
    _run(session, "python", "-m", "codegen", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks side by side with the official client; writes bench/RESULTS.md."""
    _run(session, "python", "-m", "bench", *session.posargs)


@nox.session
def soak(session: nox.Session) -> None:
    """A long fault-injection scenario (default 10 minutes); ``-- --seconds N`` to change."""
    _run(session, "python", "-m", "bench.soak", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Start a local server and two clients chatting over it, printed live."""
    _run(session, "python", "examples/chat_demo.py", *session.posargs)


@nox.session
@nox.parametrize("version", WEBSOCKETS_VERSIONS)
def websockets(session: nox.Session, version: str) -> None:
    """The client's tests with websockets ``version`` (what ``pip install .`` may give users).

    The shared ``.venv`` holds whatever websockets the official Python client allows (it pins
    ``<16``); this session's environment has no official client, so any version of the
    runtime pin can be tried. Made in ``.nox/websockets-VERSION`` on first use.
    """
    venv = ROOT / ".nox" / f"websockets-{version}"
    python = str(venv / "bin" / "python")
    requirements = [
        ".[gen,server]",
        f"websockets=={version}",
        "pytest>=9",
        "pytest-asyncio>=1.2",
        "pytest-timeout>=2.3",
        "hypothesis>=6.100",
    ]
    stamp = venv / ".requirements-hash"
    digest = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + "\n".join(requirements).encode()
    ).hexdigest()
    if not (venv / "bin" / "python").exists():
        session.run(sys.executable, "-m", "venv", str(venv), external=True)
    if not stamp.exists() or stamp.read_text() != digest:
        session.run(python, "-m", "pip", "install", "-q", "--upgrade", "pip", external=True)
        session.run(python, "-m", "pip", "install", "-q", *requirements, external=True)
        stamp.write_text(digest)
    # The package as users get it (not editable), rebuilt from this checkout on every run.
    session.run(
        python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", ".", external=True
    )
    session.run(python, "-c", "import websockets; print('websockets', websockets.__version__)")
    session.run(
        python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *(session.posargs or ("-m", "not soak", *CLIENT_TESTS)),
        external=True,
    )
