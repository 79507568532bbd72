"""A shift committed through the forge's API (``forge.commit_via: api``) instead of pushed.

The commit is first made here, as for a push, so that it is exactly what was
verified; then the forge makes the same change (blobs, a tree on the parent's
tree, a commit) and moves the branch to it without forcing. A branch that moved
meanwhile is a lost race: the caller re-plans on the new tip. The forge's tree
must be the local one, object for object, or nothing moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from gitshift.errors import ExternalError
from gitshift.gitops import runner
from gitshift.gitops.repo import Repo


class ApiCommits(Protocol):
    """What a forge offers to commit through its API (GitHub's Git Data API)."""

    def commit_files(self, parent: str, base_tree: str, files: Mapping[str, tuple[str, bytes | None]],
                     message: str) -> tuple[str, str]:
        """A commit on ``parent`` holding ``files`` over ``base_tree``: its sha and its tree's sha."""
        ...

    def move_branch(self, branch: str, sha: str, create: bool) -> bool:
        """Create or fast-forward ``branch`` to ``sha``; False when another writer got there first."""
        ...


def commit(forge: ApiCommits, repo: Repo, start: str, local: str, branch: str, create: bool) -> str | None:
    """Make the local commit ``local`` (a child of ``start``) through the forge and move ``branch`` to it.

    Returns:
        The forge's commit, or None when ``branch`` moved (or appeared) meanwhile.

    Raises:
        ExternalError: the forge built a different tree than the one verified here.
    """
    files = _changed(repo, start, local)
    message = repo.git("show", "-s", "--format=%B", local).rstrip("\n") + "\n"
    base_tree = repo.git("rev-parse", f"{start}^{{tree}}").strip()
    expected = repo.git("rev-parse", f"{local}^{{tree}}").strip()
    sha, tree = forge.commit_files(start, base_tree, files, message)
    if tree != expected:
        raise ExternalError(f"the forge built tree {tree}, not the verified tree {expected}", f"commit on {branch}",
                            "nothing was moved; report this with the -v output")
    return sha if forge.move_branch(branch, sha, create) else None


def _changed(repo: Repo, start: str, local: str) -> dict[str, tuple[str, bytes | None]]:
    """Path -> (mode, content) of every file ``local`` changes; None content for a deleted file."""
    out: dict[str, tuple[str, bytes | None]] = {}
    raw = repo.git("diff-tree", "-r", "--no-renames", "--no-commit-id", "-z", start, local)
    fields = raw.split("\0")
    for head, path in zip(fields[0::2], fields[1::2], strict=False):
        if not head:
            continue
        old_mode, new_mode, _old, new, status = head.lstrip(":").split(" ")
        if status == "D":
            out[path] = (old_mode, None)
        else:
            out[path] = (new_mode, runner.run(("cat-file", "blob", new), repo.root))
    return out
