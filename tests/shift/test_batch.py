"""Batch shifts: several apps promoted, or several images set, as one commit and one pull request."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import git, run, snapshot
from tests.support.forge_server import ForgeServer

APPS = ("a0", "a1", "a2")


def batch_tree(digest_in_prod: tuple[str, ...] = ()) -> dict[str, str]:
    """Three rolling apps, each with staging (image 2.0.0) and prod (1.0.0) overlays."""
    cfg = ["apps:"]
    tree: dict[str, str] = {}
    for app in APPS:
        digest = "\n        require_digest: true" if app in digest_in_prod else ""
        cfg.append(f"  {app}:\n    image: ghcr.io/acme/{app}\n    envs:\n"
                   f"      staging:\n        overlay: apps/{app}/staging\n        strategy: rolling\n"
                   f"      prod:\n        overlay: apps/{app}/prod\n        strategy: rolling{digest}")
        tree[f"apps/{app}/base/kustomization.yaml"] = "resources:\n- deploy.yaml\n"
        tree[f"apps/{app}/base/deploy.yaml"] = (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n  replicas: 2\n"
            f"  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n"
            f"        app: {app}\n    spec:\n      containers:\n      - name: {app}\n"
            f"        image: ghcr.io/acme/{app}:1.0.0\n")
        tree[f"apps/{app}/staging/kustomization.yaml"] = (
            f"resources:\n- ../base\nimages:\n- name: ghcr.io/acme/{app}\n  newTag: 2.0.0\n")
        tree[f"apps/{app}/prod/kustomization.yaml"] = "resources:\n- ../base\n"
    tree["gitshift.yaml"] = "\n".join(cfg) + "\n"
    return tree


@pytest.fixture
def batch_repo(repo_factory: Callable[..., Path]) -> Path:
    return repo_factory(batch_tree())


def prod_image(repo: Path, app: str, ref: str) -> str:
    text = git(repo, "show", f"{ref}:apps/{app}/prod/kustomization.yaml")
    return "2.0.0" if "newTag: 2.0.0" in text else "3.0.0" if "newTag: 3.0.0" in text else "1.0.0"


def test_promote_without_an_app_promotes_every_app_in_one_commit(batch_repo: Path) -> None:
    r = run(batch_repo, "promote", "--from", "staging", "--to", "prod", "--commit", "-o", "json")

    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["batch"] is True and data["changed"] is True and data["refused"] == []
    assert [s["app"] for s in data["shifts"]] == list(APPS)
    assert data["branch"] == "gitshift/batch/promote/prod"
    assert git(batch_repo, "rev-list", "--count", f"main..{data['branch']}").strip() == "1"
    assert all(prod_image(batch_repo, app, data["branch"]) == "2.0.0" for app in APPS)
    message = git(batch_repo, "log", "-1", "--format=%B", data["branch"])
    assert message.startswith("promote: 3 shifts (a0/prod, a1/prod, a2/prod)")
    trailers = git(batch_repo, "log", "-1", "--format=%(trailers:key=Gitshift-App,valueonly,separator=%x2C)",
                   data["branch"]).strip()
    assert trailers == "a0,a1,a2"
    assert message.count("Gitshift-Action: promote") == 3 and message.count("Gitshift-Source: staging") == 3


def test_a_refused_shift_stops_the_batch_and_nothing_is_written(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory(batch_tree(digest_in_prod=("a1",)))
    before = snapshot(repo)

    r = run(repo, "promote", "--from", "staging", "--to", "prod", "--commit")

    assert r.exit_code == 1, r.output
    assert "a1/prod" in r.stderr and "--skip-refused" in r.stderr
    assert snapshot(repo) == before


def test_skip_refused_leaves_the_refused_out(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory(batch_tree(digest_in_prod=("a1",)))

    r = run(repo, "promote", "--from", "staging", "--to", "prod", "--commit", "--skip-refused", "-o", "json")

    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [s["app"] for s in data["shifts"]] == ["a0", "a2"]
    assert [(x["app"], x["exit_code"]) for x in data["refused"]] == [("a1", 1)]
    assert prod_image(repo, "a1", data["branch"]) == "1.0.0" and prod_image(repo, "a2", data["branch"]) == "2.0.0"


def test_named_apps_open_one_pull_request(batch_repo: Path, forge_server: ForgeServer) -> None:
    cfg = batch_repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: github\n  project: acme/gitops\n  api_url: {forge_server.github_url}\n"
                   + cfg.read_text())
    git(batch_repo, "commit", "-qam", "forge")
    git(batch_repo, "push", "-q", "origin", "main")

    r = run(batch_repo, "promote", "--from", "staging", "--to", "prod", "--app", "a0", "--app", "a2", "--pr",
            "--label", "release", "-o", "json", env={"GITHUB_TOKEN": forge_server.token})

    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    (pull,) = forge_server.github.repos["acme/gitops"].pulls.values()
    assert data["pr_url"] and pull.title == "promote: 2 shifts (a0/prod, a2/prod)" and pull.labels == ["release"]
    assert "makes 2 shifts in one commit" in pull.body
    assert "## promote a0/prod from staging: image 1.0.0 → 2.0.0" in pull.body
    assert "## promote a2/prod from staging: image 1.0.0 → 2.0.0" in pull.body
    assert git(batch_repo, "ls-remote", "origin", data["branch"]).split()[0] == data["commit"]


def test_set_image_with_several_pairs(batch_repo: Path) -> None:
    r = run(batch_repo, "set-image", "a0=:3.0.0", "a1=:3.0.0", "--env", "prod", "--push", "-o", "json")

    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [(s["app"], s["action"]) for s in data["shifts"]] == [("a0", "set-image"), ("a1", "set-image")]
    tip = git(batch_repo, "ls-remote", "origin", data["branch"]).split()[0]
    assert [prod_image(batch_repo, app, tip) for app in APPS] == ["3.0.0", "3.0.0", "1.0.0"]
    bad = run(batch_repo, "set-image", "a0=:3.0.0", "a1", "--env", "prod")
    assert bad.exit_code == 2 and "APP=IMAGE" in bad.stderr


def test_dry_run_and_working_tree(batch_repo: Path) -> None:
    before = snapshot(batch_repo)
    dry = run(batch_repo, "set-image", "a0=:3.0.0", "a2=:3.0.0", "--env", "prod", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "set-image: 2 shifts (a0/prod, a2/prod)" in dry.stdout
    assert snapshot(batch_repo) == before

    wrote = run(batch_repo, "set-image", "a0=:3.0.0", "a2=:3.0.0", "--env", "prod")
    assert wrote.exit_code == 0, wrote.output
    assert git(batch_repo, "status", "--porcelain").split() == [
        "M", "apps/a0/prod/kustomization.yaml", "M", "apps/a2/prod/kustomization.yaml"]


def test_a_batch_already_in_place_says_so_in_good_english(batch_repo: Path) -> None:
    one = run(batch_repo, "set-image", "a0=:1.0.0", "--env", "prod")
    assert one.exit_code == 0, one.output
    assert one.stdout.startswith("set-image: 1 shift, already in place, nothing to do")
    two = run(batch_repo, "set-image", "a0=:1.0.0", "a1=:1.0.0", "--env", "prod")
    assert two.stdout.startswith("set-image: 2 shifts, all already in place, nothing to do")


def test_history_and_revert_understand_a_batch_commit(batch_repo: Path) -> None:
    first = run(batch_repo, "promote", "--from", "staging", "--to", "prod", "--app", "a0", "--app", "a1",
                "--commit", "-o", "json")
    assert first.exit_code == 0, first.output
    commit, branch = json.loads(first.stdout)["commit"], json.loads(first.stdout)["branch"]
    git(batch_repo, "checkout", "-q", branch)

    shown = run(batch_repo, "history", "-o", "json")
    entries = [e for e in json.loads(shown.stdout) if e["commit"] == commit]
    assert [(e["app"], e["env"], e["action"]) for e in entries] == [("a0", "prod", "promote"),
                                                                    ("a1", "prod", "promote")]

    back = run(batch_repo, "revert", commit, "--commit", "-o", "json")
    assert back.exit_code == 0, back.output
    data = json.loads(back.stdout)
    assert data["batch"] is True and [s["action"] for s in data["shifts"]] == ["revert", "revert"]
    assert data["branch"] == "gitshift/batch/revert/prod"
    assert [prod_image(batch_repo, app, data["branch"]) for app in APPS] == ["1.0.0", "1.0.0", "1.0.0"]
    message = git(batch_repo, "log", "-1", "--format=%B", data["branch"])
    assert message.count(f"Gitshift-Source: {commit}") == 2


def test_the_batch_json_keeps_its_schema(repo_factory: Callable[..., Path]) -> None:
    from tests.docs.test_json_schemas import validate

    repo = repo_factory(batch_tree(digest_in_prod=("a1",)))
    r = run(repo, "promote", "--from", "staging", "--to", "prod", "--commit", "--skip-refused", "-o", "json")

    assert r.exit_code == 0, r.output
    validate("batch", json.loads(r.stdout))
