"""Client settings: one explicit, immutable object, composed in one place.

[`ClientSettings`][instantly_columns.config.ClientSettings] holds everything the API client
needs besides the key: base URL, timeouts, page size, the retry policy and the User-Agent
suffix. Importing this module reads nothing; the environment is read only by
[`ClientSettings.from_env`][instantly_columns.config.ClientSettings.from_env], which takes the
mapping to read as an argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from instantly_columns.errors import ConfigError, Problem

__all__ = ["API_KEY_ENV", "DEFAULT_BASE_URL", "ClientSettings", "RetryPolicy"]

DEFAULT_BASE_URL = "https://api.instantly.ai"
"""Where the Instantly API v2 lives; paths under it start with `/api/v2`."""

API_KEY_ENV = "INSTANTLY_API_KEY"
"""The environment variable the API key is read from, by
[`ApiKey.from_env`][instantly_columns.ports.ApiKey.from_env] and by the clients when they are
given no key. Settings never hold the key."""

_MAX_PAGE_SIZE = 100  # the API's own maximum for `limit`


def _non_negative(name: str) -> Callable[[Any, Any, float], None]:
    def check(_instance: Any, _attribute: Any, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError("must be a number", path=name)
        if not math.isfinite(value) or value < 0:
            raise ConfigError("must be a finite number >= 0", path=name)

    return check


def _positive(name: str) -> Callable[[Any, Any, float], None]:
    def check(instance: Any, attribute: Any, value: float) -> None:
        _non_negative(name)(instance, attribute, value)
        if value == 0:
            raise ConfigError("must be > 0", path=name)

    return check


def _int_between(name: str, low: int, high: int) -> Callable[[Any, Any, int], None]:
    def check(_instance: Any, _attribute: Any, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError("must be an integer", path=name)
        if not low <= value <= high:
            raise ConfigError(f"must be between {low} and {high}", path=name)

    return check


def _boolean(name: str) -> Callable[[Any, Any, bool], None]:
    def check(_instance: Any, _attribute: Any, value: bool) -> None:
        if not isinstance(value, bool):
            raise ConfigError("must be True or False", path=name)

    return check


@attrs.frozen
class RetryPolicy:
    """When and how long the client waits before sending a request again.

    The defaults: two retries; backoff ceilings of 0.5 s, then 1 s, ... doubling up to 8 s,
    each wait drawn uniformly below its ceiling ("full jitter"); a `Retry-After` header on a
    429 is obeyed up to 60 s. A 429 is always retried (the API refused the request before doing
    anything); 5xx answers, timeouts and connection errors are retried only for requests marked
    `retry_safe` (reads, and writes that carry a dedupe guard).

    ```python
    from instantly_columns.config import RetryPolicy

    assert RetryPolicy().max_retries == 2
    assert RetryPolicy(max_retries=0).max_retries == 0
    ```
    """

    max_retries: int = attrs.field(default=2, validator=_int_between("retry.max_retries", 0, 20))
    initial_delay: float = attrs.field(default=0.5, validator=_non_negative("retry.initial_delay"))
    max_delay: float = attrs.field(default=8.0, validator=_non_negative("retry.max_delay"))
    multiplier: float = attrs.field(default=2.0, validator=_positive("retry.multiplier"))
    max_retry_after: float = attrs.field(
        default=60.0, validator=_non_negative("retry.max_retry_after")
    )

    def __attrs_post_init__(self) -> None:
        if self.multiplier < 1:
            raise ConfigError("must be >= 1", path="retry.multiplier")
        if self.initial_delay > self.max_delay:
            raise ConfigError("must not exceed retry.max_delay", path="retry.initial_delay")


def _check_base_url(_instance: Any, _attribute: Any, value: str) -> None:
    if not isinstance(value, str):
        raise ConfigError("must be a string", path="base_url")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            "must be an http(s) URL such as https://api.instantly.ai", path="base_url"
        )
    if parts.query or parts.fragment:
        raise ConfigError("must not carry a query or fragment", path="base_url")


def _check_suffix(_instance: Any, _attribute: Any, value: str) -> None:
    if not isinstance(value, str):
        raise ConfigError("must be a string", path="user_agent_suffix")
    if any(not (32 <= ord(ch) < 127) for ch in value):
        raise ConfigError("must be printable ASCII", path="user_agent_suffix")


def _check_retry(_instance: Any, _attribute: Any, value: RetryPolicy) -> None:
    if not isinstance(value, RetryPolicy):
        raise ConfigError("must be a RetryPolicy", path="retry")


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("instantly-columns")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@attrs.frozen
class ClientSettings:
    """Everything the API client needs to know, except the key.

    Attributes:
        base_url: Scheme and host of the API (a path prefix is kept, for proxies).
        timeout: Seconds to wait for the response to a request (read, write and pool).
        connect_timeout: Seconds to wait for a connection.
        page_size: Items asked per page when listing (1..100; the API refuses more than 100).
        retry: The [`RetryPolicy`][instantly_columns.config.RetryPolicy].
        user_agent_suffix: Extra product tokens sent after `instantly-columns/<version>`,
            e.g. `"acme-crm/2.1"`. The library's own token is always sent: Instantly's edge
            rejects requests that carry no User-Agent or a stock one.
        clock_skew: Seconds of clock difference tolerated when, after a campaign creation
            failed ambiguously, the client looks for a campaign created since the call began.
        trust_env: Let httpx read proxy and certificate variables (`HTTPS_PROXY`,
            `SSL_CERT_FILE`...) from the environment. Off by default, so that nothing but
            `from_env` reads the environment.

    ```python
    from instantly_columns.config import ClientSettings, RetryPolicy

    settings = ClientSettings(timeout=10, retry=RetryPolicy(max_retries=4))
    assert settings.base_url == "https://api.instantly.ai"
    assert settings.user_agent.startswith("instantly-columns/")
    ```
    """

    base_url: str = attrs.field(default=DEFAULT_BASE_URL, validator=_check_base_url)
    timeout: float = attrs.field(default=30.0, validator=_positive("timeout"))
    connect_timeout: float = attrs.field(default=10.0, validator=_positive("connect_timeout"))
    page_size: int = attrs.field(
        default=_MAX_PAGE_SIZE, validator=_int_between("page_size", 1, _MAX_PAGE_SIZE)
    )
    retry: RetryPolicy = attrs.field(factory=RetryPolicy, validator=_check_retry)
    user_agent_suffix: str = attrs.field(default="", validator=_check_suffix)
    clock_skew: float = attrs.field(default=120.0, validator=_non_negative("clock_skew"))
    trust_env: bool = attrs.field(default=False, validator=_boolean("trust_env"))

    @property
    def user_agent(self) -> str:
        """`instantly-columns/<version>`, then the suffix if one is set."""
        base = f"instantly-columns/{_package_version()}"
        suffix = self.user_agent_suffix.strip()
        return f"{base} {suffix}" if suffix else base

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ClientSettings:
        """Build settings from an environment-like mapping (pass `os.environ` explicitly).

        Reads `INSTANTLY_BASE_URL`, `INSTANTLY_TIMEOUT`, `INSTANTLY_CONNECT_TIMEOUT`,
        `INSTANTLY_PAGE_SIZE`, `INSTANTLY_MAX_RETRIES` and `INSTANTLY_USER_AGENT_SUFFIX`;
        absent or empty variables keep their defaults, other variables are ignored. The API key
        (`INSTANTLY_API_KEY`) is not a setting, so that settings can be printed and logged
        freely: read it with [`ApiKey.from_env`][instantly_columns.ports.ApiKey.from_env], as
        the clients do when given no key. Every bad value is reported at once, in a
        [`ConfigError`][instantly_columns.errors.ConfigError] whose paths are the variable
        names.

        ```python
        from instantly_columns.config import ClientSettings

        settings = ClientSettings.from_env({"INSTANTLY_TIMEOUT": "5", "INSTANTLY_MAX_RETRIES": "0"})
        assert settings.timeout == 5.0 and settings.retry.max_retries == 0
        ```
        """
        problems: list[Problem] = []
        kwargs: dict[str, Any] = {}
        retry_kwargs: dict[str, Any] = {}

        def read(var: str, parse: Callable[[str], Any], target: dict[str, Any], key: str) -> None:
            raw = environ.get(var, "").strip()
            if not raw:
                return
            try:
                target[key] = parse(raw)
            except ValueError:
                problems.append(Problem(var, f"cannot be read as {parse.__name__}"))

        read("INSTANTLY_BASE_URL", str, kwargs, "base_url")
        read("INSTANTLY_TIMEOUT", float, kwargs, "timeout")
        read("INSTANTLY_CONNECT_TIMEOUT", float, kwargs, "connect_timeout")
        read("INSTANTLY_PAGE_SIZE", int, kwargs, "page_size")
        read("INSTANTLY_MAX_RETRIES", int, retry_kwargs, "max_retries")
        read("INSTANTLY_USER_AGENT_SUFFIX", str, kwargs, "user_agent_suffix")
        names = {
            "base_url": "INSTANTLY_BASE_URL",
            "timeout": "INSTANTLY_TIMEOUT",
            "connect_timeout": "INSTANTLY_CONNECT_TIMEOUT",
            "page_size": "INSTANTLY_PAGE_SIZE",
            "retry.max_retries": "INSTANTLY_MAX_RETRIES",
            "user_agent_suffix": "INSTANTLY_USER_AGENT_SUFFIX",
        }
        # Validate each value on its own so that every problem is reported, under its
        # variable's name.
        for key, value in kwargs.items():
            try:
                cls(**{key: value})
            except ConfigError as exc:
                problems.extend(Problem(names.get(p.path, p.path), p.message) for p in exc.problems)
        try:
            retry = RetryPolicy(**retry_kwargs)
        except ConfigError as exc:
            problems.extend(Problem(names.get(p.path, p.path), p.message) for p in exc.problems)
            retry = RetryPolicy()
        if problems:
            raise ConfigError(problems)
        return cls(retry=retry, **kwargs)
