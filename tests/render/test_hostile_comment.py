"""A hostile pull request meets ``gitshift comment``: its head is rendered from git's objects on a CI
runner, and must not read the runner's files into the reply."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from tests.cli.test_comment import CANARY, comment, github_event, open_pr, replies, setup
from tests.conftest import git
from tests.support.forge_server import ForgeServer

SECRET = "TOPSECRET-c0ffee"
OVERLAY = "overlays/production-canary"


def push_to_pr(repo: Path, branch: str, edit: dict[str, str], links: dict[str, str]) -> None:
    """A commit on the pull request's branch, as its author would push it."""
    git(repo, "fetch", "-q", "origin", branch)
    git(repo, "checkout", "-q", "-b", "hostile", f"origin/{branch}")
    for rel, text in edit.items():
        (repo / rel).write_text(text)
    for rel, target in links.items():
        (repo / rel).symlink_to(target)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "tweak")
    git(repo, "push", "-q", "origin", f"hostile:{branch}")
    git(repo, "checkout", "-q", "main")


@pytest.mark.parametrize("target", ["absolute", "relative"])
def test_symlink_out_of_the_repository_in_a_pull_request_is_refused(
    example_repo: Path, forge_server: ForgeServer, tmp_path: Path, target: str
) -> None:
    outside = tmp_path / "runner-secret.txt"
    outside.write_text(f"{SECRET}\n")
    repo = setup(example_repo, forge_server)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    kust = (repo / OVERLAY / "kustomization.yaml").read_text()
    edit = {f"{OVERLAY}/kustomization.yaml": kust + "configMapGenerator:\n- name: leak\n  files:\n  - leak.txt\n"}
    link = str(outside) if target == "absolute" else os.path.relpath(outside, repo / OVERLAY)
    push_to_pr(repo, CANARY, edit, {f"{OVERLAY}/leak.txt": link})
    r = comment(repo, forge_server, github_event(forge_server, "/gitshift status"), tmp_path)
    assert r.exit_code == 2, r.output
    assert "resolves outside the repository" in r.output and "leak.txt" in r.output
    posted = "\n".join(replies(forge_server))
    assert "resolves outside the repository" in posted
    for text in (r.output, posted):
        assert SECRET not in text and base64.b64encode(SECRET.encode()).decode() not in text
