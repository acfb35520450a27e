"""What the flows return: plain, frozen values with short reprs and notebook tables."""

from __future__ import annotations

import html
import json
import threading
import warnings
import weakref
from abc import abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs

from instantly_columns.domain._html import html_table
from instantly_columns.domain.columns import InstantlySubtype
from instantly_columns.domain.summary import Aggregate, SummaryCell
from instantly_columns.ports import PushStatus, RunStatus, SyncRun, _LinkIdAlias

if TYPE_CHECKING:
    import sqlite3

__all__ = [
    "AnalyticsDay",
    "AnalyticsPanel",
    "DeletionReport",
    "ProgressEvent",
    "PushProgress",
    "PushReport",
    "PushRowReport",
    "PushRows",
    "SettingsChange",
    "SummaryRow",
    "SyncReport",
    "WebhookReport",
]

_RENAMED = {"PushRowResult": "PushRowReport", "WebhookResult": "WebhookReport"}


def __getattr__(name: str) -> Any:
    # The service returns reports (the client returns results): the old names, one release.
    new = _RENAMED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"{name} is now {new}", DeprecationWarning, stacklevel=2)
    return globals()[new]


#: Rows a notebook shows of a long report before "… N more rows".
_HTML_ROWS = 20


@attrs.frozen
class PushRowReport:
    """The outcome of one input row. Every input row gets exactly one."""

    row_id: str
    status: PushStatus | Literal["updated", "would_push", "would_update"]
    email: str | None = None
    lead_id: str | None = None
    error: str | None = None
    pushed_at: datetime | None = None

    def as_cell(self) -> dict[str, Any]:
        """The JSON written to the row's ``push_action`` cell."""
        return {
            "status": self.status,
            "lead_id": self.lead_id,
            "pushed_at": self.pushed_at.isoformat().replace("+00:00", "Z")
            if self.pushed_at
            else None,
            "error": self.error,
        }


class PushSpool:
    """Where a push keeps what it learns row by row, off the heap: the per-row results, the
    request bodies, and the first row of each email (to dedupe rows that share one across
    pages). A private temporary SQLite database: in memory while small, spilled to a file
    beyond a couple of megabytes, deleted when the report that reads it is.

    The push flow writes; [`PushRows`][instantly_columns.service.reports.PushRows] and the
    report's ``bodies`` and ``updates`` read. Safe to read from any thread.
    """

    _FLUSH = 1000

    def __init__(self) -> None:
        import sqlite3  # here, not at import: most programs never push

        self._db: sqlite3.Connection = sqlite3.connect("", check_same_thread=False)
        self._lock = threading.Lock()
        self._db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
            "CREATE TABLE results (seq INTEGER PRIMARY KEY, row_id TEXT NOT NULL, "
            "status TEXT NOT NULL, email TEXT, lead_id TEXT, error TEXT, pushed_at TEXT);"
            "CREATE INDEX results_by_row ON results (row_id);"
            "CREATE TABLE bodies (kind TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,"
            " PRIMARY KEY (kind, seq));"
            "CREATE TABLE seen (email TEXT PRIMARY KEY, row_id TEXT NOT NULL) WITHOUT ROWID;"
        )
        weakref.finalize(self, self._db.close)
        self._rows: list[tuple[Any, ...]] = []
        self._counts: Counter[str] = Counter()
        self._bodies: dict[str, int] = {}
        self._size = 0

    # --- written by the push ---------------------------------------------------------------

    def add(self, seq: int, row: PushRowReport) -> None:
        """The result of the row read ``seq``-th (from 0; every seq gets exactly one)."""
        pushed_at = row.pushed_at.isoformat() if row.pushed_at is not None else None
        self._rows.append(
            (seq, row.row_id, row.status, row.email, row.lead_id, row.error, pushed_at)
        )
        self._counts[row.status] += 1
        self._size += 1
        if len(self._rows) >= self._FLUSH:
            self._flush()

    def add_body(self, kind: Literal["bodies", "updates"], body: Mapping[str, Any]) -> None:
        """A request body, in order."""
        seq = self._bodies.get(kind, 0)
        self._bodies[kind] = seq + 1
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)
        with self._lock:
            self._db.execute("INSERT INTO bodies VALUES (?, ?, ?)", (kind, seq, text))

    def firsts(self, emails: Iterable[str]) -> dict[str, str]:
        """The first row of each of these emails seen so far (see `remember`)."""
        wanted = sorted(set(emails))
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                found.update(
                    self._db.execute(
                        f"SELECT email, row_id FROM seen WHERE email IN ({marks})",  # noqa: S608 (marks)
                        part,
                    ).fetchall()
                )
        return found

    def remember(self, firsts: Iterable[tuple[str, str]]) -> None:
        """Remember ``(email, first row id)`` pairs; an email seen before keeps its row."""
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", firsts)

    def finish(self) -> None:
        """The push is over: results written out, dedupe state dropped."""
        self._flush()
        with self._lock:
            self._db.execute("DELETE FROM seen")

    def _flush(self) -> None:
        if self._rows:
            with self._lock:
                self._db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?)", self._rows)
            self._rows = []

    # --- read by the report ----------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(self._counts.items()))

    def __len__(self) -> int:
        return self._size

    def rows(self, first: int, stop: int) -> list[PushRowReport]:
        """Results ``first`` up to ``stop`` (exclusive), in the order the rows were read."""
        self._flush()
        with self._lock:
            found = self._db.execute(
                "SELECT row_id, status, email, lead_id, error, pushed_at FROM results "
                "WHERE seq >= ? AND seq < ? ORDER BY seq",
                (first, stop),
            ).fetchall()
        return [_row(r) for r in found]

    def result(self, row_id: str) -> PushRowReport | None:
        self._flush()
        with self._lock:
            found = self._db.execute(
                "SELECT row_id, status, email, lead_id, error, pushed_at FROM results "
                "WHERE row_id = ? ORDER BY seq LIMIT 1",
                (row_id,),
            ).fetchone()
        return None if found is None else _row(found)

    def body_count(self, kind: str) -> int:
        return self._bodies.get(kind, 0)

    def bodies(self, kind: str, first: int, stop: int) -> list[dict[str, Any]]:
        with self._lock:
            found = self._db.execute(
                "SELECT body FROM bodies WHERE kind = ? AND seq >= ? AND seq < ? ORDER BY seq",
                (kind, first, stop),
            ).fetchall()
        return [json.loads(text) for (text,) in found]


