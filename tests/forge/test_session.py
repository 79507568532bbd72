"""Retries, back-off, rate limits and errors of the forge session, over real HTTP."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from gitshift.errors import ExternalError, ForgeError
from gitshift.forge import Forge
from gitshift.net.retry import RetryPolicy

if TYPE_CHECKING:
    from tests.support.forge_clients import ForgeFactory
    from tests.support.forge_server import ForgeServer

PULL = "/repos/acme/gitops/pulls/1"


@pytest.fixture
def pull(github: Forge) -> int:
    """An open pull request number, before any fault is injected."""
    return github.open_or_update_pr("gitshift/x", "main", "t", "b").number


def test_server_errors_are_retried(github: Forge, forge_server: ForgeServer, pull: int) -> None:
    forge_server.fail("GET", PULL, 502, times=2)

    assert github.get_pr(pull).number == pull
    assert [r.status for r in forge_server.calls("GET", PULL)] == [502, 502, 200]


def test_exhausted_retries_name_forge_call_and_status(
    github: Forge, forge_server: ForgeServer, pull: int, fast_policy: RetryPolicy
) -> None:
    forge_server.fail("GET", PULL, 503, times=99)

    start = time.monotonic()
    with pytest.raises(ForgeError) as caught:
        github.get_pr(pull)

    err = caught.value
    assert isinstance(err, ExternalError) and err.exit_code == 3
    assert f"github API call GET {PULL} failed" in str(err)
    assert "gave up after 4 attempt(s)" in str(err) and "status 503" in str(err)
    assert err.hint
    assert len(forge_server.calls("GET", PULL)) == fast_policy.attempts
    assert time.monotonic() - start < fast_policy.budget


def test_budget_bounds_the_total_time(forge_server: ForgeServer, forge_client: ForgeFactory) -> None:
    policy = RetryPolicy(read_timeout=1, attempts=50, backoff=0.1, backoff_max=0.2, budget=0.6)
    github = forge_client("github", policy=policy)
    forge_server.fail("GET", "*", 500, times=999)

    start = time.monotonic()
    with pytest.raises(ForgeError, match="status 500"):
        github.current_user()
    assert time.monotonic() - start < 1.0
    assert 2 <= len(forge_server.requests) < 50


@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_client_errors_are_raised_at_once(github: Forge, forge_server: ForgeServer, pull: int, status: int) -> None:
    forge_server.fail("GET", PULL, status, times=5, body={"message": f"nope {status}"})

    with pytest.raises(ForgeError, match=f"github refused GET {PULL}: status {status}: nope"):
        github.get_pr(pull)
    assert len(forge_server.calls("GET", PULL)) == 1


def test_forbidden_without_rate_limit_is_not_retried(github: Forge, forge_server: ForgeServer, pull: int) -> None:
    forge_server.fail("GET", PULL, 403, times=5, body={"message": "Resource not accessible"})

    with pytest.raises(ForgeError, match="Resource not accessible") as caught:
        github.get_pr(pull)
    assert "permission" in caught.value.hint
    assert len(forge_server.calls("GET", PULL)) == 1


def test_retry_after_is_honoured(github: Forge, forge_server: ForgeServer, pull: int) -> None:
    forge_server.rate_limit("GET", PULL, 429, retry_after=1)

    start = time.monotonic()
    assert github.get_pr(pull).number == pull
    assert time.monotonic() - start >= 0.95
    assert [r.status for r in forge_server.calls("GET", PULL)] == [429, 200]


def test_github_primary_rate_limit_waits_for_the_reset(github: Forge, forge_server: ForgeServer, pull: int) -> None:
    forge_server.rate_limit("GET", PULL, 403, reset_in=2)  # X-RateLimit-Remaining: 0

    start = time.monotonic()
    assert github.get_pr(pull).number == pull
    assert time.monotonic() - start >= 0.9  # the reset is a whole second, 1 to 2 s away
    assert [r.status for r in forge_server.calls("GET", PULL)] == [403, 200]


def test_gitlab_rate_limit_is_honoured(gitlab: Forge, forge_server: ForgeServer) -> None:
    forge_server.rate_limit("GET", "/api/v4/user", 429, retry_after=0.3, times=2)

    start = time.monotonic()
    assert gitlab.current_user().login == "gitshift-bot"
    assert time.monotonic() - start >= 0.55
    assert len(forge_server.calls("GET", "/api/v4/user")) == 3


def test_rate_limit_beyond_the_cap_fails_at_once(github: Forge, forge_server: ForgeServer, pull: int) -> None:
    forge_server.rate_limit("GET", PULL, 403, reset_in=3600, times=5)

    start = time.monotonic()
    with pytest.raises(ForgeError, match=r"rate limited; the limit resets in 3\d\d\ds"):
        github.get_pr(pull)
    assert time.monotonic() - start < 0.5
    assert len(forge_server.calls("GET", PULL)) == 1


def test_dropped_connection_is_retried(github: Forge, forge_server: ForgeServer, pull: int) -> None:
    forge_server.drop("GET", PULL, times=2)

    assert github.get_pr(pull).number == pull
    assert [r.status for r in forge_server.calls("GET", PULL)] == [None, None, 200]


def test_dropped_connections_exhaust_into_a_forge_error(github: Forge, forge_server: ForgeServer, pull: int) -> None:
    forge_server.drop("GET", PULL, times=99)

    with pytest.raises(ForgeError, match="ConnectionError") as caught:
        github.get_pr(pull)
    assert caught.value.exit_code == 3


def test_slow_answer_times_out_and_is_retried(forge_server: ForgeServer, forge_client: ForgeFactory) -> None:
    policy = RetryPolicy(read_timeout=0.2, attempts=3, backoff=0.01, backoff_max=0.02, budget=3)
    github = forge_client("github", policy=policy)
    forge_server.slow("GET", "/user", delay=0.6)

    start = time.monotonic()
    assert github.current_user().login == "gitshift-bot"
    assert 0.2 <= time.monotonic() - start < 0.6
    assert len(forge_server.calls("GET", "/user")) == 2


def test_unreachable_forge(forge_client: ForgeFactory, forge_server: ForgeServer) -> None:
    forge_server.stop()  # nothing listens on the port any more
    github = forge_client("github")

    with pytest.raises(ForgeError, match="github API call GET /user failed"):
        github.current_user()


def test_bad_token_is_refused_with_a_hint(forge_client: ForgeFactory) -> None:
    github = forge_client("github", token="ghp_wrong_token_value_123")

    with pytest.raises(ForgeError, match="status 401: Bad credentials") as caught:
        github.current_user()
    assert "token" in caught.value.hint


def test_missing_token_is_sent_as_no_header(forge_client: ForgeFactory, forge_server: ForgeServer) -> None:
    github = forge_client("github", token=None)

    with pytest.raises(ForgeError, match="status 401: Requires authentication"):
        github.current_user()
    assert "Authorization" not in forge_server.requests[0].headers
