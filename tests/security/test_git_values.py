"""Every value reaching git is checked first: no option injection, no surprising ref, exit 2 before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import git, run, snapshot

SHIFT = ("set-image", "web", ":1.1.0", "--env", "staging")


def remote_branches(repo: Path) -> list[str]:
    return git(repo, "ls-remote", "--heads", "origin").split()[1::2]


@pytest.mark.parametrize("mode", ["--push", "--pr"])
def test_remote_cannot_inject_an_option(example_repo: Path, tmp_path: Path, mode: str) -> None:
    marker = tmp_path / "ran"
    before = snapshot(example_repo)
    r = run(example_repo, *SHIFT, mode, f"--remote=--upload-pack=touch {marker};")
    assert r.exit_code == 2, r.output
    assert "invalid remote '--upload-pack=touch" in r.stderr
    assert "(--remote)" in r.stderr
    assert not marker.exists()
    assert snapshot(example_repo) == before


def test_unknown_remote_names_the_remedy(example_repo: Path) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, *SHIFT, "--push", "--remote", "upstream")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == ["gitshift: error: no remote named 'upstream' (--remote)",
                                     "hint: configured remotes: origin; add one with: git remote add upstream <url>"]
    assert snapshot(example_repo) == before


def test_remote_may_be_a_url(example_repo: Path) -> None:
    url = "file://" + git(example_repo, "remote", "get-url", "origin").strip()
    r = run(example_repo, *SHIFT, "--push", "--remote", url, "--branch", "by-url")
    assert r.exit_code == 0, r.output
    assert "by-url" in "".join(remote_branches(example_repo))


@pytest.mark.parametrize(("name", "why"), [
    ("a..b", "contains '..'"),
    ("with space", "contains a space"),
    ("feat*", "contains '*'"),
    ("a\nGitshift-Env: production", "U+000A"),
    ("-delete", "starts with '-'"),
    ("--upload-pack=x", "starts with '-'"),
    ("HEAD", "'HEAD' is not a branch"),
    ("x.lock", "ends with '.lock'"),
    ("a@{1}", "'@{'"),
    ("/lead", "empty path component"),
    ("zero\u200bwidth", "U+200B"),
])
@pytest.mark.parametrize("option", ["--branch", "--base"])
def test_bad_branch_names_exit_2_before_anything_runs(example_repo: Path, name: str, why: str,
                                                      option: str) -> None:
    before = snapshot(example_repo)
    heads = remote_branches(example_repo)
    r = run(example_repo, *SHIFT, "--push", option, name)
    assert r.exit_code == 2, r.output
    first = r.stderr.splitlines()[0]
    assert first.startswith("gitshift: error: invalid branch name ") and why in first and first.endswith(
        f"({option})"), first
    assert snapshot(example_repo) == before
    assert remote_branches(example_repo) == heads


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-n1", "main..HEAD", "a b"])
def test_revisions_cannot_be_options(example_repo: Path, ref: str) -> None:
    r = run(example_repo, "diff", "--against", ref)
    assert r.exit_code == 2, r.output
    assert "invalid revision" in r.stderr and "(--against)" in r.stderr
    r = run(example_repo, "revert", "--", ref)
    assert r.exit_code == 2, r.output
    assert "invalid revision" in r.stderr and "(COMMIT)" in r.stderr
