"""Gitea (and Forgejo) client against the fake Gitea, which checks Gitea's own API description."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.conftest import git, run

from gitshift.errors import ConfigError, ForgeError
from gitshift.forge import Forge, make_forge
from gitshift.net.retry import RetryPolicy

try:
    from tests.support.forge_clients import gitea_config
    from tests.support.gitea_fake import Pull, contract
except ImportError:  # the repository root is not on sys.path
    from support.forge_clients import gitea_config  # type: ignore[no-redef]
    from support.gitea_fake import Pull, contract  # type: ignore[no-redef]

if TYPE_CHECKING:
    from tests.support.forge_clients import ForgeFactory
    from tests.support.forge_server import ForgeServer

HEAD = "gitshift/web/staging/set-image"


@pytest.fixture
def gitea(forge_client: ForgeFactory) -> Forge:
    """A Gitea client for ``acme/gitops`` on the fake forge."""
    return forge_client("gitea")


def test_open_creates_a_pull_request_with_labels_and_reviewers(gitea: Forge, forge_server: ForgeServer) -> None:
    pr = gitea.open_or_update_pr(HEAD, "main", "web: set image", "before -> after", labels=["gitshift"],
                                 reviewers=["alice", "gitshift-bot"])

    assert pr.created and pr.number == 1 and pr.state == "open" and not pr.fork
    assert (pr.head, pr.base, pr.title, pr.body) == (HEAD, "main", "web: set image", "before -> after")
    assert pr.url == "https://gitea.test/acme/gitops/pulls/1"
    assert pr.labels == ("gitshift",) and pr.reviewers == ("alice",) and pr.author == "gitshift-bot"
    sent = forge_server.calls("POST", "/pulls")[0]
    assert sent.headers["Authorization"] == f"token {forge_server.token}"
    created = forge_server.calls("POST", "/labels")
    assert [json.loads(c.body) for c in created] == [{"name": "gitshift", "color": "#ededed"}]
    repo = forge_server.gitea.repos["acme/gitops"]
    assert [repo.labels[i]["name"] for i in repo.pulls[1].labels] == ["gitshift"]


def test_a_rerun_changes_nothing_and_an_update_patches(gitea: Forge, forge_server: ForgeServer) -> None:
    first = gitea.open_or_update_pr(HEAD, "main", "t", "b", labels=["gitshift"], reviewers=["alice"])
    writes = len([r for r in forge_server.requests if r.method != "GET"])
    again = gitea.open_or_update_pr(HEAD, "main", "t", "b", labels=["gitshift"], reviewers=["alice"])

    assert again == replace(first, created=False)
    assert len([r for r in forge_server.requests if r.method != "GET"]) == writes
    moved = gitea.open_or_update_pr(HEAD, "main", "t2", "b2", labels=["gitshift", "prod"], reviewers=["bob"])

    assert (moved.number, moved.title, moved.body) == (first.number, "t2", "b2")
    assert moved.labels == ("gitshift", "prod") and moved.reviewers == ("alice", "bob")
    assert len(forge_server.calls("PATCH")) == 1


def test_find_ignores_other_branches_forks_and_closed_requests(gitea: Forge, forge_server: ForgeServer) -> None:
    repo = forge_server.gitea.repos["acme/gitops"]
    forge_server.gitea.add_repo("mallory/gitops")
    repo.pulls[1] = Pull(1, 1, "fork", "", HEAD, "main", "mallory", head_repo="mallory/gitops")
    repo.pulls[2] = Pull(2, 2, "closed", "", HEAD, "main", "alice", state="closed")
    repo.pulls[3] = Pull(3, 3, "other", "", "gitshift/other", "main", "alice")

    assert gitea.find_open_pr(HEAD) is None
    assert gitea.get_pr(1).fork and gitea.get_pr(2).state == "closed"
    repo.pulls[4] = Pull(4, 4, "mine", "", HEAD, "main", "alice")
    found = gitea.find_open_pr(HEAD, "main")
    assert found is not None and found.number == 4


def test_find_pages_through_open_requests(forge_server: ForgeServer, fast_policy: RetryPolicy) -> None:
    repo = forge_server.gitea.repos["acme/gitops"]
    for n in range(1, 62):
        repo.pulls[n] = Pull(n, n, f"pr {n}", "", f"branch-{n}", "main", "alice")
    # A page of 50 requests checked against the contract can take seconds on a loaded machine.
    patient = replace(fast_policy, read_timeout=20.0, budget=60.0)
    gitea = make_forge(gitea_config(forge_server), forge_server.token, patient)

    found = gitea.find_open_pr("branch-61")

    assert found is not None and found.number == 61
    assert [r.target.split("page=")[1].split("&")[0] for r in forge_server.calls("GET", "/pulls")] == ["1", "2"]


def test_draft_is_a_title_prefix_an_update_keeps(gitea: Forge) -> None:
    pr = gitea.open_or_update_pr(HEAD, "main", "t", "b", draft=True)
    again = gitea.open_or_update_pr(HEAD, "main", "t", "b")

    assert pr.draft and pr.title == "WIP: t"
    assert again.draft and again.title == "WIP: t" and again.number == pr.number


def test_a_create_that_already_went_through_finds_the_request(gitea: Forge, forge_server: ForgeServer) -> None:
    forge_server.drop("POST", "/api/v1/repos/acme/gitops/pulls", after=True)

    pr = gitea.open_or_update_pr(HEAD, "main", "t", "b")

    assert pr.number == 1 and len(forge_server.gitea.repos["acme/gitops"].pulls) == 1
    assert [r.status for r in forge_server.calls("POST", "/pulls")] == [201, 409]


def test_comments_and_reactions(gitea: Forge, forge_server: ForgeServer) -> None:
    pr = gitea.open_or_update_pr(HEAD, "main", "t", "b")
    comment = gitea.comment(pr.number, "/gitshift canary scale 50")
    gitea.react(pr.number, comment.id, "+1")
    gitea.react(pr.number, comment.id, "+1")

    assert comment.url.endswith(f"/pulls/{pr.number}#issuecomment-{comment.id}")
    assert [r.status for r in forge_server.calls("POST", "/reactions")] == [201, 200]
    with pytest.raises(ValueError, match="reaction"):
        gitea.react(pr.number, comment.id, "heart")  # type: ignore[arg-type]


@pytest.mark.parametrize(("login", "expected"), [
    ("alice", "admin"), ("bob", "admin"), ("carol", "write"), ("erin", "read"), ("mallory", "read"),
    ("nobody", "none"),
])
def test_permission_on_githubs_scale(gitea: Forge, login: str, expected: str) -> None:
    assert gitea.permission(login) == expected


def test_current_user(gitea: Forge, forge_server: ForgeServer) -> None:
    user = gitea.current_user()

    assert (user.login, user.id) == ("gitshift-bot", forge_server.gitea.users["gitshift-bot"])


def test_a_refused_token_names_gitea_and_never_the_token(forge_client: ForgeFactory) -> None:
    wrong = "wrongGiteaTokenThatMustNotShow"
    forge = forge_client("gitea", token=wrong)

    with pytest.raises(ForgeError) as caught:
        forge.find_open_pr(HEAD)

    assert caught.value.exit_code == 3 and "gitea refused GET" in caught.value.what and "401" in caught.value.what
    assert wrong not in str(caught.value) + caught.value.hint


def test_project_must_be_owner_and_repo(forge_client: ForgeFactory) -> None:
    with pytest.raises(ConfigError, match="owner/repo for gitea"):
        forge_client("gitea", project="acme/group/gitops")


@pytest.mark.parametrize(("method", "path", "query", "body", "needle"), [
    ("POST", "/repos/a/b/pulls", {}, b'{"head": "x", "base": "main", "titel": "t"}', "body.titel: not declared"),
    ("POST", "/repos/a/b/issues/1/labels", {}, b'{"labels": ["gitshift"]}', "is not of type 'integer'"),
    ("GET", "/repos/a/b/pulls", {"state": ["opened"]}, b"", "is not one of"),
    ("GET", "/repos/a/b/pulls", {"head": ["x"]}, b"", "query parameter head is not declared"),
    ("GET", "/repos/a/b/pulls/one", {}, b"", "is not an integer"),
    ("DELETE", "/repos/a/b/pulls/1", {}, b"", "no such operation"),
])
def test_the_contract_catches_a_bad_request(method: str, path: str, query: dict[str, list[str]], body: bytes,
                                            needle: str) -> None:
    errors = contract().request_errors(method, path, query, body)

    assert any(needle in e for e in errors), errors


def test_the_contract_catches_a_bad_answer() -> None:
    assert contract().response_errors("GET", "/repos/a/b/pulls/1", 200, {"number": "1"})
    assert contract().response_errors("GET", "/repos/a/b/pulls/1", 418, None)
    assert contract().response_errors("POST", "/repos/a/b/pulls", 409, {"message": "x", "stack": "y"})
    assert not contract().response_errors("POST", "/repos/a/b/pulls", 409, {"message": "x", "url": "y"})


def test_pr_end_to_end_on_gitea(example_repo: Path, forge_server: ForgeServer) -> None:
    cfg = example_repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: gitea\n  project: acme/gitops\n  api_url: {forge_server.url}\n"
                   + cfg.read_text())
    git(example_repo, "commit", "-qam", "forge")
    git(example_repo, "push", "-q", "origin", "main")

    r = run(example_repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", "--label", "release",
            "--reviewer", "carol", "-o", "json", env={"GITEA_TOKEN": forge_server.token})

    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["pr_url"] == "https://gitea.test/acme/gitops/pulls/1"
    pull = forge_server.gitea.repos["acme/gitops"].pulls[1]
    assert (pull.head, pull.base, pull.reviewers) == (HEAD, "main", ["carol"])
    assert "spec.template.spec.containers[0].image" in pull.body
    assert forge_server.token not in r.output


def test_existing_labels_are_reused(gitea: Forge, forge_server: ForgeServer) -> None:
    repo = forge_server.gitea.repos["acme/gitops"]
    repo.labels[9] = {"name": "release", "color": "#00aabb"}

    pr = gitea.open_or_update_pr(HEAD, "main", "t", "b", labels=["release"])

    assert pr.labels == ("release",) and repo.pulls[pr.number].labels == [9]
    assert not forge_server.calls("POST", "/labels")


def test_gitea_needs_its_api_url() -> None:
    from gitshift import config

    root = Path("/repo")
    with pytest.raises(ConfigError, match=r"forge\.api_url: expected the Gitea or Forgejo API root"):
        config.parse("forge: {kind: gitea, project: a/b}\napps: {a: {envs: {e: {overlay: x}}}}\n",
                      root / "gitshift.yaml", root)
    c = config.parse("forge: {kind: gitea, project: a/b, api_url: 'https://git.example/api/v1'}\n"
                     "apps: {a: {envs: {e: {overlay: x}}}}\n", root / "gitshift.yaml", root)
    assert c.forge is not None and c.forge.token_env == "GITEA_TOKEN"
