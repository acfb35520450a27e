"""``instantly-columns demo``: the whole product on embedded defaults.

The demo runs the whole product on embedded defaults — a SQLite file (or memory) and an
in-process fake Instantly — with no API key and no network: a lead table with headers in
several languages, the add-column wizard, a dry run and a push, simulated engagement, a
streaming sync, the summary row, the analytics panel, a webhook, and the sync history.
"""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from typing import Any, TextIO

import click

from instantly_columns.cli._app import app, handled
from instantly_columns.cli._output import Output

__all__ = ["demo_command", "run_demo", "sample_rows"]

_DEMO_SECRET = "demo-only-webhook-token"  # noqa: S105 - the demo's fake webhook, not a credential
_FIRST = [
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Tim",
    "Radia",
    "Edsger",
    "Hedy",
    "Alan",
    "Katherine",
    "Donald",
    "Sophie",
]
_LAST = [
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Berners-Lee",
    "Perlman",
    "Dijkstra",
    "Lamarr",
    "Kay",
    "Johnson",
    "Knuth",
    "Wilson",
]
_COMPANIES = [
    "Analytical Engines GmbH",
    "Cobol & Co",
    "Kernel BV",
    "Apollo Guidance SARL",
    "Unix Srl",
    "Abstraction SA",
]
_INDUSTRIES = ["Fintech", "Logistik", "SaaS", "Retail"]


def sample_rows(n: int) -> list[dict[str, Any]]:
    """A deterministic sample table: German/French/English headers, one duplicate email,
    one invalid email, and one row with no email."""
    rows: list[dict[str, Any]] = []
    for i in range(n):
        first, last = _FIRST[i % len(_FIRST)], _LAST[i % len(_LAST)]
        email = f"{first}.{last}{i}@example.com".lower()
        if i == 3:
            email = rows[1]["E-Mail-Adresse"].upper()  # same person twice, other casing
        if i == 5:
            email = "not-an-address"
        if i == 7:
            email = ""
        rows.append(
            {
                "E-Mail-Adresse": email,
                "Vorname": first,
                "Nom de famille": last,
                "Company Name ": _COMPANIES[i % len(_COMPANIES)],
                "Branche": _INDUSTRIES[i % len(_INDUSTRIES)],
            }
        )
    return rows


def _say(out: TextIO, title: str) -> None:
    out.write(f"\n== {title} ==\n")