def _row(record: tuple[Any, ...]) -> PushRowReport:
    row_id, status, email, lead_id, error, pushed_at = record
    return PushRowReport(
        row_id,
        status,
        email,
        lead_id,
        error,
        None if pushed_at is None else datetime.fromisoformat(pushed_at),
    )


_PAGE = 1000


class _Lazy(Sequence[Any]):
    """A read-only sequence over a spool: indexes and slices read what they ask for,
    iteration reads a page at a time. Equal to any sequence with the same items; pickles
    (and copies) as a tuple."""

    @abstractmethod
    def _count(self) -> int:
        """How many items the spool holds."""

    @abstractmethod
    def _read(self, first: int, stop: int) -> list[Any]:
        """Items ``first`` to ``stop`` (exclusive), read from the spool."""

    def __len__(self) -> int:
        return self._count()

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        size = self._count()
        if isinstance(index, slice):
            first, stop, step = index.indices(size)
            if step != 1:
                return [self[i] for i in range(first, stop, step)]
            return self._read(first, stop) if first < stop else []
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError("index out of range")
        return self._read(position, position + 1)[0]

    def __iter__(self) -> Iterator[Any]:
        size = self._count()
        for first in range(0, size, _PAGE):
            yield from self._read(first, min(first + _PAGE, size))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Any:
        return (tuple, (tuple(self),))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self)}>"


class PushRows(_Lazy, Sequence[PushRowReport]):
    """The per-row results of a push, in the order its rows were read: a read-only sequence
    that keeps them off the heap (see ``PushSpool``) and reads them back a page at a time as
    it is iterated, indexed or sliced. ``result(row_id)`` finds one row's; ``counts`` are
    kept as the push goes. A push of 100,000 rows holds no 100,000 results in memory."""

    def __init__(self, spool: PushSpool) -> None:
        self._spool = spool

    def _count(self) -> int:
        return len(self._spool)

    def _read(self, first: int, stop: int) -> list[PushRowReport]:
        return self._spool.rows(first, stop)

    @property
    def counts(self) -> dict[str, int]:
        return self._spool.counts

    def result(self, row_id: str) -> PushRowReport | None:
        return self._spool.result(row_id)


class _Bodies(_Lazy, Sequence[Mapping[str, Any]]):
    def __init__(self, spool: PushSpool, kind: Literal["bodies", "updates"]) -> None:
        self._spool = spool
        self._kind = kind

    def _count(self) -> int:
        return self._spool.body_count(self._kind)

    def _read(self, first: int, stop: int) -> list[dict[str, Any]]:
        return self._spool.bodies(self._kind, first, stop)


