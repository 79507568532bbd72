"""Delivering a shift as a commit on a branch, built in a temporary worktree (SPEC: Delivery)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gitshift import files, shift
from gitshift.config import Config, EnvConfig
from gitshift.errors import GitError, InputError
from gitshift.gitops import commit as commits
from gitshift.gitops import worktree
from gitshift.gitops.repo import Repo
from gitshift.render import Renderer
from gitshift.result import Result
from gitshift.strategies.base import ShiftRequest, show


def default_branch(request: ShiftRequest) -> str:
    """``gitshift/<app>/<env>/<action>``."""
    return f"gitshift/{request.app}/{request.env}/{request.recorded_action.replace('.', '-')}"


def commit_message(c: shift.Computed, delivery: shift.Delivery) -> str:
    """Title, the changed fields, the user's message, and the trailers."""
    lines = [f"- {ch.resource} {ch.path}: {show(ch.before)} → {show(ch.after)}" for ch in shift.changes(c.intents)]
    body = (delivery.message.strip() + "\n\n" if delivery.message else "") + "\n".join(lines)
    trailers = {"Gitshift-App": c.env.app, "Gitshift-Env": c.env.name,
                "Gitshift-Action": c.request.recorded_action}
    if c.request.source:
        trailers["Gitshift-Source"] = c.request.source
    if delivery.requested_by:
        trailers["Gitshift-Requested-By"] = delivery.requested_by
    return commits.message(shift.summary(c), body, trailers)


def _fetch_remote_branch(repo: Repo, remote: str, branch: str) -> str | None:
    """The tip of ``branch`` on ``remote`` after fetching it, or None when the remote lacks it."""
    try:
        repo.git("fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    except GitError as exc:
        if "couldn't find remote ref" in exc.what or "not found" in exc.what:
            return None
        raise
    return repo.rev_parse(f"refs/remotes/{remote}/{branch}")


def to_branch(config: Config, renderer: Renderer, env: EnvConfig, request: ShiftRequest,
              delivery: shift.Delivery, planner: Callable[[Path], shift.Planner] | None = None) -> Result:
    """Commit the shift on ``delivery.branch`` (continuing it when it exists), leaving the checkout alone."""
    if delivery.mode == "pr":
        raise InputError("--pr is not available yet: no forge support in this build", "--pr",
                         "use --push and open the pull request by hand")
    repo = Repo(config.root)
    branch = delivery.branch or default_branch(request)
    local = repo.rev_parse(f"refs/heads/{branch}")
    remote_tip = _fetch_remote_branch(repo, delivery.remote, branch) if delivery.mode == "push" else None
    base = delivery.base or "HEAD"
    start = remote_tip or local or repo.rev_parse(base)
    if start is None:
        raise InputError(f"base {base!r} is not a commit", "--base")
    with worktree.temporary(repo, start) as wt:
        c = shift.compute(renderer, wt, env, request, planner(wt) if planner else None)
        if not c.intents:
            return shift.result(c, wt, delivery, branch=branch if (local or remote_tip) else None)
        moved = {wt / p.relative_to(wt) for p in c.edits}
        files.write_all(c.edits)
        sha = commits.commit(repo, wt, sorted(moved), commit_message(c, delivery))
        res = shift.result(c, wt, delivery, branch=branch, commit=sha)
    commits.move_branch(repo, branch, sha, local)
    if delivery.mode == "push":
        repo.git("push", "--quiet", delivery.remote, f"refs/heads/{branch}:refs/heads/{branch}")
    return res

