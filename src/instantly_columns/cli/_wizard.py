"""``connect``, ``campaigns`` and ``link``: a key, the campaigns, and the add-column wizard.

``link`` asks in a terminal (prompts, the campaign's steps, the three-row preview, the
detected mapping) and takes the same answers from flags or an ``--answers`` JSON file when
scripted. Columns are named by their header or their id.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError
from rich.markup import escape

from instantly_columns.cli._app import app, db_option, fake_option, handled, table_option
from instantly_columns.cli._output import TONES, Output, styled
from instantly_columns.cli._session import Failure, Session, open_session, shown
from instantly_columns.domain.columns import INSTANTLY_COLUMN_TYPE, Column
from instantly_columns.domain.problems import nest_problems, problems_from_validation
from instantly_columns.domain.sequences import classify_variable
from instantly_columns.domain.wizard import (
    CampaignAnswer,
    ConnectAnswer,
    CreateAnswer,
    MappingAnswer,
    SequenceAnswer,
    WizardAnswer,
    WizardState,
    WizardView,
)
from instantly_columns.errors import ConfigError, Problem, RecordNotFound

__all__ = ["campaigns_command", "connect_command", "link_command"]

KEY_ENV = "INSTANTLY_API_KEY"
_SECTIONS = ("campaign", "sequence", "mapping", "review")
_MODES = ("use_existing", "map_variables", "author_steps")
M = TypeVar("M", bound=BaseModel)


def _prompt(text: str, **kwargs: Any) -> Any:
    """Ask on stderr, so stdout holds only results."""
    return click.prompt(text, err=True, **kwargs)


def _confirm(text: str, **kwargs: Any) -> bool:
    return click.confirm(text, err=True, **kwargs)


def _prompt_key() -> str:
    try:
        return str(_prompt("Instantly API key", hide_input=True)).strip()
    except click.Abort:
        raise Failure(f"no API key given: set {KEY_ENV} or type it at the prompt") from None


def _fingerprint(session: Session) -> str | None:
    key = session.store.get_key(session.credential)
    return key.fingerprint if key is not None else None


@app.command("connect")
@db_option
@fake_option
@handled
def connect_command(out: Output, db: str, fake: bool) -> int:
    """Check an API key with Instantly and store it in the database.

    The key comes from INSTANTLY_API_KEY or a hidden prompt, and is never printed. Set
    INSTANTLY_COLUMNS_ENCRYPTION_KEY to encrypt it at rest.
    """
    with open_session(db, fake=fake) as session:
        if session.fake is not None:
            workspace = session.connect_fake()
        else:
            key = os.environ.get(KEY_ENV, "").strip() or _prompt_key()
            workspace = dict(session.service.connect(key, credential=session.credential))
        fingerprint = _fingerprint(session)
    out.data({"workspace": workspace, "credential": session.credential, "key": fingerprint})
    out.say(
        f"Connected to workspace [bold]{escape(str(workspace.get('name')))}[/]. "
        f"The key (fingerprint {fingerprint}) is stored in {escape(shown(db))}."
    )
    return 0


def _badge(label: str, tone: str) -> Any:
    return styled(label, f"bold {TONES.get(tone, '')}")


def _show_campaigns(out: Output, view: WizardView, *, numbered: bool = False) -> None:
    rows = [
        ([str(n)] if numbered else []) + [c.name, _badge(c.label, c.tone), c.id]
        for n, c in enumerate(view.campaigns, 1)
    ]
    out.table([*(["#"] if numbered else []), "campaign", "status", "id"], rows)


@app.command("campaigns")
@click.option("--search", default=None, help="Only campaigns whose name contains this.")
@db_option
@fake_option
@handled
def campaigns_command(out: Output, search: str | None, db: str, fake: bool) -> int:
    """List the workspace's campaigns with their status badges."""
    with open_session(db, fake=fake) as session:
        state = WizardState(table_id="-", step="campaign", credential_id=session.credential)
        view = session.service.wizard_view(state, search=search)
    out.data({"campaigns": view.campaigns})
    if not view.campaigns:
        out.say("No campaigns" + (f" match {escape(search)!r}." if search else "."))
        return 0
    _show_campaigns(out, view)
    return 0


# --- link: answers from flags, a file, or prompts -------------------------------------------


