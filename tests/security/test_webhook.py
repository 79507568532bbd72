"""``gitshift serve`` handles each signed delivery once, across restarts, and no event runs forever."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.cli.test_comment import CANARY, github_event, gitlab_event, open_pr, remote_tip, replies, setup
from tests.cli.test_serve import SECRET, github_headers, post, wait_for
from tests.conftest import git, run
from tests.support.forge_server import ForgeServer

from gitshift.comments.webhook import ReplayWindow


class Served:
    """``gitshift serve`` as a real process on a free port."""

    def __init__(self, repo: Path, forge_server: ForgeServer, *args: str) -> None:
        env = {**os.environ, "GITHUB_TOKEN": forge_server.token, "GITLAB_TOKEN": forge_server.token,
               "GITSHIFT_WEBHOOK_SECRET": SECRET}
        self.proc = subprocess.Popen([sys.executable, "-m", "gitshift", "-C", str(repo), "--engine", "builtin",
                                      "serve", "--port", "0", *args], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        self.url = line.split()[-1]

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=30)
        return out + err


@pytest.fixture
def pr_repo(example_repo: Path, forge_server: ForgeServer) -> Path:
    repo = setup(example_repo, forge_server)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    return repo


def commits_on(repo: Path, branch: str) -> int:
    return int(git(repo, "rev-list", "--count", remote_tip(repo, branch)).strip())


def test_a_replayed_delivery_is_answered_and_does_nothing_even_after_a_restart(
        pr_repo: Path, forge_server: ForgeServer) -> None:
    before = commits_on(pr_repo, CANARY)
    body = json.dumps(github_event(forge_server, "/gitshift canary scale 50")).encode()
    headers = github_headers(body)
    server = Served(pr_repo, forge_server)
    try:
        assert post(server.url, body, headers) == (202, {"message": "accepted"})
        wait_for(lambda: replies(forge_server))
        status, answer = post(server.url, body, headers)  # the very same delivery
        assert status == 200 and "already handled" in answer["message"]
        # Sent again under a new delivery id: the comment itself was handled.
        status, _ = post(server.url, body, github_headers(body))
        assert status == 200
    finally:
        server.stop()
    restarted = Served(pr_repo, forge_server)
    try:
        assert post(restarted.url, body, headers)[0] == 200
        time.sleep(1)
    finally:
        restarted.stop()
    assert commits_on(pr_repo, CANARY) == before + 1
    assert len(replies(forge_server)) == 1
    assert (pr_repo / ".git/gitshift/webhook-seen.json").is_file()


def test_a_replayed_gitlab_event_is_answered_and_does_nothing(example_repo: Path,
                                                              forge_server: ForgeServer) -> None:
    repo = setup(example_repo, forge_server, "gitlab")
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    body = json.dumps(gitlab_event(forge_server, "/gitshift canary scale 25")).encode()
    headers = {"X-Gitlab-Event": "Note Hook", "X-Gitlab-Token": SECRET,
               "X-Gitlab-Event-UUID": "6d1f1f1c-0b55-4b8e-9a6b-0d8a8d3d1c11"}
    server = Served(repo, forge_server)
    try:
        assert post(server.url, body, headers)[0] == 202
        project = forge_server.gitlab.projects["acme/platform/gitops"]
        wait_for(lambda: project.awards)
        assert post(server.url, body, headers)[0] == 200
        time.sleep(1)
        assert len(project.awards) == 1
    finally:
        server.stop()


def test_the_replay_window_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "seen.json"
    window = ReplayWindow(path, limit=3)
    for key in "abcd":
        assert window.claim([key]) is None
    assert ReplayWindow(path, limit=3).claim(["a"]) is None  # the oldest fell out of the window
    assert ReplayWindow(path, limit=3).claim(["d"]) == "d"
    aged = ReplayWindow(path, window=0.01)
    time.sleep(0.05)
    assert aged.claim(["d"]) is None


@pytest.fixture
def silent_remote() -> Iterator[str]:
    """An HTTP address that accepts connections and never answers: git waits on it forever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/gitops.git"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_an_event_past_the_time_limit_is_stopped_refused_and_the_worker_moves_on(
        pr_repo: Path, forge_server: ForgeServer, silent_remote: str) -> None:
    origin = git(pr_repo, "remote", "get-url", "origin").strip()
    git(pr_repo, "remote", "set-url", "origin", silent_remote)
    # The limit must leave room for the second, healthy event on a loaded machine.
    server = Served(pr_repo, forge_server, "--event-timeout", "10")
    try:
        body = json.dumps(github_event(forge_server, "/gitshift canary scale 50")).encode()
        assert post(server.url, body, github_headers(body))[0] == 202
        wait_for(lambda: replies(forge_server), 60)  # the reply itself says the limit fired
        assert "took longer than 10s and was stopped" in replies(forge_server)[0]
        git(pr_repo, "remote", "set-url", "origin", origin)
        body = json.dumps(github_event(forge_server, "/gitshift canary scale 25")).encode()
        assert post(server.url, body, github_headers(body))[0] == 202
        wait_for(lambda: len(replies(forge_server)) == 2, 60)
        assert "weight 10 → 25" in replies(forge_server)[1]
    finally:
        log = server.stop()
    assert "took longer than 10s" in log
    assert forge_server.token not in log


def test_serve_bad_host_and_busy_port(example_repo: Path) -> None:
    env = {"GITSHIFT_WEBHOOK_SECRET": SECRET}
    r = run(example_repo, "serve", "--port", "0", "--host", "999.1.1.1", env=env)
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines()[0] == "gitshift: error: invalid --host '999.1.1.1' (--host)"
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        r = run(example_repo, "serve", "--port", str(busy.getsockname()[1]), env=env)
        assert r.exit_code == 3, r.output
        assert r.stderr.startswith(f"gitshift: error: cannot listen on 127.0.0.1:{busy.getsockname()[1]}: ")
    finally:
        busy.close()
