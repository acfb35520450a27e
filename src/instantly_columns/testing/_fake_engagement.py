"""Engagement simulation: what ``FakeInstantly.advance`` does to active campaigns."""

from __future__ import annotations

import heapq
import random
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs

from instantly_columns.errors import ConfigError, Problem
from instantly_columns.testing._fake_state import (
    CAMPAIGN_ACTIVE,
    CAMPAIGN_COMPLETED,
    LEAD_ACTIVE,
    LEAD_BOUNCED,
    LEAD_COMPLETED,
    LEAD_UNSUBSCRIBED,
    Campaign,
    Lead,
    LeadEvent,
    Workspace,
    delay_seconds,
)
from instantly_columns.testing._fake_webhooks import INTEREST_EVENTS

__all__ = ["AdvanceReport", "EngagementRates"]

DEFAULT_SENDER = "sender@fake-instantly.test"
UNIBOX_URL = "https://app.instantly.ai/app/unibox"
"""Where a reply's ``unibox_url`` points (the fake adds the reply's ``email_id``)."""
_INTEREST_CODES = frozenset({1, 2, 3, 4, 0, -1, -2, -3, -4})


@attrs.frozen
class EngagementRates:
    """How recipients react to each email ``advance`` sends (probabilities, 0..1).

    ``bounce`` is drawn first and ends the lead's sequence; then ``open`` (with ``reopen``
    for a second open and ``click`` given an open, ``reclick`` for a second click given a
    click), ``reply`` (with ``interest``: the chance that a reply gets an interest status,
    picked from ``interest_weights``; ``rereply`` for a second reply to the same email),
    ``auto_reply`` and ``unsubscribe``. ``reclick`` and ``rereply`` are 0 by default, so
    unique and total counts of clicks and replies differ only when you ask for it (opens
    differ through ``reopen``); they draw from a stream of their own, and a second reply
    takes its text and ``email_id`` from it too, so turning them on changes nothing else
    a seed produces.
    """

    open: float = 0.5
    reopen: float = 0.25
    click: float = 0.2
    reply: float = 0.1
    auto_reply: float = 0.02
    bounce: float = 0.02
    unsubscribe: float = 0.01
    interest: float = 0.6
    interest_weights: tuple[tuple[int, float], ...] = ((1, 4.0), (-1, 3.0), (2, 2.0), (0, 1.0))
    reclick: float = 0.0
    rereply: float = 0.0

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        names = ("open", "reopen", "click", "reply", "auto_reply", "bounce", "reclick", "rereply")
        for name in names:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                problems.append(Problem(name, "must be between 0 and 1"))
        for name in ("unsubscribe", "interest"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                problems.append(Problem(name, "must be between 0 and 1"))
        if not self.interest_weights:
            problems.append(Problem("interest_weights", "needs at least one status"))
        for code, weight in self.interest_weights:
            if code not in _INTEREST_CODES:
                problems.append(Problem("interest_weights", f"unknown interest status {code}"))
            if weight <= 0:
                problems.append(Problem("interest_weights", "weights must be > 0"))
        if problems:
            raise ConfigError(problems)

    @classmethod
    def none(cls) -> EngagementRates:
        """Nobody reacts: emails are sent and nothing else happens."""
        return cls(0, 0, 0, 0, 0, 0, 0, 0)

    @classmethod
    def everyone(cls, interest: int = 1) -> EngagementRates:
        """Every email is opened, clicked and replied to, with ``interest`` on each reply."""
        return cls(1, 0, 1, 1, 0, 0, 0, 1, ((interest, 1.0),))


@attrs.frozen
class AdvanceReport:
    """What one ``advance`` call simulated, between ``started`` and ``ended``."""

    started: datetime
    ended: datetime
    sent: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0
    auto_replied: int = 0
    bounced: int = 0
    unsubscribed: int = 0
    interest_changes: int = 0
    leads_completed: int = 0
    campaigns_completed: int = 0
    events: int = 0

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{name}={getattr(self, name)}"
            for name in (
                "sent",
                "opened",
                "clicked",
                "replied",
                "auto_replied",
                "bounced",
                "unsubscribed",
                "interest_changes",
                "leads_completed",
                "campaigns_completed",
                "events",
            )
            if getattr(self, name)
        )
        span = self.ended - self.started
        return f"AdvanceReport({span}, {counts or 'nothing happened'})"


