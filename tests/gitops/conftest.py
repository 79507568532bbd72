"""A small repository for the gitops tests: a file, a folder, an executable script; two commits on main."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import git

FILES = {"a.txt": "a\n", "dir/b.txt": "b\n", "run.sh": "#!/bin/sh\necho run\n"}


@pytest.fixture
def small_repo(repo_factory: Callable[..., Path]) -> Path:
    """``FILES`` committed on main (with a bare ``origin``), then ``run.sh`` made executable in a second commit."""
    work = repo_factory(FILES)
    (work / "run.sh").chmod(0o755)
    git(work, "commit", "-q", "-am", "executable")
    return work
