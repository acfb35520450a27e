"""The ops table: a lead table with Instantly columns, as a small Starlette app.

Server-rendered Jinja2 templates and a little plain JavaScript (``static/app.js``); no
front-end build step. Dialogs (the wizard, settings, analytics) are pages of their own state:
``/?wizard=ID``, ``/?settings=LINK``, ``/?analytics=LINK``, so that every step survives a
reload and works without JavaScript.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import anyio.to_thread
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from examples.ops_table.host import TABLE_ID, WEBHOOK_PATH, Host
from instantly_columns import (
    CampaignAnswer,
    CellWrite,
    ConfigError,
    ConnectAnswer,
    CreateAnswer,
    InstantlyColumnsError,
    MappingAnswer,
    Problem,
    SequenceAnswer,
    SummaryRow,
    WizardState,
    campaign_status_badge,
    classify_variable,
)
from instantly_columns.asgi import webhook_app

__all__ = ["create_app"]

HERE = Path(__file__).parent
Step = Literal["connection", "campaign", "sequence", "mapping", "review", "done"]
STEP_ORDER: tuple[Step, ...] = ("connection", "campaign", "sequence", "mapping", "review", "done")
STEP_TITLES = {
    "connection": "Connect Instantly",
    "campaign": "Campaign",
    "sequence": "Sequence",
    "mapping": "Field mapping",
    "review": "Create columns",
    "done": "Done",
}
#: The lead fields the mapping step and the settings dialog let the user adjust.
MAPPED_FIELDS = (
    ("email", "Email"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("company_name", "Company"),
    ("job_title", "Job title"),
    ("website", "Website"),
    ("phone", "Phone"),
)
MODES = (
    ("use_existing", "Use the campaign's steps", "Leads get the steps written in Instantly."),
    (
        "map_variables",
        "Map variables to columns",
        "Bind each {{variable}} of the campaign's steps to a column; preview three rows.",
    ),
    (
        "author_steps",
        "Write each row's copy",
        "Every row carries its own Step N Subject / Body; columns are created for you.",
    ),
)
_TONES = {"Interested": "good", "Meeting booked": "good", "Meeting completed": "good"}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


# -- small view helpers ---------------------------------------------------------------------


def relative(value: object, now: datetime) -> str:
    """``3 h ago`` for an ISO timestamp (the exact time goes in the title)."""
    moment = _parse_time(value)
    if moment is None:
        return "—"
    seconds = (now - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    text = ""
    for size, unit in ((86400 * 30, "mo"), (86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            text = f"{int(seconds // size)} {unit}"
            break
    return f"in {text}" if future else f"{text} ago"


def exact(value: object) -> str:
    moment = _parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def tone(value: object) -> str:
    """A badge colour for an engagement or email status cell."""
    text = str(value or "")
    if text in _TONES:
        return _TONES[text]
    if text in ("Replied", "Clicked", "Opened"):
        return "good" if text == "Replied" else "info"
    if text in ("Bounced", "Unsubscribed", "Not interested", "Wrong person", "Lost", "Failed"):
        return "bad"
    if text in ("Sent", "Contacted"):
        return "info"
    return "muted"


def problems_at(problems: Sequence[Any], path: str) -> list[str]:
    """The messages of the problems at ``path`` or below it."""
    return [
        p.message for p in problems if p.path == path or p.path.startswith((path + ".", path + "["))
    ]


def unplaced(problems: Sequence[Any], paths: Sequence[str]) -> list[Any]:
    """Problems that no field of the form shows."""
    return [
        p
        for p in problems
        if not any(p.path == x or p.path.startswith((x + ".", x + "[")) for x in paths)
    ]


def _problem_list(exc: InstantlyColumnsError) -> list[Problem]:
    if isinstance(exc, ConfigError):
        return list(exc.problems)
    return [Problem("", str(exc))]


# -- the app --------------------------------------------------------------------------------


def create_app(host: Host | None = None, *, public_url: str | None = None) -> Starlette:
    """The ASGI app. ``public_url`` is where Instantly reaches it (the fake workspace is
    subscribed to ``public_url + /webhooks/instantly`` at start-up)."""
    state: dict[str, Host] = {}

    def get() -> Host:
        return state["host"]

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.filters["relative"] = lambda v: relative(v, get().now())
    env.filters["exact"] = exact
    env.filters["tone"] = tone
    env.globals.update(
        problems_at=problems_at,
        badge=campaign_status_badge,
        classify=classify_variable,
        MODES=MODES,
        MAPPED_FIELDS=MAPPED_FIELDS,
        STEP_ORDER=STEP_ORDER,
        STEP_TITLES=STEP_TITLES,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        made = host is None
        state["host"] = host if host is not None else await anyio.to_thread.run_sync(Host.create)
        if public_url:
            await anyio.to_thread.run_sync(state["host"].subscribe_webhooks, public_url)
        try:
            yield
        finally:
            if made:
                state["host"].close()

    # -- page -----------------------------------------------------------------------------

    def table_context() -> dict[str, Any]:
        h = get()
        plain, groups = h.groups()
        summaries: dict[str, SummaryRow | None] = {}
        errors: dict[str, str] = {}
        for group in groups:
            try:
                summaries[group.link.id] = h.service.summary(group.link.id)
            except InstantlyColumnsError as exc:
                summaries[group.link.id] = None
                errors[group.link.id] = str(exc)
        return {
            "plain": plain,
            "groups": groups,
            "rows": h.rows(),
            "summaries": summaries,
            "summary_errors": errors,
            "now": h.now(),
            "syncs": h.syncs,
            "version": h.version,
            "fake": h.fake is not None,
        }

    def page(
        request: Request, extra: Mapping[str, Any] | None = None, status: int = 200
    ) -> Response:
        h = get()
        context: dict[str, Any] = table_context()
        params = request.query_params
        context["push_report"] = None
        if params.get("push"):
            context["push_report"] = h.push_reports.get(params["push"])
            context["push_link"] = params["push"]
        if params.get("wizard") and "wizard" not in (extra or {}):
            context.update(wizard_context(params["wizard"], params))
        if params.get("settings") and "settings" not in (extra or {}):
            context.update(settings_context(params["settings"], []))
            context["settings_saved"] = params.get("saved")
        if params.get("analytics"):
            context.update(analytics_context(params["analytics"]))
        context.update(extra or {})
        return templates.TemplateResponse(request, "index.html", context, status_code=status)

    async def index(request: Request) -> Response:
        return await anyio.to_thread.run_sync(page, request)

    async def table_fragment(request: Request) -> Response:
        def render() -> Response:
            return templates.TemplateResponse(request, "_table.html", table_context())

        return await anyio.to_thread.run_sync(render)

    async def version(request: Request) -> Response:
        h = get()
        running = {k: v.running for k, v in h.syncs.items()}
        return JSONResponse({"version": h.version, "syncing": running})

    # -- wizard ---------------------------------------------------------------------------

    def load_wizard(wid: str) -> WizardState | None:
        raw = get().wizards.get(wid)
        return WizardState.model_validate_json(raw) if raw is not None else None

    def save_wizard(wid: str, wizard: WizardState) -> None:
        get().wizards[wid] = wizard.model_dump_json()

    def wizard_context(wid: str, params: Mapping[str, str]) -> dict[str, Any]:
        h = get()
        wizard = load_wizard(wid)
        if wizard is None:
            return {"flash": "That wizard is gone: start again."}
        context: dict[str, Any] = {"wizard": wizard, "wizard_id": wid, "view": None}
        bindings = {k[len("bind_") :]: v for k, v in params.items() if k.startswith("bind_") and v}
        try:
            context["view"] = h.service.wizard_view(
                wizard, search=params.get("search") or None, bindings=bindings or None
            )
        except InstantlyColumnsError as exc:
            context["view_error"] = str(exc)
        context["search"] = params.get("search", "")
        context["inputs"] = h.wizard_inputs.get(wid, {})
        context["bindings"] = bindings or dict(wizard.bindings)
        context["plain_columns"] = [c for c in h.store.columns(TABLE_ID) if c.subtype is None]
        context["connected_by_env"] = h.fake is None
        context["demo_available"] = h.demo_key is not None
        return context

    async def wizard_start(request: Request) -> Response:
        wid = secrets.token_urlsafe(8)
        save_wizard(wid, get().service.start_wizard(TABLE_ID))
        return RedirectResponse(f"/?wizard={wid}", status_code=303)

    def answer_for(wizard: WizardState, form: FormData) -> Any:
        """The wizard's typed answer for its step, from the posted form (``ConfigError`` for
        an answer the library refuses as built)."""
        h = get()
        step = wizard.step
        if step == "connection":
            if form.get("use_demo_key") and h.demo_key:
                return ConnectAnswer(api_key=h.demo_key)
            key = str(form.get("api_key") or "")
            if not key and form.get("keep_stored"):
                return ConnectAnswer()
            return ConnectAnswer(api_key=key)
        if step == "campaign":
            if form.get("choice") == "create":
                create: dict[str, Any] = {"name": str(form.get("name") or "")}
                if str(form.get("timezone") or "").strip():
                    create["schedule"] = {
                        "timezone": str(form.get("timezone")),
                        "days": str(form.get("days") or "weekdays"),
                        "start": str(form.get("start") or "09:00"),
                        "end": str(form.get("end") or "17:00"),
                    }
                return CampaignAnswer.model_validate({"create": create})
            return CampaignAnswer(campaign_id=str(form.get("campaign_id") or "") or None)
        if step == "sequence":
            mode = str(form.get("mode") or "")
            data: dict[str, Any] = {"mode": mode}
            if mode == "map_variables":
                data["bindings"] = {
                    k[len("bind_") :]: str(v)
                    for k, v in form.multi_items()
                    if k.startswith("bind_") and v
                }
            if mode == "author_steps":
                data["steps"] = str(form.get("steps") or "").strip() or None
                data["scaffold"] = True
                data["delay_days"] = str(form.get("delay_days") or "3")
            data["confirm_no_steps"] = bool(form.get("confirm_no_steps"))
            return SequenceAnswer.model_validate(data)
        if step == "mapping":
            detected = json.loads(str(form.get("detected") or "{}"))
            overrides: dict[str, str | None] = {}
            for name, _label in MAPPED_FIELDS:
                chosen = str(form.get(f"map_{name}") or "") or None
                if chosen != detected.get(name):
                    overrides[name] = chosen
            return MappingAnswer(overrides=overrides)
        return CreateAnswer(
            push_column=bool(form.get("push_column")),
            engagement_columns=bool(form.get("engagement_columns")),
        )

    async def wizard_post(request: Request) -> Response:
        wid = request.path_params["wid"]
        form = await request.form()

        def run() -> Response:
            h = get()
            wizard = load_wizard(wid)
            if wizard is None:
                return RedirectResponse("/", status_code=303)
            if form.get("action") == "back" and wizard.step not in ("connection", "done"):
                wizard = wizard.moved(STEP_ORDER[STEP_ORDER.index(wizard.step) - 1])
            elif form.get("action") == "close":
                h.wizards.pop(wid, None)
                return RedirectResponse("/", status_code=303)
            else:
                try:
                    answer = answer_for(wizard, form)
                except ConfigError as exc:
                    prefix = "create." if form.get("choice") == "create" else ""
                    wizard = wizard.with_problems(
                        [
                            Problem(
                                p.path if p.path.startswith("create") else prefix + p.path,
                                p.message,
                            )
                            for p in exc.problems
                        ]
                    )
                else:
                    with h.lock:
                        wizard = h.service.wizard_advance(wizard, answer)
                    if wizard.step == "done":
                        h.bump()
            save_wizard(wid, wizard)
            # What the user typed, to show again beside the problems (never the key).
            if wizard.problems:
                h.wizard_inputs[wid] = {k: str(v) for k, v in form.items() if k != "api_key"}
            else:
                h.wizard_inputs.pop(wid, None)
            return RedirectResponse(f"/?wizard={wid}", status_code=303)

        return await anyio.to_thread.run_sync(run)

    # -- push, sync, cells ------------------------------------------------------------------

    async def push(request: Request) -> Response:
        link = request.path_params["link"]
        form = await request.form()

        def run() -> Response:
            h = get()
            only = str(form.get("only") or "")
            rows = [only] if only else [str(v) for v in form.getlist("row")]
            if not rows:
                return RedirectResponse(f"/?push={link}&empty=1", status_code=303)
            try:
                with h.lock:
                    report = h.service.push(link, rows=rows, progress=False)
            except InstantlyColumnsError as exc:
                return page(request, {"flash": f"Push failed: {exc}"}, status=400)
            h.push_reports[link] = report
            h.bump()
            return RedirectResponse(f"/?push={link}", status_code=303)

        return await anyio.to_thread.run_sync(run)

    async def sync_start(request: Request) -> Response:
        link = request.path_params["link"]
        progress = get().start_sync(link)
        return JSONResponse(progress.__dict__)

    async def sync_status(request: Request) -> Response:
        progress = get().syncs.get(request.path_params["link"])
        return JSONResponse(progress.__dict__ if progress else {"running": False})

    async def write_cell(request: Request) -> Response:
        form = await request.form()

        def run() -> Response:
            h = get()
            column_id = str(form.get("column") or "")
            row_id = str(form.get("row") or "")
            columns = {c.id: c for c in h.store.columns(TABLE_ID)}
            column = columns.get(column_id)
            if column is None or column.subtype != "sequence_step":
                return JSONResponse(
                    {"error": "only the Step N Subject / Body cells are edited here"},
                    status_code=400,
                )
            h.store.write_cells(TABLE_ID, [CellWrite(row_id, column_id, str(form.get("value")))])
            h.bump()
            return JSONResponse({"ok": True})

        return await anyio.to_thread.run_sync(run)

    async def simulate(request: Request) -> Response:
        form = await request.form()
        try:
            days = float(str(form.get("days") or "1"))
        except ValueError:
            return JSONResponse({"message": "days must be a number"}, status_code=400)
        text = await anyio.to_thread.run_sync(get().simulate, days)
        return JSONResponse({"message": text})

    # -- settings --------------------------------------------------------------------------

    def settings_context(link_id: str, problems: list[Problem]) -> dict[str, Any]:
        h = get()
        link = next((x for x in h.links() if x.id == link_id), None)
        if link is None:
            return {"flash": f"No campaign link {link_id!r}."}
        context: dict[str, Any] = {
            "settings": link,
            "settings_problems": problems,
            "settings_unplaced": unplaced(
                problems,
                [
                    "campaign_name",
                    "sequence_mode",
                    "field_mapping",
                    "push_config",
                    "campaign_id",
                    "sync_interval_seconds",
                ],
            ),
            "history": h.service.history(link_id, limit=10),
            "plain_columns": [c for c in h.store.columns(TABLE_ID) if c.subtype is None],
            "campaigns": [],
        }
        with suppress(InstantlyColumnsError):
            context["campaigns"] = h.service.campaigns()
        return context

    async def settings_post(request: Request) -> Response:
        link = request.path_params["link"]
        form = await request.form()

        def run() -> Response:
            h = get()
            current = next((x for x in h.links() if x.id == link), None)
            if current is None:
                return RedirectResponse("/", status_code=303)
            # Only what the form changed; a field it did not send stays as it is.
            changes: dict[str, Any] = {}
            name = form.get("campaign_name")
            if name is not None and name != current.campaign_name:
                changes["campaign_name"] = str(name)
            mode = form.get("sequence_mode")
            if mode is not None and mode != current.sequence_mode:
                changes["sequence_mode"] = str(mode)
            mapping: dict[str, Any] = {}
            for field, _label in MAPPED_FIELDS:
                if f"map_{field}" not in form:
                    continue
                chosen = str(form.get(f"map_{field}") or "") or None
                if chosen != current.field_mapping.get(field):
                    mapping[field] = chosen
            if mapping:
                changes["field_mapping"] = mapping
            campaign_id = str(form.get("campaign_id") or "")
            if campaign_id and campaign_id != current.campaign_id:
                changes["campaign_id"] = campaign_id
            auto = bool(form.get("auto_field_mapping"))
            if auto != bool(
                current.settings.get("push_config", {}).get("auto_field_mapping", True)
            ):
                changes["push_config"] = {"auto_field_mapping": auto}
            interval = str(form.get("sync_interval_seconds") or "").strip()
            if interval:
                try:
                    changes["sync_interval_seconds"] = float(interval)
                except ValueError:
                    changes["sync_interval_seconds"] = interval  # the library names the problem
            try:
                with h.lock:
                    change = h.service.update_link(link, **changes) if changes else None
            except InstantlyColumnsError as exc:
                # Problems name the argument (field_mapping.email...), which is the field.
                context = settings_context(link, _problem_list(exc))
                return page(request, context, status=400)
            h.bump()
            said = "; ".join(change.changed) if change else "nothing"
            return RedirectResponse(f"/?settings={link}&saved={said}", status_code=303)

        return await anyio.to_thread.run_sync(run)

    async def delete_post(request: Request) -> Response:
        link = request.path_params["link"]

        def run() -> Response:
            h = get()
            try:
                with h.lock:
                    report = h.service.delete_link(link)
            except InstantlyColumnsError as exc:
                return page(request, {"flash": f"Delete failed: {exc}"}, status=400)
            h.bump()
            h.push_reports.pop(link, None)
            removed = len(report.columns_removed)
            return RedirectResponse(f"/?deleted={removed}", status_code=303)

        return await anyio.to_thread.run_sync(run)

    # -- analytics ---------------------------------------------------------------------------

    def analytics_context(link_id: str) -> dict[str, Any]:
        h = get()
        try:
            panel = h.service.analytics(link_id)
        except InstantlyColumnsError as exc:
            return {"analytics_error": str(exc), "analytics_link": link_id}
        return {
            "analytics": panel,
            "analytics_link": link_id,
            "daily_svg": _svg("daily_chart", panel) if panel.daily else None,
            "funnel_svg": _svg("funnel_chart", panel),
        }

    # -- webhooks: the library's receiver, and a version bump after each delivery -----------

    class Webhooks:
        """The library's receiver (``asgi.webhook_app``), and a version bump after each
        delivery it accepted, so that open pages fetch the changed cells."""

        def __init__(self) -> None:
            self.receiver: Any = None

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if self.receiver is None:
                self.receiver = webhook_app(get().service)
            status: list[int] = []

            async def watch(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status.append(int(message["status"]))
                await send(message)

            await self.receiver(scope, receive, watch)
            if status and status[0] == 200:
                get().bump()

    async def on_error(request: Request, exc: Exception) -> Response:
        # A library error that escaped a handler is still shown in the page, never as a
        # traceback.
        text = str(exc) if isinstance(exc, InstantlyColumnsError) else "Something went wrong."
        return HTMLResponse(
            f"<!doctype html><title>Error</title><p class='error'>{_escape(text)}</p>"
            "<p><a href='/'>Back to the table</a></p>",
            status_code=400 if isinstance(exc, InstantlyColumnsError) else 500,
        )

    routes = [
        Route("/", index),
        Route("/fragment/table", table_fragment),
        Route("/version", version),
        Route("/wizard", wizard_start, methods=["POST"]),
        Route("/wizard/{wid}", wizard_post, methods=["POST"]),
        Route("/links/{link}/push", push, methods=["POST"]),
        Route("/links/{link}/sync", sync_start, methods=["POST"]),
        Route("/links/{link}/sync", sync_status, methods=["GET"]),
        Route("/links/{link}/settings", settings_post, methods=["POST"]),
        Route("/links/{link}/delete", delete_post, methods=["POST"]),
        Route("/cells", write_cell, methods=["POST"]),
        Route("/simulate", simulate, methods=["POST"]),
        Route(WEBHOOK_PATH, Webhooks(), methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={InstantlyColumnsError: on_error, Exception: on_error},
    )


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def _svg(kind: str, panel: Any) -> str:
    """An Altair chart of the library's ``charts`` module as inline SVG, drawn on the server
    (vl-convert): the page needs no network and no JavaScript charting library."""
    from instantly_columns import charts

    chart = getattr(charts, kind)(panel)
    out = io.StringIO()
    chart.save(out, format="svg")
    return out.getvalue()
