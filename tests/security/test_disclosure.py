"""What gitshift posts or prints never shows the runner's paths or a token, in any form."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from tests.cli.test_comment import comment, env_for, github_event, open_pr, replies, setup
from tests.conftest import git, run, snapshot
from tests.support.forge_server import ForgeServer


def test_a_refusal_reply_names_files_relative_to_the_repository(example_repo: Path, forge_server: ForgeServer,
                                                                 tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    kust = repo / "overlays/staging/kustomization.yaml"
    kust.write_text(kust.read_text() + "- missing.yaml\n" if kust.read_text().rstrip().endswith("yaml")
                    else kust.read_text().replace("resources:\n", "resources:\n- missing.yaml\n", 1))
    git(repo, "commit", "-qam", "break staging")
    git(repo, "push", "-q", "origin", "main")
    r = comment(repo, forge_server, github_event(forge_server, "/gitshift set-image :1.2.0 --app web --env staging"),
                tmp_path)
    assert r.exit_code == 2, r.output
    reply = replies(forge_server)[-1]
    assert "overlays/staging" in reply
    for secret in (str(repo), str(repo.parent), tempfile.gettempdir() + "/"):
        assert secret not in reply, reply


@pytest.mark.parametrize("engine", ["builtin", "kubectl"])
def test_a_pr_body_names_files_relative_to_the_repository(example_repo: Path, forge_server: ForgeServer,
                                                          engine: str) -> None:
    repo = setup(example_repo, forge_server)
    r = run(repo, "--engine", engine, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0",
            "--header", "x-canary=1", "--pr", env=env_for(forge_server))
    assert r.exit_code == 0, r.output
    body = next(iter(forge_server.github.repos["acme/gitops"].pulls.values())).body
    assert "web/production-canary" in body
    assert str(repo) not in body and tempfile.gettempdir() + "/" not in body


@pytest.mark.parametrize("token", ["ghp_abcdefgh\nsecondline", "ghp_abcdéfgh1234", "ghp_abc\x1bdef1234",
                                   "ghp_trailing1234\n"])
@pytest.mark.parametrize("mode", ["--push", "--pr"])
def test_a_token_that_is_not_printable_ascii_is_refused_and_never_shown(
        example_repo: Path, forge_server: ForgeServer, token: str, mode: str) -> None:
    repo = setup(example_repo, forge_server)
    before = snapshot(repo)
    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", mode, env={"GITHUB_TOKEN": token})
    assert r.exit_code == 2, r.output
    assert "the token holds " in r.stderr and "($GITHUB_TOKEN)" in r.stderr
    for part in (token, repr(token)[1:-1], *token.split("\n")):
        if len(part) >= 4:
            assert part not in r.output, r.output
    assert "Traceback" not in r.output
    assert snapshot(repo) == before
    assert git(repo, "ls-remote", "--heads", "origin").count("refs/heads/") == 1


def test_a_comment_run_refuses_such_a_token_too(example_repo: Path, forge_server: ForgeServer,
                                                tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server)
    path = tmp_path / "event.json"
    import json

    path.write_text(json.dumps(github_event(forge_server, "/gitshift status")))
    r = run(repo, "comment", "--event", str(path), env={"GITHUB_TOKEN": "ghp_line\nbreak9"})
    assert r.exit_code == 2, r.output
    assert "ghp_line" not in r.output and "break9" not in r.output


def test_redaction_masks_escaped_and_encoded_forms() -> None:
    from gitshift.net.redact import redact

    token = "tok\nen-é-12345"
    for text in (f"value {token!r}", f'"{token}"'.encode("unicode_escape").decode(), "tok%0Aen-%C3%A9-12345",
                 f"header: {token}"):
        out = redact(text, [token])
        assert "en-é-12345" not in out and "en-\\xe9-12345" not in out and "%C3%A9-12345" not in out, out
