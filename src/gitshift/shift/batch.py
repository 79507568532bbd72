"""Several shifts as one commit and one pull request: promote many apps, set many images, revert a batch.

Each shift is computed on the files as the ones before it left them, so the
batch is exact even when two shifts touch one file. It is all or nothing: a
shift that is refused (a safety check, bad input) stops the batch and nothing is
written, unless ``skip_refused``, which leaves the refused ones out and says so.
The commit carries one trailer block per shift (``Gitshift-App``, ``-Env``,
``-Action`` repeated, in order), which ``history`` and ``revert`` read back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from gitshift import files
from gitshift.config import Config, EnvConfig
from gitshift.errors import GitshiftError, InputError
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
from gitshift.shift import deliver
from gitshift.shift.compute import Computed, changes, compute, files_at, result, summary
from gitshift.shift.request import Delivery, Planner, ShiftRequest

if TYPE_CHECKING:
    from gitshift.shift.forgecommit import ApiCommits, FileCommits


@dataclass(frozen=True)
class Item:
    """One shift of a batch: the env, the request, and a plan given from outside (revert)."""

    env: EnvConfig
    request: ShiftRequest
    planner: Callable[[Path], Planner] | None = None


@dataclass(frozen=True)
class Refusal:
    """A shift left out of a batch (``--skip-refused``): where, why, and the exit code it would have had."""

    app: str
    env: str
    exit_code: int
    message: str

    def to_json(self) -> dict[str, Any]:
        """The ``refused[]`` item of docs/json-output.md."""
        return {"app": self.app, "env": self.env, "exit_code": self.exit_code, "message": self.message}


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: every shift's result, the refused ones, and where it went."""

    action: str
    summary: str
    shifts: tuple[Result, ...]
    refused: tuple[Refusal, ...] = ()
    commit: str | None = None
    branch: str | None = None
    pr_url: str | None = None
    delivery: str = "working-tree"
    files: tuple[str, ...] = ()
    pr_preview: str | None = None

    @property
    def changed(self) -> bool:
        """Whether any shift of the batch changed something."""
        return any(r.changed for r in self.shifts)

    def to_json(self) -> dict[str, Any]:
        """The batch object of docs/json-output.md."""
        return {"batch": True, "action": self.action, "changed": self.changed, "summary": self.summary,
                "shifts": [r.to_json() for r in self.shifts], "refused": [r.to_json() for r in self.refused],
                "files": list(self.files), "commit": self.commit, "branch": self.branch, "pr_url": self.pr_url}


def layered(view: FileView, edits: dict[Path, bytes | None]) -> FileView:
    """``view`` with ``edits`` laid over it (the files as the earlier shifts of a batch left them)."""
    overlay = {**view.overlay, **edits}
    if isinstance(view, GitTreeView):
        return GitTreeView(Path(view.root or "."), view.tree, overlay)
    return FileView(overlay, root=view.root)


def compute_all(renderer: Renderer, tree: Path, view: FileView, items: Sequence[Item],
                skip_refused: bool) -> tuple[list[Computed], list[Refusal], dict[Path, bytes | None]]:
    """Compute every shift on the files the earlier ones left; their results, refusals and combined edits.

    Raises:
        GitshiftError: a shift was refused and ``skip_refused`` is False (nothing is written).
    """
    done: list[Computed] = []
    refused: list[Refusal] = []
    edits: dict[Path, bytes | None] = {}
    for item in items:
        try:
            c = compute(renderer, tree, item.env, item.request, item.planner(tree) if item.planner else None,
                        layered(view, edits))
        except GitshiftError as exc:
            if not skip_refused or exc.exit_code not in (1, 2):
                if exc.where and f"{item.env.app}/{item.env.name}" not in exc.where:
                    exc.where = f"{item.env.app}/{item.env.name}: {exc.where}"
                if not exc.hint:
                    exc.hint = "nothing was written; pass --skip-refused to leave the refused shifts out"
                raise
            refused.append(Refusal(item.env.app, item.env.name, exc.exit_code, str(exc)))
            continue
        done.append(c)
        edits.update(c.edits)
    return done, refused, edits


def title(action: str, done: Sequence[Computed]) -> str:
    """``promote: 3 shifts (web/production, api/production, ...)``."""
    changed = [c for c in done if c.intents]
    names = [f"{c.env.app}/{c.env.name}" for c in changed]
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    if not changed:
        if len(done) == 1:
            return f"{action}: 1 shift, already in place, nothing to do"
        return f"{action}: {len(done)} shifts, all already in place, nothing to do"
    return f"{action}: {len(changed)} shift{'s' if len(changed) > 1 else ''} ({shown})"


