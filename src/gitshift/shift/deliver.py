"""Delivering a shift as a commit on a branch, pushing it, and opening its pull request.

README.md, "Pull and merge requests", describes it for users.

The commit is built in a temporary worktree, so the caller's checkout never
moves. A push that loses a race re-plans the same shift on the new tip (shifts
are intents, so this is exact, not a textual rebase) and tries again, a bounded
number of times with jitter. Nothing is ever force-pushed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Protocol, TypeVar, cast

from gitshift import files
from gitshift.config import Config, EnvConfig
from gitshift.errors import ExternalError, GitError, GitshiftError, InputError, NeedsEarlierShiftError
from gitshift.files import FileView
from gitshift.forge import credentials
from gitshift.gitops import commit as commits
from gitshift.gitops import push as pushing
from gitshift.gitops import refs
from gitshift.gitops.repo import Repo
from gitshift.gitops.treeview import GitTreeView
from gitshift.manifests import show
from gitshift.render import Renderer
from gitshift.result import Result
from gitshift.shift.compute import Computed, affected_lines, changes, compute, files_at, result, summary
from gitshift.shift.request import Delivery, Planner, ShiftRequest

if TYPE_CHECKING:
    from gitshift.forge import Forge, Landed
    from gitshift.shift.forgecommit import ApiCommits, FileCommits

# A lost push race is retried while both budgets last. Every round of a race has a winner, so
# with N pushers on one branch the last of them needs at most N rounds: the time budget, not a
# small count, is what bounds the wait on a loaded machine (README, "Pull and merge requests").
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
PUSH_ATTEMPTS = 30
PUSH_SECONDS = 90.0


def default_branch(request: ShiftRequest) -> str:
    """``gitshift/<app>/<env>/<action>``."""
    return f"gitshift/{request.app}/{request.env}/{request.recorded_action.replace('.', '-')}"


def trailers(c: Computed, delivery: Delivery) -> dict[str, str]:
    """The commit trailers of a shift (README.md, "Revert" and "history" read them)."""
    out = {"Gitshift-App": c.env.app, "Gitshift-Env": c.env.name, "Gitshift-Action": c.request.recorded_action}
    if c.request.source:
        out["Gitshift-Source"] = c.request.source
    if delivery.requested_by:
        out["Gitshift-Requested-By"] = delivery.requested_by
    if delivery.gate:
        out["Gitshift-Gate"] = delivery.gate
    return out


def commit_message(c: Computed, delivery: Delivery) -> str:
    """Title, the changed fields, the user's message, and the trailers."""
    lines = [f"- {ch.resource} {ch.path}: {show(ch.before)} → {show(ch.after)}" for ch in changes(c.intents)]
    if c.affected[1:]:
        lines += ["", "Also changes the render of:", *(f"- {a}" for a in affected_lines(c))]
    body = (delivery.message.strip() + "\n\n" if delivery.message else "") + "\n".join(lines)
    return commits.message(summary(c), body, trailers(c, delivery))


class _Attempt:
    """One try: plan on ``start``, commit, and hand back the commit and result."""

    def __init__(self, repo: Repo, renderer: Renderer, env: EnvConfig, request: ShiftRequest,
                 delivery: Delivery, planner: Callable[[Path], Planner] | None) -> None:
        self.repo, self.renderer, self.env, self.request = repo, renderer, env, request
        self.delivery, self.planner = delivery, planner
        self.computed: Computed | None = None
        self.preview_result: Result | None = None

    def preview(self, start: str) -> None:
        """Compute the shift on ``start`` without committing (a PR body for a branch pushed earlier)."""
        with self._tree(start) as (tree, view):
            c = compute(self.renderer, tree, self.env, self.request,
                              self.planner(tree) if self.planner else None, view)
            self.computed = c
            self.preview_result = result(c, tree, self.delivery)

    def _tree(self, start: str) -> AbstractContextManager[tuple[Path, FileView]]:
        return files_at(self.renderer, self.repo, start)

    def run(self, start: str, branch: str, existed: bool) -> tuple[str | None, Result]:
        """Plan on ``start`` and commit the result (on no branch yet); None when nothing changes."""
        with self._tree(start) as (tree, view):
            c = compute(self.renderer, tree, self.env, self.request,
                              self.planner(tree) if self.planner else None, view)
            self.computed = c
            if not c.intents:
                return None, result(c, tree, self.delivery, branch=branch if existed else None)
            text = commit_message(c, self.delivery)
            author = credentials.commit_env(self.delivery.token)  # a GitHub App's bot, or git's own identity
            if isinstance(view, GitTreeView):
                sha = commits.commit_edits(self.repo, start, c.edits, view.listing, text, author,
                                           self.delivery.sign)
            else:
                files.write_all(c.edits)
                sha = commits.commit(self.repo, tree, sorted(c.edits), text, author, self.delivery.sign)
            return sha, result(c, tree, self.delivery, branch=branch, commit=sha)


