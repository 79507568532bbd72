"""Back-off and rate-limit arithmetic."""

from __future__ import annotations

import email.utils
import time

import pytest

from gitshift.net.retry import RetryPolicy, rate_limit_wait, rate_limited, retry_after


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(backoff=1.0, backoff_max=4.0)
    for attempt, step in [(1, 1.0), (2, 2.0), (3, 4.0), (9, 4.0)]:
        waits = [policy.backoff_for(attempt) for _ in range(200)]
        assert all(step / 2 <= w <= step for w in waits)
        assert len(set(waits)) > 1  # jitter


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (429, {}, True),
        (403, {"X-RateLimit-Remaining": "0"}, True),
        (403, {"Retry-After": "30"}, True),
        (403, {"RateLimit-Remaining": "0"}, True),
        (403, {"X-RateLimit-Remaining": "12"}, False),
        (403, {}, False),
        (503, {"Retry-After": "1"}, False),
    ],
)
def test_rate_limited(status: int, headers: dict[str, str], expected: bool) -> None:
    assert rate_limited(status, headers) is expected


def test_rate_limit_wait_prefers_retry_after() -> None:
    reset = str(int(time.time()) + 100)
    assert rate_limit_wait({"Retry-After": "7", "X-RateLimit-Reset": reset}, 1.0) == 7
    assert 98 <= rate_limit_wait({"X-RateLimit-Reset": reset}, 1.0) <= 100
    assert 98 <= rate_limit_wait({"RateLimit-Reset": reset}, 1.0) <= 100
    assert rate_limit_wait({"X-RateLimit-Reset": "1"}, 1.0) == 0  # already past
    assert rate_limit_wait({}, 1.5) == 1.5


def test_retry_after_forms() -> None:
    assert retry_after("3") == 3
    assert retry_after(None) is None
    assert retry_after("soon") is None
    date = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 58 <= (retry_after(date) or 0) <= 60
