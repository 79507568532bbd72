"""When an HTTP call (a forge's, a gate's) is tried again, and how long to wait first (back-off, rate limits)."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often an HTTP call may be retried.

    Attributes:
        connect_timeout: seconds to open a connection.
        read_timeout: seconds to wait for an answer.
        attempts: most tries of one call, the first included.
        backoff: first back-off in seconds; doubled per retry, with jitter.
        backoff_max: the longest single back-off.
        max_wait: the longest wait a rate limit may ask for; a longer one fails at once.
        budget: total seconds one call may take, waits included.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    attempts: int = 6
    backoff: float = 0.5
    backoff_max: float = 8.0
    max_wait: float = 60.0
    budget: float = 120.0

    def backoff_for(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        Exponential with equal jitter: half of the step is fixed, half random, so
        concurrent CI jobs do not retry in lockstep.
        """
        step = min(self.backoff_max, self.backoff * 2.0 ** (attempt - 1))
        return step / 2 + random.uniform(0, step / 2)

    def jitter(self) -> float:
        """A small random delay added to a rate-limit wait."""
        return random.uniform(0, self.backoff / 4)


def rate_limited(status: int, headers: Mapping[str, str]) -> bool:
    """Whether an answer is a rate limit rather than a refusal.

    GitHub answers a spent primary limit with 403 (or 429) and ``X-RateLimit-Remaining: 0``,
    a secondary limit with 403/429 and ``Retry-After``; GitLab uses 429 and ``RateLimit-*``.
    """
    if status == 429:
        return True
    return status == 403 and (
        headers.get("X-RateLimit-Remaining") == "0"
        or headers.get("RateLimit-Remaining") == "0"
        or "Retry-After" in headers
    )


def rate_limit_wait(headers: Mapping[str, str], default: float) -> float:
    """Seconds a rate-limited answer asks to wait, never negative.

    ``Retry-After`` (seconds or an HTTP date) wins; then ``X-RateLimit-Reset``
    (GitHub) or ``RateLimit-Reset`` (GitLab), both epoch seconds; else ``default``.
    """
    wait = retry_after(headers.get("Retry-After"))
    if wait is None:
        for name in ("X-RateLimit-Reset", "RateLimit-Reset"):
            reset = _number(headers.get(name))
            if reset is not None:
                wait = reset - time.time()
                break
    return max(0.0, default if wait is None else wait)


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds or an HTTP date."""
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