def _pairs(values: Sequence[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, column = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected NAME=COLUMN, got {value!r}", param_hint=option)
        out[key.strip()] = column.strip()
    return out


def _load_answers(path: str | None) -> dict[str, dict[str, Any]]:
    if path is None:
        return {}
    with open(path, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except ValueError as exc:
            raise Failure(f"{path}: not JSON ({exc})", code=2) from None
    if not isinstance(data, dict) or not set(data) <= set(_SECTIONS):
        raise Failure(f"{path}: expected an object with keys among {', '.join(_SECTIONS)}", code=2)
    for section, value in data.items():
        if not isinstance(value, dict):
            raise Failure(f"{path}: {section!r} must be an object", code=2)
    return {k: dict(v) for k, v in data.items()}


def _column_id(columns: Sequence[Column], ref: str) -> str:
    """A column named by id or header (exact, then ignoring case and spaces)."""
    plain = [c for c in columns if c.type != INSTANTLY_COLUMN_TYPE]
    loose = ref.strip().casefold()
    for found in (
        [c for c in plain if c.id == ref],
        [c for c in plain if c.name == ref],
        [c for c in plain if c.name.strip().casefold() == loose],
    ):
        if found:
            return found[0].id
    names = ", ".join(c.name for c in plain)
    raise Failure(f"no column {ref!r} in this table (columns: {names})", code=2)


def _resolved(columns: Sequence[Column], refs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _column_id(columns, v) if isinstance(v, str) else v for k, v in refs.items()}


def _answer(model: type[M], data: Mapping[str, Any], section: str) -> M:
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(exc, section)) from None
    except ConfigError as exc:  # the wizard's answers raise it themselves, with paths
        raise ConfigError(nest_problems(section, exc.problems)) from None


class _Wizard:
    """Walks a `WizardState` to ``done``: scripted answers first, prompts for the rest."""

    def __init__(
        self,
        out: Output,
        session: Session,
        table: str,
        answers: Mapping[str, Mapping[str, Any]],
        interactive: bool,
    ) -> None:
        self.out = out
        self.session = session
        self.service = session.service
        self.answers = answers
        self.interactive = interactive
        try:
            self.columns = session.store.columns(table)
        except RecordNotFound:
            raise Failure(
                f"no table {table!r} in {shown(session.db)}",
                hint="import a CSV first: instantly-columns import FILE",
            ) from None
        self.state = self.service.start_wizard(table, credential=session.credential)

    def run(self) -> WizardState:
        while self.state.step != "done":
            step = self.state.step
            scripted = step == "connection" or step in self.answers or not self.interactive
            answer = self._scripted(step) if scripted else self._ask(step)
            state = self.service.wizard_advance(self.state, answer)
            if state.problems:
                problems = [Problem(p.path, p.message) for p in state.problems]
                if step == "connection" and (not self.interactive or self.session.fake):
                    raise Failure(
                        f"no working API key: {'; '.join(p.message for p in problems)}",
                        hint="connect one: instantly-columns connect (or try it all with --fake)",
                    )
                if not self.interactive or step in self.answers:
                    raise ConfigError(problems)
                self.out.errors.print(f"[red]{escape(state.message or 'Please check:')}[/]")
                for problem in problems:
                    self.out.errors.print(f"  [red]•[/] {escape(str(problem))}")
                if step == "connection":
                    state = self._connect_with_prompt(state)
            self.state = state
        return self.state

    # -- scripted -------------------------------------------------------------------------

    def _scripted(self, step: str) -> WizardAnswer:
        given = self.answers.get(step, {})
        if step == "connection":
            return self._connect_answer()
        if step == "campaign":
            if not given:
                raise Failure(
                    "which campaign? pass --campaign NAME_OR_ID or --create NAME, or --answers",
                    hint="list them: instantly-columns campaigns",
                    code=2,
                )
            answer: WizardAnswer = _answer(CampaignAnswer, self._by_name(given), "campaign")
        elif step == "sequence":
            data = {"mode": "use_existing", **given}
            data["bindings"] = _resolved(self.columns, data.get("bindings", {}))
            data["step_columns"] = _resolved(self.columns, data.get("step_columns", {}))
            if data["step_columns"]:
                data.setdefault("scaffold", False)
            sequence = _answer(SequenceAnswer, data, "sequence")
            self._preview(sequence)
            answer = sequence
        elif step == "mapping":
            overrides = {k: (v or None) for k, v in dict(given.get("overrides", {})).items()}
            answer = _answer(
                MappingAnswer, {"overrides": _resolved(self.columns, overrides)}, "mapping"
            )
        else:
            answer = _answer(CreateAnswer, given, "review")
        return answer

    def _by_name(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """A campaign given by its exact name (ignoring case) stands for its id."""
        wanted = given.get("campaign_id")
        if not isinstance(wanted, str):
            return dict(given)
        view = self.service.wizard_view(self.state, search=wanted)
        named = [c for c in view.campaigns if c.name.casefold() == wanted.casefold()]
        if len(named) == 1:
            return {**given, "campaign_id": named[0].id}
        return dict(given)

    def _connect_answer(self) -> ConnectAnswer:
        """The stored key; else, outside the fake, the one in INSTANTLY_API_KEY."""
        env = os.environ.get(KEY_ENV, "").strip()
        if self.session.fake is None and env and not self.service.wizard_view(self.state).connected:
            return ConnectAnswer(api_key=env)
        return ConnectAnswer()

    def _connect_with_prompt(self, state: WizardState) -> WizardState:
        key = _prompt_key()
        return self.service.wizard_advance(state, ConnectAnswer(api_key=key))

    # -- prompts --------------------------------------------------------------------------

    def _ask(self, step: str) -> WizardAnswer:
        if step == "campaign":
            return self._ask_campaign()
        if step == "sequence":
            return self._ask_sequence()
        if step == "mapping":
            return self._ask_mapping()
        return self._ask_review()

    def _ask_campaign(self) -> CampaignAnswer:
        view = self.service.wizard_view(self.state)
        self.out.say(f"\n[bold]Campaign[/] (workspace {escape(self.state.workspace_name or '')})")
        _show_campaigns(self.out, view, numbered=True)
        while True:
            choice = str(
                _prompt("Pick a campaign by number, or type a name to create a new one")
            ).strip()
            if not choice.isdigit():
                break
            if 1 <= int(choice) <= len(view.campaigns):
                return CampaignAnswer(campaign_id=view.campaigns[int(choice) - 1].id)
            self.out.warn(f"no campaign number {choice}")
        timezone = _prompt("Time zone of the sending schedule", default="America/Detroit")
        return _answer(
            CampaignAnswer,
            {"create": {"name": choice, "schedule": {"timezone": timezone}}},
            "campaign",
        )

    def _column_names(self) -> list[str]:
        return [c.name for c in self.columns if c.type != INSTANTLY_COLUMN_TYPE]

    def _ask_sequence(self) -> SequenceAnswer:
        view = self.service.wizard_view(self.state)
        self.out.say(f"\n[bold]Sequence[/] of {escape(self.state.campaign_name or '')}")
        self.out.table(
            ["step", "subject", "wait after"],
            [
                (n, s.subject or "(reply in thread)", f"{s.delay} {s.delay_unit}")
                for n, s in enumerate(view.steps, 1)
            ],
        )
        custom = [v for v in view.variables if classify_variable(v) == "custom"]
        mode = _prompt(
            "Sequence mode",
            type=click.Choice(_MODES),
            default="map_variables" if custom else "use_existing",
        )
        if mode == "author_steps":
            steps = _prompt("How many steps", type=click.IntRange(1, 20), default=2)
            if _confirm(
                "Create 'Step N Subject' / 'Step N Body' columns for the copy?", default=True
            ):
                return SequenceAnswer(mode="author_steps", steps=steps)
            names = click.Choice(self._column_names(), case_sensitive=False)
            step_columns = {
                f"{n}.{field}": _column_id(
                    self.columns, _prompt(f"Column for step {n} {field}", type=names)
                )
                for n in range(1, steps + 1)
                for field in ("subject", "body")
            }
            return SequenceAnswer(
                mode="author_steps", steps=steps, scaffold=False, step_columns=step_columns
            )
        while True:
            bindings: dict[str, str] = {}
            if mode == "map_variables":
                names = click.Choice(self._column_names(), case_sensitive=False)
                for variable in custom:
                    picked = _prompt(f"Column for {{{{{variable}}}}}", type=names)
                    bindings[variable] = _column_id(self.columns, picked)
            answer = SequenceAnswer(mode=mode, bindings=bindings)
            self._preview(answer)
            if not view.steps:
                # Without steps the campaign never sends: the wizard wants this said.
                confirmed = _confirm("Link it anyway, and add the steps later?", default=False)
                answer = SequenceAnswer(mode=mode, bindings=bindings, confirm_no_steps=confirmed)
            if mode != "map_variables" or _confirm("Use these bindings?", default=True):
                return answer

    def _preview(self, answer: SequenceAnswer) -> None:
        """The first three rows as the campaign's first step would read for them."""
        if answer.mode == "author_steps":
            return
        view = self.service.wizard_view(self.state, bindings=answer.bindings)
        if not view.steps:
            self.out.warn(
                f"campaign {self.state.campaign_name!r} has no steps yet, so it cannot send: "
                "add them in Instantly (link with --confirm-no-steps meanwhile), or link with "
                "--mode author_steps"
            )
        rows = []
        for row in view.preview:
            first = row.steps[0] if row.steps else None
            flags = [f"missing {', '.join(row.missing)}"] if row.missing else []
            flags += [f"blank {', '.join(row.blank)}"] if row.blank else []
            rows.append(
                (
                    row.index + 1,
                    first.subject if first else "",
                    first.body if first else "",
                    styled("; ".join(flags) or "ok", "red" if flags else "green"),
                )
            )
        if rows:
            self.out.table(["row", "subject", "body", "check"], rows, title="Preview, step 1")

    def _ask_mapping(self) -> MappingAnswer:
        view = self.service.wizard_view(self.state)
        self.out.say("\n[bold]Field mapping[/] (detected from the headers and the first rows)")
        if view.mapping is not None:
            shown = view.mapping  # in column ids; label() gives a column's name
            self.out.table(
                ["field", "column", "reason"],
                [(d.field or "—", shown.label(d.header), d.reason) for d in shown.decisions],
            )
        overrides: dict[str, str | None] = {}
        while True:
            change = str(
                _prompt(
                    "Change a field (field=column, field= to unmap), or Enter to accept",
                    default="",
                    show_default=False,
                )
            ).strip()
            if not change:
                return MappingAnswer(overrides=overrides)
            field, sep, column = change.partition("=")
            if not sep:
                self.out.warn("write field=column, e.g. company_name=Société")
                continue
            try:
                overrides[field.strip()] = (
                    _column_id(self.columns, column) if column.strip() else None
                )
            except Failure as exc:
                self.out.warn(str(exc))

    def _ask_review(self) -> CreateAnswer:
        state = self.state
        mapped = [
            k for k, v in (state.field_mapping or {}).items() if v and k != "custom_variables"
        ]
        custom = list((state.field_mapping or {}).get("custom_variables") or {})
        self.out.say(
            f"\n[bold]Review[/]: campaign {escape(state.campaign_name or '')!r}, "
            f"mode {state.sequence_mode}, fields {escape(', '.join(mapped))}"
            + (f", custom variables {escape(', '.join(custom))}" if custom else "")
        )
        if not _confirm("Create the columns?", default=True):
            raise click.Abort
        return CreateAnswer()


def _scripted_answers(
    answers: dict[str, dict[str, Any]],
    *,
    campaign_id: str | None,
    create: str | None,
    timezone: str | None,
    mode: str | None,
    bind: Sequence[str],
    steps: int | None,
    step_column: Sequence[str],
    map_: Sequence[str],
    push_column: bool | None,
    engagement_columns: bool | None,
    confirm_no_steps: bool = False,
) -> dict[str, dict[str, Any]]:
    """The ``--answers`` file with the flags on top."""
    if campaign_id and create:
        raise click.UsageError("give --campaign or --create, not both")
    if campaign_id:
        answers["campaign"] = {"campaign_id": campaign_id}
    elif create:
        schedule = {"schedule": {"timezone": timezone}} if timezone else {}
        answers["campaign"] = {"create": {"name": create, **schedule}}
    sequence = answers.get("sequence", {})
    if mode:
        sequence["mode"] = mode
    if bind:
        sequence["bindings"] = {**sequence.get("bindings", {}), **_pairs(bind, "--bind")}
    if steps is not None:
        sequence["steps"] = steps
    if confirm_no_steps:
        sequence["confirm_no_steps"] = True
    if step_column:
        columns = _pairs(step_column, "--step-column")
        sequence["step_columns"] = {**sequence.get("step_columns", {}), **columns}
    if sequence:
        answers["sequence"] = sequence
    if map_:
        overrides = answers.get("mapping", {}).get("overrides", {})
        answers["mapping"] = {"overrides": {**overrides, **_pairs(map_, "--map")}}
    review = answers.get("review", {})
    if push_column is not None:
        review["push_column"] = push_column
    if engagement_columns is not None:
        review["engagement_columns"] = engagement_columns
    if review:
        answers["review"] = review
    return answers


@app.command("link")
@table_option
@click.option(
    "--campaign",
    "--campaign-id",
    "campaign_id",
    default=None,
    help="An existing campaign, by id or name.",
)
@click.option("--create", "create", default=None, metavar="NAME", help="Create a campaign.")
@click.option("--timezone", default=None, help="Time zone of a created campaign's schedule.")
@click.option("--mode", type=click.Choice(_MODES), default=None, help="Sequence mode.")
@click.option("--bind", multiple=True, metavar="VAR=COLUMN", help="Bind a {{variable}}.")
@click.option("--steps", type=click.IntRange(1, 20), default=None, help="author_steps: N steps.")
@click.option(
    "--step-column",
    multiple=True,
    metavar="N.subject=COLUMN",
    help="author_steps: an existing column for a step's subject or body.",
)
@click.option(
    "--confirm-no-steps",
    is_flag=True,
    default=False,
    help="use_existing/map_variables on a campaign without steps (a new one): link it anyway; "
    "it sends once the steps are added in Instantly.",
)
@click.option("--map", "map_", multiple=True, metavar="FIELD=COLUMN", help="Override the mapping.")
@click.option("--push-column/--no-push-column", default=None, help="Add the push column.")
@click.option(
    "--engagement-columns/--no-engagement-columns",
    default=None,
    help="Add the five engagement columns now (a sync adds them anyway).",
)
@click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A JSON file of answers: campaign, sequence, mapping, review.",
)
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask for what the flags leave out (default: when stdin is a terminal).",
)
@db_option
@fake_option
@handled
def link_command(
    out: Output,
    table: str,
    campaign_id: str | None,
    create: str | None,
    timezone: str | None,
    mode: str | None,
    bind: tuple[str, ...],
    steps: int | None,
    step_column: tuple[str, ...],
    confirm_no_steps: bool,
    map_: tuple[str, ...],
    push_column: bool | None,
    engagement_columns: bool | None,
    answers: str | None,
    interactive: bool | None,
    db: str,
    fake: bool,
) -> int:
    """Link a table to a campaign: the add-column wizard.

    In a terminal it asks step by step (campaign, sequence mode with a three-row preview,
    field mapping, review); flags and --answers answer steps ahead, so a script can run it
    without a terminal. Columns are named by header or id.
    """
    scripted = _scripted_answers(
        _load_answers(answers),
        campaign_id=campaign_id,
        create=create,
        timezone=timezone,
        mode=mode,
        bind=bind,
        steps=steps,
        step_column=step_column,
        map_=map_,
        push_column=push_column,
        engagement_columns=engagement_columns,
        confirm_no_steps=confirm_no_steps,
    )
    if interactive is None:
        interactive = sys.stdin.isatty() and not out.as_json
    with open_session(db, fake=fake) as session:
        state = _Wizard(out, session, table, scripted, interactive).run()
        names = {c.id: c.name for c in session.store.columns(table)}
    created = [names.get(c, c) for c in state.created_columns]
    out.data(
        {
            "link": state.link_id,
            "table": table,
            "campaign": {
                "id": state.campaign_id,
                "name": state.campaign_name,
                "created": state.campaign_created,
            },
            "sequence_mode": state.sequence_mode,
            "field_mapping": state.field_mapping,
            "columns": created,
            "notes": state.notes,
        }
    )
    made = "created and linked" if state.campaign_created else "linked"
    out.say(
        f"\n[green]✓[/] Campaign [bold]{escape(state.campaign_name or '')}[/] {made} to table "
        f"{escape(table)!r} (link {state.link_id})."
    )
    out.say(f"New columns: {escape(', '.join(created))}.")
    for note in state.notes:
        out.say(f"  [dim]{escape(note)}[/]")
    out.say("Next: [bold]instantly-columns push[/] (a dry run; --yes sends)")
    return 0
