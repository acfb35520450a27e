"""Fixtures for the end-to-end flow tests: a fake Instantly, a store (memory, SQLite and, when
a DSN is given, PostgreSQL), a lead table, and the service in its sync and async variants
behind one awaitable-agnostic facade."""

from __future__ import annotations

import inspect
import os
import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from instantly_columns.domain.columns import Column, Row
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    NewCampaign,
    SequenceAnswer,
    WizardState,
)
from instantly_columns.service.facade import AsyncInstantlyColumns, InstantlyColumns
from instantly_columns.storage import MemoryStore, SQLiteStore
from instantly_columns.testing import FakeClock, FakeInstantly

TABLE = "leads"
HEADERS = ["Email", "First Name", "Last Name", "Company", "Plan"]


class Service:
    """Calls either service variant the same way: async methods are run to completion."""

    def __init__(self, inner: InstantlyColumns | AsyncInstantlyColumns) -> None:
        self.inner = inner
        self.is_async = isinstance(inner, AsyncInstantlyColumns)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        def run(*args: Any, **kwargs: Any) -> Any:
            async def main() -> Any:
                return await attr(*args, **kwargs)

            return anyio.run(main)

        return run


def make_rows(n: int, *, start: int = 0) -> list[Row]:
    return [
        Row(
            id=f"r{i:06d}",
            cells={
                "email": f"person{i}@example.com",
                "first": f"First{i}",
                "last": f"Last{i}",
                "company": f"Company {i % 7}",
                "plan": ["free", "pro", "team"][i % 3],
            },
        )
        for i in range(start, start + n)
    ]


def setup_table(store: Any, rows: list[Row]) -> None:
    store.create_table(TABLE, "Leads")
    ids = ["email", "first", "last", "company", "plan"]
    store.save_columns(
        TABLE, [Column(id=i, key=i, name=h) for i, h in zip(ids, HEADERS, strict=False)]
    )
    store.insert_rows(TABLE, rows)


class HostStore:
    """A host's store: the table methods a host must write and nothing optional (no
    ``lookup_rows``, ``get_rows``, ``engagement_groups`` nor ``lead_groups``), so the service
    derives them."""

    OPTIONAL = frozenset(
        {
            "lookup_rows",
            "get_rows",
            "engagement_groups",
            "lead_groups",
            "drop_lead_groups",
            "atomic",
        }
    )

    def __init__(self) -> None:
        self._db = MemoryStore()

    def __getattr__(self, name: str) -> Any:
        if name in self.OPTIONAL:
            raise AttributeError(name)
        return getattr(self._db, name)

    def close(self) -> None:
        self._db.close()


@pytest.fixture(params=["memory", "sqlite", "postgres", "host"])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "host":
        host = HostStore()
        yield host
        host.close()
        return
    if request.param != "postgres":
        made: Any = MemoryStore() if request.param == "memory" else SQLiteStore(":memory:")
        yield made
        made.close()
        return
    from contract.conftest import _drop_schema, resolve_dsn
    from instantly_columns.storage import PostgresStore

    dsn = resolve_dsn(os.environ)
    schema = f"ic_flows_{uuid.uuid4().hex[:16]}"
    try:
        with PostgresStore(dsn, schema=schema) as pg:
            yield pg
    finally:
        _drop_schema(dsn, schema)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeInstantly:
    return FakeInstantly(clock=clock, seed=3)


@pytest.fixture
def api_key(fake: FakeInstantly) -> str:
    return fake.create_api_key(name="tests")


@pytest.fixture(params=["sync", "async"])
def service(
    request: pytest.FixtureRequest, store: Any, fake: FakeInstantly, clock: FakeClock
) -> Iterator[Service]:
    inner: InstantlyColumns | AsyncInstantlyColumns
    if request.param == "sync":
        inner = InstantlyColumns(
            store, transport=fake.as_transport(), clock=clock, webhook_secret="s3cret"
        )
    else:
        inner = AsyncInstantlyColumns(
            store, transport=fake.as_async_transport(), clock=clock, webhook_secret="s3cret"
        )
    return Service(inner)


def wizard_link(
    service: Service,
    api_key: str,
    *,
    mode: str = "use_existing",
    campaign_id: str | None = None,
    name: str = "TechCorp Outreach",
    steps: int | None = None,
    confirm_no_steps: bool = True,
) -> str:
    """Run the wizard end to end; return the link id. The campaign it creates has no steps
    (these tests push and sync; nothing is sent), which ``confirm_no_steps`` accepts."""
    state = WizardState(table_id=TABLE)
    state = service.wizard_advance(state, ConnectAnswer(api_key=api_key))
    assert state.step == "campaign", state.problems
    answer = (
        CampaignAnswer(campaign_id=campaign_id)
        if campaign_id
        else CampaignAnswer(create=NewCampaign(name=name))
    )
    state = service.wizard_advance(state, answer)
    assert state.step == "sequence", state.problems
    state = service.wizard_advance(
        state, SequenceAnswer(mode=mode, steps=steps, confirm_no_steps=confirm_no_steps)
    )
    assert state.step == "mapping", state.problems
    state = service.wizard_advance(state, MappingAnswer())
    assert state.step == "review", state.problems
    state = service.wizard_advance(state, CreateAnswer())
    assert state.step == "done", state.problems
    assert state.link_id is not None
    return str(state.link_id)
