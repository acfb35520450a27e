"""A PostgreSQL store: psycopg 3 with a ``psycopg_pool`` connection pool (the ``postgres``
extra). psycopg is imported when a store is created, not when this module is."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from instantly_columns.errors import ConfigError, Problem, StoreError
from instantly_columns.ports import Clock, TableId
from instantly_columns.storage import _codec as codec
from instantly_columns.storage._crypto import EncryptionKey
from instantly_columns.storage._sql import SqlStore, Tx

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

__all__ = ["PostgresStore"]

_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

_DELETE_CELLS = (
    "DELETE FROM ic_cells AS c USING unnest(?::text[], ?::text[]) AS d(r, k) "
    "WHERE c.table_id = ? AND c.row_id = d.r AND c.column_id = d.k"
)
_UPSERT_CELLS = (
    "INSERT INTO ic_cells (table_id, row_id, column_id, s, i, j, norm) "
    "SELECT ?, u.r, u.k, u.s, u.i, u.j, u.n "
    "FROM unnest(?::text[], ?::text[], ?::text[], ?::int8[], ?::text[], ?::text[]) "
    "AS u(r, k, s, i, j, n) "
    "ON CONFLICT (table_id, row_id, column_id) DO UPDATE SET "
    "s = EXCLUDED.s, i = EXCLUDED.i, j = EXCLUDED.j, norm = EXCLUDED.norm "
    "WHERE (ic_cells.s, ic_cells.i, ic_cells.j) "
    "IS DISTINCT FROM (EXCLUDED.s, EXCLUDED.i, EXCLUDED.j)"
)


_COPY_FROM = 5_000
"""Cells from which ``write_cells`` streams with COPY rather than sending arrays."""
_STAGE_CREATE = (
    'CREATE TEMPORARY TABLE ic_stage (row_id text COLLATE "C", column_id text COLLATE "C", '
    's text COLLATE "C", i bigint, j text COLLATE "C", norm text COLLATE "C") ON COMMIT DROP'
)
_STAGE_COPY = "COPY pg_temp.ic_stage (row_id, column_id, s, i, j, norm) FROM STDIN"
_STAGE_UPSERT = (
    "INSERT INTO ic_cells (table_id, row_id, column_id, s, i, j, norm) "
    "SELECT %s, row_id, column_id, s, i, j, norm FROM pg_temp.ic_stage "
    "ON CONFLICT (table_id, row_id, column_id) DO UPDATE SET "
    "s = EXCLUDED.s, i = EXCLUDED.i, j = EXCLUDED.j, norm = EXCLUDED.norm "
    "WHERE (ic_cells.s, ic_cells.i, ic_cells.j) "
    "IS DISTINCT FROM (EXCLUDED.s, EXCLUDED.i, EXCLUDED.j)"
)
# Dropped at once, not at commit: a second big write in the same transaction (atomic())
# makes its own.
_STAGE_DROP = "DROP TABLE pg_temp.ic_stage"


@functools.lru_cache(maxsize=256)
def _placeholders(sql: str) -> str:
    """``?`` placeholders to psycopg's binary ``%b`` (our SQL has no literal ``?`` or
    ``%``). Binary parameters dump large arrays about five times faster than text."""
    return sql.replace("%", "%%").replace("?", "%b")


def _store_error(exc: Exception) -> StoreError:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) or type(exc).__name__
    state = getattr(exc, "sqlstate", None)
    return StoreError(f"PostgreSQL error{f' {state}' if state else ''}: {primary}")


class _PgTx:
    __slots__ = ("_conn",)

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def one_write(self) -> None:
        """Nothing: a failed statement leaves a PostgreSQL transaction unusable until it is
        rolled back, to a savepoint if there is one, so the savepoint stays."""

    @property
    def connection(self) -> psycopg.Connection[Any]:
        """The transaction's connection (for COPY)."""
        return self._conn

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._conn.execute(_placeholders(sql), params)
        return cursor.fetchall() if cursor.description is not None else []

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(_placeholders(sql), params).rowcount

    def run_many(self, sql: str, params: Iterable[Sequence[Any]]) -> int:
        if isinstance(params, Sequence) and not params:
            return 0
        with self._conn.cursor() as cursor:
            cursor.executemany(_placeholders(sql), params)
            return cursor.rowcount


