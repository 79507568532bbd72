"""Comment events read from payloads shaped as GitHub and GitLab send them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.conftest import PROJECT

from gitshift.comments.events import detect, ignored, read
from gitshift.errors import InputError

EVENTS = PROJECT / "tests" / "fixtures" / "events"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return data


def test_github_issue_comment() -> None:
    event = read(payload("github_issue_comment.json"))
    assert (event.forge, event.project, event.action, event.pr_number, event.comment_id) == (
        "github", "acme/gitops", "created", 1, 2001)
    assert (event.login, event.user_id, event.bot, event.pr_state) == ("carol", 4, False, "open")
    assert event.body == "/gitshift canary scale 50" and ignored(event) is None


def test_gitlab_note() -> None:
    event = read(payload("gitlab_note.json"))
    assert (event.forge, event.project, event.action, event.pr_number, event.comment_id) == (
        "gitlab", "acme/platform/gitops", "created", 1, 6001)
    assert (event.login, event.user_id, event.bot, event.pr_state) == ("carol", 4, False, "open")
    assert ignored(event) is None


@pytest.mark.parametrize(("name", "path", "value", "reason"), [
    ("github_issue_comment.json", ("action",), "edited", "not newly created (edited)"),
    ("github_issue_comment.json", ("action",), "deleted", "not newly created"),
    ("github_issue_comment.json", ("issue", "pull_request"), None, "not on a pull request (issue)"),
    ("github_issue_comment.json", ("comment", "user", "type"), "Bot", "by a bot"),
    ("github_issue_comment.json", ("comment", "user", "login"), "dependabot[bot]", "by a bot"),
    ("github_issue_comment.json", ("comment", "performed_via_github_app"), {"slug": "x"}, "by a bot"),
    ("github_issue_comment.json", ("issue", "state"), "closed", "the pull request is closed"),
    ("gitlab_note.json", ("object_attributes", "action"), "update", "not newly created (edited)"),
    ("gitlab_note.json", ("object_attributes", "system"), True, "not newly created (system note)"),
    ("gitlab_note.json", ("object_attributes", "noteable_type"), "Issue", "not on a pull request (issue)"),
    ("gitlab_note.json", ("user", "username"), "project_42_bot_3f2a9c", "by a bot"),
    ("gitlab_note.json", ("user", "username"), "group_7_bot", "by a bot"),
    ("gitlab_note.json", ("merge_request", "state"), "merged", "the pull request is merged"),
])
def test_ignored(name: str, path: tuple[str, ...], value: Any, reason: str) -> None:
    data = payload(name)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    why = ignored(read(data))
    assert why is not None and reason in why


def test_gitlab_payload_without_action_is_a_new_note() -> None:
    data = payload("gitlab_note.json")
    del data["object_attributes"]["action"]
    assert read(data).action == "created"


@pytest.mark.parametrize("data", [{}, [], {"comment": {}}, {"object_kind": "push"}, "text"])
def test_not_a_comment_event(data: Any) -> None:
    with pytest.raises(InputError):
        read(data) if isinstance(data, dict) and data.get("comment") is not None else detect(data)


def test_wrong_forge_is_malformed() -> None:
    with pytest.raises(InputError, match="malformed github comment event"):
        read(payload("gitlab_note.json"), "github")
