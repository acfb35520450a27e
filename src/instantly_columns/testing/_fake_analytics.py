"""Campaign analytics of the fake, recounted from lead event logs on every call.

Nothing here is stored: each counter is a count over the leads' events inside the requested
time range, so the analytics endpoints always agree with the lead objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

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


def _events(lead: Lead, kind: str, window: Window) -> list[LeadEvent]:
    return [e for e in lead.events if e.kind == kind and e.at in window]


def _first_in(lead: Lead, kind: str, window: Window) -> bool:
    first = lead.first(kind)
    return first is not None and first.at in window


def _first_by_step(lead: Lead, kind: str, window: Window) -> int:
    seen: dict[int | None, datetime] = {}
    for event in lead.events:
        if event.kind == kind and event.step not in seen:
            seen[event.step] = event.at
    return sum(1 for at in seen.values() if at in window)


def _first_positive(lead: Lead) -> LeadEvent | None:
    return next(
        (e for e in lead.events if e.kind == "interest" and e.value in POSITIVE_INTEREST), None
    )


def _counters(leads: Sequence[Lead], window: Window, pl_value: float) -> JsonObject:
    sent = [len(_events(lead, "sent", window)) for lead in leads]
    opportunities = sum(
        1 for lead in leads if (ev := _first_positive(lead)) is not None and ev.at in window
    )
    return {
        "contacted_count": sum(1 for n in sent if n),
        "emails_sent_count": sum(sent),
        "new_leads_contacted_count": sum(1 for lead in leads if _first_in(lead, "sent", window)),
        "open_count": sum(1 for lead in leads if _events(lead, "open", window)),
        "open_count_unique": sum(1 for lead in leads if _first_in(lead, "open", window)),
        "open_count_unique_by_step": sum(_first_by_step(x, "open", window) for x in leads),
        "reply_count": sum(len(_events(lead, "reply", window)) for lead in leads),
        "reply_count_unique": sum(1 for lead in leads if _first_in(lead, "reply", window)),
        "reply_count_unique_by_step": sum(_first_by_step(x, "reply", window) for x in leads),
        "reply_count_automatic": sum(len(_events(x, "auto_reply", window)) for x in leads),
        "reply_count_automatic_unique": sum(
            1 for lead in leads if _first_in(lead, "auto_reply", window)
        ),
        "reply_count_automatic_unique_by_step": sum(
            _first_by_step(x, "auto_reply", window) for x in leads
        ),
        "link_click_count": sum(len(_events(lead, "click", window)) for lead in leads),
        "link_click_count_unique": sum(1 for lead in leads if _first_in(lead, "click", window)),
        "link_click_count_unique_by_step": sum(_first_by_step(x, "click", window) for x in leads),
        "bounced_count": sum(1 for lead in leads if _events(lead, "bounce", window)),
        "unsubscribed_count": sum(1 for lead in leads if _events(lead, "unsubscribe", window)),
        "completed_count": sum(1 for lead in leads if _events(lead, "complete", window)),
        "total_opportunities": opportunities,
        "total_opportunity_value": opportunities * pl_value,
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
    row.update(_counters(leads, window, float(campaign.fields.get("pl_value") or 0)))
    return row


def overview(
    campaigns: Sequence[tuple[Campaign, Sequence[Lead]]], window: Window, *, expand: bool
) -> JsonObject:
    """The summed object of ``GET /campaigns/analytics/overview``."""
    total: JsonObject = _counters([], window, 0.0)
    total.update(dict.fromkeys(_INTEREST_TOTALS.values(), 0))
    for campaign, leads in campaigns:
        counts = _counters(leads, window, float(campaign.fields.get("pl_value") or 0))
        for key, value in counts.items():
            total[key] += value
        # the overview's open_count counts every open, not leads who opened (per the reference)
        total["open_count"] += (
            sum(len(_events(lead, "open", window)) for lead in leads) - counts["open_count"]
        )
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
