"""Fuzzing with Hypothesis: webhook bodies into ``ingest_webhook`` and into the ASGI app, API
answers into the client, random JSON into column configs, and CSV-ish cell values into a push.
An example fails when it gets an error that is not one of the library's own (the ASGI app:
when it lets one out, which a server answers with a 500). Failures are counted, not raised,
so a run goes through all its examples."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import example as hypothesis_example
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from instantly_columns.api.client import InstantlyClient
from instantly_columns.asgi import webhook_app
from instantly_columns.domain.columns import (
    SUBTYPES,
    Column,
    Row,
    column_key,
    parse_integration_config,
)
from instantly_columns.domain.webhooks import INTEREST_EVENTS, STATUS_EVENTS
from instantly_columns.errors import ConfigError, WebhookError
from instantly_columns.storage import SQLiteStore
from instantly_columns.testing import FakeClock

from ._support import (
    SECRET,
    Check,
    Tally,
    World,
    build_world,
    duplicate_leads,
    error_text,
    typed,
)
from ._webhooks import asgi_post

# --- strategies ------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4)
    ),
    max_leaves=12,
)
EVENT_TYPES = sorted({*STATUS_EVENTS, *INTEREST_EVENTS, "account_error", "campaign_completed"})


def _nested(depth: int, kind: str, core: str = "1") -> str:
    if kind == "list":
        return "[" * depth + core + "]" * depth
    return '{"a":' * depth + core + "}" * depth


deep_json = st.builds(
    _nested, st.integers(min_value=1, max_value=20_000), st.sampled_from(["list", "dict"])
)
huge_digits = st.integers(min_value=1, max_value=60_000).map(lambda n: "9" * n)
lone_surrogates = st.sampled_from(['"\\ud800"', '"x\\udfffy"', '"\\ud83d"'])


def _raw_value(world: World) -> st.SearchStrategy[str]:
    """A JSON value as text, including what ``json.dumps`` cannot write: huge integers, huge
    digit strings, lone surrogates, deep nesting."""
    emails = [str(r.cells["email"]) for r in world.rows[:20]]
    return st.one_of(
        json_values.map(json.dumps),
        huge_digits,
        huge_digits.map(lambda d: f'"{d}"'),
        lone_surrogates,
        deep_json,
        st.sampled_from([json.dumps(e) for e in emails] + [json.dumps(e.upper()) for e in emails]),
        st.sampled_from([json.dumps(world.campaign_id), '"2026-02-01T10:00:00Z"', "1e309"]),
    )


def webhook_bodies(world: World) -> st.SearchStrategy[bytes]:
    """Delivery bodies: event-shaped objects with random values (aimed at the world's
    campaign and rows), deep nesting, huge numbers, random JSON and random bytes."""
    value = _raw_value(world)
    field_names = st.sampled_from(
        ["event_type", "campaign_id", "lead_email", "step", "variant", "timestamp", "email"]
    )

    @st.composite
    def event(draw: st.DrawFn) -> bytes:
        fields = {
            "event_type": json.dumps(draw(st.sampled_from(EVENT_TYPES))),
            "campaign_id": json.dumps(world.campaign_id),
            "lead_email": json.dumps(
                draw(st.sampled_from([str(r.cells["email"]) for r in world.rows[:20]]))
            ),
            "timestamp": json.dumps("2026-01-06T10:00:00.000Z"),
            "step": "1",
        }
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            fields[draw(field_names)] = draw(value)
        if draw(st.booleans()):
            del fields[draw(st.sampled_from(sorted(fields)))]
        return ("{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in fields.items()) + "}").encode()

    return st.one_of(
        event(),
        json_values.map(lambda v: json.dumps(v).encode()),
        deep_json.map(str.encode),
        st.builds(lambda d: f'{{"event_type":"email_sent","x":{d}}}'.encode(), deep_json),
        st.binary(max_size=200),
    )


# --- running a target ------------------------------------------------------------------------


def run_target(
    name: str,
    strategy: st.SearchStrategy[Any],
    body: Callable[[Any], Check],
    *,
    examples: int,
    seed: int,
    measured: frozenset[str] = frozenset(),
    explicit: Sequence[Any] = (),
) -> Tally:
    """Run ``body`` on the ``explicit`` examples, then on ``examples`` examples of
    ``strategy`` (seeded), counting failures."""
    tally = Tally(name, "Fuzz", measured=measured)

    def target(example: Any) -> None:
        label = repr(example)
        if len(label) > 160:
            label = f"{label[:120]}... ({len(label)} chars)"
        tally.run(label, lambda: body(example))

    for case in explicit:
        target = hypothesis_example(case)(target)
    run = given(strategy)(target)
    run = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(run)
    hypothesis_seed(seed)(run)()
    return tally


def known_bodies(world: World) -> list[bytes]:
    """Bodies always tried: nesting deeper than the parser's recursion limit, and integers
    and digit strings longer than ``int()`` converts."""
    email = str(world.rows[0].cells["email"])
    event = (
        f'{{"event_type":"email_opened","campaign_id":"{world.campaign_id}","lead_email":"{email}"'
    )
    return [
        ("[" * 100_000 + "]" * 100_000).encode(),
        ('{"event_type":"email_sent","x":' + '{"a":' * 5000 + "1" + "}" * 5000 + "}").encode(),
        (event + ',"step":' + "9" * 5000 + "}").encode(),
        (event + ',"step":"' + "9" * 5000 + '"}').encode(),
        (event + ',"variant":"' + "7" * 4301 + '"}').encode(),
    ]


def _ingest(world: World) -> Callable[[bytes], Check]:
    def body(data: bytes) -> Check:
        check = Check()
        try:
            world.service.ingest_webhook(data, query={"token": SECRET})
        except WebhookError:
            check.notes["refused (400/401)"] += 1
        except Exception as exc:
            check.problems.append(f"ingest_webhook raised {error_text(exc)}")
        else:
            check.notes["accepted"] += 1
        return check

    return body


def _asgi(world: World) -> Callable[[tuple[bytes, bytes]], Check]:
    app = webhook_app(world.service.inner)

    def body(example: tuple[bytes, bytes]) -> Check:
        data, query = example
        check = Check()
        try:
            status, _ = anyio.run(lambda: asgi_post(app, data, query=query))
        except Exception as exc:
            check.problems.append(f"the app let out {error_text(exc)} (a 500)")
            return check
        if status not in (200, 400, 401, 413):
            check.problems.append(f"the app answered {status}")
        check.notes[f"answered {status}"] += 1
        return check

    return body


@contextmanager
def _webhook_world(seed: int) -> Iterator[World]:
    """A store with a linked, pushed table: events aimed at it go all the way through."""
    with SQLiteStore(":memory:") as store:
        world = build_world(store, rows=30, seed=seed)
        world.service.push(world.link)
        try:
            yield world
        finally:
            world.close()


def ingest_target(examples: int, seed: int) -> Tally:
    with _webhook_world(seed) as world:
        return run_target(
            "webhook body → ingest_webhook",
            webhook_bodies(world),
            _ingest(world),
            examples=examples,
            seed=seed,
            explicit=known_bodies(world),
        )


def asgi_target(examples: int, seed: int) -> Tally:
    queries = st.sampled_from([f"token={SECRET}".encode(), b"", b"token=nope", b"%zz=\xff"])
    with _webhook_world(seed) as world:
        return run_target(
            "webhook body → ASGI app",
            st.tuples(webhook_bodies(world), queries),
            _asgi(world),
            examples=examples,
            seed=seed,
            explicit=[(b, f"token={SECRET}".encode()) for b in known_bodies(world)],
        )


# --- API answers -----------------------------------------------------------------------------

CAMPAIGN = "019a0000-0000-7000-8000-000000000001"
CALLS: dict[str, Callable[[InstantlyClient], Any]] = {
    "check_key": lambda c: c.check_key(),
    "list_campaigns": lambda c: c.list_campaigns(),
    "get_campaign": lambda c: c.get_campaign(CAMPAIGN),
    "lead_page": lambda c: c.lead_page(CAMPAIGN),
    "add_leads": lambda c: c.add_leads(CAMPAIGN, [{"email": "a@example.com"}]),
    "campaign_analytics": lambda c: c.campaign_analytics(CAMPAIGN),
    "list_webhooks": lambda c: c.list_webhooks(),
}


def _answer_bodies() -> st.SearchStrategy[bytes]:
    page = st.fixed_dictionaries(
        {"items": st.lists(json_values, max_size=3)},
        optional={"next_starting_after": json_values},
    )
    lead = st.fixed_dictionaries(
        {"id": json_values, "email": json_values},
        optional={"status": json_values, "email_open_count": json_values},
    )
    return st.one_of(
        json_values.map(lambda v: json.dumps(v).encode()),
        page.map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries({"items": st.lists(lead, max_size=3)}).map(
            lambda v: json.dumps(v).encode()
        ),
        st.builds(lambda m: json.dumps({"error": m}).encode(), st.text(max_size=40)),
        deep_json.map(str.encode),
        huge_digits.map(lambda d: f'{{"items":[],"next_starting_after":{d}}}'.encode()),
        json_values.map(lambda v: json.dumps(v).encode()[: max(1, len(json.dumps(v)) // 2)]),
        st.binary(max_size=100),
    )


answers = st.lists(
    st.tuples(
        st.sampled_from([200, 200, 200, 201, 202, 204, 400, 401, 402, 403, 404, 409, 422, 429])
        | st.integers(min_value=200, max_value=599),
        st.sampled_from(
            [
                {"content-type": "application/json"},
                {"content-type": "text/plain"},
                {},
                {"content-type": "application/json", "retry-after": "1"},
                {"content-type": "application/json", "retry-after": "soon"},
                {"content-type": "application/json", "retry-after": "1e308"},
            ]
        ),
        _answer_bodies(),
    ),
    min_size=1,
    max_size=4,
)


def _client_call(example: tuple[str, list[tuple[int, dict[str, str], bytes]]]) -> Check:
    name, replies = example
    queue = list(replies)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, content = queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx.Response(status, headers=headers, content=content)

    check = Check()
    client = InstantlyClient("fuzz-key", transport=httpx.MockTransport(handler), clock=FakeClock())
    try:
        CALLS[name](client)
    except Exception as exc:
        if typed(exc):
            check.notes[type(exc).__name__] += 1
        else:
            check.problems.append(f"{name} raised {error_text(exc)}")
    else:
        check.notes["returned"] += 1
    finally:
        client.close()
    return check


def api_target(examples: int, seed: int) -> Tally:
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    huge = ('{"items":[],"next_starting_after":' + "9" * 5000 + "}").encode()
    json_type = {"content-type": "application/json"}
    return run_target(
        "API answers → InstantlyClient",
        st.tuples(st.sampled_from(sorted(CALLS)), answers),
        _client_call,
        examples=examples,
        seed=seed,
        explicit=[
            ("lead_page", [(200, json_type, deep)]),
            ("list_campaigns", [(200, json_type, huge)]),
            ("get_campaign", [(400, json_type, deep)]),
        ],
    )


# --- column configs --------------------------------------------------------------------------

CONFIG_KEYS = [
    "instantly_subtype",
    "campaign_id",
    "campaign_name",
    "sequence_mode",
    "field_mapping",
    "push_config",
    "engagement_field",
    "step_config",
    "auto_field_mapping",
    "step_number",
    "field",
    "email",
    "custom_variables",
]


def _deep_dict(depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(depth):
        out = {"field_mapping": out}
    return out


configs = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(CONFIG_KEYS) | st.text(max_size=8), json_values, max_size=6),
    st.builds(
        lambda subtype, extra: {"instantly_subtype": subtype, **extra},
        st.sampled_from([*SUBTYPES, "nope"]),
        st.dictionaries(
            st.sampled_from(CONFIG_KEYS),
            json_values
            | st.fixed_dictionaries({}, optional=dict.fromkeys(CONFIG_KEYS, json_values)),
            max_size=6,
        ),
    ),
    st.integers(min_value=1, max_value=5_000).map(lambda n: ("nested", n)),
)
"""Random configs; ``("nested", n)`` stands for a mapping nested ``n`` deep, built only
inside the target (printing it would exhaust the stack of whoever prints it)."""


def _parse_config(example: tuple[Any, str, str, str]) -> Check:
    config, column_id, name, kind = example
    if isinstance(config, tuple):
        config = _deep_dict(config[1])
    check = Check()
    for attempt in (
        lambda: parse_integration_config(config),
        lambda: Column.from_host(
            id=column_id,
            name=name,
            type=kind,
            integration_config=config if isinstance(config, dict) else None,
        ),
    ):
        try:
            attempt()
        except ConfigError:
            check.notes["refused with ConfigError"] += 1
        except Exception as exc:
            check.problems.append(f"raised {error_text(exc)}")
        else:
            check.notes["parsed"] += 1
    return check


def config_target(examples: int, seed: int) -> Tally:
    return run_target(
        "column config JSON → parse_integration_config, Column.from_host",
        st.tuples(
            configs,
            st.text(max_size=10),
            st.text(max_size=10),
            st.sampled_from(["text", "instantly", ""]),
        ),
        _parse_config,
        examples=examples,
        seed=seed,
    )


# --- push cell values ------------------------------------------------------------------------

CONTROL = "".join(chr(c) for c in [*range(32), 127, 0x85, 0x2028, 0x2029, 0xFEFF, 0x200E])
csv_text = st.text(
    alphabet=st.sampled_from(list(CONTROL + ",;\"'\\ \t|éß漢🙂<>&") + list("abcxyz019")),
    max_size=60,
)
emails = st.one_of(
    st.builds(lambda i: f"fuzz{i}@example.com", st.integers(0, 10**9)),
    st.builds(
        lambda pre, i, post: f"{pre}fuzz{i}@Example.COM{post}",
        st.sampled_from(["", " ", "\t", "\ufeff", "mailto:", "Name <"]),
        st.integers(0, 10**9),
        st.sampled_from(["", " ", "\n", ">", "\x00", ",", ";"]),
    ),
    csv_text,
)
cell_rows = st.lists(
    st.fixed_dictionaries(
        {
            "email": emails,
            "first": csv_text,
            "last": csv_text,
            "company": csv_text,
            "plan": csv_text | st.integers() | st.none() | st.booleans(),
        }
    ),
    min_size=1,
    max_size=4,
)


class PushWorlds:
    """Push examples share a world; a fresh one every ``per_world`` examples keeps tables
    (which a push reads whole) small."""

    def __init__(self, seed: int, per_world: int = 50) -> None:
        self._seed = seed
        self._per_world = per_world
        self._count = 0
        self._store: SQLiteStore | None = None
        self._world: World | None = None
        self._next_row = 0

    def world(self) -> World:
        if self._world is None or self._count % self._per_world == 0:
            self.close()
            self._store = SQLiteStore(":memory:")
            self._world = build_world(self._store, rows=0, seed=self._seed + self._count)
        self._count += 1
        return self._world

    def row_ids(self, n: int) -> list[str]:
        start, self._next_row = self._next_row, self._next_row + n
        return [f"f{i:08d}" for i in range(start, start + n)]

    def close(self) -> None:
        if self._world is not None:
            self._world.close()
        if self._store is not None:
            self._store.close()
        self._world = self._store = None


def _push_cells(worlds: PushWorlds) -> Callable[[list[dict[str, Any]]], Check]:
    def body(rows: list[dict[str, Any]]) -> Check:
        world = worlds.world()
        ids = worlds.row_ids(len(rows))
        world.store.insert_rows(
            world.table, [Row(id=i, cells=c) for i, c in zip(ids, rows, strict=True)]
        )
        check = Check()
        try:
            report = world.service.push(world.link, rows=ids)
        except Exception as exc:
            if typed(exc):
                check.notes[type(exc).__name__] += 1
            else:
                check.problems.append(f"push raised {error_text(exc)}")
            return check
        if sorted(r.row_id for r in report.rows) != sorted(ids):
            check.lost += len(set(ids) - {r.row_id for r in report.rows})
        check.notes.update(r.status for r in report.rows)
        push_column = column_key(world.link, "push_action")
        column = next(c.id for c in world.store.columns(world.table) if c.key == push_column)
        cells = {
            r.id: r.cells.get(column) for r in world.store.get_rows(world.table, ids, [column])
        }
        leads = {lead["id"] for lead in world.fake.leads(world.campaign_id)}
        for r in report.rows:
            if not isinstance(cells.get(r.row_id), dict):
                check.lost += 1
            if r.status == "pushed" and r.lead_id not in leads:
                check.problems.append(f"{r.row_id} pushed as {r.lead_id}, which Instantly lacks")
        check.duplicates += duplicate_leads(world.fake)
        return check

    return body


def push_target(examples: int, seed: int) -> Tally:
    worlds = PushWorlds(seed)
    try:
        return run_target(
            "CSV-ish cell values → push",
            cell_rows,
            _push_cells(worlds),
            examples=examples,
            seed=seed,
            measured=frozenset({"duplicates", "lost"}),
        )
    finally:
        worlds.close()


TARGETS: dict[str, Callable[[int, int], Tally]] = {
    "ingest": ingest_target,
    "asgi": asgi_target,
    "api": api_target,
    "configs": config_target,
    "push": push_target,
}
