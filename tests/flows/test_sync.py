from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from instantly_columns.api.client import InstantlyClient
from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES, Row
from instantly_columns.domain.engagement import project_all
from instantly_columns.domain.summary import Aggregate
from instantly_columns.errors import ConfigError, ServerError, SyncInProgress
from instantly_columns.ports import SyncRun
from instantly_columns.service.reports import ProgressEvent
from instantly_columns.testing import FakeInstantly

from .conftest import TABLE, Service, make_rows, setup_table, wizard_link


def campaign_with_steps(fake: FakeInstantly, name: str = "TechCorp Outreach") -> str:
    step = {
        "type": "email",
        "delay": 2,
        "variants": [{"subject": "Hi {{firstName}}", "body": "Quick question"}],
    }
    campaign = fake.create_campaign(name=name, sequences=[{"steps": [step, step]}])
    return str(campaign["id"])


def engaged(service: Service, store: Any, fake: FakeInstantly, api_key: str, n: int) -> str:
    setup_table(store, make_rows(n))
    link = wizard_link(service, api_key, campaign_id=campaign_with_steps(fake))
    report = service.push(link)
    fake.activate(report.campaign_id)
    fake.advance(timedelta(days=10))
    return link


def engagement_cells(store: Any, link: str) -> dict[str, dict[str, Any]]:
    cols = {
        c.id: c.subtype
        for c in store.columns(TABLE)
        if c.subtype in ENGAGEMENT_SUBTYPES and c.key.startswith(f"instantly:{link}:")
    }
    out: dict[str, dict[str, Any]] = {}
    after = None
    while page := store.rows(TABLE, list(cols), after=after, limit=500):
        for row in page:
            out[row.id] = {cols[k]: v for k, v in row.cells.items() if k in cols}
        after = page[-1].id
    return out


