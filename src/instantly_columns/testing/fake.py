"""FakeInstantly: a stateful, in-memory Instantly API v2 workspace for tests.

It answers the endpoints instantly-columns uses the way the real API does (auth, validation
messages, pagination quirks, rate limits, analytics recounted from leads), injects faults on
demand, simulates engagement with webhooks, and reports the traffic it saw. Use it in process
(:meth:`FakeInstantly.as_transport`, :meth:`FakeInstantly.httpx_transport`) or over a real
loopback socket (:meth:`FakeInstantly.serve`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import attrs
import httpx

from instantly_columns.errors import (
    ApiConnectionError,
    ApiTimeout,
    ConfigError,
    CredentialError,
    Problem,
    RecordNotFound,
)
from instantly_columns.ports import ApiRequest, ApiResponse, AsyncTransport, Transport
from instantly_columns.testing import _fake_schema as schema
from instantly_columns.testing import _fake_snapshot as snapshots
from instantly_columns.testing._fake_engagement import (
    DEFAULT_SENDER,
    AdvanceReport,
    Emit,
    EngagementRates,
    Simulator,
    next_sender,
    reaction_fields,
    sender_for,
    sent_fields,
    set_interest,
)
from instantly_columns.testing._fake_faults import FaultRule, Faults
from instantly_columns.testing._fake_report import (
    FakeReport,
    RequestRecord,
    SlidingLimiter,
    TimeBase,
)
from instantly_columns.testing._fake_routes import (
    Api,
    Deferred,
    Incoming,
    Reply,
    Route,
    activate,
    apply_interest_jobs,
    authenticate,
    body_too_large,
    bulk_add,
    envelope,
    json_reply,
    new_campaign,
    new_lead,
    parse_body,
    reason,
    scope_allows,
)
from instantly_columns.testing._fake_schema import ExtraKeys, SchemaViolation
from instantly_columns.testing._fake_server import LoopbackServer, Outcome
from instantly_columns.testing._fake_state import (
    LEAD_BOUNCED,
    LEAD_UNSUBSCRIBED,
    Campaign,
    JsonObject,
    KeyRecord,
    Lead,
    LeadEvent,
    LeadList,
    View,
    Webhook,
    Workspace,
    iso,
    key_digest,
    normalise_email,
)
from instantly_columns.testing._fake_webhooks import (
    DeliveryResult,
    WebhookDelivery,
    deliveries_for,
    is_loopback,
    payload,
)
from instantly_columns.testing.clock import FakeClock

__all__ = ["BASE_URL", "FakeInstantly", "WebhookReceiver"]

BASE_URL = "https://api.instantly.ai"
"""The base URL the httpx transport answers for (any host is accepted)."""

WebhookReceiver = Callable[[WebhookDelivery], "int | None"]
"""A Python webhook receiver: gets each delivery, returns the HTTP status (None means 200)."""

_SCOPE_RE = re.compile(r"^[a-z_]+:(read|create|update|delete|all)$")
_STOCK_AGENTS = ("python-urllib", "python-requests")
_DEFAULT_AGENT = "instantly-columns-tests (FakeInstantly)"
_UNREACHABLE = "unreachable: no receiver for this URL (and not a loopback URL while serving)"
_EVENT_KINDS = ("sent", "open", "click", "reply", "auto_reply", "bounce", "unsubscribe")
EventKind = Literal["sent", "open", "click", "reply", "auto_reply", "bounce", "unsubscribe"]
_EVENT_NAMES = {
    "sent": "email_sent",
    "open": "email_opened",
    "click": "link_clicked",
    "reply": "reply_received",
    "auto_reply": "auto_reply_received",
    "bounce": "email_bounced",
    "unsubscribe": "lead_unsubscribed",
}
_DEFAULT_SCHEDULE: JsonObject = {
    "schedules": [
        {
            "name": "Weekdays",
            "timing": {"from": "09:00", "to": "17:00"},
            "days": {"1": True, "2": True, "3": True, "4": True, "5": True},
            "timezone": "America/Chicago",
        }
    ]
}
_DEFAULT_SEQUENCES: list[JsonObject] = [
    {
        "steps": [
            {
                "type": "email",
                "delay": 2,
                "delay_unit": "days",
                "variants": [{"subject": "Hello {{firstName}}", "body": "Hi {{firstName}},"}],
            },
            {
                "type": "email",
                "delay": 3,
                "delay_unit": "days",
                "variants": [{"subject": "", "body": "Following up."}],
            },
        ]
    }
]


def _config_error(problem: SchemaViolation, path: str) -> ConfigError:
    return ConfigError([Problem(path, problem.message)])


class _TransportBase:
    """What the sync and async port transports share: request in, response or error out."""

    def __init__(self, fake: FakeInstantly, user_agent: str | None) -> None:
        self._fake = fake
        self._user_agent = user_agent

    def _answer(self, request: ApiRequest) -> ApiResponse:
        outcome = self._fake._process(self._incoming(request), timeout=request.timeout)
        return self._response(request, outcome)

    def _incoming(self, request: ApiRequest) -> Incoming:
        headers: dict[str, str] = {}
        if self._user_agent is not None:
            headers["user-agent"] = self._user_agent
        if request.api_key is not None:
            headers["authorization"] = f"Bearer {request.api_key.reveal()}"
        body = None
        if request.json is not None:
            # Serialised as the HTTP transport does, so body sizes match the real ones.
            body = json.dumps(request.json, separators=(",", ":"), ensure_ascii=False).encode()
            headers["content-type"] = "application/json"
        return Incoming(request.method.upper(), request.path, tuple(request.query), headers, body)

    def _response(self, request: ApiRequest, outcome: Outcome) -> ApiResponse:
        if outcome.failure == "timeout":
            raise ApiTimeout("timed out (injected)", method=request.method, path=request.path)
        if outcome.failure is not None or outcome.reply is None:
            raise ApiConnectionError(
                "connection reset (injected)", method=request.method, path=request.path
            )
        reply = outcome.reply
        return ApiResponse(reply.status, dict(reply.headers), reply.body)

    def __repr__(self) -> str:
        return f"<FakeInstantly transport of {self._fake!r}>"


class _FakeTransport(_TransportBase):
    """``ports.Transport`` over a FakeInstantly, without sockets."""

    def send(self, request: ApiRequest) -> ApiResponse:
        return self._answer(request)


class _FakeAsyncTransport(_TransportBase):
    """``ports.AsyncTransport`` over a FakeInstantly (answers at once, never awaits I/O)."""

    async def send(self, request: ApiRequest) -> ApiResponse:
        return self._answer(request)


def _timeout_of(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout") or {}
    value = timeouts.get("read")
    return float(value) if isinstance(value, int | float) else None


class FakeInstantly:
    """A fake Instantly API v2 workspace, in memory, deterministic for a given ``seed``.

    ```python
    from instantly_columns.testing import FakeInstantly
    import httpx

    fake = FakeInstantly()
    key = fake.create_api_key()
    with httpx.Client(transport=fake.httpx_transport(), base_url="https://api.instantly.ai",
                      headers={"Authorization": f"Bearer {key}"}) as http:
        assert http.get("/api/v2/workspaces/current").status_code == 200
    ```

    Arguments:
        clock: the clock of timestamps, ids and (in process) the rate limiter; a new
            ``FakeClock`` if omitted.
        seed: seeds ids, keys, faults and the engagement simulation.
        rate_limits: enforce ``per_second`` and ``per_minute`` (sliding windows, per
            workspace, across keys).
        retry_after: add ``Retry-After`` (whole seconds until a slot frees) to the
            limiter's 429s; the real API documents none.
        unpaid: answer 402 to every request (a workspace without a paid plan).
        edge_block: answer a missing, empty or stock (``python-urllib``,
            ``python-requests``) User-Agent with the edge's plain-text 403.
        extra_keys: ``"reject"`` (400 ``must NOT have additional properties``) or
            ``"drop"`` unknown keys of closed request bodies.
        interest_delay: seconds before a ``POST /leads/update-interest-status`` applies.
        plan_lead_limit: the plan size behind ``remaining_in_plan``.
        rates: default reaction probabilities of :meth:`advance`.
        webhook_retries: immediate retries of a failed webhook delivery.
        webhook_disable_after: consecutive failed events that disable a webhook
            (``status: -1``) until ``POST /webhooks/{id}/resume``.
        body_limit: answer a request body of more than this many bytes with 413, as the
            API's web framework (Fastify) does with its ``bodyLimit``; ``None`` (the default)
            accepts any size. Instantly documents no limit: Fastify's default, 1 MiB
            (``1_048_576``), is a guess at the real one.
        omit_nulls: leave out the keys whose value is null from campaign, lead, webhook and
            bulk-add answers (live responses may omit optional keys); by default every key
            the reference lists is present, nullable ones as ``null``. Test client code both
            ways.
        lead_step_base: number the steps and variants of lead objects
            (``email_opened_step``, ``stepID``...) from 0 (the default) or 1; the reference
            does not say which. Webhook payloads are 1-based whatever this says, as
            documented.
    """

    def __init__(
        self,
        *,
        clock: FakeClock | None = None,
        seed: int = 0,
        rate_limits: bool = True,
        per_second: int = 100,
        per_minute: int = 6000,
        retry_after: bool = False,
        unpaid: bool = False,
        edge_block: bool = False,
        extra_keys: ExtraKeys = "reject",
        interest_delay: float = 1.0,
        plan_lead_limit: int = 10_000,
        rates: EngagementRates | None = None,
        webhook_retries: int = 3,
        webhook_disable_after: int = 5,
        body_limit: int | None = None,
        omit_nulls: bool = False,
        lead_step_base: int = 0,
    ) -> None:
        problems = []
        if per_second < 1:
            problems.append(Problem("per_second", "must be >= 1"))
        if per_minute < 1:
            problems.append(Problem("per_minute", "must be >= 1"))
        if extra_keys not in ("reject", "drop"):
            problems.append(Problem("extra_keys", "must be 'reject' or 'drop'"))
        if interest_delay < 0:
            problems.append(Problem("interest_delay", "must be >= 0"))
        if webhook_retries < 0 or webhook_disable_after < 1:
            problems.append(Problem("webhook_retries", "retries >= 0, disable_after >= 1"))
        if body_limit is not None and body_limit < 1:
            problems.append(Problem("body_limit", "must be >= 1 byte, or None"))
        if lead_step_base not in (0, 1) or isinstance(lead_step_base, bool):
            problems.append(Problem("lead_step_base", "must be 0 or 1"))
        if problems:
            raise ConfigError(problems)
        self._clock = clock if clock is not None else FakeClock()
        self._seed = seed
        self.rate_limits = rate_limits
        self.retry_after = retry_after
        self.unpaid = unpaid
        self.edge_block = edge_block
        self.extra_keys: ExtraKeys = extra_keys
        self.interest_delay = interest_delay
        self.plan_lead_limit = plan_lead_limit
        self.rates = rates if rates is not None else EngagementRates()
        self.webhook_retries = webhook_retries
        self.webhook_disable_after = webhook_disable_after
        self.body_limit = body_limit
        self.omit_nulls = omit_nulls
        self.lead_step_base = lead_step_base
        self._limiters: dict[TimeBase, SlidingLimiter] = {
            "fake": SlidingLimiter(per_second, per_minute),
            "real": SlidingLimiter(per_second, per_minute),
        }
        self._lock = threading.RLock()
        self._workspace = Workspace.create(seed, self._clock.now())
        self._api = Api(_HostView(self))
        self._faults = Faults(seed)
        self._simulator = Simulator(seed)
        self._records: list[RequestRecord] = []
        self._count = 0
        self._outbox: list[WebhookDelivery] = []
        self._receivers: dict[str, WebhookReceiver] = {}
        self._results: list[DeliveryResult] = []
        self._serving = 0
        self._errors: list[BaseException] = []

    # --- basics -------------------------------------------------------------------------------

    @property
    def clock(self) -> FakeClock:
        """The clock behind timestamps and ids (and the limiter, in process)."""
        return self._clock

    @property
    def seed(self) -> int:
        """The seed of ids, keys, faults and engagement."""
        return self._seed

    @property
    def faults(self) -> Faults:
        """The fault knobs: ``fake.faults.timeout(endpoint="POST /api/v2/leads/add")``..."""
        return self._faults

    @property
    def workspace_id(self) -> str:
        """The workspace's id (``GET /workspaces/current``, ``organization`` of objects)."""
        return self._workspace.id

    @property
    def internal_errors(self) -> tuple[BaseException, ...]:
        """Exceptions raised inside the fake while answering (each answered 500)."""
        return tuple(self._errors)

    def now(self) -> datetime:
        """The fake clock's time."""
        return self._clock.now()

    @property
    def _view(self) -> View:
        return View(omit_nulls=bool(self.omit_nulls), step_base=int(self.lead_step_base))

    def __repr__(self) -> str:
        with self._lock:
            ws = self._workspace
            return (
                f"FakeInstantly(campaigns={len(ws.campaigns)}, leads={len(ws.leads)}, "
                f"webhooks={len(ws.webhooks)}, requests={self._count}, "
                f"now={iso(self._clock.now())})"
            )

    # --- snapshots ----------------------------------------------------------------------------

    def snapshot(self) -> JsonObject:
        """The workspace as JSON-ready data: keys (as hashes), campaigns, leads with their
        events, lists, webhooks, the clock's time, pending simulated reactions and the state
        of the seeded generators. Not the request log, fault rules or webhook receivers."""
        with self._lock:
            return snapshots.dump(self._workspace, self._simulator, self.now(), self._seed)

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any], **options: Any) -> FakeInstantly:
        """A fake that goes on from a :meth:`snapshot`, on a new ``FakeClock`` at the
        snapshot's time; ``options`` are the constructor's other arguments (``rate_limits``,
        ``rates``...)."""
        checked = snapshots.check(dict(data))
        clock = FakeClock(datetime.fromisoformat(checked["now"]))
        fake = cls(clock=clock, seed=int(checked["seed"]), **options)
        fake._workspace = snapshots.load_workspace(checked)
        fake._simulator = snapshots.load_simulator(checked)
        return fake

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`snapshot` to a JSON file (replaced atomically)."""
        target = os.fspath(path)
        temporary = f"{target}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(self.snapshot(), handle)
        os.replace(temporary, target)

    @classmethod
    def load(cls, path: str | os.PathLike[str], **options: Any) -> FakeInstantly:
        """A fake restored from a file written by :meth:`save`."""
        with open(path, encoding="utf-8") as handle:
            try:
                data = json.load(handle)
            except ValueError:
                raise ConfigError("not a FakeInstantly snapshot", path="snapshot") from None
        return cls.from_snapshot(data, **options)

    # --- keys ---------------------------------------------------------------------------------

    def create_api_key(self, name: str = "test", scopes: Iterable[str] | None = None) -> str:
        """Add an API key to the workspace and return its raw value (shown once, as in the app).

        ``scopes`` like ``["campaigns:read", "leads:all"]``; None grants ``all:all``.
        """
        scope_tuple = None if scopes is None else tuple(scopes)
        if scope_tuple is not None:
            bad = [s for s in scope_tuple if not _SCOPE_RE.match(s)]
            if bad:
                raise ConfigError(
                    [Problem("scopes", f"not <resource>:<action>: {s!r}") for s in bad]
                )
        with self._lock:
            raw = self._workspace.ids.raw_key()
            now = self._clock.now()
            record = KeyRecord(
                self._workspace.ids.new(now), name, key_digest(raw), scope_tuple, now
            )
            self._workspace.keys[record.digest] = record
        return raw

    def revoke_api_key(self, key: str) -> None:
        """Revoke a key: later requests with it get 401."""
        with self._lock:
            record = self._workspace.keys.get(key_digest(key))
            if record is None:
                raise CredentialError("that key does not belong to this workspace")
            record.revoked = True

    # --- ways in ------------------------------------------------------------------------------

    def as_transport(self, *, user_agent: str | None = _DEFAULT_AGENT) -> Transport:
        """Our ``Transport`` port answered in process. Injected timeouts raise ``ApiTimeout``,
        resets ``ApiConnectionError``. ``user_agent`` is the header the edge check sees."""
        return _FakeTransport(self, user_agent)

    def as_async_transport(self, *, user_agent: str | None = _DEFAULT_AGENT) -> AsyncTransport:
        """The ``AsyncTransport`` twin of :meth:`as_transport`."""
        return _FakeAsyncTransport(self, user_agent)

    def httpx_transport(self) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` for ``httpx.Client`` or ``httpx.AsyncClient`` (no sockets).

        Injected timeouts raise ``httpx.ReadTimeout``; resets raise ``httpx.ConnectError``
        (before the request is applied) or ``httpx.RemoteProtocolError`` (after).
        """
        return httpx.MockTransport(self._httpx_handler)

    def _httpx_handler(self, request: httpx.Request) -> httpx.Response:
        incoming = Incoming(
            request.method.upper(),
            request.url.path,
            tuple(request.url.params.multi_items()),
            {k.lower(): v for k, v in request.headers.items()},
            request.content or None,
        )
        outcome = self._process(incoming, timeout=_timeout_of(request))
        if outcome.failure == "timeout":
            raise httpx.ReadTimeout("timed out (injected)", request=request)
        if outcome.failure is not None or outcome.reply is None:
            if outcome.after_apply:
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                )
            raise httpx.ConnectError("connection reset (injected)", request=request)
        reply = outcome.reply
        return httpx.Response(reply.status, headers=dict(reply.headers), content=reply.body)

    @contextlib.contextmanager
    def serve(self, *, real_time: bool = True) -> Iterator[str]:
        """Serve the fake on ``127.0.0.1`` (ephemeral port) and yield its base URL.

        With ``real_time`` the rate limiter and latency faults use real time (clients
        sleeping for real see their windows move); timestamps still come from the clock.
        While serving, webhook events are POSTed to loopback ``target_hook_url``s.
        """
        server = LoopbackServer(
            lambda incoming: self._process(incoming, timeout=None, real_time=real_time)
        )
        base_url = server.start()
        with self._lock:
            self._serving += 1
        try:
            yield base_url
        finally:
            with self._lock:
                self._serving -= 1
            server.stop()

    # --- the pipeline -------------------------------------------------------------------------

    def _process(
        self, incoming: Incoming, *, timeout: float | None, real_time: bool = False
    ) -> Outcome:
        base: TimeBase = "real" if real_time else "fake"
        deferred: Deferred | None = None
        reply: Reply | None = None
        limited = False
        with self._lock:
            self._outbox = []
            at = time.monotonic() if real_time else self._clock.monotonic()
            timestamp = self._clock.now()
            apply_interest_jobs(self._workspace, timestamp, self._emit)
            self._count += 1
            number = self._count
            matched = self._api.match(incoming.method, incoming.path)
            template = matched[0].template if matched else None
            plan = self._faults._plan(number, incoming.method, incoming.path, template)
            rule = plan.rule
            before = rule is not None and not rule.after_apply
            if not before:
                answer, limited = self._respond(self._real_cursor(incoming), matched, at, base)
                if isinstance(answer, Deferred):
                    deferred = answer
                else:
                    reply = answer
            pending = self._outbox
            self._outbox = []
        if deferred is not None:
            reply = deferred.run()
        outcome = Outcome(reply, latency=plan.latency)
        if rule is not None:
            outcome = self._fault_outcome(rule, reply, timeout, plan.latency)
        if not real_time:  # in process, waiting is the fake clock moving
            waited = plan.latency
            if outcome.failure == "timeout":
                waited += outcome.seconds or 0.0
            if waited > 0:
                self._clock.advance(waited)
        with self._lock:
            self._records.append(
                RequestRecord(
                    number=number,
                    method=incoming.method,
                    path=incoming.path,
                    endpoint=template,
                    query=tuple(incoming.query),
                    json=_loggable_body(incoming.body),
                    headers=_redacted(incoming.headers),
                    status=outcome.reply.status if outcome.reply is not None else None,
                    at=at,
                    timestamp=timestamp,
                    time_base=base,
                    rate_limited=limited,
                    fault=rule.kind if rule is not None else None,
                )
            )
        self._deliver(pending)
        return outcome

    def _respond(
        self,
        incoming: Incoming,
        matched: tuple[Route, dict[str, str]] | None,
        at: float,
        base: TimeBase,
    ) -> tuple[Reply | Deferred, bool]:
        headers = incoming.headers
        if self.edge_block:
            agent = headers.get("user-agent", "").strip().lower()
            if not agent or agent.startswith(_STOCK_AGENTS):
                return Reply(403, b"error code: 1010", {"content-type": "text/plain"}), False
        key = authenticate(self._workspace, headers)
        if isinstance(key, Reply):
            return key, False
        if self.unpaid:
            return envelope(402, "Workspace does not have an active paid plan"), False
        if self.rate_limits:
            wait = self._limiters[base].admit(at)
            if wait is not None:
                extra = {"retry-after": str(max(1, math.ceil(wait)))} if self.retry_after else {}
                return envelope(429, "Rate limit exceeded", extra), True
        if matched is None:
            route_name = f"{incoming.method}:{incoming.path}"
            return json_reply(
                404,
                {
                    "message": f"Route {route_name} not found",
                    "error": "Not Found",
                    "statusCode": 404,
                },
            ), False
        route, params = matched
        if not scope_allows(key.scopes, route.scope):
            needed = ":".join(route.scope or ())
            return envelope(403, f"API key is missing the required scope {needed}"), False
        if self.body_limit is not None and len(incoming.body or b"") > self.body_limit:
            return body_too_large(), False
        parsed = parse_body(incoming)
        if isinstance(parsed, Reply):
            return parsed, False
        present, body = parsed
        try:
            return self._api.dispatch(route, params, incoming, present, body), False
        except Exception as exc:  # a bug in the fake: answer 500 and keep it for the test
            self._errors.append(exc)
            return envelope(500, f"Internal Server Error ({type(exc).__name__})"), False

    def _fault_outcome(
        self, rule: FaultRule, reply: Reply | None, timeout: float | None, latency: float
    ) -> Outcome:
        after = rule.after_apply
        if rule.kind == "timeout":
            seconds = rule.seconds if rule.seconds is not None else timeout
            return Outcome(None, "timeout", after, latency, seconds)
        if rule.kind == "connection_reset":
            return Outcome(None, "reset", after, latency)
        if rule.kind == "rate_limit":
            extra = {"retry-after": f"{rule.retry_after:g}"} if rule.retry_after is not None else {}
            return Outcome(envelope(429, "Rate limit exceeded", extra), None, after, latency)
        if rule.kind == "server_error":
            status = rule.status or 500
            return Outcome(envelope(status, reason(status)), None, after, latency)
        if rule.kind == "error_body":
            body = {"error": rule.message or "Internal error"}
            return Outcome(json_reply(200, body), None, after, latency)
        if rule.kind in ("empty_page", "page_cursor", "numeric_cursor"):
            return Outcome(self._page_fault(rule, reply), None, True, latency)
        if rule.kind == "malformed_json":
            base = reply or json_reply(200, {})
            cut = base.body[: len(base.body) // 2] if len(base.body) > 2 else b'{"items": ['
            return Outcome(Reply(base.status, cut, base.headers), None, True, latency)
        return Outcome(reply, None, after, latency)  # pragma: no cover - latency never decides

    def _page_fault(self, rule: FaultRule, reply: Reply | None) -> Reply | None:
        """A list page changed by a page fault; any other answer as it was."""
        if reply is None or reply.status != 200:
            return reply
        try:
            page = json.loads(reply.body)
        except ValueError:
            return reply
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            return reply
        cursor = page.get("next_starting_after")
        if rule.kind == "empty_page":
            page["items"] = []
            if rule.cursor is not None:
                page["next_starting_after"] = rule.cursor
        elif rule.kind == "page_cursor":
            page["next_starting_after"] = rule.cursor
        elif isinstance(cursor, str):  # numeric_cursor
            page["next_starting_after"] = self._faults._number_for(cursor)
        return json_reply(
            200, page, {k: v for k, v in reply.headers.items() if k != "content-type"}
        )

    def _real_cursor(self, incoming: Incoming) -> Incoming:
        """The request with a ``starting_after`` that a ``numeric_cursor`` fault handed out
        (the number, or its text) replaced by the cursor it stands for."""
        faults = self._faults
        query = tuple(
            (name, faults._cursor_for(value) or value)
            if name == "starting_after"
            else (name, value)
            for name, value in incoming.query
        )
        body = incoming.body
        if body and b"starting_after" in body:
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if isinstance(data, dict):
                real = faults._cursor_for(data.get("starting_after"))
                if real is not None:
                    body = json.dumps({**data, "starting_after": real}).encode()
        if query == incoming.query and body is incoming.body:
            return incoming
        return attrs.evolve(incoming, query=query, body=body)

    # --- webhooks -----------------------------------------------------------------------------

    def _emit(
        self,
        event_type: str,
        at: datetime,
        campaign: Campaign | None,
        lead: Lead | None,
        extra: dict[str, Any],
    ) -> None:
        event = payload(self._workspace, event_type, at, campaign, lead, extra)
        self._outbox.extend(
            deliveries_for(self._workspace, event, campaign.id if campaign else None)
        )

    def add_webhook_receiver(self, url: str, receiver: WebhookReceiver) -> None:
        """Deliver events for webhooks whose ``target_hook_url`` is ``url`` to ``receiver``.

        The receiver returns the HTTP status to report (None means 200) or raises to fail.
        """
        with self._lock:
            self._receivers[url] = receiver

    def remove_webhook_receiver(self, url: str) -> None:
        """Stop delivering to the receiver of ``url`` (its events become unreachable)."""
        with self._lock:
            self._receivers.pop(url, None)

    @property
    def deliveries(self) -> tuple[DeliveryResult, ...]:
        """Every webhook delivery attempt so far, in order."""
        with self._lock:
            return tuple(self._results)

    def _attempt(self, delivery: WebhookDelivery) -> DeliveryResult:
        with self._lock:
            receiver = self._receivers.get(delivery.url)
            serving = self._serving > 0
        if receiver is not None:
            try:
                status = receiver(delivery)
            except Exception as exc:
                return DeliveryResult(delivery, None, f"{type(exc).__name__}: {exc}")
            return DeliveryResult(delivery, 200 if status is None else int(status))
        if serving and is_loopback(delivery.url):
            try:
                with httpx.Client(timeout=5.0) as client:
                    answer = client.post(
                        delivery.url, content=delivery.body, headers=dict(delivery.headers)
                    )
            except httpx.HTTPError as exc:
                return DeliveryResult(delivery, None, f"{type(exc).__name__}: {exc}")
            return DeliveryResult(delivery, answer.status_code)
        return DeliveryResult(delivery, None, _UNREACHABLE)

    def _deliver(self, pending: Sequence[WebhookDelivery]) -> None:
        """Deliver queued events (without the lock): retries, duplicates, disabling."""
        for delivery in pending:
            with self._lock:  # disabled (or deleted) since the event was queued: dropped
                webhook = self._workspace.webhooks.get(delivery.webhook_id)
                if webhook is None or webhook.status != 1:
                    continue
            results = [self._attempt(delivery)]
            reachable = results[0].error != _UNREACHABLE
            while reachable and not results[-1].ok and len(results) <= self.webhook_retries:
                results.append(self._attempt(attrs.evolve(delivery, attempt=len(results))))
            ok = results[-1].ok
            duplicates = self._faults.duplicate_webhooks
            if ok and duplicates > 0 and self._faults._draw() < duplicates:
                results.append(self._attempt(attrs.evolve(delivery, duplicate=True)))
            with self._lock:
                self._results.extend(results)
                webhook = self._workspace.webhooks.get(delivery.webhook_id)
                if webhook is None or not reachable:
                    continue
                if ok:
                    webhook.failures = 0
                    continue
                webhook.failures += 1
                if webhook.failures >= self.webhook_disable_after and webhook.status == 1:
                    webhook.status = -1
                    webhook.timestamp_error = self._clock.now()

    def _test_delivery(self, webhook: Webhook) -> Deferred:
        """The ``POST /webhooks/{id}/test`` answer, computed outside the lock (internal)."""
        now = self._clock.now()
        event = {
            "timestamp": iso(now),
            "event_type": "test",
            "workspace": self._workspace.id,
            "campaign_id": webhook.fields.get("campaign"),
            "campaign_name": None,
        }
        headers = {"content-type": "application/json", **(webhook.fields.get("headers") or {})}
        delivery = WebhookDelivery(
            webhook.id,
            webhook.fields["target_hook_url"],
            "test",
            event,
            headers,
            json.dumps(event).encode(),
        )

        def run() -> Reply:
            started = time.monotonic()
            result = self._attempt(delivery)
            elapsed = round((time.monotonic() - started) * 1000)
            with self._lock:
                self._results.append(result)
            if result.ok:
                body: JsonObject = {
                    "success": True,
                    "message": "Webhook test successful",
                    "status_code": result.status,
                    "response_time_ms": elapsed,
                }
            else:
                body = {
                    "success": False,
                    "message": "Webhook test failed",
                    "response_time_ms": elapsed,
                }
                if result.status is not None:
                    body["status_code"] = result.status
                body["error"] = result.error or f"HTTP {result.status}"
            return json_reply(200, body)

        return Deferred(run)

    # --- time and engagement ------------------------------------------------------------------

    def advance(
        self,
        by: float | timedelta = timedelta(days=1),
        *,
        rates: EngagementRates | None = None,
        seed: int | None = None,
    ) -> AdvanceReport:
        """Let time pass: active campaigns send their due steps and recipients react.

        Moves the clock by ``by`` (seconds or a timedelta), processing sends and reactions in
        time order: each email may bounce, be opened (again), clicked, replied to (with an
        interest status), auto-replied or lead to an unsubscribe, with ``rates`` (default
        ``fake.rates``). Lead counters, statuses and timestamps change, and webhook events
        are delivered. Reactions due after the window wait for the next call. ``seed`` makes
        this call's draws independent of earlier calls.
        """
        seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
        if seconds < 0:
            raise ConfigError("time only moves forward", path="by")
        with self._lock:
            self._outbox = []
            start = self._clock.now()
            end = start + timedelta(seconds=seconds)
            apply_interest_jobs(self._workspace, start, self._emit)
            report = self._simulator.run(
                self._workspace,
                start,
                end,
                rates or self.rates,
                self._emit,
                self._move_clock,
                seed,
            )
            apply_interest_jobs(self._workspace, end, self._emit)
            pending = self._outbox
            self._outbox = []
        self._deliver(pending)
        return report

    def _move_clock(self, moment: datetime) -> None:
        gap = (moment - self._clock.now()).total_seconds()
        if gap > 0:
            self._clock.advance(gap)

    def flush_jobs(self) -> int:
        """Apply every queued interest update now, due or not; returns how many leads changed."""
        with self._lock:
            self._outbox = []
            for job in self._workspace.pending_interest:
                job.due = min(job.due, self._clock.now())
            changed = apply_interest_jobs(self._workspace, self._clock.now(), self._emit)
            pending = self._outbox
            self._outbox = []
        self._deliver(pending)
        return changed

    def engage(
        self,
        lead_id: str,
        kind: EventKind,
        *,
        step: int = 1,
        variant: int = 1,
        text: str | None = None,
    ) -> JsonObject:
        """Record one event on a lead now (1-based ``step``/``variant``), as if it happened.

        ``bounce`` and ``unsubscribe`` also change the lead's status. The event's webhook is
        delivered with the same keys ``advance`` gives it: a ``sent`` goes out from the next
        sender of the campaign's ``email_list`` (recorded as ``last_contacted_from``), and
        a ``reply`` or ``auto_reply`` carries every reply field, its text being ``text`` (a
        stock reply if omitted). Returns the lead as the API shows it.
        """
        if kind not in _EVENT_KINDS:
            raise ConfigError(f"unknown event kind {kind!r}", path="kind")
        if step < 1 or variant < 1:
            raise ConfigError("step and variant are 1-based", path="step")
        if text is not None and kind not in ("reply", "auto_reply"):
            raise ConfigError("only replies have a text", path="text")
        with self._lock:
            self._outbox = []
            lead = self._lead_record(lead_id)
            now = self._clock.now()
            ws = self._workspace
            campaign = ws.campaigns.get(lead.campaign_id or "")
            sender = None
            if kind == "sent":
                sender = next_sender(campaign) if campaign is not None else DEFAULT_SENDER
            event = LeadEvent(now, kind, step - 1, variant - 1, sender=sender)
            lead.events.append(event)
            lead.updated = now
            if kind == "bounce":
                lead.status = LEAD_BOUNCED
            elif kind == "unsubscribe":
                lead.status = LEAD_UNSUBSCRIBED
            if kind == "sent":
                extra = sent_fields(ws, campaign, lead, event)
            elif kind == "unsubscribe":
                extra = {"email_account": sender_for(campaign, lead, event.step)}
            else:
                extra = reaction_fields(ws, campaign, lead, event, text)
            self._emit(_EVENT_NAMES[kind], now, campaign, lead, extra)
            body = lead.to_json(ws.id, self._view)
            pending = self._outbox
            self._outbox = []
        self._deliver(pending)
        return body

    def set_interest(self, lead_id: str, value: int | None) -> JsonObject:
        """Set a lead's interest status now (no 202 delay) and deliver its webhook event.

        ``value`` is one of the nine documented codes, ``None`` (back to "Lead"), or any
        other integer, which stands for a custom label: the lead carries that number, as a
        real one does, and no webhook event is delivered (the fake keeps no label names)."""
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError("must be an integer interest status or None", path="value")
        with self._lock:
            self._outbox = []
            lead = self._lead_record(lead_id)
            set_interest(self._workspace, lead, value, self._clock.now(), self._emit)
            body = lead.to_json(self._workspace.id, self._view)
            pending = self._outbox
            self._outbox = []
        self._deliver(pending)
        return body

    # --- reports ------------------------------------------------------------------------------

    def report(self) -> FakeReport:
        """Requests per endpoint, per-window counts, peak rates, limit violations, faults."""
        with self._lock:
            return FakeReport._build(self._records, self._faults.log)

    @property
    def requests(self) -> tuple[RequestRecord, ...]:
        """Every request received so far (``Authorization`` redacted)."""
        with self._lock:
            return tuple(self._records)

    # --- direct state helpers (no HTTP, no rate limit) ----------------------------------------

    def create_campaign(
        self,
        name: str = "Test campaign",
        *,
        sequences: list[JsonObject] | None = None,
        campaign_schedule: JsonObject | None = None,
        active: bool = False,
        **settings: Any,
    ) -> JsonObject:
        """Create a campaign directly (validated like ``POST /campaigns``); return its JSON.

        Defaults: a two-step sequence and a weekday 09:00-17:00 America/Chicago schedule.
        ``active=True`` activates it at once. Other keyword arguments are campaign settings
        (``email_list``, ``daily_limit``, ``stop_on_reply``...).
        """
        body: JsonObject = {
            "name": name,
            "campaign_schedule": campaign_schedule or _DEFAULT_SCHEDULE,
            "sequences": sequences if sequences is not None else _DEFAULT_SEQUENCES,
            **settings,
        }
        try:
            body = schema.validate(body, schema.CAMPAIGN_CREATE, root="campaign")
        except SchemaViolation as problem:
            raise _config_error(problem, "campaign") from None
        body = json.loads(json.dumps(body))  # own copy, as if it came over the wire
        with self._lock:
            now = self._clock.now()
            campaign = new_campaign(self._workspace, body, now)
            if active:
                activate(campaign, now)
            return self._workspace.campaign_json(campaign, self._view)

    def create_list(self, name: str = "Test list") -> JsonObject:
        """Create a lead list (a target for leads outside campaigns); return ``{id, name}``."""
        with self._lock:
            now = self._clock.now()
            item = LeadList(self._workspace.ids.new(now), name, now)
            self._workspace.lists[item.id] = item
            return {"id": item.id, "name": item.name, "timestamp_created": iso(now)}

    def add_leads(self, target: str, leads: Iterable[str | Mapping[str, Any]]) -> list[JsonObject]:
        """Add leads directly to a campaign or list (``target`` id); return the created leads.

        Items are emails or dicts of lead fields (``email``, ``first_name``...,
        ``custom_variables``). Rows follow the ``POST /leads/add`` rules (duplicates and
        invalid emails are not created), without its 1000-row cap.
        """
        rows = [{"email": item} if isinstance(item, str) else dict(item) for item in leads]
        item_schema = schema.LEADS_ADD["properties"]["leads"]["items"]
        try:
            rows = [
                schema.validate(row, item_schema, root=f"leads/{i}") for i, row in enumerate(rows)
            ]
        except SchemaViolation as problem:
            raise _config_error(problem, "leads") from None
        with self._lock:
            ws = self._workspace
            if target in ws.campaigns:
                where = "campaign_id"
            elif target in ws.lists:
                where = "list_id"
            else:
                raise RecordNotFound(f"no campaign or list with id {target}")
            created: list[JsonObject] = []
            for start in range(0, len(rows), 1000):
                body = {where: target, "leads": rows[start : start + 1000]}
                result = bulk_add(ws, body, self._clock.now(), self.plan_lead_limit)
                created += [
                    ws.leads[x["id"]].to_json(ws.id, self._view) for x in result["created_leads"]
                ]
            return created

    def add_lead(self, target: str, email: str | None = None, **fields: Any) -> JsonObject:
        """Create one lead directly (no dedupe), e.g. ``fake.add_lead(cid, "a@b.co",
        first_name="Ada")``; return its JSON."""
        with self._lock:
            ws = self._workspace
            if target not in ws.campaigns and target not in ws.lists:
                raise RecordNotFound(f"no campaign or list with id {target}")
            body = {"email": email, **fields}
            try:
                body = schema.validate(
                    body, schema.LEADS_ADD["properties"]["leads"]["items"], root="lead"
                )
            except SchemaViolation as problem:
                raise _config_error(problem, "lead") from None
            in_campaign = target in ws.campaigns
            lead = new_lead(
                ws,
                body,
                self._clock.now(),
                campaign_id=target if in_campaign else None,
                list_id=None if in_campaign else target,
            )
            return lead.to_json(ws.id, self._view)

    def block(self, *entries: str) -> None:
        """Add emails or domains to the workspace blocklist (``in_blocklist`` on bulk add)."""
        with self._lock:
            for entry in entries:
                key = normalise_email(entry)
                if key:
                    self._workspace.blocklist.add(key)

    def activate(self, campaign_id: str) -> JsonObject:
        """Activate a campaign directly; return its JSON."""
        with self._lock:
            campaign = self._campaign_record(campaign_id)
            activate(campaign, self._clock.now())
            return self._workspace.campaign_json(campaign, self._view)

    # --- reading state ------------------------------------------------------------------------

    def campaigns(self) -> list[JsonObject]:
        """Every campaign, as ``GET /campaigns/{id}`` shows it, in id order."""
        with self._lock:
            ws = self._workspace
            return [
                ws.campaign_json(c, self._view) for c in sorted(ws.campaigns.values(), key=_by_id)
            ]

    def campaign(self, campaign_id: str) -> JsonObject:
        """One campaign as ``GET /campaigns/{id}`` shows it; ``RecordNotFound`` if unknown."""
        with self._lock:
            return self._workspace.campaign_json(self._campaign_record(campaign_id), self._view)

    def leads(
        self, campaign_id: str | None = None, *, list_id: str | None = None
    ) -> list[JsonObject]:
        """Leads as the API shows them, in id order: of one campaign, one list, or all."""
        with self._lock:
            ws = self._workspace
            chosen = [
                lead
                for lead in ws.leads.values()
                if (campaign_id is None or lead.campaign_id == campaign_id)
                and (list_id is None or lead.list_id == list_id)
            ]
            return [lead.to_json(ws.id, self._view) for lead in sorted(chosen, key=_by_id)]

    def lead(self, lead_id: str) -> JsonObject:
        """One lead as ``GET /leads/{id}`` shows it; ``RecordNotFound`` if unknown."""
        with self._lock:
            return self._lead_record(lead_id).to_json(self._workspace.id, self._view)

    def lead_by_email(self, email: str, campaign_id: str | None = None) -> JsonObject | None:
        """The first lead with this email (in ``campaign_id`` if given), or None."""
        key = normalise_email(email)
        with self._lock:
            for lead in sorted(self._workspace.leads.values(), key=_by_id):
                if lead.key == key and (campaign_id is None or lead.campaign_id == campaign_id):
                    return lead.to_json(self._workspace.id, self._view)
        return None

    def webhooks(self) -> list[JsonObject]:
        """Every webhook subscription, as the API shows it, in id order."""
        with self._lock:
            ws = self._workspace
            return [w.to_json(ws.id, self._view) for w in sorted(ws.webhooks.values(), key=_by_id)]

    def _campaign_record(self, campaign_id: str) -> Campaign:
        campaign = self._workspace.campaigns.get(campaign_id)
        if campaign is None:
            raise RecordNotFound(f"no campaign with id {campaign_id}")
        return campaign

    def _lead_record(self, lead_id: str) -> Lead:
        lead = self._workspace.leads.get(lead_id)
        if lead is None:
            raise RecordNotFound(f"no lead with id {lead_id}")
        return lead


class _HostView:
    """What the route handlers may see of a FakeInstantly (keeps its public surface small)."""

    def __init__(self, fake: FakeInstantly) -> None:
        self._fake = fake

    @property
    def workspace(self) -> Workspace:
        return self._fake._workspace

    @property
    def extra_keys(self) -> ExtraKeys:
        return self._fake.extra_keys

    @property
    def interest_delay(self) -> float:
        return self._fake.interest_delay

    @property
    def plan_lead_limit(self) -> int:
        return self._fake.plan_lead_limit

    @property
    def view(self) -> View:
        return self._fake._view

    def now(self) -> datetime:
        return self._fake.now()

    @property
    def emit(self) -> Emit:
        return self._fake._emit

    def test_delivery(self, webhook: Webhook) -> Deferred:
        return self._fake._test_delivery(webhook)


def _by_id(item: Campaign | Lead | Webhook) -> str:
    return item.id


def _redacted(headers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, "<redacted>" if name == "authorization" else value)
        for name, value in sorted(headers.items())
    )


def _loggable_body(body: bytes | None) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body.decode("utf-8", "replace")
