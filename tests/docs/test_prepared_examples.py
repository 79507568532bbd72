"""docs/examples/<strategy>/: each overlay of docs/preparing.md renders, passes `check` and takes its shifts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import PROJECT, find, git, render, run

EXAMPLES = PROJECT / "docs" / "examples"
IMG = "ghcr.io/acme/web"

# The shifts each example must take, in order, on its env `prod` (each a commit on the branch `release`).
SHIFTS: dict[str, list[tuple[str, ...]]] = {
    "rolling": [("set-image", "web", ":1.1.0"),
                ("set-image", "web", ":1.2.0", "--max-surge", "1", "--max-unavailable", "0")],
    "recreate": [("set-image", "web", ":1.1.0")],
    "bluegreen": [("bluegreen", "deploy", "web", "--image", ":1.1.0"), ("bluegreen", "promote", "web"),
                  ("bluegreen", "finish", "web")],
    **{name: [("canary", "deploy", "web", "--image", ":1.1.0"), ("canary", "scale", "web", "--next"),
              ("canary", "promote", "web")]
       for name in ("canary-nginx", "canary-istio", "canary-gateway", "canary-replicas")},
}


def _tree(name: str) -> dict[str, str]:
    root = EXAMPLES / name
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def _builtin(repo: Path) -> list[dict[str, Any]]:
    r = run(repo, "render", str(repo / "overlays" / "prod"), "--engine", "builtin")
    assert r.exit_code == 0, r.output
    return [d for d in yaml.safe_load_all(r.stdout) if d]


def test_every_example_is_tested_and_documented() -> None:
    assert sorted(p.name for p in EXAMPLES.iterdir()) == sorted(SHIFTS)
    page = (PROJECT / "docs" / "preparing.md").read_text()
    for name in SHIFTS:
        assert f"<!-- example: {name} -->" in page


def _stable_image(objs: list[dict[str, Any]], name: str) -> str:
    image: str = find(objs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]["image"]
    return image


@pytest.mark.parametrize("name", sorted(SHIFTS))
def test_example_renders_checks_and_shifts(name: str, repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory(_tree(name))
    overlay = repo / "overlays" / "prod"
    assert _builtin(repo) == render(overlay), "the builtin engine and kubectl kustomize disagree"
    r = run(repo, "check")
    assert r.exit_code == 0, r.output
    for args in SHIFTS[name]:
        r = run(repo, "-o", "json", *args, "--env", "prod", "--commit", "--branch", "release")
        assert r.exit_code == 0, (args, r.output)
        assert json.loads(r.stdout)["changed"] is True, args
        git(repo, "merge", "-q", "--ff-only", "release")
        assert run(repo, "check").exit_code == 0, args
        assert _builtin(repo) == render(overlay), args
    objs = render(overlay)
    live = "web-green" if name == "bluegreen" else "web"
    assert _stable_image(objs, live) == f"{IMG}:{'1.2.0' if name == 'rolling' else '1.1.0'}"
    if name == "bluegreen":
        assert find(objs, "Service", "web")["spec"]["selector"]["color"] == "green"
        assert find(objs, "Deployment", "web-blue")["spec"]["replicas"] == 0
    if name.startswith("canary"):
        status = json.loads(run(repo, "-o", "json", "status").stdout)[0]
        assert status["weight"] == 0 and status["replicas"]["web-canary"] == 0
