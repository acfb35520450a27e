"""Push and sync against the fake, next to the original product's approach, in one process.

    python -m benchmarks.bench_flows [--rows 10000] [--big 100000]

Prints requests and wall time for pushing N rows and syncing an N-lead campaign, the same work
done the original way (one request per lead on push; a sync that loads every lead before
writing), and the peak memory (tracemalloc) of our sync for N and for the big campaign. Only
the ratios mean something: the machine is shared.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from instantly_columns import Column, InstantlyColumns, Row
from instantly_columns.api.client import InstantlyClient
from instantly_columns.domain.engagement import project_all
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    SequenceAnswer,
    WizardState,
)
from instantly_columns.ports import CellWrite
from instantly_columns.storage import SQLiteStore
from instantly_columns.testing import FakeClock, FakeInstantly

STEPS = [{"type": "email", "delay": 1, "variants": [{"subject": "Hi {{firstName}}", "body": "?"}]}]


def world(rows: int) -> tuple[FakeInstantly, SQLiteStore, InstantlyColumns, str, str]:
    clock = FakeClock()
    fake = FakeInstantly(clock=clock, seed=5, rate_limits=True)
    key = fake.create_api_key()
    store = SQLiteStore(":memory:")
    store.create_table("t", "Leads")
    store.save_columns(
        "t", [Column(id="e", key="e", name="Email"), Column(id="f", key="f", name="First Name")]
    )
    for start in range(0, rows, 5000):
        store.insert_rows(
            "t",
            [
                Row(id=f"r{i:07d}", cells={"e": f"p{i}@example.com", "f": f"F{i}"})
                for i in range(start, min(rows, start + 5000))
            ],
        )
    service = InstantlyColumns(store, transport=fake.as_transport(), clock=clock)
    campaign = fake.create_campaign(name="Bench", sequences=[{"steps": STEPS}])
    state = WizardState(table_id="t")
    for answer in (
        ConnectAnswer(api_key=key),
        CampaignAnswer(campaign_id=campaign["id"]),
        SequenceAnswer(mode="use_existing"),
        MappingAnswer(),
        CreateAnswer(),
    ):
        state = service.wizard_advance(state, answer)
    assert state.link_id is not None
    return fake, store, service, state.link_id, key


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def original_push(fake: FakeInstantly, key: str, campaign_id: str, rows: int) -> int:
    """One POST /leads per row, no dedupe: what the original product did."""
    import httpx

    with httpx.Client(
        transport=fake.httpx_transport(),
        base_url="https://api.instantly.ai",
        headers={"Authorization": f"Bearer {key}", "User-Agent": "original/1.0"},
    ) as http:
        for i in range(rows):
            response = http.post(
                "/api/v2/leads",
                json={"campaign": campaign_id, "email": f"p{i}@example.com", "first_name": f"F{i}"},
            )
            while response.status_code == 429:
                fake.clock.advance(1.0)
                response = http.post(
                    "/api/v2/leads", json={"campaign": campaign_id, "email": f"p{i}@example.com"}
                )
    return rows


def original_sync(fake: FakeInstantly, key: str, campaign_id: str, store: SQLiteStore) -> int:
    """Load every lead, then write cell by cell after a scan of the table per lead."""
    client = InstantlyClient(key, transport=fake.as_transport(), clock=fake.clock)
    leads = [dict(lead.raw) for lead in client.iter_leads(campaign_id)]  # all in memory
    columns = {
        c.config.instantly_subtype: c.id
        for c in store.columns("t")  # type: ignore[union-attr]
        if c.subtype in ("email_status", "reply_count")
    }
    written = 0
    rows = [r for page in _pages(store) for r in page]
    for lead in leads:
        row = next((r for r in rows if r.cells.get("e") == lead["email"]), None)
        if row is None:
            continue
        cells = project_all(lead).as_dict()
        for subtype, column in columns.items():
            written += store.write_cells("t", [CellWrite(row.id, column, cells[subtype])])
    return written


def _pages(store: SQLiteStore) -> Any:
    after = None
    while page := store.rows("t", ["e"], after=after, limit=1000):
        yield page
        after = page[-1].id


def peak_sync_memory(rows: int) -> tuple[float, int]:
    _fake, _store, service, link, _ = world(rows)
    service.push(link)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    elapsed, report = timed(lambda: service.sync(link))
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    assert report.run.leads_seen == rows
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000)
    args = parser.parse_args()
    n = args.rows

    fake, _store, service, link, _key = world(n)
    before = len(fake.requests)
    push_s, report = timed(lambda: service.push(link))
    push_requests = len(fake.requests) - before
    assert report.counts == {"pushed": n}
    fake.activate(report.campaign_id)
    fake.advance(86400 * 3)
    before = len(fake.requests)
    sync_s, sync = timed(lambda: service.sync(link))
    sync_requests = len(fake.requests) - before
    leads = fake.leads(report.campaign_id)
    bare_s, _ = timed(lambda: [project_all(lead) for lead in leads])

    ofake, _ostore, _, _olink, okey = world(n)
    campaign_id = ofake.campaigns()[0]["id"]
    before = len(ofake.requests)
    opush_s, _ = timed(lambda: original_push(ofake, okey, campaign_id, n))
    opush_requests = len(ofake.requests) - before
    small = min(n, 2000)  # the original sync is quadratic: measure it on fewer leads
    sfake, sstore, sservice, slink, skey = world(small)
    sservice.push(slink)
    ours_small_s, _ = timed(lambda: sservice.sync(slink))
    scampaign = sfake.campaigns()[0]["id"]
    osync_s, _ = timed(lambda: original_sync(sfake, skey, scampaign, sstore))

    print(
        f"push {n} rows:    ours {push_requests} requests, {push_s:.2f} s | original "
        f"{opush_requests} requests, {opush_s:.2f} s | ratio requests "
        f"{opush_requests / push_requests:.0f}x, time {opush_s / push_s:.1f}x"
    )
    print(
        f"sync {n} leads:   ours {sync_requests} requests, {sync_s:.2f} s "
        f"({sync.run.cells_written} cells) | bare projection {bare_s:.2f} s | "
        f"sync/projection {sync_s / bare_s:.1f}x"
    )
    print(
        f"sync {small} leads: ours {ours_small_s:.2f} s | original (all in memory, "
        f"table scan per lead) {osync_s:.2f} s | ratio {osync_s / ours_small_s:.1f}x"
    )
    for size in (n, args.big):
        elapsed, peak = peak_sync_memory(size)
        print(f"sync {size} leads: {elapsed:.2f} s, peak traced memory {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
