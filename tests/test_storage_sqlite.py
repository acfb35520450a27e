"""SQLite specifics: files, WAL, several threads and processes, migrations, transactions."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instantly_columns.domain.columns import Column, Row
from instantly_columns.errors import ConfigError, RecordNotFound, StoreError, SyncInProgress
from instantly_columns.ports import CampaignLink, CellWrite, SyncRun
from instantly_columns.storage import MemoryStore, SQLiteStore
from instantly_columns.storage._schema import LATEST_VERSION
from instantly_columns.storage._sql import _GROUPS_SQL, _LOOKUP_IN

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
LINK = CampaignLink(
    id="camp", table_id="t", campaign_id="c", campaign_name="C", sequence_mode="use_existing"
)

RACE_SCRIPT = textwrap.dedent(
    """
    import pathlib, sys, time
    from datetime import datetime, timezone
    from instantly_columns.errors import SyncInProgress
    from instantly_columns.ports import SyncRun
    from instantly_columns.storage import SQLiteStore

    db, ready, go, action, name = sys.argv[1:6]
    pathlib.Path(ready).touch()
    while not pathlib.Path(go).exists():
        time.sleep(0.002)
    with SQLiteStore(db, timeout=60) as store:
        if action == "open":
            print(store.schema_version())
        else:
            run = SyncRun(id=name, link_id="camp",
                          started_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
            try:
                store.start_run(run)
                print("won")
            except SyncInProgress:
                print("busy")
    """
)


def race_processes(tmp_path: Path, db: Path, action: str, count: int = 4) -> list[str]:
    """Start ``count`` processes, release them together, return their outputs."""
    go = tmp_path / "go"
    procs = []
    for n in range(count):
        ready = tmp_path / f"ready-{action}-{n}"
        cmd = [sys.executable, "-c", RACE_SCRIPT, str(db), str(ready), str(go), action, f"p{n}"]
        procs.append((ready, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
    try:
        while not all(ready.exists() or proc.poll() is not None for ready, proc in procs):
            time.sleep(0.01)
        go.touch()
        results = [(proc, *proc.communicate(timeout=120)) for _, proc in procs]
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    go.unlink()
    for proc, _, err in results:
        assert proc.returncode == 0, err.decode()
    return [out.decode().strip() for _, out, _ in results]


def test_processes_opening_a_fresh_file_migrate_it_once(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    assert race_processes(tmp_path, db, "open") == [str(LATEST_VERSION)] * 4
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT version FROM ic_schema_version").fetchall() == [
            (v,) for v in range(1, LATEST_VERSION + 1)
        ]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        conn.close()


def test_processes_racing_for_a_lease_get_one(tmp_path: Path) -> None:
    db = tmp_path / "lease.db"
    with SQLiteStore(db) as store:
        store.save_link(LINK)
    outputs = race_processes(tmp_path, db, "lease")
    assert sorted(outputs) == ["busy", "busy", "busy", "won"]
    with SQLiteStore(db) as store:
        assert [r.status for r in store.runs("camp")] == ["running"]


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    db = tmp_path / "again.db"
    with SQLiteStore(db) as store:
        store.create_table("t", "T")
        assert store.schema_version() == LATEST_VERSION
    with SQLiteStore(str(db)) as store:
        assert store.schema_version() == LATEST_VERSION
        assert store.columns("t") == []
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO ic_schema_version VALUES (99, 'from the future')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(db)


def test_a_write_of_several_chunks_is_one_transaction(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "chunks.db", chunk_size=2) as store:
        store.create_table("t")
        store.save_columns("t", [Column(id="a", key="a", name="A")])
        store.insert_rows("t", [Row(id=f"r{n}") for n in range(4)])
        writes = [
            CellWrite("r0", "a", 1),
            CellWrite("r1", "a", 1),
            CellWrite("r2", "a", 1),
            CellWrite("zz-ghost", "a", 1),
        ]
        with pytest.raises(RecordNotFound, match="zz-ghost"):
            store.write_cells("t", writes)
        # Nothing was written, not even the cells before the unknown row.
        assert all(r.cells == {} for r in store.rows("t"))
        assert store.write_cells("t", writes[:3]) == 3


def test_a_locked_database_is_a_store_error_and_reads_still_work(tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    with SQLiteStore(db, timeout=0.05) as store:
        store.create_table("t")
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match="locked"):
                store.create_table("u")
            assert store.columns("t") == []  # WAL: readers are not blocked
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        store.create_table("u")


def test_lookups_use_the_index(tmp_path: Path) -> None:
    db = tmp_path / "plan.db"
    with SQLiteStore(db) as store:
        store.create_table("t")
    conn = sqlite3.connect(db)
    try:
        sql = _LOOKUP_IN.format(cond="norm IN (?, ?)").replace("?", "'x'")
        plan = " ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "ic_cells_lookup" in plan
        assert "SCAN" not in plan
        groups = conn.execute(f"EXPLAIN QUERY PLAN {_GROUPS_SQL}", ["x"] * 17).fetchall()
        assert not any(row[-1].startswith("SCAN ic_cells") for row in groups)
    finally:
        conn.close()


@pytest.mark.parametrize("rows", [1, 32, 4096])
def test_many_row_writes_use_the_primary_key(tmp_path: Path, rows: int) -> None:
    """Each cell a many-row delete or upsert touches is found by the primary key, never by
    scanning the table's cells (a delete by (row, column) pairs once did that)."""
    from instantly_columns.storage.sqlite import _delete_cells, _upsert_cells

    db = tmp_path / "plan.db"
    with SQLiteStore(db) as store:
        store.create_table("t")
    conn = sqlite3.connect(db)
    try:
        for sql, width, head in ((_delete_cells(rows), 1, 2), (_upsert_cells(rows), 7, 0)):
            params = ["x"] * (head + width * rows)
            plan = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            assert not any(step.startswith("SCAN ic_cells") for step in plan), plan
            if head:
                assert any("row_id=? AND column_id=?" in step for step in plan), plan
    finally:
        conn.close()


def test_threads_share_one_store(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "threads.db") as store:
        store.create_table("t")
        store.save_columns("t", [Column(id=f"c{k}", key=f"c{k}", name="C") for k in range(4)])
        store.insert_rows("t", [Row(id=f"r{n:03d}") for n in range(100)])
        errors: list[BaseException] = []

        def work(k: int) -> None:
            try:
                for n in range(0, 100, 10):
                    cells = [CellWrite(f"r{m:03d}", f"c{k}", m) for m in range(n, n + 10)]
                    store.write_cells("t", cells)
                    store.rows("t", [f"c{k}"], limit=50)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        rows = store.rows("t", limit=200)
        assert all(r.cells == {f"c{k}": int(r.id[1:]) for k in range(4)} for r in rows)


@pytest.mark.parametrize("factory", [MemoryStore, lambda: SQLiteStore(":memory:")])
def test_closed_stores_refuse_work(factory: type[MemoryStore]) -> None:
    store = factory()
    with store:
        store.create_table("t")
    store.close()  # closing twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.columns("t")
    with pytest.raises(StoreError, match="closed"):
        store.get_key("default")


@pytest.mark.parametrize("factory", [MemoryStore, lambda: SQLiteStore(":memory:")])
def test_our_own_extras(factory: type[MemoryStore]) -> None:
    with factory() as store:
        store.create_table("t", "First")
        store.create_table("t", "Renamed")  # creating again renames
        store.save_columns("t", [Column(id="a", key="a", name="A")])
        store.insert_rows("t", [Row(id="r", cells={"a": "x"})])
        assert store.delete_table("t") is True
        assert store.delete_table("t") is False
        with pytest.raises(RecordNotFound):
            store.rows("t")
        store.create_table("t")
        assert store.columns("t") == []  # nothing of the old table came back
        for n in range(3):
            store.record_event(f"e{n}", T0 + timedelta(hours=n))
        assert store.prune_events(T0 + timedelta(hours=2)) == 2
        assert store.record_event("e0", T0) is True
        assert store.record_event("e2", T0) is False
        with pytest.raises(ConfigError):
            store.create_table("t", 42)  # type: ignore[arg-type]


@pytest.mark.parametrize("factory", [MemoryStore, lambda: SQLiteStore(":memory:")])
def test_reset_for_tests_empties_the_store(factory: type[MemoryStore]) -> None:
    with factory() as store:
        store.create_table("t")
        store.save_link(LINK)
        store.record_event("e", T0)
        store.reset_for_tests()
        assert store.links() == []
        assert store.record_event("e", T0) is True
        with pytest.raises(RecordNotFound):
            store.columns("t")


def test_options_are_checked() -> None:
    for bad in ({"chunk_size": 0}, {"timeout": -1}):
        with pytest.raises(ConfigError):
            SQLiteStore(":memory:", **bad)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore("/nonexistent-dir/sub/x.db")
    assert repr(SQLiteStore(":memory:")) == "SQLiteStore(':memory:')"


def _insert_a_row_then_fail(store: SQLiteStore) -> None:
    with store._transaction(write=True) as tx:
        tx.run("INSERT INTO ic_rows (table_id, row_id) VALUES ('t', 'r3')")
        tx.run("INSERT INTO ic_tables (table_id, name) VALUES ('t', 'taken')")


def test_a_database_error_inside_atomic_undoes_only_its_savepoint() -> None:
    with SQLiteStore(":memory:") as store:
        store.create_table("t")
        store.save_columns("t", [Column(id="a", key="a", name="A")])
        store.insert_rows("t", [Row(id="r1"), Row(id="r2")])
        with store.atomic():
            store.write_cells("t", [CellWrite("r1", "a", "kept")])
            with pytest.raises(StoreError, match="UNIQUE"):
                _insert_a_row_then_fail(store)
            store.write_cells("t", [CellWrite("r2", "a", "after")])
        assert [(r.id, r.cells) for r in store.rows("t")] == [
            ("r1", {"a": "kept"}),
            ("r2", {"a": "after"}),
        ]


def test_a_sync_page_is_one_write_statement_and_one_checkpoint() -> None:
    """A page of a sync in one unit: its cells and its checkpoint. Neither needs a savepoint
    (each is one statement, which SQLite undoes by itself when it fails), and a refused
    checkpoint, caught inside the unit, leaves the unit's other writes in place."""
    with SQLiteStore() as store:
        store.create_table("t", "T")
        store.save_columns("t", [Column(id="a", key="a", name="A")])
        store.insert_rows("t", [Row(id="r1"), Row(id="r2")])
        store.save_link(
            CampaignLink(
                id="l",
                table_id="t",
                campaign_id="c",
                campaign_name="C",
                sequence_mode="use_existing",
            )
        )
        run = store.start_run(SyncRun(id="run", link_id="l", started_at=T0, heartbeat_at=T0))
        assert store._conn is not None
        seen: list[str] = []
        store._conn.set_trace_callback(seen.append)
        with store.atomic():
            store.write_cells("t", [CellWrite("r1", "a", "x"), CellWrite("r2", "a", "y")])
            run = attrs.evolve(run, leads_seen=2, cursor="c1")
            store.update_run(run)
        store._conn.set_trace_callback(None)
        verbs = [statement.split(None, 1)[0] for statement in seen]
        assert verbs == ["BEGIN", "SELECT", "INSERT", "UPDATE", "COMMIT"]
        assert store.runs("l")[0].cursor == "c1"

        store.update_run(attrs.evolve(run, status="failed"))  # taken over, say
        run = attrs.evolve(run, leads_seen=3)
        with store.atomic():
            store.write_cells("t", [CellWrite("r1", "a", "kept")])
            with pytest.raises(SyncInProgress):
                store.update_run(run)
            with pytest.raises(RecordNotFound):
                store.update_run(attrs.evolve(run, id="ghost"))
        assert store.rows("t")[0].cells == {"a": "kept"}
        assert store.runs("l")[0].leads_seen == 2


def test_a_one_statement_write_that_fails_inside_a_unit_is_undone_alone() -> None:
    """Without a savepoint, a failed one-statement write leaves nothing of itself behind
    (SQLite undoes the statement) and the unit's earlier writes in place."""
    with SQLiteStore() as store:
        store.create_table("t", "T")
        store.save_columns("t", [Column(id="a", key="a", name="A")])
        store.insert_rows("t", [Row(id=f"r{n}") for n in range(3)])
        assert store._conn is not None
        store._conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON ic_cells WHEN NEW.s = 'refused' "
            "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
        )
        with store.atomic():
            store.write_cells("t", [CellWrite("r0", "a", "kept")])
            with pytest.raises(StoreError, match="refused by a trigger"):
                store.write_cells(
                    "t", [CellWrite("r1", "a", "first"), CellWrite("r2", "a", "refused")]
                )
            store.write_cells("t", [CellWrite("r2", "a", "after")])
        assert {r.id: r.cells for r in store.rows("t")} == {
            "r0": {"a": "kept"},
            "r1": {},
            "r2": {"a": "after"},
        }


