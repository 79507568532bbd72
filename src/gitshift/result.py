"""Result values of commands and their JSON shapes (docs/json-output.md): shifts, env states, status rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitshift.manifests import MISSING

if TYPE_CHECKING:
    from gitshift.config import EnvConfig

SCHEMA = 1
"""The ``schema`` of every JSON object gitshift prints, bumped on an incompatible change (docs/json-output.md)."""


def _json_value(value: Any) -> Any:
    return None if value is MISSING else value


@dataclass(frozen=True)
class Change:
    """One shifted field."""

    resource: str
    path: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        """The ``changes[]`` item of docs/json-output.md."""
        return {"resource": self.resource, "path": self.path,
                "before": _json_value(self.before), "after": _json_value(self.after)}


@dataclass(frozen=True)
class Result:
    """What one shift did."""

    app: str
    env: str
    action: str
    changed: bool
    summary: str
    changes: tuple[Change, ...] = ()
    files: tuple[str, ...] = ()
    commit: str | None = None
    branch: str | None = None
    pr_url: str | None = None
    diff: str = ""
    checks: tuple[str, ...] = ()
    delivery: str = "working-tree"
    pr_preview: str | None = None
    picture: str = ""  # Mermaid source of the traffic after the shift, its changes marked
    # Every env whose render the shift changes, the target first: {"app", "env", "overlay"}.
    affected: tuple[Mapping[str, str | None], ...] = ()
    engine: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The shift object of docs/json-output.md."""
        return {"schema": SCHEMA, "app": self.app, "env": self.env, "action": self.action, "changed": self.changed,
                "changes": [c.to_json() for c in self.changes], "files": list(self.files),
                "commit": self.commit, "branch": self.branch, "pr_url": self.pr_url,
                "picture": self.picture or None, "pr_preview": self.pr_preview,
                "affected": [dict(a) for a in self.affected], "engine": self.engine}


@dataclass(frozen=True)
class Controller:
    """What progresses a release by itself (an Argo Rollouts ``Rollout``, a Flagger ``Canary``), as Git sets it."""

    kind: str
    name: str
    steps: Sequence[str] = ()

    def to_json(self) -> dict[str, Any]:
        """The ``controller`` of a ``status`` item."""
        return {"kind": self.kind, "name": self.name, "steps": list(self.steps)}


@dataclass(frozen=True)
class State:
    """What ``status`` reports for one env, as a strategy reads it from the rendered overlay."""

    strategy: str
    images: Mapping[str, str] = field(default_factory=dict)
    active: str | None = None
    preview: str | None = None
    weight: int | None = None
    step: int | None = None
    steps: Sequence[int] | None = None
    match: str | None = None
    # As the objects say them: None for a workload that sets no replicas (an autoscaler or the default decides).
    replicas: Mapping[str, int | None] = field(default_factory=dict)
    # Services that carry traffic, and whether each must have pods (the safety checks).
    serving: Sequence[str] = ()
    traffic: str | None = None  # how the split is made: a canary's traffic kind, a controller's router
    autoscaling: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # workload -> {min, max}
    controllers: Sequence[Controller] = ()

    def pods(self, workload: str) -> int:
        """How many pods ``workload`` asks for: an unset count is at least 1 (Kubernetes' default)."""
        if workload not in self.replicas:
            return 0
        count = self.replicas[workload]
        return 1 if count is None else count

    def replicas_text(self) -> str:
        """``web=3 web-canary=1``; a count left to an autoscaler shows its bounds (``web=hpa 2-4``)."""
        def one(name: str, count: int | None) -> str:
            if count is not None:
                return f"{name}={count}"
            bounds = self.autoscaling.get(name)
            return f"{name}=auto {bounds['min']}-{bounds['max']}" if bounds else f"{name}=unset"

        return " ".join(one(k, v) for k, v in self.replicas.items())

    def traffic_text(self) -> str:
        """The TRAFFIC column: colors, weight and step, A/B rule, and the steps a controller takes."""
        out = []
        if self.active:
            out.append(f"active={self.active}" + (f" preview={self.preview}" if self.preview else ""))
        if self.weight is not None:
            step = f" (step {self.step}/{len(self.steps)})" if self.step and self.steps else ""
            out.append(f"weight={self.weight}{step}")
        if self.match:
            out.append(f"match={self.match}")
        for c in self.controllers:
            out.append(f"{c.kind}/{c.name}: " + (" → ".join(c.steps) or "no steps"))
        if self.traffic and not out:
            out.append(self.traffic)
        elif self.traffic:
            out.insert(0, f"{self.traffic}:")
        return " ".join(out)


@dataclass(frozen=True)
class StatusRow:
    """One env's state as ``status`` shows it; an env that could not be read has ``error`` instead."""

    env: EnvConfig
    state: State | None
    engine: str | None = None
    error: str | None = None
    code: int = 0  # the exit code the error calls for
    warnings: Sequence[str] = ()
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        """The ``status`` item of docs/json-output.md."""
        s = self.state or State(strategy=self.env.strategy)
        return {"app": self.env.app, "env": self.env.name, "overlay": self.env.overlay,
                "strategy": self.env.strategy, "traffic": s.traffic, "images": dict(s.images),
                "active": s.active, "preview": s.preview, "weight": s.weight, "step": s.step,
                "steps": list(s.steps) if s.steps is not None else None, "match": s.match,
                "replicas": dict(s.replicas), "autoscaling": {k: dict(v) for k, v in s.autoscaling.items()},
                "controllers": [c.to_json() for c in s.controllers], "engine": self.engine,
                "warnings": list(self.warnings), "error": self.error}

    def row(self) -> list[str]:
        """Columns for the text table."""
        if self.state is None:
            return [self.env.app, self.env.name, self.env.strategy, "error (see below)", "-", "-"]
        s = self.state
        imgs = ", ".join(sorted(set(filter(None, s.images.values()))))
        if any("image not found" in w for w in self.warnings):
            imgs = "image not found" + (f" ({imgs})" if imgs else "")
        return [self.env.app, self.env.name, self.env.strategy, imgs or "-",
                s.traffic_text() or "-", s.replicas_text() or "-"]


@dataclass(frozen=True)
class CheckRow:
    """One env's safety checks as ``check`` shows them; an env that could not be read has ``error`` instead."""

    env: EnvConfig
    engine: str | None
    failures: Sequence[str] = ()
    warnings: Sequence[str] = ()
    error: str | None = None
    hint: str = ""
    code: int = 0  # the exit code the error calls for

    @property
    def exit_code(self) -> int:
        """1 for a failed check, the error's code for an env that could not be checked, else 0."""
        return self.code if self.error else 1 if self.failures else 0

    def to_json(self) -> dict[str, Any]:
        """The ``check`` item of docs/json-output.md."""
        return {"app": self.env.app, "env": self.env.name, "overlay": self.env.overlay, "engine": self.engine,
                "failures": list(self.failures), "warnings": list(self.warnings), "error": self.error}
