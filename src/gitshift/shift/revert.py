"""``gitshift revert COMMIT``: a new shift restoring every field COMMIT's shift changed.

Not a blind ``git revert``: the fields are read by rendering the overlay before
and after COMMIT, so unrelated commits since then stay, and a field a later
shift changed again is a conflict (refused unless ``--force``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitshift.config import Config, EnvConfig
from gitshift.errors import CheckFailedError, InputError
from gitshift.gitops import history
from gitshift.gitops.repo import Repo
from gitshift.manifests import MISSING, FieldPath, Intent, Rendered, ResourceId, changed_paths, format_path, get_path
from gitshift.render import Renderer
from gitshift.shift.compute import files_at, render
from gitshift.shift.request import Planner, ShiftRequest


@dataclass(frozen=True)
class Field:
    """A field COMMIT changed: its value before and after."""

    resource: ResourceId
    path: FieldPath
    before: Any
    after: Any


def recorded_fields(before: Rendered, after: Rendered) -> list[Field]:
    """Every field that differs between two renders of one overlay."""
    out = []
    for rid, new in after.by_id.items():
        old = before.get(rid)
        if old is None:
            raise InputError(f"the commit added {rid}; revert restores fields, not objects", str(rid),
                             "use git revert for commits that add or remove objects")
        out += [Field(rid, p, get_path(old, p), get_path(new, p)) for p in changed_paths(old, new)]
    gone = [rid for rid in before.by_id if rid not in after.by_id]
    if gone:
        raise InputError(f"the commit removed {gone[0]}; revert restores fields, not objects", str(gone[0]))
    return out


def _planner(fields: list[Field], force: bool, commit: str) -> Callable[[Rendered], list[Intent]]:
    def plan(current: Rendered) -> list[Intent]:
        intents, conflicts = [], []
        for f in fields:
            obj = current.get(f.resource)
            now = get_path(obj, f.path) if obj is not None else MISSING
            if obj is None or (now != f.after and now != f.before):
                conflicts.append(f"{f.resource} {format_path(f.path)} is {now!r} now, "
                                 f"{commit[:12]} set {f.after!r}")
                if obj is None or not force:
                    continue
            if now != f.before:
                intents.append(Intent(f.resource, f.path, f.before, now))
        if conflicts and not force:
            raise CheckFailedError(f"a later shift changed the same field: {conflicts[0]}", commit[:12],
                                   "pass --force to restore the value from before the commit anyway",
                                   failures=conflicts)
        return intents

    return plan


NOT_A_SHIFT = "`gitshift history` lists the shifts and their commits; revert any other commit with `git revert`"


def prepare(config: Config, renderer: Renderer, commit: str,
            force: bool) -> tuple[ShiftRequest, Callable[[Path], Planner]]:
    """The request and planner that revert ``commit``'s shift."""
    repo = Repo(config.root)
    if repo.rev_parse(commit) is None:
        raise InputError(f"no such commit {commit!r}", "COMMIT",
                         "`gitshift history` lists the shifts and their commits")
    entry = history.find(repo, commit)
    if entry is None:
        raise InputError(f"{commit} is not a gitshift shift (no Gitshift-Action trailer)", commit, NOT_A_SHIFT)
    return _prepare(config, renderer, repo, entry, force)


def prepare_all(config: Config, renderer: Renderer, commit: str,
                force: bool) -> list[tuple[ShiftRequest, Callable[[Path], Planner]]]:
    """The requests and planners that revert every shift ``commit`` records (several for a batch commit)."""
    repo = Repo(config.root)
    if repo.rev_parse(commit) is None:
        raise InputError(f"no such commit {commit!r}", "COMMIT",
                         "`gitshift history` lists the shifts and their commits")
    entries = history.find_all(repo, commit)
    if not entries:
        raise InputError(f"{commit} is not a gitshift shift (no Gitshift-Action trailer)", commit, NOT_A_SHIFT)
    return [_prepare(config, renderer, repo, entry, force) for entry in entries]


def _prepare(config: Config, renderer: Renderer, repo: Repo, entry: history.Entry,
             force: bool) -> tuple[ShiftRequest, Callable[[Path], Planner]]:
    commit = entry.commit
    env: EnvConfig = config.env(entry.app, entry.env)
    parent = repo.rev_parse(f"{entry.commit}^")
    if parent is None:
        raise InputError("the commit has no parent to restore", commit)
    renders = []
    for sha in (parent, entry.commit):
        with files_at(renderer, repo, sha) as (tree, view):
            renders.append(render(renderer, tree, env, view))
    fields = recorded_fields(*renders)
    request = ShiftRequest(app=env.app, env=env.name, action="revert", record_as="revert", source=entry.commit)
    plan = _planner(fields, force, entry.commit)
    return request, lambda _tree: plan