def base_name(config: Config, repo: Repo, delivery: Delivery) -> str:
    if delivery.base:
        return delivery.base
    if config.forge is not None:
        return config.forge.base
    return repo.current_branch() or "main"


def to_branch(config: Config, renderer: Renderer, env: EnvConfig, request: ShiftRequest,
              delivery: Delivery, planner: Callable[[Path], Planner] | None = None) -> Result:
    """Commit the shift on a branch (continuing it when it exists); push and open the PR when asked.

    A branch checked out in a worktree is never moved (``--commit`` onto it is refused), and a
    local branch's commits are never dropped: ``--push`` continues it as ``--commit`` does.
    With ``forge.commit_via: api`` the forge makes the commit (see ``forgecommit``).
    """
    via_api = delivery.mode in ("push", "pr") and config.forge is not None and config.forge.commit_via == "api"
    if via_api:  # the forge signs the commit it makes; the local one is only its blueprint
        delivery = replace(delivery, sign=False)
    repo = Repo(config.root)
    branch = delivery.branch or default_branch(request)
    refs.check_branch(branch, "--branch")
    if delivery.mode != "commit":
        refs.check_remote(delivery.remote, repo.remotes())
    checked_out = repo.checked_out().get(branch) if delivery.keep_local else None
    attempt = _Attempt(repo, renderer, env, request, delivery, planner)
    if delivery.mode == "commit":
        if checked_out is not None:
            raise InputError(f"--commit would move branch {branch!r}, which is checked out",
                             where(config, checked_out),
                             "use --push to send the shift to the remote branch, or check out another branch")
        local = repo.rev_parse(f"refs/heads/{branch}")
        start = local or repo.rev_parse(delivery.base or "HEAD")
        if start is None:
            raise InputError(f"base {delivery.base!r} is not a commit", "--base", refs.REF_HINT)
        sha, res = run_at(attempt, Start(start, branch if local else delivery.base or "HEAD"), branch,
                          local is not None)
        if sha is not None:
            commits.move_branch(repo, branch, sha, local)
        return _with_preview(config, attempt, res, delivery) if delivery.pr_preview else res
    base = base_name(config, repo, delivery)  # not needed by --commit: one git call fewer there
    forge = open_forge(config, delivery) if delivery.mode == "pr" or via_api else None
    kind = config.forge.kind if config.forge else "github"
    auth = pushing.auth_env(repo, delivery.remote, delivery.token, kind)
    keep_local = delivery.keep_local and checked_out is None
    try:
        res = push_with_retries(repo, attempt, delivery, branch, base, keep_local, auth,
                                cast("ApiCommits | FileCommits", forge) if via_api else None)
    except BaseException:
        if forge is not None:
            forge.close()
        raise
    if delivery.mode != "pr":
        if forge is not None:
            forge.close()
        return _with_preview(config, attempt, res, delivery) if delivery.pr_preview else res
    assert forge is not None
    return open_pr(forge, attempt, res, delivery, branch, base, _describe(config, attempt, delivery, forge.body_limit))


def where(config: Config, path: Path) -> str:
    """``path`` as the user knows it: relative to the repository when inside it."""
    try:
        rel = path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return str(path)
    return "this checkout" if rel == "." else rel


class Start(NamedTuple):
    """The commit a shift plans on, and the ref it was read from as the user knows it (``origin/main``)."""

    sha: str
    at: str
    remote: bool = False  # ``at`` is a remote's ref: what is only local is not in it


def _remote_ref(delivery: Delivery, name: str) -> str:
    """``origin/main``, or ``main of <url>`` for a remote given as a URL (its credentials masked)."""
    from gitshift.net.redact import redact

    remote = delivery.remote
    return f"{name} of {redact(remote)}" if refs.is_url(remote) else f"{remote}/{name}"


