"""Custom interest labels: set through the one endpoint that takes them, read back and shown
as they come, never an error."""

from __future__ import annotations

from typing import Any

from instantly_columns.api.client import InstantlyClient
from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES
from instantly_columns.testing import FakeInstantly

from .conftest import TABLE, Service, make_rows, setup_table, wizard_link


def statuses(store: Any, link: str) -> dict[str, Any]:
    (column,) = [
        c.id
        for c in store.columns(TABLE)
        if c.subtype == "engagement_status" and c.key.startswith(f"instantly:{link}:")
    ]
    assert "engagement_status" in ENGAGEMENT_SUBTYPES
    return {r.id: r.cells.get(column) for r in store.rows(TABLE, [column])}


def test_a_custom_label_is_set_synced_and_shown(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(3))
    link = wizard_link(service, api_key)
    report = service.push(link)
    assert report.counts == {"pushed": 3}
    client = InstantlyClient(api_key, transport=fake.as_transport(), clock=fake.clock)
    # A custom label's number goes through update-interest-status (no closed set there) ...
    client.update_interest_status("person0@example.com", 7, campaign_id=report.campaign_id)
    # ... and a documented code beside it, set directly on the fake.
    lead = fake.lead_by_email("person1@example.com", report.campaign_id)
    assert lead is not None
    fake.set_interest(lead["id"], 1)
    fake.clock.advance(5)

    sync = service.sync(link)
    assert sync.status == "ok", sync
    assert statuses(store, link) == {
        "r000000": "Unknown (7)",
        "r000001": "Interested",
        "r000002": "Lead",
    }
    (custom,) = [
        x for x in client.iter_leads(report.campaign_id) if x.email == "person0@example.com"
    ]
    assert custom.lt_interest_status == 7
    # A custom label is no positive label the library knows: it does not count as interested.
    local = service.summary(link, source="local")
    assert (local.aggregate.leads, local.aggregate.interested) == (3, 1)
    service.summary(link, source="api")  # reads the analytics without an error
    service.analytics(link)
