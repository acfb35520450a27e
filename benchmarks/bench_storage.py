"""Storage throughput, measured in one process so the ratios are comparable.

    python benchmarks/bench_storage.py [--cells 100000] [--dsn postgresql://...]

Prints cells/s for ``write_cells`` on each adapter next to the raw floor of its engine, which
writes into the same schema (same tables, indexes, upsert statement and ``norm`` column) in
one transaction (SQLite: ``executemany`` of the store's upsert with the store's connection
settings; PostgreSQL: ``COPY`` into a temporary table, then ``INSERT ... ON CONFLICT``),
batched vs per-cell ``write_cells`` on SQLite, the PostgreSQL write strategies we considered,
and the SQLite connection modes under concurrent readers. ``python -m benchmarks`` is the
report of the hot paths; this is the storage detail behind it. PostgreSQL parts run when a
DSN is given (``--dsn`` or ``INSTANTLY_COLUMNS_TEST_DSN``). Absolute numbers depend on the
machine; read the ratios.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import _children
from instantly_columns.domain.columns import Column, Row
from instantly_columns.ports import CellWrite
from instantly_columns.storage import MemoryStore, PostgresStore, SQLiteStore
from instantly_columns.storage import _codec as codec
from instantly_columns.storage.sqlite import _SQLiteTx

COLUMNS = 10


def _cells(n: int, salt: str = "") -> list[CellWrite]:
    rows = n // COLUMNS
    return [
        CellWrite(f"row{r:07d}", f"col{c}", f"value {r} {c}{salt}" if c % 3 else r * c)
        for r in range(rows)
        for c in range(COLUMNS)
    ]


def _prepare(store: Any, n: int) -> None:
    store.create_table("bench", "Bench")
    store.save_columns(
        "bench", [Column(id=f"col{c}", key=f"col{c}", name=f"C{c}") for c in range(COLUMNS)]
    )
    store.insert_rows("bench", [Row(id=f"row{r:07d}") for r in range(n // COLUMNS)])


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


class Report:
    def __init__(self) -> None:
        self.lines: list[tuple[str, float]] = []

    def add(self, label: str, cells_per_s: float) -> None:
        self.lines.append((label, cells_per_s))
        print(f"  {label:<58} {cells_per_s:>12,.0f} cells/s", flush=True)


# --- raw floors: the same schema, indexes and rows as the store ------------------------------


def raw_sqlite(path: Path, n: int) -> float:
    with SQLiteStore(path) as store:
        _prepare(store, n)
    records = [("bench", *r) for r in _children._raw_records(n)]
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in _children._SQLITE_PRAGMAS:
        conn.execute(pragma)

    def run() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_children._SQLITE_UPSERT, records)
        conn.execute("COMMIT")

    seconds = _timed(run)
    conn.close()
    return _rate(n, seconds)


def raw_copy(dsn: str, n: int) -> float:
    import psycopg

    records = _children._raw_records(n)
    with _pg_store(PostgresStore, dsn) as store:
        _prepare(store, n)
        with psycopg.connect(dsn) as conn:
            conn.execute(f'SET search_path TO "{store._schema}"')
            conn.commit()

            def run() -> None:
                conn.execute(_children._STAGE_CREATE)
                with conn.cursor() as cur, cur.copy(_children._STAGE_COPY) as copy:
                    for record in records:
                        copy.write_row(record)
                conn.execute(_children._STAGE_UPSERT, ("bench",))
                conn.commit()

            return _rate(n, _timed(run))


# --- alternative PostgreSQL write strategies (what the adapter did not choose) -------------


class _UnnestStore(PostgresStore):
    """Every cell in one ``INSERT ... SELECT FROM unnest(arrays)`` (the small-write path)."""

    def _write_cells(self, tx: Any, table: str, cells: codec.Prepared) -> int:
        return self._write_chunk(tx, table, [(key, cells[key]) for key in sorted(cells)])


class _ExecutemanyStore(PostgresStore):
    """Upsert with ``executemany`` (psycopg sends it in pipeline mode)."""

    def _write_cells(self, tx: Any, table: str, cells: codec.Prepared) -> int:
        rows = [(table, *key, *cells[key]) for key in sorted(cells) if cells[key] is not None]
        return int(
            tx.run_many(
                "INSERT INTO ic_cells (table_id, row_id, column_id, s, i, j, norm) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (table_id, row_id, column_id) "
                "DO UPDATE SET s = EXCLUDED.s, i = EXCLUDED.i, j = EXCLUDED.j, "
                "norm = EXCLUDED.norm WHERE (ic_cells.s, ic_cells.i, ic_cells.j) "
                "IS DISTINCT FROM (EXCLUDED.s, EXCLUDED.i, EXCLUDED.j)",
                rows,
            )
        )


# --- SQLite connection modes --------------------------------------------------------------


class _PerThreadStore(SQLiteStore):
    """A connection per thread (the store uses one shared connection under a lock)."""

    def __init__(self, path: Path) -> None:
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        super().__init__(path)

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Any]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
            self._opened.append(conn)
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield _SQLiteTx(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        super().close()
        for conn in self._opened:
            conn.close()


class _ForeignKeyPgStore(PostgresStore):
    """Cells with foreign keys to their row and column (the schema has none)."""

    def __init__(self, dsn: str, *, schema: str) -> None:
        super().__init__(dsn, schema=schema)
        with self._transaction(write=True) as tx:
            tx.run(
                "ALTER TABLE ic_cells ADD FOREIGN KEY (table_id, row_id) "
                "REFERENCES ic_rows (table_id, row_id) ON DELETE CASCADE"
            )
            tx.run(
                "ALTER TABLE ic_cells ADD FOREIGN KEY (table_id, column_id) "
                "REFERENCES ic_columns (table_id, column_id) ON DELETE CASCADE"
            )


def _concurrent(store: SQLiteStore, n_cells: int, readers: int = 3) -> tuple[float, float]:
    """Writer cells/s and reader rows/s while both run for the writer's duration."""
    stop = threading.Event()
    read_rows = [0] * readers

    def reader(k: int) -> None:
        while not stop.is_set():
            after = None
            while not stop.is_set():
                page = store.rows("bench", limit=500, after=after)
                read_rows[k] += len(page)
                if len(page) < 500:
                    break
                after = page[-1].id

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(readers)]
    for t in threads:
        t.start()
    cells = _cells(n_cells, salt="-concurrent")
    start = time.perf_counter()
    store.write_cells("bench", cells)
    seconds = time.perf_counter() - start
    stop.set()
    for t in threads:
        t.join()
    return _rate(n_cells, seconds), sum(read_rows) / seconds


