"""The retry policy: delays stay in bounds, Retry-After is read and capped, and only safe
requests are retried after ambiguous failures."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.api._retry import (
    backoff_ceiling,
    parse_retry_after,
    retry_delay,
    should_retry,
)
from instantly_columns.config import RetryPolicy

NOW = datetime(2026, 3, 4, 9, 12, 45, tzinfo=timezone.utc)

policies = st.builds(
    lambda initial, extra, multiplier, retries, cap: RetryPolicy(
        max_retries=retries,
        initial_delay=initial,
        max_delay=initial + extra,
        multiplier=multiplier,
        max_retry_after=cap,
    ),
    st.floats(0, 10),
    st.floats(0, 100),
    st.floats(1, 5),
    st.integers(0, 20),
    st.floats(0, 600),
)
failures = st.sampled_from(["rate_limited", "server_error", "timeout", "connection"])


def test_default_backoff_ceilings_double_up_to_eight_seconds() -> None:
    policy = RetryPolicy()
    assert [backoff_ceiling(policy, n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]


@given(policies, st.integers(1, 60), st.floats(0, 1, exclude_max=True))
def test_backoff_delay_is_within_zero_and_the_ceiling(
    policy: RetryPolicy, retry: int, rand: float
) -> None:
    delay = retry_delay(policy, retry, retry_after=None, rand=rand)
    ceiling = backoff_ceiling(policy, retry)
    assert 0 <= delay <= ceiling <= policy.max_delay
    expected = min(policy.max_delay, policy.initial_delay * policy.multiplier ** (retry - 1))
    assert ceiling == pytest.approx(expected, rel=1e-9)


@given(policies, st.integers(1, 50))
def test_ceilings_never_shrink(policy: RetryPolicy, retry: int) -> None:
    assert backoff_ceiling(policy, retry) <= backoff_ceiling(policy, retry + 1)


@given(policies, st.integers(1, 50), st.floats(-100, 10_000), st.floats(0, 1, exclude_max=True))
def test_retry_after_is_obeyed_up_to_the_cap(
    policy: RetryPolicy, retry: int, after: float, rand: float
) -> None:
    delay = retry_delay(policy, retry, retry_after=after, rand=rand)
    assert delay == min(max(after, 0.0), policy.max_retry_after)


@given(policies, st.integers(0, 30), failures, st.booleans())
def test_should_retry(policy: RetryPolicy, done: int, failure: str, safe: bool) -> None:
    decision = should_retry(policy, done, failure, safe)  # type: ignore[arg-type]
    if done >= policy.max_retries:
        assert decision is False
    elif failure == "rate_limited":
        assert decision is True  # a 429 did nothing: any request may go again
    else:
        assert decision is safe


@given(st.integers(0, 10**6))
def test_retry_after_seconds(seconds: int) -> None:
    assert parse_retry_after(str(seconds), None) == float(seconds)
    assert parse_retry_after(f" {seconds} ", NOW) == float(seconds)


@given(st.integers(-(10**5), 10**6))
def test_retry_after_http_dates(offset: int) -> None:
    header = format_datetime(NOW + timedelta(seconds=offset), usegmt=True)
    assert parse_retry_after(header, NOW) == max(0.0, float(offset))
    assert parse_retry_after(header, None) is None  # a date needs a reference time


@pytest.mark.parametrize("value", [None, "", "soon", "inf", "nan", "Wed, 99 Foo 2026"])
def test_unreadable_retry_after(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_negative_retry_after_means_now() -> None:
    assert parse_retry_after("-3", NOW) == 0.0
    naive = NOW.replace(tzinfo=None)
    assert parse_retry_after("Wed, 04 Mar 2026 09:12:50 GMT", naive) == 5.0
