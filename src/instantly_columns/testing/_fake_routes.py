"""The fake Instantly API v2: request parsing, checks, routing and the endpoint handlers.

Handlers run with the fake's lock held and only touch the in-memory workspace; anything that
must leave the process (webhook test deliveries) is returned as a :class:`Deferred`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import attrs
from pydantic_core import PydanticSerializationError, to_json

from instantly_columns.testing import _fake_analytics as analytics
from instantly_columns.testing import _fake_schema as schema
from instantly_columns.testing._fake_engagement import Emit, set_interest
from instantly_columns.testing._fake_schema import ExtraKeys, SchemaViolation
from instantly_columns.testing._fake_state import (
    CAMPAIGN_ACTIVE,
    CAMPAIGN_PAUSED,
    EVERY,
    LEAD_ACTIVE,
    LEAD_BOUNCED,
    LEAD_COMPLETED,
    LEAD_SKIPPED,
    LEAD_UNSUBSCRIBED,
    Campaign,
    JsonObject,
    KeyRecord,
    Lead,
    LeadEvent,
    PendingInterest,
    View,
    Webhook,
    Workspace,
    email_is_valid,
    key_digest,
    normalise_email,
    shown,
)
from instantly_columns.testing._fake_webhooks import EVENT_TYPES

__all__: list[str] = []

T = TypeVar("T")
API_PREFIX = "/api/v2"
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PAGE_SIZE = 10


def reason(status: int) -> str:
    return _REASONS.get(status, "Error")


@attrs.frozen
class Incoming:
    """A request as the fake sees it: lower-cased header names, raw body bytes."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes | None = None


@attrs.frozen
class Reply:
    """An answer: status, lower-cased headers, body bytes."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Deferred:
    """An answer that must be computed without the lock (it calls out of the process)."""

    run: Callable[[], Reply]


def json_reply(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Reply:
    out = {"content-type": "application/json; charset=utf-8"}
    out.update(headers or {})
    return Reply(status, encode_json(body), out)


def encode_json(body: Any) -> bytes:
    """Compact JSON in UTF-8, as Instantly's server writes it (non-ASCII characters as
    they are), by pydantic-core's encoder: about three times as fast as `json.dumps` on a
    page of leads. What it cannot encode (a lone surrogate) goes through `json.dumps`,
    which escapes it, as JavaScript's `JSON.stringify` does."""
    try:
        return to_json(body)
    except PydanticSerializationError:
        return json.dumps(body, separators=(",", ":")).encode()


