"""Canary: the API key never shows up in a repr, an exception, a formatted traceback or a log
record, whatever goes wrong."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from _client_support import C1, KEY, KINDS, L1, W1, Script, envelope, reply, run
from instantly_columns.api.client import AsyncInstantlyClient, InstantlyClient
from instantly_columns.config import ClientSettings, RetryPolicy
from instantly_columns.errors import (
    ApiConnectionError,
    ApiResponseError,
    ApiStatusError,
    ApiTimeout,
    InstantlyColumnsError,
)
from instantly_columns.ports import ApiKey, ApiResponse
from instantly_columns.testing.clock import FakeClock

CAMPAIGN = {"id": C1, "name": "Q3", "status": 1}

STEPS: list[Any] = [
    envelope(401, f"Invalid API key {KEY}"),  # a body that echoes the key
    envelope(403, "missing scope"),
    reply(403, text=f"error code: 1010 ({KEY})"),
    envelope(429, "Rate limit exceeded", retry_after="1"),
    envelope(500, f"internal {KEY}"),
    reply(200, text=f"not json {KEY}"),
    reply(200, {"error": f"ACC_AUTH_ERROR {KEY}"}),
    ApiTimeout("timed out", method="GET", path="/api/v2/x"),
    ApiConnectionError("reset", method="GET", path="/api/v2/x"),
    reply(200, {"items": [{"id": L1, "email": "ada@acme.com"}], "next_starting_after": L1}),
    reply(200, {"success": False, "error": f"target said {KEY}"}),
]

OPERATIONS: list[Callable[[Any], Any]] = [
    lambda c: c.check_key(),
    lambda c: c.get_campaign(C1),
    lambda c: c.iter_leads(C1),
    lambda c: c.add_leads(C1, [{"email": "a@acme.com"}], skip_if_in_campaign=True),
    lambda c: c.create_campaign("Q3"),
    lambda c: c.test_webhook(W1),
    lambda c: c.add_leads(C1, [{"email": "a@acme.com", "api_key": KEY}]),  # bad input
]


def texts_of(value: Any) -> list[str]:
    out = [repr(value), str(value)]
    if isinstance(value, BaseException):
        out.append("".join(traceback.format_exception(value)))
        out.extend(repr(v) for v in vars(value).values())
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_the_key_never_leaks(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="instantly_columns")
    seen: list[str] = []
    for step in STEPS:
        for operation in OPERATIONS:
            script = Script(step)
            try:
                result = run(kind, script, operation, settings=ClientSettings(retry=RetryPolicy(1)))
            except InstantlyColumnsError as exc:
                seen.extend(texts_of(exc))
            else:
                seen.extend(texts_of(result))
                if isinstance(result, list):
                    seen.extend(repr(item) for item in result)
    client = InstantlyClient(KEY) if kind == "sync" else AsyncInstantlyClient(KEY)
    seen.extend([repr(client), repr(vars(client)), repr(ApiKey(KEY))])
    seen.extend(record.getMessage() for record in caplog.records)
    seen.extend(repr(record.args) for record in caplog.records)
    assert caplog.records, "expected DEBUG lines"
    assert len(seen) > 100
    leaks = [text for text in seen if KEY in text]
    assert leaks == []


def test_httpx_failures_do_not_carry_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="instantly_columns")
    failures = [
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed"),
    ]
    for failure in failures:

        def handler(request: httpx.Request, failure: Exception = failure) -> httpx.Response:
            assert request.headers["Authorization"] == f"Bearer {KEY}"
            raise failure

        client = InstantlyClient(KEY, transport=httpx.MockTransport(handler), clock=FakeClock())
        with pytest.raises(ApiConnectionError) as info:
            client.get_campaign(C1)
        text = "".join(traceback.format_exception(info.value))
        assert KEY not in text
        assert KEY not in repr(info.value)
        assert info.value.__cause__ is None
        assert info.value.__suppress_context__
        assert isinstance(info.value, ApiTimeout) == isinstance(failure, httpx.TimeoutException)
    assert all(KEY not in record.getMessage() for record in caplog.records)


def test_debug_lines_carry_method_path_status_and_duration_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="instantly_columns")
    script = Script(reply(200, {"items": [{"id": L1, "email": "ada@acme.com"}]}))
    run("sync", script, lambda c: c.iter_leads(C1))
    lines = [r.getMessage() for r in caplog.records if r.name == "instantly_columns"]
    assert lines == ["POST /api/v2/leads/list -> 200 in 0 ms"]
    assert all("ada@acme.com" not in line for line in lines)


# --- a long body that echoes the key, and what an exception keeps reachable ----------------

CANARY = "sk_canary_" + "5e1f0c9a7b3d2e4f6a8c0b1d3e5f7a9c"[:30]  # 40 characters
assert len(CANARY) == 40


def reachable_texts(exc: BaseException, *, frames: bool = False) -> list[str]:
    """Everything an error reporter could print from ``exc``: its str, repr and args, its
    attributes (and their headers, if any), the whole ``__cause__``/``__context__`` chain,
    and (``frames``) the locals of every frame of every traceback in it."""
    out: list[str] = []
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        out += [str(item), repr(item), repr(item.args), type(item).__module__]
        for value in vars(item).values():
            out.append(repr(value))
            headers = getattr(value, "headers", None)
            if headers is not None:
                out.append(repr(dict(headers)))
        tb = item.__traceback__ if frames else None
        while tb is not None:
            out.extend(repr(v) for v in tb.tb_frame.f_locals.values())
            tb = tb.tb_next
        todo.extend(e for e in (item.__cause__, item.__context__) if e is not None)
    return out


def key_pieces(texts: list[str], key: str = CANARY, width: int = 6) -> list[str]:
    """Texts holding any ``width`` consecutive characters of the key."""
    pieces = {key[i : i + width] for i in range(len(key) - width + 1)}
    return [text for text in texts if any(piece in text for piece in pieces)]


@pytest.mark.parametrize("status", [400, 401, 404, 413, 429, 500, 503])
@pytest.mark.parametrize("offset", [0, 150, 170, 190, 199, 290])
def test_a_key_echoed_in_a_long_error_body_is_redacted_before_the_cut(
    status: int, offset: int
) -> None:
    message = "m" * offset + CANARY + " and more " * 50
    raw = json.dumps({"statusCode": status, "error": "Error", "message": message}).encode()
    step = ApiResponse(status=status, headers={}, body=raw)
    client = InstantlyClient(
        CANARY,
        transport=Script(step),
        clock=FakeClock(),
        settings=ClientSettings(retry=RetryPolicy(0)),
    )
    with pytest.raises(ApiStatusError) as info:
        client.get_campaign(C1)
    exc = info.value
    texts = [str(exc), repr(exc), exc.body_excerpt, *reachable_texts(exc)]
    assert key_pieces(texts) == []
    assert "[redacted]" in str(exc) or offset >= 290  # the message is cut at 300 characters


def test_a_key_echoed_in_a_200_error_body_is_redacted_before_the_cut() -> None:
    detail = "d" * 290 + CANARY
    client = InstantlyClient(
        CANARY, transport=Script(reply(200, {"error": detail})), clock=FakeClock()
    )
    with pytest.raises(ApiResponseError) as info:
        client.get_campaign(C1)
    assert key_pieces(reachable_texts(info.value)) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed"),
    ],
    ids=lambda f: type(f).__name__,
)
def test_a_connection_error_keeps_nothing_that_holds_the_header(
    kind: str, failure: httpx.TransportError
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {CANARY}"
        raise failure

    settings = ClientSettings(retry=RetryPolicy(0))
    if kind == "sync":
        client = InstantlyClient(
            CANARY, transport=httpx.MockTransport(handler), clock=FakeClock(), settings=settings
        )
        with pytest.raises(ApiConnectionError) as info:
            client.get_campaign(C1)
    else:

        async def go() -> None:
            client = AsyncInstantlyClient(
                CANARY,
                transport=httpx.MockTransport(handler),
                clock=FakeClock(),
                settings=settings,
            )
            await client.get_campaign(C1)

        with pytest.raises(ApiConnectionError) as info:
            anyio.run(go)
    exc = info.value
    assert exc.__cause__ is None
    assert exc.__context__ is None
    assert key_pieces(reachable_texts(exc, frames=True)) == []


def test_a_response_repr_never_shows_its_body() -> None:
    from instantly_columns.ports import ApiResponse

    echoed = ApiResponse(401, {}, b'{"error": "bad key sk-canary-abcdef0123456789"}')
    assert "sk-canary" not in repr(echoed)
    assert "bytes" in repr(echoed)
