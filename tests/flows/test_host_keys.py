"""A host's own column keys (``Column.host_fields``: width, order, colours...) survive
every flow that rewrites the columns it set them on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from instantly_columns.testing import FakeInstantly

from .conftest import TABLE, Service, make_rows, setup_table, wizard_link


def _with_width(store: Any, width: int) -> dict[str, dict[str, Any]]:
    """Give every column of the table a width, as a host UI does; returns the host keys."""
    columns = store.columns(TABLE)
    store.save_columns(
        TABLE,
        [c.model_copy(update={"host_fields": {**c.host_fields, "width": width}}) for c in columns],
    )
    return {c.id: c.host_fields for c in store.columns(TABLE)}


def test_host_keys_survive_settings_a_sync_and_deletion(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(3))
    link = wizard_link(service, api_key, mode="author_steps", steps=1)
    before = _with_width(store, 180)
    assert all(h == {"width": 180} for h in before.values())

    service.update_link(link, campaign_name="Renamed", sync_interval_seconds=600)
    report = service.push(link)
    fake.activate(report.campaign_id)
    fake.advance(timedelta(days=2))
    service.sync(link)
    after = {c.id: c.host_fields for c in store.columns(TABLE)}
    assert {k: after[k] for k in before} == before

    steps = [c.id for c in store.columns(TABLE) if c.subtype == "sequence_step"]
    assert len(steps) == 2
    result = service.delete_link(link)
    assert sorted(result.columns_detached) == sorted(steps)
    kept = {c.id: c for c in store.columns(TABLE)}
    assert all(kept[s].type == "text" and kept[s].host_fields == {"width": 180} for s in steps)
