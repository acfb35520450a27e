"""Typed results of the API client: campaigns, leads, analytics, webhooks, pages.

Each result is a frozen attrs object with the fields the library uses, plus `raw`: the JSON
object as the API sent it, unknown fields included, read-only. Enum-like codes stay integers
(or whatever the API sent), so a code this version does not know still arrives intact;
`status_label` properties name the known ones.

Reprs are short and leave out personal data and secrets: no lead email, no webhook URL or
headers. Lists of campaigns and analytics rows render as HTML tables in notebooks.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast, overload
from urllib.parse import urlsplit

import attrs

from instantly_columns.domain._html import html_table
from instantly_columns.domain.summary import CAMPAIGN_STATUS_LABELS

__all__ = [
    "AnalyticsOverview",
    "BulkAddResult",
    "Campaign",
    "CampaignAnalytics",
    "DailyAnalytics",
    "KeyCheck",
    "Lead",
    "Page",
    "ResultList",
    "Webhook",
    "WebhookEventType",
    "WebhookTestResult",
]

T = TypeVar("T")

Code = int | str | None

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _frozen_raw(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value)) if value else _EMPTY


def _label(code: Code, labels: Mapping[int, str]) -> str:
    if isinstance(code, int) and code in labels:
        return labels[code]
    return "Unknown" if code is None else f"Unknown ({code})"


def _frozen_index(value: Mapping[int, str]) -> Mapping[int, str]:
    return MappingProxyType(dict(value))


class _HtmlRow(Protocol):
    _COLUMNS: ClassVar[tuple[str, ...]]

    def _html_cells(self) -> tuple[str, ...]: ...


_raw_field = attrs.field(default=_EMPTY, converter=_frozen_raw, eq=False, repr=False)


@attrs.frozen
class KeyCheck:
    """What a key check learned.

    `campaigns_only` is true when the key may not read the workspace (it lacks
    `workspaces:read`) and the check fell back to listing campaigns; the workspace id then
    comes from a campaign, if there is one, and the name is unknown.
    """

    workspace_id: str | None
    workspace_name: str | None
    campaigns_only: bool = False

    def __repr__(self) -> str:
        extra = ", campaigns_only=True" if self.campaigns_only else ""
        return (
            f"KeyCheck(workspace_id={self.workspace_id!r}, "
            f"workspace_name={self.workspace_name!r}{extra})"
        )


@attrs.frozen
class Campaign:
    """A campaign. `sequences` and `campaign_schedule` are the API's JSON, unchanged."""

    id: str
    name: str | None = None
    status: Code = None
    campaign_schedule: Mapping[str, Any] | None = None
    sequences: Sequence[Any] | None = None
    email_list: Sequence[Any] | None = None
    daily_limit: int | None = None
    stop_on_reply: bool | None = None
    organization: str | None = None
    not_sending_status: Code = None
    timestamp_created: datetime | None = None
    timestamp_updated: datetime | None = None
    raw: Mapping[str, Any] = _raw_field

    @property
    def status_label(self) -> str:
        """`"Draft"`, `"Active"`, `"Paused"`... or `"Unknown (n)"`."""
        return _label(self.status, CAMPAIGN_STATUS_LABELS)

    def __repr__(self) -> str:
        return f"Campaign(id={self.id!r}, name={self.name!r}, status={self.status_label})"

    _COLUMNS: ClassVar[tuple[str, ...]] = ("name", "status", "created", "id")

    def _html_cells(self) -> tuple[str, ...]:
        created = self.timestamp_created.date().isoformat() if self.timestamp_created else ""
        return (self.name or "", self.status_label, created, self.id)


@attrs.frozen
class Lead:
    """A lead as the API returns it; `payload` holds custom variables (and camelCase copies
    of the core fields)."""

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    campaign: str | None = None
    list_id: str | None = None
    status: Code = None
    lt_interest_status: Code = None
    email_open_count: int | None = None
    email_reply_count: int | None = None
    email_click_count: int | None = None
    timestamp_created: datetime | None = None
    timestamp_updated: datetime | None = None
    timestamp_last_contact: datetime | None = None
    payload: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = _raw_field

    def __repr__(self) -> str:
        # No email or name: reprs end up in logs.
        return (
            f"Lead(id={self.id!r}, status={self.status!r}, "
            f"interest={self.lt_interest_status!r}, opens={self.email_open_count}, "
            f"replies={self.email_reply_count})"
        )


