"""GitLab client against the fake forge, checked against gitlab-mr-endpoints.md."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from gitshift.errors import ForgeError
from gitshift.forge import Forge, PullRequest

if TYPE_CHECKING:
    from tests.support.forge_clients import ForgeFactory
    from tests.support.forge_server import ForgeServer

HEAD = "gitshift/web/production/bluegreen.deploy"
PROJECT = "acme/platform/gitops"


def _open(gitlab: Forge, title: str = "web: deploy green", body: str = "table", **kwargs: object) -> PullRequest:
    return gitlab.open_or_update_pr(HEAD, "main", title, body, **kwargs)  # type: ignore[arg-type]


def test_open_creates_a_merge_request(gitlab: Forge, forge_server: ForgeServer) -> None:
    pr = _open(gitlab, labels=["gitshift", "production"], reviewers=["alice"])

    assert pr.created and pr.number == 1 and pr.state == "open"
    assert pr.url == f"https://gitlab.test/{PROJECT}/-/merge_requests/1"
    assert pr.labels == ("gitshift", "production") and pr.reviewers == ("alice",)
    sent = forge_server.calls("POST", "/merge_requests")[0]
    assert sent.target == "/api/v4/projects/acme%2Fplatform%2Fgitops/merge_requests"
    assert sent.headers["PRIVATE-TOKEN"] == forge_server.token
    assert "Authorization" not in sent.headers


def test_second_run_updates_the_open_one(gitlab: Forge, forge_server: ForgeServer) -> None:
    first = _open(gitlab, labels=["gitshift"])
    second = _open(gitlab, title="web: deploy green 1.4", body="new", labels=["gitshift", "x"], reviewers=["bob"])

    assert not second.created and second.number == first.number
    assert (second.title, second.body) == ("web: deploy green 1.4", "new")
    assert second.labels == ("gitshift", "x") and second.reviewers == ("bob",)
    assert len(forge_server.gitlab.projects[PROJECT].mrs) == 1


def test_rerun_with_the_same_arguments_changes_nothing(gitlab: Forge, forge_server: ForgeServer) -> None:
    first = _open(gitlab, labels=["gitshift"], reviewers=["alice", "bob"])
    again = _open(gitlab, labels=["gitshift"], reviewers=["alice", "bob"])

    assert again == replace(first, created=False)
    assert len(forge_server.calls("PUT")) == 0


def test_reviewers_are_added_to_those_assigned(gitlab: Forge) -> None:
    _open(gitlab, reviewers=["alice"])
    assert _open(gitlab, reviewers=["bob"]).reviewers == ("alice", "bob")


def test_unknown_reviewer_is_refused(gitlab: Forge) -> None:
    with pytest.raises(ForgeError, match="no user 'ghost'"):
        _open(gitlab, reviewers=["ghost"])


def test_draft_stays_a_draft_on_update(gitlab: Forge) -> None:
    pr = _open(gitlab, draft=True)
    updated = _open(gitlab, title="web: deploy green, again")

    assert pr.draft and pr.title == "Draft: web: deploy green"
    assert updated.draft and updated.title == "Draft: web: deploy green, again"


def test_conflict_on_create_finds_the_open_one(gitlab: Forge, forge_server: ForgeServer) -> None:
    forge_server.drop("POST", "*/merge_requests", after=True)

    pr = _open(gitlab, title="second try")

    assert pr.number == 1 and pr.title == "second try"
    assert len(forge_server.gitlab.projects[PROJECT].mrs) == 1


def test_find_and_get(gitlab: Forge) -> None:
    assert gitlab.find_open_pr(HEAD) is None
    opened = _open(gitlab)

    assert gitlab.find_open_pr(HEAD, "main") == replace(opened, created=False)
    assert gitlab.get_pr(1).head_sha == opened.head_sha
    with pytest.raises(ForgeError, match="status 404"):
        gitlab.get_pr(9)


def test_comment_and_award_emoji(gitlab: Forge, forge_server: ForgeServer) -> None:
    pr = _open(gitlab)
    note = gitlab.comment(pr.number, "/gitshift bluegreen promote")
    gitlab.react(pr.number, note.id, "+1")
    gitlab.react(pr.number, note.id, "+1")  # already awarded: fine
    gitlab.react(pr.number, note.id, "-1")

    project = forge_server.gitlab.projects[PROJECT]
    assert note.url == f"{forge_server.url}/{PROJECT}/-/merge_requests/1#note_{note.id}"
    assert project.notes[note.id]["body"] == "/gitshift bluegreen promote"
    assert [a["name"] for a in project.awards] == ["thumbsup", "thumbsdown"]


def test_award_on_a_missing_note_is_an_error(gitlab: Forge) -> None:
    pr = _open(gitlab)
    with pytest.raises(ForgeError, match="status 404"):
        gitlab.react(pr.number, 424242, "+1")


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("alice", "admin"),
        ("bob", "maintain"),
        ("carol", "write"),
        ("dave", "triage"),
        ("paula", "triage"),
        ("erin", "read"),
        ("mallory", "none"),
        ("ghost", "none"),
        ("bill", "none"),
    ],  # bill is a Maintainer, but blocked
)
def test_permission_maps_access_levels(gitlab: Forge, username: str, expected: str) -> None:
    assert gitlab.permission(username) == expected


def test_permission_by_user_id_skips_the_lookup(gitlab: Forge, forge_server: ForgeServer) -> None:
    user_id = forge_server.gitlab.users["carol"]

    assert gitlab.permission("carol", user_id=user_id) == "write"
    assert forge_server.calls(contains="/users") == []


def test_numeric_project_id(forge_server: ForgeServer, forge_client: ForgeFactory) -> None:
    project_id = forge_server.gitlab.projects[PROJECT].id
    gitlab = forge_client("gitlab", project=str(project_id))

    assert gitlab.open_or_update_pr(HEAD, "main", "t", "b").created
    assert forge_server.calls("POST")[0].target == f"/api/v4/projects/{project_id}/merge_requests"


def test_instance_url_without_api_path(forge_server: ForgeServer, fast_policy: object) -> None:
    from gitshift.config import ForgeConfig
    from gitshift.forge import make_forge

    config = ForgeConfig("gitlab", PROJECT, forge_server.url, "main", "GITLAB_TOKEN")
    gitlab = make_forge(config, forge_server.token, fast_policy)  # type: ignore[arg-type]
    try:
        assert gitlab.current_user().login == "gitshift-bot"
    finally:
        gitlab.close()
