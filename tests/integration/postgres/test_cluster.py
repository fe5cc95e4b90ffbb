"""TemporaryCluster: a real server with logical decoding, wal2json and Supabase's roles."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest

from realtime_typed.local.postgres import PostgresNotInstalled
from realtime_typed.local.postgres.binaries import find_binaries
from realtime_typed.local.postgres.server_user import server_user

pytestmark = pytest.mark.postgres

_START_AND_STOP = textwrap.dedent(
    """
    import os, psycopg
    from realtime_typed.local.postgres import TemporaryCluster
    cluster = TemporaryCluster()
    cluster.start()
    with psycopg.connect(cluster.dsn) as conn:
        row = conn.execute("select current_setting('wal_level')").fetchone()
    root = cluster.socket_dir
    print(os.geteuid(), cluster.server_user.name, cluster.server_user.switch, row[0])
    cluster.stop()
    print(root.exists())
    """
)


def test_settings_roles_and_helpers(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        settings = conn.execute(
            "select current_setting('wal_level'), current_setting('fsync'),"
            " current_setting('TimeZone')"
        ).fetchone()
        assert settings == ("logical", "off", "UTC")
        roles = conn.execute(
            "select array_agg(rolname order by rolname) from pg_roles where rolname = any(%s)",
            (["anon", "authenticated", "service_role", "supabase_admin", "authenticator"],),
        ).fetchone()
        assert roles == (
            ["anon", "authenticated", "authenticator", "service_role", "supabase_admin"],
        )
        publication = conn.execute(
            "select count(*) from pg_publication where pubname = 'supabase_realtime'"
        ).fetchone()
        assert publication == (1,)


def test_auth_helpers_read_request_claims(dsn: str) -> None:
    claims = '{"sub": "8d0fcd3a-6c53-4fa5-9f8e-3a1d8a6e9e11", "role": "authenticated"}'
    with psycopg.connect(dsn) as conn:
        conn.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
        row = conn.execute("select auth.uid()::text, auth.role(), auth.jwt() ->> 'sub'").fetchone()
    assert row == (
        "8d0fcd3a-6c53-4fa5-9f8e-3a1d8a6e9e11",
        "authenticated",
        "8d0fcd3a-6c53-4fa5-9f8e-3a1d8a6e9e11",
    )


def test_wal2json_slot_can_be_created(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select pg_create_logical_replication_slot('probe_slot', 'wal2json', true)")
        conn.execute("create table probe_table (id int primary key)")
        conn.execute("insert into probe_table values (1)")
        row = conn.execute(
            "select data::jsonb ->> 'table' from pg_logical_slot_get_changes("
            "'probe_slot', null, null, 'format-version', '2', 'add-tables', 'public.probe_table')"
            " where data::jsonb ->> 'action' = 'I'"
        ).fetchall()
        conn.execute("drop table probe_table")
    assert row == [("probe_table",)]


def test_missing_binaries_name_the_packages(tmp_path: Path) -> None:
    with pytest.raises(
        PostgresNotInstalled, match="apt-get install postgresql-15 postgresql-15-wal2json"
    ):
        find_binaries(tmp_path)


def test_missing_wal2json_names_the_package(tmp_path: Path) -> None:
    real = find_binaries()
    for name in ("initdb", "pg_ctl", "postgres"):
        (tmp_path / name).symlink_to(real.bindir / name)
    pg_config = tmp_path / "pg_config"
    pg_config.write_text(
        "#!/bin/sh\n"
        f'case "$1" in --version) echo "PostgreSQL {real.major_version}.0";;'
        f" --pkglibdir) echo {tmp_path};; esac\n"
    )
    pg_config.chmod(pg_config.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(
        PostgresNotInstalled,
        match=f"apt-get install postgresql-{real.major_version}-wal2json",
    ):
        find_binaries(tmp_path)


def test_server_user_switches_only_for_root() -> None:
    assert server_user(0).name == "postgres"
    assert server_user(0).switch
    assert not server_user(12345).switch
    assert server_user(12345).popen_kwargs() == {}


def _run_start_and_stop(user: str | None) -> list[str]:
    import psycopg as psycopg_module

    import realtime_typed

    src = Path(realtime_typed.__file__).parent.parent
    site = Path(psycopg_module.__file__).parent.parent
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{src}:{site}", "HOME": "/tmp"}
    prefix = ["runuser", "-u", user, "--"] if user else []
    result = subprocess.run(
        [*prefix, _interpreter_for(user, env), "-c", _START_AND_STOP],
        capture_output=True,
        text=True,
        env=env,
        cwd="/tmp",
        check=False,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def _interpreter_for(user: str | None, env: dict[str, str]) -> str:
    """sys.executable, or the system interpreter of the same version if ``user`` cannot run it;
    either must import the package and psycopg from ``env``'s PYTHONPATH as ``user`` (a checkout
    in a folder only root may enter cannot be run by another user: the test is skipped)."""
    if user is None:
        return sys.executable
    for candidate in (
        sys.executable,
        f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}",
    ):
        probe = subprocess.run(
            ["runuser", "-u", user, "--", candidate, "-c", "import psycopg, realtime_typed"],
            capture_output=True,
            env=env,
            cwd="/tmp",
            check=False,
        )
        if probe.returncode == 0:
            return candidate
    pytest.skip(
        f"{user} cannot run Python {sys.version_info[0]}.{sys.version_info[1]} with this "
        f"checkout's package and psycopg ({env['PYTHONPATH']} not readable by {user})"
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="the root path needs root")
def test_root_runs_the_server_as_postgres() -> None:
    euid, name, switch, wal_level, exists = _run_start_and_stop(None)
    assert (euid, name, switch, wal_level, exists) == ("0", "postgres", "True", "logical", "False")


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to an unprivileged user needs root")
def test_unprivileged_user_runs_the_server_as_itself() -> None:
    euid, name, switch, wal_level, exists = _run_start_and_stop("nobody")
    assert euid != "0"
    assert (name, switch, wal_level, exists) == ("nobody", "False", "logical", "False")
