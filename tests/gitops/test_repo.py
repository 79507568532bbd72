"""gitops.repo: the repository's top level and the few questions gitshift asks git about it."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import git

from gitshift.errors import InputError
from gitshift.gitops.repo import Repo, find_root


def test_find_root_walks_up_without_git(small_repo: Path, tmp_path: Path) -> None:
    assert find_root(small_repo / "dir") == small_repo
    (tmp_path / "plain").mkdir()
    with pytest.raises(InputError) as info:
        find_root(tmp_path / "plain")
    assert (info.value.what, info.value.hint) == ("not a git repository",
                                                  "run inside your GitOps repository, or pass -C PATH")
    with pytest.raises(InputError) as info:
        Repo(tmp_path / "plain")
    assert (info.value.what, info.value.hint) == ("not a git repository",
                                                  "run inside your GitOps repository, or pass -C PATH")


def test_questions_about_commits_and_branches(small_repo: Path, tmp_path: Path) -> None:
    repo = Repo(small_repo)
    first, second = git(small_repo, "rev-list", "HEAD").split()[::-1]
    assert repo.rev_parse("HEAD") == second and repo.rev_parse("HEAD:a.txt") is None  # a blob is no commit
    assert repo.rev_parse("--all") is None and repo.rev_parse("nope") is None
    assert repo.is_ancestor(first, second) and not repo.is_ancestor(second, first)
    assert repo.remotes() == ["origin"]
    assert repo.git_dir == small_repo / ".git"
    git(small_repo, "worktree", "add", "-q", "-b", "side", str(tmp_path / "side"))
    assert repo.checked_out() == {"main": small_repo, "side": tmp_path / "side"}
    assert repo.current_branch() == "main"
    git(small_repo, "checkout", "-q", "--detach")
    assert repo.current_branch() is None
