"""What the flows return: plain, frozen values with short reprs and notebook tables."""

from __future__ import annotations

import html
import warnings
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

from instantly_columns.domain._html import html_table
from instantly_columns.domain.columns import InstantlySubtype
from instantly_columns.domain.summary import Aggregate, SummaryCell
from instantly_columns.ports import PushStatus, RunStatus, SyncRun, _LinkIdAlias

__all__ = [
    "AnalyticsDay",
    "AnalyticsPanel",
    "DeletionReport",
    "ProgressEvent",
    "PushProgress",
    "PushReport",
    "PushRowReport",
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


@attrs.frozen
class PushReport(_LinkIdAlias):
    """The result of a push: one result per input row, the requests made, and in a dry run
    exactly the request bodies that would have been sent."""

    link_id: str
    campaign_id: str
    dry_run: bool
    rows: tuple[PushRowReport, ...]
    requests: int
    bodies: tuple[Mapping[str, Any], ...] = ()
    """The bulk-add JSON bodies, in order (always filled; nothing is sent when ``dry_run``)."""
    updates: tuple[Mapping[str, Any], ...] = ()
    """The lead updates (``{"lead_id": ..., "fields": ...}``) for rows that changed."""

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(r.status for r in self.rows).items()))

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts.items())
        mode = "dry run, " if self.dry_run else ""
        return f"<PushReport {mode}{len(self.rows)} rows: {counts}; {self.requests} requests>"

    def _repr_html_(self) -> str:
        rows = [(r.row_id, r.status, r.email, r.lead_id, r.error) for r in self.rows]
        return f"<p>{html.escape(repr(self))}</p>" + html_table(
            rows, headers=["row", "status", "email", "lead id", "error"], limit=_HTML_ROWS
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
    rows pushed before, invalid rows and lead updates are not part of it."""

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