def run_demo(*, rows: int = 24, db: str = ":memory:", out: TextIO | None = None) -> dict[str, Any]:
    """Run the demo and return its key figures (the tests check them)."""
    from instantly_columns.domain.wizard import (
        CampaignAnswer,
        ConnectAnswer,
        CreateAnswer,
        MappingAnswer,
        NewCampaign,
        ScheduleAnswer,
        SequenceAnswer,
    )
    from instantly_columns.service.facade import InstantlyColumns
    from instantly_columns.storage import SQLiteStore
    from instantly_columns.testing import FakeClock, FakeInstantly

    out = out or sys.stdout
    clock = FakeClock()
    fake = FakeInstantly(clock=clock, seed=7)
    key = fake.create_api_key(name="demo")
    store = SQLiteStore(db)
    table = "leads"
    store.create_table(table, "Leads")
    data = sample_rows(rows)
    headers = list(data[0])
    from instantly_columns.domain.columns import Column, Row

    store.save_columns(
        table, [Column(id=f"c{i}", key=f"c{i}", name=h) for i, h in enumerate(headers)]
    )
    ids = {h: f"c{i}" for i, h in enumerate(headers)}
    store.insert_rows(
        table,
        [
            Row(id=f"r{n:04d}", cells={ids[h]: v for h, v in row.items()})
            for n, row in enumerate(data)
        ],
    )
    out.write(f"A lead table with {rows} rows and the headers {headers}.\n")

    service = InstantlyColumns(
        store, transport=fake.httpx_transport(), clock=clock, webhook_secret=_DEMO_SECRET
    )

    _say(out, "1. Field mapping, detected from headers and values")
    mapping = service.detect_mapping(table)
    for decision in mapping.decisions:
        header = mapping.label(decision.header)  # the column's name; the mapping holds ids
        out.write(f"  {decision.field:<15} <- {header!r:<20} {decision.reason}\n")

    _say(out, "2. The add-column wizard")
    state = service.start_wizard(table)
    state = service.wizard_advance(state, ConnectAnswer(api_key=key))
    out.write(f"  connected to workspace {state.workspace_name!r}\n")
    state = service.wizard_advance(
        state,
        CampaignAnswer(
            create=NewCampaign(
                name="TechCorp Outreach",
                schedule=ScheduleAnswer(timezone="Europe/Berlin", days="weekdays"),
            )
        ),
    )
    out.write(f"  created campaign {state.campaign_name!r}\n")
    state = service.wizard_advance(state, SequenceAnswer(mode="author_steps", steps=2))
    state = service.wizard_advance(state, MappingAnswer())
    state = service.wizard_advance(state, CreateAnswer())
    if state.step != "done" or state.link_id is None:
        raise RuntimeError(f"the wizard stopped at {state.step}: {state.problems}")
    link = state.link_id
    out.write(f"  created {len(state.created_columns)} columns; {'; '.join(state.notes)}\n")

    _say(out, "3. Each row's own copy in the Step N columns (the user's edits)")
    step_cols = {c.name: c.id for c in store.columns(table) if c.name.startswith("Step ")}
    store.write_cells(
        table, [w for n, row in enumerate(data) for w in _step_cells(f"r{n:04d}", row, step_cols)]
    )
    out.write(f"  filled {sorted(step_cols)} for every row\n")

    _say(out, "4. Push: a dry run, then for real")
    dry = service.push(link, dry_run=True)
    out.write(f"  dry run: {dry!r}\n")
    report = service.push(link)
    out.write(f"  push:    {report!r}\n")
    again = service.push(link)
    out.write(f"  again:   {again!r}\n")

    _say(out, "5. Instantly sends for two weeks (simulated)")
    fake.activate(report.campaign_id)
    fake.advance(timedelta(days=14))
    out.write(
        f"  requests so far: {len(fake.requests)}, rate-limit violations: "
        f"{len(fake.report().limit_violations)}\n"
    )

    _say(out, "6. Engagement sync")
    sync = service.sync(link)
    out.write(f"  {sync!r}\n")
    names = {c.id: c.name.split(" · ")[0] for c in store.columns(table) if "·" in c.name}
    for row in store.rows(table, limit=3):
        shown = {names[k]: v for k, v in row.cells.items() if k in names}
        push = shown.pop("Push", None)
        status = push.get("status") if isinstance(push, dict) else push
        out.write(f"  {row.id}: push={status} {shown}\n")

    _say(out, "7. The pinned summary row")
    stored = service.summary(link)
    api = service.summary(link, source="api")
    local = service.summary(link, source="local")
    for name, summary in (("stored", stored), ("api", api), ("local", local)):
        cells = " | ".join(str(c) for c in summary.by_subtype.values())
        out.write(f"  {name + ':':8}{cells}\n")
    out.write(
        f"  (stored: what the last sync kept, from {stored.source}"
        f"{stored.as_of.strftime(' at %H:%M:%SZ') if stored.as_of else ''};\n"
        "   api: Instantly's analytics now; local: the table's cells, one lead per email.\n"
        "   Each cell has one definition, the same on both sides: docs/summary.md)\n"
    )

    _say(out, "8. Analytics panel")
    panel = service.analytics(link)
    out.write(f"  {panel!r}\n")
    rates = {k: (f"{v:.0%}" if v is not None else "—") for k, v in panel.rates.items()}
    out.write(f"  rates: {rates}\n")

    _say(out, "9. A webhook delivery, and its replay")
    status_col = next(c.id for c in store.columns(table) if c.subtype == "email_status")
    sent = {
        r.id
        for r in store.rows(table, [status_col], limit=1000)
        if r.cells.get(status_col) in ("Sent", "Opened")
    }
    someone = next(r for r in report.rows if r.row_id in sent)
    event = {
        "event_type": "reply_received",
        "timestamp": clock.now().isoformat(),
        "campaign_id": report.campaign_id,
        "lead_email": someone.email,
    }
    first_delivery = service.ingest_webhook(event, query={"token": _DEMO_SECRET})
    replay = service.ingest_webhook(event, query={"token": _DEMO_SECRET})
    out.write(
        f"  first: {first_delivery.cells_written} cells written; replay: replay={replay.replay}\n"
    )

    _say(out, "10. Sync history")
    for run in service.history(link):
        out.write(
            f"  {run.started_at:%Y-%m-%d %H:%M} {run.status}: {run.leads_seen} leads, "
            f"{run.cells_written} cells\n"
        )
    service.close()
    store.close()
    return {
        "pushed": report.counts.get("pushed", 0),
        "invalid": report.counts.get("invalid", 0),
        "duplicates": report.counts.get("skipped_duplicate", 0),
        "again": again.counts,
        "leads_seen": sync.run.leads_seen,
        "summary": {k: str(v) for k, v in stored.by_subtype.items()},
        "replay": replay.replay,
    }


def _step_cells(row_id: str, row: dict[str, Any], step_cols: dict[str, str]) -> list[Any]:
    from instantly_columns.ports import CellWrite

    name = row["Vorname"]
    company = row["Company Name "].strip()
    copy = {
        "Step 1 Subject": f"{name}, a question about {company}",
        "Step 1 Body": f"Hi {name},\nhow does {company} handle {row['Branche']} leads today?",
        "Step 2 Subject": "",
        "Step 2 Body": f"Bumping this up, {name}.",
    }
    return [CellWrite(row_id, step_cols[k], v) for k, v in copy.items() if k in step_cols]


@app.command("demo")
@click.option("--rows", default=24, show_default=True, help="Rows in the sample table.")
@click.option("--db", default=":memory:", show_default=True, help="SQLite file.")
@handled
def demo_command(out: Output, rows: int, db: str) -> int:
    """Run every flow on SQLite and a fake Instantly: no key, no network."""
    if out.as_json:
        out.data(run_demo(rows=max(8, rows), db=db, out=io.StringIO()))
    else:
        run_demo(rows=max(8, rows), db=db)
    return 0