def test_an_atomic_block_holds_the_write_lock_until_it_commits(tmp_path: Path) -> None:
    db = tmp_path / "atomic.db"
    with SQLiteStore(db) as store, SQLiteStore(db, timeout=0.05) as other:
        store.create_table("t")
        store.save_columns("t", [Column(id="a", key="a", name="A")])
        store.insert_rows("t", [Row(id="r1")])
        with store.atomic():
            store.write_cells("t", [CellWrite("r1", "a", 1)])
            assert other.rows("t")[0].cells == {}  # WAL: readers see the last commit
            with pytest.raises(StoreError, match="locked"):
                other.write_cells("t", [CellWrite("r1", "a", 2)])
        assert other.rows("t")[0].cells == {"a": 1}
        assert other.write_cells("t", [CellWrite("r1", "a", 2)]) == 1


@given(st.integers(min_value=0, max_value=20_000), st.sampled_from([32, 128, 4096]))
def test_statements_cover_the_rows_with_few_texts(rows: int, most: int) -> None:
    from instantly_columns.storage.sqlite import _PAD, _statement_sizes

    sizes = list(_statement_sizes(rows, most))
    assert sum(size for size, _ in sizes) == rows
    assert all(0 < size <= padded <= most and padded % _PAD == 0 for size, padded in sizes)
    assert all(padded - size < _PAD for size, padded in sizes)
    assert all(size == most for size, _ in sizes[:-1])  # only the last one is short


