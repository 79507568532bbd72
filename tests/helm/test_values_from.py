"""A Flux HelmRelease's valuesFrom: ConfigMaps the overlay renders are read with Flux's precedence; the rest is said."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import find, git, render, run, snapshot

HELMRELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: search
spec:
  interval: 5m
  chart:
    spec:
      chart: ./charts/search
      sourceRef: {kind: GitRepository, name: gitops}
  valuesFrom:
    - kind: ConfigMap
      name: search-defaults          # values.yaml
    - kind: ConfigMap
      name: search-tuning
      valuesKey: tuning.yaml
    - kind: Secret
      name: search-credentials
    - kind: ConfigMap
      name: search-weight
      valuesKey: weight
      targetPath: router.canaryWeight
    - kind: ConfigMap
      name: cluster-wide            # made elsewhere, not by this overlay
      optional: true
  values:
    image:
      tag: "1.2.0"   # wins over the ConfigMaps
"""

DEFAULTS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: search-defaults
data:
  values.yaml: |
    image:
      repository: ghcr.io/acme/search
      tag: "1.0.0"
    replicaCount: 2
    canary:
      image: {tag: "1.1.0"}
      replicaCount: 0
    router:
      canaryWeight: 0
"""

TUNING = """\
replicaCount: 5   # the later ConfigMap wins
canary:
  replicaCount: 1
"""

KUSTOMIZATION = """\
namespace: search
resources:
  - helmrelease.yaml
  - defaults.yaml
configMapGenerator:
  - name: search-tuning
    files: [tuning.yaml]
    options: {disableNameSuffixHash: true}
  - name: search-weight
    literals: [weight=20]
    options: {disableNameSuffixHash: true}
"""

CONFIG = """\
apps:
  search:
    image: ghcr.io/acme/search
    envs:
      prod:
        overlay: overlays/prod
        strategy: canary
        canary: {steps: [20, 50, 100]}
        helm:
          release: search
          image: {repository: image.repository, tag: image.tag}
          replicas: replicaCount
          canary: {image_tag: canary.image.tag, replicas: canary.replicaCount, weight: router.canaryWeight}
"""

UNREAD = ["valuesFrom Secret/search-credentials not read: gitshift reads no Secret; the values shown leave it out",
          "valuesFrom ConfigMap/cluster-wide not read: the overlay does not render it; the values shown leave it out"]


@pytest.fixture
def repo(repo_factory: Callable[..., Path]) -> Path:
    return repo_factory({"overlays/prod/kustomization.yaml": KUSTOMIZATION,
                         "overlays/prod/helmrelease.yaml": HELMRELEASE, "overlays/prod/defaults.yaml": DEFAULTS,
                         "overlays/prod/tuning.yaml": TUNING, "gitshift.yaml": CONFIG})


def flux_values(objs: list[dict[str, Any]]) -> dict[str, Any]:
    """The values as Flux merges them, computed here from kubectl's render: valuesFrom in order, then spec.values."""
    def merge(into: dict[str, Any], data: dict[str, Any]) -> None:
        for k, v in data.items():
            if isinstance(v, dict) and isinstance(into.get(k), dict):
                merge(into[k], v)
            else:
                into[k] = v

    out: dict[str, Any] = {}
    merge(out, yaml.safe_load(find(objs, "ConfigMap", "search-defaults")["data"]["values.yaml"]))
    merge(out, yaml.safe_load(find(objs, "ConfigMap", "search-tuning")["data"]["tuning.yaml"]))
    merge(out, {"router": {"canaryWeight": int(find(objs, "ConfigMap", "search-weight")["data"]["weight"])}})
    merge(out, find(objs, "HelmRelease", "search")["spec"]["values"])
    return out


def test_status_reads_the_configmaps_with_fluxs_precedence(repo: Path) -> None:
    expected = flux_values(render(repo / "overlays/prod"))
    r = run(repo, "-o", "json", "status")
    assert r.exit_code == 0, r.output
    (row,) = json.loads(r.stdout)
    assert row["images"] == {"stable": f"ghcr.io/acme/search:{expected['image']['tag']}",
                             "canary": f"ghcr.io/acme/search:{expected['canary']['image']['tag']}"} == \
        {"stable": "ghcr.io/acme/search:1.2.0", "canary": "ghcr.io/acme/search:1.1.0"}
    assert row["replicas"] == {"stable": expected["replicaCount"], "canary": expected["canary"]["replicaCount"]} == \
        {"stable": 5, "canary": 1}
    assert (row["weight"], row["step"]) == (20, 1)
    assert row["warnings"][:2] == UNREAD