class _HtmlRows(Sequence[tuple[object, ...]]):
    """The report's rows as table cells, read only as far as a notebook shows them."""

    def __init__(self, rows: Sequence[PushRowReport]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        found = self._rows[index]
        if isinstance(index, slice):
            return [_cells(r) for r in found]
        return _cells(found)


def _cells(r: PushRowReport) -> tuple[object, ...]:
    return (r.row_id, r.status, r.email, r.lead_id, r.error)


@attrs.frozen
class PushReport(_LinkIdAlias):
    """The result of a push: one result per input row, the requests made, and in a dry run
    exactly the request bodies that would have been sent.

    A push keeps its per-row results, bodies and updates off the heap (see
    [`PushRows`][instantly_columns.service.reports.PushRows]): ``counts`` cost nothing,
    ``rows``, ``bodies`` and ``updates`` are sequences read back as they are iterated, and
    ``result(row_id)`` looks one row up."""

    link_id: str
    campaign_id: str
    dry_run: bool
    rows: Sequence[PushRowReport]
    """One result per input row, in the order the rows were read (by id; ids asked for in
    ``rows=`` that name no row come last)."""
    requests: int
    bodies: Sequence[Mapping[str, Any]] = ()
    """The bulk-add JSON bodies, in order (always filled; nothing is sent when ``dry_run``)."""
    updates: Sequence[Mapping[str, Any]] = ()
    """The lead updates (``{"lead_id": ..., "fields": ...}``) for rows that changed."""

    @property
    def counts(self) -> dict[str, int]:
        """Rows by status."""
        kept = getattr(self.rows, "counts", None)
        if isinstance(kept, dict):
            return kept
        return dict(sorted(Counter(r.status for r in self.rows).items()))

    def result(self, row_id: str) -> PushRowReport | None:
        """The result of one row, or ``None`` when the push had no such row."""
        find = getattr(self.rows, "result", None)
        if callable(find):
            found: PushRowReport | None = find(row_id)
            return found
        return next((r for r in self.rows if r.row_id == row_id), None)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts.items())
        mode = "dry run, " if self.dry_run else ""
        return f"<PushReport {mode}{len(self.rows)} rows: {counts}; {self.requests} requests>"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + html_table(
            _HtmlRows(self.rows),
            headers=["row", "status", "email", "lead id", "error"],
            limit=_HTML_ROWS,
        )


def spooled_report(
    link_id: str, campaign_id: str, dry_run: bool, spool: PushSpool, requests: int
) -> PushReport:
    """A push report that reads its rows, bodies and updates from ``spool``."""
    spool.finish()
    return PushReport(
        link_id,
        campaign_id,
        dry_run,
        PushRows(spool),
        requests,
        _Bodies(spool, "bodies"),
        _Bodies(spool, "updates"),
    )


@attrs.frozen
class ProgressEvent(_LinkIdAlias):
    """Reported after each page of a sync."""

    link_id: str
    pages: int
    leads_seen: int
    rows_matched: int
    cells_written: int
    done: bool = False


@attrs.frozen
class PushProgress(_LinkIdAlias):
    """Reported by a push before its first bulk call, after each one, and once at the end
    (``done``). ``rows_total`` counts the rows this push sends as new leads in bulk calls;
    rows pushed before, invalid rows and lead updates are not part of it. A push reads the
    table a page at a time, so ``rows_total`` is what it has found to send so far: it grows
    while the push reads, and is final in the ``done`` event."""

    link_id: str
    rows_done: int
    rows_total: int
    done: bool = False


@attrs.frozen
class SummaryRow(_LinkIdAlias):
    """The pinned summary row of one campaign link: a cell per column id, where its figures
    come from (``source``) and when they were true (``as_of``)."""

    link_id: str
    campaign_id: str
    source: Literal["api", "local"]
    """``api``: Instantly's campaign analytics; ``local``: the table's engagement cells."""
    aggregate: Aggregate
    cells: Mapping[str, SummaryCell]
    """Keyed by column id."""
    by_subtype: Mapping[InstantlySubtype, SummaryCell]
    campaign_name: str | None = None
    campaign_status: int | None = None
    as_of: datetime | None = None

    @property
    def provenance(self) -> str:
        """Where the figures come from and when, in words."""
        where = "Instantly analytics" if self.source == "api" else "the table's cells"
        when = self.as_of.strftime("%Y-%m-%d %H:%M UTC") if self.as_of else "unknown time"
        return f"from {where}, as of {when}"

    def __str__(self) -> str:
        inner = " | ".join(str(c) for c in self.by_subtype.values())
        return f"{inner}  ({self.provenance})"

    def __repr__(self) -> str:
        inner = " | ".join(str(c) for c in self.by_subtype.values())
        return f"<SummaryRow {self.source}: {inner} ({self.provenance})>"

    def _repr_html_(self) -> str:
        return html_table(
            [[str(c) for c in self.by_subtype.values()]],
            headers=list(self.by_subtype),
            caption=f"Summary {self.provenance}",
        )


