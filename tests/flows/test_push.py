from __future__ import annotations

import json
from typing import Any

from instantly_columns.domain.columns import Row
from instantly_columns.ports import CellWrite
from instantly_columns.testing import FakeInstantly

from .conftest import TABLE, Service, make_rows, setup_table, wizard_link


def bulk_bodies(fake: FakeInstantly) -> list[Any]:
    return [r.json for r in fake.requests if r.method == "POST" and r.path.endswith("/leads/add")]


def test_push_sends_mapped_fields_only_and_records_lead_ids(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(5))
    link = wizard_link(service, api_key)
    report = service.push(link)
    assert report.counts == {"pushed": 5}
    assert report.requests == 1
    leads = fake.leads(report.campaign_id)
    assert sorted(lead["email"] for lead in leads) == [f"person{i}@example.com" for i in range(5)]
    sent = bulk_bodies(fake)[0]["leads"][0]
    # mapped fields and declared custom variables, nothing else
    assert set(sent) <= {"email", "first_name", "last_name", "company_name", "custom_variables"}
    assert sent["email"] == "person0@example.com"
    assert sent["first_name"] == "First0"
    assert sent["last_name"] == "Last0"
    assert sent["custom_variables"] == {"plan": "free"}
    by_email = {lead["email"]: lead["id"] for lead in leads}
    assert {r.email: r.lead_id for r in report.rows} == by_email
    # the push_action cell of each row holds its result
    push_col = next(c for c in store.columns(TABLE) if c.subtype == "push_action")
    cells = {r.id: r.cells[push_col.id] for r in store.rows(TABLE, [push_col.id])}
    assert cells["r000000"]["status"] == "pushed"
    assert cells["r000000"]["lead_id"] == by_email["person0@example.com"]


def test_invalid_and_duplicate_rows_are_results_not_requests(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    rows = make_rows(4)
    rows.append(Row(id="r900", cells={"email": " PERSON1@Example.com ", "first": "Dup"}))
    rows.append(Row(id="r901", cells={"email": "nope", "first": "Bad"}))
    rows.append(Row(id="r902", cells={"first": "NoEmail"}))
    setup_table(store, rows)
    link = wizard_link(service, api_key)
    report = service.push(link)
    status = {r.row_id: (r.status, r.error) for r in report.rows}
    assert status["r900"] == ("skipped_duplicate", "same email as row r000001")
    assert status["r901"] == ("invalid", "invalid email")
    assert status["r902"] == ("invalid", "missing email")
    assert len(bulk_bodies(fake)[0]["leads"]) == 4
    assert len(report.rows) == 7


def test_dry_run_returns_exactly_what_a_push_sends(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(30))
    link = wizard_link(service, api_key)
    before = len(fake.requests)
    dry = service.push(link, dry_run=True)
    assert len(fake.requests) == before  # nothing sent
    assert dry.counts == {"would_push": 30}
    real = service.push(link)
    assert [dict(b) for b in dry.bodies] == bulk_bodies(fake)
    assert real.counts == {"pushed": 30}


def test_push_is_idempotent_and_a_changed_row_updates_its_lead(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(6))
    link = wizard_link(service, api_key)
    first = service.push(link)
    again = service.push(link)
    assert again.counts == {"already_in_campaign": 6}
    assert again.requests == 0
    assert len(fake.leads(first.campaign_id)) == 6
    store.write_cells(TABLE, [CellWrite("r000002", "first", "Renamed")])
    third = service.push(link)
    assert third.counts == {"already_in_campaign": 5, "updated": 1}
    lead = fake.lead_by_email("person2@example.com", first.campaign_id)
    assert lead is not None
    assert lead["first_name"] == "Renamed"
    assert len(fake.leads(first.campaign_id)) == 6


def test_chosen_rows_and_filters(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(10))
    link = wizard_link(service, api_key)
    chosen = service.push(link, rows=["r000001", "r000003", "missing"])
    assert {r.row_id: r.status for r in chosen.rows} == {
        "r000001": "pushed",
        "r000003": "pushed",
        "missing": "failed",
    }
    pro = service.push(link, where=lambda cells: cells.get("plan") == "pro")
    assert {r.row_id for r in pro.rows} == {"r000001", "r000004", "r000007"}
    assert pro.counts == {"already_in_campaign": 1, "pushed": 2}


def test_bulk_calls_hold_at_most_1000_leads(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2500))
    link = wizard_link(service, api_key)
    report = service.push(link)
    sizes = sorted(len(b["leads"]) for b in bulk_bodies(fake))  # sent concurrently
    assert sizes == [500, 1000, 1000]
    assert report.counts == {"pushed": 2500}
    assert all(b["skip_if_in_campaign"] is True for b in bulk_bodies(fake))
    assert not fake.report().limit_violations