def test_statements_stay_within_the_connections_parameter_limit() -> None:
    from instantly_columns.storage.sqlite import _PAD, _rows_per_statement

    conn = sqlite3.connect(":memory:")
    try:
        most = _rows_per_statement(conn)
        assert most % _PAD == 0
        assert 7 * most <= (conn.getlimit(9) if hasattr(conn, "getlimit") else 999)
        if hasattr(conn, "setlimit"):  # a SQLite built with the old limit of 999
            conn.setlimit(9, 999)
            assert _rows_per_statement(conn) == 128
    finally:
        conn.close()


_CELL_BATCHES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=299),
        st.sampled_from(["a", "b", "c"]),
        st.one_of(
            st.none(),
            st.text(max_size=3),
            st.integers(-5, 5),
            # any text (control characters, NUL, astral planes), the 64-bit bounds and past
            # them, floats and JSON: every way a value is encoded crosses the JSON statement
            st.text(max_size=6),
            st.integers(min_value=-(2**64), max_value=2**64),
            st.floats(allow_nan=False, allow_infinity=False),
            st.lists(st.integers(-3, 3) | st.text(max_size=2), max_size=2),
        ),
    ),
    max_size=900,
)


@settings(max_examples=25, deadline=None)
@given(_CELL_BATCHES, _CELL_BATCHES)
def test_many_row_statements_write_what_the_memory_store_writes(
    first: list[tuple[int, str, str | int | None]], second: list[tuple[int, str, str | int | None]]
) -> None:
    """Writes of hundreds of cells, with deletes among them, change the same cells and count
    the same changes as the reference store: in one statement, and in statements of 32
    rows (the last one padded with copies of its last row)."""
    rows = [Row(id=f"r{n:03d}", cells={}) for n in range(300)]
    columns = [Column(id=c, key=c, name=c.upper()) for c in "abc"]
    small = SQLiteStore()
    small._rows_most = 32
    stores: list[MemoryStore | SQLiteStore] = [MemoryStore(), SQLiteStore(), small]
    for store in stores:
        store.create_table("t", "T")
        store.save_columns("t", columns)
        store.insert_rows("t", rows)
    for batch in (first, second):
        writes = [CellWrite(f"r{n:03d}", c, v) for n, c, v in batch]
        changed = [store.write_cells("t", writes) for store in stores]
        assert changed[0] == changed[1] == changed[2]
        pages = [store.rows("t") for store in stores]
        assert pages[0] == pages[1] == pages[2]
    for store in stores:
        store.close()


