"""The optional table-store capabilities, derived from the required ``TableStore`` methods.

A host's own table store needs only ``columns``, ``save_columns``, ``delete_columns``,
``rows`` and ``write_cells``. :func:`with_capabilities` gives the flows the rest:

- ``lookup_rows`` from an index of the column's string cells, built with one keyset scan
  (``rows`` of that one column, page by page) the first time a column is looked up, and
  kept up to date by the writes made through the wrapper;
- ``get_rows`` from one pass over ``rows`` that stops as soon as every id is found;
- ``engagement_groups`` by folding the rows' five engagement cells exactly as the
  bundled stores' ``GROUP BY`` does;
- ``lead_groups`` by folding the rows per lead by the same rules as the bundled stores'
  maintained aggregate (one pass over the table per call: nothing is kept).

A capability the store has is used as it is; a store that has all of them is returned
unchanged. The index lives as long as the wrapper: make one per flow run (one sync), so
that rows the host adds or changes between runs are seen by the next run. A change made
to the table behind the wrapper's back during a run (rows inserted or deleted, cells
written directly) is not seen until :meth:`DerivedTableStore.invalidate` is called.

This module depends only on the ports, the domain and the errors.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final, cast

from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES, CellValue, Column, Row
from instantly_columns.domain.engagement import EngagementSubtype
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.errors import ConfigError, Problem
from instantly_columns.ports import (
    CapableTableStore,
    CellWrite,
    ColumnId,
    EngagementGroup,
    EngagementGrouping,
    LeadSummaries,
    RowFetch,
    RowId,
    RowLookup,
    SummaryColumns,
    TableId,
    TableStore,
    UnitOfWork,
)

__all__ = ["DerivedTableStore", "with_capabilities"]

#: Rows asked for per ``rows`` call while scanning.
DEFAULT_PAGE_SIZE: Final = 1000
_COUNT_MAX: Final = 2**31 - 1
# Strings the SQL stores cannot keep as plain text (they go to JSON): NUL, lone surrogates.
_UNSAFE: Final = re.compile("[\x00\ud800-\udfff]")


def with_capabilities(
    tables: TableStore, *, page_size: int = DEFAULT_PAGE_SIZE
) -> CapableTableStore:
    """``tables`` with every optional capability: itself when it has them all, otherwise
    a :class:`DerivedTableStore` that uses the ones it has and derives the others.

    The wrapper is also a ``UnitOfWork`` when ``tables`` is one (its ``atomic()`` resets
    the lookup index when the block is rolled back).
    """
    if (
        isinstance(tables, RowLookup)
        and isinstance(tables, RowFetch)
        and isinstance(tables, EngagementGrouping)
        and isinstance(tables, LeadSummaries)
    ):
        return cast(CapableTableStore, tables)
    if isinstance(tables, UnitOfWork):
        return _AtomicDerivedTableStore(tables, tables, page_size=page_size)
    return DerivedTableStore(tables, page_size=page_size)


class _Index:
    """The rows of one column by normalised string value."""

    __slots__ = ("by_key", "keys_of")

    def __init__(self) -> None:
        self.by_key: dict[str, set[RowId]] = {}
        self.keys_of: dict[RowId, tuple[str, ...]] = {}

    def put(self, row: RowId, value: CellValue) -> None:
        for key in self.keys_of.pop(row, ()):
            holders = self.by_key[key]
            holders.discard(row)
            if not holders:
                del self.by_key[key]
        keys = _index_keys(value)
        if keys:
            self.keys_of[row] = keys
            for key in keys:
                self.by_key.setdefault(key, set()).add(row)


def _index_keys(value: CellValue) -> tuple[str, ...]:
    """The keys a cell is found by: its stripped, lower-cased text (the rule every store
    follows), and the address the domain's ``normalize_email`` reads in it when that
    differs (``mailto:ada@example.com``, ``Ada <ada@example.com>``)."""
    if not isinstance(value, str):
        return ()
    plain = value.strip().lower()
    email = normalize_email(value)
    return (plain,) if email is None or email == plain else (plain, email)


class DerivedTableStore:
    """A ``CapableTableStore`` over a ``TableStore``: the store's own capabilities where
    it has them, derived ones (see the module) where it has not. Thread-safe.

    Use :func:`with_capabilities` to make one. Writes through the wrapper keep its lookup
    index correct: ``write_cells`` updates it (and drops it when the write fails), and
    ``delete_columns`` drops the index of the deleted columns.
    """

    def __init__(self, tables: TableStore, *, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ConfigError([Problem("page_size", "must be a positive integer")])
        self._tables = tables
        self._page = page_size
        self._own_lookup = tables if isinstance(tables, RowLookup) else None
        self._own_fetch = tables if isinstance(tables, RowFetch) else None
        self._own_groups = tables if isinstance(tables, EngagementGrouping) else None
        self._own_leads = tables if isinstance(tables, LeadSummaries) else None
        self._lock = threading.RLock()
        self._indexes: dict[tuple[TableId, ColumnId], _Index] = {}

    def __repr__(self) -> str:
        return f"DerivedTableStore({self._tables!r})"

    @property
    def tables(self) -> TableStore:
        """The wrapped store."""
        return self._tables

    def invalidate(self, table: TableId | None = None) -> None:
        """Forget the lookup index of ``table`` (or of every table); the next lookup
        scans again. Call it after changing the table behind the wrapper's back."""
        with self._lock:
            if table is None:
                self._indexes.clear()
            else:
                for key in [k for k in self._indexes if k[0] == table]:
                    del self._indexes[key]

    # --- the required methods, passed through -----------------------------------------------

    def columns(self, table: TableId) -> list[Column]:
        return self._tables.columns(table)

    def save_columns(self, table: TableId, columns: Sequence[Column]) -> None:
        self._tables.save_columns(table, columns)

    def delete_columns(self, table: TableId, column_ids: Collection[ColumnId]) -> int:
        with self._lock:
            try:
                return self._tables.delete_columns(table, column_ids)
            finally:
                if isinstance(column_ids, Iterable) and not isinstance(column_ids, str):
                    gone = set(column_ids)
                    for key in [k for k in self._indexes if k[0] == table and k[1] in gone]:
                        del self._indexes[key]

    def rows(
        self,
        table: TableId,
        fields: Sequence[ColumnId] | None = None,
        *,
        after: RowId | None = None,
        limit: int = 1000,
    ) -> list[Row]:
        return self._tables.rows(table, fields, after=after, limit=limit)

    def write_cells(self, table: TableId, cells: Sequence[CellWrite]) -> int:
        with self._lock:
            indexed = {k[1]: index for k, index in self._indexes.items() if k[0] == table}
            if not indexed:
                return self._tables.write_cells(table, cells)
            try:
                changed = self._tables.write_cells(table, cells)
            except BaseException:
                self.invalidate(table)  # some chunks may have been written
                raise
            for cell in cells:
                index = indexed.get(cell.column_id)
                if index is not None:
                    index.put(cell.row_id, cell.value)
            return changed

    # --- the optional capabilities --------------------------------------------------------

    def lookup_rows(
        self, table: TableId, column: ColumnId, values: Collection[str]
    ) -> dict[str, list[RowId]]:
        """Rows whose ``column`` cell, stripped and lower-cased, equals one of ``values``;
        a derived lookup also finds the address in ``mailto:`` and ``Name <address>``
        cells. Keys are the given values that matched; row ids are sorted."""
        if self._own_lookup is not None:
            return self._own_lookup.lookup_rows(table, column, values)
        wanted = _strings(values, "values")
        with self._lock:
            index = self._index(table, column)
            found: dict[str, list[RowId]] = {}
            for value in wanted:
                rows = index.by_key.get(value.strip().lower())
                if rows:
                    found[value] = sorted(rows)
            return found

    def _index(self, table: TableId, column: ColumnId) -> _Index:
        """The column's index, built by one scan the first time (the caller holds the
        lock)."""
        index = self._indexes.get((table, column))
        if index is None:
            index = _Index()
            for page in self._pages(table, [column]):
                for row in page:
                    index.put(row.id, row.cells.get(column))
            self._indexes[(table, column)] = index
        return index

    def get_rows(
        self,
        table: TableId,
        row_ids: Collection[RowId],
        fields: Sequence[ColumnId] | None = None,
    ) -> list[Row]:
        """The rows with these ids, ordered by id; unknown ids are left out."""
        if self._own_fetch is not None:
            return self._own_fetch.get_rows(table, row_ids, fields)
        wanted = set(_strings(row_ids, "row_ids"))
        found: dict[RowId, Row] = {}
        for page in self._pages(table, fields, first=self._page if wanted else 1):
            found.update((row.id, row) for row in page if row.id in wanted)
            if len(found) == len(wanted):
                break
        return [found[row_id] for row_id in sorted(found)]

    def engagement_groups(
        self, table: TableId, columns: Mapping[EngagementSubtype, ColumnId]
    ) -> list[EngagementGroup]:
        """The summary-row aggregate, folded from the rows' engagement cells by the same
        rules as the stores' ``GROUP BY`` (see ``EngagementGroup``)."""
        if self._own_groups is not None:
            return self._own_groups.engagement_groups(table, columns)
        ids = _engagement_columns(columns)
        fields = sorted({c for c in ids.values() if c is not None})
        es, en = ids["email_status"], ids["engagement_status"]
        if es is None and en is None:
            self._tables.rows(table, fields, limit=1)  # the same errors as a real fold
            return []
        groups: dict[tuple[str | None, str | None], list[Any]] = {}
        for page in self._pages(table, fields):
            for row in page:
                cells = row.cells
                status = cells.get(es) if es is not None else None
                interest = cells.get(en) if en is not None else None
                if status is None and interest is None:
                    continue
                replies = _count(cells, ids["reply_count"])
                opens = _count(cells, ids["open_count"])
                last = _text(cells, ids["last_contacted"])
                key = (_status_key(status), _status_key(interest))
                acc = groups.setdefault(key, [0, 0, 0, 0, None])
                acc[0] += 1
                acc[1] += replies
                acc[2] += opens
                acc[3] += 1 if opens > 0 else 0
                if last is not None and (acc[4] is None or last > acc[4]):
                    acc[4] = last
        return [
            EngagementGroup(
                email_status=key[0],
                engagement_status=key[1],
                rows=acc[0],
                reply_total=acc[1],
                open_total=acc[2],
                opened_rows=acc[3],
                last_contacted=acc[4],
            )
            for key, acc in sorted(groups.items(), key=lambda item: _group_order(item[0]))
        ]

    def lead_groups(
        self, table: TableId, key: str, columns: SummaryColumns
    ) -> list[EngagementGroup]:
        """The aggregate per lead (see ``LeadSummaries``), folded from the rows: the
        store's own when it keeps one, else one pass over the table, nothing kept."""
        if self._own_leads is not None:
            return self._own_leads.lead_groups(table, key, columns)
        if not isinstance(columns, SummaryColumns):
            raise ConfigError([Problem("columns", "expected SummaryColumns")])
        summary = columns
        eng = summary.engagement()
        fields = sorted({summary.email, *eng.values()})
        firsts: dict[str, _Share | None] = {}
        for page in self._pages(table, fields):
            for row in page:  # in id order: a lead's first row with a status comes first
                email = row.cells.get(summary.email)
                if not isinstance(email, str) or not email.strip():
                    continue
                norm = email.strip().lower()
                if firsts.get(norm) is not None:
                    continue
                firsts[norm] = _contribution(row.cells, eng)
        groups: dict[tuple[str | None, str | None], list[Any]] = {}
        for share in firsts.values():
            if share is None:
                continue
            acc = groups.setdefault((share[0], share[1]), [0, 0, 0, 0, None])
            acc[0] += 1
            acc[1] += share[2]
            acc[2] += share[3]
            acc[3] += 1 if share[3] > 0 else 0
            if share[4] is not None and (acc[4] is None or share[4] > acc[4]):
                acc[4] = share[4]
        return [
            EngagementGroup(
                email_status=key[0],
                engagement_status=key[1],
                rows=acc[0],
                reply_total=acc[1],
                open_total=acc[2],
                opened_rows=acc[3],
                last_contacted=acc[4],
            )
            for key, acc in sorted(groups.items(), key=lambda item: _group_order(item[0]))
        ]

    def drop_lead_groups(self, key: str) -> None:
        """Nothing is kept for a derived aggregate; the store's own is dropped."""
        if self._own_leads is not None:
            self._own_leads.drop_lead_groups(key)

    # --- plumbing -------------------------------------------------------------------------

    def _pages(
        self, table: TableId, fields: Sequence[ColumnId] | None, *, first: int | None = None
    ) -> Iterator[list[Row]]:
        """Every row of the table, a page at a time (keyset paging on the row id)."""
        after: RowId | None = None
        limit = first or self._page
        while True:
            page = self._tables.rows(table, fields, after=after, limit=limit)
            yield page
            if len(page) < limit or page[-1].id == after:
                return
            after, limit = page[-1].id, self._page


