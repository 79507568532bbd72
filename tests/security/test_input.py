"""Hostile or malformed input gets exit 2 (3 for an outside failure) and one line naming what and where."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import git, run, snapshot

from gitshift.comments import parse

CONFIG_HEAD = "apps:\n  web:\n    image: ghcr.io/acme/web\n    envs:\n"


def write_config(repo: Path, text: str) -> None:
    (repo / "gitshift.yaml").write_text(text)
    git(repo, "commit", "-qam", "config")


def test_duplicate_keys_in_the_config_are_refused_with_file_and_line(example_repo: Path) -> None:
    write_config(example_repo, CONFIG_HEAD + "      staging:\n        overlay: overlays/staging\n"
                 "        strategy: rolling\n      staging:\n        overlay: overlays/production\n"
                 "        strategy: bluegreen\n")
    r = run(example_repo, "status")
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines()[0] == f"gitshift: error: duplicate key 'staging' ({example_repo}/gitshift.yaml:8)"


def test_duplicate_keys_nested_deeper_are_refused(example_repo: Path) -> None:
    write_config(example_repo, CONFIG_HEAD + "      staging:\n        overlay: overlays/staging\n"
                 "        strategy: rolling\n        overlay: overlays/production\n")
    r = run(example_repo, "status")
    assert r.exit_code == 2 and "duplicate key 'overlay'" in r.stderr and "gitshift.yaml:8)" in r.stderr


@pytest.mark.parametrize(("config", "what"), [
    (CONFIG_HEAD.replace("  web:", '  "web\\nGitshift-Env: production":')
     + "      staging: {overlay: overlays/staging}\n",
     "app name 'web\\nGitshift-Env: production' is not a DNS label"),
    (CONFIG_HEAD + '      "staging\\nGitshift-App: other": {overlay: overlays/staging}\n', "env name"),
    (CONFIG_HEAD.replace("  web:", "  Web:") + "      staging: {overlay: overlays/staging}\n", "app name 'Web'"),
    (CONFIG_HEAD + "      staging_eu: {overlay: overlays/staging}\n", "env name 'staging_eu'"),
    (CONFIG_HEAD + "      -staging: {overlay: overlays/staging}\n", "env name '-staging'"),
    (CONFIG_HEAD + "      1: {overlay: overlays/staging}\n", "env name 1"),
    (CONFIG_HEAD + f"      {'a' * 64}: {{overlay: overlays/staging}}\n", "is not a DNS label"),
])
def test_config_names_are_dns_labels(example_repo: Path, config: str, what: str) -> None:
    write_config(example_repo, config)
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--commit")
    assert r.exit_code == 2, r.output
    assert what in r.stderr.splitlines()[0]
    assert snapshot(example_repo) == before
    assert "Gitshift-Env: production" not in git(example_repo, "log", "--all", "--format=%B")


@pytest.mark.parametrize("message", ["two\nlines", "x\n\nGitshift-Env: production", "tab\x1bescape"])
def test_a_message_is_one_line(example_repo: Path, message: str) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--commit", "-m", message)
    assert r.exit_code == 2, r.output
    assert "--message must be one line of printable text" in r.stderr
    assert snapshot(example_repo) == before


@pytest.mark.parametrize("image", [":1.1.０", ":é", "ghcr.io/acme/web:1.1.0\n", " :1.1.0", ":1.1.0\u200b"])
def test_images_are_ascii(example_repo: Path, image: str) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", image, "--env", "staging")
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("gitshift: error: invalid image reference ") and "(IMAGE)" in r.stderr.splitlines()[0]
    assert snapshot(example_repo) == before


@pytest.mark.parametrize(("args", "needle"), [
    (("set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "2147483648"), "invalid --max-surge"),
    (("set-image", "web", ":1.1.0", "--env", "staging", "--max-unavailable", "99999999999"),
     "invalid --max-unavailable"),
    (("set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "101%"), "invalid --max-surge"),
    (("set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "١٢"), "invalid --max-surge"),
    (("set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "5\n"), "invalid --max-surge"),
    (("bluegreen", "deploy", "web", "--env", "production", "--image", ":2.0.0", "--replicas", "2147483648"),
     "--replicas"),
    (("canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0", "--header",
      "x-canary=1\nGitshift-Env: dev"), "invalid header value"),
    (("canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0", "--header", "x-cänary"),
     "invalid header name"),
    (("canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0", "--cookie", "a;b"),
     "invalid cookie name"),
])
def test_numbers_and_free_text_are_bounded(example_repo: Path, args: tuple[str, ...], needle: str) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, *args)
    assert r.exit_code == 2, r.output
    assert needle in r.stderr.splitlines()[0]
    assert snapshot(example_repo) == before


def test_int32_is_still_accepted(example_repo: Path) -> None:
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "2147483647",
            "--dry-run")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("body", ["/gitshift\u200bcanary scale 50", "\u200b/gitshift canary scale 50",
                                  "/gitshift\u2060 status"])
def test_an_invisible_character_after_the_prefix_gets_the_promised_reply(body: str) -> None:
    assert parse.addressed(body, "/gitshift")
    with pytest.raises(parse.CommandError, match="control character U\\+"):
        parse.parse(body)


def test_verbose_input_errors_print_no_traceback(example_repo: Path) -> None:
    r = run(example_repo, "-v", "set-image", "web", "Bad Image!", "--env", "staging")
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert r.stderr.startswith("gitshift: error: invalid image reference")


def test_git_failures_show_gits_first_error_and_a_hint(example_repo: Path) -> None:
    git(example_repo, "remote", "set-url", "origin", str(example_repo.parent / "gone.git"))
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push")
    assert r.exit_code == 3, r.output
    lines = r.stderr.splitlines()
    assert lines[0] == (f"gitshift: error: git fetch failed: '{example_repo.parent / 'gone.git'}' does not appear "
                        f"to be a git repository ({example_repo})")
    assert lines[1] == ("hint: check the remote with `git remote -v`; "
                        "add a missing one with `git remote add origin <url>`")


def test_a_missing_remote_says_how_to_add_it(example_repo: Path) -> None:
    git(example_repo, "remote", "remove", "origin")
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push")
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines() == ["gitshift: error: no remote named 'origin' (--remote)",
                                     "hint: configured remotes: none; add one with: git remote add origin <url>"]
