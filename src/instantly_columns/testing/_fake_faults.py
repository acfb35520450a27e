"""Fault injection for FakeInstantly: seeded, deterministic, per endpoint and per call number."""

from __future__ import annotations

import random
import re
import threading
import typing
from collections.abc import Iterable
from typing import Any, Literal

import attrs

from instantly_columns.errors import ConfigError, Problem

__all__ = ["FaultEvent", "FaultKind", "FaultRule", "Faults"]

FaultKind = Literal[
    "rate_limit",
    "server_error",
    "timeout",
    "connection_reset",
    "malformed_json",
    "error_body",
    "latency",
    "empty_page",
    "page_cursor",
    "numeric_cursor",
]
"""What a fault does to a request:

- ``rate_limit``: answer 429 with the API's envelope (and ``Retry-After`` if set);
- ``server_error``: answer a 5xx envelope;
- ``timeout``: no answer; in-process transports raise a timeout, the server holds the
  connection then closes it;
- ``connection_reset``: the connection drops without an answer;
- ``malformed_json``: the real answer, cut in half;
- ``error_body``: a 200 whose JSON body carries an error;
- ``latency``: the answer arrives ``seconds`` later (the fake clock moves; the server sleeps).

Page faults apply the request, then change a list answer (``{"items": [...],
"next_starting_after": ...}``; other answers pass unchanged):

- ``empty_page``: the page without its items; its cursor is kept, or replaced by ``cursor``
  (as an API that filters after paging, or that sends a cursor with its trailing empty page);
- ``page_cursor``: the page with ``cursor`` (any JSON value) as its ``next_starting_after``;
- ``numeric_cursor``: the page's cursor sent as a JSON number (1, 2, 3... one per cursor);
  the fake reads that number, or its text form, back as the cursor it stands for.
"""

_PAGE_KINDS: frozenset[str] = frozenset({"empty_page", "page_cursor", "numeric_cursor"})

_KINDS: frozenset[str] = frozenset(typing.get_args(FaultKind))


def _calls(value: int | Iterable[int] | None) -> frozenset[int] | None:
    if value is None:
        return None
    if isinstance(value, int):
        return frozenset({value})
    return frozenset(value)


def _endpoint_regex(pattern: str) -> tuple[str | None, re.Pattern[str]]:
    method, _, path = pattern.strip().rpartition(" ")
    parts = re.split(r"(\{[^}/]+\}|\*)", path)
    regex = "".join(
        "[^/]+" if part.startswith("{") else ".*" if part == "*" else re.escape(part)
        for part in parts
    )
    return (method.upper() or None), re.compile(f"^{regex}$")


@attrs.frozen
class FaultRule:
    """One fault and when it fires.

    ``endpoint`` selects requests: ``"POST /api/v2/leads/add"``, a path alone (any method),
    ``{name}`` for one path segment and ``*`` for anything (``"GET /api/v2/campaigns/{id}"``,
    ``"/api/v2/leads*"``); ``None`` matches every request. Among matching requests the rule
    fires at the 1-based ``calls`` numbers, or with ``probability`` (drawn from the fake's seed),
    or, with neither, on every one; ``times`` caps how often it fires.
    ``after_apply=True`` lets the fake apply the request first and only then fail the answer,
    as when a write succeeds but its response is lost.
    """

    kind: FaultKind
    endpoint: str | None = None
    calls: frozenset[int] | None = attrs.field(default=None, converter=_calls)
    probability: float | None = None
    times: int | None = None
    after_apply: bool = False
    status: int | None = None
    retry_after: float | None = None
    seconds: float | None = None
    message: str | None = None
    cursor: Any = attrs.field(default=None, eq=False)
    """The ``next_starting_after`` a page fault sends (any JSON value)."""

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if self.kind not in _KINDS:
            problems.append(Problem("kind", f"unknown fault kind {self.kind!r}"))
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            problems.append(Problem("probability", "must be between 0 and 1"))
        if self.calls is not None and any(n < 1 for n in self.calls):
            problems.append(Problem("calls", "call numbers start at 1"))
        if self.times is not None and self.times < 0:
            problems.append(Problem("times", "must be >= 0"))
        if self.seconds is not None and self.seconds < 0:
            problems.append(Problem("seconds", "must be >= 0"))
        if self.kind == "latency" and self.seconds is None:
            problems.append(Problem("seconds", "a latency fault needs seconds"))
        if self.kind in _PAGE_KINDS and not self.after_apply:
            problems.append(Problem("after_apply", "a page fault changes the real answer"))
        if self.kind == "page_cursor" and self.cursor is None:
            problems.append(Problem("cursor", "a page_cursor fault needs a cursor"))
        if problems:
            raise ConfigError(problems)

    def matches(self, method: str, path: str, template: str | None) -> bool:
        """Whether a request falls under this rule's ``endpoint``."""
        if self.endpoint is None:
            return True
        want_method, regex = _endpoint_regex(self.endpoint)
        if want_method is not None and want_method != method.upper():
            return False
        return bool(regex.match(path)) or (template is not None and bool(regex.match(template)))

    def __repr__(self) -> str:
        where = self.endpoint or "any endpoint"
        when = (
            f"calls {sorted(self.calls)}"
            if self.calls is not None
            else f"p={self.probability}"
            if self.probability is not None
            else "every call"
        )
        phase = ", after apply" if self.after_apply else ""
        return f"FaultRule({self.kind} on {where}, {when}{phase})"


