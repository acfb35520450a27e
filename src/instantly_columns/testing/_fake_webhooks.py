"""Webhook events of the fake: payloads, subscription matching, and delivery records."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import attrs

from instantly_columns.testing._fake_state import (
    Campaign,
    JsonObject,
    Lead,
    Webhook,
    Workspace,
    iso,
)

__all__ = ["DeliveryResult", "WebhookDelivery"]

# Payload names differ from subscription names in one place.
_SUBSCRIPTION_OF = {"link_clicked": "email_link_clicked"}
# Interest value -> payload event name (-3 "Lost" has no documented event name).
INTEREST_EVENTS: dict[int | None, str] = {
    None: "lead_neutral",
    1: "lead_interested",
    2: "lead_meeting_booked",
    3: "lead_meeting_completed",
    4: "lead_closed",
    0: "lead_out_of_office",
    -1: "lead_not_interested",
    -2: "lead_wrong_person",
    -4: "lead_no_show",
}
EVENT_TYPES: tuple[tuple[str, str], ...] = (
    ("all_events", "All Events"),
    ("email_sent", "Email Sent"),
    ("email_opened", "Email Opened"),
    ("email_link_clicked", "Email Link Clicked"),
    ("reply_received", "Reply Received"),
    ("email_bounced", "Email Bounced"),
    ("lead_unsubscribed", "Lead Unsubscribed"),
    ("campaign_completed", "Campaign Completed"),
    ("account_error", "Account Error"),
    ("lead_neutral", "Lead Neutral"),
    ("lead_interested", "Lead Interested"),
    ("lead_not_interested", "Lead Not Interested"),
    ("lead_meeting_booked", "Lead Meeting Booked"),
    ("lead_meeting_completed", "Lead Meeting Completed"),
    ("lead_closed", "Lead Closed"),
    ("lead_out_of_office", "Lead Out Of Office"),
    ("lead_wrong_person", "Lead Wrong Person"),
    ("lead_no_show", "Lead No Show"),
    ("supersearch_enrichment_completed", "SuperSearch Enrichment Completed"),
)
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (the only HTTP targets the fake calls)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host is not None and host.lower() in _LOOPBACK


@attrs.frozen
class WebhookDelivery:
    """One webhook POST the fake makes: to ``url``, with ``headers`` and the JSON ``body``.

    ``payload`` is ``body`` decoded. ``attempt`` is 0 for the first try and counts retries;
    ``duplicate`` marks the extra copy sent by the duplicate-delivery knob.
    """

    webhook_id: str
    url: str
    event_type: str
    payload: JsonObject
    headers: Mapping[str, str]
    body: bytes
    attempt: int = 0
    duplicate: bool = False

    def __repr__(self) -> str:
        flags = f" attempt={self.attempt}" if self.attempt else ""
        flags += " duplicate" if self.duplicate else ""
        return f"WebhookDelivery({self.event_type} -> {self.url}{flags})"


@attrs.frozen
class DeliveryResult:
    """How one delivery attempt went: the receiver's ``status`` (None if unreachable)."""

    delivery: WebhookDelivery
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300

    def __repr__(self) -> str:
        outcome = self.status if self.status is not None else self.error
        return f"DeliveryResult({self.delivery.event_type} -> {self.delivery.url}: {outcome})"


def subscribed(webhook: Webhook, event_type: str, campaign_id: str | None) -> bool:
    """Whether ``webhook`` wants a payload of ``event_type`` from ``campaign_id``."""
    if webhook.status != 1:
        return False
    scope = webhook.fields.get("campaign")
    if scope is not None and scope != campaign_id:
        return False
    wanted = webhook.fields.get("event_type")
    if wanted == "all_events":
        return True
    return wanted is not None and wanted == _SUBSCRIPTION_OF.get(event_type, event_type)


def payload(
    workspace: Workspace,
    event_type: str,
    at: datetime,
    campaign: Campaign | None,
    lead: Lead | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JsonObject:
    """The JSON body of one event, as delivered to subscribers."""
    body: JsonObject = {
        "timestamp": iso(at),
        "event_type": event_type,
        "workspace": workspace.id,
        "campaign_id": campaign.id if campaign else None,
        "campaign_name": campaign.name if campaign else None,
    }
    if lead is not None:
        body["lead_email"] = lead.email
    if extra:
        body.update(extra)
    if lead is not None:
        for key, value in lead.payload().items():
            body.setdefault(key, value)
    return body


def deliveries_for(
    workspace: Workspace, event: JsonObject, campaign_id: str | None
) -> list[WebhookDelivery]:
    """One pending delivery per active subscription that wants ``event``."""
    out: list[WebhookDelivery] = []
    body = json.dumps(event, separators=(",", ":")).encode()
    for webhook in workspace.webhooks.values():
        if not subscribed(webhook, event["event_type"], campaign_id):
            continue
        headers = {"content-type": "application/json"}
        headers.update(webhook.fields.get("headers") or {})
        out.append(
            WebhookDelivery(
                webhook_id=webhook.id,
                url=webhook.fields["target_hook_url"],
                event_type=event["event_type"],
                payload=dict(event),
                headers=headers,
                body=body,
            )
        )
    return out
