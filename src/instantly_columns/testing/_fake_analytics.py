"""Campaign analytics of the fake, recounted from lead event logs on every call.

Nothing here is stored: each counter is a count over the leads' events inside the requested
time range, so the analytics endpoints always agree with the lead objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Final

import attrs

from instantly_columns.testing._fake_state import (
    POSITIVE_INTEREST,
    Campaign,
    JsonObject,
    Lead,
    LeadEvent,
)

__all__: list[str] = []

_INTEREST_TOTALS = {
    1: "total_interested",
    2: "total_meeting_booked",
    3: "total_meeting_completed",
    4: "total_closed",
}


@attrs.frozen
class Window:
    """A half-open time range ``[start, end)``; ``None`` leaves that side open."""

    start: datetime | None = None
    end: datetime | None = None

    def __contains__(self, moment: object) -> bool:
        if not isinstance(moment, datetime):
            return False
        if self.start is not None and moment < self.start:
            return False
        return not (self.end is not None and moment >= self.end)


def parse_date(text: str) -> datetime | None:
    """A date-only value is UTC midnight; a full ISO 8601 timestamp is taken as given."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return day.replace(tzinfo=timezone.utc)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _first_positive(lead: Lead) -> LeadEvent | None:
    return next(
        (e for e in lead.events if e.kind == "interest" and e.value in POSITIVE_INTEREST), None
    )


_COUNTED: Final = (
    "sent",
    "open",
    "reply",
    "auto_reply",
    "click",
    "bounce",
    "unsubscribe",
    "complete",
)


@attrs.define
class _Tally:
    """Counts over some leads' events, folded in one pass per lead. For each kind: the
    events inside the window (``events``), the leads with one inside (``leads``), the leads
    whose first such event is inside (``first``), and the (lead, step) pairs whose first
    such event is inside (``by_step``)."""

    events: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(_COUNTED, 0))
    leads: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(_COUNTED, 0))
    first: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(_COUNTED, 0))
    by_step: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(_COUNTED, 0))
    opportunities: int = 0


def _tally(leads: Iterable[Lead], window: Window) -> _Tally:
    tally = _Tally()
    events, with_kind, first, by_step = tally.events, tally.leads, tally.first, tally.by_step
    inside = window.__contains__
    for lead in leads:
        kinds_seen: set[str] = set()
        steps_seen: set[tuple[str, int | None]] = set()
        kinds_inside: set[str] = set()
        positive: LeadEvent | None = None
        for event in lead.events:
            kind = event.kind
            if kind == "interest":
                if positive is None and event.value in POSITIVE_INTEREST:
                    positive = event
                continue
            if kind not in events:
                continue
            hit = inside(event.at)
            if kind not in kinds_seen:
                kinds_seen.add(kind)
                first[kind] += hit
            step = (kind, event.step)
            if step not in steps_seen:
                steps_seen.add(step)
                by_step[kind] += hit
            if hit:
                events[kind] += 1
                kinds_inside.add(kind)
        for kind in kinds_inside:
            with_kind[kind] += 1
        if positive is not None and inside(positive.at):
            tally.opportunities += 1
    return tally


def _counters(tally: _Tally, pl_value: float) -> JsonObject:
    events, leads, first, by_step = tally.events, tally.leads, tally.first, tally.by_step
    return {
        "contacted_count": leads["sent"],
        "emails_sent_count": events["sent"],
        "new_leads_contacted_count": first["sent"],
        "open_count": leads["open"],
        "open_count_unique": first["open"],
        "open_count_unique_by_step": by_step["open"],
        "reply_count": events["reply"],
        "reply_count_unique": first["reply"],
        "reply_count_unique_by_step": by_step["reply"],
        "reply_count_automatic": events["auto_reply"],
        "reply_count_automatic_unique": first["auto_reply"],
        "reply_count_automatic_unique_by_step": by_step["auto_reply"],
        "link_click_count": events["click"],
        "link_click_count_unique": first["click"],
        "link_click_count_unique_by_step": by_step["click"],
        "bounced_count": leads["bounce"],
        "unsubscribed_count": leads["unsubscribe"],
        "completed_count": leads["complete"],
        "total_opportunities": tally.opportunities,
        "total_opportunity_value": tally.opportunities * pl_value,
    }


