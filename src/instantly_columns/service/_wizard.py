"""The wizard's I/O, as a flow: one ``advance(state, answer)`` step at a time.

Write order. Each step reads what it needs (the table, the campaign) and checks everything it
can locally; no step before ``review`` writes to Instantly, and the only store write before it
is the API key, at ``connection``, after the table was found. ``review`` checks the whole plan
again (the table, the mapping, the step columns, the table as it would be) and only then
writes, in this order: the new campaign (when the user asked for one), the columns and the
link (together, one transaction where the stores are one), and the sequence template
(``author_steps``; a rejected template is a note, not a failure).
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from instantly_columns.domain.columns import (
    ENGAGEMENT_SUBTYPES,
    INSTANTLY_COLUMN_TYPE,
    CampaignConfig,
    Column,
    FieldMappingConfig,
    PushActionConfig,
    PushConfig,
    Row,
    SequenceStepConfig,
    StepConfig,
    column_key,
    validate_table,
)
from instantly_columns.domain.ids import new_link_id, push_column_id, step_column_id
from instantly_columns.domain.mapping import FieldMapping, detect_field_mapping
from instantly_columns.domain.problems import nest_problems, problems_from_validation
from instantly_columns.domain.sequences import (
    Step,
    author_sequence,
    build_schedule,
    campaign_variables,
    classify_variable,
    core_bindings,
    parse_steps,
    preview,
    scaffold_step_columns,
    used_variables,
)
from instantly_columns.domain.summary import campaign_status_badge
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    CampaignChoice,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    NewCampaign,
    SequenceAnswer,
    WizardAnswer,
    WizardState,
    WizardView,
    merge_overrides,
    override_problems,
    parse_step_key,
    step_key,
)
from instantly_columns.engine.effects import Flow, blocking
from instantly_columns.errors import (
    ApiError,
    ConfigError,
    MissingApiKey,
    NotFound,
    Problem,
    RecordNotFound,
    StoreError,
    Unauthorized,
)
from instantly_columns.ports import ApiKey, CampaignLink
from instantly_columns.service._context import (
    Ctx,
    api_for,
    campaign_or_not_found,
    engagement_column,
)

#: Used when a new campaign is created without a schedule: weekdays, 9 to 5, US Eastern rules.
DEFAULT_SCHEDULE = {
    "timezone": "America/Detroit",
    "days": "weekdays",
    "start": "09:00",
    "end": "17:00",
}
SAMPLE_ROWS = 50


def advance_flow(ctx: Ctx, state: WizardState, answer: WizardAnswer) -> Flow[WizardState]:
    if answer.step != state.step:
        return state.with_problems(
            [
                Problem(
                    "step",
                    f"this answer is for step {answer.step!r}; the wizard is at {state.step!r}",
                )
            ]
        )
    if isinstance(answer, ConnectAnswer):
        return (yield from _connect(ctx, state, answer))
    if isinstance(answer, CampaignAnswer):
        return (yield from _campaign(ctx, state, answer))
    if isinstance(answer, SequenceAnswer):
        return (yield from _sequence(ctx, state, answer))
    if isinstance(answer, MappingAnswer):
        return (yield from _mapping(ctx, state, answer))
    return (yield from _create(ctx, state, answer))


def _api_problem(path: str, exc: ApiError) -> Problem:
    if isinstance(exc, Unauthorized):
        return Problem(
            path, "Instantly rejected the API key (invalid or revoked): enter a working key"
        )
    return Problem(path, f"Instantly did not answer as expected: {exc}")


def _reconnect(state: WizardState, exc: ApiError | MissingApiKey) -> WizardState:
    """Back to the connection step: the key is gone or Instantly stopped accepting it."""
    if isinstance(exc, MissingApiKey):
        return state.moved("connection").with_problems(
            [Problem("api_key", "no key is stored: enter one")], message="Connect a key again."
        )
    return state.moved("connection").with_problems(
        [_api_problem("api_key", exc)], message="The key stopped working: connect again."
    )


def _no_campaign(campaign_id: str) -> Problem:
    return Problem("campaign_id", f"no campaign {campaign_id!r} in this workspace")


def _table_columns(ctx: Ctx, state: WizardState) -> Flow[list[Column] | None]:
    """The table's columns, or ``None`` when the store has no such table."""
    try:
        return (yield from blocking(ctx.tables.columns, state.table_id))
    except RecordNotFound:
        return None


