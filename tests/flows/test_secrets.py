"""Every flow runs with a canary key; the key must not show up in logs (DEBUG), reprs,
exceptions, run history, reports, wizard states or the store's non-credential data."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from instantly_columns.domain.wizard import CampaignAnswer, ConnectAnswer, NewCampaign, WizardState
from instantly_columns.errors import InstantlyColumnsError
from instantly_columns.testing import FakeInstantly

from .conftest import TABLE, Service, make_rows, setup_table, wizard_link


def test_the_key_never_leaks(
    service: Service,
    store: Any,
    fake: FakeInstantly,
    api_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    setup_table(store, make_rows(30))
    link = wizard_link(service, api_key, mode="author_steps", steps=1)
    push = service.push(link)
    dry = service.push(link, dry_run=True)
    fake.activate(push.campaign_id)
    fake.advance(timedelta(days=3))
    sync = service.sync(link)
    seen += [repr(push), repr(dry), repr(sync), repr(sync.run), repr(sync.summary)]
    seen += [repr(service.summary(link)), repr(service.summary(link, source="api"))]
    seen += [repr(service.analytics(link)), repr(service.links(TABLE)), repr(service.inner)]
    seen += [repr(r) for r in service.history(link)]
    seen.append(repr(store.get_key("default")))
    # a failing call: the exception text must not carry the key either
    fake.revoke_api_key(api_key)
    with pytest.raises(InstantlyColumnsError) as info:
        service.sync(link, full=True)
    seen += [str(info.value), repr(info.value)]
    seen += [repr(r) for r in service.history(link)]
    state = service.wizard_advance(WizardState(table_id=TABLE), ConnectAnswer(api_key=api_key))
    seen += [state.model_dump_json(), repr(state)]
    fresh = fake.create_api_key()
    state = service.wizard_advance(state, ConnectAnswer(api_key=fresh))
    state = service.wizard_advance(state, CampaignAnswer(create=NewCampaign(name="Later")))
    seen += [state.model_dump_json()]
    seen += [record.getMessage() for record in caplog.records]
    seen += [repr(record.args) for record in caplog.records]
    seen += [repr(c) for c in store.columns(TABLE)]
    seen += [repr(row.cells) for row in store.rows(TABLE, limit=1000)]
    blob = "\n".join(seen)
    assert len(blob) > 1000  # we did look at something
    for key in (api_key, fresh):
        assert key not in blob