Emit = Callable[[str, datetime, Campaign | None, Lead | None, dict[str, Any]], None]


@attrs.frozen
class _Item:
    at: datetime
    seq: int
    kind: str
    lead_id: str
    step: int = 0
    variant: int = 0
    value: int | None = None


_Entry = tuple[datetime, int, _Item]  # heap entries order by time, then by insertion


_REPLIES = (
    "Thanks for reaching out, happy to talk next week.",
    "Not the right time for us, sorry.",
    "Can you send more details?",
    "Sounds interesting. Tuesday works for me.",
)


def sender_for(campaign: Campaign | None, lead: Lead, step: int | None) -> str:
    """The address an event about the email of ``step`` (0-based) names as
    ``email_account``: the sender of the lead's last send of that step, else of its last
    send, else the campaign's first sender."""
    sends = [e for e in lead.events if e.kind == "sent" and e.sender]
    same = [e for e in sends if e.step == step]
    if same or sends:
        return str((same or sends)[-1].sender)
    senders = campaign.senders() if campaign is not None else []
    return senders[0] if senders else DEFAULT_SENDER


def next_sender(campaign: Campaign) -> str:
    """The next sender in the campaign's rotation (``email_list``, in turn)."""
    senders = campaign.senders() or [DEFAULT_SENDER]
    sender = senders[campaign.sender_turn % len(senders)]
    campaign.sender_turn += 1
    return sender


def sent_fields(
    workspace: Workspace, campaign: Campaign | None, lead: Lead, event: LeadEvent
) -> dict[str, Any]:
    """The documented keys of an ``email_sent`` payload for ``event`` (already logged)."""
    step, variant = event.step or 0, event.variant or 0
    chosen = _variant(campaign, step, variant)
    html = str(chosen.get("body", ""))
    return {
        "email_account": event.sender or sender_for(campaign, lead, step),
        "step": step + 1,
        "variant": variant + 1,
        "is_first": lead.count("sent") == 1,
        "email_id": workspace.ids.new(event.at),
        "email_subject": str(chosen.get("subject", "")),
        "email_text": _text_of(html),
        "email_html": html,
    }


def reaction_fields(
    workspace: Workspace,
    campaign: Campaign | None,
    lead: Lead,
    event: LeadEvent,
    text: str | None = None,
    email_id: str | None = None,
) -> dict[str, Any]:
    """The documented keys of the payload of a reaction to an email (open, click, reply,
    automatic reply, bounce) that is already in the lead's log. Replies of both kinds carry
    every reply field, wherever they come from."""
    step, variant = event.step or 0, event.variant or 0
    fields: dict[str, Any] = {
        "email_account": sender_for(campaign, lead, event.step),
        "step": step + 1,
        "variant": variant + 1,
        "is_first": lead.count(event.kind) == 1,
    }
    if event.kind in ("reply", "auto_reply"):
        if text is None:
            text = _REPLIES[(lead.count(event.kind) - 1) % len(_REPLIES)]
        if email_id is None:
            email_id = workspace.ids.new(event.at)
        subject = str(_variant(campaign, step, variant).get("subject", "")) if campaign else ""
        fields.update(
            {
                "unibox_url": f"{UNIBOX_URL}?email_id={email_id}",
                "email_id": email_id,
                "reply_subject": "Re: " + subject,
                "reply_text_snippet": text[:100],
                "reply_text": text,
                "reply_html": f"<div>{text}</div>",
            }
        )
    return fields