def _table_problems(state: WizardState, columns: Sequence[Column] | None) -> list[Problem]:
    if columns is None:
        return [Problem("table_id", f"no table {state.table_id!r}: create it first")]
    if not _plain_columns(columns):
        return [Problem("table_id", f"table {state.table_id!r} has no columns to push from")]
    return []


def _connect(ctx: Ctx, state: WizardState, answer: ConnectAnswer) -> Flow[WizardState]:
    cred = state.credential_id
    columns = yield from _table_columns(ctx, state)
    problems = _table_problems(state, columns)
    if problems:  # before the key is stored: a wizard that cannot finish writes nothing
        return state.with_problems(problems)
    if answer.api_key is not None:
        secret = answer.api_key.get_secret_value().strip()
        if not secret:
            return state.with_problems([Problem("api_key", "enter an API key")])
        key = ApiKey(secret)
        try:
            check = yield from ctx.core(key).check_key()
        except ApiError as exc:
            return state.with_problems([_api_problem("api_key", exc)])
        yield from blocking(ctx.credentials.set_key, cred, key)
    else:
        # The stored key, else the service's own (``api_key=``, ``INSTANTLY_API_KEY``): checked,
        # never stored, so the environment stays where that key lives.
        stored = yield from blocking(ctx.credentials.get_key, cred)
        key_in_use = stored if stored is not None else ctx.fallback_key
        if key_in_use is None:
            return state.with_problems([Problem("api_key", "no key is stored: enter one")])
        try:
            check = yield from ctx.core(key_in_use).check_key()
        except ApiError as exc:
            whose = "stored key" if stored is not None else "service's key (INSTANTLY_API_KEY)"
            return state.with_problems(
                [_api_problem("api_key", exc)],
                message=f"The {whose} does not work: connect a new one.",
            )
    return state.moved("campaign", workspace_name=check.workspace_name)


def _schedule(new: NewCampaign) -> dict[str, Any]:
    """The campaign_schedule JSON of a new campaign (raises ``ConfigError``)."""
    spec = new.schedule.model_dump() if new.schedule else dict(DEFAULT_SCHEDULE)
    return build_schedule(name="Default", **spec).to_api()


def _campaign(ctx: Ctx, state: WizardState, answer: CampaignAnswer) -> Flow[WizardState]:
    columns = yield from _table_columns(ctx, state)
    problems = _table_problems(state, columns)
    if problems:
        return state.with_problems(problems)
    if (answer.campaign_id is None) == (answer.create is None):
        return state.with_problems(
            [Problem("campaign_id", "pick a campaign or give a name to create one (not both)")]
        )
    try:
        core = yield from api_for(ctx, state.credential_id)
        if answer.campaign_id is not None:
            try:
                campaign = yield from campaign_or_not_found(core, answer.campaign_id)
            except NotFound:
                return state.with_problems([_no_campaign(answer.campaign_id)])
            taken = _linked_by(columns or [], campaign.id)
            if taken is not None:
                return state.with_problems(
                    [
                        Problem(
                            "campaign_id",
                            f"this table already links campaign {campaign.id!r} (column {taken!r})",
                        )
                    ]
                )
            return state.moved(
                "sequence",
                campaign_id=campaign.id,
                campaign_name=campaign.name or "",
                campaign_created=False,
                new_campaign=None,
            )
        assert answer.create is not None
        try:
            _schedule(answer.create)
        except ConfigError as exc:
            return state.with_problems(nest_problems("create.schedule", exc.problems))
        # Nothing is created yet (that waits for the last step); the key must still work.
        yield from core.check_key()
    except ConfigError as exc:
        # The core names the argument it refused ("campaign_id"): that is the answer's field.
        return state.with_problems(
            [
                p if p.path.split(".")[0] == "campaign_id" else nest_problems("campaign_id", [p])[0]
                for p in exc.problems
            ]
        )
    except MissingApiKey as exc:
        return _reconnect(state, exc)
    except ApiError as exc:
        if isinstance(exc, Unauthorized):
            return _reconnect(state, exc)
        return state.with_problems([_api_problem("campaign_id", exc)])
    return state.moved(
        "sequence",
        campaign_id=None,
        campaign_name=answer.create.name,
        campaign_created=False,
        new_campaign=answer.create,
    )