def expected_cells(fake: FakeInstantly, campaign_id: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for lead in fake.leads(campaign_id):
        row_id = f"r{int(lead['email'].removeprefix('person').split('@')[0]):06d}"
        cells = project_all(lead).as_dict()
        out[row_id] = {k: v for k, v in cells.items() if v is not None}
    return out


def test_sync_fills_engagement_columns_with_the_projection(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 250)
    events: list[ProgressEvent] = []
    report = service.sync(link, progress=events.append)
    assert report.ok
    campaign_id = service.links(TABLE)[0].campaign_id
    assert report.run.leads_seen == 250
    assert report.run.rows_matched == 250
    assert report.run.leads_unmatched == 0
    assert len(report.columns_created) == 0  # the wizard created them already
    assert engagement_cells(store, link) == expected_cells(fake, campaign_id)
    assert [e.pages for e in events] == [1, 2, 3, 3]
    assert events[-1].done
    # the summary row is the recount of the fake's leads
    recount = Aggregate.from_leads(fake.leads(campaign_id))
    assert report.summary is not None
    assert report.summary.aggregate.contacted == recount.contacted
    assert report.summary.aggregate.reply_total == recount.reply_total
    history = service.history(link)
    assert history[0].status == "ok"
    assert history[0].leads_seen == 250


def test_sync_creates_missing_columns_and_reports_duplicates_and_strangers(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    rows = make_rows(3)
    rows.append(Row(id="r-dup", cells={"email": "PERSON0@example.com"}))
    setup_table(store, rows)
    link = wizard_link(service, api_key)
    engagement = [c.id for c in store.columns(TABLE) if c.subtype in ENGAGEMENT_SUBTYPES]
    store.delete_columns(TABLE, engagement)
    service.push(link)
    campaign_id = service.links(TABLE)[0].campaign_id
    fake.add_lead(campaign_id, "stranger@elsewhere.org")
    report = service.sync(link)
    assert len(report.columns_created) == 5
    assert report.run.duplicate_rows == 1
    assert report.run.leads_unmatched == 1
    cells = engagement_cells(store, link)
    assert cells["r-dup"] == cells["r000000"]
    names = {c.name for c in store.columns(TABLE) if c.subtype in ENGAGEMENT_SUBTYPES}
    assert "Email Status · TechCorp Outreach" in names


def test_stale_values_are_cleared(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 20)
    service.sync(link)
    cells = engagement_cells(store, link)
    with_contact = [r for r, c in cells.items() if "last_contacted" in c]
    assert with_contact
    # the lead is deleted and added again: never contacted, so the old cells must go
    row_id = with_contact[0]
    campaign_id = service.links(TABLE)[0].campaign_id
    email = f"person{int(row_id[1:])}@example.com"
    client = InstantlyClient(api_key, transport=fake.as_transport(), clock=fake.clock)
    lead = fake.lead_by_email(email, campaign_id)
    assert lead is not None
    client.delete_lead(lead["id"])
    fake.add_lead(campaign_id, email)
    service.sync(link, full=True)
    assert "last_contacted" not in engagement_cells(store, link)[row_id]


def test_a_killed_sync_resumes_and_ends_like_a_clean_run(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 350)
    # the third page fails, and so do both retries
    fake.faults.server_error(endpoint="POST /api/v2/leads/list", calls=[3, 4, 5])
    with pytest.raises(ServerError):
        service.sync(link)
    failed = service.history(link)[0]
    assert failed.status == "failed"
    assert failed.cursor is not None
    assert failed.leads_seen == 200
    resumed = service.sync(link)
    assert resumed.ok
    assert resumed.resumed_from == failed.cursor
    assert resumed.run.leads_seen == 150
    campaign_id = service.links(TABLE)[0].campaign_id
    assert engagement_cells(store, link) == expected_cells(fake, campaign_id)


def test_a_sync_can_be_cancelled_between_pages(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 300)
    # Both faces take the same kind of token: anything with is_set().
    stop = threading.Event()
    report = service.sync(link, progress=lambda e: stop.set(), cancel=stop)
    assert report.status == "cancelled"
    assert report.run.leads_seen == 100
    finished = service.sync(link)
    assert finished.ok
    assert finished.run.leads_seen == 200


def test_a_second_live_sync_is_refused(
    service: Service, store: Any, fake: FakeInstantly, api_key: str, clock: Any
) -> None:
    link = engaged(service, store, fake, api_key, 5)
    store.start_run(
        SyncRun(id="other", link_id=link, started_at=clock.now(), heartbeat_at=clock.now())
    )
    with pytest.raises(SyncInProgress):
        service.sync(link)


AGREED = (
    "leads",
    "contacted",
    "opened",
    "bounced",
    "unsubscribed",
    "interested",
    "reply_total",
    "open_total",
)
"""The counters both sources can know (see the definitions in docs/summary.md)."""


def test_summary_local_and_api_agree(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 120)
    report = service.sync(link)
    assert report.summary is not None
    assert report.summary.source == "api"  # what the mission shows: Instantly's analytics
    stored = service.summary(link)
    assert stored == report.summary
    local = service.summary(link, source="local")
    api = service.summary(link, source="api")
    for counter in AGREED:
        assert getattr(local.aggregate, counter) == getattr(api.aggregate, counter), counter
    assert {k: str(v) for k, v in local.by_subtype.items() if k != "campaign_config"} == {
        k: str(v) for k, v in api.by_subtype.items() if k != "campaign_config"
    }
    assert str(local.by_subtype["campaign_config"]).startswith('"TechCorp Outreach" ')
    assert "as of" in str(stored)
    assert "Instantly analytics" in stored._repr_html_()


def test_several_campaigns_in_one_table_sync_concurrently(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(150))
    first = wizard_link(service, api_key, campaign_id=campaign_with_steps(fake, "Alpha"))
    second = wizard_link(service, api_key, campaign_id=campaign_with_steps(fake, "Beta"))
    for link in (first, second):  # a row can be in two campaigns
        report = service.push(link, skip_if_in_campaign=False)
        assert report.counts == {"pushed": 150}
        fake.activate(report.campaign_id)
    fake.advance(timedelta(days=5))
    reports = service.sync_table(TABLE)
    assert sorted(r.link_id for r in reports) == sorted([first, second])
    assert all(r.ok for r in reports)
    names = {c.name for c in store.columns(TABLE) if c.subtype == "reply_count"}
    assert names == {"Replies · Alpha", "Replies · Beta"}
    assert not fake.report().limit_violations


def test_sync_table_caps_the_links_synced_at_once(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(60))
    links = [
        wizard_link(service, api_key, campaign_id=campaign_with_steps(fake, name))
        for name in ("Alpha", "Beta", "Gamma")
    ]
    for link in links:
        report = service.push(link, skip_if_in_campaign=False)
        fake.activate(report.campaign_id)
    fake.advance(timedelta(days=5))
    with pytest.raises(ConfigError) as caught:
        service.sync_table(TABLE, concurrency=0)
    assert caught.value.problems[0].path == "concurrency"
    one_at_a_time = service.sync_table(TABLE, concurrency=1)
    assert [r.link_id for r in one_at_a_time] == [i.id for i in service.links(TABLE)]
    assert all(r.ok and r.run.leads_seen == 60 for r in one_at_a_time)
    cells = {c.id: c for c in store.columns(TABLE) if c.subtype == "reply_count"}
    assert len(cells) == 3
    assert not fake.report().limit_violations


def test_analytics_panel_and_due_links(
    service: Service, store: Any, fake: FakeInstantly, api_key: str, clock: Any
) -> None:
    link = engaged(service, store, fake, api_key, 40)
    assert [i.id for i in service.due()] == [link]  # never synced
    service.sync(link)
    assert service.due() == []
    clock.advance(901)
    assert [i.id for i in service.due()] == [link]
    panel = service.analytics(link)
    campaign_id = service.links(TABLE)[0].campaign_id
    recount = Aggregate.from_leads(fake.leads(campaign_id))
    assert panel.leads == 40
    assert panel.contacted == recount.contacted
    assert panel.daily
    assert all(d.date for d in panel.daily)
    assert panel.rates["open_rate"] == pytest.approx(panel.unique_opened / panel.contacted)


def test_ctrl_c_releases_the_lease_and_the_next_sync_resumes(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 250)

    def interrupt(event: ProgressEvent) -> None:
        if event.pages == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        service.sync(link, progress=interrupt)
    stopped = service.history(link)[0]
    assert stopped.status == "cancelled"
    assert stopped.errors == ("interrupted",)
    assert stopped.leads_seen == 200
    resumed = service.sync(link)  # no SyncInProgress: the lease was released
    assert resumed.ok
    assert resumed.resumed_from == stopped.cursor
    campaign_id = service.links(TABLE)[0].campaign_id
    assert engagement_cells(store, link) == expected_cells(fake, campaign_id)


def test_the_host_store_lacks_the_optional_methods_so_the_service_derives_them() -> None:
    from flows.conftest import HostStore
    from instantly_columns.ports import EngagementGrouping, RowFetch, RowLookup
    from instantly_columns.storage.capabilities import DerivedTableStore, with_capabilities

    host = HostStore()
    assert not isinstance(host, RowLookup | RowFetch | EngagementGrouping)
    assert isinstance(with_capabilities(host), DerivedTableStore)


# --- cursors that used to end a sync early as "ok" -------------------------------------------

LIST = "POST /api/v2/leads/list"


def lead_ids(fake: FakeInstantly, service: Service) -> list[str]:
    return [lead["id"] for lead in fake.leads(service.links(TABLE)[0].campaign_id)]


def test_a_numeric_cursor_is_followed_to_the_end(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 250)
    fake.faults.numeric_cursor(endpoint=LIST)
    report = service.sync(link)
    assert report.ok, report.run.errors
    assert report.run.leads_seen == 250
    campaign_id = service.links(TABLE)[0].campaign_id
    assert engagement_cells(store, link) == expected_cells(fake, campaign_id)


def test_a_cursor_that_cannot_be_sent_back_ends_the_sync_partial(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 250)
    fake.faults.page_cursor(True, endpoint=LIST, calls=1)
    report = service.sync(link)
    assert report.status == "partial"
    assert report.run.leads_seen == 100
    assert any("not a string or a number" in e for e in report.run.errors), report.run.errors
    assert service.history(link)[0].status == "partial"


def test_an_empty_page_with_a_cursor_mid_campaign_is_followed_once_more(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 250)
    ids = lead_ids(fake, service)
    # the second page comes back empty, pointing back at the cursor it was asked with
    fake.faults.empty_page(endpoint=LIST, calls=2, cursor=ids[99])
    report = service.sync(link)
    assert report.ok, report.run.errors
    assert report.run.leads_seen == 250
    campaign_id = service.links(TABLE)[0].campaign_id
    assert engagement_cells(store, link) == expected_cells(fake, campaign_id)


def test_an_emptied_page_with_its_own_cursor_does_not_end_the_sync(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 250)
    # as from a filter applied after paging: page two's leads are not shown, its cursor is
    fake.faults.empty_page(endpoint=LIST, calls=2)
    report = service.sync(link)
    assert report.ok, report.run.errors
    assert report.run.leads_seen == 150  # pages one and three


def test_two_empty_pages_with_cursors_in_a_row_end_the_sync_partial(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    link = engaged(service, store, fake, api_key, 350)
    fake.faults.empty_page(endpoint=LIST, calls=[2, 3])
    report = service.sync(link)
    assert report.status == "partial"
    assert report.run.leads_seen == 100
    assert any("two empty pages" in e for e in report.run.errors), report.run.errors


@pytest.mark.parametrize("trailing", ["new cursor", "same cursor twice"])
def test_full_pages_then_an_empty_page_with_a_cursor_end_ok(
    service: Service, store: Any, fake: FakeInstantly, api_key: str, trailing: str
) -> None:
    link = engaged(service, store, fake, api_key, 200)
    ids = lead_ids(fake, service)
    if trailing == "new cursor":  # followed once: nothing after it, and no cursor
        fake.faults.empty_page(endpoint=LIST, calls=3, cursor="zzzz")
    else:  # asked once more: the same empty page pointing back at the same cursor
        fake.faults.empty_page(endpoint=LIST, calls=[3, 4], cursor=ids[199])
    report = service.sync(link)
    assert report.ok, report.run.errors
    assert report.run.leads_seen == 200
    assert len([r for r in fake.requests if r.path.endswith("/leads/list")]) >= 4
