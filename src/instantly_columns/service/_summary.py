"""The pinned summary row (from the cells or from Instantly's analytics) and the analytics
panel."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from instantly_columns.api.core import ApiCore
from instantly_columns.api.results import AnalyticsOverview, CampaignAnalytics
from instantly_columns.domain.columns import ENGAGEMENT_SUBTYPES, Column, InstantlySubtype
from instantly_columns.domain.summary import Aggregate, render
from instantly_columns.engine.effects import Flow, blocking, gather
from instantly_columns.errors import ApiError, ConfigError
from instantly_columns.ports import SummaryColumns
from instantly_columns.service._context import (
    Ctx,
    Link,
    api_for,
    error_text,
    link_flow,
    reraise_auth,
)
from instantly_columns.service.reports import AnalyticsDay, AnalyticsPanel, SummaryRow

SummarySource = Literal["stored", "api", "local"]

_COUNTERS = (
    "leads",
    "contacted",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "unsubscribed",
    "interested",
    "reply_total",
    "open_total",
)


def summary_json(row: SummaryRow | None) -> dict[str, Any] | None:
    """What a sync run keeps of the summary row it ended with: enough to show it again
    (``summary(link)``) without asking anyone."""
    if row is None:
        return None
    agg = row.aggregate
    return {
        "source": row.source,
        "as_of": row.as_of.isoformat() if row.as_of is not None else None,
        "campaign_name": row.campaign_name,
        "campaign_status": row.campaign_status,
        "aggregate": {
            **{name: getattr(agg, name) for name in _COUNTERS},
            "last_contacted": agg.last_contacted,
        },
        "cells": {k: str(v) for k, v in row.cells.items()},
        "by_subtype": {k: str(v) for k, v in row.by_subtype.items()},
    }


def _stored(link: Link, data: Mapping[str, Any]) -> SummaryRow | None:
    """The summary row a run kept, rebuilt for the link's columns as they are now."""
    counters = data.get("aggregate")
    source = data.get("source")
    if not isinstance(counters, Mapping) or source not in ("api", "local"):
        return None  # a run of an older version kept only the text
    try:
        aggregate = Aggregate(**{k: counters[k] for k in (*_COUNTERS, "last_contacted")})
        as_of = datetime.fromisoformat(data["as_of"]) if data.get("as_of") else None
    except (KeyError, TypeError, ValueError, ConfigError):
        return None
    status = data.get("campaign_status")
    return build_summary(
        link,
        aggregate,
        source,
        data.get("campaign_name") or link.config.campaign_name,
        status if isinstance(status, int) else None,
        as_of=as_of,
    )


def _api_summary(ctx: Ctx, link: Link, core: ApiCore) -> Flow[SummaryRow]:
    """The summary row from Instantly's analytics (raises `ApiError` when it cannot)."""
    cid = link.config.campaign_id
    rows_out, overview_out = yield from gather(
        core.campaign_analytics(cid), core.analytics_overview(cid)
    )
    rows, overview = rows_out.unwrap(), overview_out.unwrap()
    row = rows[0] if rows else None
    aggregate = Aggregate.from_analytics(row.raw, overview.raw) if row else Aggregate.EMPTY
    status = _code(row.campaign_status) if row else None
    name = row.campaign_name if row else None
    if status is None or name is None:  # a campaign that has not sent yet has no row
        campaign = yield from core.get_campaign(cid)
        status = _code(campaign.status) if status is None else status
        name = campaign.name if name is None else name
    return build_summary(
        link, aggregate, "api", name or link.config.campaign_name, status, as_of=ctx.clock.now()
    )


def summary_after_sync(ctx: Ctx, link: Link, core: ApiCore) -> Flow[tuple[SummaryRow, str | None]]:
    """What Instantly's analytics say once the cells are synced; the cells' own figures when
    the analytics cannot be read (and the run says why)."""
    try:
        return (yield from _api_summary(ctx, link, core)), None
    except ApiError as exc:
        reraise_auth(exc)
        problem = f"campaign analytics unavailable, summary from the cells: {error_text(exc)}"
    local = yield from local_aggregate(ctx, link)
    row = build_summary(
        link, local, "local", link.config.campaign_name, None, as_of=ctx.clock.now()
    )
    return row, problem


def summary_columns(link: Link) -> SummaryColumns | None:
    """The columns the link's summary counts, or ``None`` when it cannot count any lead (no
    email column mapped, or no engagement column)."""
    email = link.config.field_mapping.email
    columns = {s: c.id for s, c in link.engagement.items()}
    if not email or not columns:
        return None
    return SummaryColumns(email=email, **columns)


def local_aggregate(ctx: Ctx, link: Link) -> Flow[Aggregate]:
    """The cells' aggregate, counted per lead (``domain.summary.DEFINITIONS``): kept by the
    store and read in constant time when it can (``LeadSummaries``), else folded."""
    columns = summary_columns(link)
    if columns is None:
        return Aggregate.EMPTY
    groups = yield from blocking(ctx.tables.lead_groups, link.table_id, link.id, columns)
    total = Aggregate.EMPTY
    for g in groups:
        total = total + Aggregate.from_group(
            email_status=g.email_status,
            engagement_status=g.engagement_status,
            rows=g.rows,
            reply_total=g.reply_total,
            open_total=g.open_total,
            opened_rows=g.opened_rows,
            last_contacted=g.last_contacted,
        )
    return total


