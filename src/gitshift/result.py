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

    def to_json(self) -> dict[str, Any]:
        """The shift object of docs/json-output.md."""
        return {"schema": SCHEMA, "app": self.app, "env": self.env, "action": self.action, "changed": self.changed,
                "changes": [c.to_json() for c in self.changes], "files": list(self.files),
                "commit": self.commit, "branch": self.branch, "pr_url": self.pr_url,
                "picture": self.picture or None, "pr_preview": self.pr_preview}


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
    replicas: Mapping[str, int] = field(default_factory=dict)
    # Services that carry traffic, and whether each must have pods (the safety checks).
    serving: Sequence[str] = ()


@dataclass(frozen=True)
class StatusRow:
    """One env's state, as ``status`` shows it."""

    env: EnvConfig
    state: State

    def to_json(self) -> dict[str, Any]:
        """The ``status`` item of docs/json-output.md."""
        s = self.state
        return {"app": self.env.app, "env": self.env.name, "overlay": self.env.overlay,
                "strategy": self.env.strategy, "images": dict(s.images), "active": s.active,
                "preview": s.preview, "weight": s.weight, "step": s.step,
                "steps": list(s.steps) if s.steps is not None else None, "match": s.match,
                "replicas": dict(s.replicas)}

    def row(self) -> list[str]:
        """Columns for the text table."""
        s = self.state
        imgs = sorted(set(s.images.values()))
        traffic = []
        if s.active:
            traffic.append(f"active={s.active}" + (f" preview={s.preview}" if s.preview else ""))
        if s.weight is not None:
            step = f" (step {s.step}/{len(s.steps)})" if s.step and s.steps else ""
            traffic.append(f"weight={s.weight}{step}")
        if s.match:
            traffic.append(f"match={s.match}")
        reps = " ".join(f"{k}={v}" for k, v in s.replicas.items())
        return [self.env.app, self.env.name, self.env.strategy, ", ".join(imgs) or "-",
                " ".join(traffic) or "-", reps or "-"]