def test_a_lead_already_in_the_campaign_gets_its_id(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(3))
    link = wizard_link(service, api_key)
    campaign_id = service.links(TABLE)[0].campaign_id
    existing = fake.add_lead(campaign_id, "person1@example.com")
    report = service.push(link)
    status = {r.row_id: (r.status, r.lead_id) for r in report.rows}
    assert status["r000001"] == ("already_in_campaign", existing["id"])
    assert len(fake.leads(campaign_id)) == 3


def test_author_steps_push_each_rows_copy(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(2))
    link = wizard_link(service, api_key, mode="author_steps", steps=2)
    steps = {c.name: c.id for c in store.columns(TABLE) if c.subtype == "sequence_step"}
    assert sorted(steps) == ["Step 1 Body", "Step 1 Subject", "Step 2 Body", "Step 2 Subject"]
    writes = []
    for n in range(2):
        writes += [
            CellWrite(f"r{n:06d}", steps["Step 1 Subject"], f"Hello {n}"),
            CellWrite(f"r{n:06d}", steps["Step 1 Body"], f"Line one\nfor <{n}>"),
            CellWrite(f"r{n:06d}", steps["Step 2 Body"], "Bump"),
        ]
    store.write_cells(TABLE, writes)
    report = service.push(link)
    assert report.counts == {"pushed": 2}
    custom = bulk_bodies(fake)[0]["leads"][1]["custom_variables"]
    assert custom["step_1_subject"] == "Hello 1"
    assert custom["step_1_body"] == "Line one<br/>for &lt;1&gt;"
    assert custom["step_2_subject"] == ""
    assert custom["step_2_body"] == "Bump"
    campaign = fake.campaign(report.campaign_id)
    first_step = campaign["sequences"][0]["steps"][0]["variants"][0]
    assert first_step["subject"] == "{{step_1_subject}}"


def test_a_row_without_step_copy_is_invalid(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(1))
    link = wizard_link(service, api_key, mode="author_steps", steps=1)
    report = service.push(link)
    (row,) = report.rows
    assert row.status == "invalid"
    assert row.error is not None
    assert "step 1" in row.error


# --- request body size -----------------------------------------------------------------------


def write_step_copy(store: Any, n: int, body: Any) -> None:
    steps = {c.name: c.id for c in store.columns(TABLE) if c.subtype == "sequence_step"}
    writes = []
    for i in range(n):
        writes += [
            CellWrite(f"r{i:06d}", steps["Step 1 Subject"], f"Hello {i}"),
            CellWrite(f"r{i:06d}", steps["Step 1 Body"], body(i)),
        ]
    store.write_cells(TABLE, writes)


def test_an_oversized_row_fails_alone_and_the_others_are_pushed(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(20))
    link = wizard_link(service, api_key, mode="author_steps", steps=1)
    write_step_copy(store, 20, lambda i: "x" * 150_000 if i == 7 else f"Body {i}")
    fake.body_limit = 100_000
    report = service.push(link)
    status = {r.row_id: r for r in report.rows}
    assert report.counts == {"pushed": 19, "failed": 1}
    big = status["r000007"]
    assert big.status == "failed"
    assert big.error is not None
    assert "too large for Instantly's request size limit" in big.error
    emails = {lead["email"] for lead in fake.leads(report.campaign_id)}
    assert len(emails) == 19
    assert "person7@example.com" not in emails
    # halves of halves, until the one row is alone
    assert [r.status for r in fake.requests if r.path.endswith("/leads/add")].count(413) >= 2
    push_col = next(c for c in store.columns(TABLE) if c.subtype == "push_action")
    (row,) = [r for r in store.rows(TABLE, [push_col.id]) if r.id == "r000007"]
    cell = row.cells[push_col.id]
    assert cell["status"] == "failed"
    # the next push tries only that row again, and it fails the same way
    again = service.push(link)
    assert again.counts == {"already_in_campaign": 19, "failed": 1}


def test_batches_are_split_by_bytes_as_well_as_by_count(
    service: Service, store: Any, fake: FakeInstantly, api_key: str
) -> None:
    setup_table(store, make_rows(40))
    link = wizard_link(service, api_key, mode="author_steps", steps=1)
    write_step_copy(store, 40, lambda i: f"{i} " + "y" * 30_000)  # about 1.2 MB in all
    fake.body_limit = 1 << 20  # the API framework's default
    report = service.push(link)
    assert report.counts == {"pushed": 40}
    adds = [r for r in fake.requests if r.path.endswith("/leads/add")]
    assert [r.status for r in adds] == [200, 200, 200]
    sizes = [len(json.dumps(r.json, separators=(",", ":"), ensure_ascii=False)) for r in adds]
    assert all(size <= 512 * 1024 + 500 for size in sizes), sizes
