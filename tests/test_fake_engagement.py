"""FakeInstantly.advance: sends, reactions, statuses, determinism."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from _fake_support import check
from instantly_columns.errors import ConfigError
from instantly_columns.testing import EngagementRates, FakeInstantly

ONE_STEP: list[dict[str, Any]] = [
    {"steps": [{"type": "email", "delay": 1, "variants": [{"subject": "Hi", "body": "B"}]}]}
]


def _setup(fake: FakeInstantly, n: int = 5, **settings: Any) -> str:
    campaign = fake.create_campaign(active=True, **settings)
    fake.add_leads(campaign["id"], [f"u{i}@x.co" for i in range(n)])
    return str(campaign["id"])


def test_drafts_and_paused_campaigns_send_nothing() -> None:
    fake = FakeInstantly()
    draft = fake.create_campaign("Draft")
    fake.add_leads(draft["id"], ["a@x.co"])
    report = fake.advance(timedelta(days=5))
    assert report.sent == 0
    assert fake.now().isoformat() == "2026-01-10T09:00:00+00:00"  # the clock moved anyway


def test_steps_follow_their_delays() -> None:
    fake = FakeInstantly()
    cid = _setup(fake, n=1)  # default: step 1, wait 2 days, step 2, wait 3 days
    assert fake.advance(timedelta(days=1), rates=EngagementRates.none()).sent == 1
    assert fake.advance(timedelta(hours=23), rates=EngagementRates.none()).sent == 0
    second = fake.advance(timedelta(hours=2), rates=EngagementRates.none())
    assert second.sent == 1
    (lead,) = fake.leads(cid)
    assert lead["status_summary"]["lastStep"]["stepID"] == "0_1_0"
    assert lead["timestamp_last_contact"] == "2026-01-07T09:00:00.000Z"
    assert lead["status"] == 1  # completes after the last step's wait
    done = fake.advance(timedelta(days=3), rates=EngagementRates.none())
    assert (done.leads_completed, done.campaigns_completed) == (1, 1)
    assert fake.leads(cid)[0]["status"] == 3
    assert fake.campaign(cid)["status"] == 3


def test_pausing_stops_sends_and_activating_resumes() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign(sequences=ONE_STEP)
    fake.add_leads(campaign["id"], ["a@x.co"])
    assert fake.advance(60).sent == 0
    fake.activate(campaign["id"])
    assert fake.advance(60, rates=EngagementRates.none()).sent == 1


def test_everyone_engages_and_replies_stop_the_sequence() -> None:
    fake = FakeInstantly()
    cid = _setup(fake, n=3)
    report = fake.advance(timedelta(days=4), rates=EngagementRates.everyone(interest=2))
    assert (report.sent, report.opened, report.clicked, report.replied) == (3, 3, 3, 3)
    assert report.interest_changes == 3
    for lead in fake.leads(cid):
        check("fake_lead", lead)
        assert lead["status"] == 3  # stop_on_reply by default
        assert lead["lt_interest_status"] == 2
        assert (lead["email_open_count"], lead["email_click_count"]) == (1, 1)
        assert lead["email_reply_count"] == 1
        assert lead["email_replied_step"] == 0  # 0-based in lead objects


def test_without_stop_on_reply_the_sequence_continues() -> None:
    fake = FakeInstantly()
    _setup(fake, n=1, stop_on_reply=False)
    report = fake.advance(timedelta(days=3), rates=EngagementRates.everyone())
    assert report.sent == 2


def test_bounces_and_unsubscribes_set_statuses() -> None:
    fake = FakeInstantly()
    bouncy = _setup(fake, n=2)
    fake.advance(timedelta(days=1), rates=EngagementRates(bounce=1.0))
    assert {lead["status"] for lead in fake.leads(bouncy)} == {-1}
    assert fake.campaign(bouncy)["status"] == 3
    other = FakeInstantly()
    cid = _setup(other, n=2)
    report = other.advance(timedelta(days=1), rates=EngagementRates(unsubscribe=1.0, bounce=0))
    assert report.unsubscribed == 2
    assert {lead["status"] for lead in other.leads(cid)} == {-2}


def test_reactions_due_later_wait_for_the_next_call() -> None:
    fake = FakeInstantly()
    cid = _setup(fake, n=1)
    first = fake.advance(timedelta(minutes=1), rates=EngagementRates.everyone())
    assert (first.sent, first.opened) == (1, 0)
    later = fake.advance(timedelta(days=1), rates=EngagementRates.none())
    assert later.opened == 1
    assert later.replied == 1
    assert fake.leads(cid)[0]["email_open_count"] == 1


def test_the_same_seed_gives_the_same_story() -> None:
    def story(seed: int) -> list[dict[str, Any]]:
        fake = FakeInstantly(seed=seed)
        cid = _setup(fake, n=20)
        fake.advance(timedelta(days=6))
        return fake.leads(cid)

    assert story(5) == story(5)
    assert story(5) != story(6)


def test_a_call_seed_overrides_the_fake_seed() -> None:
    def run(fake_seed: int, call_seed: int | None) -> str:
        fake = FakeInstantly(seed=fake_seed)
        _setup(fake, n=30)
        return repr(fake.advance(timedelta(days=1), seed=call_seed))

    assert run(1, 42) == run(2, 42)
    assert run(1, None) != run(2, None)


def test_rates_are_checked() -> None:
    with pytest.raises(ConfigError, match="open"):
        EngagementRates(open=1.5)
    with pytest.raises(ConfigError, match="interest_weights"):
        EngagementRates(interest_weights=((7, 1.0),))
    with pytest.raises(ConfigError):
        FakeInstantly().advance(-1)


def test_engage_records_single_events() -> None:
    fake = FakeInstantly()
    campaign = fake.create_campaign()
    (lead,) = fake.add_leads(campaign["id"], ["a@x.co"])
    fake.engage(lead["id"], "sent")
    after = fake.engage(lead["id"], "open", step=2, variant=1)
    assert after["email_open_count"] == 1
    assert after["email_opened_step"] == 1
    assert fake.engage(lead["id"], "unsubscribe")["status"] == -2
    with pytest.raises(ConfigError):
        fake.engage(lead["id"], "open", step=0)
