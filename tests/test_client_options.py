"""API errors say which call and which response: `status_code`, the request id, the method and
the path."""

from __future__ import annotations

import pytest

from _client_support import (
    C1,
    KINDS,
    Script,
    envelope,
    reply,
    run,
)
from instantly_columns.config import ClientSettings, RetryPolicy
from instantly_columns.errors import (
    ApiResponseError,
    ApiStatusError,
    NotFound,
    RateLimited,
    ServerError,
)

CAMPAIGN = {"id": C1, "name": "Q3", "status": 0}
SECRET = "sk-live-from-the-environment-0042"
NO_RETRY = ClientSettings(retry=RetryPolicy(max_retries=0))


# --- errors say which call and which response ---------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("header", "value"),
    [("x-request-id", "req-123"), ("request-id", "req-456"), ("cf-ray", "8f1e2d3c4b5a6978-FRA")],
)
def test_status_errors_carry_status_code_request_id_method_and_path(
    kind: str, header: str, value: str
) -> None:
    script = Script(envelope(404, "Resource not found", **{header.replace("-", "_"): value}))
    with pytest.raises(NotFound) as info:
        run(kind, script, lambda c: c.get_campaign(C1))
    error = info.value
    assert error.status_code == error.status == 404
    assert error.request_id == value
    assert (error.method, error.path) == ("GET", f"/api/v2/campaigns/{C1}")
    assert value in str(error)


@pytest.mark.parametrize("kind", KINDS)
def test_the_request_id_is_none_without_such_a_header(kind: str) -> None:
    script = Script(envelope(400, "body/name must be string"))
    with pytest.raises(ApiStatusError) as info:
        run(kind, script, lambda c: c.get_campaign(C1))
    assert info.value.request_id is None
    assert "request id" not in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_rate_limits_server_errors_and_unreadable_bodies_carry_the_request_id(kind: str) -> None:
    limited = Script(envelope(429, "Rate limit exceeded", x_request_id="r-429"))
    with pytest.raises(RateLimited) as info:
        run(kind, limited, lambda c: c.get_campaign(C1), settings=NO_RETRY)
    assert (info.value.status_code, info.value.request_id) == (429, "r-429")
    broken = Script(envelope(503, "upstream", cf_ray="ray-503"))
    with pytest.raises(ServerError) as server:
        run(kind, broken, lambda c: c.get_campaign(C1), settings=NO_RETRY)
    assert (server.value.status_code, server.value.request_id) == (503, "ray-503")
    garbled = Script(reply(200, text='{"id": ', x_request_id="r-bad"))
    with pytest.raises(ApiResponseError) as bad:
        run(kind, garbled, lambda c: c.get_campaign(C1))
    assert bad.value.request_id == "r-bad"


def test_a_request_id_header_cannot_smuggle_control_characters() -> None:
    script = Script(envelope(500, "boom", x_request_id="abc\r\ndef" + "x" * 500))
    with pytest.raises(ServerError) as info:
        run("sync", script, lambda c: c.get_campaign(C1), settings=NO_RETRY)
    assert info.value.request_id == ("abcdef" + "x" * 500)[:200]
