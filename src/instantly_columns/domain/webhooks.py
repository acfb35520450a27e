"""Webhook events, pure: check the shared secret, parse a delivery, and turn it into
monotone cell updates.

Instantly signs nothing, so a receiver must insist on a secret that only Instantly knows: a
token in the target URL's query string or in a custom header set on the subscription. It is
compared in constant time.

Deliveries come at least once and in any order. So an event only ever moves a cell *forward*:
``email_status`` climbs the order Not sent < Sent < Opened < Clicked < Replied (Bounced and
Unsubscribed are terminal and win), ``last_contacted`` becomes the later of the two times, and
a counter only rises to the floor the event proves: an open makes ``open_count`` at least 1, a
reply (automatic ones too, as the summary's reply total counts them) ``reply_count`` at least 1.
A counter is never incremented (a late or repeated event cannot tell whether the count already
includes it; the next sync sets the counts from the API), so the email status and the counts
never contradict each other (an "Opened" row always has an open). Interest changes
(``lead_interested``...) are not applied from the payload either: their order cannot be
trusted, so the event asks for a refresh of that lead from the API, which is the truth.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs

from instantly_columns.domain._json import JsonLimitError, check_json_limits, loads_limited
from instantly_columns.domain.columns import CellValue
from instantly_columns.domain.engagement import (
    EMAIL_STATUS_TERMINAL,
    EngagementSubtype,
    email_status_rank,
    normalize_timestamp,
)
from instantly_columns.errors import WebhookAuthError, WebhookPayloadError

__all__ = [
    "COUNTER_FLOORS",
    "INTEREST_EVENTS",
    "SECRET_HEADER",
    "STATUS_EVENTS",
    "SUBSCRIPTION_EVENTS",
    "WebhookEvent",
    "WebhookOutcome",
    "check_secret",
    "parse_event",
    "plan_updates",
]

SECRET_HEADER = "X-Instantly-Columns-Token"  # noqa: S105 (a header name, not a secret)
"""The header a subscription sends the shared secret in (names match case-insensitively)."""

#: Payload ``event_type`` -> the ``email_status`` it proves at least.
STATUS_EVENTS: dict[str, str] = {
    "email_sent": "Sent",
    "email_opened": "Opened",
    "link_clicked": "Clicked",
    "email_link_clicked": "Clicked",
    "reply_received": "Replied",
    "auto_reply_received": "Sent",
    "email_bounced": "Bounced",
    "lead_unsubscribed": "Unsubscribed",
}

#: Payload ``event_type`` -> the counter it proves is at least 1.
COUNTER_FLOORS: dict[str, EngagementSubtype] = {
    "email_opened": "open_count",
    "reply_received": "reply_count",
    "auto_reply_received": "reply_count",
}

#: Events that change a lead's interest status; they trigger a refresh of that lead.
INTEREST_EVENTS: frozenset[str] = frozenset(
    {
        "lead_neutral",
        "lead_interested",
        "lead_not_interested",
        "lead_meeting_booked",
        "lead_meeting_completed",
        "lead_closed",
        "lead_out_of_office",
        "lead_wrong_person",
        "lead_no_show",
        "lead_lost",
    }
)

#: The ``event_type`` values a webhook subscription accepts (the API's closed list). Two
#: differ from the payload names: subscribe to ``email_link_clicked`` to receive
#: ``link_clicked``; ``auto_reply_received`` comes with ``reply_received`` or ``all_events``.
#: ``None`` (not listed) subscribes to a custom label, named by ``custom_interest_value``.
SUBSCRIPTION_EVENTS: tuple[str, ...] = (
    "all_events",
    "email_sent",
    "email_opened",
    "email_link_clicked",
    "reply_received",
    "email_bounced",
    "lead_unsubscribed",
    "campaign_completed",
    "account_error",
    "lead_neutral",
    "lead_interested",
    "lead_not_interested",
    "lead_meeting_booked",
    "lead_meeting_completed",
    "lead_closed",
    "lead_out_of_office",
    "lead_wrong_person",
    "lead_no_show",
    "supersearch_enrichment_completed",
)

EventKind: TypeAlias = Literal["status", "interest", "other"]


def check_secret(
    expected: str,
    *,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
    header_name: str = SECRET_HEADER,
    query_name: str = "token",
) -> None:
    """Accept the delivery only if it carries ``expected`` in the header or the query.

    Header names are matched case-insensitively. The comparison runs in constant time.

    Raises:
        WebhookAuthError: the secret is missing or wrong (the message never echoes it).
    """
    if not expected:
        raise WebhookAuthError("no webhook secret is configured; refusing every delivery")
    candidates: list[str] = []
    if headers:
        wanted = header_name.lower()
        candidates += [v for k, v in headers.items() if k.lower() == wanted]
    if query and query_name in query:
        candidates.append(query[query_name])
    good = expected.encode()
    if not any(hmac.compare_digest(c.encode(), good) for c in candidates):
        raise WebhookAuthError("missing or wrong webhook secret")


@attrs.frozen
class WebhookEvent:
    """One delivery, parsed tolerantly. ``raw`` keeps every key Instantly sent."""

    event_type: str
    timestamp: str | None
    campaign_id: str | None
    lead_email: str | None
    """Normalised: stripped and lower-cased."""
    step: int | None
    variant: int | None
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)
    key: str
    """Stable identity of the delivery (a hash of its canonical JSON): replays share it."""

    @property
    def kind(self) -> EventKind:
        if self.event_type in STATUS_EVENTS:
            return "status"
        if self.event_type in INTEREST_EVENTS:
            return "interest"
        return "other"


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    # A step or variant number is small: a long run of digits is no number we can use (and
    # int() refuses more than 4,300 of them).
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def parse_event(body: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """Parse a delivery body (raw bytes, text, or already-decoded JSON).

    Raises:
        WebhookPayloadError: not JSON, not an object, or without an ``event_type``; or
            nested more than 64 levels deep, or holding an integer of more than 4,300 digits
            (a real delivery is flat; such a body is refused before anything reads it).
    """
    data: Any
    if isinstance(body, Mapping):
        data = body
    else:
        try:
            data = loads_limited(body)
        except JsonLimitError as exc:
            raise WebhookPayloadError(str(exc)) from None
        except (ValueError, UnicodeDecodeError):
            raise WebhookPayloadError("the body is not valid JSON") from None
    if not isinstance(data, Mapping):
        raise WebhookPayloadError("the body must be a JSON object")
    try:
        check_json_limits(dict(data))
    except JsonLimitError as exc:
        raise WebhookPayloadError(str(exc)) from None
    event_type = _str(data.get("event_type"))
    if event_type is None:
        raise WebhookPayloadError("event_type is missing")
    email = _str(data.get("lead_email"))
    try:
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    except (ValueError, RecursionError):  # pragma: no cover - not from JSON within limits
        raise WebhookPayloadError("the body cannot be serialised") from None
    return WebhookEvent(
        event_type=event_type.strip(),
        timestamp=_str(data.get("timestamp")),
        campaign_id=_str(data.get("campaign_id")),
        lead_email=email.strip().lower() if email else None,
        step=_int(data.get("step")),
        variant=_int(data.get("variant")),
        raw=dict(data),
        key=hashlib.sha256(canonical.encode()).hexdigest(),
    )


@attrs.frozen
class WebhookOutcome:
    """What one event asks for: monotone cell updates, a refresh of the lead, or nothing."""

    updates: Mapping[EngagementSubtype, CellValue]
    refresh_lead: bool
    ignored: str | None = None
    """Why nothing happens (unknown event type, no lead email...), for the log."""


def _later(a: CellValue, b: str | None) -> CellValue:
    if b is None:
        return a
    if not isinstance(a, str) or not a:
        return b
    # ISO-8601 UTC strings in one canonical form compare as text.
    return max(a, b)


def _rank(label: str) -> int:
    # The ladder, then the terminal outcomes in their order of precedence (the first wins), so
    # that any two statuses compare and the result never depends on delivery order.
    if label in EMAIL_STATUS_TERMINAL:
        return 100 - EMAIL_STATUS_TERMINAL.index(label)
    return email_status_rank(label)


def plan_updates(
    event: WebhookEvent, current: Mapping[EngagementSubtype, CellValue]
) -> WebhookOutcome:
    """The cell changes an event justifies, given the row's current engagement cells.

    Only forward moves are returned; an event that would move nothing returns no updates,
    so replays and late deliveries are harmless.
    """
    if event.lead_email is None:
        return WebhookOutcome({}, refresh_lead=False, ignored="no lead_email")
    if event.kind == "interest":
        return WebhookOutcome({}, refresh_lead=True)
    if event.kind == "other":
        return WebhookOutcome({}, refresh_lead=False, ignored=f"event {event.event_type!r}")
    updates: dict[EngagementSubtype, CellValue] = {}
    target = STATUS_EVENTS[event.event_type]
    now = current.get("email_status")
    if _rank(target) > (_rank(now) if isinstance(now, str) else -1):
        updates["email_status"] = target
    if event.event_type == "email_sent" and event.timestamp is not None:
        stamp = normalize_timestamp(event.timestamp)
        old = current.get("last_contacted")
        new = _later(old, stamp)
        if stamp is not None and new != old:
            updates["last_contacted"] = new
    counter = COUNTER_FLOORS.get(event.event_type)
    if counter is not None:
        count = current.get(counter)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            updates[counter] = 1
    return WebhookOutcome(updates, refresh_lead=False)
