"""Temporary worktrees: a shift is built and committed away from the caller's checkout."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gitshift.gitops.repo import Repo


@contextmanager
def temporary(repo: Repo, commit: str) -> Iterator[Path]:
    """A detached worktree at ``commit``, removed afterwards whatever happens."""
    parent = Path(tempfile.mkdtemp(prefix="gitshift-wt-"))
    path = parent / "tree"
    repo.git("worktree", "add", "--quiet", "--detach", str(path), commit)
    try:
        yield path
    finally:
        try:
            repo.git("worktree", "remove", "--force", str(path))
        finally:
            shutil.rmtree(parent, ignore_errors=True)
            repo.git("worktree", "prune")
