"""What every flow shares: the stores, the clock, how to reach the API, and the campaign link
as the table describes it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import attrs

from instantly_columns.engine.effects import Flow, blocking
from instantly_columns.errors import (
    BadRequest,
    InvalidColumnConfig,
    MissingApiKey,
    NotFound,
    RecordNotFound,
    Unauthorized,
)
from instantly_columns.ports import (
    ApiKey,
    CampaignLink,
    CapableTableStore,
    Clock,
    CredentialStore,
    LinkStore,
    UnitOfWork,
)

if TYPE_CHECKING:  # loaded by the flows that use them, not with the service
    from instantly_columns.api.core import ApiCore
    from instantly_columns.api.results import Campaign
    from instantly_columns.domain.columns import CampaignConfig, Column
    from instantly_columns.domain.engagement import EngagementSubtype

ROW_PAGE = 1000
"""Rows read per store call."""
LEAD_PAGE = 100
"""Emails per `POST /leads/list` lookup (the API's page size)."""


def _bulk_max_bytes() -> int:
    from instantly_columns.domain.push import BULK_MAX_BYTES

    return BULK_MAX_BYTES


@attrs.frozen
class Ctx:
    """What every flow needs: the three stores, the clock, an id factory and a way to make
    the API core for a key."""

    tables: CapableTableStore
    links: LinkStore
    credentials: CredentialStore
    clock: Clock
    core: Callable[[ApiKey], ApiCore]
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    push_concurrency: int = 4
    push_max_bytes: int = attrs.field(factory=_bulk_max_bytes)
    """Most bytes of leads per bulk add (see `domain.push.BULK_MAX_BYTES`)."""
    lease_seconds: float = 30.0
    """A sync's lease lapses after this long without a heartbeat; heartbeats come every
    third of it, so only a dead (or frozen) worker loses its lease."""
    fallback_key: ApiKey | None = None
    """The key used for a credential the store holds no key for (the service's `api_key=`,
    or `INSTANTLY_API_KEY` through `from_env`); `None`: such a credential is not connected."""

    def atomic(self) -> AbstractContextManager[None] | None:
        """One transaction across the table and link stores, when they are one store that
        offers it (every bundled adapter does); ``None`` otherwise."""
        store: object = self.tables
        if store is self.links and isinstance(store, UnitOfWork):
            return store.atomic()
        return None


def key_for(ctx: Ctx, credential: str) -> Flow[ApiKey | None]:
    """The key of a credential: the stored one, else the service's fallback key, else None."""
    key = yield from blocking(ctx.credentials.get_key, credential)
    return key if key is not None else ctx.fallback_key


def api_for(ctx: Ctx, credential: str) -> Flow[ApiCore]:
    """The API core for a credential (its key read once per flow): the stored key, else the
    service's fallback key."""
    key = yield from key_for(ctx, credential)
    if key is None:
        raise MissingApiKey(f"no API key is stored for {credential!r}: connect one first")
    return ctx.core(key)


def campaigns_flow(ctx: Ctx, search: str | None, credential: str) -> Flow[list[Campaign]]:
    """Every campaign of the credential's workspace whose name contains ``search``."""
    core = yield from api_for(ctx, credential)
    found = yield from core.list_campaigns(search=search or None)
    return list(found)


def campaign_or_not_found(core: ApiCore, campaign_id: str) -> Flow[Campaign]:
    """The campaign; a 404 becomes a ``NotFound`` that names the campaign id. So does a 400:
    the id is the request's only parameter, and Instantly answers 400 to an id that is not
    one (``params/id must match format "uuid"``), so no such campaign can exist."""
    try:
        return (yield from core.get_campaign(campaign_id))
    except (NotFound, BadRequest) as exc:
        raise NotFound(
            f"no campaign {campaign_id!r} in this workspace",
            status=exc.status,
            method=exc.method,
            path=exc.path,
            body_excerpt=exc.body_excerpt,
        ) from None


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def reraise_auth(error: BaseException) -> None:
    """A rejected key ends the flow: every later call would fail the same way."""
    if isinstance(error, Unauthorized):
        raise error


# --- links ------------------------------------------------------------------------------------


@attrs.frozen
class Link:
    """A campaign link as the table describes it: its ``campaign_config`` column and the
    columns that belong to it."""

    table_id: str
    column: Column
    config: CampaignConfig
    record: CampaignLink
    """The link's stored metadata (campaign, credential, settings, version)."""
    engagement: Mapping[EngagementSubtype, Column]
    push: Column | None
    steps: Mapping[tuple[int, str], Column]

    @property
    def id(self) -> str:
        return self.column.id

    @property
    def credential(self) -> str:
        return self.record.credential_id

    def owned_columns(self) -> list[Column]:
        """Its columns: the ``campaign_config`` column first, then push, engagement, steps."""
        return [
            self.column,
            *([self.push] if self.push else []),
            *self.engagement.values(),
            *self.steps.values(),
        ]


def _belongs(col: Column, link: Column, config: CampaignConfig) -> bool:
    from instantly_columns.domain.columns import (
        INSTANTLY_COLUMN_TYPE,
        EngagementConfig,
        PushActionConfig,
        SequenceStepConfig,
    )

    cfg = col.config
    if cfg is None or col.id == link.id:
        return False
    prefix = f"{INSTANTLY_COLUMN_TYPE}:{link.id}:"
    if col.key.startswith(prefix):
        return True
    if isinstance(cfg, PushActionConfig):
        return cfg.target_campaign_id == config.campaign_id
    if isinstance(cfg, EngagementConfig | SequenceStepConfig):
        return cfg.campaign_id == config.campaign_id
    return False


def resolve_link(columns: Sequence[Column], link: CampaignLink) -> Link:
    from instantly_columns.domain.columns import (
        CampaignConfig,
        EngagementConfig,
        PushActionConfig,
        SequenceStepConfig,
    )

    by_id = {c.id: c for c in columns}
    column = by_id.get(link.id)
    if column is None or not isinstance(column.config, CampaignConfig):
        raise RecordNotFound(f"table {link.table_id!r} has no campaign link {link.id!r}")
    config = column.config
    if not config.campaign_id:
        raise InvalidColumnConfig(
            f"campaign link {link.id!r} names no campaign: set its campaign_id",
            path=f"columns[{column.id}].integration_config.campaign_id",
        )
    engagement: dict[EngagementSubtype, Column] = {}
    push = None
    steps: dict[tuple[int, str], Column] = {}
    for col in columns:
        if not _belongs(col, column, config):
            continue
        cfg = col.config
        if isinstance(cfg, EngagementConfig):
            engagement.setdefault(cfg.instantly_subtype, col)
        elif isinstance(cfg, PushActionConfig):
            push = push or col
        elif isinstance(cfg, SequenceStepConfig) and cfg.step is not None:
            steps[cfg.step] = col
    return Link(link.table_id, column, config, link, engagement, push, steps)


def link_flow(ctx: Ctx, link_id: str) -> Flow[Link]:
    try:
        link = yield from blocking(ctx.links.link, link_id)
    except RecordNotFound:
        # The store says what it lacks in its own words ("no such integration"); the user
        # asked for a link.
        raise RecordNotFound(f"no such campaign link {link_id!r}") from None
    columns = yield from blocking(ctx.tables.columns, link.table_id)
    return resolve_link(columns, link)


def engagement_column(link_id: str, campaign: CampaignConfig, subtype: EngagementSubtype) -> Column:
    """The engagement column a sync creates: a key and a name that say which campaign."""
    from instantly_columns.domain.columns import (
        HOST_ENGAGEMENT_FIELD_BY_SUBTYPE,
        INSTANTLY_COLUMN_TYPE,
        Column,
        EngagementConfig,
        column_key,
    )
    from instantly_columns.domain.ids import engagement_column_id, engagement_column_name

    return Column(
        id=engagement_column_id(link_id, subtype),
        key=column_key(link_id, subtype),
        name=engagement_column_name(subtype, campaign.display_name),
        type=INSTANTLY_COLUMN_TYPE,
        config=EngagementConfig(
            instantly_subtype=subtype,
            engagement_field=HOST_ENGAGEMENT_FIELD_BY_SUBTYPE[subtype],
            campaign_id=campaign.campaign_id,
        ),
    )


def ensure_engagement_columns(ctx: Ctx, link: Link) -> Flow[tuple[Link, tuple[str, ...]]]:
    from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES, EngagementConfig

    missing = [
        engagement_column(link.id, link.config, s)
        for s in ENGAGEMENT_SUBTYPES
        if s not in link.engagement
    ]
    if not missing:
        return link, ()
    yield from blocking(ctx.tables.save_columns, link.table_id, missing)
    engagement = dict(link.engagement)
    for col in missing:
        assert isinstance(col.config, EngagementConfig)
        engagement[col.config.instantly_subtype] = col
    return attrs.evolve(link, engagement=engagement), tuple(c.id for c in missing)
