"""PostgreSQL specifics: racing migrations, leases across pools, locks against deletes,
index use, what is stored, and how secrets and DSNs are kept out of messages."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest

from instantly_columns.domain.columns import Column, Row
from instantly_columns.errors import (
    ConfigError,
    CredentialError,
    RecordNotFound,
    StoreError,
)
from instantly_columns.ports import ApiKey, CampaignLink, CellWrite, SyncRun
from instantly_columns.storage import PostgresStore, generate_encryption_key
from instantly_columns.storage._schema import LATEST_VERSION
from instantly_columns.storage._sql import _LOOKUP_IN

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
LINK = CampaignLink(
    id="camp", table_id="t", campaign_id="c", campaign_name="C", sequence_mode="use_existing"
)
Factory = Callable[..., AbstractContextManager[PostgresStore]]


def test_connections_racing_to_migrate_a_fresh_schema(pg_dsn: str, pg_schema: str) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    stores: list[PostgresStore] = []

    def open_store() -> None:
        barrier.wait()
        try:
            stores.append(PostgresStore(pg_dsn, schema=pg_schema, pool_size=1))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert errors == []
    assert len(stores) == 4
    with psycopg.connect(pg_dsn) as conn:
        versions = conn.execute(f'SELECT version FROM "{pg_schema}".ic_schema_version').fetchall()
    assert versions == [(v,) for v in range(1, LATEST_VERSION + 1)]


def _wait_for_a_blocked_backend(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as watcher:
        while not watcher.execute("SELECT 1 FROM pg_locks WHERE NOT granted LIMIT 1").fetchall():
            time.sleep(0.01)


def test_a_write_waits_for_a_concurrent_row_delete(pg_dsn: str, postgres_factory: Factory) -> None:
    with postgres_factory() as store:
        store.create_table("t")
        store.save_columns("t", [Column(id="a", key="a", name="A")])
        store.insert_rows("t", [Row(id="r1"), Row(id="r2")])
        schema = store._schema
        outcome: list[object] = []
        with psycopg.connect(pg_dsn) as deleter:
            deleter.execute(f'SET search_path TO "{schema}"')
            deleter.execute("DELETE FROM ic_rows WHERE table_id = 't' AND row_id = 'r1'")

            def write() -> None:
                try:
                    outcome.append(store.write_cells("t", [CellWrite("r1", "a", "x")]))
                except RecordNotFound as exc:
                    outcome.append(exc)

            writer = threading.Thread(target=write)
            writer.start()
            _wait_for_a_blocked_backend(pg_dsn)  # the writer waits on the row lock
            deleter.execute("DELETE FROM ic_cells WHERE table_id = 't' AND row_id = 'r1'")
            deleter.commit()
            writer.join()
        assert len(outcome) == 1
        assert isinstance(outcome[0], RecordNotFound)
        with psycopg.connect(pg_dsn) as conn:
            orphans = conn.execute(
                f'SELECT count(*) FROM "{schema}".ic_cells WHERE row_id = %s', ("r1",)
            ).fetchone()
        assert orphans == (0,)


def test_nul_and_surrogates_are_stored_as_json_escapes(
    pg_dsn: str, postgres_factory: Factory
) -> None:
    with postgres_factory() as store:
        store.create_table("t")
        store.save_columns("t", [Column(id="a", key="a", name="A\x00")])
        store.insert_rows("t", [Row(id="r", cells={"a": "x\x00y\udfff"})])
        assert store.rows("t")[0].cells == {"a": "x\x00y\udfff"}
        assert store.columns("t")[0].name == "A\x00"
        with psycopg.connect(pg_dsn) as conn:
            stored = conn.execute(f'SELECT s, j FROM "{store._schema}".ic_cells').fetchone()
        assert stored == (None, '"x\\u0000y\\udfff"')


def test_lookups_can_use_the_index(pg_dsn: str, postgres_factory: Factory) -> None:
    with postgres_factory() as store:
        store.create_table("t")
        with psycopg.connect(pg_dsn) as conn:
            conn.execute(f'SET search_path TO "{store._schema}"')
            conn.execute("SET enable_seqscan = off")
            sql = _LOOKUP_IN.format(cond="norm = ANY(%s)").replace("?", "%s")
            plan = conn.execute(f"EXPLAIN {sql}", ("t", "a", ["x"])).fetchall()
        assert "ic_cells_lookup" in " ".join(line for (line,) in plan)


def test_encrypted_keys_on_postgres(pg_dsn: str, postgres_factory: Factory) -> None:
    key = generate_encryption_key()
    canary = "sk-canary-pg-31f9"
    with postgres_factory(encryption_key=key) as store:
        store.set_key("default", ApiKey(canary))
        assert store.get_key("default") == ApiKey(canary)
        with psycopg.connect(pg_dsn) as conn:
            (secret,) = conn.execute(
                f'SELECT secret FROM "{store._schema}".ic_credentials'
            ).fetchone() or ("",)
        assert canary not in secret
        other = PostgresStore(
            pg_dsn, schema=store._schema, encryption_key=generate_encryption_key()
        )
        with other, pytest.raises(CredentialError):
            other.get_key("default")


def test_the_dsn_password_never_shows(tmp_path: Path) -> None:
    dsn = "postgresql://someone:pw-canary-9d2@127.0.0.1:1/nowhere"
    with pytest.raises(StoreError) as caught:
        PostgresStore(dsn, connect_timeout=0.3)
    assert "pw-canary-9d2" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)
    with pytest.raises(ConfigError):
        PostgresStore("postgresql://x/y", schema='bad"name')
    with pytest.raises(ConfigError):
        PostgresStore("host=x port=5432 nonsense")


def test_repr_shows_where_but_not_secrets(pg_dsn: str, pg_schema: str) -> None:
    key = generate_encryption_key()
    with PostgresStore(pg_dsn, schema=pg_schema, encryption_key=key) as store:
        text = repr(store)
    assert key not in text
    assert pg_schema in text
    assert "encrypted" in text
    assert "closed" in repr(store)


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_a_missing_dsn_fails_on_ci(dsn_resolver: Callable[[dict[str, str]], str], ci: str) -> None:
    with pytest.raises(pytest.fail.Exception, match="INSTANTLY_COLUMNS_TEST_DSN is not set"):
        dsn_resolver({"CI": ci})
    with pytest.raises(pytest.fail.Exception):
        dsn_resolver({"CI": ci, "INSTANTLY_COLUMNS_TEST_DSN": "  "})


@pytest.mark.parametrize("environ", [{}, {"CI": "false"}, {"CI": ""}])
def test_a_missing_dsn_skips_with_a_hint_elsewhere(
    dsn_resolver: Callable[[dict[str, str]], str], environ: dict[str, str]
) -> None:
    with pytest.raises(pytest.skip.Exception, match=r"pg-throwaway\.sh"):
        dsn_resolver(environ)
    assert dsn_resolver({**environ, "INSTANTLY_COLUMNS_TEST_DSN": "postgresql://h/d"}) == (
        "postgresql://h/d"
    )


def test_store_error_wraps_database_errors(postgres_factory: Factory) -> None:
    with postgres_factory() as store:
        with pytest.raises(StoreError) as caught, store._transaction(write=True) as tx:
            tx.run("SELECT no_such_function()")
        assert "42883" in str(caught.value)


def test_pool_exhaustion_is_a_store_error(pg_dsn: str, pg_schema: str) -> None:
    store = PostgresStore(pg_dsn, schema=pg_schema, pool_size=1, connect_timeout=0.2)
    try:
        assert store._pool is not None
        with store._pool.connection(), pytest.raises(StoreError, match="free"):
            store.columns("t")  # the only connection is taken
    finally:
        store.close()


def _fail(store: PostgresStore, sql: str) -> None:
    with store._transaction(write=True) as tx:
        tx.run(sql)


def test_a_database_error_inside_atomic_undoes_only_its_savepoint(
    postgres_factory: Factory,
) -> None:
    with postgres_factory() as store:
        store.create_table("t")
        store.save_columns("t", [Column(id="a", key="a", name="A")])
        store.insert_rows("t", [Row(id="r1"), Row(id="r2")])
        with store.atomic():
            store.write_cells("t", [CellWrite("r1", "a", "kept")])
            with pytest.raises(StoreError, match="22012"):  # division by zero
                _fail(store, "SELECT 1 / 0")
            # Without the savepoint PostgreSQL would refuse every statement from here on.
            store.write_cells("t", [CellWrite("r2", "a", "after")])
        assert [r.cells for r in store.rows("t")] == [{"a": "kept"}, {"a": "after"}]


def test_other_connections_see_an_atomic_block_only_when_it_commits(
    pg_dsn: str, pg_schema: str
) -> None:
    with (
        PostgresStore(pg_dsn, schema=pg_schema, pool_size=2) as store,
        PostgresStore(pg_dsn, schema=pg_schema, pool_size=1) as other,
    ):
        store.create_table("t")
        store.save_columns("t", [Column(id="a", key="a", name="A")])
        store.insert_rows("t", [Row(id="r1")])
        store.save_link(LINK)
        with store.atomic():
            store.write_cells("t", [CellWrite("r1", "a", 1)])
            store.start_run(SyncRun(id="run-1", link_id="camp", started_at=T0))
            assert other.rows("t")[0].cells == {}
            assert other.runs("camp") == []
            # A store call from another thread is not part of the block either.
            seen: list[object] = []
            reader = threading.Thread(target=lambda: seen.append(store.rows("t")[0].cells))
            reader.start()
            reader.join()
            assert seen == [{}]
        assert other.rows("t")[0].cells == {"a": 1}
        assert [r.id for r in other.runs("camp")] == ["run-1"]


def test_big_writes_stream_with_copy_and_keep_every_rule(postgres_factory: Factory) -> None:
    """From _COPY_FROM cells a write goes through COPY and a temporary table: changes are
    counted the same, deletes and hard values work, two big writes share a transaction,
    and an unknown row writes nothing."""
    from instantly_columns.storage.postgres import _COPY_FROM

    n = _COPY_FROM // 2 + 1  # rows, two columns each: just over the threshold
    with postgres_factory() as store:
        store.create_table("t")
        store.save_columns(
            "t", [Column(id="a", key="a", name="A"), Column(id="b", key="b", name="B")]
        )
        store.insert_rows("t", [Row(id=f"r{k:06d}", cells={"b": "old"}) for k in range(n)])
        hard: list[Any] = ["x\x00y", 2**70, 1.5, True, {"k": [1]}, "  Mixed@Example.COM "]
        writes = [
            CellWrite(f"r{k:06d}", "a", hard[k % len(hard)] if k < len(hard) else f"v{k}")
            for k in range(n)
        ] + [CellWrite(f"r{k:06d}", "b", None if k % 2 else "old") for k in range(n)]
        assert store.write_cells("t", writes) == n + n // 2  # "old" again changes nothing
        assert store.write_cells("t", writes) == 0
        rows = {r.id: r.cells for r in store.rows("t", limit=n)}
        assert [rows[f"r{k:06d}"]["a"] for k in range(len(hard))] == hard
        assert rows["r000001"] == {"a": hard[1]}
        assert store.lookup_rows("t", "a", ["mixed@example.com"]) == {
            "mixed@example.com": [f"r{5:06d}"]
        }
        again = [CellWrite(w.row_id, w.column_id, "new") for w in writes]
        with store.atomic():
            assert store.write_cells("t", again[:n]) == n
            assert store.write_cells("t", again[n:]) == n
        with pytest.raises(RecordNotFound, match="ghost"):
            store.write_cells("t", [*writes, CellWrite("ghost", "a", 1)])
        assert all(r.cells == {"a": "new", "b": "new"} for r in store.rows("t", limit=n))