class _AtomicDerivedTableStore(DerivedTableStore):
    """A derived store over a ``UnitOfWork``: ``atomic()`` is the store's, and a block
    that is rolled back also drops the lookup index (it may hold undone writes)."""

    def __init__(
        self, tables: TableStore, unit: UnitOfWork, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> None:
        super().__init__(tables, page_size=page_size)
        self._unit = unit

    @contextmanager
    def atomic(self) -> Iterator[None]:
        try:
            with self._unit.atomic():
                yield
        except BaseException:
            self.invalidate()
            raise


def _strings(values: object, path: str) -> list[str]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ConfigError([Problem(path, "expected a collection of strings, not one value")])
    out: list[str] = []
    for n, value in enumerate(values):
        if not isinstance(value, str):
            raise ConfigError([Problem(f"{path}[{n}]", "must be a string")])
        out.append(value)
    return out


def _engagement_columns(columns: object) -> dict[str, ColumnId | None]:
    if not isinstance(columns, Mapping):
        raise ConfigError([Problem("columns", "expected a mapping of subtype to column id")])
    unknown = sorted(str(k) for k in set(columns) - set(ENGAGEMENT_SUBTYPES))
    if unknown:
        raise ConfigError([Problem(f"columns.{unknown[0]}", "not an engagement subtype")])
    out: dict[str, ColumnId | None] = {}
    for subtype in ENGAGEMENT_SUBTYPES:
        column = columns.get(subtype)
        if column is not None and (not isinstance(column, str) or not column):
            raise ConfigError([Problem(f"columns.{subtype}", "must be a non-empty string")])
        out[subtype] = column
    return out


def _canonical(value: object) -> str:
    """JSON text with sorted keys and compact separators, as the stores key a status cell
    that is not a string (ASCII-escaped when it holds a lone surrogate)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if _UNSAFE.search(text):
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return text


def _status_key(value: CellValue) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return _canonical(value)


def _count(cells: Mapping[ColumnId, CellValue], column: ColumnId | None) -> int:
    """A count cell's share of a total: integers from 0 to 2**31 - 1; anything else adds
    nothing."""
    value = cells.get(column) if column is not None else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _COUNT_MAX:
        return value
    return 0


def _text(cells: Mapping[ColumnId, CellValue], column: ColumnId | None) -> str | None:
    """A ``last_contacted`` candidate: a string cell the stores keep as plain text."""
    value = cells.get(column) if column is not None else None
    if isinstance(value, str) and not _UNSAFE.search(value):
        return value
    return None


_Share = tuple[str | None, str | None, int, int, str | None]


def _contribution(
    cells: Mapping[ColumnId, CellValue], columns: Mapping[EngagementSubtype, ColumnId]
) -> _Share | None:
    """A row's share, by the rules of ``engagement_groups``; ``None`` without a status."""
    es, en = columns.get("email_status"), columns.get("engagement_status")
    status = cells.get(es) if es is not None else None
    interest = cells.get(en) if en is not None else None
    if status is None and interest is None:
        return None
    return (
        _status_key(status),
        _status_key(interest),
        _count(cells, columns.get("reply_count")),
        _count(cells, columns.get("open_count")),
        _text(cells, columns.get("last_contacted")),
    )


def _group_order(key: tuple[str | None, str | None]) -> tuple[bool, str, bool, str]:
    return (key[0] is not None, key[0] or "", key[1] is not None, key[1] or "")
