"""A SQLite store (standard library ``sqlite3``): a file shared by threads and processes,
or ``":memory:"`` for a scratch database."""

from __future__ import annotations

import functools
import itertools
import json
import operator
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ClassVar, Literal

from instantly_columns.errors import StoreError
from instantly_columns.ports import Clock, TableId
from instantly_columns.storage import _codec as codec
from instantly_columns.storage._crypto import EncryptionKey
from instantly_columns.storage._sql import Params, SqlStore, Tx

__all__ = ["SQLiteStore"]

_UPSERT_CELL = (
    "INSERT INTO ic_cells (table_id, row_id, column_id, s, i, j, norm) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (table_id, row_id, column_id) DO UPDATE SET "
    "s = excluded.s, i = excluded.i, j = excluded.j, norm = excluded.norm "
    "WHERE ic_cells.s IS NOT excluded.s OR ic_cells.i IS NOT excluded.i "
    "OR ic_cells.j IS NOT excluded.j"
)
# One column's cells of many rows: the primary key serves each (a row-value IN over
# (row_id, column_id) pairs scanned the whole table instead).
_DELETE_CELLS = "DELETE FROM ic_cells WHERE table_id = ? AND column_id = ? AND row_id IN ({ids})"
_PACKED = "SELECT json_group_array(json_array({columns})) FROM ({sql})"
# Rows per multi-row statement: as many as SQLite's limit on bound parameters allows (7 per
# row), at most 4,096. A statement's rows are padded to a multiple of 32 by repeating its
# last row, so few statement texts exist, each prepared once per connection: a repeated
# upsert or delete changes nothing more and counts nothing more.
_MOST_ROWS = 4096
_PAD = 32
_LIMIT_VARIABLE_NUMBER = 9  # sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER (Python 3.11+)


@functools.cache
def _upsert_cells(rows: int) -> str:
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * rows)
    return _UPSERT_CELL.replace("VALUES (?, ?, ?, ?, ?, ?, ?)", f"VALUES {values}")


@functools.cache
def _delete_cells(rows: int) -> str:
    return _DELETE_CELLS.replace("{ids}", ", ".join("?" * rows))  # placeholders only


