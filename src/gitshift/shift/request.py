"""What a shift is asked for and where it goes: the request, the delivery, and a plan given from outside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gitshift.manifests import Intent, Rendered
from gitshift.strategies.base import ShiftRequest

__all__ = ["Delivery", "Planner", "ShiftRequest"]

# A plan given instead of the strategy's (revert restores recorded fields).
Planner = Callable[[Rendered], list[Intent]]


@dataclass(frozen=True)
class Delivery:
    """Where a shift goes (README.md, "Delivery"): dry-run, working-tree, commit, push or pr."""

    mode: str = "working-tree"
    branch: str | None = None
    base: str | None = None
    remote: str = "origin"
    message: str | None = None
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    requested_by: str | None = None
    token: str | None = field(default=None, repr=False)
    pr_preview: bool = False
    gate: str | None = None  # a gated step's verdict, recorded as Gitshift-Gate
    # Whether a local branch of the same name is continued and moved along (False on a server's clone,
    # where only the remote branch counts and a force-pushed pull request must not be refused).
    keep_local: bool = True
    sign: bool | None = None  # --sign/--no-sign; None: as git's commit.gpgSign says
    allow_other_envs: bool = False  # accept a shift that also changes other envs' renders
    barred_envs: tuple[tuple[str, str, str], ...] = ()  # (app, env, why): ones it still may not change
    all_kustomizations: bool = False  # look for changed renders in every kustomization, not only the envs