class PostgresStore(SqlStore):
    """All three storage ports on PostgreSQL (10 or newer).

    Args:
        dsn: a libpq connection string or URL. It is never printed (it may hold a
            password); the store's repr shows host, port and database only.
        schema: the schema holding the store's tables (created when missing), so a host
            database can keep them apart from its own.
        pool_size: most connections the pool opens.
        encryption_key: turns on encryption at rest of API keys (needs the ``crypto``
            extra).
        clock: the time stamped on saved integrations and credentials.
        chunk_size: cells per transaction in ``insert_rows`` (``write_cells`` writes a
            call in one transaction).
        connect_timeout: seconds to wait for a connection (at open, and from the pool).

    A small ``write_cells`` is one ``INSERT ... SELECT FROM unnest(arrays) ... ON CONFLICT
    DO UPDATE`` (one round trip); from 5,000 cells the cells are streamed with ``COPY`` into
    a temporary table and upserted from there. A lease change takes
    ``pg_advisory_xact_lock`` on the integration id inside its transaction.
    """

    _dialect: ClassVar = "postgres"
    _in_batch: ClassVar = 10_000
    _key_share: ClassVar = " FOR KEY SHARE"
    _row_lock: ClassVar = " FOR UPDATE"

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "public",
        pool_size: int = 4,
        encryption_key: EncryptionKey | None = None,
        clock: Clock | None = None,
        chunk_size: int = codec.DEFAULT_CHUNK_SIZE,
        connect_timeout: float = 10.0,
    ) -> None:
        self._pool: ConnectionPool[Any] | None = None
        self._local = threading.local()  # .conn: the connection of this thread's transaction
        super().__init__(encryption_key=encryption_key, clock=clock, chunk_size=chunk_size)
        if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
            raise ConfigError(
                [Problem("schema", "must be a plain identifier (letters, digits, underscore)")]
            )
        pool_size = codec.check_limit(pool_size, "pool_size")
        timeout = codec.seconds(connect_timeout, "connect_timeout")
        try:
            import psycopg
            from psycopg.conninfo import conninfo_to_dict
            from psycopg_pool import ConnectionPool, PoolTimeout
        except ImportError:
            raise StoreError(
                "PostgresStore needs psycopg 3 and psycopg_pool: "
                "pip install 'instantly-columns[postgres]'"
            ) from None
        if not isinstance(dsn, str):
            raise ConfigError([Problem("dsn", "must be a connection string")])
        try:
            info = conninfo_to_dict(dsn)
        except psycopg.ProgrammingError:
            raise ConfigError([Problem("dsn", "is not a valid connection string")]) from None
        self._schema = schema
        self._where = (
            f"host={info.get('host') or 'localhost'!s}, port={info.get('port') or 5432!s}, "
            f"dbname={info.get('dbname') or info.get('user') or ''!s}"
        )
        self._psycopg_error: type[Exception] = psycopg.Error
        self._pool_timeout: type[Exception] = PoolTimeout
        # The schema name matched a plain-identifier pattern, so quoting it is enough.
        set_path = f'SET search_path TO "{schema}"'

        def configure(conn: psycopg.Connection[Any]) -> None:
            conn.execute(set_path)
            conn.commit()

        self._pool = ConnectionPool(
            dsn,
            min_size=1,
            max_size=pool_size,
            open=False,
            timeout=timeout,
            configure=configure,
            name="instantly-columns",
        )
        try:
            self._pool.open(wait=True, timeout=timeout)
        except PoolTimeout:
            self.close()
            raise StoreError(f"cannot connect to PostgreSQL ({self._where})") from None
        try:
            self._open_schema()
        except BaseException:
            self.close()
            raise

    def _open_schema(self) -> None:
        with self._transaction(write=True) as tx:
            tx.run(
                "SELECT pg_advisory_xact_lock(hashtext('instantly_columns.migrate'), hashtext(?))",
                (self._schema,),
            )
            if not tx.fetch("SELECT 1 FROM pg_namespace WHERE nspname = ?", (self._schema,)):
                tx.run(f'CREATE SCHEMA "{self._schema}"')
            self._migrate(tx)

    def __repr__(self) -> str:
        encrypted = ", encrypted" if self._cipher is not None else ""
        state = ", closed" if self._closed else ""
        return f"PostgresStore({self._where}, schema={self._schema!r}{encrypted}{state})"

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Tx]:
        if self._closed or self._pool is None:
            raise StoreError("the store is closed")
        held: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        try:
            if held is not None:
                # Inside a transaction of this thread: psycopg makes this a savepoint.
                with held.transaction():
                    yield _PgTx(held)
                return
            with self._pool.connection() as conn, conn.transaction():
                self._local.conn = conn
                try:
                    yield _PgTx(conn)
                finally:
                    self._local.conn = None
        except self._pool_timeout:
            raise StoreError(
                f"no PostgreSQL connection became free in time ({self._where})"
            ) from None
        except self._psycopg_error as exc:
            raise _store_error(exc) from exc

    def _scrub_credentials(self) -> None:
        # An UPDATE or DELETE leaves the old row in the table file until it is vacuumed:
        # rewrite the (small) table at once so a replaced or deleted key does not linger.
        # Backups and the write-ahead log keep what they kept; encryption at rest is what
        # protects those.
        if self._pool is None or getattr(self._local, "conn", None) is not None:
            return  # inside the caller's transaction: VACUUM cannot run there
        try:
            with self._pool.connection() as conn:
                conn.autocommit = True
                try:
                    conn.execute("VACUUM (FULL) ic_credentials")
                finally:
                    conn.autocommit = False
        except self._psycopg_error as exc:
            raise _store_error(exc) from exc

    def close(self) -> None:
        """Close the connection pool (idempotent)."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    # --- dialect ---------------------------------------------------------------------------

    def _in(self, expr: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{expr} = ANY(?)", [list(values)]

    def _time_in(self, value: datetime) -> datetime:
        return value

    def _time_out(self, value: Any) -> datetime:
        if not isinstance(value, datetime):
            raise StoreError("a timestamp column returned a non-timestamp")
        return value.astimezone(timezone.utc)

    def _lock(self, tx: Tx, scope: Literal["lease", "columns"], key: str) -> None:
        tx.fetch(
            "SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))",
            (f"instantly_columns.{scope}:{self._schema}", key),
        )

    def _write_chunk(self, tx: Tx, table: TableId, chunk: codec.Pending) -> int:
        deletes = [key for key, enc in chunk if enc is None]
        upserts = [(key, enc) for key, enc in chunk if enc is not None]
        changed = 0
        if deletes:
            changed += tx.run(
                _DELETE_CELLS, ([r for r, _ in deletes], [c for _, c in deletes], table)
            )
        if upserts:
            changed += tx.run(
                _UPSERT_CELLS,
                (
                    table,
                    [r for (r, _), _ in upserts],
                    [c for (_, c), _ in upserts],
                    [e[0] for _, e in upserts],
                    [e[1] for _, e in upserts],
                    [e[2] for _, e in upserts],
                    [e[3] for _, e in upserts],
                ),
            )
        return changed

    def _write_cells(self, tx: Tx, table: TableId, cells: codec.Prepared) -> int:
        # In (row, column) order, so that concurrent writers lock in one order (no
        # deadlocks). A small write is one statement over arrays; a big one streams its
        # cells with COPY into a temporary table and upserts from there.
        keys = sorted(cells)
        if len(keys) < _COPY_FROM or not isinstance(tx, _PgTx):
            return self._write_chunk(tx, table, [(key, cells[key]) for key in keys])
        changed = 0
        if None in cells.values():
            deletes = [key for key in keys if cells[key] is None]
            changed += self._write_chunk(tx, table, [(key, None) for key in deletes])
        conn = tx.connection
        conn.execute(_STAGE_CREATE)
        with conn.cursor() as cursor, cursor.copy(_STAGE_COPY) as copy:
            write = copy.write_row
            for row in codec.upsert_rows(cells, keys):
                write(row)
        changed += conn.execute(_STAGE_UPSERT, (table,)).rowcount
        conn.execute(_STAGE_DROP)
        return changed
