"""One definition per summary counter: after a sync, the table's cells and Instantly's
analytics give the same figure for every counter both can know, for any simulated campaign
and any table (rows sharing an email are one lead; rows no lead matches do not count), and
the analytics panel counts what the summary row counts."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.conftest import TABLE, Service, make_rows, setup_table, wizard_link
from flows.test_sync import AGREED, campaign_with_steps
from instantly_columns.domain.columns import Row
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.storage import MemoryStore, SQLiteStore
from instantly_columns.testing import EngagementRates, FakeClock, FakeInstantly

rate = st.floats(0.0, 1.0)


def _variant(email: str, how: int) -> str:
    """The same address as another row writes it (case, spaces)."""
    return (email, email.upper(), f"  {email} ", email.title())[how % 4]


def _table(size: int, copies: list[tuple[int, int]], strangers: int) -> list[Row]:
    rows = make_rows(size)
    for n, (source, how) in enumerate(copies):  # rows that share another row's email
        email = str(rows[source % size].cells["email"])
        rows.append(Row(id=f"s{n:04d}", cells={"email": _variant(email, how), "first": "Twin"}))
    for n in range(strangers):  # rows that are no lead: no address, or not one
        rows.append(Row(id=f"x{n:04d}", cells={"email": ("", "not an address")[n % 2]}))
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    size=st.integers(1, 160),
    days=st.integers(1, 12),
    rates=st.builds(
        EngagementRates,
        open=rate,
        reopen=rate,
        click=rate,
        reply=rate,
        auto_reply=st.floats(0.0, 0.3),
        bounce=st.floats(0.0, 0.2),
        unsubscribe=st.floats(0.0, 0.2),
        interest=rate,
    ),
    copies=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 3)), max_size=12),
    strangers=st.integers(0, 3),
    sqlite=st.booleans(),
)
def test_both_sources_agree_on_what_both_can_know(
    seed: int,
    size: int,
    days: int,
    rates: EngagementRates,
    copies: list[tuple[int, int]],
    strangers: int,
    sqlite: bool,
) -> None:
    clock = FakeClock()
    fake = FakeInstantly(clock=clock, seed=seed)
    store = SQLiteStore(":memory:") if sqlite else MemoryStore()
    service = InstantlyColumns(store, transport=fake.as_transport(), clock=clock)
    setup_table(store, _table(size, copies, strangers))
    link = wizard_link(
        Service(service), fake.create_api_key(name="t"), campaign_id=campaign_with_steps(fake)
    )
    report = service.push(link)
    fake.activate(report.campaign_id)
    fake.advance(timedelta(days=days), rates=rates)
    synced = service.sync(link)
    assert synced.ok, synced.run.errors
    local = service.summary(link, source="local").aggregate
    api = service.summary(link, source="api").aggregate
    assert {c: getattr(local, c) for c in AGREED} == {c: getattr(api, c) for c in AGREED}
    assert local.leads == size  # one per address, whatever the rows sharing it
    panel = service.analytics(link)
    assert (panel.leads, panel.contacted, panel.unique_opened, panel.opened) == (
        api.leads,
        api.contacted,
        api.opened,
        api.open_total,
    )
    assert (panel.unique_replied, panel.replied, panel.interested) == (
        api.replied,
        api.reply_total,
        api.interested,
    )
    assert service.links(TABLE)[0].id == link
    service.close()
