"""Branches are never moved under a checkout and never lose a commit (README.md, "Errors")."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git, run, snapshot

SHIFT = ("set-image", "web", "--env", "staging")


def log(repo: Path, ref: str) -> list[str]:
    return git(repo, "log", "--format=%s", ref).splitlines()


def test_commit_onto_the_checked_out_branch_is_refused(example_repo: Path) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, *SHIFT[:2], ":1.1.0", *SHIFT[2:], "--commit", "--branch", "main")
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines() == [
        "gitshift: error: --commit would move branch 'main', which is checked out (this checkout)",
        "hint: use --push to send the shift to the remote branch, or check out another branch"]
    assert snapshot(example_repo) == before


def test_commit_onto_a_branch_checked_out_in_another_worktree_is_refused(example_repo: Path,
                                                                        tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    git(example_repo, "worktree", "add", "-q", "-b", "feat-x", str(other))
    tip = git(example_repo, "rev-parse", "feat-x")
    r = run(example_repo, *SHIFT[:2], ":1.1.0", *SHIFT[2:], "--commit", "--branch", "feat-x")
    assert r.exit_code == 2, r.output
    assert f"which is checked out ({other})" in r.stderr or "which is checked out (" in r.stderr
    assert git(example_repo, "rev-parse", "feat-x") == tip
    assert git(other, "status", "--porcelain") == ""


def test_push_onto_the_checked_out_branch_leaves_it_alone(example_repo: Path) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, *SHIFT[:2], ":1.1.0", *SHIFT[2:], "--push", "--branch", "main")
    assert r.exit_code == 0, r.output
    assert snapshot(example_repo) == before  # the checkout, its branch and files did not move
    assert log(example_repo, "origin/main")[0] == "set-image web/staging: image 1.0.0 → 1.1.0"


def test_push_continues_an_existing_local_branch(example_repo: Path) -> None:
    for tag in ("1.1.0", "1.2.0"):
        r = run(example_repo, *SHIFT[:2], f":{tag}", *SHIFT[2:], "--commit", "--branch", "feat-x")
        assert r.exit_code == 0, r.output
    local = log(example_repo, "feat-x")
    r = run(example_repo, *SHIFT[:2], ":1.3.0", *SHIFT[2:], "--push", "--branch", "feat-x")
    assert r.exit_code == 0, r.output
    pushed = log(example_repo, "origin/feat-x")
    assert pushed[1:] == local  # both earlier commits are kept, under the new one
    assert pushed[0] == "set-image web/staging: image 1.2.0 → 1.3.0"
    assert git(example_repo, "rev-parse", "feat-x") == git(example_repo, "rev-parse", "origin/feat-x")


def test_push_with_nothing_to_change_still_sends_the_local_commits(example_repo: Path) -> None:
    r = run(example_repo, *SHIFT[:2], ":1.1.0", *SHIFT[2:], "--commit", "--branch", "feat-y")
    assert r.exit_code == 0, r.output
    r = run(example_repo, *SHIFT[:2], ":1.1.0", *SHIFT[2:], "--push", "--branch", "feat-y")
    assert r.exit_code == 0, r.output
    assert git(example_repo, "rev-parse", "feat-y") == git(example_repo, "rev-parse", "origin/feat-y")


def test_push_fast_forwards_a_local_branch_that_is_behind(example_repo: Path, tmp_path: Path) -> None:
    r = run(example_repo, *SHIFT[:2], ":1.1.0", *SHIFT[2:], "--push", "--branch", "feat-z")
    assert r.exit_code == 0, r.output
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "feat-z", git(example_repo, "remote", "get-url", "origin").strip(), str(other))
    git(other, "commit", "-q", "--allow-empty", "-m", "theirs")
    git(other, "push", "-q", "origin", "feat-z")
    r = run(example_repo, *SHIFT[:2], ":1.2.0", *SHIFT[2:], "--push", "--branch", "feat-z")
    assert r.exit_code == 0, r.output
    assert log(example_repo, "feat-z")[:3] == ["set-image web/staging: image 1.1.0 → 1.2.0", "theirs",
                                               "set-image web/staging: image 1.0.0 → 1.1.0"]


def test_push_refuses_a_local_branch_that_diverged(example_repo: Path, tmp_path: Path) -> None:
    r = run(example_repo, *SHIFT[:2], ":1.1.0", *SHIFT[2:], "--push", "--branch", "feat-d")
    assert r.exit_code == 0, r.output
    # Another clone rewrites the remote branch; this one adds a local commit of its own.
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", git(example_repo, "remote", "get-url", "origin").strip(), str(other))
    git(other, "checkout", "-q", "-b", "feat-d", "origin/main")
    git(other, "commit", "-q", "--allow-empty", "-m", "theirs")
    git(other, "push", "-q", "--force", "origin", "feat-d")
    r = run(example_repo, *SHIFT[:2], ":1.2.0", *SHIFT[2:], "--commit", "--branch", "feat-d")
    assert r.exit_code == 0, r.output
    mine = git(example_repo, "rev-parse", "feat-d")
    r = run(example_repo, *SHIFT[:2], ":1.3.0", *SHIFT[2:], "--push", "--branch", "feat-d")
    assert r.exit_code == 3, r.output
    assert "local branch feat-d and origin/feat-d have diverged" in r.stderr
    assert git(example_repo, "rev-parse", "feat-d") == mine
    assert log(example_repo, "origin/feat-d")[0] == "theirs"


def test_push_from_a_base_neither_here_nor_on_the_remote_says_what_to_do(example_repo: Path) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", "--base", "nope")
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines() == [
        "gitshift: error: neither 'gitshift/web/staging/set-image' nor 'nope' exists on origin (--base)",
        "hint: push nope to origin first, or give --base a branch it has"]
    assert snapshot(example_repo) == before
