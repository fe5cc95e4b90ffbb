"""Invalid input: exit status 2, an error naming file, line, column and statement, no output."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtime_typed.gen.cli import main

VALID_CHANNELS = """\
channels:
  Room:
    topic: "room:{id}"
"""


def _run(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    args: list[str],
) -> str:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    output = tmp_path / "out.py"
    output.write_text("# the previous module\n")
    status = main([*(str(tmp_path / a) if a in files else a for a in args), "-o", str(output)])
    assert status == 2
    assert output.read_text() == "# the previous module\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.py")] == []
    err = capsys.readouterr().err
    assert err.startswith("realtime-gen: error: ")
    return err


SQL_CASES = {
    "syntax error": (
        "create table a (id int primary key);\n\ncreate tabel b (id int);\n",
        ':3:8: syntax error at or near "tabel"',
        "create tabel b (id int)",
    ),
    "unknown type": (
        "create table a (\n  id int primary key,\n  n nosuchtype not null\n);\n",
        ':3:5: type "nosuchtype" does not exist',
        "create table a ( id int primary key, n nosuchtype not null )",
    ),
    "duplicate table": (
        "create table a (id int);\ncreate table public.a (id int);\n",
        ':2:14: relation "public.a" already exists',
        "create table public.a (id int)",
    ),
    "missing column": (
        "create table a (id int);\nalter table a alter column nope set not null;\n",
        ':2:1: column "nope" of relation "public.a" does not exist',
        "alter table a alter column nope set not null",
    ),
    "missing table": (
        "alter table ghosts add column x int;\n",
        ':1:13: relation "public.ghosts" does not exist',
        "alter table ghosts add column x int",
    ),
    "duplicate column": (
        "create table a (x int, x text);\n",
        ':1:24: column "x" specified more than once',
        "create table a (x int, x text)",
    ),
    "two primary keys": (
        "create table a (x int primary key, y int, primary key (y));\n",
        ':1:43: multiple primary keys for table "a" are not allowed',
        "create table a (x int primary key, y int, primary key (y))",
    ),
    "drop a type in use": (
        "create type m as enum ('a');\ncreate table t (m m);\ndrop type m;\n",
        ':3:1: cannot drop type "m" because column "m" of table "public.t" depends on it',
        "drop type m",
    ),
    "NUL character": (
        "create table a (id int primary key);\ncreate table b (\0id int);\n",
        ":2:17: NUL character in SQL: PostgreSQL refuses it",
        "",
    ),
    "create table as": (
        "create table a (id int primary key);\ncreate table b as select * from a;\n",
        ":2:1: CREATE TABLE ... AS is not supported: its columns come from a query",
        "create table b as select * from a",
    ),
    "select into": (
        "create table a (id int);\nselect * into b from a;\n",
        ":2:1: SELECT ... INTO a table is not supported",
        "select * into b from a",
    ),
    "pk using a missing index": (
        "create table a (id int);\n"
        "alter table a add constraint a_pkey primary key using index nope;\n",
        ':2:19: index "nope" does not exist',
        "alter table a add constraint a_pkey primary key using index nope",
    ),
    "pk using a partial index": (
        "create table a (id int);\ncreate unique index i on a (id) where id > 0;\n"
        "alter table a add primary key using index i;\n",
        ':3:19: index "i" has expressions or a predicate: it cannot back a constraint',
        "alter table a add primary key using index i",
    ),
    "replica identity over a nullable column": (
        "create table a (id int);\ncreate unique index i on a (id);\n"
        "alter table a replica identity using index i;\n",
        ':3:1: index "i" cannot be used as replica identity because column "id" is nullable',
        "alter table a replica identity using index i",
    ),
    "unguarded DO block": (
        "create type m as enum ('a');\ndo $$\nbegin\n  create type m as enum ('b');\nend\n$$;\n",
        ':4:3: type "public.m" already exists',
        "create type m as enum ('b')",
    ),
    "invalid PL/pgSQL": (
        "do $$ begin if then end if; end $$;\n",
        ":1:1: invalid PL/pgSQL in DO block",
        "do $$ begin if then end if; end $$",
    ),
    "empty search_path": (
        "set search_path = '';\ncreate table a (id int);\n",
        ":2:1: no schema has been selected to create in",
        "create table a (id int)",
    ),
    "escape of an invalid UTF-8 byte": (
        "create table a (id int);\ncomment on table a is E'\\x85';\n",
        ': invalid byte sequence for encoding "UTF8": 0x85',
        "",
    ),
    "unknown enum label": (
        "create type m as enum ('a');\nalter type m rename value 'b' to 'c';\n",
        ':2:1: "b" is not an existing enum label',
        "alter type m rename value 'b' to 'c'",
    ),
}


@pytest.mark.parametrize("case", sorted(SQL_CASES))
def test_invalid_sql_is_located(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql, where, statement = SQL_CASES[case]
    err = _run(tmp_path, capsys, {"schema.sql": sql}, ["--tables", "schema.sql"])
    assert f"schema.sql{where}" in err
    assert statement in err


def test_undecodable_bytes_are_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "schema.sql"
    path.write_bytes(
        "create table a (\n  name text default 'café',\n  x int\xff\n);\n".encode("latin-1")
    )
    output = tmp_path / "out.py"
    assert main(["--tables", str(path), "-o", str(output)]) == 2
    err = capsys.readouterr().err
    assert (
        "schema.sql:2:25: byte 0xe9 at byte offset 41 is not UTF-8; save the file as UTF-8" in err
    )
    assert not output.exists()


def test_a_do_block_running_computed_sql_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schema.sql"
    path.write_text(
        "create table a (id int primary key);\n"
        "do $$ begin execute format('create table %I (id int)', 'b'); end $$;\n"
    )
    assert main(["--tables", str(path), "-o", str(tmp_path / "out.py")]) == 0
    err = capsys.readouterr().err
    assert "schema.sql:2:1: warning: DO block runs EXECUTE format(" in err
    assert "generate with --apply or --db-url" in err


def test_a_do_block_condition_that_is_not_a_catalog_check_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schema.sql"
    path.write_text(
        "do $$ begin\n"
        "  if not exists (select from pg_type where typname = 'mood') then\n"
        "    create type mood as enum ('up');\n"
        "  end if;\n"
        "  if current_setting('app.env', true) = 'dev' then\n"
        "    create table debug_log (id int primary key);\n"
        "    insert into debug_log values (1);\n"
        "  end if;\n"
        "end $$;\n"
    )
    assert main(["--tables", str(path), "-o", str(tmp_path / "out.py")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "schema.sql:6:5: warning: DO block runs `create table debug_log" in warnings[0]
    assert "only under current_setting('app.env', true) = 'dev'" in warnings[0]


def test_running_a_function_that_changes_tables_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schema.sql"
    path.write_text(
        "create table a (id int primary key);\n"
        "create function grow() returns void language sql as $$ alter table a add b int $$;\n"
        "create function count_a() returns bigint language sql as $$ select count(*) from a $$;\n"
        "select count_a();\n"
        "do $$ begin perform grow(); end $$;\n"
    )
    assert main(["--tables", str(path), "-o", str(tmp_path / "out.py")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "schema.sql:5:1: warning: runs grow(), which changes tables or types" in warnings[0]


def test_errors_in_a_migrations_folder_name_the_migration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "migrations/20240101000000_init.sql": "create table a (id int primary key);\n",
        "migrations/20240102000000_more.sql": "-- comment\nalter table a add column id int;\n",
    }
    err = _run(tmp_path, capsys, files, ["--migrations", str(tmp_path / "migrations")])
    assert "20240102000000_more.sql:2:" in err
    assert 'column "id" of relation "a" already exists' in err


CHANNEL_CASES = {
    "not yaml": ("channels: [unclosed\n", "channels.yaml:2:1: invalid YAML/JSON"),
    "no channels": ("definitions: {}\n", "channels.yaml:1:1: 'channels' must map"),
    "unknown key": (
        VALID_CHANNELS + "    broadcats: {}\n",
        "channels.yaml:4:5: unknown key 'broadcats' in channel Room",
    ),
    "bad channel name": (
        "channels:\n  my-room:\n    topic: x\n",
        "channels.yaml:2:3: channel name 'my-room' must be a PascalCase identifier",
    ),
    "missing topic": (
        "channels:\n  Room:\n    broadcast: {}\n",
        "channels.yaml:2:3: topic must be a non-empty string",
    ),
    "bad placeholder": (
        'channels:\n  Room:\n    topic: "room:{id!r}"\n',
        "channels.yaml:3:5: topic placeholder {id} must be a plain identifier",
    ),
    "unknown json type": (
        VALID_CHANNELS
        + "    broadcast:\n      cursor:\n        type: object\n"
        + "        properties: {x: {type: float}}\n",
        "channels.yaml:7:26: unknown JSON Schema type 'float'",
    ),
    "dangling ref": (
        VALID_CHANNELS + "    presence: {$ref: '#/definitions/Nope'}\n",
        "channels.yaml:4:16: $ref '#/definitions/Nope' names no definition",
    ),
    "payload not an object": (
        VALID_CHANNELS + "    broadcast:\n      ping: {type: string}\n",
        "channels.yaml:5:7: a payload schema must describe a JSON object",
    ),
    "required not a list": (
        VALID_CHANNELS + "    presence: {type: object, required: user_id}\n",
        "channels.yaml:4:30: required must be a list of property names",
    ),
    "json syntax": ('{"channels": {"Room": {"topic": }}}', "channels.yaml:1:"),
}


@pytest.mark.parametrize("case", sorted(CHANNEL_CASES))
def test_invalid_channels_are_located(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, where = CHANNEL_CASES[case]
    err = _run(tmp_path, capsys, {"channels.yaml": text}, ["--channels", "channels.yaml"])
    assert where in err


def test_a_channel_named_like_a_table_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "schema.sql": "create table room (id int primary key);\n",
        "channels.yaml": VALID_CHANNELS,
    }
    err = _run(tmp_path, capsys, files, ["--tables", "schema.sql", "--channels", "channels.yaml"])
    assert "table room and channel Room would both be the class Room" in err


def test_missing_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(tmp_path, capsys, {}, ["--tables", str(tmp_path / "nope.sql")])
    assert "nope.sql: cannot read SQL" in err


def test_nothing_to_generate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "nothing to generate" in _run(tmp_path, capsys, {}, [])


def test_unreachable_database_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://someone:s3cret@127.0.0.1:1/nodb?connect_timeout=5"
    err = _run(tmp_path, capsys, {}, ["--db-url", url])
    assert "cannot read the database postgresql://127.0.0.1:1/nodb" in err
    assert "s3cret" not in err
