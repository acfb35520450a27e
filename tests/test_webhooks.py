from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.domain.columns import CellValue
from instantly_columns.domain.engagement import EngagementSubtype
from instantly_columns.domain.webhooks import (
    INTEREST_EVENTS,
    STATUS_EVENTS,
    check_secret,
    parse_event,
    plan_updates,
)
from instantly_columns.errors import WebhookAuthError, WebhookPayloadError


def event(event_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "timestamp": "2026-03-04T09:12:45.311Z",
        "event_type": event_type,
        "workspace": "w1",
        "campaign_id": "c1",
        "campaign_name": "Q3",
        "lead_email": " Ada@Acme.com ",
        "step": 2,
        "variant": 1,
        **extra,
    }


def test_secret_in_header_or_query() -> None:
    check_secret("s3cret", headers={"X-Instantly-Columns-Token": "s3cret"})
    check_secret("s3cret", query={"token": "s3cret"})
    with pytest.raises(WebhookAuthError) as info:
        check_secret("s3cret", headers={"x-instantly-columns-token": "guess"})
    assert "s3cret" not in str(info.value)
    assert "guess" not in str(info.value)
    with pytest.raises(WebhookAuthError):
        check_secret("s3cret")
    with pytest.raises(WebhookAuthError, match="no webhook secret"):
        check_secret("", query={"token": ""})


def test_parse_is_tolerant_and_normalises() -> None:
    ev = parse_event(json.dumps(event("reply_received", firstName="Ada")).encode())
    assert ev.event_type == "reply_received"
    assert ev.lead_email == "ada@acme.com"
    assert (ev.step, ev.variant) == (2, 1)
    assert ev.raw["firstName"] == "Ada"
    assert ev.kind == "status"
    assert (
        parse_event(event("reply_received")).key
        == parse_event(json.dumps(event("reply_received"), indent=2)).key
    )
    assert parse_event(event("email_opened")).key != ev.key


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"lead_email": "a@b.co"}', "event_type"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_malformed_bodies(body: bytes, message: str) -> None:
    with pytest.raises(WebhookPayloadError, match=message):
        parse_event(body)


def test_status_moves_forward_only() -> None:
    opened = parse_event(event("email_opened"))
    counted: dict[EngagementSubtype, CellValue] = {"open_count": 2}
    assert plan_updates(opened, {"email_status": "Sent", **counted}).updates == {
        "email_status": "Opened"
    }
    assert plan_updates(opened, {"email_status": "Replied", **counted}).updates == {}
    assert plan_updates(opened, {"email_status": "Bounced", **counted}).updates == {}
    bounced = parse_event(event("email_bounced"))
    assert plan_updates(bounced, {"email_status": "Replied"}).updates == {"email_status": "Bounced"}


def test_sent_moves_last_contacted_to_the_later_time() -> None:
    sent = parse_event(event("email_sent", timestamp="2026-03-04T10:12:45+01:00"))
    out = plan_updates(sent, {"email_status": "Sent", "last_contacted": "2026-03-01T00:00:00.000Z"})
    assert out.updates == {"last_contacted": "2026-03-04T09:12:45.000Z"}
    late = plan_updates(
        sent, {"email_status": "Sent", "last_contacted": "2026-03-09T00:00:00.000Z"}
    )
    assert late.updates == {}


def test_an_open_or_a_reply_raises_its_counter_to_one_and_never_further() -> None:
    opened = parse_event(event("email_opened"))
    assert plan_updates(opened, {"email_status": "Sent", "open_count": 0}).updates == {
        "email_status": "Opened",
        "open_count": 1,
    }
    assert plan_updates(opened, {"email_status": "Clicked"}).updates == {"open_count": 1}
    assert plan_updates(opened, {"email_status": "Opened", "open_count": 5}).updates == {}
    for name in ("reply_received", "auto_reply_received"):
        reply = parse_event(event(name))
        assert plan_updates(reply, {"email_status": "Replied"}).updates == {"reply_count": 1}
        assert plan_updates(reply, {"email_status": "Replied", "reply_count": 3}).updates == {}
    assert "open_count" not in plan_updates(parse_event(event("email_sent")), {}).updates


def test_interest_events_ask_for_a_refresh_and_unknown_ones_are_ignored() -> None:
    for name in INTEREST_EVENTS:
        out = plan_updates(parse_event(event(name)), {})
        assert out.refresh_lead
        assert not out.updates
    out = plan_updates(parse_event(event("account_error")), {})
    assert out.ignored == "event 'account_error'"
    assert not out.refresh_lead
    no_email = plan_updates(parse_event(event("email_opened", lead_email=None)), {})
    assert no_email.ignored == "no lead_email"


_times = st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))


@given(
    st.lists(st.tuples(st.sampled_from(sorted(STATUS_EVENTS)), _times), max_size=12),
    st.randoms(use_true_random=False),
)
def test_final_state_does_not_depend_on_delivery_order(
    events: list[tuple[str, str]], rnd: Any
) -> None:
    def fold(seq: list[tuple[str, str]]) -> dict[EngagementSubtype, CellValue]:
        state: dict[EngagementSubtype, CellValue] = {
            "email_status": "Not sent",
            "open_count": 0,
            "reply_count": 0,
        }
        for name, stamp in seq:
            state.update(plan_updates(parse_event(event(name, timestamp=stamp)), state).updates)
        return state

    shuffled = list(events)
    rnd.shuffle(shuffled)
    doubled = events + events  # at-least-once delivery
    final = fold(events)
    assert final == fold(shuffled) == fold(doubled)
    # The counts never contradict the status: an opened or replied row has its event counted.
    assert (final["open_count"] == 1) == any(name == "email_opened" for name, _ in events)
    replies = ("reply_received", "auto_reply_received")
    assert (final["reply_count"] == 1) == any(name in replies for name, _ in events)