@contextmanager
def _pg_store(cls: Callable[..., PostgresStore], dsn: str) -> Iterator[PostgresStore]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    store = cls(dsn, schema=schema)
    try:
        yield store
    finally:
        store.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _write_rate(store: Any, n: int, salt: str = "") -> float:
    cells = _cells(n, salt)  # built outside the timed part
    return _rate(n, _timed(lambda: store.write_cells("bench", cells)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--per-cell", type=int, default=3_000, help="cells for the per-cell run")
    parser.add_argument("--dsn", default=os.environ.get("INSTANTLY_COLUMNS_TEST_DSN"))
    args = parser.parse_args(argv)
    n = args.cells - args.cells % COLUMNS
    report = Report()
    print(f"write_cells throughput, {n:,} cells ({n // COLUMNS:,} rows x {COLUMNS} columns)")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        raw = raw_sqlite(base / "raw.db", n)
        report.add("raw executemany upsert, same schema (one transaction)", raw)

        memory = MemoryStore()
        _prepare(memory, n)
        mem = _write_rate(memory, n)
        report.add("MemoryStore.write_cells", mem)

        with SQLiteStore(base / "store.db") as store:
            _prepare(store, n)
            sqlite_file = _write_rate(store, n)
            report.add("SQLiteStore(file).write_cells, new cells", sqlite_file)
            report.add("SQLiteStore(file).write_cells, same values again", _write_rate(store, n))
            report.add(
                "SQLiteStore(file).write_cells, all values changed", _write_rate(store, n, "'")
            )
        with SQLiteStore(":memory:") as store:
            _prepare(store, n)
            report.add('SQLiteStore(":memory:").write_cells, new cells', _write_rate(store, n))

        with SQLiteStore(base / "percell.db") as store:
            _prepare(store, n)
            few = _cells(args.per_cell - args.per_cell % COLUMNS)
            per_cell = _rate(
                len(few), _timed(lambda: [store.write_cells("bench", [c]) for c in few])
            )
            report.add(f"SQLiteStore(file), one write_cells per cell ({len(few):,})", per_cell)

        print("\nSQLite connection modes: one writer, 3 threads paging rows() meanwhile")
        modes: dict[str, tuple[float, float]] = {}
        for label, factory in (
            ("one shared connection + lock", SQLiteStore),
            ("a connection per thread", _PerThreadStore),
        ):
            with factory(base / f"{uuid.uuid4().hex}.db") as store:
                _prepare(store, n)
                store.write_cells("bench", _cells(n))
                modes[label] = _concurrent(store, n)
                writer, readers = modes[label]
                print(
                    f"  {label:<32} writer {writer:>10,.0f} cells/s, "
                    f"readers {readers:>10,.0f} rows/s"
                )

        pg: dict[str, float] = {}
        copy = 0.0
        if args.dsn:
            print("\nPostgreSQL")
            copy = raw_copy(args.dsn, n)
            report.add("raw COPY + upsert, same schema (one transaction)", copy)
            for label, cls in (
                ("PostgresStore (COPY to a temporary table)", PostgresStore),
                ("  alt: one unnest(arrays) statement", _UnnestStore),
                ("  alt: executemany, pipeline mode", _ExecutemanyStore),
                ("  alt: COPY, cells with foreign keys", _ForeignKeyPgStore),
            ):
                with _pg_store(cls, args.dsn) as pstore:
                    _prepare(pstore, n)
                    pg[label] = _write_rate(pstore, n)
                    report.add(f"{label}, new cells", pg[label])
                    report.add(f"{label}, same values again", _write_rate(pstore, n))
        else:
            print("\nPostgreSQL: skipped (no --dsn and no INSTANTLY_COLUMNS_TEST_DSN)")

    shared, per_thread = modes["one shared connection + lock"], modes["a connection per thread"]
    ratios = [
        ("SQLiteStore(file) / raw executemany", sqlite_file / raw),
        ("MemoryStore / raw executemany", mem / raw),
        ("SQLite batched / per-cell write_cells", sqlite_file / per_cell),
        ("SQLite shared / per-thread connections, writer", shared[0] / per_thread[0]),
        ("SQLite shared / per-thread connections, readers", shared[1] / per_thread[1]),
    ]
    if pg:
        chosen = pg["PostgresStore (COPY to a temporary table)"]
        ratios += [
            ("PostgresStore / raw COPY + upsert", chosen / copy),
            ("COPY / one unnest statement", chosen / pg["  alt: one unnest(arrays) statement"]),
            ("COPY / executemany pipeline", chosen / pg["  alt: executemany, pipeline mode"]),
            ("no FKs / FKs on cells", chosen / pg["  alt: COPY, cells with foreign keys"]),
        ]
    print("\nRatios (same run)")
    for label, value in ratios:
        print(f"  {label:<50} {value:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