def _has_json(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has the JSON functions (built in since 3.38, an option before)."""
    try:
        conn.execute("SELECT json_group_array(json_array(1, 'a'))").fetchall()
    except sqlite3.OperationalError:
        return False
    return True


def _rows_per_statement(conn: sqlite3.Connection) -> int:
    """The most rows of 7 parameters one statement takes on this connection (a multiple of
    ``_PAD``): SQLite allows 32,766 parameters from 3.32, 999 before, or what it was built
    with, which Python 3.11+ can ask."""
    getlimit = getattr(conn, "getlimit", None)
    if getlimit is not None:
        limit = int(getlimit(_LIMIT_VARIABLE_NUMBER))
    else:
        limit = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
    return max(1, min(_MOST_ROWS, limit // 7) // _PAD) * _PAD


def _statement_sizes(rows: int, most: int) -> Iterator[tuple[int, int]]:
    """``(rows, padded)`` of the statements that write ``rows`` rows, ``most`` at a time:
    full ones, then one for the rest, padded up to a multiple of ``_PAD``."""
    full, rest = divmod(rows, most)
    yield from itertools.repeat((most, most), full)
    if rest:
        yield rest, min(most, -(-rest // _PAD) * _PAD)


def _run_rows(
    tx: Tx,
    statement: Callable[[int], str],
    head: tuple[Any, ...],
    rows: Iterator[tuple[Any, ...]],
    count: int,
    most: int,
) -> int:
    """Run ``statement(n)`` with ``head`` and then ``n`` parameter rows, for ``count`` rows
    in all, the last statement padded with its last row; the rows changed."""
    changed = 0
    for size, padded in _statement_sizes(count, most):
        taken = list(itertools.islice(rows, size))
        taken += taken[-1:] * (padded - size)
        params = list(head)
        params.extend(itertools.chain.from_iterable(taken))
        changed += tx.run(statement(padded), params)
    return changed


def _store_error(exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StoreError(
            "the SQLite database stayed locked by another connection longer than the "
            "store's timeout"
        )
    return StoreError(f"SQLite error: {text}")


class _SQLiteTx:
    """Statements of one transaction. Inside another one, the block's savepoint is opened
    before the first write made in it, by it or by a block inside it: a block that only
    reads needs none, nor one whose writes are a single statement (``one_write``), which
    SQLite undoes by itself when it fails."""

    __slots__ = ("_conn", "_parent", "_pending", "opened")

    def __init__(
        self,
        conn: sqlite3.Connection,
        savepoint: str | None = None,
        parent: _SQLiteTx | None = None,
    ) -> None:
        self._conn = conn
        self._parent = parent
        self._pending = savepoint
        self.opened: str | None = None

    def one_write(self) -> None:
        self._pending = None

    def _before_write(self) -> None:
        if self._parent is not None:
            self._parent._before_write()  # the enclosing blocks' savepoints come first
        if self._pending is not None:
            name, self._pending = self._pending, None
            try:
                self._conn.execute(f"SAVEPOINT {name}")
            except sqlite3.Error as exc:
                raise _store_error(exc) from exc
            self.opened = name

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._before_write()
        try:
            return self._conn.execute(sql, params).rowcount
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc

    def run_many(self, sql: str, params: Iterable[Sequence[Any]]) -> int:
        if isinstance(params, Sequence) and not params:
            return 0
        self._before_write()
        try:
            return self._conn.executemany(sql, params).rowcount
        except sqlite3.Error as exc:
            raise _store_error(exc) from exc


class SQLiteStore(SqlStore):
    """All three storage ports on one SQLite database.

    Args:
        path: a database file (created when missing) or ``":memory:"``.
        encryption_key: turns on encryption at rest of API keys (needs the ``crypto``
            extra); one key, or a list whose first entry encrypts and all decrypt.
        clock: the time stamped on saved integrations and credentials.
        timeout: seconds to wait for another connection's write lock before
            ``StoreError``.
        chunk_size: cells per transaction in ``insert_rows`` (``write_cells`` writes a
            call in one transaction, with one ``executemany``).

    The store keeps one connection, shared by all threads under a lock (measured
    faster than a connection per thread, for writers and readers alike; see
    ``benchmarks/bench_storage.py``). A file database runs in WAL mode, so readers in
    other processes never wait for a writer; every write transaction starts with
    ``BEGIN IMMEDIATE``, so writers from several processes queue on SQLite's lock (up
    to ``timeout``) instead of failing halfway. Processes may share a file on a local
    disk (not on a network file system).

    ```python
    from instantly_columns.domain.columns import Column, Row
    from instantly_columns.ports import CellWrite
    from instantly_columns.storage import SQLiteStore

    with SQLiteStore(":memory:") as store:
        store.create_table("leads", "Leads")
        store.save_columns("leads", [Column(id="email", key="email", name="Email")])
        store.insert_rows("leads", [Row(id="r1", cells={"email": "Ada@Example.com"})])
        changed = store.write_cells("leads", [CellWrite("r1", "email", "ada@example.com")])
        assert changed == 1
        assert store.lookup_rows("leads", "email", ["ada@example.com"]) == {
            "ada@example.com": ["r1"]
        }
    ```
    """

    _dialect: ClassVar = "sqlite"
    _in_batch: ClassVar = 500
    _key_share: ClassVar = ""  # BEGIN IMMEDIATE already excludes every other writer
    _count_existing: ClassVar = True

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        encryption_key: EncryptionKey | None = None,
        clock: Clock | None = None,
        timeout: float = 10.0,
        chunk_size: int = codec.DEFAULT_CHUNK_SIZE,
    ) -> None:
        super().__init__(encryption_key=encryption_key, clock=clock, chunk_size=chunk_size)
        self._path = os.fspath(path)
        self._timeout = codec.seconds(timeout, "timeout")
        self._memory = self._path in ("", ":memory:")
        self._mutex = threading.RLock()
        self._depth = 0  # transactions open in the thread holding the mutex
        self._current: _SQLiteTx | None = None  # the innermost of them
        self._conn: sqlite3.Connection | None = None
        self._json = False  # whether this SQLite has the JSON functions (set on opening)
        self._rows_most = _MOST_ROWS  # rows per many-row statement (set on opening)
        try:
            self._conn = self._open()
            with self._transaction(write=True) as tx:
                self._migrate(tx)
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        encrypted = ", encrypted" if self._cipher is not None else ""
        state = ", closed" if self._closed else ""
        return f"SQLiteStore({self._path!r}{encrypted}{state})"

    # --- connections -----------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self._path,
                timeout=self._timeout,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the SQLite database {self._path!r}: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            # Deleted and replaced content is overwritten with zeros, not left in free pages
            # (a deleted API key must not stay readable in the file).
            conn.execute("PRAGMA secure_delete = ON")
            if not self._memory:
                self._use_wal(conn)
                conn.execute("PRAGMA synchronous = NORMAL")
            self._json = _has_json(conn)
            self._rows_most = _rows_per_statement(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise _store_error(exc) from exc
        return conn

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL mode. SQLite reports "locked" at once, without waiting
        for ``busy_timeout``, when two connections switch a fresh file together; so
        retry with a short backoff until ``timeout``."""
        deadline = time.monotonic() + self._timeout
        pause = 0.002
        while True:
            try:
                if conn.execute("PRAGMA journal_mode").fetchone() == ("wal",):
                    return
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _scrub_credentials(self) -> None:
        # secure_delete zeroes the old row in the file; copy the write-ahead log back and
        # empty it, so the old page images it held go too.
        with self._mutex:
            conn = self._conn
            if conn is None or self._depth or self._memory:
                return
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                raise _store_error(exc) from exc

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Tx]:
        with self._mutex:
            conn = self._conn
            if conn is None:
                raise StoreError("the store is closed")
            if self._depth:
                # Inside a transaction of this thread (the mutex keeps others out): a
                # savepoint, opened before the block's first write (see _SQLiteTx).
                yield from self._nested(conn)
                return
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.Error as exc:
                raise _store_error(exc) from exc
            self._depth = 1
            tx = self._current = _SQLiteTx(conn)
            try:
                yield tx
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
                self._current = None
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise _store_error(exc) from exc

    def _nested(self, conn: sqlite3.Connection) -> Iterator[Tx]:
        parent = self._current
        tx = self._current = _SQLiteTx(conn, f"ic_savepoint_{self._depth}", parent)
        self._depth += 1
        try:
            yield tx
        except BaseException:
            if tx.opened is not None and conn.in_transaction:
                conn.execute(f"ROLLBACK TO {tx.opened}")
                conn.execute(f"RELEASE {tx.opened}")
            raise
        finally:
            self._depth -= 1
            self._current = parent
        if tx.opened is not None:
            try:
                conn.execute(f"RELEASE {tx.opened}")
            except sqlite3.Error as exc:
                raise _store_error(exc) from exc

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._mutex:
            self._closed = True
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    # --- dialect ---------------------------------------------------------------------------

    def _fetch_packed(
        self, tx: Tx, sql: str, params: Params, columns: str
    ) -> Sequence[Sequence[Any]]:
        # All rows in one result row, as a JSON array: the sqlite3 module lets go of the
        # interpreter lock for every result row and must take it back after each (see
        # _write_cells), which a lookup of a page of emails paid a hundred times.
        if not self._json:
            return tx.fetch(sql, params)
        packed = tx.fetch(_PACKED.format(columns=columns, sql=sql), params)[0][0]
        rows: list[list[Any]] = json.loads(packed)
        return rows

    def _in(self, expr: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{expr} IN ({', '.join('?' * len(values))})", list(values)

    def _time_in(self, value: datetime) -> str:
        return value.isoformat(timespec="microseconds")

    def _time_out(self, value: Any) -> datetime:
        return datetime.fromisoformat(value)

    def _lock(self, tx: Tx, scope: Literal["lease", "columns"], key: str) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already excludes every other writer."""

    def _write_chunk(self, tx: Tx, table: TableId, chunk: codec.Pending) -> int:
        return self._write_cells(tx, table, dict(chunk))

    def _one_statement(self, cells: codec.Prepared) -> bool:
        return len(cells) <= self._rows_most and None not in cells.values()

    def _write_cells(self, tx: Tx, table: TableId, cells: codec.Prepared) -> int:
        # BEGIN IMMEDIATE already keeps every other writer out, so the cells need no order.
        # Few statements, each of many rows, not one step per row (executemany): the
        # sqlite3 module lets go of the interpreter lock around every step of a statement
        # and must take it back after each, which another busy thread of the process can
        # hold for up to its switch interval (5 ms). One step per row made a 500-cell write
        # next to one busy thread take 661 ms; statements of 128 rows, 57 ms. A sync's page
        # (500 cells) is one statement.
        head = (table,)
        most = self._rows_most
        deleted: dict[str, list[tuple[str]]] = {}  # column -> rows whose cell goes
        if None in cells.values():  # checked in C: most writes delete nothing
            for (row, column), enc in cells.items():
                if enc is None:
                    deleted.setdefault(column, []).append((row,))
        changed = 0
        for column, rows in deleted.items():
            changed += _run_rows(tx, _delete_cells, (table, column), iter(rows), len(rows), most)
        upserted = len(cells) - sum(map(len, deleted.values()))
        params = map(operator.add, itertools.repeat(head), codec.upsert_rows(cells))
        return changed + _run_rows(tx, _upsert_cells, (), params, upserted, most)