def _linked_by(columns: Sequence[Column], campaign_id: str) -> str | None:
    """The id of the column that already links this campaign in the table, if any."""
    for col in columns:
        if isinstance(col.config, CampaignConfig) and col.config.campaign_id == campaign_id:
            return col.id
    return None


def _plain_columns(columns: Sequence[Column]) -> list[Column]:
    return [c for c in columns if c.type != INSTANTLY_COLUMN_TYPE]


def _chosen(state: WizardState) -> WizardState | None:
    """The state sent back to the campaign step when no campaign is chosen, else ``None``."""
    if state.campaign_id is None and state.new_campaign is None:
        return state.moved("campaign").with_problems([Problem("campaign_id", "pick a campaign")])
    return None


def _sequence(ctx: Ctx, state: WizardState, answer: SequenceAnswer) -> Flow[WizardState]:
    columns = yield from _table_columns(ctx, state)
    problems = _table_problems(state, columns)
    if problems or columns is None:
        return state.with_problems(problems)
    back_to_campaign = _chosen(state)
    if back_to_campaign is not None:
        return back_to_campaign
    plain = {c.id for c in _plain_columns(columns)}
    changes: dict[str, Any] = {
        "sequence_mode": answer.mode,
        "bindings": {},
        "step_count": None,
        "step_columns": {},
        "scaffold_steps": False,
    }
    if answer.mode in ("use_existing", "map_variables"):
        steps: list[Step] = []
        if state.campaign_id is not None:  # a campaign still to be created has no steps
            try:
                core = yield from api_for(ctx, state.credential_id)
                campaign = yield from campaign_or_not_found(core, state.campaign_id)
                steps = parse_steps(campaign.sequences or [])
            except NotFound:
                return state.moved("campaign").with_problems([_no_campaign(state.campaign_id)])
            except MissingApiKey as exc:
                return _reconnect(state, exc)
            except (ApiError, ConfigError) as exc:
                if isinstance(exc, Unauthorized):
                    return _reconnect(state, exc)
                return state.with_problems(
                    [Problem("mode", f"cannot read the campaign's steps: {exc}")]
                )
        if not steps and not answer.confirm_no_steps:
            problems.append(
                Problem(
                    "mode",
                    f"campaign {state.campaign_name or state.campaign_id!r} has no steps, so it "
                    "would never send: choose author_steps, add the steps in Instantly first, "
                    "or confirm with confirm_no_steps=True",
                )
            )
        if answer.mode == "map_variables":
            variables = used_variables(steps)
            custom = [v for v in variables if classify_variable(v) == "custom"]
            for name in custom:
                column = answer.bindings.get(name)
                if column is None:
                    problems.append(Problem(f"bindings.{name}", "bind this variable to a column"))
                elif column not in plain:
                    problems.append(Problem(f"bindings.{name}", f"no column {column!r}"))
            for name in sorted(set(answer.bindings) - set(custom)):
                problems.append(
                    Problem(f"bindings.{name}", "the campaign does not use this variable")
                )
            changes["bindings"] = dict(answer.bindings)
    elif answer.mode == "author_steps":
        if answer.steps is None:
            problems.append(Problem("steps", "how many steps?"))
        elif not answer.scaffold:
            problems += _step_column_problems(answer.steps, answer.step_columns, plain)
        changes.update(
            step_count=answer.steps,
            step_columns=dict(answer.step_columns),
            scaffold_steps=answer.scaffold,
            delay_days=answer.delay_days,
        )
    if problems:
        return state.with_problems(problems)
    return state.moved("mapping", **changes)


