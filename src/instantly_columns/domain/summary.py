"""Campaign summary: mergeable per-campaign counters and the pinned summary row's wording.

An `Aggregate` counts one campaign's leads. It has an identity (`Aggregate.EMPTY`) and an
associative, commutative `+`, so a sync folds it page by page, several workers can merge their
partial results in any order, and a database can compute it with one `GROUP BY`
(`Aggregate.from_group`). `render` turns it into the text of each summary cell:

| Subtype | Cell | Numerator / denominator |
|---|---|---|
| `campaign_config` | `"TechCorp Outreach" Active` | - |
| `push_action` | `—` | - |
| `engagement_status` | `45% Interested` | interested / contacted |
| `email_status` | `82% Opened` | opened / contacted |
| `last_contacted` | `—` | - |
| `reply_count` | `23 total` | reply_total / - |
| `open_count` | `156 total` | open_total / - |
| `sequence_step` | `—` | - |

Percentages are integers rounded half up (44.5 -> 45) and capped at 100; with nobody
contacted the cell shows `—`, never `0%`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal, NamedTuple, TypeAlias

import attrs

from instantly_columns.domain._html import html_table
from instantly_columns.domain.columns import SUBTYPES, InstantlySubtype
from instantly_columns.domain.engagement import (
    EMAIL_BOUNCED,
    EMAIL_CLICKED,
    EMAIL_OPENED,
    EMAIL_REPLIED,
    EMAIL_SENT,
    EMAIL_STATUS_LABELS,
    EMAIL_UNSUBSCRIBED,
    ENGAGEMENT_STATUS_LABELS,
    POSITIVE_INTEREST_LABELS,
    UNKNOWN_LABEL,
    EngagementCells,
    _int_like,
    normalize_timestamp,
    project_all,
    unknown_label,
)
from instantly_columns.errors import ApiResponseError, ConfigError, StoreError

__all__ = [
    "CAMPAIGN_STATUS_LABELS",
    "CONTACTED_EMAIL_STATUSES",
    "DASH",
    "DEFINITIONS",
    "OPENED_EMAIL_STATUSES",
    "Aggregate",
    "CampaignTone",
    "Definition",
    "StatusBadge",
    "SummaryCell",
    "campaign_status_badge",
    "percent_half_up",
    "render",
    "summary_row",
]

#: What a summary cell shows when there is nothing to say (an em dash).
DASH: Final = "—"

#: Email statuses that count a lead as opened whatever its open count (a click or a reply
#: means the email was read even when the tracking pixel did not load).
OPENED_EMAIL_STATUSES: frozenset[str] = frozenset({EMAIL_OPENED, EMAIL_CLICKED, EMAIL_REPLIED})
#: Email statuses that count a lead as contacted: an email went out. "Not sent" and "Skipped"
#: do not (a lead in those with opens still counts, see `Aggregate`).
CONTACTED_EMAIL_STATUSES: frozenset[str] = frozenset(
    {EMAIL_SENT, EMAIL_OPENED, EMAIL_CLICKED, EMAIL_REPLIED, EMAIL_BOUNCED, EMAIL_UNSUBSCRIBED}
)

CampaignTone: TypeAlias = Literal["active", "paused", "draft", "completed", "error", "unknown"]
"""A colour family for a campaign status badge."""


class Definition(NamedTuple):
    """What one counter of the summary means, and where each source reads it."""

    counter: str
    meaning: str
    from_cells: str
    from_analytics: str
    agree: str
    """Whether both sources give the same number, and if not, why."""


DEFINITIONS: Final[tuple[Definition, ...]] = (
    Definition(
        "leads",
        "leads of the campaign in the table (rows sharing an email are one lead)",
        "distinct emails (stripped, lower-cased) of the rows that carry an email status or an "
        "engagement status; rows with no email do not count, and a lead whose rows disagree "
        "takes its first row's values (smallest row id)",
        "`leads_count`",
        "no: the analytics also count leads that are not in the table",
    ),
    Definition(
        "contacted",
        "leads an email went out to",
        "email status Sent, Opened, Clicked, Replied, Bounced or Unsubscribed, or opened",
        "`contacted_count`",
        "yes",
    ),
    Definition(
        "opened",
        "leads with a tracked open",
        "`open_count > 0` (the lead's `email_open_count`)",
        "`open_count_unique`",
        "yes",
    ),
    Definition(
        "interested",
        "leads whose interest is positive (Interested, Meeting Booked, Meeting Completed, Won)",
        "engagement status (the lead's `lt_interest_status`)",
        "overview `total_interested` + `total_meeting_booked` + `total_meeting_completed` + "
        "`total_closed`",
        "on the fake; Instantly counts interest events, so a lead that went through several "
        "stages can count more than once there",
    ),
    Definition(
        "replied",
        "leads who replied",
        "email status Replied",
        "`reply_count_unique`",
        "no: a lead who replied and then unsubscribed or bounced shows that status in the "
        "cells, and counts as replied only in the analytics",
    ),
    Definition(
        "reply_total",
        "every reply, automatic replies included",
        "sum of `reply_count` (the lead's `email_reply_count`)",
        "`reply_count` (not minus `reply_count_automatic`: a lead's counter cannot tell "
        "automatic replies apart, so neither side subtracts them)",
        "yes",
    ),
    Definition(
        "open_total",
        "every open",
        "sum of `open_count` (the lead's `email_open_count`)",
        "overview `open_count`",
        "yes",
    ),
    Definition(
        "clicked",
        "leads who clicked",
        "email status Clicked (a lead who clicked and then replied shows Replied)",
        "`link_click_count_unique`",
        "no: cells keep no click count",
    ),
)
"""The one definition of each counter, for the summary row, the analytics panel and the sync
report; docs/summary.md shows this table."""


class StatusBadge(NamedTuple):
    """A campaign status as a UI shows it: the label and a tone to colour it."""

    label: str
    tone: CampaignTone


_CAMPAIGN_BADGES: Mapping[int, StatusBadge] = MappingProxyType(
    {
        0: StatusBadge("Draft", "draft"),
        1: StatusBadge("Active", "active"),
        2: StatusBadge("Paused", "paused"),
        3: StatusBadge("Completed", "completed"),
        4: StatusBadge("Running Subsequences", "active"),
        -99: StatusBadge("Account Suspended", "error"),
        -1: StatusBadge("Accounts Unhealthy", "error"),
        -2: StatusBadge("Bounce Protect", "error"),
    }
)

#: Campaign `status` code -> label, as the API documents them.
CAMPAIGN_STATUS_LABELS: Mapping[int, str] = MappingProxyType(
    {code: badge.label for code, badge in _CAMPAIGN_BADGES.items()}
)


def campaign_status_badge(code: object) -> StatusBadge:
    """Label and tone of a campaign `status` code.

    `1` Active and `4` Running Subsequences are `active`; `2` Paused is `paused`; `0` Draft is
    `draft`; `3` Completed is `completed`; `-99` Account Suspended, `-1` Accounts Unhealthy
    and `-2` Bounce Protect are `error`. Another integer is `("Unknown (n)", "unknown")`;
    `None` or a non-integer is `("Unknown", "unknown")`. Never raises.
    """
    number = _int_like(code)
    if number is None:
        return StatusBadge(UNKNOWN_LABEL, "unknown")
    return _CAMPAIGN_BADGES.get(number) or StatusBadge(unknown_label(number), "unknown")


def percent_half_up(numerator: int, denominator: int) -> int | None:
    """`100 * numerator / denominator` as an integer rounded half up, within `0..100`.

    Exact integer arithmetic: `percent_half_up(89, 200) == 45` (44.5 rounds up, unlike
    Python's `round`). `None` when the denominator is not positive, so callers show a dash
    rather than `0%` or a division error. A numerator above the denominator (counts taken
    from different sources) gives `100`.
    """
    if denominator <= 0:
        return None
    value = (200 * numerator + denominator) // (2 * denominator)
    return min(100, max(0, value))


# --- the aggregate ---------------------------------------------------------------------------

_EMAIL_ORDER: Mapping[str, int] = MappingProxyType(
    {label: i for i, label in enumerate(EMAIL_STATUS_LABELS)}
)
_ENGAGEMENT_ORDER: Mapping[str, int] = MappingProxyType(
    {label: i for i, label in enumerate(ENGAGEMENT_STATUS_LABELS)}
)
_COUNT_FIELDS: Final = (
    "leads",
    "contacted",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "unsubscribed",
    "interested",
    "reply_total",
    "open_total",
)

_LabelCounts: TypeAlias = Mapping[str, int] | Iterable[tuple[str, int]]


def _merged(
    value: _LabelCounts, order: Mapping[str, int], field: str
) -> tuple[tuple[str, int], ...]:
    merged: dict[str, int] = {}
    try:
        items = list(value.items() if isinstance(value, Mapping) else value)
    except TypeError:
        raise ConfigError("expected a mapping of label -> count", path=field) from None
    for item in items:
        if not isinstance(item, tuple) or len(item) != 2 or not isinstance(item[0], str):
            raise ConfigError(f"expected (label, count) pairs, got {item!r:.40}", path=field)
        label, count = item
        _check_count(count, f"{field}.{label}")
        merged[label] = merged.get(label, 0) + count
    return tuple(
        sorted(
            ((label, count) for label, count in merged.items() if count != 0),
            key=lambda pair: (order.get(pair[0], len(order)), pair[0]),
        )
    )


def _email_counts(value: _LabelCounts) -> tuple[tuple[str, int], ...]:
    return _merged(value, _EMAIL_ORDER, "by_email_status")


def _engagement_counts(value: _LabelCounts) -> tuple[tuple[str, int], ...]:
    return _merged(value, _ENGAGEMENT_ORDER, "by_engagement_status")


def _timestamp(value: str | datetime | None) -> str | None:
    if value is None:
        return None
    normal = normalize_timestamp(value)
    if normal is None:
        raise ConfigError(f"not a readable timestamp: {str(value)[:40]!r}", path="last_contacted")
    return normal


def _latest(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


@attrs.frozen(repr=False)
class Aggregate:
    """Counters of one campaign's leads; combine partial results with `+`.

    Built from engagement cells (`from_cells`, `from_leads`), from database groups
    (`from_group`) or from Instantly's analytics (`from_analytics`). From cells, each lead
    adds one to:

    - `leads`: always;
    - `contacted`: its email status is in `CONTACTED_EMAIL_STATUSES` (Sent, Opened, Clicked,
      Replied, Bounced, Unsubscribed) **or** it is opened;
    - `opened`: `open_count > 0` (a tracked open; a reply or a click without one does not
      count, as in Instantly's `open_count_unique`);
    - `clicked` / `replied` / `bounced` / `unsubscribed`: its email status is exactly
      Clicked / Replied / Bounced / Unsubscribed (cells keep no click count, so `clicked`
      leaves out leads who clicked and then replied);
    - `interested`: its engagement status is in `POSITIVE_INTEREST_LABELS`;

    and `reply_total` / `open_total` add its reply / open counts, `last_contacted` keeps the
    latest timestamp, `by_email_status` / `by_engagement_status` count its labels.

    Every rule reads only the email status, the engagement status and whether `open_count > 0`,
    which is what lets `from_group` rebuild the same aggregate from a `GROUP BY`.
    `opened <= contacted` always holds for aggregates built from cells.

    The label counts are kept as sorted `(label, count)` pairs without zeros; the constructor
    also accepts a mapping. Counters must be non-negative integers (`ConfigError` otherwise).
    """

    EMPTY: ClassVar[Aggregate]

    leads: int = 0
    contacted: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0
    bounced: int = 0
    unsubscribed: int = 0
    interested: int = 0
    reply_total: int = 0
    open_total: int = 0
    last_contacted: str | None = attrs.field(default=None, converter=_timestamp)
    by_email_status: tuple[tuple[str, int], ...] = attrs.field(default=(), converter=_email_counts)
    by_engagement_status: tuple[tuple[str, int], ...] = attrs.field(
        default=(), converter=_engagement_counts
    )

    def __attrs_post_init__(self) -> None:
        for name in _COUNT_FIELDS:
            _check_count(getattr(self, name), name)

    # -- combining --

    def __add__(self, other: Aggregate) -> Aggregate:
        if not isinstance(other, Aggregate):
            return NotImplemented
        return Aggregate(
            leads=self.leads + other.leads,
            contacted=self.contacted + other.contacted,
            opened=self.opened + other.opened,
            clicked=self.clicked + other.clicked,
            replied=self.replied + other.replied,
            bounced=self.bounced + other.bounced,
            unsubscribed=self.unsubscribed + other.unsubscribed,
            interested=self.interested + other.interested,
            reply_total=self.reply_total + other.reply_total,
            open_total=self.open_total + other.open_total,
            last_contacted=_latest(self.last_contacted, other.last_contacted),
            by_email_status=self.by_email_status + other.by_email_status,
            by_engagement_status=self.by_engagement_status + other.by_engagement_status,
        )

    # -- building --

    @classmethod
    def from_cells(cls, cells: EngagementCells) -> Aggregate:
        """The aggregate of one lead's engagement cells (see the class for each counter)."""
        return _group(
            email_status=cells.email_status,
            engagement_status=cells.engagement_status,
            rows=1,
            reply_total=cells.reply_count,
            open_total=cells.open_count,
            opened_rows=1 if cells.open_count > 0 else 0,
            last_contacted=cells.last_contacted,
        )

    @classmethod
    def from_lead(cls, lead: Mapping[str, Any]) -> Aggregate:
        """`Aggregate.from_cells(project_all(lead))`."""
        return cls.from_cells(project_all(lead))

    @classmethod
    def from_leads(cls, leads: Iterable[Mapping[str, Any]]) -> Aggregate:
        """The aggregate of many lead objects; equal to summing `from_lead` over them.

        Groups the leads by (email status, engagement status) as a database would, so the
        cost is one projection per lead plus one `+` per group.
        """
        groups: dict[tuple[str, str], _Tally] = {}
        for lead in leads:
            cells = project_all(lead)
            key = (cells.email_status, cells.engagement_status)
            tally = groups.get(key)
            if tally is None:
                tally = groups[key] = _Tally()
            tally.add(cells)
        total = Aggregate.EMPTY
        for (email_status, engagement_status), tally in groups.items():
            total += _group(
                email_status=email_status,
                engagement_status=engagement_status,
                rows=tally.rows,
                reply_total=tally.reply_total,
                open_total=tally.open_total,
                opened_rows=tally.opened_rows,
                last_contacted=tally.last_contacted,
            )
        return total

    @classmethod
    def from_group(
        cls,
        *,
        email_status: str | None,
        engagement_status: str | None,
        rows: object,
        reply_total: object,
        open_total: object,
        opened_rows: object,
        last_contacted: str | datetime | None,
    ) -> Aggregate:
        """The aggregate of one group of stored cells, as a database computes it.

        A storage adapter runs one query over the stored engagement cells, for example:

        ```text
        SELECT email_status, engagement_status, COUNT(*), SUM(reply_count), SUM(open_count),
               SUM(CASE WHEN open_count > 0 THEN 1 ELSE 0 END), MAX(last_contacted)
        FROM cells WHERE ... GROUP BY email_status, engagement_status
        ```

        and sums `from_group` over the rows; the result equals folding `from_cells` over the
        same cells. Numbers may arrive as `int`, `Decimal` (PostgreSQL's `SUM`) or numeric
        text; `None` sums count as 0; `last_contacted` may be canonical text or an aware
        `datetime`. A `None` status counts in `leads` but under no label. A value that is not
        a non-negative integer, `opened_rows > rows`, or an unreadable timestamp raises
        `StoreError`: the adapter's query is wrong.
        """
        counts = {
            name: _stored_count(value, name)
            for name, value in (
                ("rows", rows),
                ("reply_total", reply_total),
                ("open_total", open_total),
                ("opened_rows", opened_rows),
            )
        }
        if counts["opened_rows"] > counts["rows"]:
            raise StoreError(
                f"from_group: opened_rows ({counts['opened_rows']}) exceeds rows ({counts['rows']})"
            )
        for name, label in (
            ("email_status", email_status),
            ("engagement_status", engagement_status),
        ):
            if label is not None and not isinstance(label, str):
                raise StoreError(f"from_group: {name} must be text or None, got {label!r:.40}")
        latest = normalize_timestamp(last_contacted) if last_contacted is not None else None
        if last_contacted is not None and latest is None:
            raise StoreError(
                f"from_group: last_contacted is not a timestamp: {last_contacted!r:.40}"
            )
        return _group(
            email_status=email_status,
            engagement_status=engagement_status,
            rows=counts["rows"],
            reply_total=counts["reply_total"],
            open_total=counts["open_total"],
            opened_rows=counts["opened_rows"],
            last_contacted=latest,
        )

    @classmethod
    def from_analytics(
        cls, row: Mapping[str, Any], overview: Mapping[str, Any] | None = None
    ) -> Aggregate:
        """The aggregate of one element of `GET /campaigns/analytics`, optionally completed by
        `GET /campaigns/analytics/overview?id=<the same campaign>`.

        | Counter | Field |
        |---|---|
        | `leads` | `leads_count` |
        | `contacted` | `contacted_count` |
        | `opened` | `open_count_unique`, else `open_count` (both count leads per campaign) |
        | `clicked` | `link_click_count_unique`, else `link_click_count` |
        | `replied` | `reply_count_unique` |
        | `reply_total` | `reply_count` (every reply, as the lead's `email_reply_count`) |
        | `open_total` | overview `open_count` (all opens), else the row's `open_count` |
        | `bounced` | `bounced_count` |
        | `unsubscribed` | `unsubscribed_count` |
        | `interested` | overview `total_interested` + `total_meeting_booked` +
          `total_meeting_completed` + `total_closed` (the positive interest labels), else 0 |

        Parsing is lenient: a missing, null, negative or non-integer field counts as 0,
        differences are floored at 0, other fields (`*_by_step` as numbers or arrays,
        `emails_sent_count`...) are ignored. `last_contacted` and the label counts stay
        empty: analytics do not carry them. Raises `ApiResponseError` if `row` or `overview`
        is not a JSON object.
        """
        data = _json_object(row, "analytics row")
        extra = _json_object(overview, "analytics overview") if overview is not None else {}
        overview_opens = _int_like(extra.get("open_count"))
        return cls(
            leads=_field_count(data, "leads_count"),
            contacted=_field_count(data, "contacted_count"),
            opened=_first_count(data, "open_count_unique", "open_count"),
            clicked=_first_count(data, "link_click_count_unique", "link_click_count"),
            replied=_field_count(data, "reply_count_unique"),
            bounced=_field_count(data, "bounced_count"),
            unsubscribed=_field_count(data, "unsubscribed_count"),
            interested=sum(
                _field_count(extra, name)
                for name in (
                    "total_interested",
                    "total_meeting_booked",
                    "total_meeting_completed",
                    "total_closed",
                )
            ),
            reply_total=_field_count(data, "reply_count"),
            open_total=(
                _field_count(data, "open_count")
                if overview_opens is None
                else max(0, overview_opens)
            ),
        )

    # -- reading --

    def email_status_counts(self) -> dict[str, int]:
        """Leads per email status label, in the documented order (unknown labels last)."""
        return dict(self.by_email_status)

    def engagement_status_counts(self) -> dict[str, int]:
        """Leads per engagement status label, in the documented order (unknown labels last)."""
        return dict(self.by_engagement_status)

    def __repr__(self) -> str:
        shown = [f"{name}={getattr(self, name)}" for name in _COUNT_FIELDS if getattr(self, name)]
        if self.last_contacted is not None:
            shown.append(f"last_contacted={self.last_contacted!r}")
        return f"Aggregate({', '.join(shown)})"

    def _repr_html_(self) -> str:
        rows = [(name, str(getattr(self, name))) for name in _COUNT_FIELDS]
        rows.append(("last_contacted", self.last_contacted or DASH))
        rows += [(f"email status: {k}", str(v)) for k, v in self.by_email_status]
        rows += [(f"engagement: {k}", str(v)) for k, v in self.by_engagement_status]
        return html_table(rows, caption="Aggregate", row_headers=True)


@attrs.define
class _Tally:
    rows: int = 0
    reply_total: int = 0
    open_total: int = 0
    opened_rows: int = 0
    last_contacted: str | None = None

    def add(self, cells: EngagementCells) -> None:
        self.rows += 1
        self.reply_total += cells.reply_count
        self.open_total += cells.open_count
        if cells.open_count > 0:
            self.opened_rows += 1
        self.last_contacted = _latest(self.last_contacted, cells.last_contacted)


def _group(
    *,
    email_status: str | None,
    engagement_status: str | None,
    rows: int,
    reply_total: int,
    open_total: int,
    opened_rows: int,
    last_contacted: str | None,
) -> Aggregate:
    """The one place where the counting rules live (see `Aggregate`)."""
    opened = opened_rows  # a tracked open, as Instantly's open_count_unique counts it
    return Aggregate(
        leads=rows,
        contacted=rows if email_status in CONTACTED_EMAIL_STATUSES else opened,
        opened=opened,
        clicked=rows if email_status == EMAIL_CLICKED else 0,
        replied=rows if email_status == EMAIL_REPLIED else 0,
        bounced=rows if email_status == EMAIL_BOUNCED else 0,
        unsubscribed=rows if email_status == EMAIL_UNSUBSCRIBED else 0,
        interested=rows if engagement_status in POSITIVE_INTEREST_LABELS else 0,
        reply_total=reply_total,
        open_total=open_total,
        last_contacted=last_contacted,
        by_email_status=() if email_status is None else ((email_status, rows),),
        by_engagement_status=() if engagement_status is None else ((engagement_status, rows),),
    )


def _check_count(value: object, path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"must be a non-negative integer, got {value!r:.40}", path=path)


def _stored_count(value: object, name: str) -> int:
    if value is None:
        return 0
    number = _int_like(value)
    if number is None or number < 0:
        raise StoreError(f"from_group: {name} must be a non-negative integer, got {value!r:.40}")
    return number


def _json_object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ApiResponseError(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def _field_count(data: Mapping[str, Any], name: str) -> int:
    number = _int_like(data.get(name))
    return number if number is not None and number > 0 else 0


def _first_count(data: Mapping[str, Any], *names: str) -> int:
    """The first of `names` holding an integer (even 0), else 0."""
    for name in names:
        number = _int_like(data.get(name))
        if number is not None:
            return max(0, number)
    return 0


Aggregate.EMPTY = Aggregate()


# --- rendering -------------------------------------------------------------------------------


@attrs.frozen
class SummaryCell:
    """One cell of the pinned summary row: its text and, where it is a ratio or a total, the
    numbers behind it (`denominator` is `None` for totals and text)."""

    label: str
    numerator: int | None = None
    denominator: int | None = None

    def __str__(self) -> str:
        return self.label


def _campaign_label(name: str | None, status: object) -> str:
    parts: list[str] = []
    if name is not None and name.strip():
        parts.append(f'"{name.strip()}"')
    if status is not None:
        parts.append(campaign_status_badge(status).label)
    return " ".join(parts) or DASH


def _ratio(numerator: int, denominator: int, word: str) -> SummaryCell:
    percent = percent_half_up(numerator, denominator)
    label = DASH if percent is None else f"{percent}% {word}"
    return SummaryCell(label, numerator, denominator)


def render(
    agg: Aggregate,
    subtype: InstantlySubtype,
    *,
    campaign_name: str | None = None,
    campaign_status: int | None = None,
) -> SummaryCell:
    """The summary cell of one column subtype.

    - `campaign_config`: the campaign name in double quotes, then its status label
      (`"TechCorp Outreach" Active`); either part may be missing; both missing gives `—`.
    - `engagement_status`: `45% Interested`, `interested / contacted`.
    - `email_status`: `82% Opened`, `opened / contacted`.
    - `reply_count` / `open_count`: `23 total` / `156 total` (`reply_total` / `open_total`).
    - `push_action`, `last_contacted`, `sequence_step`: `—`.

    Percentages use `percent_half_up` (integer, half up, at most 100) and show `—` when
    nobody was contacted. Never raises for a valid subtype; an unknown one is a
    `ConfigError`.
    """
    if subtype == "campaign_config":
        return SummaryCell(_campaign_label(campaign_name, campaign_status))
    if subtype == "engagement_status":
        return _ratio(agg.interested, agg.contacted, "Interested")
    if subtype == "email_status":
        return _ratio(agg.opened, agg.contacted, "Opened")
    if subtype == "reply_count":
        return SummaryCell(f"{agg.reply_total} total", agg.reply_total)
    if subtype == "open_count":
        return SummaryCell(f"{agg.open_total} total", agg.open_total)
    if subtype in ("push_action", "last_contacted", "sequence_step"):
        return SummaryCell(DASH)
    raise ConfigError(
        f"unknown column subtype {subtype!r}; expected one of {', '.join(SUBTYPES)}",
        path="subtype",
    )


def summary_row(
    agg: Aggregate, *, campaign_name: str | None, campaign_status: int | None
) -> dict[InstantlySubtype, SummaryCell]:
    """The whole pinned summary row: `render` for each of the eight subtypes, in column
    order."""
    return {
        subtype: render(agg, subtype, campaign_name=campaign_name, campaign_status=campaign_status)
        for subtype in SUBTYPES
    }