@attrs.frozen
class _Counters:
    """The counters the per-campaign rows and the overview share (keyword arguments only)."""

    contacted_count: int | None = None
    emails_sent_count: int | None = None
    new_leads_contacted_count: int | None = None
    open_count: int | None = None
    open_count_unique: int | None = None
    reply_count: int | None = None
    reply_count_unique: int | None = None
    reply_count_automatic: int | None = None
    reply_count_automatic_unique: int | None = None
    link_click_count: int | None = None
    link_click_count_unique: int | None = None
    bounced_count: int | None = None
    unsubscribed_count: int | None = None
    completed_count: int | None = None
    total_opportunities: int | None = None
    total_opportunity_value: float | None = None


@attrs.frozen
class CampaignAnalytics(_Counters):
    """One row of `GET /campaigns/analytics`: a campaign's counters."""

    campaign_id: str | None = None
    campaign_name: str | None = None
    campaign_status: Code = None
    campaign_is_evergreen: bool | None = None
    leads_count: int | None = None
    raw: Mapping[str, Any] = _raw_field

    @property
    def campaign_status_label(self) -> str:
        """The campaign status by name."""
        return _label(self.campaign_status, CAMPAIGN_STATUS_LABELS)

    def __repr__(self) -> str:
        return (
            f"CampaignAnalytics(campaign={self.campaign_name!r}, sent={self.emails_sent_count}, "
            f"contacted={self.contacted_count}, replies={self.reply_count_unique})"
        )

    _COLUMNS: ClassVar[tuple[str, ...]] = (
        "campaign",
        "status",
        "leads",
        "contacted",
        "sent",
        "opened",
        "replied",
        "bounced",
    )

    def _html_cells(self) -> tuple[str, ...]:
        def n(value: int | None) -> str:
            return "" if value is None else str(value)

        return (
            self.campaign_name or "",
            self.campaign_status_label,
            n(self.leads_count),
            n(self.contacted_count),
            n(self.emails_sent_count),
            n(self.open_count_unique),
            n(self.reply_count_unique),
            n(self.bounced_count),
        )


@attrs.frozen
class AnalyticsOverview(_Counters):
    """`GET /campaigns/analytics/overview`: counters summed over the campaigns asked for."""

    total_interested: int | None = None
    total_meeting_booked: int | None = None
    total_meeting_completed: int | None = None
    total_closed: int | None = None
    raw: Mapping[str, Any] = _raw_field

    def __repr__(self) -> str:
        return (
            f"AnalyticsOverview(sent={self.emails_sent_count}, contacted={self.contacted_count}, "
            f"replies={self.reply_count_unique}, interested={self.total_interested})"
        )


@attrs.frozen
class DailyAnalytics:
    """One day of `GET /campaigns/analytics/daily`; `date` is the API's `YYYY-MM-DD` text."""

    date: str | None = None
    sent: int | None = None
    contacted: int | None = None
    new_leads_contacted: int | None = None
    opened: int | None = None
    unique_opened: int | None = None
    replies: int | None = None
    unique_replies: int | None = None
    replies_automatic: int | None = None
    unique_replies_automatic: int | None = None
    clicks: int | None = None
    unique_clicks: int | None = None
    opportunities: int | None = None
    unique_opportunities: int | None = None
    raw: Mapping[str, Any] = _raw_field

    def __repr__(self) -> str:
        return f"DailyAnalytics({self.date}, sent={self.sent}, replies={self.unique_replies})"

    _COLUMNS: ClassVar[tuple[str, ...]] = (
        "date",
        "sent",
        "contacted",
        "opened",
        "replied",
        "clicked",
    )

    def _html_cells(self) -> tuple[str, ...]:
        def n(value: int | None) -> str:
            return "" if value is None else str(value)

        return (
            self.date or "",
            n(self.sent),
            n(self.contacted),
            n(self.unique_opened),
            n(self.unique_replies),
            n(self.unique_clicks),
        )


