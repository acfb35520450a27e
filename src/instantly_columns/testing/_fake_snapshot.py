"""A FakeInstantly workspace as JSON: what ``FakeInstantly.snapshot`` writes and
``FakeInstantly.from_snapshot`` reads.

It holds the workspace (keys as hashes, campaigns, leads with their event logs, lists,
webhooks, queued interest updates, the blocklist), the clock's time, the reactions the
engagement simulation still has pending, and the state of the seeded random generators, so a
restored fake goes on exactly as the original would have. It leaves out the request log, the
fault rules and webhook receivers, which belong to a process.
"""

from __future__ import annotations

import heapq
import random
from datetime import datetime
from typing import Any, TypeVar

import attrs
from attrs import AttrsInstance

from instantly_columns.errors import ConfigError
from instantly_columns.testing._fake_engagement import Simulator, _Entry, _Item
from instantly_columns.testing._fake_state import (
    Campaign,
    IdMaker,
    JsonObject,
    KeyRecord,
    Lead,
    LeadEvent,
    LeadList,
    PendingInterest,
    Webhook,
    Workspace,
)

__all__: list[str] = []

FORMAT = "instantly-columns fake workspace"
VERSION = 1
# Fields that hold datetimes, in every record type.
_TIMES = frozenset({"at", "created", "updated", "activated", "next_due", "due", "timestamp_error"})
R = TypeVar("R")


def _value(_: object, field: attrs.Attribute[Any] | None, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return value


def _dump(record: AttrsInstance) -> JsonObject:
    return attrs.asdict(record, value_serializer=_value)


def _build(cls: type[R], data: JsonObject, **nested: Any) -> R:
    fields = {
        key: datetime.fromisoformat(value) if key in _TIMES and value is not None else value
        for key, value in data.items()
    }
    return cls(**{**fields, **nested})


def _rng_state(rng: random.Random) -> list[Any]:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def _set_rng(rng: random.Random, state: list[Any]) -> None:
    version, internal, gauss = state
    rng.setstate((version, tuple(internal), gauss))


def dump(workspace: Workspace, simulator: Simulator, now: datetime, seed: int) -> JsonObject:
    ids = workspace.ids
    return {
        "format": FORMAT,
        "version": VERSION,
        "seed": seed,
        "now": now.isoformat(),
        "ids": {
            "rng": _rng_state(ids._rng),
            "last_ms": ids._last_ms,
            "counter": ids._counter,
        },
        "workspace": {
            "id": workspace.id,
            "owner": workspace.owner,
            "name": workspace.name,
            "created": workspace.created.isoformat(),
            # Records by the key the workspace files them under (keys by digest, the rest
            # by id), in insertion order.
            "keys": {k: _dump(v) for k, v in workspace.keys.items()},
            "campaigns": {k: _dump(v) for k, v in workspace.campaigns.items()},
            "leads": {k: _dump(v) for k, v in workspace.leads.items()},
            "lists": {k: _dump(v) for k, v in workspace.lists.items()},
            "webhooks": {k: _dump(v) for k, v in workspace.webhooks.items()},
            "pending_interest": [_dump(p) for p in workspace.pending_interest],
            "blocklist": sorted(workspace.blocklist),
        },
        "simulator": {
            "rng": _rng_state(simulator._rng),
            "seq": simulator._seq,
            "pending": [_dump(entry[2]) for entry in simulator._pending],
        },
    }


def check(data: object) -> JsonObject:
    """The snapshot, if ``data`` is one this version reads."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError("not a FakeInstantly snapshot", path="snapshot")
    if data.get("version") != VERSION:
        raise ConfigError(
            f"snapshot version {data.get('version')!r}; this version reads {VERSION}",
            path="snapshot.version",
        )
    return data


def load_workspace(data: JsonObject) -> Workspace:
    ids = IdMaker(int(data["seed"]))
    _set_rng(ids._rng, data["ids"]["rng"])
    ids._last_ms = int(data["ids"]["last_ms"])
    ids._counter = int(data["ids"]["counter"])
    ws = data["workspace"]

    def scoped(record: JsonObject) -> KeyRecord:
        scopes = record["scopes"]
        return _build(KeyRecord, record, scopes=None if scopes is None else tuple(scopes))

    def lead(record: JsonObject) -> Lead:
        return _build(Lead, record, events=[_build(LeadEvent, e) for e in record["events"]])

    return Workspace(
        ids=ids,
        id=ws["id"],
        owner=ws["owner"],
        name=ws["name"],
        created=datetime.fromisoformat(ws["created"]),
        keys={k: scoped(v) for k, v in ws["keys"].items()},
        campaigns={k: _build(Campaign, v) for k, v in ws["campaigns"].items()},
        leads={k: lead(v) for k, v in ws["leads"].items()},
        lists={k: _build(LeadList, v) for k, v in ws["lists"].items()},
        webhooks={k: _build(Webhook, v) for k, v in ws["webhooks"].items()},
        pending_interest=[_build(PendingInterest, x) for x in ws["pending_interest"]],
        blocklist=set(ws["blocklist"]),
    )


def load_simulator(data: JsonObject) -> Simulator:
    simulator = Simulator(int(data["seed"]))
    state = data["simulator"]
    _set_rng(simulator._rng, state["rng"])
    simulator._seq = int(state["seq"])
    items = [_build(_Item, x) for x in state["pending"]]
    pending: list[_Entry] = [(item.at, item.seq, item) for item in items]
    heapq.heapify(pending)
    simulator._pending = pending
    return simulator
