"""The wizard's I/O, as a flow: one ``advance(state, answer)`` step at a time."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from instantly_columns.domain.columns import (
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
from instantly_columns.domain.engagement import ENGAGEMENT_FIELD_BY_SUBTYPE
from instantly_columns.domain.ids import new_link_id, push_column_id, step_column_id
from instantly_columns.domain.mapping import FieldMapping, detect_field_mapping
from instantly_columns.domain.problems import nest_problems, problems_from_validation
from instantly_columns.domain.sequences import (
    author_sequence,
    build_schedule,
    campaign_variables,
    classify_variable,
    core_bindings,
    parse_steps,
    preview,
    scaffold_step_columns,
)
from instantly_columns.domain.summary import campaign_status_badge
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    CampaignChoice,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
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
from instantly_columns.errors import ApiError, ConfigError, Problem, Unauthorized
from instantly_columns.ports import ApiKey, CampaignLink
from instantly_columns.service._context import Ctx, api_for, engagement_column

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


def _connect(ctx: Ctx, state: WizardState, answer: ConnectAnswer) -> Flow[WizardState]:
    cred = state.credential_id
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
        stored = yield from blocking(ctx.credentials.get_key, cred)
        if stored is None:
            return state.with_problems([Problem("api_key", "no key is stored: enter one")])
        try:
            check = yield from ctx.core(stored).check_key()
        except ApiError as exc:
            return state.with_problems(
                [_api_problem("api_key", exc)],
                message="The stored key no longer works: connect a new one.",
            )
    return state.moved("campaign", workspace_name=check.workspace_name)


def _campaign(ctx: Ctx, state: WizardState, answer: CampaignAnswer) -> Flow[WizardState]:
    cred = state.credential_id
    if (answer.campaign_id is None) == (answer.create is None):
        return state.with_problems(
            [Problem("campaign_id", "pick a campaign or give a name to create one (not both)")]
        )
    try:
        core = yield from api_for(ctx, cred)
        if answer.campaign_id is not None:
            campaign = yield from core.get_campaign(answer.campaign_id)
            created = False
        else:
            assert answer.create is not None
            spec = (
                answer.create.schedule.model_dump()
                if answer.create.schedule
                else dict(DEFAULT_SCHEDULE)
            )
            try:
                schedule = build_schedule(name="Default", **spec)
            except ConfigError as exc:
                return state.with_problems(nest_problems("create.schedule", exc.problems))
            campaign = yield from core.create_campaign(
                answer.create.name, schedule=schedule.to_api()
            )
            created = True
    except ApiError as exc:
        if isinstance(exc, Unauthorized):
            return state.moved("connection").with_problems(
                [_api_problem("api_key", exc)], message="The key stopped working: connect again."
            )
        return state.with_problems([_api_problem("campaign_id", exc)])
    return state.moved(
        "sequence",
        campaign_id=campaign.id,
        campaign_name=campaign.name or "",
        campaign_created=created,
    )


def _campaign_id(state: WizardState) -> str:
    if state.campaign_id is None:
        raise ConfigError("pick a campaign first", path="campaign_id")
    return state.campaign_id


def _plain_columns(columns: Sequence[Column]) -> list[Column]:
    return [c for c in columns if c.type != INSTANTLY_COLUMN_TYPE]


def _sequence(ctx: Ctx, state: WizardState, answer: SequenceAnswer) -> Flow[WizardState]:
    columns = yield from blocking(ctx.tables.columns, state.table_id)
    plain = {c.id for c in _plain_columns(columns)}
    problems: list[Problem] = []
    changes: dict[str, Any] = {
        "sequence_mode": answer.mode,
        "bindings": {},
        "step_count": None,
        "step_columns": {},
        "scaffold_steps": False,
    }
    if answer.mode == "map_variables":
        try:
            core = yield from api_for(ctx, state.credential_id)
            campaign = yield from core.get_campaign(_campaign_id(state))
            variables = campaign_variables(campaign.sequences or [])
        except (ApiError, ConfigError) as exc:
            return state.with_problems(
                [Problem("mode", f"cannot read the campaign's steps: {exc}")]
            )
        custom = [v for v in variables if classify_variable(v) == "custom"]
        for name in custom:
            column = answer.bindings.get(name)
            if column is None:
                problems.append(Problem(f"bindings.{name}", "bind this variable to a column"))
            elif column not in plain:
                problems.append(Problem(f"bindings.{name}", f"no column {column!r}"))
        for name in sorted(set(answer.bindings) - set(custom)):
            problems.append(Problem(f"bindings.{name}", "the campaign does not use this variable"))
        changes["bindings"] = dict(answer.bindings)
    elif answer.mode == "author_steps":
        if answer.steps is None:
            problems.append(Problem("steps", "how many steps?"))
        elif not answer.scaffold:
            for number in range(1, answer.steps + 1):
                for field in ("subject", "body"):
                    column = answer.step_columns.get(step_key(number, field))
                    if column is None or column not in plain:
                        problems.append(
                            Problem(
                                f"step_columns.{step_key(number, field)}", "pick an existing column"
                            )
                        )
            for key in answer.step_columns:
                parsed = parse_step_key(key)
                if parsed is None or parsed[0] > answer.steps:
                    problems.append(Problem(f"step_columns.{key}", "not a step of this sequence"))
        changes.update(
            step_count=answer.steps,
            step_columns=dict(answer.step_columns),
            scaffold_steps=answer.scaffold,
            delay_days=answer.delay_days,
        )
    if problems:
        return state.with_problems(problems)
    return state.moved("mapping", **changes)


def detect_for_table(
    columns: Sequence[Column], rows: Sequence[Row], exclude: Collection[str] = ()
) -> tuple[dict[str, Any], FieldMapping]:
    """Detect a field mapping over the table's plain columns; values are column ids."""
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
    return ids, detected