def commit_message(action: str, done: Sequence[Computed], delivery: Delivery) -> str:
    """Title, each shift's summary and fields, the user's message, and one trailer block per shift."""
    changed = [c for c in done if c.intents]
    body = [delivery.message.strip()] if delivery.message else []
    for c in changed:
        lines = [f"  - {ch.resource} {ch.path}: {show(ch.before)} → {show(ch.after)}" for ch in changes(c.intents)]
        body.append("\n".join([f"- {summary(c)}", *lines]))
    trailer_lines: list[str] = []
    for c in changed:
        trailer_lines += [f"Gitshift-App: {c.env.app}", f"Gitshift-Env: {c.env.name}",
                          f"Gitshift-Action: {c.request.recorded_action}"]
        if c.request.source:
            trailer_lines.append(f"Gitshift-Source: {c.request.source}")
    if delivery.requested_by:
        trailer_lines.append(f"Gitshift-Requested-By: {delivery.requested_by}")
    return "\n\n".join([title(action, done), *body, "\n".join(trailer_lines)]) + "\n"


def batch_result(action: str, done: Sequence[Computed], refused: Sequence[Refusal], tree: Path,
                 delivery: Delivery, edits: dict[Path, bytes | None], **extra: Any) -> BatchResult:
    """The BatchResult of computed shifts."""
    return BatchResult(action=action, summary=title(action, done),
                       shifts=tuple(result(c, tree, delivery) for c in done), refused=tuple(refused),
                       delivery=delivery.mode, files=tuple(sorted(str(p.relative_to(tree)) for p in edits)),
                       **extra)


class Attempt:
    """One try of a batch delivery: compute all shifts on ``start`` and commit them as one commit."""

    def __init__(self, repo: Repo, renderer: Renderer, action: str, items: Sequence[Item], delivery: Delivery,
                 skip_refused: bool) -> None:
        self.repo, self.renderer, self.action, self.items = repo, renderer, action, items
        self.delivery, self.skip_refused = delivery, skip_refused
        self.computed: list[Computed] = []
        self.preview_result: BatchResult | None = None

    def _tree(self, start: str) -> AbstractContextManager[tuple[Path, FileView]]:
        return files_at(self.renderer, self.repo, start)

    def preview(self, start: str) -> None:
        """Compute the batch on ``start`` without committing (a PR body for a branch pushed earlier)."""
        with self._tree(start) as (tree, view):
            done, refused, edits = compute_all(self.renderer, tree, view, self.items, self.skip_refused)
            self.computed = done
            self.preview_result = batch_result(self.action, done, refused, tree, self.delivery, edits)

    def run(self, start: str, branch: str, existed: bool) -> tuple[str | None, BatchResult]:
        """Compute on ``start`` and commit every change as one commit; None when nothing changes."""
        with self._tree(start) as (tree, view):
            done, refused, edits = compute_all(self.renderer, tree, view, self.items, self.skip_refused)
            self.computed = done
            if not edits:
                return None, batch_result(self.action, done, refused, tree, self.delivery, edits,
                                          branch=branch if existed else None)
            text = commit_message(self.action, done, self.delivery)
            author = credentials.commit_env(self.delivery.token)
            if isinstance(view, GitTreeView):
                sha = commits.commit_edits(self.repo, start, edits, view.listing, text, author, self.delivery.sign)
            else:
                files.write_all(edits)
                sha = commits.commit(self.repo, tree, sorted(edits), text, author, self.delivery.sign)
            res = batch_result(self.action, done, refused, tree, self.delivery, edits, branch=branch, commit=sha)
            return sha, res


def run(config: Config, renderer: Renderer, action: str, items: Sequence[Item], delivery: Delivery,
        skip_refused: bool = False) -> BatchResult:
    """Carry out ``items`` as one batch with the given delivery; nothing is written unless all passed.

    Raises:
        InputError: the batch is empty.
        GitshiftError: a shift was refused (without ``skip_refused``), or delivery failed.
    """
    if not items:
        raise InputError(f"{action}: no shift to make", action, "name the apps, or check --from/--to and --env")
    items = with_neighbours(config, items, delivery)
    if delivery.mode in ("dry-run", "working-tree"):
        view = FileView(root=config.root)
        done, refused, edits = compute_all(renderer, config.root, view, items, skip_refused)
        if delivery.mode == "working-tree" and edits:
            files.write_all(edits)
        res = batch_result(action, done, refused, config.root, delivery, edits)
    else:
        res = batch_to_branch(config, renderer, action, items, delivery, skip_refused)
    if res.refused and not res.shifts:
        raise _refusal(res.refused[0])
    return res


