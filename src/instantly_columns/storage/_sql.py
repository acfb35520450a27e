"""What the SQLite and PostgreSQL stores share: every public method, written once over a
small transaction interface. A dialect supplies transactions, ``IN`` lists, datetime
conversion, the lease lock and the bulk cell write."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, Literal, Protocol

import attrs
from typing_extensions import Self

from instantly_columns.clock import SystemClock
from instantly_columns.domain.columns import Column, Row
from instantly_columns.domain.engagement import EngagementSubtype
from instantly_columns.errors import (
    ConfigError,
    Problem,
    RecordNotFound,
    StoreError,
    SyncInProgress,
    VersionConflict,
)
from instantly_columns.ports import (
    ApiKey,
    CampaignLink,
    CellWrite,
    Clock,
    ColumnId,
    CredentialId,
    EngagementGroup,
    LedgerEntry,
    LinkId,
    RowId,
    SummaryColumns,
    SyncRun,
    TableId,
)
from instantly_columns.storage import _codec as codec
from instantly_columns.storage import _leads as leads
from instantly_columns.storage._compat import OldLinkNames
from instantly_columns.storage._crypto import Cipher, EncryptionKey, open_secret, seal_secret
from instantly_columns.storage._schema import (
    LATEST_VERSION,
    MIGRATIONS,
    VERSION_TABLE,
    Dialect,
    statements,
)

__all__ = ["SqlStore", "Tx"]

Params = Sequence[Any]


class Tx(Protocol):
    """A transaction as the shared code sees it. SQL uses ``?`` placeholders."""

    def fetch(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]: ...

    def run(self, sql: str, params: Params = ()) -> int: ...

    def run_many(self, sql: str, params: Iterable[Params]) -> int: ...

    def one_write(self) -> None:
        """What the block writes from here on is one statement. Inside another transaction,
        a dialect whose failed statement leaves the transaction usable (SQLite) then needs
        no savepoint for the block: the database undoes a failed statement by itself."""


_COLUMNS_SQL = (
    "SELECT column_id, column_key, name, type, config FROM ic_columns "
    "WHERE table_id = ? ORDER BY ordinal"
)
_INTEGRATION_COLUMNS = (
    "SELECT integration_id, table_id, campaign_id, campaign_name, sequence_mode, "
    "field_mapping, credential_id, settings, version, created_at, updated_at "
    "FROM ic_integrations"
)
_INSERT_INTEGRATION = (
    "INSERT INTO ic_integrations (integration_id, table_id, campaign_id, campaign_name, "
    "sequence_mode, field_mapping, credential_id, settings, version, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (integration_id) DO NOTHING"
)
_RUN_COLUMNS = (
    "SELECT run_id, integration_id, status, started_at, finished_at, heartbeat_at, "
    "leads_seen, rows_matched, leads_unmatched, duplicate_rows, cells_written, errors, "
    "resume_cursor, summary FROM ic_runs"
)
_INSERT_RUN = (
    "INSERT INTO ic_runs (run_id, integration_id, status, started_at, finished_at, "
    "heartbeat_at, leads_seen, rows_matched, leads_unmatched, duplicate_rows, "
    "cells_written, errors, resume_cursor, summary, seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# A checkpoint: of the run, with its link, while it runs (or when it stops running).
_UPDATE_RUN = (
    "UPDATE ic_runs SET status = ?, started_at = ?, finished_at = ?, heartbeat_at = ?, "
    "leads_seen = ?, rows_matched = ?, leads_unmatched = ?, duplicate_rows = ?, "
    "cells_written = ?, errors = ?, resume_cursor = ?, summary = ? "
    "WHERE run_id = ? AND integration_id = ? AND (status = 'running' OR ? <> 'running')"
)
_LEDGER_COLUMNS = (
    "SELECT integration_id, row_id, email, status, lead_id, error, pushed_at, payload_hash "
    "FROM ic_ledger"
)
_UPSERT_LEDGER = (
    "INSERT INTO ic_ledger (integration_id, row_id, email, status, lead_id, error, "
    "pushed_at, payload_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (integration_id, row_id) DO UPDATE SET email = excluded.email, "
    "status = excluded.status, lead_id = excluded.lead_id, error = excluded.error, "
    "pushed_at = excluded.pushed_at, payload_hash = excluded.payload_hash"
)
_ALL_TABLES = (
    "ic_summary_groups",
    "ic_summary_leads",
    "ic_summaries",
    "ic_cells",
    "ic_rows",
    "ic_columns",
    "ic_tables",
    "ic_ledger",
    "ic_runs",
    "ic_integrations",
    "ic_events",
    "ic_credentials",
)
_DELETE_ALL = "DELETE FROM {table}"  # table names from _ALL_TABLES only
# Templates: {cond} is an IN condition built by the dialect from placeholders only.
# {lock} is empty or the dialect's row lock (constant text).
_COUNT_OF = "SELECT count(*) FROM ({query})"
# The table, and whether it keeps summaries, followed by (counts) of its columns and rows.
_TABLE_AND_SUMMARIES = (
    "SELECT (SELECT count(*) FROM ic_tables WHERE table_id = ?), "
    "(SELECT count(*) FROM ic_summaries WHERE table_id = ?)"
)
_COLUMNS_IN = "SELECT column_id FROM ic_columns WHERE table_id = ? AND {cond}{lock}"
_ROWS_IN = "SELECT row_id FROM ic_rows WHERE table_id = ? AND {cond}{lock}"
_LOCK_ROWS_IN = "SELECT row_id FROM ic_rows WHERE table_id = ? AND {cond} ORDER BY row_id{lock}"
_DELETE_CELLS_IN = "DELETE FROM ic_cells WHERE table_id = ? AND {cond}"
_DELETE_ROWS_IN = "DELETE FROM ic_rows WHERE table_id = ? AND {cond}"
_DELETE_COLUMNS_IN = "DELETE FROM ic_columns WHERE table_id = ? AND {cond}"
_PAGE_CELLS = (
    "SELECT row_id, column_id, s, i, j FROM ic_cells "
    "WHERE table_id = ? AND row_id >= ? AND row_id <= ?"
)
_PAGE_CELLS_IN = _PAGE_CELLS + " AND {cond}"
_CELLS_OF_ROWS_IN = "SELECT row_id, column_id, s, i, j FROM ic_cells WHERE table_id = ? AND {cond}"
_LOOKUP_IN = "SELECT norm, row_id FROM ic_cells WHERE table_id = ? AND column_id = ? AND {cond}"
_LEDGER_IN = _LEDGER_COLUMNS + " WHERE integration_id = ? AND {cond}"
# Pivot the engagement cells per row, then group; BETWEEN bounds are codec.COUNT_MAX.
_GROUPS_SQL = """
SELECT es_s, es_i, es_j, en_s, en_i, en_j, COUNT(*),
       COALESCE(SUM(CASE WHEN rc BETWEEN 0 AND 2147483647 THEN rc ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN oc BETWEEN 0 AND 2147483647 THEN oc ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN oc BETWEEN 1 AND 2147483647 THEN 1 ELSE 0 END), 0),
       MAX(lc)
