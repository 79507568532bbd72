"""Comment commands on Gitea: the issue_comment payload, `gitshift comment`, and `gitshift serve` deliveries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.cli.test_serve import SECRET, post, wait_for
from tests.conftest import PROJECT, git, run
from tests.support.forge_server import ForgeServer
from tests.support.gitea_fake import contract

from gitshift.comments import events
from gitshift.comments.webhook import WebhookServer, gitea_signature

EVENT = PROJECT / "tests" / "fixtures" / "events" / "gitea_issue_comment.json"
CANARY = "gitshift/web/production-canary/canary-deploy"


def gitea_event(server: ForgeServer, body: str, login: str = "carol", number: int = 1,
                **changes: Any) -> dict[str, Any]:
    """An issue_comment payload for a comment the fake Gitea also holds (so it can be reacted to)."""
    repo = server.gitea.repos["acme/gitops"]
    cid = server.gitea.next_id()
    repo.comments[cid] = {"id": cid, "issue": number, "body": body, "user": login}
    data: dict[str, Any] = json.loads(EVENT.read_text())
    user = server.gitea.user_json(login)
    data["comment"].update(id=cid, body=body, user=user)
    data["issue"]["number"] = number
    data["sender"] = user
    data.update(changes)
    return data


def test_the_fixture_has_the_shape_gitea_describes() -> None:
    data = json.loads(EVENT.read_text())
    spec = contract()
    for key, definition in (("comment", "Comment"), ("repository", "Repository"), ("sender", "User"),
                            ("pull_request", "PullRequest")):
        assert not spec._validate(f"/definitions/{definition}", data[key]), key


def test_the_payload_reads_as_an_event() -> None:
    data = json.loads(EVENT.read_text())

    event = events.read(data)

    assert event == events.Event(forge="gitea", project="acme/gitops", action="created", pr_number=1,
                                 comment_id=9002, body="/gitshift canary scale 50", login="carol",
                                 user_id=data["comment"]["user"]["id"], pr_state="open")
    assert events.ignored(event) is None


@pytest.mark.parametrize(("change", "why"), [
    ({"action": "edited"}, "not newly created (edited)"),
    ({"is_pull": False, "issue": {"number": 3, "state": "open"}}, "not on a pull request (issue)"),
    ({"sender": None, "comment": {"id": 1, "body": "x", "user": {"id": 2, "login": "gitea-actions"}}},
     "by a bot (gitea-actions)"),
])
def test_events_that_need_no_answer(change: dict[str, Any], why: str) -> None:
    data = {**json.loads(EVENT.read_text()), **change}
    reason = events.ignored(events.read(data, "gitea"))
    assert reason is not None and why in reason


def setup(repo: Path, server: ForgeServer) -> Path:
    cfg = repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: gitea\n  project: acme/gitops\n  api_url: {server.gitea_url}\n  base: main\n"
                   + cfg.read_text())
    git(repo, "commit", "-qam", "forge")
    git(repo, "push", "-q", "origin", "main")
    r = run(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0", "--pr",
            env={"GITEA_TOKEN": server.token})
    assert r.exit_code == 0, r.output
    return repo


def gitshift_replies(server: ForgeServer) -> list[str]:
    return [c["body"] for c in server.gitea.repos["acme/gitops"].comments.values() if c["user"] == "gitshift-bot"]


def test_a_writer_scales_the_canary_by_comment(example_repo: Path, forge_server: ForgeServer, tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server)
    path = tmp_path / "event.json"
    path.write_text(json.dumps(gitea_event(forge_server, "/gitshift canary scale 50")))

    r = run(repo, "comment", "--event", str(path), env={"GITEA_TOKEN": forge_server.token})

    assert r.exit_code == 0, r.output
    assert "weight 10 → 50" in r.stdout
    tip = git(repo, "ls-remote", "origin", f"refs/heads/{CANARY}").split()[0]
    assert "Gitshift-Requested-By: carol" in git(repo, "log", "-1", "--format=%B", tip)
    [reply] = gitshift_replies(forge_server)
    assert "@carol `/gitshift canary scale 50`" in reply
    assert [x["content"] for x in forge_server.gitea.repos["acme/gitops"].reactions] == ["+1"]


def test_a_reader_is_refused(example_repo: Path, forge_server: ForgeServer, tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server)
    before = git(repo, "ls-remote", "origin")
    path = tmp_path / "event.json"
    path.write_text(json.dumps(gitea_event(forge_server, "/gitshift canary scale 50", "erin")))

    r = run(repo, "comment", "--event", str(path), "--forge", "gitea", env={"GITEA_TOKEN": forge_server.token})

    assert r.exit_code == 1, r.output
    assert git(repo, "ls-remote", "origin") == before
    [reply] = gitshift_replies(forge_server)
    assert "erin has read permission" in reply


@pytest.fixture
def hooks() -> Iterator[tuple[WebhookServer, list[tuple[str, bytes]]]]:
    seen: list[tuple[str, bytes]] = []
    server = WebhookServer("127.0.0.1", 0, SECRET, lambda forge, body: seen.append((forge, body)), lambda line: None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, seen
    server.shutdown()


def gitea_headers(body: bytes, secret: str = SECRET, event: str = "issue_comment") -> dict[str, str]:
    # Gitea also sends GitHub's and Gogs' headers; the Gitea ones must win.
    return {"X-Gitea-Event": event, "X-Gitea-Event-Type": "pull_request_comment", "X-GitHub-Event": event,
            "X-Gitea-Signature": gitea_signature(secret.encode(), body),
            "X-Hub-Signature-256": "sha256=" + gitea_signature(secret.encode(), body)}


def test_serve_checks_the_gitea_signature(hooks: tuple[WebhookServer, list[tuple[str, bytes]]]) -> None:
    server, seen = hooks
    url = f"http://127.0.0.1:{server.port}/"
    body = EVENT.read_bytes()

    forged = {**gitea_headers(body), "X-Gitea-Signature": gitea_signature(b"guessed", body)}
    assert post(url, body, forged) == (401, {"message": "bad or missing X-Gitea-Signature"})
    assert post(url, body, {"X-Gitea-Event": "issue_comment"})[0] == 401
    assert post(url, body, gitea_headers(body, event="push"))[0] == 202
    forgejo = {"X-Forgejo-Event": "issue_comment", "X-Forgejo-Signature": gitea_signature(SECRET.encode(), body)}
    assert post(url, body, forgejo)[0] == 202
    assert post(url, body, gitea_headers(body))[0] == 202
    wait_for(lambda: len(seen) == 2, 5)
    assert seen == [("gitea", body), ("gitea", body)]
