"""Whole release lifecycles on the example tree, every step verified with kubectl kustomize."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import find, git, render, run, snapshot

IMG = "ghcr.io/acme/web"


def image(dep: dict[str, Any]) -> str:
    return str(dep["spec"]["template"]["spec"]["containers"][0]["image"])


def ok(repo: Path, *args: str) -> dict[str, Any]:
    r = run(repo, "-o", "json", *args)
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout))


def test_bluegreen_lifecycle(example_repo: Path) -> None:
    ov = example_repo / "overlays/production"
    ok(example_repo, "bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0")
    objs = render(ov)
    green = find(objs, "Deployment", "web-green")
    assert (image(green), green["spec"]["replicas"]) == (f"{IMG}:1.1.0", 3)
    assert find(objs, "Service", "web-preview")["spec"]["selector"]["color"] == "green"
    assert find(objs, "Service", "web")["spec"]["selector"]["color"] == "blue"

    ok(example_repo, "bluegreen", "confirm", "web", "--env", "production")
    assert find(render(ov), "Service", "web")["spec"]["selector"]["color"] == "green"
    ok(example_repo, "bluegreen", "rollback", "web", "--env", "production")
    assert find(render(ov), "Service", "web")["spec"]["selector"]["color"] == "blue"
    ok(example_repo, "bluegreen", "promote", "web", "--env", "production")
    ok(example_repo, "bluegreen", "finish", "web", "--env", "production")
    objs = render(ov)
    assert find(objs, "Deployment", "web-blue")["spec"]["replicas"] == 0
    assert find(objs, "Deployment", "web-green")["spec"]["replicas"] == 3

    git(example_repo, "commit", "-qam", "finished")
    before = snapshot(example_repo)
    r = run(example_repo, "bluegreen", "rollback", "web", "--env", "production")
    assert r.exit_code == 1, r.output  # blue has 0 replicas now: refused by the safety checks
    assert snapshot(example_repo) == before


def test_bluegreen_status_reports_colors(example_repo: Path) -> None:
    ok(example_repo, "bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0")
    rows = json.loads(run(example_repo, "status", "web", "--env", "production", "-o", "json").stdout)
    assert (rows[0]["active"], rows[0]["preview"]) == ("blue", "green")
    assert rows[0]["replicas"] == {"web-blue": 3, "web-green": 3}


def ingress_annotations(repo: Path) -> dict[str, str]:
    objs = render(repo / "overlays/production-canary")
    return {k.rsplit("/", 1)[1]: v for k, v in
            find(objs, "Ingress", "web-canary")["metadata"]["annotations"].items()}


def test_canary_nginx_lifecycle(example_repo: Path) -> None:
    ov = example_repo / "overlays/production-canary"
    ok(example_repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    objs = render(ov)
    canary = find(objs, "Deployment", "web-canary")
    assert image(canary) == f"{IMG}:2.0.0" and canary["spec"]["replicas"] >= 1
    assert image(find(objs, "Deployment", "web")) == f"{IMG}:1.0.0"
    assert ingress_annotations(example_repo)["canary-weight"] == "10"

    ok(example_repo, "canary", "scale", "web", "--env", "production-canary", "--next")
    assert ingress_annotations(example_repo)["canary-weight"] == "25"
    ok(example_repo, "canary", "scale", "web", "--env", "production-canary", "--weight", "60")
    status = json.loads(run(example_repo, "status", "web", "--env", "production-canary", "-o", "json").stdout)
    assert status[0]["weight"] == 60

    ok(example_repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0",
       "--header", "X-Canary=always")
    ann = ingress_annotations(example_repo)
    assert (ann["canary-by-header"], ann["canary-by-header-value"]) == ("X-Canary", "always")

    ok(example_repo, "canary", "promote", "web", "--env", "production-canary")
    objs = render(ov)
    assert image(find(objs, "Deployment", "web")) == f"{IMG}:2.0.0"
    assert find(objs, "Deployment", "web-canary")["spec"]["replicas"] == 0
    ann = ingress_annotations(example_repo)
    assert ann["canary-weight"] == "0" and "canary-by-header" not in ann and "canary-by-header-value" not in ann


def test_canary_rollback_keeps_stable(example_repo: Path) -> None:
    ok(example_repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0",
       "--cookie", "beta")
    assert ingress_annotations(example_repo)["canary-by-cookie"] == "beta"
    ok(example_repo, "canary", "rollback", "web", "--env", "production-canary")
    objs = render(example_repo / "overlays/production-canary")
    assert image(find(objs, "Deployment", "web")) == f"{IMG}:1.0.0"
    assert find(objs, "Deployment", "web-canary")["spec"]["replicas"] == 0
    assert "canary-by-cookie" not in ingress_annotations(example_repo)


def test_canary_bad_weights_exit_2(example_repo: Path) -> None:
    before = snapshot(example_repo)
    for args in (("--weight", "101"), ("--weight", "-1")):
        r = run(example_repo, "canary", "scale", "web", "--env", "production-canary", *args)
        assert r.exit_code == 2, r.output
    r = run(example_repo, "canary", "scale", "web", "--env", "production-canary", "--weight", "1e3")
    assert r.exit_code == 2
    assert snapshot(example_repo) == before


def test_wrong_strategy_is_refused(example_repo: Path) -> None:
    r = run(example_repo, "canary", "scale", "web", "--env", "staging", "--weight", "5")
    assert r.exit_code == 2
    assert "uses strategy rolling" in r.stderr


def test_promote_between_envs(example_repo: Path) -> None:
    ok(example_repo, "set-image", "web", ":1.4.0", "--env", "staging")
    git(example_repo, "commit", "-qam", "staging at 1.4.0")
    data = ok(example_repo, "promote", "web", "--from", "staging", "--to", "production")
    assert data["action"] == "promote"
    objs = render(example_repo / "overlays/production")
    assert image(find(objs, "Deployment", "web-green")) == f"{IMG}:1.4.0"
    assert image(find(objs, "Deployment", "web-blue")) == f"{IMG}:1.0.0"
    data = ok(example_repo, "promote", "web", "--from", "staging", "--to", "dev", "--commit")
    msg = git(example_repo, "log", "-1", "--format=%B", data["branch"])
    assert "Gitshift-Action: promote" in msg and "Gitshift-Source: staging" in msg


def test_revert_restores_fields_and_detects_conflicts(example_repo: Path) -> None:
    args = ("--env", "production-canary", "--commit", "--branch", "rel")
    ok(example_repo, "canary", "deploy", "web", "--image", ":2.0.0", *args)
    ok(example_repo, "set-image", "web", ":1.9.0", "--env", "staging", "--commit", "--branch", "rel")
    ok(example_repo, "canary", "scale", "web", "--weight", "50", *args)
    git(example_repo, "merge", "-q", "--ff-only", "rel")
    deploy = git(example_repo, "log", "--format=%H", "-1", "--grep=Gitshift-Action: canary.deploy").strip()
    scale = git(example_repo, "rev-parse", "HEAD").strip()

    before = snapshot(example_repo)
    r = run(example_repo, "revert", deploy)
    assert r.exit_code == 1 and "a later shift changed the same field" in r.stderr
    assert snapshot(example_repo) == before

    data = ok(example_repo, "revert", scale)
    assert data["action"] == "revert"
    assert ingress_annotations(example_repo)["canary-weight"] == "10"
    assert image(find(render(example_repo / "overlays/staging"), "Deployment", "web")) == f"{IMG}:1.9.0"
    git(example_repo, "checkout", "-q", ".")
    ok(example_repo, "revert", deploy, "--force")
    objs = render(example_repo / "overlays/production-canary")
    assert find(objs, "Deployment", "web-canary")["spec"]["replicas"] == 0
    assert ingress_annotations(example_repo)["canary-weight"] == "0"

    r = run(example_repo, "revert", git(example_repo, "rev-list", "--max-parents=0", "HEAD").strip())
    assert r.exit_code == 2 and "not a gitshift shift" in r.stderr
    assert "hint: `gitshift history` lists the shifts" in r.stderr


def test_committed_promotion_reads_the_committed_source(example_repo: Path) -> None:
    ok(example_repo, "set-image", "web", ":2.0.0", "--env", "staging")
    git(example_repo, "commit", "-qam", "staging at 2.0.0")
    ok(example_repo, "set-image", "web", ":6.6.6", "--env", "staging")  # not committed
    data = ok(example_repo, "promote", "web", "--from", "staging", "--to", "dev", "--commit")
    assert data["changes"][0]["after"] == f"{IMG}:2.0.0"
    assert "newTag: 2.0.0" in git(example_repo, "show", f"{data['branch']}:overlays/dev/kustomization.yaml")
    local = ok(example_repo, "promote", "web", "--from", "staging", "--to", "dev", "--dry-run")
    assert local["changes"][0]["after"] == f"{IMG}:6.6.6"
