"""Webhook receiver cases: replays, deliveries out of order, a burst of concurrent deliveries
through the ASGI app, wrong secrets, and a refresh that failed then was retried. Each ends
with the cells a fault-free, in-order delivery leaves."""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable, Sequence
from typing import Any

import anyio

from instantly_columns.asgi import webhook_app
from instantly_columns.errors import WebhookAuthError

from ._support import (
    SECRET,
    Check,
    Face,
    Tally,
    WebhookWorld,
    compare_cells,
    deliver,
    engagement_cells,
    error_text,
    seeded,
    shared_store,
    typed,
    webhook_world,
)


async def asgi_post(
    app: Any, body: bytes, *, query: bytes = b"", headers: Sequence[tuple[bytes, bytes]] = ()
) -> tuple[int, Any]:
    """One POST through an ASGI app: its status and JSON answer. An exception the app lets
    out is what a server turns into a 500; it propagates."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": list(headers), "query_string": query}
    await app(scope, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


def _finish(hooks: WebhookWorld, check: Check) -> Check:
    world = hooks.world
    after = engagement_cells(world.store, world.table, world.link)
    return check.merge(compare_cells(after, hooks.reference, "an in-order delivery"))


def replay(hooks: WebhookWorld, rng: random.Random) -> Check:
    """Every delivery twice at once, then all of them again: the repeats change nothing."""
    check = Check()
    world = hooks.world
    for body in hooks.bodies:
        world.service.ingest_webhook(body, query={"token": SECRET})
        again = world.service.ingest_webhook(body, query={"token": SECRET})
        if not again.replay or again.cells_written:
            check.problems.append(f"a repeated delivery was not a replay: {again!r}")
    replays = [world.service.ingest_webhook(b, query={"token": SECRET}) for b in hooks.bodies]
    check.notes["repeats answered as replays"] += sum(r.replay for r in replays) + len(replays)
    if not all(r.replay for r in replays):
        check.problems.append("a delivery repeated later was applied again")
    return _finish(hooks, check)


def out_of_order(hooks: WebhookWorld, rng: random.Random) -> Check:
    """The deliveries shuffled."""
    check = Check()
    bodies = list(hooks.bodies)
    rng.shuffle(bodies)
    deliver(hooks.world, bodies, check, strict=True)
    check.notes["deliveries"] += len(bodies)
    return _finish(hooks, check)


BURST = 1000


def burst(hooks: WebhookWorld, rng: random.Random) -> Check:
    """``BURST`` deliveries at once through the ASGI app: every event, and repeats of random
    ones (Instantly delivers at least once), all in flight together."""
    check = Check()
    bodies = list(hooks.bodies)
    bodies += [rng.choice(hooks.bodies) for _ in range(max(0, BURST - len(bodies)))]
    rng.shuffle(bodies)
    app = webhook_app(hooks.world.service.inner)
    statuses: list[int] = []

    async def one(body: bytes) -> None:
        try:
            status, _ = await asgi_post(app, body, query=f"token={SECRET}".encode())
        except Exception as exc:
            check.problems.append(f"the app raised {error_text(exc)}")
            return
        statuses.append(status)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for body in bodies:
                group.start_soon(one, body)

    anyio.run(main)
    check.notes["deliveries"] += len(bodies)
    if statuses.count(200) != len(bodies):
        check.problems.append(f"statuses {sorted(set(statuses))}, not all 200")
    return _finish(hooks, check)


def wrong_secret(hooks: WebhookWorld, rng: random.Random) -> Check:
    """Each delivery first without the secret, with a wrong one (query and header) and
    through the app: all refused, leaving no trace, so the real delivery is applied."""
    check = Check()
    world = hooks.world
    before = engagement_cells(world.store, world.table, world.link)
    app = webhook_app(world.service.inner)
    wrong = "".join(rng.choice("abcdefghij0123456789") for _ in range(len(SECRET)))
    for body in hooks.bodies:
        for kwargs in (
            {},
            {"query": {"token": wrong}},
            {"headers": {"X-Instantly-Columns-Token": wrong}},
            {"query": {"token": SECRET[:-1]}},
        ):
            try:
                world.service.ingest_webhook(body, **kwargs)
            except WebhookAuthError:
                check.notes["refused"] += 1
            else:
                check.problems.append(f"a delivery with {sorted(kwargs)} was accepted")
    for body in hooks.bodies[:50]:
        post = functools.partial(asgi_post, app, body, query=f"token={wrong}".encode())
        status, _ = anyio.run(post)
        if status != 401:
            check.problems.append(f"the app answered {status} to a wrong secret")
    if engagement_cells(world.store, world.table, world.link) != before:
        check.problems.append("a refused delivery changed cells")
    for body in hooks.bodies:
        result = world.service.ingest_webhook(body, query={"token": SECRET})
        if result.replay:
            check.problems.append("a refused delivery was remembered as seen")
    return _finish(hooks, check)


def failed_refresh(hooks: WebhookWorld, rng: random.Random) -> Check:
    """Every lead refresh fails for a while (5xx); Instantly retries the failed deliveries
    later: they are done then, not taken for replays."""
    check = Check()
    world = hooks.world
    world.fake.faults.server_error(
        rng.choice([500, 502, 503]), endpoint="POST /api/v2/leads/list", times=rng.randint(3, 60)
    )
    failed: list[bytes] = []
    for body in hooks.bodies:
        try:
            world.service.ingest_webhook(body, query={"token": SECRET})
        except Exception as exc:
            failed.append(body)
            if not typed(exc):
                check.problems.append(f"a failed refresh raised {error_text(exc)}")
    world.fake.faults.clear()
    check.notes["deliveries failed, then retried"] += len(failed)
    for body in failed:
        result = world.service.ingest_webhook(body, query={"token": SECRET})
        if result.replay:
            check.problems.append("a retried delivery was taken for a replay")
    return _finish(hooks, check)


CASES: dict[str, Callable[[WebhookWorld, random.Random], Check]] = {
    "replayed deliveries": replay,
    "deliveries out of order": out_of_order,
    f"burst of {BURST} deliveries (ASGI)": burst,
    "wrong or missing secret": wrong_secret,
    "failed refresh, then retry": failed_refresh,
}


def webhook_case(name: str, *, trials: int, rows: int, seed: int) -> Tally:
    tally = Tally(name, "Webhooks")
    case = CASES[name]
    rng = seeded("webhooks", name, seed)
    for trial in range(1, trials + 1):
        face: Face = "sync" if trial % 2 else "async"
        trial_seed = rng.randrange(1 << 30)

        def one(face: Face = face, s: int = trial_seed) -> Check:
            with shared_store("sqlite") as (_, store):
                hooks = webhook_world(store, rows=rows, seed=s, face=face)
                try:
                    return case(hooks, random.Random(s))
                finally:
                    hooks.world.close()

        tally.run(f"trial {trial} ({face}, seed {trial_seed})", one)
    return tally