def _variant(campaign: Campaign | None, step: int, variant: int) -> dict[str, Any]:
    steps = campaign.steps() if campaign is not None else []
    if step >= len(steps):
        return {}
    variants = steps[step].get("variants") or []
    chosen = variants[variant] if variant < len(variants) else {}
    return chosen if isinstance(chosen, dict) else {}


def _text_of(html: str) -> str:
    """Plain text of an email body: line breaks for ``<br>`` and paragraphs, tags dropped."""
    text = re.sub(r"(?i)<br\s*/?>|</p\s*>", "\n", html)
    return re.sub(r"<[^>]*>", "", text).strip()


def set_interest(
    workspace: Workspace, lead: Lead, value: int | None, at: datetime, emit: Emit
) -> bool:
    """Change a lead's interest status, log it and emit its event. False if unchanged."""
    if lead.interest == value:
        return False
    lead.interest = value
    lead.updated = at
    lead.events.append(LeadEvent(at, "interest", value=value))
    name = INTEREST_EVENTS.get(value)
    if name is not None:
        campaign = workspace.campaigns.get(lead.campaign_id or "")
        emit(name, at, campaign, lead, {"lt_interest_status": value})
    return True


class Simulator:
    """Runs sends and reactions in time order; reactions due later wait for the next call."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"engagement:{seed}")  # noqa: S311 - seeded on purpose
        self._pending: list[_Entry] = []
        self._seq = 0
        self._active: dict[str, int] = {}

    def _push(self, heap: list[_Entry], at: datetime, kind: str, lead: Lead, **kw: Any) -> None:
        self._seq += 1
        heapq.heappush(heap, (at, self._seq, _Item(at, self._seq, kind, lead.id, **kw)))

    def run(
        self,
        workspace: Workspace,
        start: datetime,
        end: datetime,
        rates: EngagementRates,
        emit: Emit,
        move_clock: Callable[[datetime], None],
        seed: int | None = None,
    ) -> AdvanceReport:
        rng = random.Random(f"engagement:{seed}") if seed is not None else self._rng  # noqa: S311
        heap = list(self._pending)
        heapq.heapify(heap)
        self._active = {}  # campaign id -> leads still active, to spot completion cheaply
        for lead in workspace.leads.values():
            if lead.campaign_id is not None and lead.status == LEAD_ACTIVE:
                self._active[lead.campaign_id] = self._active.get(lead.campaign_id, 0) + 1
        for campaign in workspace.campaigns.values():
            if campaign.status != CAMPAIGN_ACTIVE:
                continue
            steps = campaign.steps()
            for lead in workspace.campaign_leads(campaign.id):
                if lead.status == LEAD_ACTIVE and lead.next_step < len(steps):
                    due = max(lead.next_due or lead.created, campaign.activated or start, start)
                    self._push(heap, due, "send", lead, step=lead.next_step)
        counts: dict[str, int] = {}
        events = 0

        def counted_emit(
            name: str, at: datetime, c: Campaign | None, lead: Lead | None, extra: dict[str, Any]
        ) -> None:
            nonlocal events
            events += 1
            emit(name, at, c, lead, extra)

        while heap and heap[0][0] <= end:
            item = heapq.heappop(heap)[2]
            if item.at < start:  # due while the clock moved on outside ``advance``
                item = attrs.evolve(item, at=start)
            move_clock(item.at)
            target = workspace.leads.get(item.lead_id)
            owner = workspace.campaigns.get(target.campaign_id or "") if target else None
            if target is None or owner is None:  # deleted meanwhile
                continue
            outcome = self._handle(workspace, owner, target, item, heap, rates, rng, counted_emit)
            for name in outcome:
                counts[name] = counts.get(name, 0) + 1
        self._pending = [entry for entry in heap if entry[2].kind != "send"]
        move_clock(end)
        return AdvanceReport(start, end, events=events, **counts)

    def _handle(
        self,
        workspace: Workspace,
        campaign: Campaign,
        lead: Lead,
        item: _Item,
        heap: list[_Entry],
        rates: EngagementRates,
        rng: random.Random,
        emit: Emit,
    ) -> list[str]:
        at = item.at
        kind = item.kind
        if kind == "send":
            return self._send(workspace, campaign, lead, item, heap, rates, rng, emit)
        done: list[str] = []
        if kind == "reply_again":
            # a second reply to the same email (``rereply``): its text and id come from a
            # stream of its own, so the seeded draws of everything else stay as they were
            event = LeadEvent(at, "reply", item.step, item.variant)
            lead.events.append(event)
            lead.updated = at
            own = random.Random(f"again:{lead.id}:{item.seq}")  # noqa: S311
            text = _REPLIES[own.randrange(len(_REPLIES))]
            email_id = str(uuid.UUID(int=own.getrandbits(128), version=4))
            fields = reaction_fields(workspace, campaign, lead, event, text, email_id)
            emit("reply_received", at, campaign, lead, fields)
            return ["replied"]
        if kind in ("open", "click", "reply", "auto_reply"):
            event = LeadEvent(at, kind, item.step, item.variant)
            lead.events.append(event)
            lead.updated = at
            if kind == "open":
                done.append("opened")
                emit(
                    "email_opened",
                    at,
                    campaign,
                    lead,
                    reaction_fields(workspace, campaign, lead, event),
                )
            elif kind == "click":
                done.append("clicked")
                emit(
                    "link_clicked",
                    at,
                    campaign,
                    lead,
                    reaction_fields(workspace, campaign, lead, event),
                )
            else:
                text = _REPLIES[rng.randrange(len(_REPLIES))]
                name = "reply_received" if kind == "reply" else "auto_reply_received"
                done.append("replied" if kind == "reply" else "auto_replied")
                emit(
                    name,
                    at,
                    campaign,
                    lead,
                    reaction_fields(workspace, campaign, lead, event, text),
                )
                if kind == "reply" and campaign.stops_on_reply() and lead.status == LEAD_ACTIVE:
                    done += self._finish(workspace, campaign, lead, LEAD_COMPLETED, at, emit)
        elif kind == "bounce":
            event = LeadEvent(at, "bounce", item.step, item.variant)
            lead.events.append(event)
            done.append("bounced")
            emit(
                "email_bounced",
                at,
                campaign,
                lead,
                reaction_fields(workspace, campaign, lead, event),
            )
            done += self._finish(workspace, campaign, lead, LEAD_BOUNCED, at, emit)
        elif kind == "unsubscribe":
            lead.events.append(LeadEvent(at, "unsubscribe", item.step, item.variant))
            done.append("unsubscribed")
            account = {"email_account": sender_for(campaign, lead, item.step)}
            emit("lead_unsubscribed", at, campaign, lead, account)
            done += self._finish(workspace, campaign, lead, LEAD_UNSUBSCRIBED, at, emit)
        elif kind == "interest":
            if set_interest(workspace, lead, item.value, at, emit):
                done.append("interest_changes")
        elif kind == "complete" and lead.status == LEAD_ACTIVE:
            done += self._finish(workspace, campaign, lead, LEAD_COMPLETED, at, emit)
        return done

    def _send(
        self,
        workspace: Workspace,
        campaign: Campaign,
        lead: Lead,
        item: _Item,
        heap: list[_Entry],
        rates: EngagementRates,
        rng: random.Random,
        emit: Emit,
    ) -> list[str]:
        steps = campaign.steps()
        if (
            campaign.status != CAMPAIGN_ACTIVE
            or lead.status != LEAD_ACTIVE
            or lead.next_step != item.step
            or item.step >= len(steps)
        ):
            return []
        at = item.at
        step = steps[item.step]
        variants = step.get("variants") or [{}]
        enabled = [i for i, v in enumerate(variants) if not v.get("v_disabled")] or [0]
        variant = enabled[rng.randrange(len(enabled))]
        sender = next_sender(campaign)
        event = LeadEvent(at, "sent", item.step, variant, sender=sender)
        lead.events.append(event)
        lead.updated = at
        lead.next_step = item.step + 1
        wait = delay_seconds(step)
        lead.next_due = at + timedelta(seconds=wait)
        emit("email_sent", at, campaign, lead, sent_fields(workspace, campaign, lead, event))
        # every draw is made, in a fixed order, so runs with the same seed agree
        draws = [rng.random() for _ in range(8)]
        minutes = [rng.uniform(0.0, 1.0) for _ in range(6)]
        pick = rng.random()
        # repeat clicks and replies draw from a stream of their own: turning them on changes
        # nothing else a seed produces
        more = random.Random(f"more:{pick!r}:{lead.id}:{item.step}")  # noqa: S311
        again = [more.random() for _ in range(2)]
        where = {"step": item.step, "variant": variant}
        if draws[0] < rates.bounce:
            self._push(heap, at + timedelta(minutes=1), "bounce", lead, **where)
            lead.next_step = len(steps)  # nothing more goes to a bounced address
            return ["sent"]
        if draws[1] < rates.open:
            opened = at + timedelta(minutes=5 + minutes[0] * 355)
            self._push(heap, opened, "open", lead, **where)
            if draws[2] < rates.reopen:
                self._push(
                    heap, opened + timedelta(hours=1 + minutes[1] * 23), "open", lead, **where
                )
            if draws[3] < rates.click:
                clicked = opened + timedelta(minutes=1 + minutes[2] * 29)
                self._push(heap, clicked, "click", lead, **where)
                if again[0] < rates.reclick:
                    self._push(heap, clicked + timedelta(hours=2), "click", lead, **where)
        if draws[4] < rates.reply:
            replied = at + timedelta(minutes=30 + minutes[3] * 1410)
            self._push(heap, replied, "reply", lead, **where)
            if again[1] < rates.rereply:
                self._push(heap, replied + timedelta(hours=3), "reply_again", lead, **where)
            if draws[5] < rates.interest:
                value = _weighted(rates.interest_weights, pick)
                self._push(
                    heap, replied + timedelta(minutes=30), "interest", lead, value=value, **where
                )
        if draws[6] < rates.auto_reply:
            self._push(
                heap, at + timedelta(minutes=1 + minutes[4] * 9), "auto_reply", lead, **where
            )
        if draws[7] < rates.unsubscribe:
            self._push(
                heap, at + timedelta(minutes=10 + minutes[5] * 710), "unsubscribe", lead, **where
            )
        if lead.next_step < len(steps):
            self._push(heap, lead.next_due, "send", lead, step=lead.next_step)
        else:
            self._push(heap, lead.next_due, "complete", lead, **where)
        return ["sent"]

    def _finish(
        self,
        workspace: Workspace,
        campaign: Campaign,
        lead: Lead,
        status: int,
        at: datetime,
        emit: Emit,
    ) -> list[str]:
        done: list[str] = []
        was_active = lead.status == LEAD_ACTIVE
        lead.status = status
        lead.updated = at
        if status == LEAD_COMPLETED and was_active:
            lead.events.append(LeadEvent(at, "complete"))
            done.append("leads_completed")
        if was_active and status != LEAD_ACTIVE:
            self._active[campaign.id] = self._active.get(campaign.id, 1) - 1
        if campaign.status == CAMPAIGN_ACTIVE and self._active.get(campaign.id, 0) == 0:
            campaign.status = CAMPAIGN_COMPLETED
            campaign.updated = at
            done.append("campaigns_completed")
            emit("campaign_completed", at, campaign, None, {})
        return done


def _weighted(weights: tuple[tuple[int, float], ...], draw: float) -> int:
    total = sum(w for _, w in weights)
    point = draw * total
    for code, weight in weights:
        point -= weight
        if point < 0:
            return code
    return weights[-1][0]