def test_what_is_not_read_is_said_once(repo: Path) -> None:
    r = run(repo, "check")
    assert r.exit_code == 0, r.output
    assert [line.strip() for line in r.stdout.splitlines() if "valuesFrom" in line] == [f"warning: {u}" for u in UNREAD]
    r = run(repo, "status")
    assert [line for line in r.stderr.splitlines() if "valuesFrom" in line] == \
        [f"gitshift: note: search/prod: {u}" for u in UNREAD]


def test_a_value_only_in_a_configmap_is_not_edited(repo: Path) -> None:
    before = snapshot(repo)
    r = run(repo, "canary", "scale", "search", "--env", "prod", "--weight", "50")
    assert r.exit_code == 2, r.output
    assert ("gitshift: error: value router.canaryWeight of HelmRelease/search comes from its valuesFrom "
            "ConfigMap/search-weight (weight at router.canaryWeight); gitshift does not edit that ConfigMap") \
        in r.output
    assert "hint: set router.canaryWeight in the HelmRelease's spec.values (it wins over valuesFrom)" in r.output
    assert snapshot(repo) == before


def test_a_value_set_in_spec_values_is_shifted_there(repo_factory: Callable[..., Path]) -> None:
    release = HELMRELEASE.replace('      tag: "1.2.0"   # wins over the ConfigMaps\n',
                                  '      tag: "1.2.0"   # wins over the ConfigMaps\n'
                                  '    canary:\n      image: {tag: ""}\n    router:\n      canaryWeight: 0\n')
    repo = repo_factory({"overlays/prod/kustomization.yaml": KUSTOMIZATION,
                         "overlays/prod/helmrelease.yaml": release, "overlays/prod/defaults.yaml": DEFAULTS,
                         "overlays/prod/tuning.yaml": TUNING.replace("  replicaCount: 1", "  replicaCount: 0"),
                         "gitshift.yaml": CONFIG})
    before = snapshot(repo)
    r = run(repo, "canary", "deploy", "search", "--env", "prod", "--image", ":1.3.0")
    assert r.exit_code == 2, r.output  # canary.replicaCount (0 → 1) is the tuning ConfigMap's
    assert snapshot(repo) == before
    assert "canary.replicaCount of HelmRelease/search comes from its valuesFrom ConfigMap/search-tuning" in r.output
    tuned = repo_factory({"overlays/prod/kustomization.yaml": KUSTOMIZATION,
                          "overlays/prod/helmrelease.yaml": release.replace("    canary:\n",
                                                                            "    canary:\n      replicaCount: 0\n"),
                          "overlays/prod/defaults.yaml": DEFAULTS, "overlays/prod/tuning.yaml": TUNING,
                          "gitshift.yaml": CONFIG})
    args = ("canary", "deploy", "search", "--env", "prod", "--image", ":1.3.0")
    preview = run(tuned, *args, "--push", "--pr-preview")
    assert preview.exit_code == 0, preview.output
    assert all(f" · ⚠️ {u}" in preview.stdout for u in UNREAD)  # the PR body's safety checks say it
    r = run(tuned, "-o", "json", *args)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["files"] == ["overlays/prod/helmrelease.yaml"]
    assert git(tuned, "diff", "--numstat", "--", "overlays/prod/defaults.yaml", "overlays/prod/tuning.yaml") == ""
    values = find(render(tuned / "overlays/prod"), "HelmRelease", "search")["spec"]["values"]
    assert (values["canary"], values["router"]) == ({"replicaCount": 1, "image": {"tag": "1.3.0"}},
                                                    {"canaryWeight": 20})


def test_a_configmap_that_is_not_yaml_is_bad_input(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory({"overlays/prod/kustomization.yaml": KUSTOMIZATION,
                         "overlays/prod/helmrelease.yaml": HELMRELEASE,
                         "overlays/prod/defaults.yaml": DEFAULTS.replace("replicaCount: 2\n", "replicaCount: [2\n"),
                         "overlays/prod/tuning.yaml": TUNING, "gitshift.yaml": CONFIG})
    r = run(repo, "status")
    assert r.exit_code == 2
    assert "gitshift: error: search/prod: valuesFrom ConfigMap/search-defaults (values.yaml) is not YAML" in r.stderr