def build_summary(
    link: Link,
    aggregate: Aggregate,
    source: Literal["api", "local"],
    campaign_name: str | None,
    campaign_status: int | None,
    *,
    as_of: datetime | None = None,
) -> SummaryRow:
    by_subtype: dict[InstantlySubtype, Any] = {}
    cells: dict[str, Any] = {}
    owned: list[tuple[InstantlySubtype, Column]] = [("campaign_config", link.column)]
    if link.push is not None:
        owned.append(("push_action", link.push))
    owned += [(s, c) for s, c in link.engagement.items()]
    owned += [("sequence_step", c) for _, c in sorted(link.steps.items())]
    shown: tuple[InstantlySubtype, ...] = ("campaign_config", "push_action", *ENGAGEMENT_SUBTYPES)
    for subtype in shown:
        by_subtype[subtype] = render(
            aggregate, subtype, campaign_name=campaign_name, campaign_status=campaign_status
        )
    for subtype, col in owned:
        cells[col.id] = render(
            aggregate, subtype, campaign_name=campaign_name, campaign_status=campaign_status
        )
    return SummaryRow(
        link.id,
        link.config.campaign_id,
        source,
        aggregate,
        cells,
        by_subtype,
        campaign_name=campaign_name,
        campaign_status=campaign_status,
        as_of=as_of,
    )


def summary_flow(ctx: Ctx, link_id: str, source: SummarySource) -> Flow[SummaryRow]:
    """The summary row: as the last sync stored it (``stored``: Instantly's analytics, or
    the cells when those could not be read), live from the analytics (``api``), or computed
    from the cells now (``local``). ``stored`` before any sync is ``local``."""
    link = yield from link_flow(ctx, link_id)
    if source not in ("stored", "api", "local"):
        raise ConfigError("must be 'stored', 'api' or 'local'", path="source")
    if source == "api":
        core = yield from api_for(ctx, link.credential)
        return (yield from _api_summary(ctx, link, core))
    runs = yield from blocking(ctx.links.runs, link.id, limit=20)
    if source == "stored":
        for run in runs:
            if run.summary and run.status in ("ok", "partial"):
                row = _stored(link, run.summary)
                if row is not None:
                    return row
    aggregate = yield from local_aggregate(ctx, link)
    status = next(
        (
            r.summary["campaign_status"]
            for r in runs
            if r.summary and r.summary.get("campaign_status") is not None
        ),
        None,
    )
    return build_summary(
        link, aggregate, "local", link.config.campaign_name, status, as_of=ctx.clock.now()
    )


def _code(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _n(*values: int | float | None) -> int:
    """The first counter given, floored at 0 (0 when none is)."""
    for value in values:
        if value is not None and not isinstance(value, bool):
            return max(0, int(value))
    return 0


def analytics_flow(
    ctx: Ctx, link_id: str, start_date: str | None, end_date: str | None
) -> Flow[AnalyticsPanel]:
    link = yield from link_flow(ctx, link_id)
    core = yield from api_for(ctx, link.credential)
    cid = link.config.campaign_id
    rows_out, overview_out, daily_out = yield from gather(
        core.campaign_analytics(cid, start_date=start_date, end_date=end_date),
        core.analytics_overview(cid, start_date=start_date, end_date=end_date),
        core.daily_analytics(cid, start_date=start_date, end_date=end_date),
    )
    rows = rows_out.unwrap()
    row = rows[0] if rows else CampaignAnalytics()
    name, status = row.campaign_name, _code(row.campaign_status)
    if not rows:  # a campaign that has not sent yet: its status still shows
        campaign = yield from core.get_campaign(cid)
        name, status = campaign.name, _code(campaign.status)
    over: AnalyticsOverview | None = overview_out.unwrap()
    if over is not None and not over.raw:
        over = None
    days = tuple(
        AnalyticsDay(
            date=str(d.date),
            sent=_n(d.sent),
            contacted=_n(d.contacted),
            opened=_n(d.opened),
            unique_opened=_n(d.unique_opened),
            replies=_n(d.replies),
            unique_replies=_n(d.unique_replies),
            clicks=_n(d.clicks),
            unique_clicks=_n(d.unique_clicks),
        )
        for d in daily_out.unwrap()
    )
    # The counters mean what the summary row's mean (domain.summary.DEFINITIONS).
    agg = Aggregate.from_analytics(row.raw, over.raw if over else None)
    return AnalyticsPanel(
        campaign_id=cid,
        campaign_name=name or link.config.campaign_name,
        campaign_status=status,
        start_date=start_date,
        end_date=end_date,
        leads=agg.leads,
        contacted=agg.contacted,
        emails_sent=_n(row.emails_sent_count),
        opened=agg.open_total,
        unique_opened=agg.opened,
        replied=agg.reply_total,
        unique_replied=agg.replied,
        clicked=agg.clicked,
        bounced=agg.bounced,
        unsubscribed=agg.unsubscribed,
        completed=_n(row.completed_count),
        interested=agg.interested,
        meetings_booked=_n(over.total_meeting_booked) if over else 0,
        daily=days,
    )
