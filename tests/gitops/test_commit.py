"""gitops.commit: the message and its trailers, commits built without a checkout, and moving a branch safely."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import git, snapshot

from gitshift.errors import GitError, InputError
from gitshift.gitops import commit as commits
from gitshift.gitops import worktree
from gitshift.gitops.repo import Repo
from gitshift.gitops.treeview import GitTreeView

TRAILERS = {"Gitshift-App": "web", "Gitshift-Env": "staging", "Gitshift-Action": "set-image"}


def test_message_is_title_body_then_the_trailer_block() -> None:
    assert commits.message("  set-image web/staging: image 1.0 → 1.1 ", "\n- line one\n- line two\n\n", TRAILERS) == (
        "set-image web/staging: image 1.0 → 1.1\n\n- line one\n- line two\n\n"
        "Gitshift-App: web\nGitshift-Env: staging\nGitshift-Action: set-image\n")
    assert commits.message("title", "  \n", {"Gitshift-Action": "x"}) == "title\n\nGitshift-Action: x\n"


@pytest.mark.parametrize(("title", "trailers", "what"), [
    ("title\nGitshift-Env: production", TRAILERS, "the commit title"),
    ("title", {**TRAILERS, "Gitshift-Requested-By": "mallory\nGitshift-Env: production"},
     "the Gitshift-Requested-By trailer"),
    ("title", {**TRAILERS, "Gitshift-Source": "a\rb"}, "the Gitshift-Source trailer"),
    ("title", {"Gitshift-App\nGitshift-Env": "x"}, "a trailer key"),
    ("title\u2028more", TRAILERS, "the commit title"),
])
def test_a_line_break_that_could_forge_a_trailer_is_refused(title: str, trailers: dict[str, str], what: str) -> None:
    with pytest.raises(InputError) as info:
        commits.message(title, "body", trailers)
    assert info.value.what.startswith(f"{what} must be one line of printable text; it contains U+")
    assert info.value.exit_code == 2


def test_commit_edits_builds_a_commit_without_touching_the_checkout(small_repo: Path) -> None:
    repo = Repo(small_repo)
    (small_repo / "a.txt").write_text("uncommitted\n")
    before = snapshot(small_repo)
    parent = git(small_repo, "rev-parse", "HEAD").strip()
    edits = {small_repo / "a.txt": b"A\n", small_repo / "new/c.txt": b"c\n", small_repo / "dir/b.txt": None,
             small_repo / "run.sh": b"#!/bin/sh\necho changed\n"}
    view = GitTreeView.at(small_repo, repo.git_dir, parent)  # run.sh is 100755 there: its mode is kept
    try:
        sha = commits.commit_edits(repo, parent, edits, view.listing, commits.message("edits", "", TRAILERS))
    finally:
        view.close()
    assert snapshot(small_repo) == before  # HEAD, index, working tree and branches as they were
    assert git(small_repo, "rev-parse", f"{sha}^").strip() == parent
    assert git(small_repo, "ls-tree", "-r", "--format=%(objectmode) %(path)", sha).split("\n") == [
        "100644 a.txt", "100644 new/c.txt", "100755 run.sh", ""]
    assert git(small_repo, "show", f"{sha}:a.txt") == "A\n"
    assert git(small_repo, "log", "-1", "--format=%B", sha) == commits.message("edits", "", TRAILERS) + "\n"


def test_commit_stages_and_commits_in_a_temporary_worktree(small_repo: Path) -> None:
    repo = Repo(small_repo)
    head = git(small_repo, "rev-parse", "HEAD").strip()
    before = snapshot(small_repo)
    with worktree.temporary(repo, head) as tree:
        (tree / "a.txt").write_text("from the worktree\n")
        (tree / "dir/b.txt").unlink()
        sha = commits.commit(repo, tree, [tree / "a.txt", tree / "dir/b.txt"], "in a worktree\n")
    assert not tree.exists()
    assert git(small_repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert snapshot(small_repo) == before
    assert git(small_repo, "diff", "--name-status", head, sha).split("\n") == ["M\ta.txt", "D\tdir/b.txt", ""]


def test_move_branch_moves_only_from_the_expected_commit(small_repo: Path) -> None:
    repo = Repo(small_repo)
    first, second = git(small_repo, "rev-list", "HEAD").split()[::-1]
    commits.move_branch(repo, "feat", first, None)  # created: it did not exist
    with pytest.raises(GitError):
        commits.move_branch(repo, "feat", second, None)  # it exists now
    with pytest.raises(GitError):
        commits.move_branch(repo, "feat", second, second)  # it is not at ``second``
    assert git(small_repo, "rev-parse", "feat").strip() == first
    commits.move_branch(repo, "feat", second, first)
    assert git(small_repo, "rev-parse", "feat").strip() == second