def test_a_page_of_cells_is_written_by_one_statement() -> None:
    """500 cells, the engagement of a page of 100 leads: one upsert statement, and one
    statement to check the table, its columns and rows (each statement makes the sqlite3
    module take the interpreter lock back, which a busy process makes slow)."""
    with SQLiteStore() as store:
        store.create_table("t", "T")
        store.save_columns("t", [Column(id=c, key=c, name=c) for c in "abcde"])
        store.insert_rows("t", [Row(id=f"r{n:03d}", cells={}) for n in range(100)])
        assert store._conn is not None
        seen: list[str] = []
        store._conn.set_trace_callback(seen.append)
        writes = [CellWrite(f"r{n:03d}", c, f"v{n}") for n in range(100) for c in "abcde"]
        assert store.write_cells("t", writes) == 500
        store._conn.set_trace_callback(None)
    verbs = [statement.split(None, 1)[0] for statement in seen]
    assert verbs == ["BEGIN", "SELECT", "INSERT", "COMMIT"], seen
    assert seen[2].count("), (") == 511  # 500 rows padded to 512


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(max_size=6), min_size=1, max_size=40))
def test_lookups_packed_as_json_find_what_plain_rows_find(values: list[str]) -> None:
    """Lookups fetch every match in one JSON result row where SQLite has the JSON
    functions; without them, row by row. Both find the same rows for any text."""
    with SQLiteStore() as store:
        assert store._json  # this SQLite has them: the packed path is the one tested
        store.create_table("t", "T")
        store.save_columns("t", [Column(id="e", key="e", name="E")])
        store.insert_rows(
            "t", [Row(id=f"r{n:02d}", cells={"e": value}) for n, value in enumerate(values)]
        )
        wanted = [*values, "absent", '"quoted"', "ünï"]
        packed = store.lookup_rows("t", "e", wanted)
        store._json = False
        assert store.lookup_rows("t", "e", wanted) == packed
    assert packed  # every stored value finds at least its own row
