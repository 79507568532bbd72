"""``gitshift serve``: signatures checked before anything else, bounded body and queue, shifts land."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.cli.test_comment import CANARY, github_event, gitlab_event, open_pr, remote_tip, replies, setup
from tests.conftest import git
from tests.support.forge_server import ForgeServer

from gitshift.comments.webhook import WebhookServer, github_signature

SECRET = "s3cret-webhook-value-0123456789"


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def github_headers(body: bytes, secret: str = SECRET, event: str = "issue_comment",
                   delivery: str | None = None) -> dict[str, str]:
    """Headers of a signed GitHub delivery; each call is a new delivery unless ``delivery`` is given."""
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": github_signature(secret.encode(), body)}


@pytest.fixture
def in_process() -> Iterator[tuple[WebhookServer, list[tuple[str, bytes]], threading.Event]]:
    """A server whose worker records events and waits for ``release`` before each one."""
    seen: list[tuple[str, bytes]] = []
    release = threading.Event()

    def process(forge: str, body: bytes) -> None:
        release.wait(10)
        seen.append((forge, body))

    server = WebhookServer("127.0.0.1", 0, SECRET, process, lambda line: None, queue_size=2, max_body=4096)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, seen, release
    release.set()
    server.shutdown()


def test_authentication_size_and_queue(in_process: tuple[WebhookServer, list[tuple[str, bytes]],
                                                         threading.Event]) -> None:
    server, seen, release = in_process
    url = f"http://127.0.0.1:{server.port}/"
    body = json.dumps({"action": "created", "comment": {"body": "/gitshift canary scale 50"}}).encode()
    forged = {**github_headers(body), "X-Hub-Signature-256": github_signature(b"guessed", body)}
    assert post(url, body, forged)[0] == 401
    assert post(url, body, {"X-GitHub-Event": "issue_comment"})[0] == 401
    assert post(url, body, {"X-Gitlab-Event": "Note Hook", "X-Gitlab-Token": "wrong"})[0] == 401
    assert post(url, body, {"X-Gitlab-Event": "Note Hook"})[0] == 401
    assert post(url, body, {})[0] == 400
    assert post(url, b"x" * 5000, github_headers(b"x" * 5000))[0] == 413
    assert post(url, body, github_headers(body, event="ping"))[0] == 200
    assert post(url, body, github_headers(body, event="push"))[0] == 202
    assert post(url, body, {"X-Gitlab-Event": "Note Hook", "X-Gitlab-Token": SECRET})[0] == 202
    wait_for(lambda: server.queue.qsize() == 0, 5)
    # The GitLab event is with the worker (waiting), two wait in the queue, the rest are turned away.
    statuses = [post(url, body, github_headers(body))[0] for _ in range(4)]
    assert statuses == [202, 202, 503, 503]
    release.set()
    wait_for(lambda: len(seen) == 3, 5)
    assert [forge for forge, _ in seen] == ["gitlab", "github", "github"]
    assert all(raw == body for _, raw in seen)
    with urllib.request.urlopen(f"{url}healthz", timeout=5) as answer:
        assert answer.status == 200


@pytest.fixture
def served(example_repo: Path, forge_server: ForgeServer) -> Iterator[tuple[Path, str]]:
    """``gitshift serve`` as a process on a free port, in a repository pointed at the fake forge."""
    repo = setup(example_repo, forge_server)
    env = {**os.environ, "GITHUB_TOKEN": forge_server.token, "GITSHIFT_WEBHOOK_SECRET": SECRET}
    proc = subprocess.Popen([sys.executable, "-m", "gitshift", "-C", str(repo), "--engine", "builtin", "serve",
                             "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.startswith("listening on http://127.0.0.1:"), line
    try:
        yield repo, line.split()[-1]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert forge_server.token not in out + err


def wait_for(check: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_signed_delivery_lands_and_forged_one_does_nothing(served: tuple[Path, str],
                                                           forge_server: ForgeServer) -> None:
    repo, url = served
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    before = remote_tip(repo, CANARY)
    body = json.dumps(github_event(forge_server, "/gitshift canary scale 50")).encode()
    status, _ = post(url, body, {**github_headers(body), "X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert status == 401
    time.sleep(0.3)
    assert remote_tip(repo, CANARY) == before and replies(forge_server) == []

    status, _ = post(url, body, github_headers(body))
    assert status == 202
    wait_for(lambda: replies(forge_server))
    tip = remote_tip(repo, CANARY)
    assert tip != before and "Gitshift-Requested-By: carol" in git(repo, "log", "-1", "--format=%B", tip)
    assert "weight 10 → 50" in replies(forge_server)[0]


def test_gitlab_delivery_with_token(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = setup(example_repo, forge_server, "gitlab")
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    from gitshift.cli.comment import SECRET_ENV

    env = {**os.environ, "GITLAB_TOKEN": forge_server.token, SECRET_ENV: SECRET}
    proc = subprocess.Popen([sys.executable, "-m", "gitshift", "-C", str(repo), "--engine", "builtin", "serve",
                             "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    url = proc.stderr.readline().split()[-1]
    try:
        body = json.dumps(gitlab_event(forge_server, "/gitshift canary scale 25")).encode()
        assert post(url, body, {"X-Gitlab-Event": "Note Hook", "X-Gitlab-Token": SECRET})[0] == 202
        project = forge_server.gitlab.projects["acme/platform/gitops"]
        wait_for(lambda: project.awards)
        assert [a["name"] for a in project.awards] == ["thumbsup"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


def test_serve_needs_a_secret(example_repo: Path) -> None:
    from tests.conftest import run

    hint = ("hint: export GITSHIFT_WEBHOOK_SECRET=<16 characters or more> in the environment serve starts in (it is "
            "read there, once, at start); the forge's webhook must be set up with the same secret")
    r = run(example_repo, "serve", "--port", "0", env={"GITSHIFT_WEBHOOK_SECRET": ""})
    assert r.exit_code == 2
    assert r.stderr.splitlines() == ["gitshift: error: GITSHIFT_WEBHOOK_SECRET is unset or empty (environment)", hint]
    short = "k3y-0f-15-chars"
    r = run(example_repo, "serve", "--port", "0", env={"GITSHIFT_WEBHOOK_SECRET": short})
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        "gitshift: error: GITSHIFT_WEBHOOK_SECRET is shorter than 16 characters (environment)", hint]
    assert short not in r.output + r.stderr
