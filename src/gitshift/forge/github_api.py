"""GitHub's REST API: its version header and an authenticated session, for the client and for App tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gitshift.net.session import Session

if TYPE_CHECKING:
    from gitshift.config import ForgeConfig
    from gitshift.net.retry import RetryPolicy

API_VERSION = "2022-11-28"


def github_session(
    config: ForgeConfig, token: str | None, policy: RetryPolicy | None = None, secrets: Sequence[str] = ()
) -> Session:
    """A session on GitHub's REST API, authenticated with ``token`` (a token or an App's JWT)."""
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return Session("github", config.api_url, headers, token, policy, secrets)
