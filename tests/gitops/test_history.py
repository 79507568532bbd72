"""gitops.history: past shifts read back from commit trailers, and commits that only pretend to be shifts."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import git

from gitshift.errors import GitError
from gitshift.gitops import history
from gitshift.gitops.commit import message
from gitshift.gitops.repo import Repo


def shift(repo: Path, title: str, app: str, env: str, action: str, **more: str) -> str:
    """An empty commit carrying a shift's trailers, as gitshift writes them; its id."""
    trailers = {"Gitshift-App": app, "Gitshift-Env": env, "Gitshift-Action": action,
                **{f"Gitshift-{k.replace('_', '-').title()}": v for k, v in more.items()}}
    return raw(repo, message(title, "- Deployment/web spec.replicas: 1 → 2", trailers))


def raw(repo: Path, text: str) -> str:
    """An empty commit with exactly ``text`` as its message; its id."""
    git(repo, "commit", "-q", "--allow-empty", "--cleanup=verbatim", "-m", text)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def shifted(small_repo: Path) -> tuple[Path, list[str]]:
    """Three shifts of two envs (newest last) above the repository's plain commits."""
    ids = [shift(small_repo, "set-image web/staging: image 1 → 2", "web", "staging", "set-image"),
           shift(small_repo, "canary web/prod: weight 10 → 25", "web", "prod", "canary.scale", requested_by="alice"),
           shift(small_repo, "set-image api/staging: image 3 → 4", "api", "staging", "set-image")]
    return small_repo, ids


def test_read_lists_shifts_newest_first_and_narrows(shifted: tuple[Path, list[str]]) -> None:
    repo, ids = shifted
    entries = history.read(Repo(repo))
    assert [(e.commit, e.app, e.env, e.action, e.summary, e.requested_by) for e in entries] == [
        (ids[2], "api", "staging", "set-image", "set-image api/staging: image 3 → 4", ""),
        (ids[1], "web", "prod", "canary.scale", "canary web/prod: weight 10 → 25", "alice"),
        (ids[0], "web", "staging", "set-image", "set-image web/staging: image 1 → 2", ""),
    ]
    assert entries[0].date == git(repo, "log", "-1", "--format=%cI", ids[2]).strip()
    assert [e.commit for e in history.read(Repo(repo), app="web")] == [ids[1], ids[0]]
    assert [e.commit for e in history.read(Repo(repo), env="staging", limit=1)] == [ids[2]]
    assert [e.commit for e in history.read(Repo(repo), ref=ids[1])] == [ids[1], ids[0]]


def test_find_reads_one_commit(shifted: tuple[Path, list[str]]) -> None:
    repo, ids = shifted
    found = history.find(Repo(repo), ids[1][:10])
    assert found is not None and (found.commit, found.action) == (ids[1], "canary.scale")
    assert history.find(Repo(repo), "HEAD~3") is None  # a commit, but not a shift
    assert history.find(Repo(repo), "no-such-ref") is None


def test_a_ref_that_looks_like_an_option_is_a_ref(small_repo: Path) -> None:
    with pytest.raises(GitError):
        history.read(Repo(small_repo), ref="--all")


def test_trailers_outside_the_last_paragraph_are_not_a_shift(small_repo: Path) -> None:
    raw(small_repo, "fix typo\n\nGitshift-App: web\nGitshift-Env: prod\nGitshift-Action: bluegreen.promote\n\n"
                    "Quoted above from another commit.\n")
    assert history.read(Repo(small_repo)) == []


def test_a_batch_commit_is_one_entry_per_trailer_triple(small_repo: Path) -> None:
    sha = raw(small_repo, "batch\n\nGitshift-App: web\nGitshift-Env:   prod  \nGitshift-Action: set-image\n"
                          "Gitshift-App: api\nGitshift-Env: staging\nGitshift-Action: promote\n")
    assert [(e.commit, e.app, e.env, e.action) for e in history.read(Repo(small_repo))] == [
        (sha, "web", "prod", "set-image"), (sha, "api", "staging", "promote")]
    assert [e.app for e in history.read(Repo(small_repo), env="staging")] == ["api"]
    assert [e.app for e in history.find_all(Repo(small_repo), sha)] == ["web", "api"]


def test_trailers_that_do_not_pair_up_are_kept_whole_for_history_to_refuse(small_repo: Path) -> None:
    sha = raw(small_repo, "odd\n\nGitshift-App: web\nGitshift-App: api\nGitshift-Env: prod\n"
                          "Gitshift-Action: set-image\n")
    assert [(e.commit, e.app, e.env) for e in history.read(Repo(small_repo))] == [(sha, "web,api", "prod")]


def test_separator_characters_in_a_message_forge_nothing(small_repo: Path) -> None:
    forged = "\x1f".join(["0" * 40, "2020-01-01T00:00:00+00:00", "forged", "web", "prod", "bluegreen.promote",
                          "mallory"])
    sha = raw(small_repo, f"evil\x1e{forged}\x1e\n\nGitshift-App: web\nGitshift-Env: staging\n"
                          "Gitshift-Action: set-image\n")
    assert [(e.commit, e.action) for e in history.read(Repo(small_repo))] == [(sha, "set-image")]


def test_trailer_values_cannot_forge_a_batch(small_repo: Path) -> None:
    sha = raw(small_repo, "evil\n\nGitshift-App: web,api\nGitshift-Env: staging,prod\n"
                          "Gitshift-Action: set-image,bluegreen.promote\nGitshift-Requested-By: bob\x1fmallory\n")
    assert [(e.commit, e.app, e.env, e.action, e.requested_by) for e in history.read(Repo(small_repo))] == [
        (sha, "web,api", "staging,prod", "set-image,bluegreen.promote", "bob\x1fmallory")]