def envelope(status: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    """The API's error body: ``{"statusCode", "error", "message"}``."""
    return json_reply(
        status, {"statusCode": status, "error": reason(status), "message": message}, headers
    )


def body_too_large() -> Reply:
    """Fastify's answer to a body over its ``bodyLimit`` (the envelope, plus its ``code``)."""
    return json_reply(
        413,
        {
            "statusCode": 413,
            "code": "FST_ERR_CTP_BODY_TOO_LARGE",
            "error": reason(413),
            "message": "Request body is too large",
        },
    )


class ApiProblem(Exception):
    """Raised inside handlers to answer an error."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _bad(message: str) -> ApiProblem:
    return ApiProblem(envelope(400, message))


def _not_found() -> ApiProblem:
    return ApiProblem(envelope(404, "Resource not found"))


class Host(Protocol):
    """What the handlers need from FakeInstantly."""

    @property
    def workspace(self) -> Workspace: ...

    @property
    def extra_keys(self) -> ExtraKeys: ...

    @property
    def interest_delay(self) -> float: ...

    @property
    def plan_lead_limit(self) -> int: ...

    @property
    def view(self) -> View: ...

    def now(self) -> datetime: ...

    @property
    def emit(self) -> Emit: ...

    def test_delivery(self, webhook: Webhook) -> Deferred: ...


@attrs.frozen
class Request:
    """A routed, parsed request handed to a handler."""

    params: Mapping[str, str]
    query: JsonObject
    body: Any


Handler = Callable[["Api", Request], "Reply | Deferred"]


@attrs.frozen
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    scope: tuple[str, str] | None
    query_schema: schema.Schema | None = None
    body_schema: schema.Schema | None = None
    null_body: bool = False


def _auth_header(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else ""


def scope_allows(scopes: tuple[str, ...] | None, needed: tuple[str, str] | None) -> bool:
    """``<resource>:<action>`` also accepts ``<resource>:all``, ``all:<action>``, ``all:all``."""
    if scopes is None or needed is None:
        return True
    resource, action = needed
    accepted = {f"{resource}:{action}", f"{resource}:all", f"all:{action}", "all:all"}
    return any(scope in accepted for scope in scopes)


def authenticate(workspace: Workspace, headers: Mapping[str, str]) -> KeyRecord | Reply:
    """The key record of the request, or the 401 to answer."""
    token = _auth_header(headers)
    if token is None:
        return envelope(401, "Missing Authorization header")
    if not token:
        return envelope(401, "Invalid Authorization header")
    record = workspace.keys.get(key_digest(token))
    if record is None:
        return envelope(401, "Invalid API key")
    if record.revoked:
        return envelope(401, "API key has been revoked")
    return record


def query_dict(pairs: Iterable[tuple[str, str]]) -> JsonObject:
    """Repeated keys become lists, as the API's query parser does."""
    out: JsonObject = {}
    for key, value in pairs:
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def parse_body(incoming: Incoming) -> tuple[bool, Any] | Reply:
    """``(present, value)`` of a JSON body, or the 4xx to answer."""
    body = incoming.body or b""
    if incoming.method not in _BODY_METHODS:
        return False, None
    content_type = incoming.headers.get("content-type", "").split(";")[0].strip().lower()
    if not body.strip():
        if content_type == "application/json":
            return envelope(
                400, "Body cannot be empty when content-type is set to 'application/json'"
            )
        return False, None
    if content_type not in ("application/json", ""):
        return envelope(415, f"Unsupported Media Type: {content_type}")
    try:
        return True, json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return envelope(400, "Body is not valid JSON")


def _page(
    items: Sequence[T],
    limit: int,
    after: str | None,
    key: Callable[[T], str],
    render: Callable[[T], JsonObject],
) -> JsonObject:
    """One page, ordered by ``key``; the cursor is set whenever the page is full.

    Only the page's items are rendered, so paging through a big workspace stays cheap.
    """
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [item for item in ordered if key(item) > after]
    chosen = ordered[:limit]
    out: JsonObject = {"items": [render(item) for item in chosen]}
    if chosen and len(chosen) == limit:
        out["next_starting_after"] = key(chosen[-1])
    return out


_LEAD_FILTERS: dict[str, Callable[[Lead], bool]] = {
    "FILTER_VAL_CONTACTED": lambda x: x.count("sent") > 0,
    "FILTER_VAL_NOT_CONTACTED": lambda x: x.count("sent") == 0,
    "FILTER_VAL_COMPLETED": lambda x: x.status == LEAD_COMPLETED,
    "FILTER_VAL_UNSUBSCRIBED": lambda x: x.status == LEAD_UNSUBSCRIBED,
    "FILTER_VAL_ACTIVE": lambda x: x.status == LEAD_ACTIVE,
    "FILTER_VAL_BOUNCED": lambda x: x.status == LEAD_BOUNCED,
    "FILTER_VAL_SKIPPED": lambda x: x.status == LEAD_SKIPPED,
    "FILTER_VAL_RISKY": lambda x: False,
    "FILTER_VAL_INVALID": lambda x: False,
    "FILTER_VAL_VALID": lambda x: False,
    "FILTER_VAL_IN_SUBSEQUENCE": lambda x: False,
    "FILTER_VAL_OPENED_NO_REPLY": lambda x: x.count("open") > 0 and x.count("reply") == 0,
    "FILTER_VAL_COMPLETED_NO_REPLY": lambda x: x.status == LEAD_COMPLETED and x.count("reply") == 0,
    "FILTER_VAL_NO_OPENS": lambda x: x.count("sent") > 0 and x.count("open") == 0,
    "FILTER_VAL_REPLIED": lambda x: x.count("reply") > 0,
    "FILTER_VAL_LINK_CLICKED": lambda x: x.count("click") > 0,
    "FILTER_LEAD_INTERESTED": lambda x: x.interest == 1,
    "FILTER_LEAD_NOT_INTERESTED": lambda x: x.interest == -1,
    "FILTER_LEAD_MEETING_BOOKED": lambda x: x.interest == 2,
    "FILTER_LEAD_MEETING_COMPLETED": lambda x: x.interest == 3,
    "FILTER_LEAD_CLOSED": lambda x: x.interest == 4,
    "FILTER_LEAD_OUT_OF_OFFICE": lambda x: x.interest == 0,
    "FILTER_LEAD_WRONG_PERSON": lambda x: x.interest == -2,
    "FILTER_LEAD_LOST": lambda x: x.interest == -3,
    "FILTER_LEAD_NO_SHOW": lambda x: x.interest == -4,
    "FILTER_LEAD_CUSTOM_LABEL_POSITIVE": lambda x: False,
    "FILTER_LEAD_CUSTOM_LABEL_NEGATIVE": lambda x: False,
}
LEAD_FILTERS = tuple(_LEAD_FILTERS)


class Api:
    """The endpoint handlers over one workspace."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.routes: list[Route] = []
        self._build_routes()

    # --- routing ------------------------------------------------------------------------------

    def _add(
        self,
        method: str,
        template: str,
        handler: Handler,
        scope: str | None,
        *,
        query: schema.Schema | None = None,
        body: schema.Schema | None = None,
        null_body: bool = False,
    ) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(API_PREFIX + template))
        needed: tuple[str, str] | None = None
        if scope:
            resource, action = scope.split(":")
            needed = (resource, action)
        self.routes.append(
            Route(
                method,
                API_PREFIX + template,
                re.compile(f"^{pattern}$"),
                handler,
                needed,
                query,
                body,
                null_body,
            )
        )

    def _build_routes(self) -> None:
        a = self._add
        cls = type(self)
        a("GET", "/workspaces/current", cls.workspace_current, "workspaces:read")
        # static paths first: /campaigns/analytics must not be read as /campaigns/{id}
        a("GET", "/campaigns/analytics", cls.analytics, None, query=schema.ANALYTICS_QUERY)
        a(
            "GET",
            "/campaigns/analytics/overview",
            cls.analytics_overview,
            None,
            query=schema.ANALYTICS_QUERY,
        )
        a("GET", "/campaigns/analytics/daily", cls.analytics_daily, None, query=schema.DAILY_QUERY)
        a("GET", "/campaigns", cls.list_campaigns, "campaigns:read", query=schema.CAMPAIGNS_QUERY)
        a(
            "POST",
            "/campaigns",
            cls.create_campaign,
            "campaigns:create",
            body=schema.CAMPAIGN_CREATE,
        )
        a("GET", "/campaigns/{id}", cls.get_campaign, "campaigns:read")
        a(
            "PATCH",
            "/campaigns/{id}",
            cls.patch_campaign,
            "campaigns:update",
            body=schema.CAMPAIGN_PATCH,
        )
        a("DELETE", "/campaigns/{id}", cls.delete_campaign, "campaigns:delete", null_body=True)
        a("POST", "/campaigns/{id}/activate", cls.activate_campaign, "campaigns:update")
        a("POST", "/campaigns/{id}/pause", cls.pause_campaign, "campaigns:update")
        a(
            "POST",
            "/campaigns/{id}/variables",
            cls.campaign_variables,
            "campaigns:update",
            body=schema.CAMPAIGN_VARIABLES,
        )
        a("POST", "/leads/add", cls.add_leads, "leads:create", body=schema.LEADS_ADD)
        a("POST", "/leads/list", cls.list_leads, "leads:read", body=schema.LEADS_LIST)
        a(
            "POST",
            "/leads/update-interest-status",
            cls.update_interest,
            None,
            body=schema.INTEREST_UPDATE,
        )
        a("POST", "/leads", cls.create_lead, "leads:create", body=schema.LEAD_CREATE)
        a("GET", "/leads/{id}", cls.get_lead, "leads:read")
        a("PATCH", "/leads/{id}", cls.patch_lead, "leads:update", body=schema.LEAD_PATCH)
        a("DELETE", "/leads/{id}", cls.delete_lead, "leads:delete", null_body=True)
        a("GET", "/webhooks/event-types", cls.webhook_event_types, None)
        a("GET", "/webhooks", cls.list_webhooks, None, query=schema.WEBHOOKS_QUERY)
        a("POST", "/webhooks", cls.create_webhook, "webhooks:create", body=schema.WEBHOOK_CREATE)
        a("GET", "/webhooks/{id}", cls.get_webhook, "webhooks:read")
        a(
            "PATCH",
            "/webhooks/{id}",
            cls.patch_webhook,
            "webhooks:update",
            body=schema.WEBHOOK_PATCH,
        )
        a("DELETE", "/webhooks/{id}", cls.delete_webhook, "webhooks:delete", null_body=True)
        a("POST", "/webhooks/{id}/resume", cls.resume_webhook, "webhooks:update")
        a("POST", "/webhooks/{id}/test", cls.test_webhook, None)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method != method:
                continue
            found = route.regex.match(path)
            if found:
                return route, found.groupdict()
        return None

    def dispatch(
        self,
        route: Route,
        params: Mapping[str, str],
        incoming: Incoming,
        present: bool,
        body: Any,
    ) -> Reply | Deferred:
        """Validate params, body and query string in that order, then run the handler."""
        extra = self.host.extra_keys
        try:
            if params:
                schema.validate(dict(params), schema.ID_PARAMS, root="params")
            if route.body_schema is not None:
                body = schema.validate(
                    body if present else None, route.body_schema, root="body", extra_keys=extra
                )
            elif route.null_body and present and body is not None:
                raise SchemaViolation("body must be null")
            query = query_dict(incoming.query)
            if route.query_schema is not None:
                query = schema.validate(query, route.query_schema, root="querystring", coerce=True)
        except SchemaViolation as problem:
            return envelope(400, problem.message)
        try:
            return route.handler(self, Request(params, query, body))
        except ApiProblem as problem:
            return problem.reply

    # --- helpers ------------------------------------------------------------------------------

    @property
    def ws(self) -> Workspace:
        return self.host.workspace

    def _campaign(self, campaign_id: str) -> Campaign:
        campaign = self.ws.campaigns.get(campaign_id)
        if campaign is None:
            raise _not_found()
        return campaign

    def _lead(self, lead_id: str) -> Lead:
        lead = self.ws.leads.get(lead_id)
        if lead is None:
            raise _not_found()
        return lead

    def _webhook(self, webhook_id: str) -> Webhook:
        webhook = self.ws.webhooks.get(webhook_id)
        if webhook is None:
            raise _not_found()
        return webhook

    def _campaign_json(self, campaign: Campaign) -> JsonObject:
        return self.ws.campaign_json(campaign, self.host.view)

    def _lead_json(self, lead: Lead) -> JsonObject:
        return lead.to_json(self.ws.id, self.host.view)

    def _webhook_json(self, webhook: Webhook) -> JsonObject:
        return webhook.to_json(self.ws.id, self.host.view)

    # --- workspace ----------------------------------------------------------------------------

    def workspace_current(self, req: Request) -> Reply:
        return json_reply(200, self.ws.to_json())

    # --- campaigns ----------------------------------------------------------------------------

    def list_campaigns(self, req: Request) -> Reply:
        q = req.query
        items = []
        search = str(q.get("search", "")).lower()
        for campaign in self.ws.campaigns.values():
            if search and search not in campaign.name.lower():
                continue
            if "status" in q and campaign.status != q["status"]:
                continue
            if "exclude_status" in q and campaign.status == q["exclude_status"]:
                continue
            items.append(campaign)
        limit = q.get("limit", DEFAULT_PAGE_SIZE)
        page = _page(items, limit, q.get("starting_after"), _campaign_id, self._campaign_json)
        return json_reply(200, page)

    def create_campaign(self, req: Request) -> Reply:
        return json_reply(
            200, self._campaign_json(new_campaign(self.ws, req.body, self.host.now()))
        )

    def get_campaign(self, req: Request) -> Reply:
        return json_reply(200, self._campaign_json(self._campaign(req.params["id"])))

    def patch_campaign(self, req: Request) -> Reply:
        campaign = self._campaign(req.params["id"])
        for key, value in req.body.items():
            if key == "name":
                campaign.name = value
            else:
                campaign.fields[key] = value
        campaign.updated = self.host.now()
        return json_reply(200, self._campaign_json(campaign))

    def delete_campaign(self, req: Request) -> Reply:
        campaign = self._campaign(req.params["id"])
        body = self._campaign_json(campaign)
        for lead in self.ws.campaign_leads(campaign.id):
            del self.ws.leads[lead.id]
        del self.ws.campaigns[campaign.id]
        return json_reply(200, body)

    def activate_campaign(self, req: Request) -> Reply:
        campaign = self._campaign(req.params["id"])
        activate(campaign, self.host.now())
        return json_reply(200, self._campaign_json(campaign))

    def pause_campaign(self, req: Request) -> Reply:
        campaign = self._campaign(req.params["id"])
        if campaign.status in (CAMPAIGN_ACTIVE, 4):
            campaign.status = CAMPAIGN_PAUSED
            campaign.updated = self.host.now()
        return json_reply(200, self._campaign_json(campaign))

    def campaign_variables(self, req: Request) -> Reply:
        campaign = self._campaign(req.params["id"])
        for name in req.body["variables"]:
            campaign.variables.setdefault(name, "")
        campaign.updated = self.host.now()
        return json_reply(200, self._campaign_json(campaign))

    # --- analytics ----------------------------------------------------------------------------

    def _window(self, query: JsonObject) -> analytics.Window:
        start = end = None
        if "start_date" in query:
            start = analytics.parse_date(query["start_date"])
            if start is None:
                raise ApiProblem(json_reply(400, {"message": "Invalid start_date"}))
        if "end_date" in query:
            end = analytics.parse_date(query["end_date"])
            if end is None:
                raise ApiProblem(json_reply(400, {"message": "Invalid end_date"}))
        if start is not None and end is not None and start > end:
            raise ApiProblem(
                json_reply(400, {"message": "Start Date must be earlier than End Date"})
            )
        return analytics.Window(start, end)

    def _selected(self, query: JsonObject) -> list[Campaign]:
        wanted = set(query.get("ids", []))
        if "id" in query:
            wanted.add(query["id"])
        chosen = [c for c in self.ws.campaigns.values() if not wanted or c.id in wanted]
        if "campaign_status" in query:
            chosen = [c for c in chosen if c.status == query["campaign_status"]]
        return sorted(chosen, key=lambda c: c.id)

    def analytics(self, req: Request) -> Reply:
        window = self._window(req.query)
        exclude = bool(req.query.get("exclude_total_leads_count", False))
        rows = []
        for campaign in self._selected(req.query):
            leads = self.ws.campaign_leads(campaign.id)
            if analytics.has_sent(leads):  # no row before the campaign has sent anything
                rows.append(
                    analytics.campaign_row(campaign, leads, window, exclude_leads_count=exclude)
                )
        return json_reply(200, rows)

    def analytics_overview(self, req: Request) -> Reply:
        window = self._window(req.query)
        chosen = [(c, self.ws.campaign_leads(c.id)) for c in self._selected(req.query)]
        expand = bool(req.query.get("expand_crm_events", False))
        return json_reply(200, analytics.overview(chosen, window, expand=expand))

    def analytics_daily(self, req: Request) -> Reply:
        window = self._window(req.query)
        leads: list[Lead] = []
        for campaign in self.ws.campaigns.values():
            if "campaign_id" in req.query and campaign.id != req.query["campaign_id"]:
                continue
            if "campaign_status" in req.query and campaign.status != req.query["campaign_status"]:
                continue
            leads.extend(self.ws.campaign_leads(campaign.id))
        return json_reply(200, analytics.daily(leads, window))

    # --- leads --------------------------------------------------------------------------------

    def create_lead(self, req: Request) -> Reply:
        body: JsonObject = req.body
        ws = self.ws
        campaign_id = body.get("campaign")
        list_id = body.get("list_id")
        if campaign_id is not None:
            self._campaign(campaign_id)
            if body.get("email") is None:
                raise _bad("body must have required property 'email'")
        elif not any(body.get(k) for k in ("email", "first_name", "last_name")):
            raise _bad("body must have one of the properties 'email', 'first_name', 'last_name'")
        if list_id is not None and list_id not in ws.lists:
            raise _not_found()
        email = body.get("email")
        if email is not None and not email_is_valid(email):
            raise _bad('body/email must match format "email"')
        key = normalise_email(email)
        if key is not None:
            same = ws.leads.with_key(key)
            here = [
                lead
                for lead in same
                if (campaign_id is not None and lead.campaign_id == campaign_id)
                or (list_id is not None and lead.list_id == list_id)
            ]
            skipping = (
                same
                if body.get("skip_if_in_workspace")
                else [x for x in same if x.campaign_id]
                if body.get("skip_if_in_campaign")
                else [x for x in same if x.list_id]
                if body.get("skip_if_in_list")
                else []
            )
            existing = here or skipping
            if existing:  # the old lead comes back unchanged
                return json_reply(200, self._lead_json(existing[0]))
        lead = new_lead(ws, body, self.host.now(), campaign_id=campaign_id, list_id=list_id)
        return json_reply(200, self._lead_json(lead))

    def add_leads(self, req: Request) -> Reply:
        body: JsonObject = req.body
        answer = bulk_add(self.ws, body, self.host.now(), self.host.plan_lead_limit)
        view = self.host.view
        answer["created_leads"] = [shown(item, view) for item in answer["created_leads"]]
        return json_reply(200, shown(answer, view))

    def list_leads(self, req: Request) -> Reply:
        """A page of leads in id order. The campaign's own index (or the workspace's) gives
        the leads from ``starting_after`` on, so a page costs about the page, not the
        workspace (filters that reject most leads still walk past them)."""
        body: JsonObject = req.body
        tests = _lead_tests(body)
        limit = body.get("limit", DEFAULT_PAGE_SIZE)
        after = body.get("starting_after")
        campaign = body.get("campaign", EVERY)
        if body.get("distinct_contacts"):  # one lead per email, paged by email
            first: dict[str, Lead] = {}
            for lead in self.ws.leads.ordered(campaign):
                if lead.key is not None and all(test(lead) for test in tests):
                    first.setdefault(lead.key, lead)
            page = _page(list(first.values()), limit, after, _lead_key, self._lead_json)
            return json_reply(200, page)
        chosen: list[Lead] = []
        if limit > 0:
            for lead in self.ws.leads.ordered(campaign, after=after):
                if all(test(lead) for test in tests):
                    chosen.append(lead)
                    if len(chosen) == limit:
                        break
        out: JsonObject = {"items": [self._lead_json(lead) for lead in chosen]}
        if chosen and len(chosen) == limit:
            out["next_starting_after"] = chosen[-1].id
        return json_reply(200, out)

    def get_lead(self, req: Request) -> Reply:
        return json_reply(200, self._lead_json(self._lead(req.params["id"])))

    def patch_lead(self, req: Request) -> Reply:
        lead = self._lead(req.params["id"])
        now = self.host.now()
        for key, value in req.body.items():
            if key == "custom_variables":
                lead.custom = dict(value)  # the whole object is replaced
                _register_variables(self.ws, lead)
            elif key == "lt_interest_status":
                set_interest(self.ws, lead, value, now, self.host.emit)
            else:
                lead.fields[key] = value
        lead.updated = now
        return json_reply(200, self._lead_json(lead))

    def delete_lead(self, req: Request) -> Reply:
        lead = self._lead(req.params["id"])
        body = self._lead_json(lead)
        del self.ws.leads[lead.id]
        return json_reply(200, body)

    def update_interest(self, req: Request) -> Reply:
        body: JsonObject = req.body
        email = body["lead_email"]
        if not email_is_valid(email):
            return json_reply(400, {"error": "Invalid lead email"})
        value = body["interest_value"]
        self.ws.pending_interest.append(
            PendingInterest(
                due=self.host.now() + timedelta(seconds=self.host.interest_delay),
                email=email,
                value=int(value) if value is not None else None,
                campaign_id=body.get("campaign_id"),
                list_id=body.get("list_id"),
            )
        )
        return json_reply(202, {"message": "Lead interest status update background job submitted"})

    # --- webhooks -----------------------------------------------------------------------------

    def webhook_event_types(self, req: Request) -> Reply:
        types = [{"id": key, "label": label, "type": "standard"} for key, label in EVENT_TYPES]
        return json_reply(200, {"event_types": types})

    def list_webhooks(self, req: Request) -> Reply:
        q = req.query
        items = [
            w
            for w in self.ws.webhooks.values()
            if ("campaign" not in q or w.fields.get("campaign") == q["campaign"])
            and ("event_type" not in q or w.fields.get("event_type") == q["event_type"])
        ]
        limit = q.get("limit", DEFAULT_PAGE_SIZE)
        page = _page(items, limit, q.get("starting_after"), _webhook_id, self._webhook_json)
        return json_reply(200, page)

    def create_webhook(self, req: Request) -> Reply:
        now = self.host.now()
        webhook = Webhook(self.ws.ids.new(now), dict(req.body), now)
        self.ws.webhooks[webhook.id] = webhook
        return json_reply(200, self._webhook_json(webhook))

    def get_webhook(self, req: Request) -> Reply:
        return json_reply(200, self._webhook_json(self._webhook(req.params["id"])))

    def patch_webhook(self, req: Request) -> Reply:
        webhook = self._webhook(req.params["id"])
        webhook.fields.update(req.body)
        return json_reply(200, self._webhook_json(webhook))

    def delete_webhook(self, req: Request) -> Reply:
        webhook = self._webhook(req.params["id"])
        del self.ws.webhooks[webhook.id]
        return json_reply(200, self._webhook_json(webhook))

    def resume_webhook(self, req: Request) -> Reply:
        webhook = self._webhook(req.params["id"])
        webhook.status = 1
        webhook.failures = 0
        webhook.timestamp_error = None
        return json_reply(200, self._webhook_json(webhook))

    def test_webhook(self, req: Request) -> Deferred:
        return self.host.test_delivery(self._webhook(req.params["id"]))


# --- state changes shared by handlers and the direct helpers ---------------------------------


def _lead_tests(body: JsonObject) -> list[Callable[[Lead], bool]]:
    """The filters of ``POST /leads/list`` other than the campaign, as predicates."""
    tests: list[Callable[[Lead], bool]] = []
    if "list_id" in body:
        list_id = body["list_id"]
        tests.append(lambda x: x.list_id == list_id)
    if "in_campaign" in body:
        in_campaign = body["in_campaign"]
        tests.append(lambda x: (x.campaign_id is not None) == in_campaign)
    if "in_list" in body:
        in_list = body["in_list"]
        tests.append(lambda x: (x.list_id is not None) == in_list)
    if "ids" in body:
        ids = set(body["ids"])
        tests.append(lambda x: x.id in ids)
    if "excluded_ids" in body:
        excluded = set(body["excluded_ids"])
        tests.append(lambda x: x.id not in excluded)
    if "contacts" in body:
        contacts = {normalise_email(c) for c in body["contacts"]}
        tests.append(lambda x: x.key in contacts)
    if body.get("search"):
        needle = str(body["search"]).lower()
        tests.append(lambda x: needle in _searchable(x))
    if body.get("filter"):
        test = _LEAD_FILTERS.get(body["filter"])
        if test is None:
            raise _bad("body/filter must be equal to one of the allowed values")
        tests.append(test)
    return tests


def _lead_key(lead: Lead) -> str:
    return lead.key or ""


def _campaign_id(campaign: Campaign) -> str:
    return campaign.id


def _webhook_id(webhook: Webhook) -> str:
    return webhook.id


def _searchable(lead: Lead) -> str:
    first = lead.fields.get("first_name") or ""
    last = lead.fields.get("last_name") or ""
    return f"{lead.email or ''} {first} {last} {first} {last}".lower()


def _register_variables(ws: Workspace, lead: Lead) -> None:
    campaign = ws.campaigns.get(lead.campaign_id or "")
    if campaign is not None:
        for name in lead.custom:
            campaign.variables.setdefault(name, "")


def activate(campaign: Campaign, now: datetime) -> None:
    """Draft or paused (or completed) -> active."""
    if campaign.status != CAMPAIGN_ACTIVE:
        campaign.status = CAMPAIGN_ACTIVE
        campaign.activated = now
        campaign.updated = now


def new_campaign(ws: Workspace, body: JsonObject, now: datetime) -> Campaign:
    fields = {k: v for k, v in body.items() if k != "name"}
    campaign = Campaign(ws.ids.new(now), body["name"], fields, now, now)
    ws.campaigns[campaign.id] = campaign
    return campaign


def new_lead(
    ws: Workspace,
    body: JsonObject,
    now: datetime,
    *,
    campaign_id: str | None,
    list_id: str | None,
    upload_method: str = "api",
) -> Lead:
    fields = {
        k: v
        for k, v in body.items()
        if k in schema.LEAD_WRITABLE and k not in ("custom_variables", "lt_interest_status")
    }
    email = body.get("email")
    lead = Lead(
        ws.ids.new(now),
        email.strip() if isinstance(email, str) else None,
        now,
        now,
        campaign_id=campaign_id,
        list_id=list_id,
        fields=fields,
        custom=dict(body.get("custom_variables") or {}),
        upload_method=upload_method,
    )
    if body.get("lt_interest_status") is not None:
        lead.interest = int(body["lt_interest_status"])
        lead.events.append(LeadEvent(now, "interest", value=lead.interest))
    ws.leads[lead.id] = lead
    _register_variables(ws, lead)
    return lead


def bulk_add(ws: Workspace, body: JsonObject, now: datetime, plan_limit: int) -> JsonObject:
    """``POST /leads/add``: every count of the real response, and ``created_leads[].index``.

    Each row meets, in order: email check (missing or malformed email; in a list, rows with
    neither email nor name are "incomplete"), a repeat of an earlier row, the blocklist, the
    skip flags, "already in this campaign/list", then creation.
    """
    campaign_id = body.get("campaign_id")
    list_id = body.get("list_id")
    if campaign_id is not None and list_id is not None:
        raise _bad("body must have either campaign_id or list_id, not both")
    if campaign_id is None and list_id is None:
        raise _bad("body must have required property 'campaign_id' or 'list_id'")
    if campaign_id is not None and campaign_id not in ws.campaigns:
        raise _not_found()
    if list_id is not None and list_id not in ws.lists:
        raise _not_found()
    counts = dict.fromkeys(
        (
            "in_blocklist",
            "duplicated_leads",
            "skipped_count",
            "invalid_email_count",
            "incomplete_count",
            "duplicate_email_count",
        ),
        0,
    )
    seen: set[str] = set()
    created: list[JsonObject] = []
    for index, row in enumerate(body["leads"]):
        email = row.get("email")
        key = normalise_email(email)
        if key is None:
            if campaign_id is not None:
                counts["invalid_email_count"] += 1
                continue
            if not (row.get("first_name") or row.get("last_name")):
                counts["incomplete_count"] += 1
                continue
        elif not email_is_valid(email):
            counts["invalid_email_count"] += 1
            continue
        if key is not None:
            if key in seen:
                counts["duplicate_email_count"] += 1
                continue
            seen.add(key)
            if ws.is_blocked(key):
                counts["in_blocklist"] += 1
                continue
            others = ws.leads.with_key(key)
            if (
                (body.get("skip_if_in_workspace") and others)
                or (body.get("skip_if_in_campaign") and any(x.campaign_id for x in others))
                or (body.get("skip_if_in_list") and any(x.list_id for x in others))
            ):
                counts["skipped_count"] += 1
                continue
            if any(
                (campaign_id is not None and x.campaign_id == campaign_id)
                or (list_id is not None and x.list_id == list_id)
                for x in others
            ):
                counts["duplicated_leads"] += 1
                continue
        data = dict(row)
        if body.get("assigned_to") and data.get("assigned_to") is None:
            data["assigned_to"] = body["assigned_to"]
        lead = new_lead(ws, data, now, campaign_id=campaign_id, list_id=list_id)
        created.append(
            {
                "index": index,
                "id": lead.id,
                "email": lead.email,
                "first_name": lead.fields.get("first_name"),
                "last_name": lead.fields.get("last_name"),
                "phone": lead.fields.get("phone"),
            }
        )
    remaining = max(0, plan_limit - len(ws.leads)) if campaign_id is not None else None
    return {
        "status": "success",
        "total_sent": len(body["leads"]),
        "leads_uploaded": len(created),
        "in_blocklist": counts["in_blocklist"],
        "blocklist_used": body.get("blocklist_id"),
        "duplicated_leads": counts["duplicated_leads"],
        "skipped_count": counts["skipped_count"],
        "invalid_email_count": counts["invalid_email_count"],
        "incomplete_count": counts["incomplete_count"],
        "duplicate_email_count": counts["duplicate_email_count"],
        "remaining_in_plan": remaining,
        "created_leads": created,
    }


def apply_interest_jobs(ws: Workspace, now: datetime, emit: Emit) -> int:
    """Apply the queued interest updates that are due; returns how many leads changed."""
    due = [job for job in ws.pending_interest if job.due <= now]
    if not due:
        return 0
    ws.pending_interest = [job for job in ws.pending_interest if job.due > now]
    changed = 0
    for job in due:
        key = normalise_email(job.email)
        for lead in ws.leads.with_key(key):
            if job.campaign_id is not None and lead.campaign_id != job.campaign_id:
                continue
            if job.list_id is not None and lead.list_id != job.list_id:
                continue
            changed += set_interest(ws, lead, job.value, job.due, emit)
    return changed
