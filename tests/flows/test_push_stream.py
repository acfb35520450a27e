"""A push reads its rows a page at a time: what it decides must not depend on where the pages
fall, and its report reads per-row results back from its spool. Pages are cut to 100 rows
here, so that small tables span several."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from instantly_columns.domain.columns import Row
from instantly_columns.ports import CellWrite
from instantly_columns.service.reports import PushRowReport, PushRows
from instantly_columns.testing import FakeInstantly

from .conftest import TABLE, Service, make_rows, setup_table, wizard_link
from .test_push import bulk_bodies


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("instantly_columns.service._push.ROW_PAGE", 100)


def test_rows_sharing_an_email_across_pages_are_pushed_once(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    rows = make_rows(300)
    # r000240 (page 3) repeats r000005 (page 1); r000199 and r000201 (pages 2 and 3) repeat
    # r000150 (page 2)
    rows[240] = Row(id="r000240", cells={"email": " Person5@Example.com", "first": "Again"})
    rows[199] = Row(id="r000199", cells={"email": "person150@example.com"})
    rows[201] = Row(id="r000201", cells={"email": "mailto:PERSON150@example.com"})
    setup_table(store, rows)
    link = wizard_link(service, api_key)
    report = service.push(link)
    assert report.counts == {"pushed": 297, "skipped_duplicate": 3}
    assert report.result("r000240") == PushRowReport(
        "r000240", "skipped_duplicate", "person5@example.com", error="same email as row r000005"
    )
    for row_id in ("r000199", "r000201"):
        found = report.result(row_id)
        assert found is not None
        assert found.error == "same email as row r000150"
    emails = [lead["email"] for lead in fake.leads(report.campaign_id)]
    assert len(emails) == len(set(emails)) == 297
    assert report.requests == 1
    # the next push reads the same pages and decides the same
    again = service.push(link)
    assert again.counts == {"already_in_campaign": 297, "skipped_duplicate": 3}
    assert again.requests == 0


def test_a_dry_run_over_many_pages_holds_exactly_what_the_push_sends(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2500))
    link = wizard_link(service, api_key)
    dry = service.push(link, dry_run=True)
    assert dry.counts == {"would_push": 2500}
    assert [len(b["leads"]) for b in dry.bodies] == [1000, 1000, 500]
    real = service.push(link)
    assert real.counts == {"pushed": 2500}
    sent = sorted(bulk_bodies(fake), key=lambda b: b["leads"][0]["email"])
    assert sorted(dry.bodies, key=lambda b: b["leads"][0]["email"]) == sent
    assert list(real.bodies) == list(dry.bodies)
    store.write_cells(TABLE, [CellWrite("r001234", "first", "Renamed")])
    changed = service.push(link, dry_run=True)
    assert changed.counts == {"already_in_campaign": 2499, "would_update": 1}
    assert list(changed.updates) == [
        {
            "lead_id": real.result("r001234").lead_id,
            "fields": {
                "first_name": "Renamed",
                "last_name": "Last1234",
                "company_name": "Company 2",
                "custom_variables": {"plan": "pro"},
            },
        }
    ]
    assert list(changed.bodies) == []


def test_the_report_reads_its_rows_back_in_row_order(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(1500))
    link = wizard_link(service, api_key)
    chosen = [f"r{n:06d}" for n in range(0, 1500, 7)]  # from 15 pages
    report = service.push(link, rows=[*reversed(chosen), "ghost"])
    rows = report.rows
    assert isinstance(rows, PushRows)
    assert len(rows) == len(chosen) + 1
    assert [r.row_id for r in rows] == [*chosen, "ghost"]  # by id; unknown ids last
    assert rows[0].row_id == "r000000"
    assert rows[-1] == PushRowReport("ghost", "failed", error="no such row")
    assert [r.row_id for r in rows[1:3]] == ["r000007", "r000014"]
    assert rows[::100] == [rows[0], rows[100], rows[200]]
    assert report.result("r000700") == rows[100]
    assert report.result("r000001") is None  # not part of this push
    assert rows[0].pushed_at is not None
    assert rows[0].pushed_at.tzinfo is not None
    assert rows == list(rows)
    assert pickle.loads(pickle.dumps(rows)) == tuple(rows)  # pickled, it is a tuple
    assert copy.deepcopy(report) == report
    assert report.counts == {"failed": 1, "pushed": len(chosen)}
    assert f"{len(chosen) + 1} rows" in repr(report)
    html = report._repr_html_()
    assert html.count("<tr>") == 21  # the header and 20 rows
    assert f"{len(chosen) + 1 - 20} more" in html