def _step_column_problems(
    count: int, step_columns: Mapping[str, str], plain: Collection[str]
) -> list[Problem]:
    """Every step has an existing, plain column for its subject and one for its body, no
    column serves twice, and no key names a step the sequence does not have."""
    problems = []
    for number in range(1, count + 1):
        for field in ("subject", "body"):
            column = step_columns.get(step_key(number, field))
            if column is None or column not in plain:
                problems.append(
                    Problem(f"step_columns.{step_key(number, field)}", "pick an existing column")
                )
    for key in step_columns:
        parsed = parse_step_key(key)
        if parsed is None or parsed[0] > count:
            problems.append(Problem(f"step_columns.{key}", "not a step of this sequence"))
    seen: dict[str, str] = {}
    for key, column in sorted(step_columns.items()):
        if column in seen:
            problems.append(
                Problem(
                    f"step_columns.{key}", f"column {column!r} already holds step {seen[column]}"
                )
            )
        seen.setdefault(column, key)
    return problems


def detect_for_table(
    columns: Sequence[Column], rows: Sequence[Row], exclude: Collection[str] = ()
) -> tuple[dict[str, Any], FieldMapping]:
    """Detect a field mapping over the table's plain columns, from their names and the
    sample rows. Both results are in column ids: the flat dict (lead field or
    ``custom_variables`` -> column id) and the ``FieldMapping`` with its decisions."""
    plain = [c for c in _plain_columns(columns) if c.id not in exclude]
    by_name: dict[str, str] = {}
    headers: list[str] = []
    for col in plain:
        header = col.name if col.name not in by_name else f"{col.name} ({col.id})"
        by_name[header] = col.id
        headers.append(header)
    samples = [{h: r.cells.get(by_name[h]) for h in headers} for r in rows]
    detected = detect_field_mapping(headers, samples or None)
    flat = detected.to_dict()
    ids: dict[str, Any] = {}
    for field, value in flat.items():
        if field == "custom_variables" and isinstance(value, dict):
            ids["custom_variables"] = {k: by_name[v] for k, v in value.items()}
        elif isinstance(value, str) and value in by_name:
            ids[field] = by_name[value]
    return ids, detected.renamed(by_name)


#: The campaign id the plan is checked with before a new campaign exists.
_PENDING = "(new campaign)"
#: The link id the plan is checked with at the mapping step.
_PREVIEW_LINK = "wizard-preview"


def _mapping(ctx: Ctx, state: WizardState, answer: MappingAnswer) -> Flow[WizardState]:
    columns = yield from _table_columns(ctx, state)
    problems = _table_problems(state, columns)
    if problems or columns is None:
        return state.with_problems(problems)
    # An answer built with model_construct() skips validation: check its keys again.
    problems = override_problems(answer.overrides)
    if problems:
        return state.with_problems(problems)
    rows = yield from blocking(ctx.tables.rows, state.table_id, limit=SAMPLE_ROWS)
    step_ids = set(state.step_columns.values())
    detected, _ = detect_for_table(columns, rows, exclude=step_ids)
    merged = merge_overrides(detected, answer.overrides)
    plain = {c.id for c in _plain_columns(columns)}
    problems = [
        Problem(f"overrides.{key}", f"no column {column!r}")
        for key, column in answer.overrides.items()
        if column is not None and column not in plain
    ]
    if not merged.get("email"):
        problems.append(Problem("overrides.email", "map a column to email (none was detected)"))
    try:
        FieldMappingConfig.model_validate(merged)
    except ValidationError as exc:
        problems += problems_from_validation(exc, "overrides")
    if problems:
        return state.with_problems(problems)
    if state.sequence_mode == "map_variables":
        # Campaign variables bound in the sequence step travel as custom variables.
        merged["custom_variables"] = {**merged["custom_variables"], **state.bindings}
    review = state.moved("review", field_mapping=merged)
    # The table as the last step would leave it, checked now so the user fixes it here.
    planned = _plan(review, columns, CreateAnswer(), _PREVIEW_LINK, state.campaign_id or _PENDING)
    if isinstance(planned, WizardState):
        return planned
    problems = _as_mapping_problems(validate_table(_final(columns, planned)), _PREVIEW_LINK)
    if problems:
        return state.with_problems(problems)
    return review