@attrs.frozen
class FaultEvent:
    """A fault that fired: the request number (1-based, across the fake) and the rule."""

    request: int
    method: str
    path: str
    rule: FaultRule

    def __repr__(self) -> str:
        return f"FaultEvent(#{self.request} {self.method} {self.path}: {self.rule.kind})"


@attrs.frozen
class FaultPlan:
    """What the faults decided for one request (internal)."""

    latency: float = 0.0
    rule: FaultRule | None = None


class Faults:
    """The fault knobs of one FakeInstantly (``fake.faults``).

    Each helper adds a :class:`FaultRule` and returns it; rules are checked in the order
    added and the first non-latency rule that fires decides the request's fate (latencies add
    up). Random choices come from the fake's seed, so a run is repeatable.

    ``duplicate_webhooks`` is the probability that a delivered webhook event is delivered a
    second time (the real service does this now and then).
    """

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(f"faults:{seed}")  # noqa: S311 - seeded on purpose
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._matched: list[int] = []
        self._fired: list[int] = []
        self._log: list[FaultEvent] = []
        self._numbers: dict[str, int] = {}  # numeric_cursor: real cursor -> its number
        self._cursors: dict[str, str] = {}  # and back, from the number's text
        self.duplicate_webhooks: float = 0.0

    # --- adding rules -----------------------------------------------------------------------

    def add(self, rule: FaultRule) -> FaultRule:
        """Add a rule built by hand."""
        with self._lock:
            self._rules.append(rule)
            self._matched.append(0)
            self._fired.append(0)
        return rule

    def rate_limit(
        self,
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
        retry_after: float | None = None,
    ) -> FaultRule:
        """Answer 429 ``Rate limit exceeded``, with ``Retry-After`` when given."""
        return self.add(
            FaultRule(
                "rate_limit",
                endpoint,
                _calls(calls),
                probability,
                times,
                retry_after=retry_after,
            )
        )

    def server_error(
        self,
        status: int = 500,
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
        after_apply: bool = False,
    ) -> FaultRule:
        """Answer a 5xx envelope (``status`` 500, 502, 503, 504...)."""
        return self.add(
            FaultRule(
                "server_error", endpoint, _calls(calls), probability, times, after_apply, status
            )
        )

    def timeout(
        self,
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
        after_apply: bool = False,
        seconds: float | None = None,
    ) -> FaultRule:
        """Never answer. In process the clock moves by ``seconds`` (default: the request's
        timeout, else 0) and the transport raises its timeout; the server holds the connection
        ``seconds`` (default 5) before closing it."""
        return self.add(
            FaultRule(
                "timeout",
                endpoint,
                _calls(calls),
                probability,
                times,
                after_apply,
                seconds=seconds,
            )
        )

    def connection_reset(
        self,
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
        after_apply: bool = False,
    ) -> FaultRule:
        """Drop the connection without an answer."""
        return self.add(
            FaultRule("connection_reset", endpoint, _calls(calls), probability, times, after_apply)
        )

    def malformed_json(
        self,
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
    ) -> FaultRule:
        """Apply the request, then send its answer cut in half (invalid JSON)."""
        return self.add(
            FaultRule("malformed_json", endpoint, _calls(calls), probability, times, True)
        )

    def error_body(
        self,
        message: str = "Internal error",
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
        after_apply: bool = False,
    ) -> FaultRule:
        """Answer 200 with ``{"error": message}`` instead of the real body."""
        return self.add(
            FaultRule(
                "error_body",
                endpoint,
                _calls(calls),
                probability,
                times,
                after_apply,
                message=message,
            )
        )

    def latency(
        self,
        seconds: float,
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
    ) -> FaultRule:
        """Delay answers by ``seconds`` (fake clock in process, real sleep when serving)."""
        return self.add(
            FaultRule("latency", endpoint, _calls(calls), probability, times, seconds=seconds)
        )

    def empty_page(
        self,
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
        cursor: Any = None,
    ) -> FaultRule:
        """Answer a list page without its items, keeping its ``next_starting_after`` (or
        sending ``cursor`` instead): an empty page that says there is more."""
        return self.add(
            FaultRule(
                "empty_page", endpoint, _calls(calls), probability, times, True, cursor=cursor
            )
        )

    def page_cursor(
        self,
        cursor: Any,
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
    ) -> FaultRule:
        """Answer a list page with ``cursor`` (any JSON value: ``True``, ``{}``...) as its
        ``next_starting_after``."""
        return self.add(
            FaultRule(
                "page_cursor", endpoint, _calls(calls), probability, times, True, cursor=cursor
            )
        )

    def numeric_cursor(
        self,
        *,
        endpoint: str | None = None,
        calls: int | Iterable[int] | None = None,
        probability: float | None = None,
        times: int | None = None,
    ) -> FaultRule:
        """Send a list page's cursor as a JSON number; a later ``starting_after`` of that
        number, or of its text form, is read as the cursor it stands for."""
        return self.add(
            FaultRule("numeric_cursor", endpoint, _calls(calls), probability, times, True)
        )

    def clear(self) -> None:
        """Remove every rule (the log of fired faults is kept)."""
        with self._lock:
            self._rules.clear()
            self._matched.clear()
            self._fired.clear()

    # --- reading ------------------------------------------------------------------------------

    @property
    def rules(self) -> tuple[FaultRule, ...]:
        """The rules, in the order they are checked."""
        with self._lock:
            return tuple(self._rules)

    @property
    def log(self) -> tuple[FaultEvent, ...]:
        """Every fault that fired, in order."""
        with self._lock:
            return tuple(self._log)

    def fired(self, rule: FaultRule) -> int:
        """How many times ``rule`` fired."""
        with self._lock:
            return sum(1 for event in self._log if event.rule is rule)

    # --- used by the fake ---------------------------------------------------------------------

    def _plan(self, number: int, method: str, path: str, template: str | None) -> FaultPlan:
        """Decide the faults of request ``number`` (internal)."""
        latency = 0.0
        chosen: FaultRule | None = None
        with self._lock:
            for index, rule in enumerate(self._rules):
                if not rule.matches(method, path, template):
                    continue
                self._matched[index] += 1
                if rule.times is not None and self._fired[index] >= rule.times:
                    continue
                if rule.calls is not None:
                    fires = self._matched[index] in rule.calls
                elif rule.probability is not None:
                    fires = self._rng.random() < rule.probability
                else:
                    fires = True
                if not fires:
                    continue
                if rule.kind == "latency":
                    latency += rule.seconds or 0.0
                elif chosen is None:
                    chosen = rule
                else:
                    continue
                self._fired[index] += 1
                self._log.append(FaultEvent(number, method, path, rule))
        return FaultPlan(latency, chosen)

    def _number_for(self, cursor: str) -> int:
        """The number standing for ``cursor`` (internal, for ``numeric_cursor``)."""
        with self._lock:
            number = self._numbers.get(cursor)
            if number is None:
                number = self._numbers[cursor] = len(self._numbers) + 1
                self._cursors[str(number)] = cursor
            return number

    def _cursor_for(self, value: Any) -> str | None:
        """The cursor a number given back as ``starting_after`` stands for, if any."""
        if isinstance(value, bool) or not isinstance(value, int | str):
            return None
        with self._lock:
            return self._cursors.get(str(value)) if self._cursors else None

    def _draw(self) -> float:
        """A seeded random number (used for duplicate webhook deliveries)."""
        with self._lock:
            return self._rng.random()

    def __repr__(self) -> str:
        return f"Faults(rules={len(self.rules)}, fired={len(self.log)})"