FROM (
    SELECT MAX(CASE WHEN column_id = ? THEN s END) AS es_s,
           MAX(CASE WHEN column_id = ? THEN i END) AS es_i,
           MAX(CASE WHEN column_id = ? THEN j END) AS es_j,
           MAX(CASE WHEN column_id = ? THEN s END) AS en_s,
           MAX(CASE WHEN column_id = ? THEN i END) AS en_i,
           MAX(CASE WHEN column_id = ? THEN j END) AS en_j,
           MAX(CASE WHEN column_id = ? THEN i END) AS rc,
           MAX(CASE WHEN column_id = ? THEN i END) AS oc,
           MAX(CASE WHEN column_id = ? THEN s END) AS lc,
           MAX(CASE WHEN column_id = ? OR column_id = ? THEN 1 ELSE 0 END) AS has_status
    FROM ic_cells
    WHERE table_id = ? AND column_id IN (?, ?, ?, ?, ?)
    GROUP BY row_id
) AS per_row
WHERE has_status = 1
GROUP BY es_s, es_i, es_j, en_s, en_i, en_j
"""


_SUMMARY_DEFS = (
    "SELECT summary_key, email_col, es_col, en_col, rc_col, oc_col, lc_col FROM ic_summaries"
)
# Blank emails are dropped by the caller: a condition on `norm` here makes SQLite's planner
# range-scan the whole column's lookup index instead of probing the rows' primary keys, which
# made every write O(table).
_EMAILS_OF_ROWS_IN = "SELECT norm FROM ic_cells WHERE table_id = ? AND column_id = ? AND {cond}"
# Leads with a status cell on some row: the only ones a fresh summary has to visit.
_EMAILS_WITH_STATUS = (
    "SELECT DISTINCT e.norm FROM ic_cells e JOIN ic_cells st "
    "ON st.table_id = e.table_id AND st.row_id = e.row_id AND st.column_id IN (?, ?) "
    "WHERE e.table_id = ? AND e.column_id = ? AND e.norm IS NOT NULL AND e.norm <> ''"
)
# The rows of some leads (by their email's lookup key) with their engagement cells.
_LEAD_ROWS_IN = (
    "SELECT e.norm, e.row_id, c.column_id, c.s, c.i, c.j FROM ic_cells e "
    "LEFT JOIN ic_cells c ON c.table_id = e.table_id AND c.row_id = e.row_id AND {cols} "
    "WHERE e.table_id = ? AND e.column_id = ? AND {cond}"
)
_SUMMARY_LEADS_IN = (
    "SELECT email, es, en, replies, opens, latest FROM ic_summary_leads "
    "WHERE summary_key = ? AND {cond}"
)
_UPSERT_SUMMARY_LEAD = (
    "INSERT INTO ic_summary_leads (summary_key, email, es, en, replies, opens, latest) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (summary_key, email) DO UPDATE SET "
    "es = excluded.es, en = excluded.en, replies = excluded.replies, "
    "opens = excluded.opens, latest = excluded.latest"
)
_DELETE_SUMMARY_LEAD = "DELETE FROM ic_summary_leads WHERE summary_key = ? AND email = ?"
_ADD_SUMMARY_GROUP = (
    "INSERT INTO ic_summary_groups (summary_key, es, en, leads, replies, opens, opened) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (summary_key, es, en) DO UPDATE SET "
    "leads = ic_summary_groups.leads + excluded.leads, "
    "replies = ic_summary_groups.replies + excluded.replies, "
    "opens = ic_summary_groups.opens + excluded.opens, "
    "opened = ic_summary_groups.opened + excluded.opened"
)
# Each group's sums, and its latest last_contacted from the (key, es, en, last) index: one
# index probe per group, whatever the number of leads.
_READ_SUMMARY = (
    "SELECT g.es, g.en, g.leads, g.replies, g.opens, g.opened, "
    "(SELECT MAX(l.latest) FROM ic_summary_leads l WHERE l.summary_key = g.summary_key "
    "AND l.es = g.es AND l.en = g.en) "
    "FROM ic_summary_groups g WHERE g.summary_key = ? AND g.leads > 0"
)
_DROP_SUMMARY = (
    "DELETE FROM ic_summary_groups WHERE summary_key = ?",
    "DELETE FROM ic_summary_leads WHERE summary_key = ?",
    "DELETE FROM ic_summaries WHERE summary_key = ?",
)

_Pending = list[tuple[str, SummaryColumns, set[RowId], set[str]]]


def _not_found(what: str, ids: Collection[str]) -> RecordNotFound:
    shown = ", ".join(repr(i) for i in sorted(ids)[:5])
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    return RecordNotFound(f"no such {what}: {shown}{more}")


def _by_key(item: tuple[tuple[RowId, ColumnId], object]) -> tuple[RowId, ColumnId]:
    return item[0]


class SqlStore(OldLinkNames, ABC):
    """The behaviour of the SQL stores (see :class:`~instantly_columns.storage.MemoryStore`
    for the contract in prose). Subclasses supply the dialect."""

    _dialect: ClassVar[Dialect]
    _in_batch: ClassVar[int]
    """Most values in one ``IN`` list (SQLite limits bound parameters)."""
    _key_share: ClassVar[str]
    """Suffix that locks the rows a write refers to against concurrent deletes."""
    _count_existing: ClassVar[bool] = False
    """Check that ids exist by counting them, and name the missing ones only when some are:
    a driver that lets go of the interpreter lock for each result row (sqlite3 does) then
    takes it back once per check instead of once per id."""
    _row_lock: ClassVar[str] = ""
    """Suffix that locks rows for ``lock_rows`` (empty: the write transaction is enough)."""

    def __init__(
        self,
        *,
        encryption_key: EncryptionKey | None,
        clock: Clock | None,
        chunk_size: int,
    ) -> None:
        self._cipher = Cipher(encryption_key) if encryption_key is not None else None
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._chunk_size = codec.check_limit(chunk_size, "chunk_size")
        self._closed = False

    # --- dialect ---------------------------------------------------------------------------

    @abstractmethod
    def _transaction(self, *, write: bool) -> AbstractContextManager[Tx]:
        """A transaction; ``write=True`` takes the write lock up front where that matters.
        Opened inside another transaction of the same thread, it is a savepoint of that
        one: undone alone when its block raises, committed only with the outer one (a
        dialect may leave out a savepoint with nothing to undo: see ``Tx.one_write``)."""

    @abstractmethod
    def _in(self, expr: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``expr IN (values)`` as SQL and parameters."""

    @abstractmethod
    def _time_in(self, value: datetime) -> Any: ...

    @abstractmethod
    def _time_out(self, value: Any) -> datetime: ...

    @abstractmethod
    def _lock(self, tx: Tx, scope: Literal["lease", "columns"], key: str) -> None:
        """Serialise changes of one ``scope`` and ``key`` (an integration's lease, a
        table's columns) until the transaction ends."""

    def _one_statement(self, cells: codec.Prepared) -> bool:
        """Whether ``_write_cells`` writes these cells with one statement."""
        return False

    @abstractmethod
    def _write_chunk(self, tx: Tx, table: TableId, chunk: codec.Pending) -> int:
        """Delete and upsert one chunk of validated cells; return how many changed."""

    @abstractmethod
    def close(self) -> None:
        """Close the store's connections. Using it afterwards raises ``StoreError``."""

    # --- plumbing --------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Make the calls this thread makes inside the block one transaction (see
        ``UnitOfWork``): all of them are committed when the block ends, none when it
        raises. Each call inside is a savepoint, so an error the block catches undoes only
        that call; a nested ``atomic()`` is a savepoint too. The write lock is taken when
        the block begins."""
        with self._transaction(write=True):
            yield

    def _maybe_time(self, value: Any) -> datetime | None:
        return None if value is None else self._time_out(value)

    def _now(self) -> datetime:
        return codec.to_utc(self._clock.now(), "clock.now()")

    def _migrate(self, tx: Tx) -> None:
        """Apply missing migrations; the caller holds the migration lock."""
        tx.run(VERSION_TABLE)
        applied = {int(v) for (v,) in tx.fetch("SELECT version FROM ic_schema_version")}
        newest = max(applied, default=0)
        if newest > LATEST_VERSION:
            raise StoreError(
                f"the database schema is at version {newest}, newer than this version of "
                f"instantly-columns supports ({LATEST_VERSION}); upgrade the library"
            )
        for migration in MIGRATIONS:
            if migration.version in applied:
                continue
            for statement in statements(migration, self._dialect):
                tx.run(statement)
            tx.run(
                "INSERT INTO ic_schema_version (version, description) VALUES (?, ?)",
                (migration.version, migration.description),
            )

    def reset_for_tests(self) -> None:
        """Delete every record the store holds (the schema stays). For test suites that
        share one database between tests; never call it on data you want to keep."""
        with self._transaction(write=True) as tx:
            for table in _ALL_TABLES:
                tx.run(_DELETE_ALL.format(table=table))

    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._transaction(write=False) as tx:
            (version,) = tx.fetch("SELECT MAX(version) FROM ic_schema_version")[0]
        return int(version)

    def _fetch_packed(
        self, tx: Tx, sql: str, params: Params, columns: str
    ) -> Sequence[Sequence[Any]]:
        """The rows of ``sql`` (whose result columns are ``columns``, text and integers),
        fetched as the dialect fetches many rows best; by default, as they come."""
        return tx.fetch(sql, params)

    def _batches(self, values: Sequence[Any]) -> Iterator[Sequence[Any]]:
        yield from codec.chunked(values, self._in_batch)

    def _require_table(self, tx: Tx, table: TableId) -> None:
        if not tx.fetch("SELECT 1 FROM ic_tables WHERE table_id = ?", (table,)):
            raise _not_found("table", [table])

    def _require_all(
        self,
        tx: Tx,
        table: TableId,
        columns: Collection[ColumnId],
        rows: Collection[RowId] = (),
        *,
        lock: bool = False,
    ) -> bool:
        """`_require_table`, `_require_columns` and `_require_rows` together; returns False
        when the table keeps no summaries (True when it does, or was not asked).

        Where ids are counted (``_count_existing``) and they fit one ``IN`` list, this is
        one statement, not four: the sqlite3 module lets go of the interpreter lock around
        each statement and must take it back after it, which a busy process makes slow
        (see ``_count_existing``). The separate checks run when a count falls short, to
        name what is missing."""
        wanted = (sorted(set(columns)), sorted(set(rows)))
        if (
            self._count_existing
            and not (lock and self._key_share)
            and len(wanted[0]) + len(wanted[1]) <= self._in_batch
        ):
            sql, params = _TABLE_AND_SUMMARIES, [table, table]
            for ids, id_column, query in zip(
                wanted, ("column_id", "row_id"), (_COLUMNS_IN, _ROWS_IN), strict=True
            ):
                if ids:
                    clause, extra = self._in(id_column, ids)
                    count = _COUNT_OF.replace("{query}", query.format(cond=clause, lock=""))
                    sql = sql + ", (" + count + ")"
                    params += [table, *extra]
            tables, summaries, *counts = tx.fetch(sql, params)[0]
            if tables and counts == [len(ids) for ids in wanted if ids]:
                return bool(summaries)
        self._require_table(tx, table)
        self._require_columns(tx, table, wanted[0], lock=lock)
        self._require_rows(tx, table, wanted[1], lock=lock)
        return True

    def _require_columns(
        self, tx: Tx, table: TableId, columns: Collection[ColumnId], *, lock: bool = False
    ) -> None:
        self._require(tx, table, columns, "column_id", _COLUMNS_IN, "column", lock=lock)

    def _require_rows(
        self, tx: Tx, table: TableId, rows: Collection[RowId], *, lock: bool = False
    ) -> None:
        self._require(tx, table, rows, "row_id", _ROWS_IN, "row", lock=lock)

    def _require(
        self,
        tx: Tx,
        table: TableId,
        ids: Collection[str],
        id_column: str,
        query: str,
        what: str,
        *,
        lock: bool,
    ) -> None:
        ordered = sorted(set(ids))
        if self._count_existing and not (lock and self._key_share):
            # One result row per batch, not one per id: see ``_count_existing``.
            query_count = _COUNT_OF.replace("{query}", query.format(cond="{cond}", lock=""))
            counted = 0
            for batch in self._batches(ordered):
                clause, params = self._in(id_column, batch)
                counted += tx.fetch(query_count.format(cond=clause), [table, *params])[0][0]
            if counted == len(ordered):
                return
        found: set[str] = set()
        for batch in self._batches(ordered):
            clause, params = self._in(id_column, batch)
            found.update(
                value
                for (value,) in tx.fetch(
                    query.format(cond=clause, lock=self._key_share if lock else ""),
                    [table, *params],
                )
            )
        missing = set(ordered) - found
        if missing:
            raise _not_found(f"{what} in table {table!r}", missing)

    def _require_link(self, tx: Tx, link: LinkId) -> None:
        if not tx.fetch("SELECT 1 FROM ic_integrations WHERE integration_id = ?", (link,)):
            raise _not_found("integration", [link])

    # --- tables (our own; a host's TableStore has its own way) -----------------------------

    def create_table(self, table: TableId, name: str = "") -> None:
        """Create a table, or rename it when it exists."""
        table = codec.check_id(table, "table")
        if not isinstance(name, str):
            raise ConfigError([Problem("name", "must be a string")])
        with self._transaction(write=True) as tx:
            tx.run(
                "INSERT INTO ic_tables (table_id, name) VALUES (?, ?) "
                "ON CONFLICT (table_id) DO UPDATE SET name = excluded.name",
                (table, codec.encode_text(name)),
            )

    def delete_table(self, table: TableId) -> bool:
        """Delete a table with its columns, rows and cells; False when there was none."""
        table = codec.check_id(table, "table")
        with self._transaction(write=True) as tx:
            # Parents first, then children: a concurrent write holding a row or column
            # lock makes the delete wait, and its cells are then visible to the last step.
            existed = tx.run("DELETE FROM ic_tables WHERE table_id = ?", (table,)) > 0
            tx.run("DELETE FROM ic_rows WHERE table_id = ?", (table,))
            tx.run("DELETE FROM ic_columns WHERE table_id = ?", (table,))
            tx.run("DELETE FROM ic_cells WHERE table_id = ?", (table,))
            for key, _ in self._summary_defs(tx, table):
                self._drop_summary(tx, key)
            return existed

    def insert_rows(self, table: TableId, rows: Sequence[Row]) -> int:
        """Add rows with their cells (a row that exists gets the given cells written).
        Returns how many rows were created. One transaction per ``chunk_size`` cells."""
        table = codec.check_id(table, "table")
        prepared = codec.prepare_rows(rows)
        created = 0
        with self._transaction(write=False) as tx:
            self._require_table(tx, table)
        for batch in codec.row_chunks(prepared, self._chunk_size):
            columns = {key[1] for _, cells in batch for key, _ in cells}
            with self._transaction(write=True) as tx:
                self._require_table(tx, table)
                self._require_columns(tx, table, columns, lock=True)
                created += tx.run_many(
                    "INSERT INTO ic_rows (table_id, row_id) VALUES (?, ?) "
                    "ON CONFLICT (table_id, row_id) DO NOTHING",
                    [(table, row_id) for row_id, _ in batch],
                )
                pending = [item for _, cells in batch for item in cells]
                if pending:
                    before = self._summary_before(tx, table, columns, [k for k, _ in pending])
                    self._write_chunk(tx, table, pending)
                    self._summary_after(tx, table, before)
        return created

    def delete_rows(self, table: TableId, rows: Collection[RowId]) -> int:
        """Delete rows and their cells; returns how many rows were deleted."""
        table = codec.check_id(table, "table")
        ids = codec.check_ids(rows, "rows")
        deleted = 0
        with self._transaction(write=True) as tx:
            self._require_table(tx, table)
            before = self._summary_before(tx, table, None, ids)
            for batch in self._batches(ids):
                clause, params = self._in("row_id", batch)
                deleted += tx.run(_DELETE_ROWS_IN.format(cond=clause), [table, *params])
                tx.run(_DELETE_CELLS_IN.format(cond=clause), [table, *params])
            self._summary_after(tx, table, before)
        return deleted

    # --- TableStore ------------------------------------------------------------------------

    def columns(self, table: TableId) -> list[Column]:
        """The table's columns in the order they were first saved."""
        table = codec.check_id(table, "table")
        with self._transaction(write=False) as tx:
            self._require_table(tx, table)
            found = tx.fetch(_COLUMNS_SQL, (table,))
        return [codec.column_from_record(*record) for record in found]

    def save_columns(self, table: TableId, columns: Sequence[Column]) -> None:
        """Insert or replace columns by id. New ones go last, replaced ones keep their
        place. A key held by another column raises ``VersionConflict``."""
        table = codec.check_id(table, "table")
        records = codec.column_records(columns)
        if not records:
            with self._transaction(write=False) as tx:
                self._require_table(tx, table)
            return
        with self._transaction(write=True) as tx:
            self._lock(tx, "columns", table)
            self._require_table(tx, table)
            current = dict(
                tx.fetch(
                    "SELECT column_id, column_key FROM ic_columns WHERE table_id = ?", (table,)
                )
            )
            owner = {key: cid for cid, key in current.items()}
            saving = {r[0] for r in records}
            taken = [
                r[1]
                for r in records
                if r[1] in owner and owner[r[1]] != r[0] and owner[r[1]] not in saving
            ]
            if taken:
                raise VersionConflict(
                    f"column key {taken[0]!r} of table {table!r} belongs to column "
                    f"{owner[taken[0]]!r}"
                )
            # Keys moving between saved columns: park them first so UNIQUE holds throughout.
            tx.run_many(
                "UPDATE ic_columns SET column_key = ? WHERE table_id = ? AND column_id = ?",
                [
                    ("\x1b" + cid, table, cid)
                    for cid, key, *_ in records
                    if cid in current and current[cid] != key
                ],
            )
            (top,) = tx.fetch(
                "SELECT COALESCE(MAX(ordinal), -1) FROM ic_columns WHERE table_id = ?",
                (table,),
            )[0]
            next_ordinal = int(top) + 1
            for cid, key, name, type_, config in records:
                if cid in current:
                    tx.run(
                        "UPDATE ic_columns SET column_key = ?, name = ?, type = ?, config = ? "
                        "WHERE table_id = ? AND column_id = ?",
                        (key, name, type_, config, table, cid),
                    )
                else:
                    tx.run(
                        "INSERT INTO ic_columns "
                        "(table_id, column_id, column_key, name, type, config, ordinal) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (table, cid, key, name, type_, config, next_ordinal),
                    )
                    next_ordinal += 1

    def delete_columns(self, table: TableId, column_ids: Collection[ColumnId]) -> int:
        """Delete columns and their cells; returns how many columns were deleted."""
        table = codec.check_id(table, "table")
        ids = codec.check_ids(column_ids, "column_ids")
        deleted = 0
        with self._transaction(write=True) as tx:
            self._require_table(tx, table)
            for key, columns in self._summary_defs(tx, table):
                if leads.tracked_ids(columns) & set(ids):
                    self._drop_summary(tx, key)  # its columns are gone: the next read rebuilds
            for batch in self._batches(ids):
                clause, params = self._in("column_id", batch)
                deleted += tx.run(_DELETE_COLUMNS_IN.format(cond=clause), [table, *params])
                tx.run(_DELETE_CELLS_IN.format(cond=clause), [table, *params])
        return deleted

    def rows(
        self,
        table: TableId,
        fields: Sequence[ColumnId] | None = None,
        *,
        after: RowId | None = None,
        limit: int = 1000,
    ) -> list[Row]:
        """A page of rows ordered by id (code-point order), after ``after``; with
        ``fields``, only those cells (unknown field ids raise ``RecordNotFound``)."""
        table = codec.check_id(table, "table")
        wanted = None if fields is None else codec.check_ids(fields, "fields")
        if after is not None:
            after = codec.check_id(after, "after")
        limit = codec.check_limit(limit)
        with self._transaction(write=False) as tx:
            self._require_table(tx, table)
            if wanted:
                self._require_columns(tx, table, wanted)
            if after is None:
                page = tx.fetch(
                    "SELECT row_id FROM ic_rows WHERE table_id = ? ORDER BY row_id LIMIT ?",
                    (table, limit),
                )
            else:
                page = tx.fetch(
                    "SELECT row_id FROM ic_rows WHERE table_id = ? AND row_id > ? "
                    "ORDER BY row_id LIMIT ?",
                    (table, after, limit),
                )
            ids = [r for (r,) in page]
            cells: dict[str, dict[str, Any]] = {r: {} for r in ids}
            if ids and wanted != []:
                params = [table, ids[0], ids[-1]]
                found: list[tuple[Any, ...]] = []
                if wanted is None:
                    found = tx.fetch(_PAGE_CELLS, params)
                else:
                    for batch in self._batches(wanted):
                        clause, extra = self._in("column_id", batch)
                        found.extend(
                            tx.fetch(_PAGE_CELLS_IN.format(cond=clause), [*params, *extra])
                        )
                for row_id, column_id, s, i, j in found:
                    cells[row_id][column_id] = codec.decode_cell(s, i, j)
        return [Row.model_construct(id=r, cells=cells[r]) for r in ids]

    def get_rows(
        self,
        table: TableId,
        row_ids: Collection[RowId],
        fields: Sequence[ColumnId] | None = None,
    ) -> list[Row]:
        """The rows with these ids, ordered by id; unknown ids are left out. With
        ``fields``, only those cells (unknown field ids raise ``RecordNotFound``)."""
        table = codec.check_id(table, "table")
        ids = sorted(codec.check_ids(row_ids, "row_ids"))
        wanted = None if fields is None else codec.check_ids(fields, "fields")
        cells: dict[str, dict[str, Any]] = {}
        with self._transaction(write=False) as tx:
            self._require_table(tx, table)
            if wanted:
                self._require_columns(tx, table, wanted)
            for batch in self._batches(ids):
                clause, params = self._in("row_id", batch)
                for (row_id,) in tx.fetch(_ROWS_IN.format(cond=clause, lock=""), [table, *params]):
                    cells[row_id] = {}
                if wanted == [] or not cells:
                    continue
                sql = _CELLS_OF_ROWS_IN.format(cond=clause)
                if wanted is None:
                    found = tx.fetch(sql, [table, *params])
                else:
                    found = []
                    for fields_batch in self._batches(wanted):
                        more, extra = self._in("column_id", fields_batch)
                        found.extend(tx.fetch(f"{sql} AND {more}", [table, *params, *extra]))
                for row_id, column_id, s, i, j in found:
                    cells[row_id][column_id] = codec.decode_cell(s, i, j)
        return [Row.model_construct(id=r, cells=cells[r]) for r in sorted(cells)]

    def lookup_rows(
        self, table: TableId, column: ColumnId, values: Collection[str]
    ) -> dict[str, list[RowId]]:
        """Rows whose ``column`` cell, stripped and lower-cased, equals a value (values are
        normalised the same way). Keys are the given values that matched; row ids are
        sorted. Served by the ``(table_id, column_id, norm)`` index."""
        table = codec.check_id(table, "table")
        column = codec.check_id(column, "column")
        keys = codec.lookup_keys(values)
        found: dict[str, list[RowId]] = {}
        with self._transaction(write=False) as tx:
            self._require_all(tx, table, [column])
            for batch in self._batches(list(keys)):
                clause, params = self._in("norm", batch)
                for norm, row_id in self._fetch_packed(
                    tx, _LOOKUP_IN.format(cond=clause), [table, column, *params], "norm, row_id"
                ):
                    for value in keys[norm]:
                        found.setdefault(value, []).append(row_id)
        return {value: sorted(ids) for value, ids in found.items()}

    def write_cells(self, table: TableId, cells: Sequence[CellWrite]) -> int:
        """Upsert cells (``None`` deletes) in one transaction; returns how many cells
        changed. Every value is checked before anything is written, and unknown rows or
        columns raise ``RecordNotFound`` before anything is written: a call is written
        entirely or not at all."""
        table = codec.check_id(table, "table")
        with codec.gc_paused(len(cells)):
            batch = codec.prepare_batch(cells)
            with self._transaction(write=bool(batch.cells)) as tx:
                if not batch.cells:
                    self._require_table(tx, table)
                    return 0
                kept = self._require_all(tx, table, batch.columns, batch.rows, lock=True)
                before = self._summary_before(tx, table, batch.columns, batch.cells) if kept else []
                if not before and self._one_statement(batch.cells):
                    tx.one_write()
                changed = self._write_cells(tx, table, batch.cells)
                self._summary_after(tx, table, before)
                return changed

    def _write_cells(self, tx: Tx, table: TableId, cells: codec.Prepared) -> int:
        """Write validated cells whose rows and columns exist, in (row, column) order (so
        that concurrent writers lock rows in one order, without deadlocks), in statements
        of at most ``chunk_size`` cells. A dialect may do better."""
        changed = 0
        for chunk in codec.chunked(sorted(cells), self._chunk_size):
            changed += self._write_chunk(tx, table, [(key, cells[key]) for key in chunk])
        return changed

    def engagement_groups(
        self, table: TableId, columns: Mapping[EngagementSubtype, ColumnId]
    ) -> list[EngagementGroup]:
        """``GROUP BY (email_status, engagement_status)`` over the rows that have either
        cell, computed in the database; see ``EngagementGroup``."""
        table = codec.check_id(table, "table")
        ids = codec.engagement_columns(columns)
        with self._transaction(write=False) as tx:
            self._require_table(tx, table)
            self._require_columns(tx, table, {c for c in ids.values() if c is not None})
            if ids["email_status"] is None and ids["engagement_status"] is None:
                return []
            es, en = ids["email_status"], ids["engagement_status"]
            rc, oc, lc = ids["reply_count"], ids["open_count"], ids["last_contacted"]
            params = [es, es, es, en, en, en, rc, oc, lc, es, en, table, es, en, rc, oc, lc]
            raw = tx.fetch(_GROUPS_SQL, params)
        return codec.fold_groups(
            (r[0], r[1], r[2], r[3], r[4], r[5], int(r[6]), int(r[7]), int(r[8]), int(r[9]), r[10])
            for r in raw
        )

    def lock_rows(self, table: TableId, row_ids: Collection[RowId]) -> None:
        """Hold these rows against other writers until the transaction around the call
        (``atomic()``) ends (see ``RowLocking``): ``SELECT ... FOR UPDATE`` in row order on
        PostgreSQL; on SQLite the write transaction holds the database already. Unknown ids
        are skipped."""
        table = codec.check_id(table, "table")
        ids = sorted(codec.check_ids(row_ids, "row_ids"))
        if not self._row_lock or not ids:
            return
        with self._transaction(write=True) as tx:
            for batch in self._batches(ids):
                clause, params = self._in("row_id", batch)
                tx.fetch(_LOCK_ROWS_IN.format(cond=clause, lock=self._row_lock), [table, *params])

    # --- the maintained summaries (LeadSummaries) -------------------------------------------

    def _summary_defs(self, tx: Tx, table: TableId) -> list[tuple[str, SummaryColumns]]:
        return [
            (r[0], SummaryColumns(*r[1:]))
            for r in tx.fetch(_SUMMARY_DEFS + " WHERE table_id = ?", (table,))
        ]

    def _drop_summary(self, tx: Tx, key: str) -> None:
        for statement in _DROP_SUMMARY:
            tx.run(statement, (key,))

    def _summary_before(
        self,
        tx: Tx,
        table: TableId,
        columns: Collection[ColumnId] | None,
        touched: Iterable[tuple[RowId, ColumnId]] | Iterable[RowId],
    ) -> _Pending:
        """What a write is about to change in the table's summaries: per summary whose
        columns it writes (all of them when ``columns`` is None, for whole rows), the rows it
        touches there and their leads before the write. ``touched`` is (row, column) pairs,
        or row ids with ``columns=None``."""
        defs = self._summary_defs(tx, table)
        if not defs:
            return []
        pending: _Pending = []
        items = touched if isinstance(touched, Collection) else list(touched)
        for key, summary in defs:
            ids = leads.tracked_ids(summary)
            if columns is None:
                rows = {str(item) for item in items}
            elif ids.isdisjoint(columns):
                continue
            else:
                rows = {item[0] for item in items if item[1] in ids}
            if not rows:
                continue
            # A row's lead changes only when its email does: otherwise the leads after the
            # write are the leads before it, read once, afterwards.
            moves = columns is None or summary.email in columns
            before = self._lead_emails(tx, table, summary, rows) if moves else set()
            pending.append((key, summary, rows, before))
        return pending

    def _summary_after(self, tx: Tx, table: TableId, pending: _Pending) -> None:
        for key, summary, rows, before in pending:
            emails = before | self._lead_emails(tx, table, summary, rows)
            self._refresh_leads(tx, table, key, summary, sorted(emails))

    def _lead_emails(
        self, tx: Tx, table: TableId, summary: SummaryColumns, rows: Collection[RowId]
    ) -> set[str]:
        out: set[str] = set()
        for batch in self._batches(sorted(rows)):
            clause, params = self._in("row_id", batch)
            out.update(
                norm
                for (norm,) in tx.fetch(
                    _EMAILS_OF_ROWS_IN.format(cond=clause), [table, summary.email, *params]
                )
                if norm
            )
        return out

    def _refresh_leads(
        self, tx: Tx, table: TableId, key: str, summary: SummaryColumns, emails: Sequence[str]
    ) -> None:
        """Recount these leads from their rows and move the groups by what changed."""
        deltas: dict[leads.GroupKey, list[int]] = {}
        engagement = sorted(set(summary.engagement().values()))
        if not engagement:
            return  # no status column: no lead contributes
        cols, col_params = self._in("c.column_id", engagement)
        for batch in self._batches(emails):
            clause, params = self._in("e.norm", batch)
            email_of: dict[RowId, str] = {}
            cells: dict[RowId, dict[ColumnId, tuple[Any, Any, Any]]] = {}
            for norm, row, column, s, i, j in tx.fetch(
                _LEAD_ROWS_IN.format(cond=clause, cols=cols),
                [*col_params, table, summary.email, *params],
            ):
                email_of[row] = norm
                if column is not None:
                    cells.setdefault(row, {})[column] = (s, i, j)
            by_email: dict[str, list[tuple[RowId, leads.Contribution | None]]] = {}
            for row, norm in email_of.items():
                found = cells.get(row)
                by_email.setdefault(norm, []).append(
                    (row, None if found is None else leads.encoded_contribution(found, summary))
                )
            eclause, eparams = self._in("email", batch)
            old: dict[str, leads.Contribution] = {
                r[0]: (leads.key_out(r[1]), leads.key_out(r[2]), int(r[3]), int(r[4]), r[5])
                for r in tx.fetch(_SUMMARY_LEADS_IN.format(cond=eclause), [key, *eparams])
            }
            gone, put = [], []
            for email in batch:
                new = leads.lead_contribution(by_email.get(email, ()))
                was = old.get(email)
                if new == was:
                    continue
                leads.add_delta(deltas, was, new)
                if new is None:
                    gone.append((key, email))
                else:
                    put.append((key, email, leads.key_in(new[0]), leads.key_in(new[1]), *new[2:]))
            if gone:
                tx.run_many(
                    "DELETE FROM ic_summary_leads WHERE summary_key = ? AND email = ?", gone
                )
            if put:
                tx.run_many(_UPSERT_SUMMARY_LEAD, put)
        moves = [
            (key, leads.key_in(group[0]), leads.key_in(group[1]), *delta)
            for group, delta in deltas.items()
            if any(delta)
        ]
        if moves:
            tx.run_many(_ADD_SUMMARY_GROUP, moves)
            tx.run("DELETE FROM ic_summary_groups WHERE summary_key = ? AND leads = 0", (key,))

    def _tracks(self, tx: Tx, key: str, table: TableId, summary: SummaryColumns) -> bool:
        found = tx.fetch(_SUMMARY_DEFS + " WHERE summary_key = ? AND table_id = ?", (key, table))
        return bool(found) and SummaryColumns(*found[0][1:]) == summary

    def _read_summary(self, tx: Tx, key: str) -> list[EngagementGroup]:
        counts: dict[leads.GroupKey, tuple[int, int, int, int]] = {}
        lasts: dict[leads.GroupKey, str | None] = {}
        for es, en, n, replies, opens, opened, last in tx.fetch(_READ_SUMMARY, (key,)):
            group = (leads.key_out(es), leads.key_out(en))
            counts[group] = (int(n), int(replies), int(opens), int(opened))
            lasts[group] = last
        return leads.to_groups(counts, lasts)

    def lead_groups(
        self, table: TableId, key: str, columns: SummaryColumns
    ) -> list[EngagementGroup]:
        """The aggregate per lead (see ``LeadSummaries``). The first call for ``key`` (or
        the first with other columns) builds it, visiting the leads that have a status
        cell; from then on every write keeps it in its own transaction, and this reads
        one row per group."""
        table = codec.check_id(table, "table")
        key = codec.check_id(key, "key")
        summary = leads.summary_columns(columns)
        tracked = leads.tracked_ids(summary)
        with self._transaction(write=False) as tx:
            self._require_table(tx, table)
            self._require_columns(tx, table, tracked)
            if self._tracks(tx, key, table, summary):
                return self._read_summary(tx, key)
        with self._transaction(write=True) as tx:
            self._require_table(tx, table)
            self._require_columns(tx, table, tracked, lock=True)
            if self._tracks(tx, key, table, summary):
                return self._read_summary(tx, key)
            self._drop_summary(tx, key)
            tx.run(
                "INSERT INTO ic_summaries (summary_key, table_id, email_col, es_col, en_col, "
                "rc_col, oc_col, lc_col) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    table,
                    summary.email,
                    summary.email_status,
                    summary.engagement_status,
                    summary.reply_count,
                    summary.open_count,
                    summary.last_contacted,
                ),
            )
            if summary.email_status is not None or summary.engagement_status is not None:
                status = summary.email_status or summary.engagement_status
                emails = tx.fetch(
                    _EMAILS_WITH_STATUS,
                    (
                        status,
                        summary.engagement_status or status,
                        table,
                        summary.email,
                    ),
                )
                self._refresh_leads(tx, table, key, summary, sorted(e for (e,) in emails))
            return self._read_summary(tx, key)

    def drop_lead_groups(self, key: str) -> None:
        """Stop keeping the aggregate ``key`` (no error when there is none)."""
        key = codec.check_id(key, "key")
        with self._transaction(write=True) as tx:
            self._drop_summary(tx, key)

    # --- IntegrationStore ------------------------------------------------------------------

    def _link(self, record: tuple[Any, ...]) -> CampaignLink:
        return CampaignLink(
            id=record[0],
            table_id=record[1],
            campaign_id=codec.decode_text(record[2]) or "",
            campaign_name=codec.decode_text(record[3]) or "",
            sequence_mode=record[4],
            field_mapping=json.loads(record[5]),
            credential_id=record[6],
            settings=json.loads(record[7]),
            version=int(record[8]),
            created_at=self._time_out(record[9]),
            updated_at=self._time_out(record[10]),
        )

    def links(self, table: TableId | None = None) -> list[CampaignLink]:
        """Every integration, or those of one table, ordered by id."""
        with self._transaction(write=False) as tx:
            if table is None:
                found = tx.fetch(_INTEGRATION_COLUMNS + " ORDER BY integration_id")
            else:
                found = tx.fetch(
                    _INTEGRATION_COLUMNS + " WHERE table_id = ? ORDER BY integration_id",
                    (codec.check_id(table, "table"),),
                )
        return [self._link(r) for r in found]

    def link(self, link: LinkId) -> CampaignLink:
        """One integration; raises ``RecordNotFound``."""
        link = codec.check_id(link, "integration")
        with self._transaction(write=False) as tx:
            found = tx.fetch(
                _INTEGRATION_COLUMNS + " WHERE integration_id = ?",
                (link,),
            )
        if not found:
            raise _not_found("integration", [link])
        return self._link(found[0])

    def save_link(self, item: CampaignLink, *, version: int | None = None) -> CampaignLink:
        """Insert (``version=None``) or update if the stored version is ``version``;
        returns what was stored, its version bumped. Raises ``VersionConflict`` (stale
        version, or an insert of an existing id) or ``RecordNotFound`` (update of none)."""
        item = codec.check_integration(item)
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise ConfigError([Problem("version", "must be an integer or None")])
        now = self._now()
        mapping = codec.dump_json(item.field_mapping, "integration.field_mapping")
        settings = codec.dump_json(item.settings, "integration.settings")
        with self._transaction(write=True) as tx:
            if version is None:
                created = codec.to_utc(item.created_at or now, "integration.created_at")
                inserted = tx.run(
                    _INSERT_INTEGRATION,
                    (
                        item.id,
                        item.table_id,
                        codec.encode_text(item.campaign_id),
                        codec.encode_text(item.campaign_name),
                        item.sequence_mode,
                        mapping,
                        item.credential_id,
                        settings,
                        1,
                        self._time_in(created),
                        self._time_in(now),
                    ),
                )
                if not inserted:
                    raise VersionConflict(f"integration {item.id!r} already exists")
                stored_version = 1
            else:
                found = tx.fetch(
                    "SELECT version, created_at FROM ic_integrations WHERE integration_id = ?",
                    (item.id,),
                )
                if not found:
                    raise _not_found("integration", [item.id])
                if int(found[0][0]) != version:
                    raise VersionConflict(
                        f"integration {item.id!r} is at version {int(found[0][0])}, "
                        f"not {version}: it was saved by someone else; reload it"
                    )
                created = self._time_out(found[0][1])
                updated = tx.run(
                    "UPDATE ic_integrations SET table_id = ?, campaign_id = ?, "
                    "campaign_name = ?, sequence_mode = ?, field_mapping = ?, "
                    "credential_id = ?, settings = ?, version = ?, updated_at = ? "
                    "WHERE integration_id = ? AND version = ?",
                    (
                        item.table_id,
                        codec.encode_text(item.campaign_id),
                        codec.encode_text(item.campaign_name),
                        item.sequence_mode,
                        mapping,
                        item.credential_id,
                        settings,
                        version + 1,
                        self._time_in(now),
                        item.id,
                        version,
                    ),
                )
                if not updated:
                    raise VersionConflict(f"integration {item.id!r} was saved concurrently")
                stored_version = version + 1
        return attrs.evolve(
            item,
            field_mapping=json.loads(mapping),
            settings=json.loads(settings),
            version=stored_version,
            created_at=created,
            updated_at=now,
        )

    def delete_link(self, link: LinkId) -> None:
        """Delete an integration with its runs and ledger (no error when absent)."""
        link = codec.check_id(link, "integration")
        with self._transaction(write=True) as tx:
            tx.run("DELETE FROM ic_integrations WHERE integration_id = ?", (link,))
            self._drop_summary(tx, link)
            tx.run("DELETE FROM ic_ledger WHERE integration_id = ?", (link,))
            tx.run("DELETE FROM ic_runs WHERE integration_id = ?", (link,))

    def _run(self, record: tuple[Any, ...]) -> SyncRun:
        return SyncRun(
            id=record[0],
            link_id=record[1],
            status=record[2],
            started_at=self._time_out(record[3]),
            finished_at=self._maybe_time(record[4]),
            heartbeat_at=self._maybe_time(record[5]),
            leads_seen=int(record[6]),
            rows_matched=int(record[7]),
            leads_unmatched=int(record[8]),
            duplicate_rows=int(record[9]),
            cells_written=int(record[10]),
            errors=tuple(json.loads(record[11])),
            cursor=codec.decode_text(record[12]),
            summary=None if record[13] is None else json.loads(record[13]),
        )

    def _run_values(self, run: SyncRun) -> tuple[Any, ...]:
        return (
            run.status,
            self._time_in(run.started_at),
            None if run.finished_at is None else self._time_in(run.finished_at),
            None if run.heartbeat_at is None else self._time_in(run.heartbeat_at),
            run.leads_seen,
            run.rows_matched,
            run.leads_unmatched,
            run.duplicate_rows,
            run.cells_written,
            json.dumps(list(run.errors)),
            codec.encode_text(run.cursor),
            None if run.summary is None else codec.dump_json(run.summary, "run.summary"),
        )

    def start_run(self, run: SyncRun, *, stale_after: float = 300.0) -> SyncRun:
        """Take the integration's lease by recording a ``running`` run.

        Raises ``SyncInProgress`` when another run is ``running`` with a heartbeat (or
        start) less than ``stale_after`` seconds before this run's ``started_at``; an
        older one is marked ``failed`` and taken over. Raises ``RecordNotFound`` for an
        unknown integration and ``VersionConflict`` for a run id already used.
        """
        run = codec.check_run(run)
        if run.status != "running":
            raise ConfigError([Problem("run.status", "a run starts as 'running'")])
        stale = codec.seconds(stale_after, "stale_after")
        if run.heartbeat_at is None:
            run = attrs.evolve(run, heartbeat_at=run.started_at)
        with self._transaction(write=True) as tx:
            self._lock(tx, "lease", run.link_id)
            self._require_link(tx, run.link_id)
            if tx.fetch("SELECT 1 FROM ic_runs WHERE run_id = ?", (run.id,)):
                raise VersionConflict(f"run {run.id!r} was already started")
            for other in tx.fetch(
                _RUN_COLUMNS + " WHERE integration_id = ? AND status = 'running'",
                (run.link_id,),
            ):
                holder = self._run(other)
                codec.check_stale(holder, run, stale)
                taken = attrs.evolve(
                    holder,
                    status="failed",
                    finished_at=run.started_at,
                    errors=(*holder.errors, codec.takeover_note(holder, run)),
                )
                tx.run(
                    "UPDATE ic_runs SET status = ?, finished_at = ?, errors = ? WHERE run_id = ?",
                    (
                        "failed",
                        self._time_in(run.started_at),
                        json.dumps(list(taken.errors)),
                        holder.id,
                    ),
                )
            # The order runs started in, by a counter, not a clock: clocks tie and step back.
            (last,) = tx.fetch(
                "SELECT COALESCE(MAX(seq), 0) FROM ic_runs WHERE integration_id = ?",
                (run.link_id,),
            )[0]
            tx.run(
                _INSERT_RUN,
                (run.id, run.link_id, *self._run_values(run), int(last) + 1),
            )
        return run

    def update_run(self, run: SyncRun) -> None:
        """Checkpoint a run: counts, cursor, heartbeat, status. A ``running`` checkpoint
        of a run that lost its lease (taken over, or already finished) raises
        ``SyncInProgress``; ``RecordNotFound`` for an unknown run."""
        run = codec.check_run(run)
        with self._transaction(write=True) as tx:
            tx.one_write()
            self._lock(tx, "lease", run.link_id)
            # One statement when the run holds its lease (every checkpoint of a sync): the
            # run is read only to say why the update found nothing to change.
            if tx.run(_UPDATE_RUN, (*self._run_values(run), run.id, run.link_id, run.status)):
                return
            found = tx.fetch(
                "SELECT status, integration_id FROM ic_runs WHERE run_id = ?", (run.id,)
            )
            if not found:
                raise _not_found("run", [run.id])
            status, link = found[0]
            if link != run.link_id:
                raise ConfigError([Problem("run.link_id", f"run {run.id!r} belongs to {link!r}")])
            raise SyncInProgress(
                f"run {run.id!r} no longer holds the lease of {link!r} (it is {status!r})"
            )

    def runs(self, link: LinkId, *, limit: int = 20) -> list[SyncRun]:
        """The integration's runs, the last started first (by the order ``start_run`` saw
        them, never by their clocks)."""
        link = codec.check_id(link, "integration")
        limit = codec.check_limit(limit)
        with self._transaction(write=False) as tx:
            found = tx.fetch(
                _RUN_COLUMNS + " WHERE integration_id = ? "
                "ORDER BY COALESCE(seq, 0) DESC, started_at DESC, run_id DESC LIMIT ?",
                (link, limit),
            )
        return [self._run(r) for r in found]

    def _entry(self, record: tuple[Any, ...]) -> LedgerEntry:
        return LedgerEntry(
            link_id=record[0],
            row_id=record[1],
            email=codec.decode_text(record[2]),
            status=record[3],
            lead_id=codec.decode_text(record[4]),
            error=codec.decode_text(record[5]),
            pushed_at=self._maybe_time(record[6]),
            payload_hash=codec.decode_text(record[7]),
        )

    def ledger(self, link: LinkId, emails: Collection[str]) -> dict[str, LedgerEntry]:
        """Push results by email (exact match on the normalised email). When rows share
        an email, one with a lead id wins, then the latest push, then the smallest row."""
        link = codec.check_id(link, "integration")
        wanted = codec.strings(emails, "emails")
        stored = sorted({codec.encode_text(e) or "" for e in wanted})
        by_email: dict[str, list[LedgerEntry]] = {}
        with self._transaction(write=False) as tx:
            for batch in self._batches(stored):
                clause, params = self._in("email", batch)
                for record in tx.fetch(
                    _LEDGER_IN.format(cond=clause),
                    [link, *params],
                ):
                    entry = self._entry(record)
                    by_email.setdefault(entry.email or "", []).append(entry)
        return {email: codec.ledger_winner(found) for email, found in by_email.items()}

    def push_results(self, link: LinkId, rows: Collection[RowId]) -> dict[RowId, LedgerEntry]:
        """Push results of these rows."""
        link = codec.check_id(link, "integration")
        ids = codec.check_ids(rows, "rows")
        out: dict[RowId, LedgerEntry] = {}
        with self._transaction(write=False) as tx:
            for batch in self._batches(ids):
                clause, params = self._in("row_id", batch)
                for record in tx.fetch(
                    _LEDGER_IN.format(cond=clause),
                    [link, *params],
                ):
                    out[record[1]] = self._entry(record)
        return out

    def write_ledger(self, link: LinkId, entries: Sequence[LedgerEntry]) -> None:
        """Upsert push results by (integration, row); ``RecordNotFound`` for an unknown
        integration."""
        link = codec.check_id(link, "integration")
        checked = codec.check_ledger(link, entries)
        with self._transaction(write=True) as tx:
            self._require_link(tx, link)
            tx.run_many(
                _UPSERT_LEDGER,
                [
                    (
                        link,
                        e.row_id,
                        codec.encode_text(e.email),
                        e.status,
                        codec.encode_text(e.lead_id),
                        codec.encode_text(e.error),
                        None if e.pushed_at is None else self._time_in(e.pushed_at),
                        codec.encode_text(e.payload_hash),
                    )
                    for e in checked
                ],
            )

    def record_event(self, key: str, received_at: datetime) -> bool:
        """Remember a webhook event key; False when it was already recorded (a replay)."""
        stored = codec.event_key(key)
        when = codec.to_utc(received_at, "received_at")
        with self._transaction(write=True) as tx:
            return (
                tx.run(
                    "INSERT INTO ic_events (event_key, received_at) VALUES (?, ?) "
                    "ON CONFLICT (event_key) DO NOTHING",
                    (stored, self._time_in(when)),
                )
                > 0
            )

    def prune_events(self, before: datetime) -> int:
        """Forget events received before ``before``; returns how many were forgotten."""
        when = codec.to_utc(before, "before")
        with self._transaction(write=True) as tx:
            return tx.run("DELETE FROM ic_events WHERE received_at < ?", (self._time_in(when),))

    # --- CredentialStore -------------------------------------------------------------------

    def get_key(self, credential: CredentialId) -> ApiKey | None:
        """The stored key, or ``None``. ``CredentialError`` if it cannot be decrypted."""
        credential = codec.check_id(credential, "credential")
        with self._transaction(write=False) as tx:
            found = tx.fetch(
                "SELECT scheme, secret FROM ic_credentials WHERE credential_id = ?",
                (credential,),
            )
        if not found:
            return None
        return open_secret(self._cipher, credential, found[0][0], found[0][1])

    def set_key(self, credential: CredentialId, key: ApiKey) -> None:
        """Store a key (sealed when the store has an ``encryption_key``)."""
        credential = codec.check_id(credential, "credential")
        scheme, secret = seal_secret(self._cipher, credential, key)
        with self._transaction(write=True) as tx:
            tx.run(
                "INSERT INTO ic_credentials (credential_id, scheme, secret, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (credential_id) DO UPDATE SET "
                "scheme = excluded.scheme, secret = excluded.secret, "
                "updated_at = excluded.updated_at",
                (credential, scheme, secret, self._time_in(self._now())),
            )
        self._scrub_credentials()

    def delete_key(self, credential: CredentialId) -> None:
        """Forget a key (no error when absent), and scrub what the database keeps of the
        deleted value where it can (see ``_scrub_credentials``)."""
        credential = codec.check_id(credential, "credential")
        with self._transaction(write=True) as tx:
            tx.run("DELETE FROM ic_credentials WHERE credential_id = ?", (credential,))
        self._scrub_credentials()

    @abstractmethod
    def _scrub_credentials(self) -> None:
        """Remove old versions of credential rows from the database's files, after a key was
        replaced or deleted (outside any transaction only)."""