@attrs.frozen
class BulkAddResult:
    """What `POST /leads/add` reported. `created` maps input positions to new lead ids.

    The API gives counts only: a row missing from `created` was a duplicate, skipped, invalid
    or blocklisted, and the response does not say which.
    """

    status: str | None = None
    total_sent: int | None = None
    leads_uploaded: int | None = None
    in_blocklist: int | None = None
    duplicated_leads: int | None = None
    skipped_count: int | None = None
    invalid_email_count: int | None = None
    incomplete_count: int | None = None
    duplicate_email_count: int | None = None
    remaining_in_plan: int | None = None
    created: Mapping[int, str] = attrs.field(factory=dict, converter=_frozen_index)
    raw: Mapping[str, Any] = _raw_field

    def __repr__(self) -> str:
        return (
            f"BulkAddResult(sent={self.total_sent}, uploaded={self.leads_uploaded}, "
            f"duplicated={self.duplicated_leads}, skipped={self.skipped_count}, "
            f"invalid={self.invalid_email_count})"
        )


@attrs.frozen
class Webhook:
    """A webhook subscription. Custom delivery headers stay in `raw` and out of the repr."""

    id: str
    target_hook_url: str | None = None
    event_type: str | None = None
    campaign: str | None = None
    name: str | None = None
    status: Code = None
    organization: str | None = None
    timestamp_created: datetime | None = None
    timestamp_error: datetime | None = None
    custom_interest_value: float | None = None
    raw: Mapping[str, Any] = _raw_field

    def __repr__(self) -> str:
        # The target URL may carry a token in its query: show the host only.
        host = urlsplit(self.target_hook_url).hostname if self.target_hook_url else None
        return (
            f"Webhook(id={self.id!r}, event_type={self.event_type!r}, host={host!r}, "
            f"status={self.status!r})"
        )


@attrs.frozen
class WebhookEventType:
    """One entry of `GET /webhooks/event-types`."""

    id: str | None = None
    label: str | None = None
    type: str | None = None

    def __repr__(self) -> str:
        return f"WebhookEventType({self.id!r}, {self.label!r})"


@attrs.frozen
class WebhookTestResult:
    """A successful `POST /webhooks/{id}/test` (a failed test raises `ApiResponseError`)."""

    success: bool
    message: str | None = None
    status_code: int | None = None
    response_time_ms: float | None = None

    def __repr__(self) -> str:
        return f"WebhookTestResult(status_code={self.status_code}, ms={self.response_time_ms})"


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing, with the cursors around it.

    `starting_after` is the cursor this page was asked with (`None` for the first);
    `next_starting_after` is the cursor to resume after it. Save it after handling the page to
    resume an interrupted walk with `starting_after=`. A cursor the API sent as a JSON number
    is given in its text form (`"17"`).

    `cursor_problem` is set when the API sent a cursor that cannot be sent back (a boolean,
    an object...): there is no `next_starting_after` then, but the list may go on.
    """

    items: tuple[T, ...]
    starting_after: str | None = None
    next_starting_after: str | None = None
    cursor_problem: str | None = None

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __repr__(self) -> str:
        return f"Page({len(self.items)} items, next_starting_after={self.next_starting_after!r})"


@attrs.frozen(repr=False)
class ResultList(Sequence[T]):
    """A tuple-like list of results that renders as an HTML table in notebooks."""

    items: tuple[T, ...] = ()

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> ResultList[T]: ...

    def __getitem__(self, index: int | slice) -> T | ResultList[T]:
        if isinstance(index, slice):
            return ResultList(self.items[index])
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __repr__(self) -> str:
        if not self.items:
            return "ResultList([])"
        shown = ", ".join(repr(item) for item in self.items[:3])
        more = f", … {len(self.items) - 3} more" if len(self.items) > 3 else ""
        return f"ResultList([{shown}{more}])"

    def _repr_html_(self) -> str:
        rows = [cast(_HtmlRow, item) for item in self.items if hasattr(item, "_html_cells")]
        if not rows:
            return f"<p>{html.escape(repr(self))}</p>"
        return html_table([item._html_cells() for item in rows], headers=rows[0]._COLUMNS)
