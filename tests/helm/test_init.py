"""``gitshift init`` on Helm releases: HelmRelease and Application values, values files, helmCharts entries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml
from tests.conftest import run
from tests.helm.conftest import example_tree
from tests.helm.trees import APPLICATION


def test_init_writes_the_helm_sections_of_the_example(repo_factory: Callable[..., Path]) -> None:
    tree = example_tree()
    written_by_hand = yaml.safe_load(tree.pop("gitshift.yaml"))
    repo = repo_factory(tree)
    r = run(repo, "init")
    assert r.exit_code == 0, r.output
    found = yaml.safe_load((repo / "gitshift.yaml").read_text())
    want = written_by_hand["apps"]["web"]["envs"]
    got = found["apps"]["web"]["envs"]
    assert list(got) == ["dev", "staging", "prod", "prod-canary", "prod-eu"]
    for name, env in want.items():
        assert got[name]["strategy"] == env["strategy"], name
        assert got[name].get("overlay") == env.get("overlay"), name
        assert got[name]["helm"] == env["helm"], name
    status = run(repo, "-o", "json", "status")
    assert status.exit_code == 0, status.output
    rows = {row["env"]: row for row in json.loads(status.output)}
    assert rows["prod"]["active"] == "blue" and rows["prod-canary"]["replicas"] == {"stable": 4, "canary": 0}
    assert run(repo, "check").exit_code == 0


def test_init_finds_helm_beside_plain_overlays(repo_factory: Callable[..., Path]) -> None:
    tree = {
        "apps/web/kustomization.yaml": "resources:\n  - application.yaml\n",
        "apps/web/application.yaml": APPLICATION,
        "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
        "charts/api/values.yaml": "image: {repository: ghcr.io/acme/api, tag: latest}\n",
        "charts/api/values-prod.yaml": "image:\n  tag: 3.0.0\nreplicaCount: 2\n",
        "charts/api/values.schema.json": "{}",
    }
    repo = repo_factory(tree)
    r = run(repo, "-o", "json", "init", "--dry-run")
    assert r.exit_code == 0, r.output
    from tests.docs.test_json_schemas import validate

    validate("init", json.loads(r.output))
    apps = {a["app"]: a for a in json.loads(r.output)["apps"]}
    api = apps["api"]["envs"][0]
    assert (api["env"], api["strategy"], api["helm"]) == ("prod", "rolling", {
        "values_file": "charts/api/values-prod.yaml", "image": {"tag": "image.tag"}, "replicas": "replicaCount"})
    web = apps["web"]["envs"][0]
    assert (web["env"], web["strategy"]) == ("web", "bluegreen")
    assert web["helm"] == {"release": "web", "image": {"repository": "image.repository"},
                           "bluegreen": {"active": "router.activeColor", "image_tag": "${color}.image.tag",
                                         "replicas": "${color}.replicaCount"}}
    assert run(repo, "init").exit_code == 0
    status = run(repo, "-o", "json", "status")
    assert status.exit_code == 0, status.output
    rows = {row["app"]: row for row in json.loads(status.output)}
    assert rows["web"]["active"] == "blue" and rows["api"]["images"] == {"api": "ghcr.io/acme/api:3.0.0"}
