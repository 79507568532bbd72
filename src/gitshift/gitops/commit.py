"""Commits with gitshift's trailers, and moving a branch to them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from gitshift.gitops.repo import Repo

TRAILER_KEYS = ("Gitshift-App", "Gitshift-Env", "Gitshift-Action", "Gitshift-Requested-By")


def message(title: str, body: str, trailers: Mapping[str, str]) -> str:
    """A commit message: title, body, then the trailers block."""
    parts = [title.strip()]
    if body.strip():
        parts.append(body.strip())
    parts.append("\n".join(f"{k}: {v}" for k, v in trailers.items()))
    return "\n\n".join(parts) + "\n"


def commit(repo: Repo, worktree: Path, files: Sequence[Path], text: str) -> str:
    """Stage ``files`` in ``worktree`` and commit them; the new commit's id."""
    rel = [str(f.relative_to(worktree)) for f in files]
    repo.git("add", "--all", "--", *rel, cwd=worktree)
    repo.git("commit", "--quiet", "--no-verify", "-m", text, cwd=worktree)
    return repo.git("rev-parse", "HEAD", cwd=worktree).strip()


def move_branch(repo: Repo, branch: str, new: str, old: str | None) -> None:
    """Point ``branch`` at ``new``, only if it still is at ``old`` (None: it must not exist)."""
    repo.git("update-ref", f"refs/heads/{branch}", new, old or "0" * 40)
