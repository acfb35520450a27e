"""HTTP transports over httpx: the only code that puts the API key on the wire.

[`HttpxTransport`][instantly_columns.transports.http.HttpxTransport] and
[`AsyncHttpxTransport`][instantly_columns.transports.http.AsyncHttpxTransport] implement the
`Transport` / `AsyncTransport` ports. Each request gets the base URL, `Authorization: Bearer
<key>`, `Accept: application/json` and `User-Agent: instantly-columns/<version>`; a JSON body
gets `Content-Type: application/json`, and a POST without a body is sent as `{}` (the API's
server rejects an empty JSON body). Timeouts become `ApiTimeout`, other network failures
`ApiConnectionError`. Statuses are not interpreted here: every response is returned as is.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import httpx

from instantly_columns.config import ClientSettings
from instantly_columns.errors import ApiConnectionError, ApiTimeout
from instantly_columns.ports import ApiRequest, ApiResponse

__all__ = ["AsyncHttpxTransport", "HttpxTransport"]

_JSON = "application/json"


def _timeout(settings: ClientSettings, seconds: float | None = None) -> httpx.Timeout:
    return httpx.Timeout(
        seconds if seconds is not None else settings.timeout, connect=settings.connect_timeout
    )


def _parts(
    request: ApiRequest, settings: ClientSettings
) -> tuple[dict[str, str], bytes | None, httpx.Timeout]:
    headers = {"Accept": _JSON}
    if request.api_key is not None:
        headers["Authorization"] = f"Bearer {request.api_key.reveal()}"
    body: bytes | None = None
    if request.json is not None:
        body = json.dumps(request.json, separators=(",", ":"), ensure_ascii=False).encode()
    elif request.method.upper() == "POST":
        body = b"{}"
    if body is not None:
        headers["Content-Type"] = _JSON
    return headers, body, _timeout(settings, request.timeout)


def _response(response: httpx.Response) -> ApiResponse:
    return ApiResponse(
        status=response.status_code,
        headers={name.lower(): value for name, value in response.headers.items()},
        body=response.content,
    )


def _failure(exc: httpx.TransportError, request: ApiRequest) -> ApiConnectionError:
    kind = ApiTimeout if isinstance(exc, httpx.TimeoutException) else ApiConnectionError
    what = "timed out" if kind is ApiTimeout else "could not reach the API"
    return kind(f"{what} ({type(exc).__name__})", method=request.method, path=request.path)


# The httpx exception holds the outgoing request, `Authorization` header included, and the
# frame that built the headers holds them in a local. So neither may stay reachable from the
# error we raise: the request is made in a function that *returns* its failure (its frame,
# with the headers, is gone before anything is raised), and the failure is raised outside
# the `except` block, so it has no `__context__` (nor `__cause__`) pointing at httpx's.


def _attempt(
    client: httpx.Client, request: ApiRequest, settings: ClientSettings
) -> httpx.Response | ApiConnectionError:
    headers, body, timeout = _parts(request, settings)
    try:
        return client.request(
            request.method,
            request.path,
            params=list(request.query),
            content=body,
            headers=headers,
            timeout=timeout,
        )
    except httpx.TransportError as exc:
        return _failure(exc, request)


async def _attempt_async(
    client: httpx.AsyncClient, request: ApiRequest, settings: ClientSettings
) -> httpx.Response | ApiConnectionError:
    headers, body, timeout = _parts(request, settings)
    try:
        return await client.request(
            request.method,
            request.path,
            params=list(request.query),
            content=body,
            headers=headers,
            timeout=timeout,
        )
    except httpx.TransportError as exc:
        return _failure(exc, request)


def _raise(failure: ApiConnectionError) -> NoReturn:
    # Raised here, outside any `except` of ours; `from None` also hides whatever exception
    # the caller may be handling.
    raise failure from None


def _client_options(settings: ClientSettings) -> dict[str, Any]:
    return {
        "base_url": settings.base_url,
        "timeout": _timeout(settings),
        "headers": {"User-Agent": settings.user_agent},
        "follow_redirects": False,
        "trust_env": settings.trust_env,
    }


class HttpxTransport:
    """The synchronous transport. Pass `transport=` (any `httpx.BaseTransport`, e.g. an
    `httpx.MockTransport`) to replace the network. Close it, or use it as a context manager.
    """

    def __init__(
        self,
        settings: ClientSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._settings = settings if settings is not None else ClientSettings()
        self._client = httpx.Client(transport=transport, **_client_options(self._settings))

    def send(self, request: ApiRequest) -> ApiResponse:
        """Send one request; raise `ApiTimeout` / `ApiConnectionError` if no response came."""
        outcome = _attempt(self._client, request, self._settings)
        if isinstance(outcome, ApiConnectionError):
            _raise(outcome)
        return _response(outcome)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpxTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HttpxTransport(base_url={self._settings.base_url!r})"


class AsyncHttpxTransport:
    """The asynchronous transport (any `httpx.AsyncBaseTransport` may replace the network).
    Close it with `aclose()`, or use it as an async context manager."""

    def __init__(
        self,
        settings: ClientSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = settings if settings is not None else ClientSettings()
        self._client = httpx.AsyncClient(transport=transport, **_client_options(self._settings))

    async def send(self, request: ApiRequest) -> ApiResponse:
        """Send one request; raise `ApiTimeout` / `ApiConnectionError` if no response came."""
        outcome = await _attempt_async(self._client, request, self._settings)
        if isinstance(outcome, ApiConnectionError):
            _raise(outcome)
        return _response(outcome)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def __aenter__(self) -> AsyncHttpxTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncHttpxTransport(base_url={self._settings.base_url!r})"
