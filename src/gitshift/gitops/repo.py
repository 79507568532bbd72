"""The GitOps repository: finding its top level, and the git commands gitshift runs in it."""

from __future__ import annotations

from pathlib import Path

from gitshift.errors import GitError, InputError
from gitshift.gitops import runner


def find_root(start: Path) -> Path:
    """The top level of the git repository holding ``start`` (no subprocess: this runs on every command)."""
    cur = start.resolve()
    for d in (cur, *cur.parents):
        if (d / ".git").exists():
            return d
    raise InputError("not a git repository", str(start), "run inside your GitOps repository, or pass -C PATH")


class Repo:
    """A git repository, driven through the git binary (``gitops.runner``)."""

    def __init__(self, root: Path) -> None:
        if not (root / ".git").exists():
            raise InputError("not a git repository", str(root), "run inside your GitOps repository, or pass -C PATH")
        self.root = root

    def git(self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
        """Run ``git ARGS`` and return its stdout; a failure is a GitError with git's own message."""
        return runner.text(args, cwd or self.root, env=env)

    def plumb(self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
        """Run a plumbing command with ``data`` on stdin; its whole stdout."""
        return runner.run(args, self.root, data=data, env=env).decode()

    @property
    def git_dir(self) -> Path:
        """The repository's git directory (shared by its worktrees)."""
        return Path(self.git("rev-parse", "--absolute-git-dir").strip())

    def rev_parse(self, ref: str) -> str | None:
        """The commit ``ref`` names, or None."""
        try:
            return self.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip() or None
        except GitError:
            return None

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether commit ``older`` is reachable from commit ``newer``."""
        try:
            self.git("merge-base", "--is-ancestor", "--end-of-options", older, newer)
        except GitError:
            return False
        return True

    def remotes(self) -> list[str]:
        """The names of the configured remotes."""
        return self.git("remote").split()

    def checked_out(self) -> dict[str, Path]:
        """Every branch checked out in a worktree of this repository (this one or another), and where."""
        out: dict[str, Path] = {}
        path: Path | None = None
        for line in self.git("worktree", "list", "--porcelain").splitlines():
            if line.startswith("worktree "):
                path = Path(line[len("worktree "):])
            elif line.startswith("branch refs/heads/") and path is not None:
                out[line[len("branch refs/heads/"):]] = path
        return out

    def current_branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        try:
            return self.git("symbolic-ref", "--quiet", "--short", "HEAD").strip() or None
        except GitError:
            return None