def _as_mapping_problems(problems: list[Problem], link_id: str) -> list[Problem]:
    """Table problems of the planned link's mapping, in the answer's terms (``overrides.x``)."""
    prefix = f"columns[{link_id}].integration_config.field_mapping."
    return [
        Problem("overrides." + p.path[len(prefix) :], p.message) if p.path.startswith(prefix) else p
        for p in problems
    ]


def _final(columns: Sequence[Column], new: Sequence[Column]) -> list[Column]:
    replaced = {n.id for n in new}
    return [*(c for c in columns if c.id not in replaced), *new]


def _plan(
    state: WizardState,
    columns: Sequence[Column],
    answer: CreateAnswer,
    link_id: str,
    campaign_id: str,
) -> list[Column] | WizardState:
    """The columns the wizard adds (or turns into step columns), or the state sent back to
    the step whose answer no longer fits the table."""
    try:
        field_mapping = FieldMappingConfig.model_validate(state.field_mapping or {})
    except ValidationError:
        return state.moved("mapping").with_problems(
            [Problem("field_mapping", "the saved mapping is not valid: map the fields again")]
        )
    assert state.sequence_mode is not None
    config = CampaignConfig(
        instantly_subtype="campaign_config",
        campaign_id=campaign_id,
        campaign_name=state.campaign_name or "",
        sequence_mode=state.sequence_mode,
        field_mapping=field_mapping,
    )
    new: list[Column] = [
        Column(
            id=link_id,
            key=column_key(link_id, "campaign_config"),
            name=state.campaign_name or "Instantly campaign",
            type=INSTANTLY_COLUMN_TYPE,
            config=config,
        )
    ]
    if answer.push_column:
        new.append(
            Column(
                id=push_column_id(link_id),
                key=column_key(link_id, "push_action"),
                name=f"Push · {config.display_name}",
                type=INSTANTLY_COLUMN_TYPE,
                config=PushActionConfig(
                    instantly_subtype="push_action",
                    push_config=PushConfig(campaign_id=campaign_id, auto_field_mapping=True),
                ),
            )
        )
    if answer.engagement_columns:
        new += [engagement_column(link_id, config, s) for s in ENGAGEMENT_SUBTYPES]
    by_id = {c.id: c for c in columns}
    if state.sequence_mode == "author_steps" and state.step_count:
        if state.scaffold_steps:
            for spec in scaffold_step_columns(state.step_count):
                new.append(
                    Column(
                        id=step_column_id(link_id, spec.step_number, spec.field),
                        key=column_key(
                            link_id, "sequence_step", step_number=spec.step_number, field=spec.field
                        ),
                        name=spec.name,
                        type=INSTANTLY_COLUMN_TYPE,
                        config=_step_config(campaign_id, spec.step_number, spec.field),
                    )
                )
        else:
            # Columns an earlier, failed attempt of this link turned into step columns count.
            plain = {c.id for c in _plain_columns(columns)} | {
                c.id
                for c in columns
                if isinstance(c.config, SequenceStepConfig) and c.config.campaign_id == campaign_id
            }
            problems = _step_column_problems(state.step_count, state.step_columns, plain)
            if problems:
                return state.moved("sequence").with_problems(
                    [Problem(p.path, "pick an existing column again") for p in problems]
                )
            for key, column_id in sorted(state.step_columns.items()):
                parsed = parse_step_key(key)
                assert parsed is not None
                new.append(
                    by_id[column_id].model_copy(
                        update={
                            "type": INSTANTLY_COLUMN_TYPE,
                            "config": _step_config(campaign_id, *parsed),
                        }
                    )
                )
    return new


