"""Canary lifecycles on the example's Istio, Gateway API and replica-split overlays.

Real repositories from the example tree; every step is checked on the overlay as
``kubectl kustomize`` renders it, independent of the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import find, git, render, run, snapshot

IMG = "ghcr.io/acme/web"
Objs = list[dict[str, Any]]


def image(dep: dict[str, Any]) -> str:
    return str(dep["spec"]["template"]["spec"]["containers"][0]["image"])


def ok(repo: Path, *args: str) -> dict[str, Any]:
    r = run(repo, "-o", "json", *args)
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout))


def status(repo: Path, env: str) -> dict[str, Any]:
    r = run(repo, "status", "web", "--env", env, "-o", "json")
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout)[0])


# Each router, read back from the rendered route: the weights of the entry that splits
# between the two Services, and the A/B entries as (header name, value, [Services]).


def istio_weights(objs: Objs) -> dict[str, int]:
    http = find(objs, "VirtualService", "web")["spec"]["http"]
    (entry,) = [e for e in http if len(e["route"]) == 2]
    return {d["destination"]["host"]: d["weight"] for d in entry["route"]}


def istio_ab(objs: Objs) -> list[tuple[str, str, list[str]]]:
    http = find(objs, "VirtualService", "web")["spec"]["http"]
    return [
        (name, cond["exact"], [d["destination"]["host"] for d in e["route"]])
        for e in http
        for m in e.get("match") or []
        for name, cond in (m.get("headers") or {}).items()
    ]


def gateway_weights(objs: Objs) -> dict[str, int]:
    rules = find(objs, "HTTPRoute", "web")["spec"]["rules"]
    (rule,) = [r for r in rules if len(r["backendRefs"]) == 2]
    return {ref["name"]: ref["weight"] for ref in rule["backendRefs"]}


def gateway_ab(objs: Objs) -> list[tuple[str, str, list[str]]]:
    rules = find(objs, "HTTPRoute", "web")["spec"]["rules"]
    return [
        (h["name"].lower(), h["value"], [ref["name"] for ref in r["backendRefs"]])
        for r in rules
        for m in r.get("matches") or []
        for h in m.get("headers") or []
    ]


ROUTERS = {
    "istio": (istio_weights, istio_ab),
    "gateway": (gateway_weights, gateway_ab),
}


@pytest.mark.parametrize("kind", sorted(ROUTERS))
def test_routed_canary_lifecycle(example_repo: Path, kind: str) -> None:
    env, weights, ab = f"production-{kind}", *ROUTERS[kind]
    ov = example_repo / "overlays" / env
    args = ("web", "--env", env)

    objs = render(ov)
    assert weights(objs) == {"web": 100, "web-canary": 0} and ab(objs) == []
    assert find(objs, "Service", "web")["spec"]["selector"]["track"] == "stable"

    ok(example_repo, "canary", "deploy", *args, "--image", ":2.0.0")
    objs = render(ov)
    assert weights(objs) == {"web": 90, "web-canary": 10}
    canary = find(objs, "Deployment", "web-canary")
    assert (image(canary), canary["spec"]["replicas"]) == (f"{IMG}:2.0.0", 1)
    assert image(find(objs, "Deployment", "web")) == f"{IMG}:1.0.0"

    ok(example_repo, "canary", "scale", *args, "--next")
    assert weights(render(ov)) == {"web": 75, "web-canary": 25}

    # A/B: a header-match entry in front sends every matching request to the canary;
    # the weighted split goes back to 100/0 (the A/B default weight is 0).
    ok(example_repo, "canary", "deploy", *args, "--image", ":2.0.0", "--header", "X-Canary=always")
    objs = render(ov)
    assert ab(objs) == [("x-canary", "always", ["web-canary"])]
    assert weights(objs) == {"web": 100, "web-canary": 0}
    row = status(example_repo, env)
    assert (row["weight"], row["match"]) == (0, f"header {'x-canary' if kind == 'istio' else 'X-Canary'}=always")

    ok(example_repo, "canary", "promote", *args)
    objs = render(ov)
    assert image(find(objs, "Deployment", "web")) == f"{IMG}:2.0.0"
    assert find(objs, "Deployment", "web")["spec"]["replicas"] == 3
    assert find(objs, "Deployment", "web-canary")["spec"]["replicas"] == 0
    assert weights(objs) == {"web": 100, "web-canary": 0} and ab(objs) == []

    ok(example_repo, "canary", "deploy", *args, "--image", ":3.0.0", "--weight", "50")
    assert weights(render(ov)) == {"web": 50, "web-canary": 50}
    ok(example_repo, "canary", "rollback", *args)
    objs = render(ov)
    assert weights(objs) == {"web": 100, "web-canary": 0} and ab(objs) == []
    assert find(objs, "Deployment", "web-canary")["spec"]["replicas"] == 0
    assert image(find(objs, "Deployment", "web")) == f"{IMG}:2.0.0"

    changed = git(example_repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert changed and all(line[3:].startswith(f"overlays/{env}/") for line in changed)
    assert run(example_repo, "check", *args).exit_code == 0


def replicas(objs: Objs) -> tuple[int, int]:
    stable, canary = (find(objs, "Deployment", n)["spec"]["replicas"] for n in ("web", "web-canary"))
    return stable, canary


def test_replicas_canary_lifecycle(example_repo: Path) -> None:
    env = "production-replicas"
    ov = example_repo / "overlays" / env
    args = ("web", "--env", env)
    objs = render(ov)
    (svc,) = [o for o in objs if o["kind"] == "Service"]
    assert svc["spec"]["selector"] == {"app": "web"}  # one Service over both Deployments
    assert replicas(objs) == (4, 0)

    ok(example_repo, "canary", "deploy", *args, "--image", ":2.0.0")  # first step: 25
    objs = render(ov)
    assert replicas(objs) == (3, 1)
    assert image(find(objs, "Deployment", "web-canary")) == f"{IMG}:2.0.0"
    assert image(find(objs, "Deployment", "web")) == f"{IMG}:1.0.0"
    assert status(example_repo, env)["weight"] == 25

    ok(example_repo, "canary", "scale", *args, "--next")
    assert replicas(render(ov)) == (2, 2)

    git(example_repo, "commit", "-qam", "canary at 50")
    before = snapshot(example_repo)
    r = run(example_repo, "canary", "deploy", *args, "--image", ":2.0.0", "--header", "X-Canary=always")
    assert r.exit_code == 2, r.output
    assert "cannot route by header" in r.stderr
    assert snapshot(example_repo) == before

    ok(example_repo, "canary", "promote", *args)
    objs = render(ov)
    assert replicas(objs) == (4, 0)
    assert image(find(objs, "Deployment", "web")) == f"{IMG}:2.0.0"