def _start(repo: Repo, delivery: Delivery, branch: str, base: str, tip: str | None, local: str | None,
           auth: dict[str, str]) -> Start:
    """Where the next commit of ``branch`` goes: after the local and the remote branch, whichever is ahead.

    Raises:
        ExternalError: the two have diverged (pushing would need a force, moving would drop commits).
    """
    if local is not None and tip is not None and local != tip:
        if repo.is_ancestor(local, tip):
            return Start(tip, _remote_ref(delivery, branch), True)
        if repo.is_ancestor(tip, local):
            return Start(local, branch)
        raise ExternalError(f"local branch {branch} and {delivery.remote}/{branch} have diverged",
                            delivery.remote,
                            f"merge or rebase {branch} onto {delivery.remote}/{branch}, then run the shift again")
    if local is not None:
        return Start(local, branch)
    if tip is not None:
        return Start(tip, _remote_ref(delivery, branch), True)
    fetched = pushing.fetch(repo, delivery.remote, base, auth)
    if fetched is not None:
        return Start(fetched, _remote_ref(delivery, base), True)
    start = repo.rev_parse(delivery.base or "HEAD")
    if start is None:
        raise InputError(f"neither {branch!r} nor {base!r} exists on {delivery.remote}", "--base",
                         f"push {base} to {delivery.remote} first, or give --base a branch it has")
    return Start(start, delivery.base or "HEAD")


def run_at(attempt: Runs[R], start: Start, branch: str, existed: bool) -> tuple[str | None, R]:
    """``attempt.run`` on ``start``; a shift missing an earlier one's work names the ref it read, and what to do."""
    try:
        return attempt.run(start.sha, branch, existed)
    except NeedsEarlierShiftError as exc:
        exc.what = f"{exc.what} at {start.at}"
        how = "push it there first (merge its pull request)" if start.remote else f"commit it on {start.at} first"
        exc.hint = f"the shift starts from {start.at}, which lacks {exc.needs}: {how}, then run this again"
        raise


class Runs(Protocol[R_co]):
    """An attempt the push loop can run: a single shift, or a batch."""

    def run(self, start: str, branch: str, existed: bool) -> tuple[str | None, R_co]:
        """Compute on ``start`` and commit; the commit (None: nothing changes) and the result."""
        ...


def push_with_retries(repo: Repo, attempt: Runs[R], delivery: Delivery, branch: str, base: str,
                      keep_local: bool, auth: dict[str, str], api: ApiCommits | FileCommits | None = None) -> R:
    """Plan on the branch's tip, commit, push; on a lost race fetch and re-plan (bounded, with jitter).

    With ``keep_local``, an existing local branch of that name is continued (its commits are pushed
    too) and moved to the pushed commit; otherwise no local branch is read or moved. With ``api``
    the commit is made through the forge's API instead of pushed.
    """
    deadline = time.monotonic() + PUSH_SECONDS
    for n in range(PUSH_ATTEMPTS):
        tip = pushing.fetch(repo, delivery.remote, branch, auth)
        local = repo.rev_parse(f"refs/heads/{branch}") if keep_local else None
        begin = _start(repo, delivery, branch, base, tip, local, auth)
        start = begin.sha
        sha, res = run_at(attempt, begin, branch, tip is not None or local is not None)
        if sha is None:
            if local is None or start != local or local == tip:
                return res
            if pushing.push(repo, delivery.remote, local, branch, auth):
                return res  # nothing new to commit, but the local branch's own commits are sent
            continue
        if api is None:
            done = pushing.push(repo, delivery.remote, sha, branch, auth)
        else:
            from gitshift.shift import forgecommit

            if start != tip and start == local:  # the forge cannot build on commits it does not have
                raise ExternalError(f"local branch {branch} has commits {delivery.remote} lacks; forge.commit_via: "
                                    "api sends no local commits", delivery.remote,
                                    f"push {branch} first, or delete the local branch, then run the shift again")
            landed = forgecommit.commit(api, repo, start, sha, branch, base, create=tip is None)
            done = landed is not None
            if landed is not None:  # bring the forge's commit here, as a push would have left it
                pushing.fetch(repo, delivery.remote, branch, auth)
                res = _check_landed(repo, attempt, api.kind, landed, start, sha, res, branch)
                sha, res = landed.sha, replace(res, commit=landed.sha)  # type: ignore[type-var]  # R is a dataclass
        if done:
            if keep_local:
                with suppress(GitError):  # the remote has it; a local branch moved meanwhile stays
                    commits.move_branch(repo, branch, sha, local)
            return res
        if time.monotonic() > deadline:
            break
        time.sleep(min(2.0, 0.05 * 2 ** n) * random.uniform(0.5, 1.5))
    raise ExternalError(f"push to {branch} kept losing races after {n + 1} attempts", delivery.remote,
                        "someone else is pushing to the same branch; retry later")


