"""One read-only HTTP endpoint of a gate (Argo CD, Prometheus) over the retrying session the forges use too.

The retry, back-off, time budget and redaction are the session's (``net/session.py``);
this module only names the service in errors and gives hints that fit it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitshift.errors import ForgeError, GateError
from gitshift.net.retry import RetryPolicy
from gitshift.net.session import Reply, Session

__all__ = ["Endpoint", "Reply", "policy"]


def policy(retries: int, timeout: float) -> RetryPolicy:
    """The retry policy of ``gates.retries`` (tries of one call) and ``gates.timeout`` (seconds, all tries)."""
    return RetryPolicy(attempts=retries, budget=timeout, read_timeout=min(30.0, timeout))


class Endpoint:
    """GET calls to one service; every failure is a GateError naming the service, never its token.

    Args:
        service: ``argocd`` or ``prometheus``, as it appears in messages.
        url: the service's root URL.
        token: sent as ``Authorization: Bearer``; None sends no credentials.
        config_key: the config key of the service (``gates.argocd``), for hints.
        retry: the retry policy.
    """

    def __init__(
        self, service: str, url: str, token: str | None, config_key: str, retry: RetryPolicy | None = None
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.service = service
        self.config_key = config_key
        self._session = Session(service, url, headers, token or None, retry)

    @property
    def where(self) -> str:
        """The service and its URL, credentials masked."""
        return f"{self.service} {self._session.redact(self._session.base_url)}"

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    def redact(self, text: str) -> str:
        """``text`` with the token masked."""
        return self._session.redact(text)

    def get(self, path: str, params: Mapping[str, Any] | None = None, accept: tuple[int, ...] = ()) -> Reply:
        """GET ``path`` below the URL; statuses in ``accept`` are returned, other errors raised.

        Raises:
            GateError: unreachable after retries, an answer that is not JSON, or a refusal.
        """
        try:
            return self._session.call("GET", path, params=params, accept=accept)
        except ForgeError as exc:
            raise GateError(exc.what, self.where, self._hint(exc.what)) from exc.__cause__

    def _hint(self, what: str) -> str:
        # The session's messages: "<service> answered ... not JSON", "<service> refused GET ...".
        if what.startswith(f"{self.service} answered ") and what.endswith("not JSON"):
            return f"check that {self.config_key}.url points at {self.service}'s API root"
        if what.startswith(f"{self.service} refused "):
            return f"check {self.config_key} in gitshift.yaml and the token in {self.config_key}.token_env"
        return f"check that {self.service} is reachable at {self.config_key}.url, then run again"
