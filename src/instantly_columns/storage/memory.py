"""An in-process store: dictionaries behind a lock. For tests, demos and notebooks; it is
also the reference the storage contract compares other adapters with."""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any

import attrs
from typing_extensions import Self

from instantly_columns.clock import SystemClock
from instantly_columns.domain.columns import Column, Row
from instantly_columns.domain.engagement import EngagementSubtype
from instantly_columns.errors import (
    ConfigError,
    CredentialError,
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

__all__ = ["MemoryStore"]


@attrs.define
class _Table:
    name: str
    columns: dict[ColumnId, Column] = attrs.field(factory=dict)
    row_ids: list[RowId] = attrs.field(factory=list)  # sorted
    cells: dict[RowId, dict[ColumnId, codec.EncodedCell]] = attrs.field(factory=dict)
    index: dict[tuple[ColumnId, str], set[RowId]] = attrs.field(factory=dict)

    def put(self, row: RowId, column: ColumnId, value: codec.Encoded | None) -> bool:
        if value is not None and value.__class__ is not codec.EncodedCell:
            value = codec.EncodedCell(*value)
        row_cells = self.cells[row]
        old = row_cells.get(column)
        if old == value:
            return False
        if old is not None and old.norm is not None:
            self.index[(column, old.norm)].discard(row)
        if value is None:
            del row_cells[column]
        else:
            row_cells[column] = value
            if value.norm is not None:
                self.index.setdefault((column, value.norm), set()).add(row)
        return True

    def drop_row(self, row: RowId) -> None:
        for column in list(self.cells[row]):
            self.put(row, column, None)
        del self.cells[row]
        del self.row_ids[bisect.bisect_left(self.row_ids, row)]

    def drop_column(self, column: ColumnId) -> None:
        for row in self.row_ids:
            if column in self.cells[row]:
                self.put(row, column, None)
        del self.columns[column]

    def copy(self) -> _Table:
        """A copy sharing nothing mutable (cells and columns are immutable values)."""
        return _Table(
            self.name,
            dict(self.columns),
            list(self.row_ids),
            {row: dict(cells) for row, cells in self.cells.items()},
            {key: set(rows) for key, rows in self.index.items()},
        )


def _not_found(what: str, ids: Collection[str]) -> RecordNotFound:
    shown = ", ".join(repr(i) for i in sorted(ids)[:5])
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    return RecordNotFound(f"no such {what}: {shown}{more}")


class MemoryStore(OldLinkNames):
    """All three storage ports in memory, thread-safe, lost when the process ends.

    It accepts, rejects and answers exactly like the SQL stores (same checks, same
    encoding of cells), so it doubles as their reference model. API keys are kept as
    ``ApiKey`` objects; there is nothing to encrypt at rest.

    ```python
    from instantly_columns.domain.columns import Column, Row
    from instantly_columns.ports import CellWrite
    from instantly_columns.storage import MemoryStore

    store = MemoryStore()
    store.create_table("t")
    store.save_columns("t", [Column(id="c", key="c", name="C")])
    store.insert_rows("t", [Row(id="r1")])
    assert store.write_cells("t", [CellWrite("r1", "c", "x")]) == 1
    assert store.write_cells("t", [CellWrite("r1", "c", "x")]) == 0  # unchanged
    assert store.rows("t")[0].cells == {"c": "x"}
    ```
    """

    def __init__(
        self, *, clock: Clock | None = None, chunk_size: int = codec.DEFAULT_CHUNK_SIZE
    ) -> None:
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._chunk_size = codec.check_limit(chunk_size, "chunk_size")
        self._lock = threading.RLock()
        self._closed = False
        self._tables: dict[TableId, _Table] = {}
        self._integrations: dict[LinkId, CampaignLink] = {}
        self._runs: dict[str, SyncRun] = {}
        self._ledger: dict[tuple[LinkId, RowId], LedgerEntry] = {}
        self._events: dict[str, datetime] = {}
        self._keys: dict[CredentialId, ApiKey] = {}
        self._summaries: dict[str, tuple[TableId, leads.Tally]] = {}

    def __repr__(self) -> str:
        return f"MemoryStore(tables={len(self._tables)})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Mark the store closed; using it afterwards raises ``StoreError``."""
        self._closed = True

    def reset_for_tests(self) -> None:
        """Delete every record the store holds. For test suites that share one store."""
        with self._lock:
            self._open()
            for records in (
                self._tables,
                self._integrations,
                self._runs,
                self._ledger,
                self._events,
                self._keys,
                self._summaries,
            ):
                records.clear()

    def _open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    def lock_rows(self, table: TableId, row_ids: Collection[RowId]) -> None:
        """``RowLocking``: nothing to do, since ``atomic()`` holds the store's lock for the
        whole block, so units on the same rows already take turns. Ids are still checked."""
        codec.check_id(table, "table")
        codec.check_ids(row_ids, "row_ids")

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Make the calls inside the block one unit (see ``UnitOfWork``): the block holds
        the store's lock, so other threads wait for it, and when it raises every record
        is put back as it was when the block began. Nested blocks join the outer one."""
        with self._lock:
            self._open()
            saved = (
                {table: data.copy() for table, data in self._tables.items()},
                dict(self._integrations),
                dict(self._runs),
                dict(self._ledger),
                dict(self._events),
                dict(self._keys),
                {key: (table, tally.copy()) for key, (table, tally) in self._summaries.items()},
            )
            try:
                yield
            except BaseException:
                (
                    self._tables,
                    self._integrations,
                    self._runs,
                    self._ledger,
                    self._events,
                    self._keys,
                    self._summaries,
                ) = saved
                raise

    def _table(self, table: TableId) -> _Table:
        self._open()
        found = self._tables.get(table)
        if found is None:
            raise _not_found("table", [table])
        return found

    def _require_columns(self, table: TableId, columns: Collection[ColumnId]) -> None:
        missing = set(columns) - set(self._tables[table].columns)
        if missing:
            raise _not_found(f"column in table {table!r}", missing)

    def _require_rows(self, table: TableId, rows: Collection[RowId]) -> None:
        missing = set(rows) - set(self._tables[table].cells)
        if missing:
            raise _not_found(f"row in table {table!r}", missing)

    def _now(self) -> datetime:
        return codec.to_utc(self._clock.now(), "clock.now()")

    # --- tables ----------------------------------------------------------------------------

    def create_table(self, table: TableId, name: str = "") -> None:
        """Create a table, or rename it when it exists."""
        table = codec.check_id(table, "table")
        if not isinstance(name, str):
            raise ConfigError([Problem("name", "must be a string")])
        with self._lock:
            self._open()
            existing = self._tables.get(table)
            if existing is None:
                self._tables[table] = _Table(name)
            else:
                existing.name = name

    def delete_table(self, table: TableId) -> bool:
        """Delete a table with its columns, rows and cells; False when there was none."""
        table = codec.check_id(table, "table")
        with self._lock:
            self._open()
            for key in [k for k, (t, _) in self._summaries.items() if t == table]:
                del self._summaries[key]
            return self._tables.pop(table, None) is not None

    def insert_rows(self, table: TableId, rows: Sequence[Row]) -> int:
        """Add rows with their cells (a row that exists gets the given cells written).
        Returns how many rows were created."""
        table = codec.check_id(table, "table")
        prepared = codec.prepare_rows(rows)
        created = 0
        with self._lock:
            self._table(table)
        for batch in codec.row_chunks(prepared, self._chunk_size):
            with self._lock:
                data = self._table(table)
                self._require_columns(table, {key[1] for _, cells in batch for key, _ in cells})
                pending = self._before(table, [key for _, cells in batch for key, _ in cells])
                for row_id, cells in batch:
                    if row_id not in data.cells:
                        data.cells[row_id] = {}
                        bisect.insort(data.row_ids, row_id)
                        created += 1
                    for (_, column), enc in cells:
                        data.put(row_id, column, enc)
                self._after(data, pending)
        return created

    def delete_rows(self, table: TableId, rows: Collection[RowId]) -> int:
        """Delete rows and their cells; returns how many rows were deleted."""
        table = codec.check_id(table, "table")
        ids = codec.check_ids(rows, "rows")
        with self._lock:
            data = self._table(table)
            present = [r for r in ids if r in data.cells]
            pending = self._before(table, present)
            for row in present:
                data.drop_row(row)
            self._after(data, pending)
            return len(present)

    # --- TableStore ------------------------------------------------------------------------

    def columns(self, table: TableId) -> list[Column]:
        """The table's columns in the order they were first saved."""
        table = codec.check_id(table, "table")
        with self._lock:
            return list(self._table(table).columns.values())

    def save_columns(self, table: TableId, columns: Sequence[Column]) -> None:
        """Insert or replace columns by id. New ones go last, replaced ones keep their
        place. A key held by another column raises ``VersionConflict``."""
        table = codec.check_id(table, "table")
        records = codec.column_records(columns)
        if not records:
            with self._lock:
                self._table(table)
            return
        rebuilt = [codec.column_from_record(*record) for record in records]
        with self._lock:
            data = self._table(table)
            saving = {c.id for c in rebuilt}
            owner = {c.key: c.id for c in data.columns.values()}
            for column in rebuilt:
                holder = owner.get(column.key)
                if holder is not None and holder != column.id and holder not in saving:
                    raise VersionConflict(
                        f"column key {column.key!r} of table {table!r} belongs to column {holder!r}"
                    )
            for column in rebuilt:
                data.columns[column.id] = column

    def delete_columns(self, table: TableId, column_ids: Collection[ColumnId]) -> int:
        """Delete columns and their cells; returns how many columns were deleted."""
        table = codec.check_id(table, "table")
        ids = codec.check_ids(column_ids, "column_ids")
        with self._lock:
            data = self._table(table)
            present = [c for c in ids if c in data.columns]
            for key, (where, tally) in list(self._summaries.items()):
                if where == table and leads.tracked_ids(tally.columns) & set(present):
                    del self._summaries[key]  # its columns are gone: the next read rebuilds
            for column in present:
                data.drop_column(column)
            return len(present)

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
        with self._lock:
            data = self._table(table)
            if wanted:
                self._require_columns(table, wanted)
            start = 0 if after is None else bisect.bisect_right(data.row_ids, after)
            page = data.row_ids[start : start + limit]
            out = []
            for row in page:
                cells = data.cells[row]
                chosen = cells if wanted is None else {c: cells[c] for c in wanted if c in cells}
                out.append(
                    Row.model_construct(
                        id=row,
                        cells={c: codec.decode_cell(*enc.triple) for c, enc in chosen.items()},
                    )
                )
            return out

    def get_rows(
        self,
        table: TableId,
        row_ids: Collection[RowId],
        fields: Sequence[ColumnId] | None = None,
    ) -> list[Row]:
        """The rows with these ids, ordered by id; unknown ids are left out."""
        table = codec.check_id(table, "table")
        ids = sorted(codec.check_ids(row_ids, "row_ids"))
        wanted = None if fields is None else codec.check_ids(fields, "fields")
        with self._lock:
            data = self._table(table)
            if wanted:
                self._require_columns(table, wanted)
            out = []
            for row in ids:
                cells = data.cells.get(row)
                if cells is None:
                    continue
                chosen = cells if wanted is None else {c: cells[c] for c in wanted if c in cells}
                out.append(
                    Row.model_construct(
                        id=row,
                        cells={c: codec.decode_cell(*enc.triple) for c, enc in chosen.items()},
                    )
                )
            return out

    def lookup_rows(
        self, table: TableId, column: ColumnId, values: Collection[str]
    ) -> dict[str, list[RowId]]:
        """Rows whose ``column`` cell, stripped and lower-cased, equals a value (values are
        normalised the same way). Keys are the given values that matched."""
        table = codec.check_id(table, "table")
        column = codec.check_id(column, "column")
        keys = codec.lookup_keys(values)
        found: dict[str, list[RowId]] = {}
        with self._lock:
            data = self._table(table)
            self._require_columns(table, [column])
            for norm, given in keys.items():
                rows = sorted(data.index.get((column, norm), ()))
                if rows:
                    for value in given:
                        found[value] = list(rows)
        return found

    def write_cells(self, table: TableId, cells: Sequence[CellWrite]) -> int:
        """Upsert cells (``None`` deletes), all or nothing; returns how many changed."""
        table = codec.check_id(table, "table")
        batch = codec.prepare_batch(cells)
        with self._lock:
            data = self._table(table)
            self._require_columns(table, batch.columns)
            self._require_rows(table, batch.rows)
            pending = self._before(table, batch.cells)
            changed = 0
            for (row, column), enc in batch.cells.items():
                changed += data.put(row, column, enc)
            self._after(data, pending)
        return changed

    # --- the maintained summaries ------------------------------------------------------------

    def _before(
        self, table: TableId, touched: Collection[tuple[RowId, ColumnId]] | Collection[RowId]
    ) -> list[tuple[leads.Tally, set[RowId], set[str]]]:
        """What a write is about to change in the table's summaries: per summary, the rows it
        touches in the summary's columns and their leads now (``touched`` is (row, column)
        pairs, or rows for a change of whole rows)."""
        pending = []
        data = self._tables[table]
        for where, tally in self._summaries.values():
            if where != table:
                continue
            ids = leads.tracked_ids(tally.columns)
            rows = {
                item if isinstance(item, str) else item[0]
                for item in touched
                if isinstance(item, str) or item[1] in ids
            }
            if rows:
                pending.append((tally, rows, self._emails(data, tally, rows)))
        return pending

    def _after(self, data: _Table, pending: list[tuple[leads.Tally, set[RowId], set[str]]]) -> None:
        for tally, rows, before in pending:
            for email in before | self._emails(data, tally, rows):
                tally.set(email, self._lead(data, tally, email))

    @staticmethod
    def _emails(data: _Table, tally: leads.Tally, rows: Collection[RowId]) -> set[str]:
        column = tally.columns.email
        out = set()
        for row in rows:
            cell = data.cells.get(row, {}).get(column)
            if cell is not None and cell.norm:
                out.add(cell.norm)
        return out

    @staticmethod
    def _lead(data: _Table, tally: leads.Tally, email: str) -> leads.Contribution | None:
        rows = data.index.get((tally.columns.email, email), ())
        return leads.lead_contribution(
            (row, leads.encoded_contribution(data.cells[row], tally.columns)) for row in rows
        )

    def lead_groups(
        self, table: TableId, key: str, columns: SummaryColumns
    ) -> list[EngagementGroup]:
        """The aggregate per lead (see ``LeadSummaries``): built on the first call for
        ``key`` or with other columns, then kept by every write."""
        table = codec.check_id(table, "table")
        key = codec.check_id(key, "key")
        columns = leads.summary_columns(columns)
        with self._lock:
            data = self._table(table)
            self._require_columns(table, leads.tracked_ids(columns))
            found = self._summaries.get(key)
            if found is not None and found[0] == table and found[1].columns == columns:
                return found[1].groups()
            tally = leads.Tally(columns)
            for column, email in list(data.index):
                if column == columns.email and email and data.index[(column, email)]:
                    tally.set(email, self._lead(data, tally, email))
            self._summaries[key] = (table, tally)
            return tally.groups()

    def drop_lead_groups(self, key: str) -> None:
        """Stop keeping the aggregate ``key``."""
        key = codec.check_id(key, "key")
        with self._lock:
            self._open()
            self._summaries.pop(key, None)

    def engagement_groups(
        self, table: TableId, columns: Mapping[EngagementSubtype, ColumnId]
    ) -> list[EngagementGroup]:
        """The same grouping the SQL stores compute, over the in-memory cells."""
        table = codec.check_id(table, "table")
        ids = codec.engagement_columns(columns)
        with self._lock:
            data = self._table(table)
            self._require_columns(table, {c for c in ids.values() if c is not None})
            es, en = ids["email_status"], ids["engagement_status"]
            groups: dict[tuple[Any, ...], list[Any]] = {}
            for row_cells in data.cells.values():
                status = row_cells.get(es) if es is not None else None
                interest = row_cells.get(en) if en is not None else None
                if status is None and interest is None:
                    continue
                replies = _int(row_cells, ids["reply_count"])
                opens = _int(row_cells, ids["open_count"])
                last = _text(row_cells, ids["last_contacted"])
                key = (
                    *(status.triple if status else (None, None, None)),
                    *(interest.triple if interest else (None, None, None)),
                )
                acc = groups.setdefault(key, [0, 0, 0, 0, None])
                acc[0] += 1
                acc[1] += codec.count_value(replies)
                acc[2] += codec.count_value(opens)
                acc[3] += 1 if codec.count_value(opens) > 0 else 0
                if last is not None and (acc[4] is None or last > acc[4]):
                    acc[4] = last
        return codec.fold_groups(
            (k[0], k[1], k[2], k[3], k[4], k[5], a[0], a[1], a[2], a[3], a[4])
            for k, a in groups.items()
        )

    # --- IntegrationStore ------------------------------------------------------------------

    def links(self, table: TableId | None = None) -> list[CampaignLink]:
        """Every integration, or those of one table, ordered by id."""
        if table is not None:
            table = codec.check_id(table, "table")
        with self._lock:
            self._open()
            return [
                item
                for _, item in sorted(self._integrations.items())
                if table is None or item.table_id == table
            ]

    def link(self, link: LinkId) -> CampaignLink:
        """One integration; raises ``RecordNotFound``."""
        link = codec.check_id(link, "integration")
        with self._lock:
            self._open()
            found = self._integrations.get(link)
        if found is None:
            raise _not_found("integration", [link])
        return found

    def save_link(self, item: CampaignLink, *, version: int | None = None) -> CampaignLink:
        """Insert (``version=None``) or update if the stored version is ``version``."""
        item = codec.check_integration(item)
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise ConfigError([Problem("version", "must be an integer or None")])
        now = self._now()
        mapping = json.loads(codec.dump_json(item.field_mapping, "integration.field_mapping"))
        settings = json.loads(codec.dump_json(item.settings, "integration.settings"))
        with self._lock:
            self._open()
            stored = self._integrations.get(item.id)
            if version is None:
                if stored is not None:
                    raise VersionConflict(f"integration {item.id!r} already exists")
                created = codec.to_utc(item.created_at or now, "integration.created_at")
                new_version = 1
            else:
                if stored is None:
                    raise _not_found("integration", [item.id])
                if stored.version != version:
                    raise VersionConflict(
                        f"integration {item.id!r} is at version {stored.version}, "
                        f"not {version}: it was saved by someone else; reload it"
                    )
                created = stored.created_at or now
                new_version = version + 1
            saved = attrs.evolve(
                item,
                field_mapping=mapping,
                settings=settings,
                version=new_version,
                created_at=created,
                updated_at=now,
            )
            self._integrations[item.id] = saved
            return saved

    def delete_link(self, link: LinkId) -> None:
        """Delete an integration with its runs and ledger (no error when absent)."""
        link = codec.check_id(link, "integration")
        with self._lock:
            self._open()
            self._integrations.pop(link, None)
            self._summaries.pop(link, None)
            for run_id in [k for k, r in self._runs.items() if r.link_id == link]:
                del self._runs[run_id]
            for key in [k for k in self._ledger if k[0] == link]:
                del self._ledger[key]

    def start_run(self, run: SyncRun, *, stale_after: float = 300.0) -> SyncRun:
        """Take the integration's lease by recording a ``running`` run (see
        ``SQLiteStore.start_run`` for the rules)."""
        run = codec.check_run(run)
        if run.status != "running":
            raise ConfigError([Problem("run.status", "a run starts as 'running'")])
        stale = codec.seconds(stale_after, "stale_after")
        if run.heartbeat_at is None:
            run = attrs.evolve(run, heartbeat_at=run.started_at)
        with self._lock:
            self._open()
            if run.link_id not in self._integrations:
                raise _not_found("integration", [run.link_id])
            if run.id in self._runs:
                raise VersionConflict(f"run {run.id!r} was already started")
            holders = [
                r for r in self._runs.values() if r.link_id == run.link_id and r.status == "running"
            ]
            for holder in holders:
                codec.check_stale(holder, run, stale)
            for holder in holders:
                self._runs[holder.id] = attrs.evolve(
                    holder,
                    status="failed",
                    finished_at=run.started_at,
                    errors=(*holder.errors, codec.takeover_note(holder, run)),
                )
            self._runs[run.id] = run
        return run

    def update_run(self, run: SyncRun) -> None:
        """Checkpoint a run (a ``running`` checkpoint of a run that lost its lease raises
        ``SyncInProgress``)."""
        run = codec.check_run(run)
        with self._lock:
            self._open()
            stored = self._runs.get(run.id)
            if stored is None:
                raise _not_found("run", [run.id])
            if stored.link_id != run.link_id:
                raise ConfigError(
                    [
                        Problem(
                            "run.link_id",
                            f"run {run.id!r} belongs to {stored.link_id!r}",
                        )
                    ]
                )
            if stored.status != "running" and run.status == "running":
                raise SyncInProgress(
                    f"run {run.id!r} no longer holds the lease of {stored.link_id!r} "
                    f"(it is {stored.status!r})"
                )
            self._runs[run.id] = run

    def runs(self, link: LinkId, *, limit: int = 20) -> list[SyncRun]:
        """The integration's runs, newest first."""
        link = codec.check_id(link, "integration")
        limit = codec.check_limit(limit)
        with self._lock:
            self._open()
            # The dict keeps the order start_run added runs in: the last started comes first.
            found = [r for r in self._runs.values() if r.link_id == link]
        found.reverse()
        return found[:limit]

    def ledger(self, link: LinkId, emails: Collection[str]) -> dict[str, LedgerEntry]:
        """Push results by email (exact match); see ``SQLiteStore.ledger``."""
        link = codec.check_id(link, "integration")
        wanted = set(codec.strings(emails, "emails"))
        by_email: dict[str, list[LedgerEntry]] = {}
        with self._lock:
            self._open()
            for (owner, _), entry in self._ledger.items():
                if owner == link and entry.email in wanted:
                    by_email.setdefault(entry.email, []).append(entry)
        return {email: codec.ledger_winner(found) for email, found in by_email.items()}

    def push_results(self, link: LinkId, rows: Collection[RowId]) -> dict[RowId, LedgerEntry]:
        """Push results of these rows."""
        link = codec.check_id(link, "integration")
        ids = codec.check_ids(rows, "rows")
        with self._lock:
            self._open()
            return {row: self._ledger[(link, row)] for row in ids if (link, row) in self._ledger}

    def write_ledger(self, link: LinkId, entries: Sequence[LedgerEntry]) -> None:
        """Upsert push results by (integration, row)."""
        link = codec.check_id(link, "integration")
        checked = codec.check_ledger(link, entries)
        with self._lock:
            self._open()
            if link not in self._integrations:
                raise _not_found("integration", [link])
            for entry in checked:
                self._ledger[(link, entry.row_id)] = entry

    def record_event(self, key: str, received_at: datetime) -> bool:
        """Remember a webhook event key; False when it was already recorded."""
        stored = codec.event_key(key)
        when = codec.to_utc(received_at, "received_at")
        with self._lock:
            self._open()
            if stored in self._events:
                return False
            self._events[stored] = when
            return True

    def prune_events(self, before: datetime) -> int:
        """Forget events received before ``before``; returns how many were forgotten."""
        when = codec.to_utc(before, "before")
        with self._lock:
            self._open()
            old = [k for k, at in self._events.items() if at < when]
            for key in old:
                del self._events[key]
            return len(old)

    # --- CredentialStore -------------------------------------------------------------------

    def get_key(self, credential: CredentialId) -> ApiKey | None:
        """The stored key, or ``None``."""
        credential = codec.check_id(credential, "credential")
        with self._lock:
            self._open()
            return self._keys.get(credential)

    def set_key(self, credential: CredentialId, key: ApiKey) -> None:
        """Store a key."""
        credential = codec.check_id(credential, "credential")
        if not isinstance(key, ApiKey):
            raise CredentialError("set_key expects an ApiKey")
        with self._lock:
            self._open()
            self._keys[credential] = key

    def delete_key(self, credential: CredentialId) -> None:
        """Forget a key (no error when absent)."""
        credential = codec.check_id(credential, "credential")
        with self._lock:
            self._open()
            self._keys.pop(credential, None)


def _int(cells: Mapping[ColumnId, codec.EncodedCell], column: ColumnId | None) -> int | None:
    found = cells.get(column) if column is not None else None
    return None if found is None else found.i


def _text(cells: Mapping[ColumnId, codec.EncodedCell], column: ColumnId | None) -> str | None:
    found = cells.get(column) if column is not None else None
    return None if found is None else found.s
