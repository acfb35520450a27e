"""Canary: the API key never shows up in a repr, an exception, a formatted traceback or a log
record, whatever goes wrong."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from _client_support import KEY, KINDS, Script, envelope, reply, run
from instantly_columns.api.client import AsyncInstantlyClient, InstantlyClient
from instantly_columns.config import ClientSettings, RetryPolicy
from instantly_columns.errors import ApiConnectionError, ApiTimeout, InstantlyColumnsError
from instantly_columns.ports import ApiKey
from instantly_columns.testing.clock import FakeClock

CAMPAIGN = {"id": "c1", "name": "Q3", "status": 1}

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
    reply(200, {"items": [{"id": "l1", "email": "ada@acme.com"}], "next_starting_after": "l1"}),
    reply(200, {"success": False, "error": f"target said {KEY}"}),
]

OPERATIONS: list[Callable[[Any], Any]] = [
    lambda c: c.check_key(),
    lambda c: c.get_campaign("c1"),
    lambda c: c.iter_leads("c1"),
    lambda c: c.add_leads("c1", [{"email": "a@acme.com"}], skip_if_in_campaign=True),
    lambda c: c.create_campaign("Q3"),
    lambda c: c.test_webhook("w1"),
    lambda c: c.add_leads("c1", [{"email": "a@acme.com", "api_key": KEY}]),  # bad input
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
            client.get_campaign("c1")
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
    script = Script(reply(200, {"items": [{"id": "l1", "email": "ada@acme.com"}]}))
    run("sync", script, lambda c: c.iter_leads("c1"))
    lines = [r.getMessage() for r in caplog.records if r.name == "instantly_columns"]
    assert lines == ["POST /api/v2/leads/list -> 200 in 0 ms"]
    assert all("ada@acme.com" not in line for line in lines)
