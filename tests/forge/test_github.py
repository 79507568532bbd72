"""GitHub client against the contract-checked fake forge."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from gitshift.errors import ForgeError
from gitshift.forge import Forge, PullRequest

if TYPE_CHECKING:
    from tests.support.forge_clients import ForgeFactory
    from tests.support.forge_server import ForgeServer

HEAD = "gitshift/web/staging/set-image"


def _open(github: Forge, title: str = "web: set image", body: str = "before -> after", **kwargs: object) -> PullRequest:
    return github.open_or_update_pr(HEAD, "main", title, body, **kwargs)  # type: ignore[arg-type]


def test_open_creates_a_pull_request(github: Forge, forge_server: ForgeServer) -> None:
    pr = _open(github, labels=["gitshift"], reviewers=["alice"])

    assert pr.created and pr.number == 1 and pr.state == "open"
    assert (pr.head, pr.base, pr.title, pr.body) == (HEAD, "main", "web: set image", "before -> after")
    assert pr.url == "https://github.test/acme/gitops/pull/1"
    assert pr.labels == ("gitshift",) and pr.reviewers == ("alice",)
    assert pr.author == "gitshift-bot"
    sent = forge_server.calls("POST", "/pulls")[0]
    assert sent.headers["Authorization"] == f"Bearer {forge_server.token}"
    assert sent.headers["User-Agent"].startswith("gitshift/")


def test_second_run_updates_the_open_one(github: Forge, forge_server: ForgeServer) -> None:
    first = _open(github)
    second = _open(github, title="web: set image 1.3", body="new body")

    assert not second.created and second.number == first.number
    assert (second.title, second.body) == ("web: set image 1.3", "new body")
    assert len(forge_server.github.repos["acme/gitops"].pulls) == 1
    assert len(forge_server.calls("PATCH")) == 1


def test_rerun_with_the_same_arguments_changes_nothing(github: Forge, forge_server: ForgeServer) -> None:
    first = _open(github, labels=["gitshift"], reviewers=["alice"])
    writes = len([r for r in forge_server.requests if r.method != "GET"])
    again = _open(github, labels=["gitshift"], reviewers=["alice"])

    assert again == replace(first, created=False)
    assert len([r for r in forge_server.requests if r.method != "GET"]) == writes


def test_labels_and_reviewers_are_added_not_replaced(github: Forge, forge_server: ForgeServer) -> None:
    _open(github, labels=["gitshift"], reviewers=["alice"])
    pr = _open(github, labels=["gitshift", "production"], reviewers=["bob", "gitshift-bot"])

    assert pr.labels == ("gitshift", "production")
    assert pr.reviewers == ("alice", "bob")  # the author is never asked to review
    assert forge_server.calls("POST", "/labels")[-1].body == b'{"labels": ["production"]}'


def test_draft_and_base_change(github: Forge, forge_server: ForgeServer) -> None:
    pr = _open(github, draft=True)
    moved = github.open_or_update_pr(HEAD, "release", pr.title, pr.body)

    assert pr.draft and moved.base == "release" and moved.number == pr.number


def test_create_answer_lost_then_retried_opens_one(github: Forge, forge_server: ForgeServer) -> None:
    forge_server.drop("POST", "*/pulls", after=True)  # GitHub opened it; the answer never came

    pr = _open(github, title="web: set image 2")

    assert pr.number == 1 and pr.title == "web: set image 2"
    assert len(forge_server.github.repos["acme/gitops"].pulls) == 1


def test_find_and_get(github: Forge) -> None:
    assert github.find_open_pr(HEAD) is None
    opened = _open(github)

    assert github.find_open_pr(HEAD, "main") == replace(opened, created=False)
    assert github.find_open_pr(HEAD, "release") is None
    assert github.get_pr(opened.number).head_sha == opened.head_sha


def test_unknown_pull_request_is_a_forge_error(github: Forge) -> None:
    with pytest.raises(ForgeError, match=r"refused GET /repos/acme/gitops/pulls/7: status 404"):
        github.get_pr(7)


def test_comment_and_react(github: Forge, forge_server: ForgeServer) -> None:
    pr = _open(github)
    comment = github.comment(pr.number, "/gitshift canary scale 50")
    github.react(pr.number, comment.id, "+1")
    github.react(pr.number, comment.id, "+1")  # an existing reaction is fine
    github.react(pr.number, comment.id, "-1")

    repo = forge_server.github.repos["acme/gitops"]
    assert comment.url == f"https://github.test/acme/gitops/pull/1#issuecomment-{comment.id}"
    assert repo.comments[comment.id]["body"] == "/gitshift canary scale 50"
    assert [r["content"] for r in repo.reactions] == ["+1", "-1"]


def test_long_comment_is_cut_to_the_limit(github: Forge, forge_server: ForgeServer) -> None:
    pr = _open(github)
    github.comment(pr.number, "x" * 70_000)

    body = next(iter(forge_server.github.repos["acme/gitops"].comments.values()))["body"]
    assert len(body) <= 65536 and "cut" in body


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("alice", "admin"),
        ("bob", "maintain"),
        ("carol", "write"),
        ("dave", "triage"),
        ("erin", "read"),
        ("mallory", "none"),
        ("nobody-at-all", "none"),
    ],
)
def test_permission(github: Forge, login: str, expected: str) -> None:
    assert github.permission(login) == expected


def test_current_user(github: Forge) -> None:
    assert github.current_user().login == "gitshift-bot"


def test_enterprise_api_url_keeps_its_path_prefix(forge_server: ForgeServer, forge_client: ForgeFactory) -> None:
    forge_server.github_prefix = "/api/v3"  # calls without the prefix now get 404
    ghe = forge_client("github")

    pr = ghe.open_or_update_pr(HEAD, "main", "t", "b", labels=["x"])

    assert pr.created
    assert all(r.target.startswith("/api/v3/repos/acme/gitops/") for r in forge_server.requests)


def test_bad_project_is_a_config_error(forge_client: ForgeFactory) -> None:
    from gitshift.errors import ConfigError

    with pytest.raises(ConfigError, match="owner/repo"):
        forge_client("github", project="just-a-name")