def _mapping(ctx: Ctx, state: WizardState, answer: MappingAnswer) -> Flow[WizardState]:
    # An answer built with model_construct() skips validation: check its keys again.
    problems = override_problems(answer.overrides)
    if problems:
        return state.with_problems(problems)
    columns = yield from blocking(ctx.tables.columns, state.table_id)
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
    return state.moved("review", field_mapping=merged)


def _create(ctx: Ctx, state: WizardState, answer: CreateAnswer) -> Flow[WizardState]:
    # A state restored from a session may have been edited: check what earlier steps left.
    if state.campaign_id is None:
        return state.moved("campaign").with_problems([Problem("campaign_id", "pick a campaign")])
    if state.sequence_mode is None:
        return state.moved("sequence").with_problems([Problem("mode", "pick a sequence mode")])
    try:
        field_mapping = FieldMappingConfig.model_validate(state.field_mapping or {})
    except ValidationError:
        return state.moved("mapping").with_problems(
            [Problem("field_mapping", "the saved mapping is not valid: map the fields again")]
        )
    columns = yield from blocking(ctx.tables.columns, state.table_id)
    link_id = new_link_id(ctx.new_id())
    config = CampaignConfig(
        instantly_subtype="campaign_config",
        campaign_id=state.campaign_id,
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
                    push_config=PushConfig(campaign_id=config.campaign_id, auto_field_mapping=True),
                ),
            )
        )
    if answer.engagement_columns:
        new += [engagement_column(link_id, config, s) for s in ENGAGEMENT_FIELD_BY_SUBTYPE]
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
                        config=_step_config(config.campaign_id, spec.step_number, spec.field),
                    )
                )
        else:
            for key, column_id in sorted(state.step_columns.items()):
                parsed = parse_step_key(key)
                old = by_id.get(column_id)
                if parsed is None or old is None:
                    return state.moved("sequence").with_problems(
                        [Problem(f"step_columns.{key}", "pick an existing column again")]
                    )
                new.append(
                    old.model_copy(
                        update={
                            "type": INSTANTLY_COLUMN_TYPE,
                            "config": _step_config(config.campaign_id, *parsed),
                        }
                    )
                )
    final = [*(c for c in columns if c.id not in {n.id for n in new}), *new]
    problems = validate_table(final)
    if problems:
        return state.moved("mapping").with_problems(problems)
    yield from blocking(ctx.tables.save_columns, state.table_id, new)
    yield from blocking(
        ctx.links.save_link,
        CampaignLink(
            id=link_id,
            table_id=state.table_id,
            campaign_id=config.campaign_id,
            campaign_name=config.campaign_name or "",
            sequence_mode=config.sequence_mode,
            field_mapping=config.field_mapping.model_dump(mode="json", exclude_defaults=True),
            credential_id=state.credential_id,
            created_at=ctx.clock.now(),
            updated_at=ctx.clock.now(),
        ),
    )
    notes: list[str] = []
    if state.sequence_mode == "author_steps" and state.step_count:
        template = author_sequence(state.step_count, delays=state.delay_days)
        try:
            core = yield from api_for(ctx, state.credential_id)
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
    return state.moved("done", created_columns=[c.id for c in new], link_id=link_id, notes=notes)


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
        return WizardView(state.step, connected=stored is not None)
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
        campaign = yield from core.get_campaign(state.campaign_id)
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
