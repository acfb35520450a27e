"""The flows, written once as generators of effects (see ``_effects``): push, engagement sync,
summary, analytics, settings edits, deletion, webhooks.

They speak to the API through operation names (``Api(credential, op, kwargs)``) whose results
are plain JSON (dicts and lists), and to storage through the ports. No domain rule lives here:
mapping, projection, aggregation and rendering come from the domain modules.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

import attrs

from instantly_columns.api.core import bulk_add_body
from instantly_columns.domain.columns import (
    CORE_LEAD_FIELDS,
    ENGAGEMENT_SUBTYPES,
    INSTANTLY_COLUMN_TYPE,
    CampaignConfig,
    CellValue,
    Column,
    EngagementConfig,
    FieldMappingConfig,
    InstantlySubtype,
    PushActionConfig,
    SequenceStepConfig,
    column_key,
    ensure_valid_table,
    parse_integration_config,
)
from instantly_columns.domain.engagement import (
    ENGAGEMENT_FIELD_BY_SUBTYPE,
    EngagementSubtype,
    project_all,
)
from instantly_columns.domain.mapping import normalize_email
from instantly_columns.domain.sequences import step_custom_variables
from instantly_columns.domain.summary import Aggregate, render
from instantly_columns.domain.webhooks import parse_event, plan_updates
from instantly_columns.engine.effects import Api, Flow, Gather, Outcome, Store
from instantly_columns.errors import (
    ApiError,
    ApiResponseError,
    InvalidColumnConfig,
    RecordNotFound,
    SequenceError,
    Unauthorized,
)
from instantly_columns.ports import (
    ApiKey,
    CellWrite,
    Clock,
    CredentialStore,
    Integration,
    IntegrationStore,
    LedgerEntry,
    SyncRun,
    TableStore,
)
from instantly_columns.service.reports import (
    AnalyticsDay,
    AnalyticsPanel,
    DeletionReport,
    ProgressEvent,
    PushReport,
    PushRowResult,
    SettingsChange,
    SummaryRow,
    SyncReport,
    WebhookResult,
)

ConfigT = TypeVar("ConfigT", CampaignConfig, PushActionConfig)

BULK_LIMIT = 1000
ROW_PAGE = 1000
LEAD_PAGE = 100


ENGAGEMENT_TITLES: dict[EngagementSubtype, str] = {
    "engagement_status": "Engagement Status",
    "email_status": "Email Status",
    "last_contacted": "Last Contacted",
    "reply_count": "Replies",
    "open_count": "Opens",
}


@attrs.frozen
class Ctx:
    """What every flow needs: the three stores, the clock and an id factory."""

    tables: TableStore
    integrations: IntegrationStore
    credentials: CredentialStore
    clock: Clock
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    push_concurrency: int = 4
    stale_after: float = 300.0


# --- links ------------------------------------------------------------------------------------


@attrs.frozen
class Link:
    """A campaign link as the table describes it: its ``campaign_config`` column and the
    columns that belong to it."""

    table_id: str
    column: Column
    config: CampaignConfig
    integration: Integration
    engagement: Mapping[EngagementSubtype, Column]
    push: Column | None
    steps: Mapping[tuple[int, str], Column]

    @property
    def id(self) -> str:
        return self.column.id


def _belongs(col: Column, link: Column, config: CampaignConfig) -> bool:
    cfg = col.config
    if cfg is None or col.id == link.id:
        return False
    prefix = f"{INSTANTLY_COLUMN_TYPE}:{link.id}:"
    if col.key.startswith(prefix):
        return True
    if isinstance(cfg, PushActionConfig):
        return cfg.push_config.campaign_id == config.campaign_id
    if isinstance(cfg, EngagementConfig | SequenceStepConfig):
        return cfg.campaign_id == config.campaign_id
    return False


def resolve_link(columns: Sequence[Column], integration: Integration) -> Link:
    by_id = {c.id: c for c in columns}
    column = by_id.get(integration.id)
    if column is None or not isinstance(column.config, CampaignConfig):
        raise RecordNotFound(
            f"table {integration.table_id!r} has no campaign link {integration.id!r}"
        )
    config = column.config
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
        elif isinstance(cfg, SequenceStepConfig):
            steps[(cfg.step_config.step_number, cfg.step_config.field)] = col
    return Link(integration.table_id, column, config, integration, engagement, push, steps)


def link_flow(ctx: Ctx, integration_id: str) -> Flow[Link]:
    integration = yield Store(ctx.integrations.integration, (integration_id,))
    columns = yield Store(ctx.tables.columns, (integration.table_id,))
    return resolve_link(columns, integration)


def _credential(integration: Integration) -> str:
    return integration.credential_id


def engagement_column(link_id: str, campaign: CampaignConfig, subtype: EngagementSubtype) -> Column:
    """The engagement column a sync creates: a key and a name that say which campaign."""
    return Column(
        id=f"{link_id}__{subtype}",
        key=column_key(link_id, subtype),
        name=f"{ENGAGEMENT_TITLES[subtype]} · {campaign.campaign_name}",
        type=INSTANTLY_COLUMN_TYPE,
        config=EngagementConfig(
            instantly_subtype=subtype,
            engagement_field=ENGAGEMENT_FIELD_BY_SUBTYPE[subtype],
            campaign_id=campaign.campaign_id,
        ),
    )


def ensure_engagement_columns(ctx: Ctx, link: Link) -> Flow[tuple[Link, tuple[str, ...]]]:
    missing = [
        engagement_column(link.id, link.config, s)
        for s in ENGAGEMENT_SUBTYPES
        if s not in link.engagement
    ]
    if not missing:
        return link, ()
    yield Store(ctx.tables.save_columns, (link.table_id, missing))
    engagement = dict(link.engagement)
    for col in missing:
        assert isinstance(col.config, EngagementConfig)
        engagement[col.config.instantly_subtype] = col
    return attrs.evolve(link, engagement=engagement), tuple(c.id for c in missing)


# --- connect ------------------------------------------------------------------------------------


def connect_flow(ctx: Ctx, credential: str, key: ApiKey) -> Flow[Mapping[str, Any]]:
    """Validate a key against the API, then store it. A rejected key is not stored."""
    workspace = yield Api(credential, "verify_key", {"api_key": key})
    yield Store(ctx.credentials.set_key, (credential, key))
    return workspace  # type: ignore[no-any-return]


# --- push ------------------------------------------------------------------------------------


def _scalar(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def lead_payload(
    row_cells: Mapping[str, CellValue],
    mapping: FieldMappingConfig,
    steps: Mapping[tuple[int, str], Column] | None,
) -> tuple[str | None, dict[str, Any], str | None]:
    """``(normalised email, lead JSON, problem)``: the mapped fields, the declared custom
    variables and, in ``author_steps`` mode, the row's step copy — nothing else."""
    email = normalize_email(row_cells.get(mapping.email)) if mapping.email else None
    if email is None:
        raw = row_cells.get(mapping.email) if mapping.email else None
        return None, {}, "missing email" if _blank(raw) else "invalid email"
    lead: dict[str, Any] = {"email": email}
    for field in CORE_LEAD_FIELDS:
        column = getattr(mapping, field)
        if field == "email" or not column:
            continue
        value = row_cells.get(column)
        if not _blank(value):
            lead[field] = value.strip() if isinstance(value, str) else str(_scalar(value))
    custom: dict[str, Any] = {}
    for name, column in sorted(mapping.custom_variables.items()):
        value = row_cells.get(column)
        if not _blank(value):
            custom[name] = _scalar(value)
    if steps:
        values = {(n, f): row_cells.get(col.id) for (n, f), col in steps.items()}
        try:
            custom.update(step_custom_variables(values))  # type: ignore[arg-type]
        except SequenceError as exc:
            return email, {}, f"step copy: {exc}"
    if custom:
        lead["custom_variables"] = custom
    return email, lead, None


