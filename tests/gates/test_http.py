"""The gate endpoints' retry policy comes from gates.retries and gates.timeout."""

from __future__ import annotations

from gitshift.gates.http import policy


def test_policy_from_config() -> None:
    retry = policy(retries=3, timeout=20)
    assert (retry.attempts, retry.budget, retry.read_timeout) == (3, 20, 20)
    assert policy(6, 120).read_timeout == 30
