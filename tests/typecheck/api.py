"""Type-checked, not run: the public API as a user writes it, under ``mypy --strict``.

A change that breaks these annotations breaks users' type checks, so it fails CI.
"""

from __future__ import annotations

from typing_extensions import assert_type

from instantly_columns import (
    AsyncInstantlyColumns,
    Column,
    FieldMapping,
    InstantlyClient,
    InstantlyColumns,
    PushReport,
    SummaryRow,
    SyncReport,
    WizardState,
    detect_field_mapping,
    parse_integration_config,
)
from instantly_columns.api.results import Lead, Page
from instantly_columns.domain.wizard import ConnectAnswer
from instantly_columns.storage import SQLiteStore
from instantly_columns.testing import FakeInstantly


def sync_service(fake: FakeInstantly) -> None:
    service = InstantlyColumns(SQLiteStore(":memory:"), transport=fake.as_transport())
    state = service.wizard_advance(service.start_wizard("t"), ConnectAnswer(api_key="k"))
    assert_type(state, WizardState)
    assert_type(service.push("link", dry_run=True), PushReport)
    assert_type(service.sync("link"), SyncReport)
    assert_type(service.summary("link", source="api"), SummaryRow)


async def async_service(fake: FakeInstantly) -> None:
    service = AsyncInstantlyColumns(SQLiteStore(":memory:"), transport=fake.as_async_transport())
    assert_type(await service.push("link"), PushReport)
    assert_type(await service.sync("link", full=True), SyncReport)


def settings_are_closed(service: InstantlyColumns) -> None:
    # A misspelt keyword or a value of the wrong type is a type error here, and a ConfigError
    # naming the closest valid keyword at run time.
    service.update_link("link", sequnce_mode="author_steps")  # type: ignore[arg-type]
    service.update_link("link", sync_interval_seconds="15m")  # type: ignore[arg-type]
    service.update_link("link", sequence_mode="write_poems")  # type: ignore[arg-type]


def domain() -> None:
    assert_type(detect_field_mapping(["Email"]), FieldMapping)
    config = parse_integration_config({"instantly_subtype": "reply_count"})
    column = Column(id="c", key="c", name="Replies", type="instantly", config=config)
    assert_type(column.editable, bool)


def client(fake: FakeInstantly) -> None:
    with InstantlyClient("key", transport=fake.as_transport()) as api:
        page = api.lead_page("campaign")
        assert_type(page, Page[Lead])
        assert_type(page.next_starting_after, str | None)