def has_sent(leads: Iterable[Lead]) -> bool:
    return any(e.kind == "sent" for lead in leads for e in lead.events)


def campaign_row(
    campaign: Campaign, leads: Sequence[Lead], window: Window, *, exclude_leads_count: bool
) -> JsonObject:
    """One row of ``GET /campaigns/analytics``."""
    row: JsonObject = {
        "campaign_name": campaign.name,
        "campaign_id": campaign.id,
        "campaign_status": campaign.status,
        "campaign_is_evergreen": bool(campaign.fields.get("is_evergreen")),
        "leads_count": 0 if exclude_leads_count else len(leads),
    }
    row.update(_counters(_tally(leads, window), float(campaign.fields.get("pl_value") or 0)))
    return row


def overview(
    campaigns: Sequence[tuple[Campaign, Sequence[Lead]]], window: Window, *, expand: bool
) -> JsonObject:
    """The summed object of ``GET /campaigns/analytics/overview``."""
    total: JsonObject = _counters(_Tally(), 0.0)
    total.update(dict.fromkeys(_INTEREST_TOTALS.values(), 0))
    for campaign, leads in campaigns:
        tally = _tally(leads, window)
        counts = _counters(tally, float(campaign.fields.get("pl_value") or 0))
        # the overview's open_count counts every open, not leads who opened (per the reference)
        counts["open_count"] = tally.events["open"]
        for key, value in counts.items():
            total[key] += value
        for lead in leads:
            interest = [e for e in lead.events if e.kind == "interest"]
            if not expand:
                first = _first_positive(lead)
                interest = [first] if first is not None else []
            for event in interest:
                name = _INTEREST_TOTALS.get(event.value if event.value is not None else 0)
                if name is not None and event.at in window:
                    total[name] += 1
    return total


def daily(leads: Sequence[Lead], window: Window) -> list[JsonObject]:
    """The rows of ``GET /campaigns/analytics/daily``: one per UTC day with any activity."""
    days: dict[str, JsonObject] = {}

    def row(moment: datetime) -> JsonObject:
        key = moment.astimezone(timezone.utc).strftime("%Y-%m-%d")
        if key not in days:
            days[key] = {
                "date": key,
                "sent": 0,
                "contacted": 0,
                "new_leads_contacted": 0,
                "opened": 0,
                "unique_opened": 0,
                "replies": 0,
                "unique_replies": 0,
                "replies_automatic": 0,
                "unique_replies_automatic": 0,
                "clicks": 0,
                "unique_clicks": 0,
                "opportunities": 0,
                "unique_opportunities": 0,
            }
        return days[key]

    totals = {
        "sent": "sent",
        "open": "opened",
        "reply": "replies",
        "auto_reply": "replies_automatic",
        "click": "clicks",
    }
    uniques = {
        "sent": "contacted",
        "open": "unique_opened",
        "reply": "unique_replies",
        "auto_reply": "unique_replies_automatic",
        "click": "unique_clicks",
    }
    for lead in leads:
        seen: set[tuple[str, str]] = set()
        first_sent = lead.first("sent")
        if first_sent is not None and first_sent.at in window:
            row(first_sent.at)["new_leads_contacted"] += 1
        for event in lead.events:
            if event.at not in window:
                continue
            if event.kind in totals:
                day = row(event.at)
                day[totals[event.kind]] += 1
                if (event.kind, day["date"]) not in seen:
                    seen.add((event.kind, day["date"]))
                    day[uniques[event.kind]] += 1
        positive = _first_positive(lead)
        if positive is not None and positive.at in window:
            day = row(positive.at)
            day["opportunities"] += 1
            day["unique_opportunities"] += 1
    return [days[key] for key in sorted(days)]
