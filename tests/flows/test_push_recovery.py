"""A push that stops between its ledger and its cells leaves nothing that disagrees for long:
the next push repairs the cells, and never sends a lead twice (reliability hole 1)."""

from __future__ import annotations

from typing import Any

import pytest

from flows.conftest import TABLE, Service, make_rows, setup_table, wizard_link
from instantly_columns.errors import StoreError
from instantly_columns.ports import CellWrite
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.testing import FakeClock, FakeInstantly


class FailingCells:
    """The test's store, except that writing push cells fails ``times`` times."""

    def __init__(self, inner: Any, times: int = 1) -> None:
        self._inner = inner
        self.times = times

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def write_cells(self, table: str, cells: Any) -> int:
        writes: list[CellWrite] = list(cells)
        if self.times and any(w.column_id.endswith("__push_action") for w in writes):
            self.times -= 1
            raise StoreError("the database went away")
        return int(self._inner.write_cells(table, writes))


def push_cells(store: Any, link: str) -> dict[str, Any]:
    column = f"{link}__push_action"
    out: dict[str, Any] = {}
    after = None
    while page := store.rows(TABLE, [column], after=after, limit=500):
        out.update({r.id: r.cells.get(column) for r in page})
        after = page[-1].id
    return out


@pytest.mark.parametrize("skip_if_in_campaign", [True, False])
def test_a_push_whose_cell_write_failed_is_repaired_by_the_next_one(
    store: Any, fake: FakeInstantly, clock: FakeClock, api_key: str, skip_if_in_campaign: bool
) -> None:
    failing = FailingCells(store)
    service = InstantlyColumns(failing, transport=fake.as_transport(), clock=clock)
    setup_table(store, make_rows(1200))
    link = wizard_link(Service(service), api_key)
    with pytest.raises(StoreError):
        service.push(link, skip_if_in_campaign=skip_if_in_campaign)
    campaign_id = service.links()[0].campaign_id
    assert len(fake.leads(campaign_id)) == 1200  # Instantly has them all

    again = service.push(link, skip_if_in_campaign=skip_if_in_campaign)
    cells = push_cells(store, link)
    assert len(cells) == 1200
    assert all(isinstance(c, dict) and c["lead_id"] for c in cells.values())
    assert len(fake.leads(campaign_id)) == 1200  # nobody twice
    assert {r.status for r in again.rows} == {"already_in_campaign"}
    # and a third push is a no-op: nothing sent, nothing rewritten
    third = service.push(link, skip_if_in_campaign=skip_if_in_campaign)
    assert third.requests == 0
    assert push_cells(store, link) == cells
    service.close()
