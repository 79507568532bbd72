"""gitops.push: the token only in the push's environment, lost races told from failures, fetched tips."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from tests.conftest import git

from gitshift.errors import GitError
from gitshift.gitops import push
from gitshift.gitops.repo import Repo


@pytest.mark.parametrize(("url", "kind", "user"), [
    ("https://github.com/acme/gitops.git", "github", "x-access-token"),
    ("http://gitlab.local/acme/gitops.git", "gitlab", "oauth2"),
])
def test_a_token_goes_to_an_http_remote_in_the_environment_only(small_repo: Path, url: str, kind: str,
                                                                 user: str) -> None:
    git(small_repo, "remote", "add", "forge", url)
    env = push.auth_env(Repo(small_repo), "forge", "tok3n", kind)
    header = "Authorization: Basic " + base64.b64encode(f"{user}:tok3n".encode()).decode()
    assert env == {"GIT_CONFIG_COUNT": "2", "GIT_TERMINAL_PROMPT": "0",
                   # an empty value first drops a header configured for the URL (actions/checkout persists one)
                   "GIT_CONFIG_KEY_0": f"http.{url}.extraHeader", "GIT_CONFIG_VALUE_0": "",
                   "GIT_CONFIG_KEY_1": f"http.{url}.extraHeader", "GIT_CONFIG_VALUE_1": header}
    assert "tok3n" not in (small_repo / ".git/config").read_text()


def test_no_token_for_other_remotes(small_repo: Path) -> None:
    repo = Repo(small_repo)
    assert push.auth_env(repo, "origin", "tok3n", "github") == {}  # a local path
    assert push.auth_env(repo, "origin", None, "github") == {}
    assert push.auth_env(repo, "missing", "tok3n", "github") == {}


def test_tracking_refs_by_name_and_by_url() -> None:
    assert push.tracking_ref("origin", "feat") == "refs/remotes/origin/feat"
    url = push.tracking_ref("https://host/x.git", "feat")
    assert url.startswith("refs/gitshift/fetched/") and url.endswith("/feat") and url != push.tracking_ref(
        "https://host/y.git", "feat")


def test_fetch_push_and_a_lost_race(small_repo: Path, tmp_path: Path) -> None:
    repo = Repo(small_repo)
    head = repo.rev_parse("HEAD")
    assert head is not None
    assert push.fetch(repo, "origin", "feat", {}) is None  # not on the remote
    assert push.push(repo, "origin", head, "feat", {})
    assert push.fetch(repo, "origin", "feat", {}) == head == repo.rev_parse("refs/remotes/origin/feat")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "feat", str(small_repo.parent / "origin.git"), str(other))
    git(other, "commit", "-q", "--allow-empty", "-m", "theirs")
    git(other, "push", "-q", "origin", "feat")
    mine = git(small_repo, "commit-tree", "-p", head, "-m", "mine", f"{head}^{{tree}}").strip()
    assert push.push(repo, "origin", mine, "feat", {}) is False  # not a fast-forward: someone else won
    with pytest.raises(GitError):
        push.push(repo, "missing", mine, "feat", {})
