"""Read-only Argo CD client: the Applications of a run, read once, as typed values.

Only ``GET /api/v1/applications`` (the list, narrowed by namespace, project and label
selector) and ``GET /api/v1/applications/{name}`` are called; gitshift never asks Argo CD
to sync, refresh or change anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from gitshift.config import ArgoCDConfig
from gitshift.errors import GateError
from gitshift.gates.http import Endpoint, Reply
from gitshift.net.retry import RetryPolicy

T = TypeVar("T")

# Operation phases (gitops-engine pkg/sync/common/types.go).
RUNNING = ("Running", "Terminating")
FAILED = ("Failed", "Error")


@dataclass(frozen=True)
class Operation:
    """The last (or current) operation on an Application.

    Attributes:
        phase: ``Running``, ``Terminating``, ``Failed``, ``Error`` or ``Succeeded``.
        message: what the operation reported (often the error).
        revisions: the commits it synced or tries to sync (one per source).
        finished_at: when it ended; None while it runs.
    """

    phase: str
    message: str
    revisions: tuple[str, ...]
    finished_at: datetime | None


@dataclass(frozen=True)
class Deployment:
    """One entry of ``status.history``: a sync that succeeded, and when it finished."""

    revisions: tuple[str, ...]
    deployed_at: datetime | None


@dataclass(frozen=True)
class Application:
    """What gates need of an Argo CD Application's status.

    Attributes:
        name: the Application's name.
        sync: ``Synced``, ``OutOfSync`` or ``Unknown``.
        revisions: the commits the desired state was resolved to (one per source).
        health: ``Healthy``, ``Progressing``, ``Degraded``, ``Suspended``, ``Missing`` or ``Unknown``.
        health_message: the health assessment's message, if any.
        operation: the last operation, None when none ever ran.
        history: successful syncs, oldest first.
    """

    name: str
    sync: str
    revisions: tuple[str, ...]
    health: str
    health_message: str
    operation: Operation | None
    history: tuple[Deployment, ...]


def parse_time(value: Any) -> datetime | None:
    """A Kubernetes ``v1Time`` (RFC 3339) as an aware datetime; None when absent."""
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return parsed


def _revisions(node: Mapping[str, Any]) -> tuple[str, ...]:
    """``revisions`` (multi-source) or ``revision``, as a tuple of non-empty strings."""
    many = node.get("revisions") or []
    if not isinstance(many, list):
        raise TypeError("revisions is not a list")
    one = node.get("revision")
    return tuple(str(r) for r in ([*many, one] if one else many) if r)


def parse_application(data: Mapping[str, Any]) -> Application:
    """An Application from Argo CD's JSON (``v1alpha1Application``); any field may be absent.

    Raises:
        KeyError, TypeError, ValueError: the JSON does not have the documented shape.
    """
    status = data.get("status") or {}
    sync = status.get("sync") or {}
    health = status.get("health") or {}
    op_state = status.get("operationState")
    operation = None
    if op_state:
        result = op_state.get("syncResult") or {}
        asked = ((op_state.get("operation") or {}).get("sync")) or {}
        operation = Operation(
            phase=str(op_state.get("phase") or "Unknown"),
            message=str(op_state.get("message") or ""),
            revisions=_revisions(result) or _revisions(asked),
            finished_at=parse_time(op_state.get("finishedAt")),
        )
    history = tuple(
        Deployment(_revisions(entry), parse_time(entry.get("deployedAt")))
        for entry in status.get("history") or []
    )
    return Application(
        name=str(data["metadata"]["name"]),
        sync=str(sync.get("status") or "Unknown"),
        revisions=_revisions(sync),
        health=str(health.get("status") or "Unknown"),
        health_message=str(health.get("message") or ""),
        operation=operation,
        history=history,
    )


class ArgoCD:
    """Reads Applications from one Argo CD API server.

    Args:
        config: ``gates.argocd``.
        token: the bearer token (a JWT); None sends none.
        retry: the retry policy of each call.
    """

    def __init__(self, config: ArgoCDConfig, token: str | None, retry: RetryPolicy | None = None) -> None:
        self.config = config
        self._token_shape_ok = token is None or token.count(".") == 2
        self._http = Endpoint("argocd", config.url, token, "gates.argocd", retry)

    def close(self) -> None:
        """Release pooled connections."""
        self._http.close()

    def applications(self, names: Sequence[str]) -> dict[str, Application]:
        """The Applications called ``names``: one Get for a single name, else one List for all.

        Names the List leaves out (another project, a selector that does not match) are
        read one by one, so a missing Application is reported as such.

        Raises:
            GateError: Argo CD is unreachable, refuses the token, or an Application is missing.
        """
        wanted = list(dict.fromkeys(names))
        found: dict[str, Application] = {}
        if len(wanted) > 1:
            params = self._scope()
            if self.config.selector:
                params["selector"] = self.config.selector
            reply = self._get("/api/v1/applications", params, "the Application list")
            items = self._parsed(lambda: list((reply.data or {}).get("items") or []))
            for item in items:
                app = self._parsed(partial(parse_application, item))
                if app.name in wanted:
                    found[app.name] = app
        for name in wanted:
            if name not in found:
                found[name] = self.application(name)
        return {name: found[name] for name in wanted}

    def application(self, name: str) -> Application:
        """The Application called ``name``.

        Raises:
            GateError: Argo CD is unreachable, refuses, or has no such Application.
        """
        reply = self._get(f"/api/v1/applications/{quote(name, safe='')}", self._scope(), f"Application {name!r}")
        return self._parsed(lambda: parse_application(reply.data))

    def _scope(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.config.namespace:
            params["appNamespace"] = self.config.namespace
        if self.config.project:
            params["projects"] = [self.config.project]
        return params

    def _get(self, path: str, params: Mapping[str, Any], what: str) -> Reply:
        reply = self._http.get(path, params, accept=(401, 403, 404))
        if reply.status < 400:
            return reply
        message = self._http.redact(_message(reply.data) or f"status {reply.status}")[:300]
        hints = {
            401: "set the token variable gates.argocd.token_env names (an Argo CD API token, a JWT)"
            + ("" if self._token_shape_ok else "; the token given does not look like a JWT (a.b.c)"),
            403: "the Application may not exist, or the token may not read it: check argocd_app and the "
            "token's project role (with gates.argocd.project set, a missing Application answers 404)",
            404: "check argocd_app (default <app>-<env>) and gates.argocd.namespace/project",
        }
        raise GateError(
            f"Argo CD refused to read {what}: status {reply.status}: {message}", self._http.where, hints[reply.status]
        )

    def _parsed(self, build: Callable[[], T]) -> T:
        try:
            return build()
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise GateError(
                f"Argo CD answered with an unexpected shape: {exc!r}",
                self._http.where,
                "check that gates.argocd.url points at the Argo CD API server",
            ) from None


def _message(data: Any) -> str:
    """Argo CD's ``runtimeError`` message (``message`` and ``error`` are the same text)."""
    if isinstance(data, dict):
        return " ".join(str(data.get("message") or data.get("error") or "").split())
    return ""
