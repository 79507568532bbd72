"""A shift committed through the forge's API (``forge.commit_via: api``) instead of pushed.

The commit is first made here, as for a push, so that it is exactly what was
verified; then the forge makes the same change and the branch moves to it,
never forced.

GitHub builds it in two steps (blobs, a tree on the parent's tree, a commit;
then the branch is created or fast-forwarded): its tree must be the local one,
object for object, or nothing moves, and a branch that moved meanwhile refuses
the fast-forward. GitLab (Commits API) and Gitea (ChangeFiles) do it in one
call that writes on whatever the branch holds when the call lands. Each file's
last commit (GitLab) or blob (Gitea) as planned is sent along, so a file that
changed meanwhile refuses the call; a commit that still landed on a tip other
than the planned one is checked by the caller, who re-plans the shift on that
tip and compares (``check``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from gitshift.errors import ExternalError
from gitshift.forge import FileChange, Landed
from gitshift.gitops import runner
from gitshift.gitops.repo import Repo


class ApiCommits(Protocol):
    """What a forge offers to commit through its API in two steps (GitHub's Git Data API)."""

    kind: str

    def commit_files(self, parent: str, base_tree: str, files: Mapping[str, tuple[str, bytes | None]],
                     message: str) -> tuple[str, str]:
        """A commit on ``parent`` holding ``files`` over ``base_tree``: its sha and its tree's sha."""
        ...

    def move_branch(self, branch: str, sha: str, create: bool) -> bool:
        """Create or fast-forward ``branch`` to ``sha``; False when another writer got there first."""
        ...


@runtime_checkable
class FileCommits(Protocol):
    """What a forge offers to commit file changes onto a branch in one call (GitLab, Gitea)."""

    kind: str

    def commit_changes(self, branch: str, start: str, base: str, create: bool, changes: Sequence[FileChange],
                       message: str) -> Landed | None:
        """Commit ``changes`` (planned on ``start``) on ``branch``; None when a change met a newer one."""
        ...


def commit(forge: ApiCommits | FileCommits, repo: Repo, start: str, local: str, branch: str, base: str,
           create: bool) -> Landed | None:
    """Make the local commit ``local`` (a child of ``start``) through the forge, on ``branch``.

    Args:
        forge: the forge client.
        repo: the repository holding ``start`` and ``local``.
        start: the commit the shift was planned on (the branch's tip, or the base's for a new branch).
        local: the verified commit.
        branch: the branch to commit on.
        base: the branch a new ``branch`` starts from (Gitea names it, the others take ``start``).
        create: whether ``branch`` is new.

    Returns:
        The forge's commit, or None when the branch (or a file the shift changes) moved
        meanwhile: the caller re-plans on the new tip.

    Raises:
        ExternalError: GitHub built a different tree than the one verified here (nothing moved).
    """
    message = repo.git("show", "-s", "--format=%B", local).rstrip("\n") + "\n"
    if isinstance(forge, FileCommits):
        return forge.commit_changes(branch, start, base, create, _changes(repo, start, local), message)
    files = {c.path: (c.mode, c.content) for c in _changes(repo, start, local)}
    base_tree = repo.git("rev-parse", f"{start}^{{tree}}").strip()
    expected = _tree(repo, local)
    sha, tree = forge.commit_files(start, base_tree, files, message)
    if tree != expected:
        raise ExternalError(f"the forge built tree {tree}, not the verified tree {expected}", f"commit on {branch}",
                            "nothing was moved; report this with the -v output")
    return Landed(sha, start, verified=True) if forge.move_branch(branch, sha, create) else None


def check(repo: Repo, kind: str, landed: Landed, local: str | None, branch: str, moved: bool,
          why: str = "") -> None:
    """The forge's commit (fetched here) holds the tree of the verified commit ``local``.

    Args:
        repo: the repository the forge's commit was fetched into.
        kind: the forge, for the message.
        landed: the forge's commit.
        local: the verified commit on ``landed.parent``; None when the plan there changed nothing.
        branch: the branch that now holds ``landed``.
        moved: whether ``landed.parent`` is a tip another writer pushed after the plan (``local`` was
            then planned again on it).
        why: what went wrong, when the plan could not be made again.

    Raises:
        ExternalError: the branch holds a commit nothing here verified (exit 3, naming it so it can be reviewed).
    """
    if not why:
        if local is None:
            why = "changes nothing"
        elif _tree(repo, landed.sha) != _tree(repo, local):
            why = "gives a different tree" if moved else "its tree differs from the one verified here"
        else:
            return
    where = (f" on {landed.parent[:12]}, which another writer pushed meanwhile, but the shift planned again on "
             "it " if moved else ", but ")
    raise ExternalError(f"{kind} made commit {landed.sha[:12]} on {branch}{where}{why}", f"commit on {branch}",
                        f"review commit {landed.sha} on {branch} (nothing verified it) and revert it if it is "
                        "wrong; nothing was forced")


def _tree(repo: Repo, commit: str) -> str:
    return repo.git("rev-parse", f"{commit}^{{tree}}").strip()


def _changes(repo: Repo, start: str, local: str) -> list[FileChange]:
    """Every file ``local`` changes from ``start``: new content and mode, and the blob and mode it replaces."""
    out: list[FileChange] = []
    raw = repo.git("diff-tree", "-r", "--no-renames", "--no-commit-id", "-z", start, local)
    fields = raw.split("\0")
    for head, path in zip(fields[0::2], fields[1::2], strict=False):
        if not head:
            continue
        old_mode, new_mode, old, new, status = head.lstrip(":").split(" ")
        before = (old_mode, old) if status != "A" else (None, None)
        if status == "D":
            out.append(FileChange(path, None, old_mode, *before))
        else:
            out.append(FileChange(path, runner.run(("cat-file", "blob", new), repo.root), new_mode, *before))
    return out
