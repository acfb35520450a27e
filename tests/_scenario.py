"""A small campaign run end to end on the fake, for the notebook helpers' tests: a lead
table, a link made by the wizard, a push, simulated days of sending, and a sync."""

from __future__ import annotations

from datetime import timedelta

import attrs

from instantly_columns.domain.columns import Column, Row
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    SequenceAnswer,
    WizardState,
)
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.service.reports import PushReport, SyncReport
from instantly_columns.storage import MemoryStore
from instantly_columns.testing import FakeClock, FakeInstantly

TABLE = "leads"
STEP = {"type": "email", "delay": 3, "variants": [{"subject": "Hi {{firstName}}", "body": "Hi"}]}


@attrs.define
class Campaign:
    fake: FakeInstantly
    store: MemoryStore
    service: InstantlyColumns
    link: str
    push: PushReport
    sync: SyncReport


def leads_table(store: MemoryStore, n: int) -> None:
    store.create_table(TABLE, "Leads")
    store.save_columns(
        TABLE,
        [
            Column(id="email", key="email", name="Email"),
            Column(id="first", key="first", name="First Name"),
            Column(id="employees", key="employees", name="Employees"),
        ],
    )
    store.insert_rows(
        TABLE,
        [
            Row(
                id=f"r{i:03d}",
                cells={"email": f"p{i}@example.com", "first": f"Ada{i}", "employees": 10 + i},
            )
            for i in range(n)
        ],
    )


def link_table(service: InstantlyColumns, fake: FakeInstantly, name: str = "Q3 founders") -> str:
    campaign = fake.create_campaign(name=name, sequences=[{"steps": [STEP, STEP]}])
    state = WizardState(table_id=TABLE)
    for answer in (
        ConnectAnswer(api_key=fake.create_api_key()),
        CampaignAnswer(campaign_id=campaign["id"]),
        SequenceAnswer(mode="use_existing"),
        MappingAnswer(),
        CreateAnswer(),
    ):
        state = service.wizard_advance(state, answer)
    assert state.step == "done", state.problems
    assert state.link_id is not None
    return state.link_id


def run_campaign(n: int = 30, days: int = 8) -> Campaign:
    fake = FakeInstantly(clock=FakeClock(), seed=11)
    store = MemoryStore()
    leads_table(store, n)
    service = InstantlyColumns(store, transport=fake.as_transport(), clock=fake.clock)
    link = link_table(service, fake)
    push = service.push(link, progress=False)
    fake.activate(push.campaign_id)
    for _ in range(days):
        fake.advance(timedelta(days=1))
    sync = service.sync(link, progress=False)
    return Campaign(fake, store, service, link, push, sync)
