"""What a user meets first: help with examples, errors naming the right help, refusals with fixes."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
from tests.conftest import git, run, snapshot

from gitshift.cli.app import cli


def _leaves() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli, info_name="gitshift")
    out: list[tuple[str, click.Command]] = [("gitshift", cli)]

    def walk(group: click.Group, path: str) -> None:
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            assert cmd is not None
            out.append((f"{path} {name}", cmd))
            if isinstance(cmd, click.Group):
                walk(cmd, f"{path} {name}")

    walk(cli, "gitshift")
    return out


COMMANDS = _leaves()


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_help_ends_with_examples_that_parse(path: str, cmd: click.Command) -> None:
    r = run(None, *path.split()[1:], "--help")
    assert r.exit_code == 0, r.output
    tail = r.stdout.rstrip().split("Examples:")[-1].strip().splitlines()
    assert "Examples:" in r.stdout and 2 <= len(tail) <= 3, r.stdout
    assert r.stdout.rstrip().endswith(tail[-1])
    for line in tail:
        words = shlex.split(line.strip())
        while "=" in words[0]:  # VAR=value before the command
            words = words[1:]
        assert words[0] == "gitshift", line
        args = words[1:]
        while args and args[0] in ("-C", "-o", "-c", "--engine"):
            args = args[2:]
        node: click.Command = cli
        ctx = click.Context(cli, info_name="gitshift", **cli.context_settings)
        while isinstance(node, click.Group) and args and not args[0].startswith("-"):
            sub = node.get_command(ctx, args[0])
            assert sub is not None, line
            ctx = click.Context(sub, info_name=args[0], parent=ctx)
            node, args = sub, args[1:]
        node.make_context(ctx.info_name, list(args), parent=ctx.parent)  # raises on an unknown option or value


@pytest.mark.parametrize(("args", "path"), [
    (("set-image", "web", ":1.1.0", "--env", "staging", "--pr-preview"), "gitshift set-image"),
    (("canary", "deploy", "web", "--env", "production-canary"), "gitshift canary deploy"),
    (("canary", "scale", "web", "--env", "production-canary"), "gitshift canary scale"),
    (("bluegreen", "deploy", "web", ":1.1.0"), "gitshift bluegreen deploy"),
    (("history", "--bogus"), "gitshift history"),
    (("statu",), "gitshift"),
])
def test_usage_errors_point_at_the_subcommands_help(example_repo: Path, args: tuple[str, ...], path: str) -> None:
    r = run(example_repo, *args)
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1] == f"hint: see '{path} --help'"


def test_image_is_an_argument_and_image_still_works(example_repo: Path) -> None:
    for args in (("web", ":2.0.0"), ("web", "--image", ":2.0.0"), ("web", ":2.0.0", "--image", ":2.0.0")):
        r = run(example_repo, "-o", "json", "canary", "deploy", *args, "--env", "production-canary", "--dry-run")
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["changes"][0]["after"] == "ghcr.io/acme/web:2.0.0"
    r = run(example_repo, "bluegreen", "deploy", "web", ":2.0.0", "--image", ":3.0.0", "--env", "production")
    assert r.exit_code == 2 and "two images" in r.stderr
    r = run(example_repo, "-o", "json", "bluegreen", "deploy", "web", ":2.0.0", "--env", "production", "--dry-run")
    assert r.exit_code == 0 and json.loads(r.stdout)["changed"] is True


def test_pr_preview_with_commit_and_in_json(example_repo: Path) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--pr-preview")
    assert r.exit_code == 2 and "--pr-preview needs --commit or --push" in r.stderr
    assert snapshot(example_repo) == before
    r = run(example_repo, "-o", "json", "set-image", "web", ":1.1.0", "--env", "staging", "--commit", "--pr-preview")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["commit"] and data["pr_preview"].startswith("set-image web/staging: image 1.0.0 → 1.1.0")
    assert "| resource | field | before | after |" in data["pr_preview"]
    r = run(example_repo, "set-image", "web", ":1.2.0", "--env", "staging", "--commit", "--pr-preview")
    assert "The pull request --pr would open:" in r.stdout
    r = run(example_repo, "-o", "json", "set-image", "web", ":1.2.0", "--env", "staging", "--commit")
    assert json.loads(r.stdout)["pr_preview"] is None


def test_history_of_a_branch(example_repo: Path) -> None:
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--commit", "--branch", "release")
    assert r.exit_code == 0, r.output
    assert json.loads(run(example_repo, "-o", "json", "history").stdout) == []
    rows = json.loads(run(example_repo, "-o", "json", "history", "--branch", "release").stdout)
    assert [row["action"] for row in rows] == ["set-image"]
    assert json.loads(run(example_repo, "-o", "json", "history", "web", "--env", "staging",
                          "--branch", "release").stdout) == rows
    for args, needle in [(("--branch", "nope"), "unknown branch or ref 'nope'"), (("shop",), "unknown app 'shop'"),
                         (("web", "--env", "prod"), "unknown env 'prod'")]:
        r = run(example_repo, "history", *args)
        assert r.exit_code == 2 and needle in r.stderr, r.output


def test_a_refusal_lists_every_failed_check_with_its_fix(example_repo: Path) -> None:
    for step in (("bluegreen", "deploy", "web", ":1.1.0"), ("bluegreen", "promote", "web"),
                 ("bluegreen", "finish", "web")):
        assert run(example_repo, *step, "--env", "production", "--commit", "--branch", "shifted").exit_code == 0
    git(example_repo, "merge", "-q", "--ff-only", "shifted")
    before = snapshot(example_repo)
    r = run(example_repo, "bluegreen", "rollback", "web", "--env", "production")
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    failures = [line for line in lines if line.startswith("  - ")]
    fixes = [line for line in lines if line.startswith("    fix: ")]
    assert len(failures) >= 2 and len(fixes) == len(failures), r.stderr
    assert "more" not in r.stderr and lines[-1] == "hint: nothing was written"
    assert snapshot(example_repo) == before


@pytest.mark.parametrize("preview", ["green", "blue"])
def test_promote_with_nothing_deployed_to_the_idle_color(example_repo: Path, preview: str) -> None:
    svc = example_repo / "overlays" / "production" / "service-preview.yaml"
    if preview == "blue":
        svc.write_text(svc.read_text().replace("color: green", "color: blue"))
        git(example_repo, "commit", "-qam", "the preview Service selects the live color")
    before = snapshot(example_repo)
    r = run(example_repo, "bluegreen", "promote", "web", "--env", "production")
    assert r.exit_code == 1
    assert "nothing is deployed to the idle color green" in r.stderr
    assert ("the preview Service selects the live color" in r.stderr) == (preview == "blue")
    assert "gitshift bluegreen deploy web IMAGE --env production" in r.stderr
    assert snapshot(example_repo) == before


def test_promote_twice_keeps_the_first(example_repo: Path) -> None:
    for step in (("bluegreen", "deploy", "web", ":1.1.0"), ("bluegreen", "promote", "web")):
        assert run(example_repo, *step, "--env", "production", "--commit", "--branch", "shifted").exit_code == 0
    git(example_repo, "merge", "-q", "--ff-only", "shifted")
    r = run(example_repo, "-o", "json", "bluegreen", "promote", "web", "--env", "production")
    assert r.exit_code == 0 and json.loads(r.stdout)["changed"] is False


BASE_AB = {
    "gitshift.yaml": "apps:\n  web:\n    image: ghcr.io/acme/web\n    envs:\n      prod:\n"
                     "        overlay: overlays/prod\n        strategy: canary\n",
    "overlays/prod/kustomization.yaml": "resources:\n- ../../base\nimages:\n- name: ghcr.io/acme/web\n"
                                        "  newTag: 1.0.0\n",
}


@pytest.mark.parametrize("layout", ["overlay", "base", "base-with-rule"])
def test_canary_rollback_after_ab_removes_the_header_annotations(layout: str, repo_factory: Any) -> None:
    """Checked with kubectl kustomize: `key: null` in a patch renders as "" there, so removal must not use it."""
    from tests.conftest import PROJECT, render

    src = PROJECT / "docs" / "examples" / "canary-nginx" / "overlays" / "prod"
    if layout == "overlay":
        tree = {f"overlays/prod/{p.name}": p.read_text() for p in src.iterdir()}
        tree["gitshift.yaml"] = (src.parents[1] / "gitshift.yaml").read_text()
    else:
        tree = {f"base/{p.name}": p.read_text() for p in src.iterdir() if p.name != "kustomization.yaml"}
        tree["base/kustomization.yaml"] = "resources:\n- deployments.yaml\n- services.yaml\n- ingresses.yaml\n"
        tree.update(BASE_AB)
        if layout == "base-with-rule":
            tree["base/ingresses.yaml"] = tree["base/ingresses.yaml"].replace(
                '    nginx.ingress.kubernetes.io/canary-weight: "0"\n',
                '    nginx.ingress.kubernetes.io/canary-weight: "0"\n'
                "    nginx.ingress.kubernetes.io/canary-by-header: X-Canary\n")
    repo = repo_factory(tree)
    steps = [("canary", "deploy", "web", ":2.0.0", "--header", "X-Canary=always"),
             ("canary", "scale", "web", "--weight", "30"), ("canary", "rollback", "web")]
    if layout == "base-with-rule":
        steps = steps[2:]
    for step in steps:
        r = run(repo, *step, "--env", "prod", "--commit", "--branch", "shifted")
        assert r.exit_code == 0, r.output
    git(repo, "merge", "-q", "--ff-only", "shifted")
    ingress = next(o for o in render(repo / "overlays" / "prod")
                   if o["kind"] == "Ingress" and o["metadata"]["name"] == "web-canary")
    annotations = ingress["metadata"]["annotations"]
    assert not [k for k in annotations if k.startswith("nginx.ingress.kubernetes.io/canary-by")], annotations
    assert annotations["nginx.ingress.kubernetes.io/canary-weight"] == "0"
    status = json.loads(run(repo, "-o", "json", "status").stdout)[0]
    assert status["match"] is None and status["weight"] == 0


def test_promote_of_the_image_already_live_does_nothing(example_repo: Path) -> None:
    before = snapshot(example_repo)
    for target in ("staging", "production", "production-canary", "production-replicas"):
        r = run(example_repo, "-o", "json", "promote", "web", "--from", "dev", "--to", target, "--commit")
        assert r.exit_code == 0, r.output
        data = json.loads(r.stdout)
        assert (data["changed"], data["commit"], data["action"]) == (False, None, "promote")
        r = run(example_repo, "promote", "web", "--from", "dev", "--to", target)
        assert "already serves ghcr.io/acme/web:1.0.0, the live image of dev; nothing to promote" in r.stdout
    assert snapshot(example_repo) == before
    r = run(example_repo, "-o", "json", "promote", "web", "--from", "production", "--to", "production-canary")
    assert json.loads(r.stdout)["changed"] is False


def test_weight_on_a_replicas_canary_says_it_was_rounded(example_repo: Path) -> None:
    r = run(example_repo, "canary", "scale", "web", "--env", "production-replicas", "--weight", "30", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "weight 0 → 25 (--weight 30 rounded to 25: 1 of 4 pods)" in r.stdout
    r = run(example_repo, "canary", "scale", "web", "--env", "production-replicas", "--weight", "50", "--dry-run")
    assert "weight 0 → 50" in r.stdout and "rounded" not in r.stdout


def test_revert_of_an_unknown_commit(example_repo: Path) -> None:
    r = run(example_repo, "revert", "deadbeef")
    assert r.exit_code == 2
    assert "no such commit 'deadbeef'" in r.stderr and "gitshift history" in r.stderr


def test_an_error_about_an_env_names_it_and_its_overlay_at_one_level(example_repo: Path) -> None:
    config = example_repo / "gitshift.yaml"
    config.write_text(config.read_text().replace("preview_service: web-preview", "preview_service: web-previeww"))
    git(example_repo, "commit", "-qam", "a preview Service the overlay lacks")
    before = snapshot(example_repo)
    r = run(example_repo, "bluegreen", "promote", "web", "--env", "production")
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines()[0] == (
        "gitshift: error: apps.web.envs.production.bluegreen.preview_service: Service 'web-previeww' not found in "
        "the rendered overlay (web/production, overlays/production)")
    assert snapshot(example_repo) == before


REF_HINT = "hint: give a branch, tag or commit git knows here (`git branch -a` lists the branches)"
IMAGE_HINT = ("hint: check apps.web.image (or the env's image) in gitshift.yaml against the images "
              "`gitshift render overlays/staging` shows")
HINTED = {
    "env without app": (("status", "--env", "nope"), "unknown env 'nope'",
                        "hint: known envs: dev, staging, production, production-canary, production-istio, "
                        "production-gateway, production-replicas"),
    "diff against": (("diff", "--against", "nope"), "unknown ref 'nope' (--against)", REF_HINT),
    "commit base": (("set-image", "web", ":1.1.0", "--env", "staging", "--commit", "--base", "nope"),
                    "base 'nope' is not a commit (--base)", REF_HINT),
    "promote base": (("promote", "web", "--from", "staging", "--to", "production", "--base", "nope", "--commit"),
                     "unknown ref 'nope' (--base)", REF_HINT),
    "image nowhere": (("set-image", "web", ":1.1.0", "--env", "staging"),
                      "no workload runs the app's image 'ghcr.io/acme/other'", IMAGE_HINT),
    "no live image": (("promote", "web", "--from", "staging", "--to", "production"),
                      "no live image found in web/staging", IMAGE_HINT),
}


@pytest.mark.parametrize("case", list(HINTED))
def test_bad_input_says_what_to_do(example_repo: Path, case: str) -> None:
    args, what, hint = HINTED[case]
    if case in ("image nowhere", "no live image"):
        config = example_repo / "gitshift.yaml"
        config.write_text(config.read_text().replace(
            "strategy: rolling\n", "strategy: rolling\n        image: ghcr.io/acme/other\n", 1))
        git(example_repo, "commit", "-qam", "staging runs another image")
    before = snapshot(example_repo)
    r = run(example_repo, *args)
    assert r.exit_code == 2, r.output
    first, second = r.stderr.splitlines()
    assert first.startswith("gitshift: error: ") and what in first
    assert second == hint
    assert snapshot(example_repo) == before
