"""docs/troubleshooting.md: every message it explains is what gitshift prints, with the exit code it names."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import PROJECT, git, run, snapshot

PAGE = PROJECT / "docs" / "troubleshooting.md"


def _edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        f = repo / path
        assert old in f.read_text()
        f.write_text(f.read_text().replace(old, new, 1))
        git(repo, "commit", "-qam", "edit")

    return apply


def _remote(name: str, url: str) -> Callable[[Path], None]:
    def add(repo: Path) -> None:
        git(repo, "remote", "add", name, url)

    return add


def _scaled_down(repo: Path) -> None:
    """After promote and finish, the previous color (blue) is at 0 replicas."""
    for step in (("bluegreen", "deploy", "web", "--image", ":1.1.0"), ("bluegreen", "promote", "web"),
                 ("bluegreen", "finish", "web")):
        assert run(repo, *step, "--env", "production", "--commit", "--branch", "shifted").exit_code == 0
    git(repo, "merge", "-q", "--ff-only", "shifted")


def _two_shifts(repo: Path) -> None:
    for tag in ("1.1.0", "1.2.0"):
        r = run(repo, "set-image", "web", f":{tag}", "--env", "staging", "--commit", "--branch", "shifted")
        assert r.exit_code == 0, r.output
    git(repo, "merge", "-q", "--ff-only", "shifted")


def _deployed_here(repo: Path) -> None:
    """A canary deploy committed here, not pushed."""
    r = run(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    assert r.exit_code == 0, r.output
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "canary deploy")


def _bluegreen_deployed_here(repo: Path) -> None:
    """A blue/green deploy committed here, not pushed."""
    r = run(repo, "bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0")
    assert r.exit_code == 0, r.output
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "bluegreen deploy")


def _first_shift(repo: Path) -> str:
    return git(repo, "log", "--format=%H", "--grep=1.0.0 → 1.1.0", "main").strip()


def _half_written(repo: Path) -> None:
    """A set of writes cut after its commit point whose target has become a directory since."""
    (repo / "overlays/.dev.gitshift-dead0001.tmp").write_text("resources: []\n")
    state = repo / ".git/gitshift"
    state.mkdir()
    (state / "journal.json").write_text('{"version": 1, "state": "committed", "entries": [{"path": "overlays/dev", '
                                        '"tmp": "overlays/.dev.gitshift-dead0001.tmp", "sha256": null}]}')


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    setup: Callable[[Path], None] | None = None
    repo: str = "example"  # example | bare (a repository without gitshift.yaml) | none (not a repository)
    env: tuple[tuple[str, str], ...] = ()  # variables set for the run ("" unsets one the test process has)


CASES: dict[str, Case] = {
    "unknown app 'shop'": Case(("status", "shop"), 2),
    "unknown env 'prod' for app 'web'": Case(("set-image", "web", ":1.1.0", "--env", "prod"), 2),
    "config file not found": Case(("status",), 2, repo="bare"),
    "not a git repository": Case(("status",), 2, repo="none"),
    "apps.web.envs.staging.colour: unknown key": Case(
        ("status",), 2, _edit("gitshift.yaml", "overlay: overlays/staging\n",
                              "overlay: overlays/staging\n        colour: red\n")),
    "invalid image reference 'ghcr.io/acme/web:not valid'": Case(
        ("set-image", "web", "ghcr.io/acme/web:not valid", "--env", "staging"), 2),
    "image 'ghcr.io/other/x' is not the app's image 'ghcr.io/acme/web'": Case(
        ("set-image", "web", "ghcr.io/other/x:1", "--env", "staging"), 2),
    "web/staging uses strategy rolling; canary does not apply": Case(
        ("canary", "deploy", "web", "--env", "staging", "--image", ":2.0.0"), 2),
    "--pr needs a forge: section in gitshift.yaml": Case(("set-image", "web", ":1.1.0", "--env", "staging", "--pr"), 2),
    "--pr needs a token in $GITHUB_TOKEN, which is unset or empty": Case(
        ("set-image", "web", ":1.1.0", "--env", "staging", "--pr"), 2,
        _edit("gitshift.yaml", "\napps:\n", "\nforge: {kind: github, project: acme/gitops}\napps:\n"),
        env=(("GITHUB_TOKEN", ""),)),
    "GITSHIFT_WEBHOOK_SECRET is unset or empty": Case(("serve", "--port", "0"), 2,
                                                      env=(("GITSHIFT_WEBHOOK_SECRET", ""),)),
    "HEAD is not a gitshift shift (no Gitshift-Action trailer)": Case(("revert", "HEAD"), 2),
    "no such commit 'deadbeef'": Case(("revert", "deadbeef"), 2),
    "unknown branch or ref 'nope'": Case(("history", "--branch", "nope"), 2),
    "--pr-preview needs --commit or --push": Case(
        ("set-image", "web", ":1.1.0", "--env", "staging", "--pr-preview"), 2),
    "nothing is deployed to the idle color green": Case(("bluegreen", "promote", "web", "--env", "production"), 1),
    "--dry-run cannot be combined with --commit, --push or --pr": Case(
        ("set-image", "web", ":1.1.0", "--env", "staging", "--dry-run", "--commit"), 2),
    "give exactly one of --weight N and --next": Case(("canary", "scale", "web", "--env", "production-canary"), 2),
    "Deployment/web: maxSurge and maxUnavailable are both 0": Case(
        ("set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "0", "--max-unavailable", "0"), 1),
    "Service/web carries traffic but selects no pods with replicas > 0": Case(
        ("bluegreen", "rollback", "web", "--env", "production"), 1, _scaled_down),
    "has no digest, and web/production sets require_digest": Case(
        ("bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0"), 1,
        _edit("gitshift.yaml", "strategy: bluegreen\n", "strategy: bluegreen\n        require_digest: true\n")),
    "selector {'app': 'web', 'color': 'bleu'} matches no Deployment/Rollout pods": Case(
        ("check", "web", "--env", "production"), 1,
        _edit("overlays/production/service-active.yaml", "color: blue", "color: bleu")),
    "a later shift changed the same field": Case(("revert", "{first}"), 1, _two_shifts),
    "canary web-canary has 0 replicas at origin/main": Case(
        ("canary", "scale", "web", "--env", "production-canary", "--weight", "25", "--push"), 2, _deployed_here),
    "nothing is deployed to the idle color green: Deployment/web-green has 0 replicas at origin/main": Case(
        ("bluegreen", "promote", "web", "--env", "production", "--push"), 1, _bluegreen_deployed_here),
    "no remote named 'nowhere'": Case(
        ("set-image", "web", ":1.1.0", "--env", "staging", "--push", "--remote", "nowhere"), 2),
    "git fetch failed": Case(("set-image", "web", ":1.1.0", "--env", "staging", "--push", "--remote", "gone"), 3,
                             _remote("gone", "/nonexistent/gitops.git")),
    "the builtin engine does not support the `helmCharts` field": Case(
        ("status", "web", "--env", "dev"), 3,
        _edit("overlays/dev/kustomization.yaml", "kind: Kustomization\n",
              "kind: Kustomization\nhelmCharts:\n- name: web\n")),
    "runs a program (an exec, Go or KRM function plugin); gitshift renders no plugins": Case(
        ("status", "web", "--env", "dev"), 3,
        _edit("overlays/dev/kustomization.yaml", "kind: Kustomization\n",
              "kind: Kustomization\ntransformers:\n- |\n  apiVersion: acme.example.com/v1\n  kind: Annotate\n"
              "  metadata:\n    name: a\n")),
    "cannot finish a write of": Case(("status",), 3, _half_written),
}


def documented() -> list[str]:
    """The messages the page explains: its ``### `message` `` headings."""
    return [m.group(2) for m in re.finditer(r"^### (`+) ?(.+?) ?\1$", PAGE.read_text(), re.M)]


def test_every_documented_message_has_a_case() -> None:
    assert sorted(documented()) == sorted(CASES)


@pytest.mark.parametrize("message", sorted(CASES))
def test_message_exit_code_and_nothing_changed(message: str, repo_factory: Callable[..., Path],
                                               tmp_path: Path) -> None:
    case = CASES[message]
    repo = {"example": lambda: repo_factory(example=True), "bare": lambda: repo_factory({"README": "x\n"}),
            "none": lambda: tmp_path}[case.repo]()
    if case.setup is not None:
        case.setup(repo)
    args = tuple(_first_shift(repo) if a == "{first}" else a for a in case.args)
    before = snapshot(repo) if case.repo != "none" else None
    r = run(repo, *args, env=dict(case.env))
    assert r.exit_code == case.code, r.output
    assert message in (r.stdout if args[0] == "check" else r.stderr), r.output  # check reports on stdout
    above = PAGE.read_text().split(message, 1)[0]
    assert re.findall(r"^## Exit (\d)", above, re.M)[-1] == str(case.code), "listed under another exit code"
    if before is not None:
        assert snapshot(repo) == before
