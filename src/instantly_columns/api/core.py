"""The API client's logic, written once, without I/O: the typed Instantly API as flows.

Each operation of [`ApiCore`][instantly_columns.api.core.ApiCore] is a generator of the
engine's effects (see `instantly_columns.engine.effects`): it builds the request, sends it with
rate limiting and retries, maps errors and parses the answer into a typed result. The sync and
async clients run these flows through the engine's two drivers, and the service's flows compose
them directly (``result = yield from core.add_leads(...)``), so behaviour cannot drift between
the three. The clock is read directly (reading is instant); only sleeping is an effect.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import attrs
from pydantic import BaseModel, ValidationError

from instantly_columns.api import _wire
from instantly_columns.api._retry import Failure, parse_retry_after, retry_delay, should_retry
from instantly_columns.api.ratelimit import RateLimiter
from instantly_columns.api.results import (
    AnalyticsOverview,
    BulkAddResult,
    Campaign,
    CampaignAnalytics,
    DailyAnalytics,
    KeyCheck,
    Lead,
    Page,
    ResultList,
    Webhook,
    WebhookEventType,
    WebhookTestResult,
)
from instantly_columns.config import ClientSettings
from instantly_columns.domain._json import JsonLimitError, check_json_limits, loads_limited
from instantly_columns.domain.problems import join_path, problems_from_validation
from instantly_columns.domain.push import BULK_LIMIT
from instantly_columns.domain.timezones import ACCEPTED_TIMEZONES, resolve_timezone
from instantly_columns.engine.effects import Flow, call, collect, emit, wait
from instantly_columns.errors import (
    ApiConnectionError,
    ApiError,
    ApiResponseError,
    ApiStatusError,
    ApiTimeout,
    BadRequest,
    ConfigError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PaymentRequired,
    Problem,
    RateLimited,
    ServerError,
    Unauthorized,
    Unprocessable,
)
from instantly_columns.ports import ApiKey, ApiRequest, ApiResponse, Clock

__all__ = [
    "DEFAULT_SCHEDULE",
    "EMPTY_PAGES_WITH_CURSOR",
    "REQUEST_ID_HEADERS",
    "ApiCore",
    "Cursors",
    "EmptyPageStep",
    "after_empty_page",
    "bulk_add_body",
    "page_cursor",
    "request_id",
    "status_error",
]

T = TypeVar("T")
_M = TypeVar("_M", bound=BaseModel)

logger = logging.getLogger("instantly_columns")

API = "/api/v2"

DEFAULT_SCHEDULE: Mapping[str, Any] = {
    "schedules": [
        {
            "name": "Weekdays",
            "timing": {"from": "09:00", "to": "17:00"},
            "days": {"1": True, "2": True, "3": True, "4": True, "5": True},
            "timezone": "America/Chicago",
        }
    ]
}
"""Used when `create_campaign` gets no schedule: Monday to Friday, 09:00-17:00 US Central."""

_EXCERPT = 200
_ERROR_ONLY_KEYS = frozenset({"error", "message", "statusCode"})
_EDGE_BLOCK = (
    "blocked by the API's edge before reaching Instantly (a non-JSON 403); this usually means "
    "the User-Agent header was missing or rejected"
)


# --- errors --------------------------------------------------------------------------------

_STATUS_CLASSES: dict[int, type[ApiStatusError]] = {
    400: BadRequest,
    401: Unauthorized,
    402: PaymentRequired,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: Unprocessable,
    429: RateLimited,
}


def _redact(text: str, key: ApiKey | None) -> str:
    if key is not None:
        secret = key.reveal()
        if secret and secret in text:
            text = text.replace(secret, "[redacted]")
    return text


def _redacted_cut(text: str, key: ApiKey | None, limit: int) -> str:
    """At most ``limit`` characters of ``text`` without the key: redacted whole, then cut, so
    a key that straddles the cut cannot survive in part."""
    return _redact(text, key)[:limit]


def _decode_json(body: bytes) -> tuple[bool, Any]:
    """``(True, value)``, or ``(False, None)`` for a body that is not JSON we can read (not
    UTF-8, not JSON, nested too deeply, an integer too long: see `loads_limited`)."""
    try:
        return True, loads_limited(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False, None


REQUEST_ID_HEADERS: tuple[str, ...] = ("x-request-id", "request-id", "cf-ray")
"""Headers read, in this order, for the id of a response (Instantly documents none; its edge
is Cloudflare, which sends `cf-ray` with every answer)."""


def request_id(response: ApiResponse) -> str | None:
    """The response's request id (see `REQUEST_ID_HEADERS`), cut to 200 printable
    characters; `None` when it carries none."""
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value is None:
            continue
        text = "".join(ch for ch in value.strip() if 32 <= ord(ch) < 127)[:200]
        if text:
            return text
    return None


def _response_date(response: ApiResponse) -> datetime | None:
    value = response.headers.get("date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def status_error(
    response: ApiResponse, request: ApiRequest, *, now: datetime | None = None
) -> ApiStatusError:
    """The exception for an error response: the class by status, the message from the body.

    400 `BadRequest`, 401 `Unauthorized`, 402 `PaymentRequired`, 403 `Forbidden`, 404
    `NotFound`, 409 `Conflict`, 413 `PayloadTooLarge`, 422 `Unprocessable`, 429
    `RateLimited` (with `retry_after`
    read from `Retry-After`, seconds or an HTTP date relative to `now` or else to the
    response's `Date`), 5xx `ServerError`; any other status `ApiStatusError`. Each carries
    `status_code`, the method and path, and the response's `request_id`. The message is
    the envelope's `message` (or `error`); a 403 whose body is not JSON is reported as an edge
    block. The API key is removed from the message and the body excerpt, should the body echo
    it (from the whole text, before either is cut).
    """
    status = response.status
    is_json, data = _decode_json(response.body)
    message = ""
    if is_json and isinstance(data, dict):
        for field in ("message", "error"):
            value = data.get(field)
            if isinstance(value, str) and value.strip():
                message = value.strip()
                break
    elif status == 403:
        message = _EDGE_BLOCK
    if not message:
        try:
            message = HTTPStatus(status).phrase
        except ValueError:
            message = "error"
    message = _redacted_cut(message, request.api_key, 300)
    excerpt = _redacted_cut(response.body.decode("utf-8", "replace"), request.api_key, _EXCERPT)
    method, path, rid = request.method, request.path, request_id(response)
    if status == 429:
        retry_after = parse_retry_after(
            response.headers.get("retry-after"), now or _response_date(response)
        )
        return RateLimited(
            message,
            status=status,
            body_excerpt=excerpt,
            retry_after=retry_after,
            method=method,
            path=path,
            request_id=rid,
        )
    cls = _STATUS_CLASSES.get(status) or (ServerError if status >= 500 else ApiStatusError)
    return cls(
        message, status=status, body_excerpt=excerpt, method=method, path=path, request_id=rid
    )


def _is_edge_block(response: ApiResponse) -> bool:
    is_json, data = _decode_json(response.body)
    return response.status == 403 and not (is_json and isinstance(data, dict))


# --- input helpers -------------------------------------------------------------------------


def _validated(model: type[_M], data: Any, path: str) -> _M:
    if isinstance(data, BaseModel) or not isinstance(data, Mapping):
        raise ConfigError("must be a mapping", path=path)
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(exc, path)) from None


def _require_id(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("must be a non-empty string", path=path)
    return value


def _require_uuid(value: Any, path: str) -> str:
    """An Instantly id: the API documents campaign, lead and webhook ids as UUIDs and
    answers anything else with a 400, so it is refused here, without echoing the value."""
    text = _require_id(value, path)
    if not _wire.is_uuid(text):
        raise ConfigError(
            "must be an Instantly id, a UUID such as 0199b1c4-5e1f-7b2a-9c3d-4e5f6a7b8c9d",
            path=path,
        )
    return text


def _segment(value: Any, path: str) -> str:
    """An id in a URL path: every id there is a UUID (campaigns, leads, webhooks)."""
    return quote(_require_uuid(value, path), safe="")


_CAMPAIGN_STATUSES = (-99, -1, -2, 0, 1, 2, 3, 4)


def _campaign_status(value: int | None, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError("must be an integer campaign status code", path=path)
    if value not in _CAMPAIGN_STATUSES:
        codes = ", ".join(str(code) for code in _CAMPAIGN_STATUSES)
        raise ConfigError(f"must be a campaign status code: {codes}", path=path)
    return value


def _event_type(value: str | None, path: str) -> str | None:
    try:
        return _wire.check_event_type(value)
    except ValueError as exc:
        raise ConfigError(str(exc), path=path) from None


def _timezone_problems(schedule: Mapping[str, Any], path: str) -> list[Problem]:
    """Each schedule's `timezone` must be one of the zones Instantly accepts; for another
    IANA zone the resolver says which accepted zone has the same offsets (or none does)."""
    schedules = schedule.get("schedules")
    if not isinstance(schedules, list):
        return []
    problems: list[Problem] = []
    for index, item in enumerate(schedules):
        if not isinstance(item, Mapping) or "timezone" not in item:
            continue
        where = join_path(path, "schedules", index, "timezone")
        zone = item["timezone"]
        if not isinstance(zone, str):
            problems.append(Problem(where, "must be a time zone name"))
            continue
        if zone in ACCEPTED_TIMEZONES:
            continue
        try:
            choice = resolve_timezone(zone)
        except ConfigError as exc:
            problems.extend(Problem(where, p.message) for p in exc.problems)
            continue
        problems.append(
            Problem(
                where,
                f"Instantly does not accept {zone}; {choice.accepted} has the same UTC "
                f"offsets: use it",
            )
        )
    return problems


def _date_param(value: date | str | None, path: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ConfigError("must be a date, a datetime or a YYYY-MM-DD string", path=path)


def _query(**params: Any) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif isinstance(value, list | tuple):
            pairs.extend((name, str(item)) for item in value)
        else:
            pairs.append((name, str(value)))
    return tuple(pairs)


# --- response helpers ----------------------------------------------------------------------


def _json(response: ApiResponse, request: ApiRequest) -> Any:
    if not response.body.strip():
        return None
    try:
        data = loads_limited(response.body.decode("utf-8"))
    except JsonLimitError as exc:
        raise ApiResponseError(
            f"the response ({response.status}) cannot be read: {exc}",
            method=request.method,
            path=request.path,
            request_id=request_id(response),
        ) from None
    except (UnicodeDecodeError, ValueError):
        raise ApiResponseError(
            f"the response ({response.status}) is not valid JSON",
            method=request.method,
            path=request.path,
            request_id=request_id(response),
        ) from None
    if (
        isinstance(data, dict)
        and "error" in data
        and set(data) <= {"error", "message", "statusCode"}
    ):
        detail = data.get("message") or data.get("error")
        raise ApiResponseError(
            f"the API answered {response.status} but reported an error: "
            f"{_redacted_cut(str(detail), request.api_key, 300)}",
            method=request.method,
            path=request.path,
            request_id=request_id(response),
        )
    return data


def _model(model: type[_M], data: Any, request: ApiRequest) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = join_path("", *first["loc"]) or "body"
        raise ApiResponseError(
            f"unexpected response shape at {where}: {first['msg']}",
            method=request.method,
            path=request.path,
        ) from None


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    """The fields of a result class that its wire model fills (all but ``raw``), read once."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in attrs.fields(cls) if f.name != "raw")
    return names


def _fields(cls: type[Any], model: BaseModel, raw: Any) -> dict[str, Any]:
    values = {name: getattr(model, name) for name in _field_names(cls) if hasattr(model, name)}
    values["raw"] = raw if isinstance(raw, Mapping) else {}
    return values


def _campaign(data: Any, request: ApiRequest) -> Campaign:
    return Campaign(**_fields(Campaign, _model(_wire.CampaignWire, data, request), data))


def _lead(data: Any, request: ApiRequest) -> Lead:
    return Lead(**_fields(Lead, _model(_wire.LeadWire, data, request), data))


def _lead_rows(data: Any, request: ApiRequest, cursor: str | None) -> Page[Mapping[str, Any]]:
    """A page of leads as JSON objects, checked as `_lead` checks each (an object with a
    string ``id``) without building anything; a page that fails the check goes through the
    models, so its error is the one `lead_page` raises."""
    items = data.get("items") if type(data) is dict else None
    if type(items) is not list or not all(
        type(item) is dict and type(item.get("id")) is str for item in items
    ):
        page = _model(_wire.PageWire, data, request)
        for item in page.items:
            _lead(item, request)  # raises what lead_page would
        items = page.items
    following, problem = page_cursor(data.get("next_starting_after"))
    return Page(
        tuple(items), starting_after=cursor, next_starting_after=following, cursor_problem=problem
    )


def _webhook(data: Any, request: ApiRequest) -> Webhook:
    return Webhook(**_fields(Webhook, _model(_wire.WebhookWire, data, request), data))


def _rows(data: Any, request: ApiRequest) -> list[Any]:
    if not isinstance(data, list):
        raise ApiResponseError("expected a JSON array", method=request.method, path=request.path)
    return data


def bulk_add_body(
    campaign_id: str,
    leads: Sequence[Mapping[str, Any]],
    *,
    skip_if_in_campaign: bool,
    skip_if_in_workspace: bool = False,
    skip_if_in_list: bool = False,
    verify_leads_on_import: bool = False,
) -> dict[str, Any]:
    """The exact JSON body of `POST /leads/add`, checked: at most 1000 leads, known fields,
    scalar custom variables, known interest codes, a campaign id that is a UUID. A dry run
    shows this body; a real call sends it."""
    _require_uuid(campaign_id, "campaign_id")
    if isinstance(leads, Mapping | str | bytes) or not isinstance(leads, Sequence):
        raise ConfigError("must be a list of lead mappings", path="leads")
    if not leads:
        raise ConfigError("give at least one lead", path="leads")
    if len(leads) > BULK_LIMIT:
        raise ConfigError(
            f"at most {BULK_LIMIT} leads per call, got {len(leads)}; split the batch",
            path="leads",
        )
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for index, lead in enumerate(leads):
        try:
            model = _validated(_wire.LeadInput, lead, join_path("leads", index))
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        rows.append(model.model_dump(exclude_unset=True))
    if problems:
        raise ConfigError(problems)
    body: dict[str, Any] = {
        "campaign_id": campaign_id,
        "leads": rows,
        "skip_if_in_campaign": bool(skip_if_in_campaign),
        "skip_if_in_workspace": bool(skip_if_in_workspace),
        "skip_if_in_list": bool(skip_if_in_list),
    }
    if verify_leads_on_import:
        body["verify_leads_on_import"] = True
    return body


def page_cursor(value: Any) -> tuple[str | None, str | None]:
    """``(cursor, problem)`` for a page's ``next_starting_after`` as the API sent it.

    A string is the cursor (an empty one means none). A JSON number is used in its JSON text
    form (``17`` -> ``"17"``), which is what a query string carries anyway and what the
    API's list bodies declare (``starting_after`` is a string there). Anything else (a
    boolean, an object, a list, an infinite number) cannot be sent back: there is no cursor,
    and ``problem`` says why the walk cannot go on although the API signalled more.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        return value, None
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and (isinstance(value, int) or math.isfinite(value)):
        return json.dumps(value), None
    kind = {bool: "a JSON boolean", dict: "a JSON object", list: "a JSON array"}.get(
        type(value), "an infinite number" if number else "not JSON"
    )
    return None, f"the API sent a page cursor that is {kind}, not a string or a number"


EmptyPageStep = Literal["end", "follow", "stuck"]

EMPTY_PAGES_WITH_CURSOR = "two empty pages in a row still carried a page cursor"


def after_empty_page(page: Page[Any], *, following_up: bool) -> EmptyPageStep:
    """What a walk does after an empty page: ``"end"``, ``"follow"`` its cursor, or give up
    (``"stuck"``).

    The API sends a cursor with every full page, so after the last one comes an empty page,
    with or without a cursor: normally the end. An empty page may also come in the middle
    (as from a filter applied after paging), so an empty page that carries a cursor is
    followed once more (``following_up`` is false), even when it points back at the cursor
    it was asked with: that is asking again. The page found then decides: items, the walk
    goes on; empty without a cursor, or pointing back at the cursor it was asked with (the
    API says the same thing twice), the end; empty with yet another cursor, ``"stuck"``.
    """
    cursor = page.next_starting_after
    if cursor is None:
        return "end"
    if not following_up:
        return "follow"
    return "end" if cursor == page.starting_after else "stuck"


class Cursors:
    """The page cursors of one walk: a cursor the API sends a second time would loop forever,
    so it raises `ApiResponseError` instead."""

    def __init__(self, starting_after: str | None = None) -> None:
        self._seen: set[str] = set()
        if starting_after is not None:
            self._seen.add(starting_after)

    def check(self, cursor: str | None) -> None:
        """Record the next cursor; raise if it was seen before."""
        if cursor is None:
            return
        if cursor in self._seen:
            # The cursor itself stays out of the message: it may be an email.
            raise ApiResponseError(
                "the API returned a page cursor a second time; stopping instead of looping"
            )
        self._seen.add(cursor)


# --- the core ------------------------------------------------------------------------------


class ApiCore:
    """Request building, parsing, retries, rate limiting and pagination for one API key."""

    def __init__(
        self,
        api_key: ApiKey,
        *,
        settings: ClientSettings,
        clock: Clock,
        limiter: RateLimiter,
        rng: Callable[[], float] | None = None,
    ) -> None:
        self._key = api_key
        self.settings = settings
        self.clock = clock
        self.limiter = limiter
        # Jitter only spreads retries out; it needs no cryptographic strength.
        self._rng = rng or random.Random().random  # noqa: S311
        self._timeout: float | None = None  # a per-call override, put on each request

    def with_overrides(
        self, *, timeout: float | None = None, max_retries: int | None = None
    ) -> ApiCore:
        """This core for one call: each request waits at most `timeout` seconds for its
        response, and is retried at most `max_retries` times (`None` keeps the settings').
        The key, clock, limiter and jitter are shared. A bad value raises `ConfigError` with
        the parameter's name as its path."""
        if timeout is None and max_retries is None:
            return self
        problems: list[Problem] = []
        settings = self.settings
        if timeout is not None:
            try:
                settings = attrs.evolve(settings, timeout=timeout)
            except ConfigError as exc:
                problems.extend(Problem("timeout", p.message) for p in exc.problems)
        if max_retries is not None:
            try:
                retry = attrs.evolve(settings.retry, max_retries=max_retries)
                settings = attrs.evolve(settings, retry=retry)
            except ConfigError as exc:
                problems.extend(Problem("max_retries", p.message) for p in exc.problems)
        if problems:
            raise ConfigError(problems)
        core = ApiCore(
            self._key, settings=settings, clock=self.clock, limiter=self.limiter, rng=self._rng
        )
        core._timeout = float(timeout) if timeout is not None else self._timeout
        return core

    @property
    def api_key(self) -> ApiKey:
        """The key requests carry (an `ApiKey`, which prints as a fingerprint)."""
        return self._key

    def __repr__(self) -> str:
        return f"ApiCore(key={self._key!r})"

    # -- plumbing -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: tuple[tuple[str, str], ...] = (),
        json: Any = None,
        retry_safe: bool,
    ) -> ApiRequest:
        """An `ApiRequest` for `/api/v2` + `path`, carrying this core's key."""
        return ApiRequest(
            method=method,
            path=f"{API}{path}",
            query=query,
            json=json,
            api_key=self._key,
            retry_safe=retry_safe,
            timeout=self._timeout,
        )

    def acquire(self) -> Flow[None]:
        """Wait until the workspace limiter grants a slot."""
        while True:
            delay_for_slot = self.limiter.reserve(self.clock)
            if delay_for_slot <= 0:
                return
            yield from wait(delay_for_slot)

    def send(self, request: ApiRequest, *, accept: Collection[int] = ()) -> Flow[ApiResponse]:
        """Send with rate limiting and retries; return a 2xx response (or a status in
        `accept`), raise the mapped error otherwise."""
        policy = self.settings.retry
        retries = 0
        while True:
            yield from self.acquire()
            started = self.clock.monotonic()
            failure: Failure | None
            retry_after: float | None = None
            try:
                response = yield from call(request)
            except ApiConnectionError as exc:
                elapsed = (self.clock.monotonic() - started) * 1000
                logger.debug(
                    "%s %s -> %s after %.0f ms",
                    request.method,
                    request.path,
                    type(exc).__name__,
                    elapsed,
                )
                failure = "timeout" if isinstance(exc, ApiTimeout) else "connection"
                error: ApiError = exc
            else:
                elapsed = (self.clock.monotonic() - started) * 1000
                logger.debug(
                    "%s %s -> %d in %.0f ms", request.method, request.path, response.status, elapsed
                )
                if 200 <= response.status < 300 or response.status in accept:
                    return response
                error = status_error(response, request, now=self.clock.now())
                if isinstance(error, RateLimited):
                    failure, retry_after = "rate_limited", error.retry_after
                elif isinstance(error, ServerError):
                    failure = "server_error"
                else:
                    failure = None
            if failure is None or not should_retry(policy, retries, failure, request.retry_safe):
                raise error
            retries += 1
            delay = retry_delay(policy, retries, retry_after=retry_after, rand=self._rng())
            logger.debug(
                "%s %s: retry %d of %d in %.2f s (%s)",
                request.method,
                request.path,
                retries,
                policy.max_retries,
                delay,
                failure,
            )
            yield from wait(delay)

    def call_json(self, request: ApiRequest) -> Flow[Any]:
        """Send and decode the JSON body (`None` when empty)."""
        response = yield from self.send(request)
        return _json(response, request)

    def paginate(
        self, fetch: Callable[[str | None], Flow[Page[T]]], starting_after: str | None
    ) -> Flow[None]:
        """Emit pages until a page without a cursor, or an empty page that ends the walk.

        An empty page that still carries a cursor is followed once more (see
        `after_empty_page`); two empty pages in a row that carry new cursors end the walk
        with a warning in the log. A cursor seen before raises `ApiResponseError`, and so
        does a page whose cursor cannot be sent back (see `page_cursor`), once that page
        has been emitted.
        """
        cursors = Cursors(starting_after)
        cursor = starting_after
        following_up = False
        while True:
            page = yield from fetch(cursor)
            following = page.next_starting_after
            if not page.items and page.cursor_problem is None:
                step = after_empty_page(page, following_up=following_up)
                if step == "stuck":
                    logger.warning(
                        "%s; taking that as the end of the list", EMPTY_PAGES_WITH_CURSOR
                    )
                if step != "follow":
                    return
                assert following is not None
                if following != cursor:
                    cursors.check(following)
                following_up = True
                cursor = following
                continue
            following_up = False
            cursors.check(following)
            if page.items:
                yield from emit(page)
            if page.cursor_problem is not None:
                raise ApiResponseError(page.cursor_problem)
            if following is None:
                return
            cursor = following

    def _page(
        self,
        request: ApiRequest,
        cursor: str | None,
        parse: Callable[[Any, ApiRequest], T],
    ) -> Flow[Page[T]]:
        data = yield from self.call_json(request)
        page = _model(_wire.PageWire, data, request)
        items = tuple(parse(item, request) for item in page.items)
        following, problem = page_cursor(page.next_starting_after)
        return Page(
            items, starting_after=cursor, next_starting_after=following, cursor_problem=problem
        )

    # -- workspace ------------------------------------------------------------------------

    def check_key(self) -> Flow[KeyCheck]:
        """`GET /workspaces/current`; on a (JSON) 403, `GET /campaigns?limit=1` instead."""
        request = self.request("GET", "/workspaces/current", retry_safe=True)
        response = yield from self.send(request, accept=(403,))
        if response.status != 403:
            workspace = _model(_wire.WorkspaceWire, _json(response, request), request)
            return KeyCheck(workspace_id=workspace.id, workspace_name=workspace.name)
        if _is_edge_block(response):
            raise status_error(response, request, now=self.clock.now())
        page = yield from self.campaign_page(None, limit=1)
        workspace_id = page.items[0].organization if page.items else None
        return KeyCheck(workspace_id=workspace_id, workspace_name=None, campaigns_only=True)

    # -- campaigns ------------------------------------------------------------------------

    def campaign_page(
        self,
        cursor: str | None,
        *,
        search: str | None = None,
        status: int | None = None,
        limit: int | None = None,
    ) -> Flow[Page[Campaign]]:
        """One page of `GET /campaigns`."""
        query = _query(
            limit=limit or self.settings.page_size,
            starting_after=cursor,
            search=search,
            status=status,
        )
        request = self.request("GET", "/campaigns", query=query, retry_safe=True)
        return (yield from self._page(request, cursor, _campaign))

    def campaign_pages(
        self,
        *,
        search: str | None = None,
        status: int | None = None,
        starting_after: str | None = None,
    ) -> Flow[None]:
        """Emit every page of campaigns matching `search` / `status`."""
        _campaign_status(status, "status")

        def fetch(cursor: str | None) -> Flow[Page[Campaign]]:
            return self.campaign_page(cursor, search=search, status=status)

        return (yield from self.paginate(fetch, starting_after))

    def list_campaigns(
        self, *, search: str | None = None, status: int | None = None
    ) -> Flow[ResultList[Campaign]]:
        """Every matching campaign, all pages read."""
        pages = yield from collect(self.campaign_pages(search=search, status=status))
        return ResultList(tuple(item for page in pages for item in page.items))

    def get_campaign(self, campaign_id: str) -> Flow[Campaign]:
        """`GET /campaigns/{id}`."""
        path = f"/campaigns/{_segment(campaign_id, 'campaign_id')}"
        request = self.request("GET", path, retry_safe=True)
        return _campaign((yield from self.call_json(request)), request)

    def create_campaign(
        self,
        name: str,
        *,
        schedule: Mapping[str, Any] | None = None,
        sequences: Sequence[Mapping[str, Any]] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> Flow[Campaign]:
        """`POST /campaigns`, never sent twice blindly.

        After a timeout, a connection error or a 5xx the campaign may or may not exist, so the
        flow looks for a campaign of that exact name created since the call began (within the
        configured clock skew). Found: it is returned. Not found: the creation is sent again,
        as the retry policy allows.
        """
        body = _campaign_body(name, schedule, sequences, options)
        request = self.request("POST", "/campaigns", json=body, retry_safe=False)
        policy = self.settings.retry
        since = self.clock.now() - timedelta(seconds=self.settings.clock_skew)
        attempts = 0
        while True:
            try:
                return _campaign((yield from self.call_json(request)), request)
            except (ApiConnectionError, ServerError) as exc:
                try:
                    found = yield from self._find_new_campaign(body["name"], since)
                except ApiError:
                    raise exc from None
                if found is not None:
                    logger.info("campaign creation was ambiguous; found it by name afterwards")
                    return found
                if attempts >= policy.max_retries:
                    raise
                attempts += 1
                yield from wait(retry_delay(policy, attempts, retry_after=None, rand=self._rng()))

    def _find_new_campaign(self, name: str, since: datetime) -> Flow[Campaign | None]:
        pages = yield from collect(
            self.campaign_pages(search=name, status=None, starting_after=None)
        )
        matches = [
            campaign
            for page in pages
            for campaign in page
            if campaign.name == name
            and campaign.timestamp_created is not None
            and campaign.timestamp_created >= since
        ]
        return max(matches, key=lambda c: c.timestamp_created or since, default=None)

    def get_sequences(self, campaign_id: str) -> Flow[list[dict[str, Any]]]:
        """The campaign's `sequences` JSON (an empty list if it has none)."""
        campaign = yield from self.get_campaign(campaign_id)
        raw = campaign.raw.get("sequences")
        # A deep copy: editing it must not change the campaign object it came from.
        return (
            [copy.deepcopy(dict(item)) for item in raw if isinstance(item, Mapping)] if raw else []
        )

    def replace_sequences(
        self, campaign_id: str, sequences: Sequence[Mapping[str, Any]]
    ) -> Flow[Campaign]:
        """`PATCH /campaigns/{id}` with the whole `sequences` array."""
        body = {"sequences": _json_list(sequences, "sequences")}
        path = f"/campaigns/{_segment(campaign_id, 'campaign_id')}"
        # Replacing a field with the same value twice is harmless.
        request = self.request("PATCH", path, json=body, retry_safe=True)
        return _campaign((yield from self.call_json(request)), request)

    def campaign_action(self, campaign_id: str, action: str) -> Flow[Campaign]:
        """`POST /campaigns/{id}/activate` or `/pause` (idempotent state changes)."""
        path = f"/campaigns/{_segment(campaign_id, 'campaign_id')}/{action}"
        request = self.request("POST", path, retry_safe=True)
        return _campaign((yield from self.call_json(request)), request)

    # -- analytics ------------------------------------------------------------------------

    def campaign_analytics(
        self,
        campaign_id: str | None = None,
        *,
        campaign_ids: Iterable[str] | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        exclude_total_leads_count: bool = False,
    ) -> Flow[ResultList[CampaignAnalytics]]:
        """`GET /campaigns/analytics` (`id` or repeated `ids`; none means every campaign)."""
        query = _query(
            **_ids_params(campaign_id, campaign_ids),
            start_date=_date_param(start_date, "start_date"),
            end_date=_date_param(end_date, "end_date"),
            exclude_total_leads_count=exclude_total_leads_count or None,
        )
        request = self.request("GET", "/campaigns/analytics", query=query, retry_safe=True)
        rows = _rows((yield from self.call_json(request)), request)
        return ResultList(
            tuple(
                CampaignAnalytics(
                    **_fields(
                        CampaignAnalytics, _model(_wire.CampaignAnalyticsWire, row, request), row
                    )
                )
                for row in rows
            )
        )

    def analytics_overview(
        self,
        campaign_id: str | None = None,
        *,
        campaign_ids: Iterable[str] | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
    ) -> Flow[AnalyticsOverview]:
        """`GET /campaigns/analytics/overview` (an object summed over the campaigns)."""
        query = _query(
            **_ids_params(campaign_id, campaign_ids),
            start_date=_date_param(start_date, "start_date"),
            end_date=_date_param(end_date, "end_date"),
        )
        request = self.request("GET", "/campaigns/analytics/overview", query=query, retry_safe=True)
        data = yield from self.call_json(request)
        model = _model(_wire.AnalyticsOverviewWire, data, request)
        return AnalyticsOverview(**_fields(AnalyticsOverview, model, data))

    def daily_analytics(
        self,
        campaign_id: str,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
    ) -> Flow[ResultList[DailyAnalytics]]:
        """`GET /campaigns/analytics/daily?campaign_id=`."""
        query = _query(
            campaign_id=_require_uuid(campaign_id, "campaign_id"),
            start_date=_date_param(start_date, "start_date"),
            end_date=_date_param(end_date, "end_date"),
        )
        request = self.request("GET", "/campaigns/analytics/daily", query=query, retry_safe=True)
        rows = _rows((yield from self.call_json(request)), request)
        return ResultList(
            tuple(
                DailyAnalytics(
                    **_fields(DailyAnalytics, _model(_wire.DailyAnalyticsWire, row, request), row)
                )
                for row in rows
            )
        )

    # -- leads ----------------------------------------------------------------------------

    def add_leads(
        self,
        campaign_id: str,
        leads: Sequence[Mapping[str, Any]],
        *,
        skip_if_in_campaign: bool = False,
        skip_if_in_workspace: bool = False,
        skip_if_in_list: bool = False,
        verify_leads_on_import: bool = False,
    ) -> Flow[BulkAddResult]:
        """`POST /leads/add`: at most 1000 leads, checked before anything is sent.

        Retried after an ambiguous failure only when a skip flag that dedupes against the
        campaign or workspace is set: sending the batch again then cannot add anyone twice.
        """
        body = bulk_add_body(
            campaign_id,
            leads,
            skip_if_in_campaign=skip_if_in_campaign,
            skip_if_in_workspace=skip_if_in_workspace,
            skip_if_in_list=skip_if_in_list,
            verify_leads_on_import=verify_leads_on_import,
        )
        guarded = bool(skip_if_in_campaign or skip_if_in_workspace)
        request = self.request("POST", "/leads/add", json=body, retry_safe=guarded)
        data = yield from self.call_json(request)
        report = _model(_wire.BulkAddWire, data, request)
        created = {item.index: item.id for item in report.created_leads}
        values = _fields(BulkAddResult, report, data)
        values["created"] = created
        return BulkAddResult(**values)

    def lead_page(
        self,
        campaign_id: str,
        cursor: str | None,
        *,
        filter: str | None = None,
        search: str | None = None,
        contacts: Sequence[str] | None = None,
    ) -> Flow[Page[Lead]]:
        """One page of `POST /leads/list` for a campaign.

        The body names the campaign `campaign` (not `campaign_id`, which the API ignores) and
        carries `limit` and `starting_after`; `contacts` restricts the page to those emails.
        """
        request = self._lead_list(campaign_id, cursor, filter, search, contacts)
        return (yield from self._page(request, cursor, _lead))

    def lead_rows(self, campaign_id: str, cursor: str | None) -> Flow[Page[Mapping[str, Any]]]:
        """One page of `POST /leads/list` for a campaign, as the API's JSON objects.

        Each lead is checked as `lead_page` checks it (an object with a string `id`; the
        same `ApiResponseError` otherwise) but not parsed: for a caller that reads a few
        fields of every lead of a campaign, such as the engagement sync.
        """
        request = self._lead_list(campaign_id, cursor, None, None, None)
        data = yield from self.call_json(request)
        return _lead_rows(data, request, cursor)

    def _lead_list(
        self,
        campaign_id: str,
        cursor: str | None,
        filter: str | None,
        search: str | None,
        contacts: Sequence[str] | None,
    ) -> ApiRequest:
        body: dict[str, Any] = {
            "campaign": _require_uuid(campaign_id, "campaign_id"),
            "limit": self.settings.page_size,
        }
        if cursor is not None:
            body["starting_after"] = cursor
        if filter is not None:
            body["filter"] = _require_id(filter, "filter")
        if search is not None:
            body["search"] = search
        if contacts is not None:
            if isinstance(contacts, str):
                raise ConfigError("must be a list of emails, not one string", path="contacts")
            body["contacts"] = [_require_id(c, f"contacts.{n}") for n, c in enumerate(contacts)]
        return self.request("POST", "/leads/list", json=body, retry_safe=True)

    def lead_pages(
        self,
        campaign_id: str,
        *,
        starting_after: str | None = None,
        filter: str | None = None,
        search: str | None = None,
        contacts: Sequence[str] | None = None,
    ) -> Flow[None]:
        """Emit every page of the campaign's leads."""
        _require_uuid(campaign_id, "campaign_id")

        def fetch(cursor: str | None) -> Flow[Page[Lead]]:
            return self.lead_page(
                campaign_id, cursor, filter=filter, search=search, contacts=contacts
            )

        return (yield from self.paginate(fetch, starting_after))

    def get_lead(self, lead_id: str) -> Flow[Lead]:
        """`GET /leads/{id}`."""
        request = self.request("GET", f"/leads/{_segment(lead_id, 'lead_id')}", retry_safe=True)
        return _lead((yield from self.call_json(request)), request)

    def update_lead(self, lead_id: str, fields: Mapping[str, Any]) -> Flow[Lead]:
        """`PATCH /leads/{id}` with at least one writable field."""
        body = _validated(_wire.LeadPatch, fields, "fields").model_dump(exclude_unset=True)
        if not body:
            raise ConfigError("give at least one field to change", path="fields")
        path = f"/leads/{_segment(lead_id, 'lead_id')}"
        request = self.request("PATCH", path, json=body, retry_safe=True)
        return _lead((yield from self.call_json(request)), request)

    def delete_lead(self, lead_id: str) -> Flow[Lead]:
        """`DELETE /leads/{id}`; returns the deleted lead."""
        path = f"/leads/{_segment(lead_id, 'lead_id')}"
        request = self.request("DELETE", path, retry_safe=True)
        return _lead((yield from self.call_json(request)), request)

    def update_interest_status(
        self,
        lead_email: str,
        interest_value: int | None,
        *,
        campaign_id: str | None = None,
        disable_auto_interest: bool | None = None,
    ) -> Flow[None]:
        """`POST /leads/update-interest-status` (202: applied later by the API)."""
        body: dict[str, Any] = {
            "lead_email": _require_id(lead_email, "lead_email"),
            "interest_value": _interest(interest_value),
        }
        if campaign_id is not None:
            body["campaign_id"] = _require_id(campaign_id, "campaign_id")
        if disable_auto_interest is not None:
            body["disable_auto_interest"] = bool(disable_auto_interest)
        request = self.request("POST", "/leads/update-interest-status", json=body, retry_safe=True)
        yield from self.call_json(request)

    # -- webhooks -------------------------------------------------------------------------

    def webhook_pages(
        self, *, campaign_id: str | None = None, event_type: str | None = None
    ) -> Flow[None]:
        """Emit every page of `GET /webhooks`."""
        if campaign_id is not None:
            _require_uuid(campaign_id, "campaign_id")
        _event_type(event_type, "event_type")

        def fetch(cursor: str | None) -> Flow[Page[Webhook]]:
            query = _query(
                limit=self.settings.page_size,
                starting_after=cursor,
                campaign=campaign_id,
                event_type=event_type,
            )
            request = self.request("GET", "/webhooks", query=query, retry_safe=True)
            return self._page(request, cursor, _webhook)

        return (yield from self.paginate(fetch, None))

    def list_webhooks(
        self, *, campaign_id: str | None = None, event_type: str | None = None
    ) -> Flow[ResultList[Webhook]]:
        """Every webhook, all pages read."""
        found = yield from collect(
            self.webhook_pages(campaign_id=campaign_id, event_type=event_type)
        )
        return ResultList(tuple(hook for page in found for hook in page))

    def create_webhook(
        self,
        target_hook_url: str,
        event_type: str | None,
        *,
        campaign_id: str | None = None,
        name: str | None = None,
        headers: Mapping[str, str] | None = None,
        custom_interest_value: float | None = None,
    ) -> Flow[Webhook]:
        """`POST /webhooks`; not retried after an ambiguous failure (no dedupe guard)."""
        fields: dict[str, Any] = {"target_hook_url": target_hook_url, "event_type": event_type}
        optional = {
            "campaign": campaign_id,
            "name": name,
            "headers": dict(headers) if isinstance(headers, Mapping) else headers,
            "custom_interest_value": custom_interest_value,
        }
        fields.update({k: v for k, v in optional.items() if v is not None})
        body = _validated(_wire.WebhookCreate, fields, "webhook").model_dump(exclude_unset=True)
        request = self.request("POST", "/webhooks", json=body, retry_safe=False)
        return _webhook((yield from self.call_json(request)), request)

    def get_webhook(self, webhook_id: str) -> Flow[Webhook]:
        """`GET /webhooks/{id}`."""
        path = f"/webhooks/{_segment(webhook_id, 'webhook_id')}"
        request = self.request("GET", path, retry_safe=True)
        return _webhook((yield from self.call_json(request)), request)

    def update_webhook(self, webhook_id: str, fields: Mapping[str, Any]) -> Flow[Webhook]:
        """`PATCH /webhooks/{id}`."""
        body = _validated(_wire.WebhookPatch, fields, "fields").model_dump(exclude_unset=True)
        if not body:
            raise ConfigError("give at least one field to change", path="fields")
        path = f"/webhooks/{_segment(webhook_id, 'webhook_id')}"
        request = self.request("PATCH", path, json=body, retry_safe=True)
        return _webhook((yield from self.call_json(request)), request)

    def delete_webhook(self, webhook_id: str) -> Flow[Webhook]:
        """`DELETE /webhooks/{id}`; returns the deleted webhook."""
        path = f"/webhooks/{_segment(webhook_id, 'webhook_id')}"
        request = self.request("DELETE", path, retry_safe=True)
        return _webhook((yield from self.call_json(request)), request)

    def resume_webhook(self, webhook_id: str) -> Flow[Webhook]:
        """`POST /webhooks/{id}/resume`: re-enable a webhook disabled by failures."""
        path = f"/webhooks/{_segment(webhook_id, 'webhook_id')}/resume"
        request = self.request("POST", path, retry_safe=True)
        return _webhook((yield from self.call_json(request)), request)

    def test_webhook(self, webhook_id: str) -> Flow[WebhookTestResult]:
        """`POST /webhooks/{id}/test`; `success: false` raises `ApiResponseError`."""
        path = f"/webhooks/{_segment(webhook_id, 'webhook_id')}/test"
        request = self.request("POST", path, retry_safe=True)
        data = yield from self.call_json(request)
        model = _model(_wire.WebhookTestWire, data, request)
        if model.success is not True:
            detail = _redact(model.error or model.message or "no reason given", self._key)
            code = f" (target answered {model.status_code})" if model.status_code else ""
            raise ApiResponseError(
                f"the webhook test failed{code}: {detail[:300]}",
                method=request.method,
                path=request.path,
            )
        return WebhookTestResult(
            success=True,
            message=model.message,
            status_code=model.status_code,
            response_time_ms=model.response_time_ms,
        )

    def webhook_event_types(self) -> Flow[ResultList[WebhookEventType]]:
        """`GET /webhooks/event-types`."""
        request = self.request("GET", "/webhooks/event-types", retry_safe=True)
        model = _model(_wire.EventTypesWire, (yield from self.call_json(request)), request)
        return ResultList(
            tuple(WebhookEventType(id=e.id, label=e.label, type=e.type) for e in model.event_types)
        )


def _ids_params(campaign_id: str | None, campaign_ids: Iterable[str] | None) -> dict[str, Any]:
    if campaign_id is not None and campaign_ids is not None:
        raise ConfigError("give campaign_id or campaign_ids, not both", path="campaign_ids")
    if campaign_id is not None:
        return {"id": _require_uuid(campaign_id, "campaign_id")}
    if campaign_ids is not None:
        if isinstance(campaign_ids, str):
            raise ConfigError("must be a list of ids, not one string", path="campaign_ids")
        ids = [
            _require_uuid(item, join_path("campaign_ids", n)) for n, item in enumerate(campaign_ids)
        ]
        return {"ids": ids} if ids else {}
    return {}


def _interest(value: int | None) -> int | None:
    """An ``interest_value``: any integer or ``None``. Unlike a lead's ``lt_interest_status``,
    the spec gives this endpoint no closed set: besides the nine documented codes it takes a
    custom label's ``interest_status`` (a number Instantly assigns to each label), so only
    the type is checked here."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(
            "must be an integer interest code (a documented one or a custom label's) or None "
            "to reset",
            path="interest_value",
        )
    return value


def _json_list(items: Any, path: str) -> list[Any]:
    if isinstance(items, Mapping | str | bytes) or not isinstance(items, Sequence):
        raise ConfigError("must be a list", path=path)
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ConfigError("must be a mapping", path=f"{path}.{index}")
        out.append(_plain_json(item, f"{path}.{index}"))
    return out


def _plain_json(value: Any, path: str) -> Any:
    try:
        check_json_limits(value)
        return json.loads(json.dumps(value, allow_nan=False))
    except JsonLimitError as exc:
        raise ConfigError(str(exc), path=path) from None
    except (TypeError, ValueError, RecursionError):
        raise ConfigError("must be JSON-serializable", path=path) from None


def _campaign_body(
    name: str,
    schedule: Mapping[str, Any] | None,
    sequences: Sequence[Mapping[str, Any]] | None,
    options: Mapping[str, Any] | None,
) -> dict[str, Any]:
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("must be a non-empty string", path="name")
    if schedule is None:
        schedule = DEFAULT_SCHEDULE
    if not isinstance(schedule, Mapping):
        raise ConfigError("must be a mapping (the campaign_schedule JSON)", path="schedule")
    problems = _timezone_problems(schedule, "schedule")
    if problems:
        raise ConfigError(problems)
    body: dict[str, Any] = {"name": name, "campaign_schedule": _plain_json(schedule, "schedule")}
    if sequences is not None:
        body["sequences"] = _json_list(sequences, "sequences")
    if options:
        if not isinstance(options, Mapping):
            raise ConfigError("must be a mapping of campaign settings", path="options")
        clash = sorted(set(options) & {"name", "campaign_schedule", "sequences"})
        if clash:
            raise ConfigError(f"set {clash[0]!r} through its own argument", path="options")
        body.update(_plain_json(dict(options), "options"))
    return body
