"""A table linked to a campaign in one call, for tests: :func:`link_table`.

The add-column wizard is how a user links a table, one answer per step. A test that is about
what comes after (a push, a sync, a webhook) needs the link, not the conversation, so
``link_table`` answers every step for it: the key already connected, the campaign given (or a
new one), the campaign's own sequence, the detected mapping. It drives the service's public
``wizard_advance`` and nothing else, so the link it makes is the one a user would get.

The pytest plugin's ``instantly_columns_link`` fixture calls it on the ready service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from instantly_columns.domain.columns import CellValue, Column, Row
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    NewCampaign,
    SequenceAnswer,
    WizardAnswer,
    WizardState,
)
from instantly_columns.errors import ConfigError, Problem
from instantly_columns.ports import TableStore

__all__ = ["LinkingService", "link_table"]


class LinkingService(Protocol):
    """What :func:`link_table` needs of a service: ``InstantlyColumns`` has both."""

    @property
    def tables(self) -> TableStore: ...

    def wizard_advance(self, state: WizardState, answer: WizardAnswer) -> WizardState: ...


@runtime_checkable
class _TableMaker(Protocol):
    """The bundled stores' way to make a table (not part of the ``TableStore`` port)."""

    def create_table(self, table: str, name: str = "") -> None: ...

    def save_columns(self, table: str, columns: Sequence[Column]) -> None: ...

    def insert_rows(self, table: str, rows: Sequence[Row]) -> int: ...


def link_table(
    service: LinkingService,
    rows: Sequence[Mapping[str, CellValue]] | None = None,
    *,
    table_id: str = "leads",
    campaign_id: str | None = None,
    campaign_name: str = "Tests",
    overrides: Mapping[str, str | None] | None = None,
    credential: str = "default",
) -> str:
    """Link a table to a campaign through the wizard, in one call; returns the link id.

    ``rows`` (optional) fills a new table first, on a store with ``create_table`` (every
    bundled store): each distinct key becomes a text column whose id and name are that key,
    and the rows get the ids ``r1``, ``r2``... in order. Without ``rows`` the table must
    exist already (a host store makes its tables its own way).

    Then the wizard runs: the key already connected for ``credential`` (or the service's own
    key), the campaign ``campaign_id``, or a new one named ``campaign_name``, its own sequence
    (``use_existing``; a campaign without steps is accepted), the detected mapping with
    ``overrides`` on top (lead field -> column id, as in ``MappingAnswer``), and the push and
    engagement columns.

    Raises:
        ConfigError: a step was refused; the problems name the step (``campaign.campaign_id``,
            ``mapping.overrides.email``...), or the store cannot create a table.
    """
    if rows is not None:
        _make_table(service.tables, table_id, rows)
    campaign = (
        CampaignAnswer(campaign_id=campaign_id)
        if campaign_id is not None
        else CampaignAnswer(create=NewCampaign(name=campaign_name))
    )
    answers: tuple[WizardAnswer, ...] = (
        ConnectAnswer(),
        campaign,
        SequenceAnswer(mode="use_existing", confirm_no_steps=True),
        MappingAnswer(overrides=dict(overrides or {})),
        CreateAnswer(),
    )
    state = WizardState(table_id=table_id, credential_id=credential)
    for answer in answers:
        step = state.step
        state = service.wizard_advance(state, answer)
        if state.problems or state.step == step:
            found = [(p.path, p.message) for p in state.problems]
            found = found or [("step", state.message or "the step was refused")]
            raise ConfigError([Problem(f"{step}.{path}", message) for path, message in found])
    if state.link_id is None:  # pragma: no cover - the wizard always names its link when done
        raise ConfigError([Problem("create", "the wizard finished without a link")])
    return state.link_id


def _make_table(store: TableStore, table_id: str, rows: Sequence[Mapping[str, CellValue]]) -> None:
    if not isinstance(store, _TableMaker):
        raise ConfigError(
            [
                Problem(
                    "rows",
                    "this store cannot create tables: create the table yourself and call "
                    "link_table without rows",
                )
            ]
        )
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    store.create_table(table_id, table_id)
    store.save_columns(table_id, [Column(id=k, key=k, name=k) for k in keys])
    store.insert_rows(
        table_id, [Row(id=f"r{n}", cells=dict(row)) for n, row in enumerate(rows, start=1)]
    )