@attrs.frozen
class SyncReport(_LinkIdAlias):
    """The result of one sync of one link (its history entry and the summary row)."""

    link_id: str
    run: SyncRun
    summary: SummaryRow | None = None
    resumed_from: str | None = None
    columns_created: tuple[str, ...] = ()

    @property
    def status(self) -> RunStatus:
        return self.run.status

    @property
    def ok(self) -> bool:
        return self.run.status == "ok"

    def __repr__(self) -> str:
        r = self.run
        return (
            f"<SyncReport {r.status}: {r.leads_seen} leads, {r.rows_matched} rows matched, "
            f"{r.leads_unmatched} unmatched, {r.duplicate_rows} duplicate rows, "
            f"{r.cells_written} cells written>"
        )

    def _repr_html_(self) -> str:
        r = self.run
        return html_table(
            [
                [
                    r.status,
                    r.leads_seen,
                    r.rows_matched,
                    r.leads_unmatched,
                    r.duplicate_rows,
                    r.cells_written,
                    "; ".join(r.errors),
                ]
            ],
            headers=["status", "leads", "matched", "unmatched", "duplicates", "cells", "errors"],
        )


@attrs.frozen
class AnalyticsDay:
    """One day of a campaign's activity."""

    date: str
    sent: int = 0
    contacted: int = 0
    opened: int = 0
    unique_opened: int = 0
    replies: int = 0
    unique_replies: int = 0
    clicks: int = 0
    unique_clicks: int = 0


@attrs.frozen
class AnalyticsPanel:
    """The analytics panel of one campaign: counters, rates over leads contacted (``None``
    when nobody was contacted) and the daily series."""

    campaign_id: str
    campaign_name: str | None
    campaign_status: int | None
    start_date: str | None
    end_date: str | None
    leads: int
    contacted: int
    emails_sent: int
    opened: int
    unique_opened: int
    replied: int
    unique_replied: int
    clicked: int
    bounced: int
    unsubscribed: int
    completed: int
    interested: int
    meetings_booked: int
    daily: tuple[AnalyticsDay, ...] = ()

    def rate(self, count: int) -> float | None:
        """``count / contacted`` as a fraction, or ``None`` when nobody was contacted."""
        return None if self.contacted == 0 else count / self.contacted

    @property
    def rates(self) -> dict[str, float | None]:
        return {
            "open_rate": self.rate(self.unique_opened),
            "reply_rate": self.rate(self.unique_replied),
            "click_rate": self.rate(self.clicked),
            "bounce_rate": self.rate(self.bounced),
            "unsubscribe_rate": self.rate(self.unsubscribed),
            "interested_rate": self.rate(self.interested),
        }

    def __repr__(self) -> str:
        return (
            f"<AnalyticsPanel {self.campaign_name!r}: {self.leads} leads, "
            f"{self.contacted} contacted, {self.unique_opened} opened, "
            f"{self.unique_replied} replied>"
        )

    def _repr_html_(self) -> str:
        names = [
            "leads",
            "contacted",
            "emails_sent",
            "unique_opened",
            "unique_replied",
            "clicked",
            "bounced",
            "unsubscribed",
            "interested",
            "meetings_booked",
        ]
        return html_table([[getattr(self, n) for n in names]], headers=names)


@attrs.frozen
class SettingsChange(_LinkIdAlias):
    """What a settings edit changed, in words a UI can show."""

    link_id: str
    changed: tuple[str, ...]
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    cells_cleared: int = 0
    notes: tuple[str, ...] = ()


@attrs.frozen
class DeletionReport(_LinkIdAlias):
    """What deleting a link did to its dependent columns."""

    link_id: str
    columns_removed: tuple[str, ...]
    columns_detached: tuple[str, ...]
    """Kept as plain text columns, their values intact."""
    notes: tuple[str, ...] = ()


@attrs.frozen
class WebhookReport:
    """What one webhook delivery did."""

    event_type: str
    replay: bool = False
    cells_written: int = 0
    refreshed: bool = False
    ignored: str | None = None
