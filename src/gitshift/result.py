"""Result values of commands and their JSON shapes (the SPEC's contract)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitshift.manifests import MISSING


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
        """The SPEC's ``changes[]`` item."""
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

    def to_json(self) -> dict[str, Any]:
        """The SPEC's shift object."""
        return {"app": self.app, "env": self.env, "action": self.action, "changed": self.changed,
                "changes": [c.to_json() for c in self.changes], "files": list(self.files),
                "commit": self.commit, "branch": self.branch, "pr_url": self.pr_url}