def _create(ctx: Ctx, state: WizardState, answer: CreateAnswer) -> Flow[WizardState]:
    # A state restored from a session may have been edited: check what earlier steps left,
    # then the whole plan, before the first write.
    back_to_campaign = _chosen(state)
    if back_to_campaign is not None:
        return back_to_campaign
    if state.sequence_mode is None:
        return state.moved("sequence").with_problems([Problem("mode", "pick a sequence mode")])
    new_spec = state.new_campaign if state.campaign_id is None else None
    schedule: dict[str, Any] | None = None
    if new_spec is not None:
        try:
            schedule = _schedule(new_spec)
        except ConfigError as exc:
            return state.moved("campaign").with_problems(
                nest_problems("create.schedule", exc.problems)
            )
    columns = yield from _table_columns(ctx, state)
    problems = _table_problems(state, columns)
    if problems or columns is None:
        return state.with_problems(problems)
    # A retry after a failed save reuses the link id, so columns saved then are replaced.
    link_id = state.link_id or new_link_id(ctx.new_id())
    planned = _plan(state, columns, answer, link_id, state.campaign_id or _PENDING)
    if isinstance(planned, WizardState):
        return planned
    problems = validate_table(_final(columns, planned))
    if problems:
        return state.moved("mapping").with_problems(problems)

    # Every check passed. The writes, in order: the campaign, the columns, the link, the
    # sequence template.
    campaign_id = state.campaign_id
    campaign_name = state.campaign_name
    notes: list[str] = []
    try:
        core = yield from api_for(ctx, state.credential_id)
        if new_spec is not None:
            campaign = yield from core.create_campaign(new_spec.name, schedule=schedule)
            campaign_id, campaign_name = campaign.id, campaign.name or new_spec.name
            if state.sequence_mode != "author_steps":
                notes.append(
                    f"created campaign {campaign_name!r} without steps: add them in Instantly "
                    "before it can send"
                )
    except MissingApiKey as exc:
        return _reconnect(state, exc)
    except ApiError as exc:
        if isinstance(exc, Unauthorized):
            return _reconnect(state, exc)
        return state.with_problems(
            [_api_problem("create", exc)],
            message="Instantly did not create the campaign; nothing was written.",
        )
    assert campaign_id is not None
    created = new_spec is not None
    state = state.model_copy(
        update={
            "campaign_id": campaign_id,
            "campaign_name": campaign_name,
            "campaign_created": state.campaign_created or created,
            "new_campaign": None,
        }
    )
    if created:
        planned = _plan(state, columns, answer, link_id, campaign_id)
        assert not isinstance(planned, WizardState)  # checked above; only the id changed
    link_column = planned[0]
    config = link_column.config
    assert isinstance(config, CampaignConfig)
    record = CampaignLink(
        id=link_id,
        table_id=state.table_id,
        campaign_id=config.campaign_id,
        campaign_name=config.campaign_name or "",
        sequence_mode=config.sequence_mode,
        field_mapping=config.field_mapping.model_dump(mode="json", exclude_defaults=True),
        credential_id=state.credential_id,
        created_at=ctx.clock.now(),
        updated_at=ctx.clock.now(),
    )
    try:
        yield from blocking(_save, ctx, state.table_id, planned, record)
    except StoreError as exc:
        if not created:
            raise
        # The campaign exists now: keep it in the state, so that answering again reuses it
        # instead of creating a second one; and the link id, so that columns a store without
        # transactions saved before failing are replaced, not doubled.
        return state.model_copy(update={"link_id": link_id}).with_problems(
            [
                Problem(
                    "review",
                    f"campaign {campaign_name!r} was created, but the columns could not be "
                    f"saved ({exc}): answer again to retry with the same campaign",
                )
            ]
        )
    if state.sequence_mode == "author_steps" and state.step_count:
        template = author_sequence(state.step_count, delays=state.delay_days)
        try:
            yield from core.replace_sequences(config.campaign_id, template)
            notes.append(
                f"wrote a {state.step_count}-step template to the campaign; each lead "
                "carries its row's copy"
            )
        except ApiError as exc:
            notes.append(
                "Instantly rejected the sequence template, so the campaign and the columns were "
                f"created without it: add the steps in Instantly ({exc})"
            )
    return state.moved(
        "done", created_columns=[c.id for c in planned], link_id=link_id, notes=notes
    )


