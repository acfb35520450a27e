"""The exception tree of instantly-columns.

Every error the library raises on purpose derives from :class:`InstantlyColumnsError`::

    InstantlyColumnsError
    +-- ConfigError (ValueError)          .problems: tuple[Problem, ...]
    |   +-- InvalidColumnConfig
    |   +-- MappingError
    |   +-- SequenceError
    +-- StoreError
    |   +-- RecordNotFound (LookupError)
    |   +-- VersionConflict
    |   +-- SyncInProgress
    +-- CredentialError
    |   +-- MissingApiKey
    +-- WebhookError
    |   +-- WebhookAuthError
    |   +-- WebhookPayloadError
    +-- ApiError                          .method .path .request_id
        +-- ApiConnectionError
        |   +-- ApiTimeout
        +-- ApiResponseError              malformed JSON, schema drift, cursor loop
        +-- ApiStatusError                .status_code (.status) .body_excerpt
            +-- BadRequest (400)  Unauthorized (401)  PaymentRequired (402)
            +-- Forbidden (403)   NotFound (404)      Conflict (409)
            +-- PayloadTooLarge (413)
            +-- Unprocessable (422)  RateLimited (429, .retry_after)
            +-- ServerError (5xx)

No exception carries an API key, a request header or a full response body.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "ApiConnectionError",
    "ApiError",
    "ApiResponseError",
    "ApiStatusError",
    "ApiTimeout",
    "BadRequest",
    "ConfigError",
    "Conflict",
    "CredentialError",
    "Forbidden",
    "InstantlyColumnsError",
    "InvalidColumnConfig",
    "MappingError",
    "MissingApiKey",
    "NotFound",
    "PayloadTooLarge",
    "PaymentRequired",
    "Problem",
    "PushInProgress",
    "RateLimited",
    "RecordNotFound",
    "SequenceError",
    "ServerError",
    "StoreError",
    "SyncInProgress",
    "Unauthorized",
    "Unprocessable",
    "VersionConflict",
    "WebhookAuthError",
    "WebhookError",
    "WebhookPayloadError",
]


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (a dotted field path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InstantlyColumnsError(Exception):
    """Base class of every error raised on purpose by instantly-columns."""


# --- configuration ---------------------------------------------------------------------------


class ConfigError(InstantlyColumnsError, ValueError):
    """Invalid user input: a column config, a mapping, a sequence, a schedule.

    ``problems`` lists every problem found, each with a field path, so a UI can show them
    all at once.
    """

    def __init__(self, problems: Iterable[Problem] | str, *, path: str = "") -> None:
        if isinstance(problems, str):
            problems = (Problem(path, problems),)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "invalid configuration")


class InvalidColumnConfig(ConfigError):
    """An ``instantly`` column's config, or a table of them, is invalid."""


class MappingError(ConfigError):
    """A field mapping is invalid (one column mapped twice, unknown header...)."""


class SequenceError(ConfigError):
    """A sequence, a template variable or a schedule is invalid."""


# --- storage ---------------------------------------------------------------------------------


class StoreError(InstantlyColumnsError):
    """A storage adapter could not do what was asked."""


class RecordNotFound(StoreError, LookupError):
    """The table, column, row or integration does not exist."""


class VersionConflict(StoreError):
    """An optimistic-concurrency check failed: somebody else saved first."""


class SyncInProgress(StoreError):
    """Another sync of the same campaign link holds the lease."""


class PushInProgress(SyncInProgress):
    """A push could not take its campaign link's lease: another push or a sync of the link
    is running (one run a link at a time), or this push lost the lease while it ran. A
    ``SyncInProgress``, so a worker that retries on that later retries a push too."""


# --- credentials -----------------------------------------------------------------------------


class CredentialError(InstantlyColumnsError):
    """A credential could not be stored, read or decrypted."""


class MissingApiKey(CredentialError):
    """No API key to use: none is stored for this credential (connect one first), or a
    client was given none and ``INSTANTLY_API_KEY`` is not set."""


# --- webhooks --------------------------------------------------------------------------------


class WebhookError(InstantlyColumnsError):
    """A webhook delivery was refused."""


class WebhookAuthError(WebhookError):
    """The delivery did not carry the shared secret."""


class WebhookPayloadError(WebhookError):
    """The delivery body is not a webhook event we can read."""


# --- API -------------------------------------------------------------------------------------


class ApiError(InstantlyColumnsError):
    """A call to the Instantly API failed.

    ``method`` and ``path`` say which call (``"POST"``, ``"/api/v2/leads/add"``).
    ``request_id`` is the id the response carried in a request-id header (``x-request-id``,
    ``request-id`` or Cloudflare's ``cf-ray``), for a support ticket; ``None`` when no response
    came or it carried none (Instantly documents no request-id header).
    """

    def __init__(
        self, message: str, *, method: str = "", path: str = "", request_id: str | None = None
    ) -> None:
        self.method = method
        self.path = path
        self.request_id = request_id
        where = f"{method} {path}: " if method else ""
        tail = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{where}{message}{tail}")


class ApiConnectionError(ApiError):
    """The request did not get an HTTP response (DNS, refused, reset)."""


class ApiTimeout(ApiConnectionError):
    """The request timed out."""


class ApiResponseError(ApiError):
    """A response arrived but cannot be used: malformed JSON (or JSON nested more than 64
    levels deep, or holding an integer of more than 4,300 digits), unexpected shape, cursor
    loop, or a 200 whose body reports an error."""


class ApiStatusError(ApiError):
    """The API answered with an error status: ``status_code`` (``status`` is the same number,
    under its older name) and the start of the body, ``body_excerpt``."""

    status_code: int = 0

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str = "",
        path: str = "",
        body_excerpt: str = "",
        request_id: str | None = None,
    ) -> None:
        self.status_code = status
        self.body_excerpt = body_excerpt
        super().__init__(f"{status} {message}", method=method, path=path, request_id=request_id)

    @property
    def status(self) -> int:
        """The HTTP status: an alias of ``status_code``."""
        return self.status_code


class BadRequest(ApiStatusError):
    """400: the API rejected the request body or query (message names the field)."""


class Unauthorized(ApiStatusError):
    """401: the API key is missing, invalid or revoked."""


class PaymentRequired(ApiStatusError):
    """402: the workspace has no active paid plan."""


class Forbidden(ApiStatusError):
    """403: the key lacks a scope, or the edge blocked the request."""


class NotFound(ApiStatusError):
    """404: unknown id."""


class Conflict(ApiStatusError):
    """409: the resource already exists."""


class PayloadTooLarge(ApiStatusError):
    """413: the request body is over the API's size limit. Nothing was applied; send less
    per call (the limit of ``POST /leads/add`` is undocumented, about 1 MiB is assumed)."""


class Unprocessable(ApiStatusError):
    """422: the API understood the request but refuses it."""


class RateLimited(ApiStatusError):
    """429: the workspace rate limit was hit. ``retry_after`` is in seconds, if sent."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 429,
        method: str = "",
        path: str = "",
        body_excerpt: str = "",
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            message,
            status=status,
            method=method,
            path=path,
            body_excerpt=body_excerpt,
            request_id=request_id,
        )


class ServerError(ApiStatusError):
    """5xx: the API failed; safe to retry idempotent calls."""
