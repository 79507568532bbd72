"""The GitOps repository: finding its top level, and running git through GitPython's binary wrapper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitshift.errors import GitError, InputError


def find_root(start: Path) -> Path:
    """The top level of the git repository holding ``start`` (no subprocess: this runs on every command)."""
    cur = start.resolve()
    for d in (cur, *cur.parents):
        if (d / ".git").exists():
            return d
    raise InputError("not a git repository", str(start), "run inside your GitOps repository, or pass -C PATH")


class Repo:
    """A git repository driven through the git binary (``git add``/``commit`` are ~10x faster than the index API)."""

    def __init__(self, root: Path) -> None:
        import git

        from gitshift.process import no_git_env

        try:
            self._repo = git.Repo(root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise InputError("not a git repository", str(root)) from exc
        self.root = root
        self._env = no_git_env()

    def git(self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
        """Run ``git ARGS`` and return its stdout; a failure is a GitError with git's own message."""
        import git

        cmd = git.Git(str(cwd or self.root))
        try:
            out: Any = cmd.execute(["git", *args], env={**self._env, **(env or {})}, with_extended_output=False)
        except git.GitCommandError as exc:
            full = str(exc.stderr or exc).strip()
            msg = [line for line in full.splitlines() if not line.lstrip("' ").startswith("hint:")]
            err = GitError(f"git {args[0]} failed: {msg[-1].strip() if msg else exc.status}", str(cwd or self.root))
            err.detail = full
            raise err from exc
        return str(out)

    def plumb(self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
        """Run a plumbing command with ``data`` on stdin (no GitPython: bytes in, text out)."""
        import subprocess

        proc = subprocess.run(["git", *args], cwd=self.root, input=data, capture_output=True, check=False,
                              env={**self._env, **(env or {})})
        if proc.returncode != 0:
            msg = proc.stderr.decode(errors="replace").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {msg[-1] if msg else proc.returncode}", str(self.root))
        return proc.stdout.decode()

    @property
    def git_dir(self) -> Path:
        """The repository's git directory (shared by its worktrees)."""
        return Path(self.git("rev-parse", "--absolute-git-dir").strip())

    def rev_parse(self, ref: str) -> str | None:
        """The commit ``ref`` names, or None."""
        try:
            return self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip() or None
        except GitError:
            return None

    def current_branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        try:
            return self.git("symbolic-ref", "--quiet", "--short", "HEAD").strip() or None
        except GitError:
            return None