def _digest(campaign_id: str, lead: Mapping[str, Any]) -> str:
    # Scoped by campaign: after a link switches campaign, earlier results no longer count.
    body = hashlib.sha256(json.dumps(lead, sort_keys=True).encode()).hexdigest()[:32]
    return f"{campaign_id}:{body}"


def _same_campaign(entry: LedgerEntry, campaign_id: str) -> bool:
    return (entry.payload_hash or "").startswith(f"{campaign_id}:")


@attrs.define
class _Candidate:
    row_id: str
    email: str
    lead: dict[str, Any]
    digest: str


def push_flow(
    ctx: Ctx,
    integration_id: str,
    *,
    rows: Collection[str] | None = None,
    where: Callable[[Mapping[str, CellValue]], bool] | None = None,
    dry_run: bool = False,
    force: bool = False,
    skip_if_in_campaign: bool = True,
) -> Flow[PushReport]:
    link = yield from link_flow(ctx, integration_id)
    integration = link.integration
    credential = _credential(integration)
    push_cfg = link.push.config if link.push is not None else None
    mapping = link.config.field_mapping
    if isinstance(push_cfg, PushActionConfig) and not push_cfg.push_config.auto_field_mapping:
        assert push_cfg.field_mapping is not None
        mapping = push_cfg.field_mapping
    steps = dict(link.steps) if link.config.sequence_mode == "author_steps" else {}
    fields = sorted({*mapping.columns().values(), *(c.id for c in steps.values())})
    wanted = set(rows) if rows is not None else None

    results: dict[str, PushRowResult] = {}
    order: list[str] = []
    seen: dict[str, str] = {}
    candidates: list[_Candidate] = []
    after: str | None = None
    while True:
        page = yield Store(
            ctx.tables.rows, (link.table_id, fields), {"after": after, "limit": ROW_PAGE}
        )
        if not page:
            break
        after = page[-1].id
        for row in page:
            if wanted is not None and row.id not in wanted:
                continue
            if where is not None and not where(row.cells):
                continue
            order.append(row.id)
            email, lead, problem = lead_payload(row.cells, mapping, steps)
            if problem is not None or email is None:
                results[row.id] = PushRowResult(row.id, "invalid", email, error=problem)
            elif email in seen:
                results[row.id] = PushRowResult(
                    row.id,
                    "skipped_duplicate",
                    email,
                    error=f"same email as row {seen[email]}",
                )
            else:
                seen[email] = row.id
                candidates.append(
                    _Candidate(row.id, email, lead, _digest(link.config.campaign_id, lead))
                )
    absent = sorted(wanted - set(order)) if wanted is not None else []
    for row_id in absent:
        order.append(row_id)
        results[row_id] = PushRowResult(row_id, "failed", error="no such row")

    # Rows pushed before: unchanged ones are skipped, changed ones update their lead.
    known: dict[str, LedgerEntry] = {}
    if candidates and not force:
        for start in range(0, len(candidates), BULK_LIMIT):
            part = [c.email for c in candidates[start : start + BULK_LIMIT]]
            known.update((yield Store(ctx.integrations.ledger, (integration.id, part))))
    fresh: list[_Candidate] = []
    updates: list[tuple[_Candidate, str]] = []
    unchanged: set[str] = set()
    for cand in candidates:
        entry = known.get(cand.email)
        if (
            entry is None
            or entry.lead_id is None
            or entry.status not in ("pushed", "already_in_campaign")
            or not _same_campaign(entry, link.config.campaign_id)
        ):
            fresh.append(cand)
        elif entry.payload_hash == cand.digest:
            unchanged.add(cand.row_id)  # its ledger entry and push cell already say so
            results[cand.row_id] = PushRowResult(
                cand.row_id,
                "already_in_campaign",
                cand.email,
                entry.lead_id,
                pushed_at=entry.pushed_at,
            )
        else:
            updates.append((cand, entry.lead_id))

    chunks = [fresh[i : i + BULK_LIMIT] for i in range(0, len(fresh), BULK_LIMIT)]
    bodies = tuple(
        bulk_add_body(
            link.config.campaign_id,
            [c.lead for c in chunk],
            skip_if_in_campaign=skip_if_in_campaign,
        )
        for chunk in chunks
    )
    patch_bodies = tuple(
        {"lead_id": lead_id, "fields": _patch_fields(cand.lead)} for cand, lead_id in updates
    )
    if dry_run:
        for chunk in chunks:
            for cand in chunk:
                results[cand.row_id] = PushRowResult(cand.row_id, "would_push", cand.email)
        for cand, lead_id in updates:
            results[cand.row_id] = PushRowResult(cand.row_id, "would_update", cand.email, lead_id)
        return PushReport(
            integration.id,
            link.config.campaign_id,
            True,
            tuple(results[r] for r in order),
            0,
            bodies,
            patch_bodies,
        )

    now = ctx.clock.now()
    requests = 0
    pending = [
        LedgerEntry(integration.id, c.row_id, c.email, "pending", payload_hash=c.digest)
        for c in fresh
    ]
    if pending:
        yield Store(ctx.integrations.write_ledger, (integration.id, pending))
    for start in range(0, len(chunks), max(1, ctx.push_concurrency)):
        group = chunks[start : start + ctx.push_concurrency]
        outcomes: list[Outcome[Any]] = yield Gather(
            tuple(Api(credential, "add_leads", dict(bodies[start + i])) for i in range(len(group)))
        )
        requests += len(group)
        for chunk, outcome in zip(group, outcomes, strict=True):
            if outcome.error is not None:
                _reraise_auth(outcome.error)
                for cand in chunk:
                    results[cand.row_id] = PushRowResult(
                        cand.row_id, "failed", cand.email, error=_error_text(outcome.error)
                    )
                continue
            created = _created_ids(outcome.value)
            missing = [c for i, c in enumerate(chunk) if i not in created]
            existing: dict[str, str] = {}
            if missing:
                existing = yield from _find_leads(
                    credential, link.config.campaign_id, [c.email for c in missing]
                )
                requests += -(-len(missing) // LEAD_PAGE)
            for i, cand in enumerate(chunk):
                if i in created:
                    results[cand.row_id] = PushRowResult(
                        cand.row_id, "pushed", cand.email, created[i], pushed_at=now
                    )
                elif cand.email in existing:
                    results[cand.row_id] = PushRowResult(
                        cand.row_id,
                        "already_in_campaign",
                        cand.email,
                        existing[cand.email],
                        pushed_at=now,
                    )
                else:
                    results[cand.row_id] = PushRowResult(
                        cand.row_id,
                        "failed",
                        cand.email,
                        error="Instantly did not create this lead: it is blocklisted, "
                        + (
                            "in another campaign of the workspace (skip_if_in_campaign), "
                            if skip_if_in_campaign
                            else ""
                        )
                        + "or was rejected",
                    )
    if updates:
        outcomes = yield Gather(
            tuple(Api(credential, "patch_lead", dict(body)) for body in patch_bodies)
        )
        requests += len(updates)
        for (cand, lead_id), outcome in zip(updates, outcomes, strict=True):
            if outcome.error is not None:
                _reraise_auth(outcome.error)
                results[cand.row_id] = PushRowResult(
                    cand.row_id, "failed", cand.email, lead_id, error=_error_text(outcome.error)
                )
            else:
                results[cand.row_id] = PushRowResult(
                    cand.row_id, "updated", cand.email, lead_id, pushed_at=now
                )

    digests = {c.row_id: c.digest for c in candidates}
    entries = [
        LedgerEntry(
            integration.id,
            r.row_id,
            r.email,
            "pushed" if r.status == "updated" else r.status,  # type: ignore[arg-type]
            lead_id=r.lead_id,
            error=r.error,
            pushed_at=r.pushed_at,
            payload_hash=digests.get(r.row_id)
            if r.status in ("pushed", "updated", "already_in_campaign")
            else None,
        )
        for r in results.values()
        if (r.row_id in digests or r.status == "invalid") and r.row_id not in unchanged
    ]
    if entries:
        yield Store(ctx.integrations.write_ledger, (integration.id, entries))
    if link.push is not None:
        writes = [
            CellWrite(r.row_id, link.push.id, r.as_cell())
            for r in results.values()
            if r.row_id not in unchanged and r.row_id not in absent
        ]
        if writes:
            yield Store(ctx.tables.write_cells, (link.table_id, writes))
    return PushReport(
        integration.id,
        link.config.campaign_id,
        False,
        tuple(results[r] for r in order),
        requests,
        bodies,
        patch_bodies,
    )


def _patch_fields(lead: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in lead.items() if k != "email"}


def _created_ids(response: Any) -> dict[int, str]:
    out: dict[int, str] = {}
    for item in (response or {}).get("created_leads") or []:
        if isinstance(item, Mapping) and isinstance(item.get("index"), int) and item.get("id"):
            out[item["index"]] = str(item["id"])
    return out


def _find_leads(credential: str, campaign_id: str, emails: Sequence[str]) -> Flow[dict[str, str]]:
    found: dict[str, str] = {}
    for start in range(0, len(emails), LEAD_PAGE):
        part = list(emails[start : start + LEAD_PAGE])
        items, _ = yield Api(
            credential,
            "lead_page",
            {"campaign_id": campaign_id, "starting_after": None, "contacts": part},
        )
        for lead in items:
            email = normalize_email(lead.get("email"))
            if email and lead.get("id"):
                found[email] = str(lead["id"])
    return found


def _reraise_auth(error: Exception) -> None:
    if isinstance(error, Unauthorized):
        raise error


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# --- sync -------------------------------------------------------------------------------------


def sync_flow(
    ctx: Ctx,
    integration_id: str,
    *,
    progress: Callable[[ProgressEvent], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    full: bool = False,
) -> Flow[SyncReport]:
    link = yield from link_flow(ctx, integration_id)
    link, created = yield from ensure_engagement_columns(ctx, link)
    email_column = link.config.field_mapping.email
    if not email_column:
        raise InvalidColumnConfig("the link maps no email column", path="field_mapping.email")
    credential = _credential(link.integration)
    campaign_id = link.config.campaign_id

    resume_from: str | None = None
    if not full:
        previous = yield Store(ctx.integrations.runs, (link.id,), {"limit": 1})
        if previous and previous[0].status in ("failed", "cancelled", "running"):
            resume_from = previous[0].cursor
    now = ctx.clock.now()
    run = SyncRun(
        id=ctx.new_id(),
        integration_id=link.id,
        started_at=now,
        heartbeat_at=now,
        cursor=resume_from,
    )
    run = (yield Store(ctx.integrations.start_run, (run,), {"stale_after": ctx.stale_after})) or run
    columns = {s: c.id for s, c in link.engagement.items()}
    pages = 0
    cursors: set[str] = set()
    try:
        page = yield Api(
            credential, "lead_page", {"campaign_id": campaign_id, "starting_after": resume_from}
        )
        while True:
            items, cursor = page
            if not items:
                break
            if cursor is not None:
                if cursor in cursors:
                    raise ApiResponseError("the API sent a cursor it had sent before")
                cursors.add(cursor)
            pages += 1
            writes, stats = yield from _page_writes(ctx, link, email_column, columns, items)
            follow = cursor is not None
            if follow:
                both = yield Gather(
                    (
                        Api(
                            credential,
                            "lead_page",
                            {"campaign_id": campaign_id, "starting_after": cursor},
                        ),
                        Store(ctx.tables.write_cells, (link.table_id, writes)),
                    )
                )
                written = both[1].unwrap()
                next_page = both[0]
            else:
                written = yield Store(ctx.tables.write_cells, (link.table_id, writes))
                next_page = None
            run = attrs.evolve(
                run,
                leads_seen=run.leads_seen + len(items),
                rows_matched=run.rows_matched + stats[0],
                leads_unmatched=run.leads_unmatched + stats[1],
                duplicate_rows=run.duplicate_rows + stats[2],
                cells_written=run.cells_written + written,
                cursor=cursor,
                heartbeat_at=ctx.clock.now(),
            )
            yield Store(ctx.integrations.update_run, (run,))
            if progress is not None:
                progress(
                    ProgressEvent(
                        link.id, pages, run.leads_seen, run.rows_matched, run.cells_written
                    )
                )
            if next_page is None:
                break
            page = next_page.unwrap()
            if cancelled is not None and cancelled():
                run = attrs.evolve(run, status="cancelled", finished_at=ctx.clock.now())
                yield Store(ctx.integrations.update_run, (run,))
                return SyncReport(link.id, run, None, resume_from, created)
    except (Exception, KeyboardInterrupt) as exc:
        # Close the run with its last checkpoint, so the next sync resumes from it (an
        # interrupted one is "cancelled": the lease is released at once).
        interrupted = isinstance(exc, KeyboardInterrupt)
        run = attrs.evolve(
            run,
            status="cancelled" if interrupted else "failed",
            finished_at=ctx.clock.now(),
            errors=(*run.errors, "interrupted" if interrupted else _error_text(exc)),
        )
        yield Store(ctx.integrations.update_run, (run,))
        raise
    summary, problem = yield from _summary_after_sync(ctx, link)
    run = attrs.evolve(
        run,
        status="partial" if problem else "ok",
        errors=(*run.errors, problem) if problem else run.errors,
        finished_at=ctx.clock.now(),
        cursor=None,
        summary=_summary_json(summary),
    )
    yield Store(ctx.integrations.update_run, (run,))
    if progress is not None:
        progress(
            ProgressEvent(
                link.id, pages, run.leads_seen, run.rows_matched, run.cells_written, done=True
            )
        )
    return SyncReport(link.id, run, summary, resume_from, created)


def _page_writes(
    ctx: Ctx,
    link: Link,
    email_column: str,
    columns: Mapping[EngagementSubtype, str],
    items: Sequence[Mapping[str, Any]],
) -> Flow[tuple[list[CellWrite], tuple[int, int, int]]]:
    by_email: dict[str, Mapping[str, Any]] = {}
    for lead in items:
        email = normalize_email(lead.get("email"))
        if email is not None:
            by_email[email] = lead
    index: Mapping[str, list[str]] = (
        (yield Store(ctx.tables.lookup_rows, (link.table_id, email_column, list(by_email))))
        if by_email
        else {}
    )
    writes: list[CellWrite] = []
    matched = unmatched = duplicates = 0
    unmatched += len(items) - len(by_email)
    for email, lead in by_email.items():
        row_ids = index.get(email, [])
        if not row_ids:
            unmatched += 1
            continue
        matched += len(row_ids)
        duplicates += len(row_ids) - 1
        cells = project_all(lead).as_dict()
        for row_id in row_ids:
            writes.extend(CellWrite(row_id, columns[s], cells[s]) for s in ENGAGEMENT_SUBTYPES)
    return writes, (matched, unmatched, duplicates)


def _summary_json(row: SummaryRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "source": row.source,
        "campaign_name": row.campaign_name,
        "campaign_status": row.campaign_status,
        "cells": {k: str(v) for k, v in row.cells.items()},
        "by_subtype": {k: str(v) for k, v in row.by_subtype.items()},
    }


def _summary_after_sync(ctx: Ctx, link: Link) -> Flow[tuple[SummaryRow, str | None]]:
    local = yield from local_aggregate(ctx, link)
    status: int | None = None
    name = link.config.campaign_name
    problem = None
    try:
        campaign = yield Api(
            _credential(link.integration), "get_campaign", {"campaign_id": link.config.campaign_id}
        )
        status = campaign.get("status") if isinstance(campaign, Mapping) else None
        name = str(campaign.get("name") or name) if isinstance(campaign, Mapping) else name
    except ApiError as exc:
        _reraise_auth(exc)
        problem = f"campaign status unavailable: {_error_text(exc)}"
    return build_summary(link, local, "local", name, status), problem


def local_aggregate(ctx: Ctx, link: Link) -> Flow[Aggregate]:
    columns = {s: c.id for s, c in link.engagement.items()}
    if not columns:
        return Aggregate.EMPTY
    groups = yield Store(ctx.tables.engagement_groups, (link.table_id, columns))
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
    )


def summary_flow(
    ctx: Ctx, integration_id: str, source: Literal["api", "local"]
) -> Flow[SummaryRow]:
    link = yield from link_flow(ctx, integration_id)
    credential = _credential(link.integration)
    if source == "local":
        aggregate = yield from local_aggregate(ctx, link)
        runs = yield Store(ctx.integrations.runs, (link.id,), {"limit": 5})
        status = next(
            (
                r.summary["campaign_status"]
                for r in runs
                if r.summary and r.summary.get("campaign_status") is not None
            ),
            None,
        )
        return build_summary(link, aggregate, "local", link.config.campaign_name, status)
    rows = yield Api(credential, "campaign_analytics", {"campaign_id": link.config.campaign_id})
    overview = yield Api(credential, "analytics_overview", {"campaign_id": link.config.campaign_id})
    row = rows[0] if rows else {}
    aggregate = Aggregate.from_analytics(row, overview) if row else Aggregate.EMPTY
    status = row.get("campaign_status") if row else None
    name = row.get("campaign_name") if row else None
    if status is None or name is None:
        campaign = yield Api(credential, "get_campaign", {"campaign_id": link.config.campaign_id})
        status = campaign.get("status") if status is None else status
        name = campaign.get("name") if name is None else name
    return build_summary(link, aggregate, "api", name or link.config.campaign_name, status)


# --- analytics panel --------------------------------------------------------------------------


def _count(data: Mapping[str, Any], *names: str) -> int:
    for name in names:
        value = data.get(name)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            return max(0, int(value))
    return 0


def analytics_flow(
    ctx: Ctx, integration_id: str, start_date: str | None, end_date: str | None
) -> Flow[AnalyticsPanel]:
    link = yield from link_flow(ctx, integration_id)
    credential = _credential(link.integration)
    span = {"start_date": start_date, "end_date": end_date}
    cid = link.config.campaign_id
    rows, overview, daily = yield Gather(
        (
            Api(credential, "campaign_analytics", {"campaign_id": cid, **span}),
            Api(credential, "analytics_overview", {"campaign_id": cid, **span}),
            Api(credential, "analytics_daily", {"campaign_id": cid, **span}),
        )
    )
    row: Mapping[str, Any] = (rows.unwrap() or [{}])[0]
    over: Mapping[str, Any] = overview.unwrap() or {}
    days = tuple(
        AnalyticsDay(
            date=str(d.get("date")),
            sent=_count(d, "sent"),
            contacted=_count(d, "contacted"),
            opened=_count(d, "opened"),
            unique_opened=_count(d, "unique_opened"),
            replies=_count(d, "replies"),
            unique_replies=_count(d, "unique_replies"),
            clicks=_count(d, "clicks"),
            unique_clicks=_count(d, "unique_clicks"),
        )
        for d in (daily.unwrap() or [])
        if isinstance(d, Mapping)
    )
    return AnalyticsPanel(
        campaign_id=cid,
        campaign_name=row.get("campaign_name") or link.config.campaign_name,
        campaign_status=row.get("campaign_status"),
        start_date=start_date,
        end_date=end_date,
        leads=_count(row, "leads_count"),
        contacted=_count(row, "contacted_count"),
        emails_sent=_count(row, "emails_sent_count"),
        opened=_count(over, "open_count") if over else _count(row, "open_count"),
        unique_opened=_count(row, "open_count_unique", "open_count"),
        replied=_count(over, "reply_count") if over else _count(row, "reply_count"),
        unique_replied=_count(row, "reply_count_unique", "reply_count"),
        clicked=_count(row, "link_click_count_unique", "link_click_count"),
        bounced=_count(row, "bounced_count"),
        unsubscribed=_count(row, "unsubscribed_count"),
        completed=_count(row, "completed_count"),
        interested=_count(over, "total_interested"),
        meetings_booked=_count(over, "total_meeting_booked"),
        daily=days,
    )


# --- scheduling -------------------------------------------------------------------------------

DEFAULT_SYNC_INTERVAL = 900.0


def due_flow(ctx: Ctx, table_id: str | None, now: datetime) -> Flow[list[Integration]]:
    """Links whose last successful sync is older than their interval (``settings
    ["sync_interval_seconds"]``, default 15 minutes), oldest first; never-synced ones first."""
    links = yield Store(ctx.integrations.integrations, (table_id,))
    due: list[tuple[datetime | None, Integration]] = []
    for item in links:
        interval = float(item.settings.get("sync_interval_seconds", DEFAULT_SYNC_INTERVAL))
        if interval <= 0:
            continue
        runs = yield Store(ctx.integrations.runs, (item.id,), {"limit": 20})
        last = next((r.finished_at for r in runs if r.status in ("ok", "partial")), None)
        if last is None or last + timedelta(seconds=interval) <= now:
            due.append((last, item))
    due.sort(key=lambda pair: (pair[0] is not None, pair[0] or now, pair[1].id))
    return [item for _, item in due]


# --- settings, deletion -----------------------------------------------------------------------


def update_link_flow(
    ctx: Ctx,
    integration_id: str,
    *,
    field_mapping: Mapping[str, Any] | None = None,
    sequence_mode: str | None = None,
    push_config: Mapping[str, Any] | None = None,
    campaign_name: str | None = None,
    campaign_id: str | None = None,
    sync_interval_seconds: float | None = None,
) -> Flow[SettingsChange]:
    link = yield from link_flow(ctx, integration_id)
    columns: list[Column] = yield Store(ctx.tables.columns, (link.table_id,))
    flat = link.config.to_integration_config()
    changed: list[str] = []
    notes: list[str] = []
    cleared = 0
    if field_mapping is not None:
        flat["field_mapping"] = dict(field_mapping)
        changed.append("field_mapping")
    if sequence_mode is not None and sequence_mode != link.config.sequence_mode:
        flat["sequence_mode"] = sequence_mode
        changed.append("sequence_mode")
        if link.steps and sequence_mode != "author_steps":
            notes.append("step columns are kept but no longer pushed (mode is not author_steps)")
    if campaign_name is not None and campaign_name != link.config.campaign_name:
        flat["campaign_name"] = campaign_name
        changed.append("campaign_name")
    switching = campaign_id is not None and campaign_id != link.config.campaign_id
    if switching:
        flat["campaign_id"] = campaign_id
        changed.append("campaign_id")
    new_config = _typed(CampaignConfig, flat)
    updated: dict[str, Column] = {
        link.column.id: link.column.model_copy(
            update={"config": new_config, "name": _link_name(link, new_config)}
        )
    }
    for subtype, col in link.engagement.items():
        cfg = col.config
        assert isinstance(cfg, EngagementConfig)
        updated[col.id] = col.model_copy(
            update={
                "name": f"{ENGAGEMENT_TITLES[subtype]} · {new_config.campaign_name}",
                "config": cfg.model_copy(update={"campaign_id": new_config.campaign_id}),
            }
        )
    for col in link.steps.values():
        cfg = col.config
        assert isinstance(cfg, SequenceStepConfig)
        updated[col.id] = col.model_copy(
            update={"config": cfg.model_copy(update={"campaign_id": new_config.campaign_id})}
        )
    if link.push is not None:
        cfg = link.push.config
        assert isinstance(cfg, PushActionConfig)
        push_flat = cfg.to_integration_config()
        if push_config is not None:
            push_flat["push_config"] = {**push_flat["push_config"], **push_config}
            changed.append("push_config")
        push_flat["push_config"] = {
            **push_flat["push_config"],
            "campaign_id": new_config.campaign_id,
        }
        if "campaign_id" in push_flat:
            push_flat["campaign_id"] = new_config.campaign_id
        if not push_flat["push_config"].get("auto_field_mapping", True) and not push_flat.get(
            "field_mapping"
        ):
            # The push column gets a mapping of its own, starting from the link's.
            push_flat["field_mapping"] = new_config.field_mapping.model_dump(
                mode="json", exclude_unset=True
            )
            notes.append("the push column now has its own field mapping, copied from the link")
        updated[link.push.id] = link.push.model_copy(
            update={"config": _typed(PushActionConfig, push_flat)}
        )
    elif push_config is not None:
        raise InvalidColumnConfig("this link has no push_action column", path="push_config")
    new_columns = [updated.get(c.id, c) for c in columns]
    ensure_valid_table(new_columns)
    if switching:
        # Engagement cells and push results described the old campaign: clear them.
        clear_ids = [c.id for c in link.engagement.values()]
        if link.push is not None:
            clear_ids.append(link.push.id)
        cleared = yield from _clear_columns(ctx, link.table_id, clear_ids)
        notes.append(
            f"switched campaign: cleared {cleared} engagement and push cells of the old "
            "campaign; the next sync fills them for the new one, and rows must be pushed again"
        )
    yield Store(ctx.tables.save_columns, (link.table_id, list(updated.values())))
    settings = dict(link.integration.settings)
    if sync_interval_seconds is not None:
        settings["sync_interval_seconds"] = float(sync_interval_seconds)
        changed.append("sync_interval_seconds")
    if link.push is not None and push_config is not None:
        settings["push_config"] = dict(updated[link.push.id].config.push_config)  # type: ignore[union-attr]
    item = attrs.evolve(
        link.integration,
        campaign_id=new_config.campaign_id,
        campaign_name=new_config.campaign_name,
        sequence_mode=new_config.sequence_mode,
        field_mapping=new_config.field_mapping.model_dump(mode="json", exclude_unset=True),
        settings=settings,
    )
    yield Store(ctx.integrations.save_integration, (item,), {"version": link.integration.version})
    return SettingsChange(link.id, tuple(changed), cells_cleared=cleared, notes=tuple(notes))


def _typed(kind: type[ConfigT], flat: Mapping[str, Any]) -> ConfigT:
    """Parse an edited flat config; problems become ``InvalidColumnConfig`` with paths."""
    config = parse_integration_config(flat)
    if not isinstance(config, kind):  # pragma: no cover - the subtype key is never edited
        raise InvalidColumnConfig(f"expected a {kind.__name__}", path="instantly_subtype")
    return config


def _link_name(link: Link, config: CampaignConfig) -> str:
    # A column named after its campaign follows a rename; a name the user chose stays.
    if link.column.name in ("", link.config.campaign_name):
        return config.campaign_name
    return link.column.name


def _clear_columns(ctx: Ctx, table_id: str, column_ids: Sequence[str]) -> Flow[int]:
    if not column_ids:
        return 0
    total = 0
    after = None
    while True:
        page = yield Store(
            ctx.tables.rows, (table_id, list(column_ids)), {"after": after, "limit": ROW_PAGE}
        )
        if not page:
            return total
        after = page[-1].id
        writes = [
            CellWrite(row.id, cid, None)
            for row in page
            for cid in column_ids
            if row.cells.get(cid) is not None
        ]
        if writes:
            total += yield Store(ctx.tables.write_cells, (table_id, writes))


def delete_link_flow(
    ctx: Ctx, integration_id: str, *, keep_step_columns: bool = True
) -> Flow[DeletionReport]:
    """Delete a link: its ``campaign_config``, ``push_action`` and engagement columns go with
    their cells; step columns hold the user's copy, so by default they are kept as plain text
    columns with their values."""
    link = yield from link_flow(ctx, integration_id)
    removed = [link.column.id, *(c.id for c in link.engagement.values())]
    if link.push is not None:
        removed.append(link.push.id)
    detached: list[Column] = []
    for (_number, _field), col in sorted(link.steps.items()):
        if keep_step_columns:
            detached.append(Column(id=col.id, key=col.key, name=col.name, type="text"))
        else:
            removed.append(col.id)
    if detached:
        yield Store(ctx.tables.save_columns, (link.table_id, detached))
    yield Store(ctx.tables.delete_columns, (link.table_id, removed))
    yield Store(ctx.integrations.delete_integration, (link.id,))
    notes = [f"removed {len(removed)} columns and their cells"]
    if detached:
        notes.append(f"kept {len(detached)} step columns as plain text columns")
    return DeletionReport(link.id, tuple(removed), tuple(c.id for c in detached), tuple(notes))


# --- webhooks ---------------------------------------------------------------------------------


def webhook_flow(ctx: Ctx, body: bytes | Mapping[str, Any]) -> Flow[WebhookResult]:
    """Apply one delivery (already authenticated) to every link of its campaign."""
    event = parse_event(body)
    fresh = yield Store(ctx.integrations.record_event, (event.key, ctx.clock.now()))
    if not fresh:
        return WebhookResult(event.event_type, replay=True)
    links: list[Integration] = yield Store(ctx.integrations.integrations, (None,))
    targets = [i for i in links if i.campaign_id == event.campaign_id]
    if not targets or event.lead_email is None:
        return WebhookResult(event.event_type, ignored="no link for this campaign or lead")
    written = 0
    refreshed = False
    ignored = None
    for integration in targets:
        link = yield from link_flow(ctx, integration.id)
        link, _ = yield from ensure_engagement_columns(ctx, link)
        email_col = link.config.field_mapping.email
        if not email_col:
            continue
        index = yield Store(ctx.tables.lookup_rows, (link.table_id, email_col, [event.lead_email]))
        row_ids = index.get(event.lead_email, [])
        if not row_ids:
            continue
        columns = {s: c.id for s, c in link.engagement.items()}
        found = yield Store(ctx.tables.get_rows, (link.table_id, row_ids, list(columns.values())))
        rows = {r.id: r for r in found}
        writes: list[CellWrite] = []
        for row_id in row_ids:
            row = rows.get(row_id)
            current = {s: row.cells.get(cid) for s, cid in columns.items()} if row else {}
            outcome = plan_updates(event, current)
            ignored = outcome.ignored
            if outcome.refresh_lead:
                items, _ = yield Api(
                    integration.credential_id,
                    "lead_page",
                    {
                        "campaign_id": integration.campaign_id,
                        "starting_after": None,
                        "contacts": [event.lead_email],
                    },
                )
                refreshed = True
                for lead in items:
                    if normalize_email(lead.get("email")) == event.lead_email:
                        cells = project_all(lead).as_dict()
                        writes.extend(CellWrite(row_id, columns[s], cells[s]) for s in columns)
            else:
                writes.extend(CellWrite(row_id, columns[s], v) for s, v in outcome.updates.items())
        if writes:
            written += yield Store(ctx.tables.write_cells, (link.table_id, writes))
    return WebhookResult(
        event.event_type, cells_written=written, refreshed=refreshed, ignored=ignored
    )