def _check_landed(repo: Repo, attempt: Runs[R], kind: str, landed: Landed, start: str, local: str, res: R,
                  branch: str) -> R:
    """The result of the forge's commit, once its tree is known to be a verified one.

    GitLab and Gitea commit on whatever the branch holds when the call lands: when that
    was a newer tip than ``start`` (another writer's commit, touching none of the shift's
    files), the shift is planned again on that tip and must give the very same tree.
    """
    from gitshift.shift import forgecommit

    if landed.verified:
        return res
    moved, why = landed.parent != start, ""
    verified: str | None = local
    if moved:
        try:
            verified, res = attempt.run(landed.parent, branch, True)
        except GitshiftError as exc:
            verified, why = None, f"is refused: {exc.what}"
    forgecommit.check(repo, kind, landed, verified, branch, moved, why)
    return res


def open_forge(config: Config, delivery: Delivery) -> Forge:
    from gitshift.forge import make_forge

    if config.forge is None:
        raise InputError("--pr needs a forge: section in gitshift.yaml", str(config.path),
                         "add forge: {kind: github, project: owner/repo}, or use --push")
    if delivery.token is None:  # refused before anything is pushed: the forge would answer 401 after it
        what = "--pr" if delivery.mode == "pr" else "forge.commit_via: api"
        name = config.forge.token_env
        raise InputError(f"{what} needs a token in ${name}, which is unset or empty", str(config.path),
                         f"export {name}=<a token that may push and open pull requests> (forge.token_env names "
                         "the variable)")
    return make_forge(config.forge, delivery.token)


def _with_preview(config: Config, attempt: _Attempt, res: Result, delivery: Delivery) -> Result:
    """The pull request ``--pr`` would open, as text (no forge needed)."""
    from gitshift.shift import prbody

    c = attempt.computed
    if c is None or not res.changed:
        return res
    text = prbody.body(res, c.env.overlay, trailers(c, delivery), c.state_after, 65536,
                       config.commands.prefix, delivery.message)
    return replace(res, pr_preview=f"{res.summary}\n\n{text}")


class Delivered(Protocol):
    """What a delivered shift or batch tells the pull request step (a dataclass: ``replace`` makes it anew)."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def changed(self) -> bool | tuple[object, ...]: ...
    @property
    def branch(self) -> str | None: ...
    @property
    def commit(self) -> str | None: ...
    @property
    def summary(self) -> str: ...


D = TypeVar("D", bound=Delivered)
D_co = TypeVar("D_co", bound=Delivered, covariant=True)


class Previews(Protocol[D_co]):
    """An attempt that can describe a branch from a base without committing (a re-run's pull request)."""

    repo: Repo

    @property
    def preview_result(self) -> D_co | None: ...

    def preview(self, start: str) -> None: ...


def open_pr(forge: Forge, attempt: Previews[D], res: D, delivery: Delivery, branch: str, base: str,
            describe: Callable[[D], str]) -> D:
    """Open the pull request of ``branch`` with the body ``describe`` writes, or update the open one;
    a re-run after a failure completes it."""
    try:
        if not res.changed:
            pr = forge.find_open_pr(branch, base)
            if pr is not None or res.branch is None:
                return replace(res, pr_url=pr.url if pr else None)
            # The branch was pushed by an earlier run whose PR step failed: describe it from the base.
            auth = pushing.auth_env(attempt.repo, delivery.remote, delivery.token, forge.kind)
            start = pushing.fetch(attempt.repo, delivery.remote, base, auth) or attempt.repo.rev_parse(base)
            if start is None:
                return res
            attempt.preview(start)
            res = replace(attempt.preview_result or res, commit=res.commit, branch=branch)
        pr = forge.open_or_update_pr(branch, base, res.summary, describe(res), delivery.labels, delivery.reviewers)
    except GitshiftError as exc:
        exc.hint = (f"the branch {branch} was pushed; run the same command again to open the pull request, "
                    "or open it by hand")
        raise
    finally:
        forge.close()
    return replace(res, pr_url=pr.url)


def _describe(config: Config, attempt: _Attempt, delivery: Delivery, limit: int) -> Callable[[Result], str]:
    """The pull request body of one shift."""
    from gitshift.shift import prbody

    def describe(res: Result) -> str:
        c = attempt.computed
        assert c is not None
        return prbody.body(res, c.env.overlay, trailers(c, delivery), c.state_after, limit,
                           config.commands.prefix, delivery.message)

    return describe
