"""A deleted or replaced API key does not linger in the database's files (reliability hole 10):
SQLite zeroes deleted content and empties its write-ahead log; PostgreSQL rewrites the
credentials table so no dead row version keeps the old value."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from instantly_columns.ports import ApiKey
from instantly_columns.storage import SQLiteStore

CANARY = "sk-canary-" + "q7Zx" * 9


def _file_bytes(path: Path) -> bytes:
    found = b""
    for suffix in ("", "-wal", "-journal"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            found += part.read_bytes()
    return found


def test_sqlite_forgets_a_deleted_plain_key_in_its_files(tmp_path: Path) -> None:
    db = tmp_path / "keys.db"
    with SQLiteStore(db) as store:  # no encryption_key: stored as plain text
        store.set_key("acme", ApiKey(CANARY))
        store.set_key("other", ApiKey("sk-other-key-kept"))
        assert CANARY.encode() in _file_bytes(db)  # the test can see a key when there is one
        store.delete_key("acme")
        assert CANARY.encode() not in _file_bytes(db)
        store.set_key("other", ApiKey("sk-replacement"))
        assert b"sk-other-key-kept" not in _file_bytes(db)
    assert CANARY.encode() not in _file_bytes(db)


@pytest.mark.postgres
def test_postgres_leaves_no_dead_row_with_a_deleted_key() -> None:
    from contract.conftest import _drop_schema, resolve_dsn
    from instantly_columns.storage import PostgresStore

    dsn = resolve_dsn(os.environ)
    schema = f"ic_scrub_{uuid.uuid4().hex[:12]}"
    try:
        with PostgresStore(dsn, schema=schema) as store:
            store.set_key("acme", ApiKey(CANARY))
            store.set_key("acme", ApiKey("sk-replaced-key"))
            store.delete_key("acme")
            import psycopg

            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'SET search_path TO "{schema}"')
                conn.execute("CHECKPOINT")
                row = conn.execute(
                    "SELECT current_setting('data_directory'), "
                    "pg_relation_filepath('ic_credentials')"
                ).fetchone()
            assert row is not None
            path = Path(row[0]) / row[1]
            if not os.access(path, os.R_OK):
                if os.environ.get("CI"):
                    raise AssertionError(f"CI runs the server locally: {path} must be readable")
                pytest.skip("the PostgreSQL server's files are not readable from here")
            data = path.read_bytes()
            # A transaction of another session that began before the delete may still see
            # the old row, and then the rewrite must keep it; it goes once that one ends.
            deadline = time.monotonic() + 10
            while CANARY.encode() in data and time.monotonic() < deadline:
                time.sleep(0.2)
                store._scrub_credentials()
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f'SET search_path TO "{schema}"')
                    conn.execute("CHECKPOINT")
                    found = conn.execute("SELECT pg_relation_filepath('ic_credentials')")
                    path = Path(row[0]) / found.fetchone()[0]  # type: ignore[index]
                data = path.read_bytes()
            assert CANARY.encode() not in data
            assert b"sk-replaced-key" not in data
    finally:
        _drop_schema(dsn, schema)