def with_neighbours(config: Config, items: Sequence[Item], delivery: Delivery) -> list[Item]:
    """The items, each told which envs outside the batch it must leave as they render (README, "Blast radius")."""
    from gitshift.strategies.base import Neighbours

    shifted = {(i.env.app, i.env.name) for i in items}
    others = tuple(e for e in config.select() if (e.app, e.name) not in shifted)
    scope = Neighbours(others, delivery.allow_other_envs, delivery.all_kustomizations, delivery.barred_envs)
    return [replace(i, request=replace(i.request, neighbours=scope)) for i in items]


def _refusal(first: Refusal) -> GitshiftError:
    from gitshift.errors import CheckFailedError

    cls = CheckFailedError if first.exit_code == 1 else InputError
    return cls(f"every shift of the batch was refused; first: {first.message}", f"{first.app}/{first.env}")


def pr_body(res: BatchResult, done: Sequence[Computed], limit: int, prefix: str,
            message: str | None) -> str:
    """The pull request of a batch: what it does, then each shift's own description, the diffs cut to fit."""
    from gitshift.shift import prbody

    changed = [(r, c) for r, c in zip(res.shifts, done, strict=True) if r.changed]
    head = [f"This pull request makes {len(changed)} shift{'s' if len(changed) != 1 else ''} in one commit "
            f"(`gitshift {res.action}`)."]
    if message:
        head.append(message.strip())
    if res.refused:
        head.append("Left out (`--skip-refused`):\n" + "\n".join(f"- {r.app}/{r.env}: {r.message}"
                                                                  for r in res.refused))
    share = max(2000, (limit - sum(len(h) for h in head) - 200) // max(1, len(changed)))
    parts = list(head)
    for r, c in changed:
        trailers = {"Gitshift-App": c.env.app, "Gitshift-Env": c.env.name,
                    "Gitshift-Action": c.request.recorded_action}
        parts.append(f"## {r.summary}\n\n" + prbody.body(r, c.env.overlay, trailers, c.state_after, share, prefix))
    return "\n\n".join(parts)


def batch_to_branch(config: Config, renderer: Renderer, action: str, items: Sequence[Item], delivery: Delivery,
                    skip_refused: bool) -> BatchResult:
    """A batch committed as one commit on a branch (continuing it); pushed, and one PR, when asked.

    The same rules as ``deliver.to_branch``: a checked-out branch is never moved, local commits are never dropped.
    """
    via_api = delivery.mode in ("push", "pr") and config.forge is not None and config.forge.commit_via == "api"
    if via_api:
        delivery = replace(delivery, sign=False)
    repo = Repo(config.root)
    branch = delivery.branch or batch_branch(action, items)
    refs.check_branch(branch, "--branch")
    if delivery.mode != "commit":
        refs.check_remote(delivery.remote, repo.remotes())
    checked_out = repo.checked_out().get(branch) if delivery.keep_local else None
    attempt = Attempt(repo, renderer, action, items, delivery, skip_refused)
    if delivery.mode == "commit":
        if checked_out is not None:
            raise InputError(f"--commit would move branch {branch!r}, which is checked out",
                             deliver.where(config, checked_out),
                             "use --push to send the batch to the remote branch, or check out another branch")
        local = repo.rev_parse(f"refs/heads/{branch}")
        start = local or repo.rev_parse(delivery.base or "HEAD")
        if start is None:
            raise InputError(f"base {delivery.base!r} is not a commit", "--base", refs.REF_HINT)
        begin = deliver.Start(start, branch if local else delivery.base or "HEAD")
        sha, res = deliver.run_at(attempt, begin, branch, local is not None)
        if sha is not None:
            commits.move_branch(repo, branch, sha, local)
        return res
    base = deliver.base_name(config, repo, delivery)  # not needed by --commit: one git call fewer there
    forge = deliver.open_forge(config, delivery) if delivery.mode == "pr" or via_api else None
    kind = config.forge.kind if config.forge else "github"
    auth = pushing.auth_env(repo, delivery.remote, delivery.token, kind)
    keep_local = delivery.keep_local and checked_out is None
    try:
        res = deliver.push_with_retries(repo, attempt, delivery, branch, base, keep_local, auth,
                                        cast("ApiCommits | FileCommits", forge) if via_api else None)
    except BaseException:
        if forge is not None:
            forge.close()
        raise
    if delivery.mode != "pr":
        if forge is not None:
            forge.close()
        return res
    assert forge is not None
    return deliver.open_pr(forge, attempt, res, delivery, branch, base, lambda r: pr_body(
        r, attempt.computed, forge.body_limit, config.commands.prefix, delivery.message))


def batch_branch(action: str, items: Sequence[Item]) -> str:
    """``gitshift/batch/<action>/<env>``, the env when all shifts share one, else ``many``."""
    envs = sorted({i.env.name for i in items})
    return f"gitshift/batch/{action.replace('.', '-')}/{envs[0] if len(envs) == 1 else 'many'}"