def _save(ctx: Ctx, table_id: str, columns: Sequence[Column], record: CampaignLink) -> None:
    """The columns and the link together: one transaction where the stores share one."""
    with ctx.atomic() or contextlib.nullcontext():
        ctx.tables.save_columns(table_id, columns)
        ctx.links.save_link(record)


def _step_config(campaign_id: str, number: int, field: str) -> SequenceStepConfig:
    return SequenceStepConfig(
        instantly_subtype="sequence_step",
        campaign_id=campaign_id,
        step_config=StepConfig(step_number=number, field=field),
    )


def view_flow(
    ctx: Ctx,
    state: WizardState,
    *,
    search: str | None = None,
    bindings: Mapping[str, str] | None = None,
) -> Flow[WizardView]:
    """The data the current step shows (see ``WizardView``)."""
    if state.step == "connection":
        stored = yield from blocking(ctx.credentials.get_key, state.credential_id)
        if stored is not None:
            return WizardView(state.step, connected=True, key_source="stored")
        if ctx.fallback_key is not None:
            return WizardView(state.step, connected=True, key_source="service")
        return WizardView(state.step)
    if state.step == "campaign":
        core = yield from api_for(ctx, state.credential_id)
        found = yield from core.list_campaigns(search=search)
        choices = []
        for campaign in found:
            badge = campaign_status_badge(campaign.status)
            choices.append(
                CampaignChoice(
                    id=campaign.id,
                    name=campaign.name or "",
                    status=campaign.status if isinstance(campaign.status, int) else None,
                    label=badge.label,
                    tone=badge.tone,
                )
            )
        return WizardView(state.step, connected=True, campaigns=tuple(choices))
    if state.step == "sequence" and state.campaign_id:
        core = yield from api_for(ctx, state.credential_id)
        campaign = yield from campaign_or_not_found(core, state.campaign_id)
        steps = parse_steps(campaign.sequences or [])
        variables = campaign_variables(campaign.sequences or [])
        columns = yield from blocking(ctx.tables.columns, state.table_id)
        rows = yield from blocking(ctx.tables.rows, state.table_id, limit=3)
        detected, _ = detect_for_table(columns, rows)
        fields = {k: v for k, v in detected.items() if isinstance(v, str)}
        chosen = {**core_bindings(fields, variables), **(bindings or state.bindings)}
        shown = preview(steps, chosen, [r.cells for r in rows]) if steps else []
        return WizardView(
            state.step,
            connected=True,
            steps=tuple(steps),
            variables=variables,
            preview=tuple(shown),
        )
    if state.step == "mapping":
        columns = yield from blocking(ctx.tables.columns, state.table_id)
        rows = yield from blocking(ctx.tables.rows, state.table_id, limit=SAMPLE_ROWS)
        _, mapping = detect_for_table(columns, rows, exclude=set(state.step_columns.values()))
        return WizardView(state.step, connected=True, mapping=mapping)
    return WizardView(state.step, connected=True)
