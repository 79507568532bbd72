"""``--engine auto`` per overlay: the builtin engine where it can, an installed external engine where it cannot.

The tree is shaped like stefanprodan/podinfo's ``deploy/``: bases per tier, an
overlay per env, and overlays that use fields the builtin engine does not
support (podinfo's own use a ``transformers:`` plugin).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import find, git, render, run, snapshot

IMG = "ghcr.io/stefanprodan/podinfo"
EXTERNAL = next((t for t in ("kustomize", "kubectl") if shutil.which(t)), None)
needs_external = pytest.mark.skipif(EXTERNAL is None, reason="neither kustomize nor kubectl is installed")

FRONTEND = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  minReadySeconds: 3
  strategy:
    rollingUpdate:
      maxUnavailable: 0
    type: RollingUpdate
  selector:
    matchLabels:
      app.kubernetes.io/name: frontend
  template:
    metadata:
      labels:
        app.kubernetes.io/name: frontend
    spec:
      containers:
      - name: frontend
        image: {IMG}:6.14.1
        env:
"""
# An object carrying one of Kustomize's own build annotations, as a kustomize output
# committed back can: Kustomize acts on it while building, the builtin engine does not.
MARKED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: team
  annotations:
    internal.config.kubernetes.io/refBy: Deployment.v1.apps/frontend.production
data:
  team: frontend
"""
OVERLAY = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {env}
resources:
  - ../../bases/frontend
  - namespace.yaml
"""
PODINFO = {
    "deploy/bases/frontend/kustomization.yaml": "resources:\n  - deployment.yaml\n  - service.yaml\n",
    "deploy/bases/frontend/deployment.yaml": FRONTEND,
    "deploy/bases/frontend/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: frontend\nspec:\n"
                                          "  selector:\n    app.kubernetes.io/name: frontend\n  ports:\n  - port: 80\n",
    **{f"deploy/overlays/{env}/namespace.yaml": f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {env}\n"
       for env in ("dev", "staging", "production")},
    "deploy/overlays/dev/kustomization.yaml": OVERLAY.format(env="dev"),
    # What the builtin engine hands over: kubectl kustomize renders it.
    "deploy/overlays/production/kustomization.yaml": OVERLAY.format(env="production") + "  - team.yaml\n",
    "deploy/overlays/production/team.yaml": MARKED,
    # A plugin: gitshift runs none, with any engine, so this env cannot be rendered (exit 3).
    "deploy/overlays/staging/kustomization.yaml": OVERLAY.format(env="staging") + "transformers:\n  - labels.yaml\n",
    "deploy/overlays/staging/labels.yaml": "apiVersion: someteam.example.com/v1\nkind: ValueAnnotator\n"
                                           "metadata:\n  name: labels\nvalue: important\n",
    "gitshift.yaml": f"""\
apps:
  podinfo:
    image: {IMG}
    envs:
      dev: {{overlay: deploy/overlays/dev}}
      staging: {{overlay: deploy/overlays/staging}}
      production: {{overlay: deploy/overlays/production}}
""",
}


@pytest.fixture
def podinfo(repo_factory: Callable[..., Path]) -> Path:
    return repo_factory(PODINFO)


def image(objs: list[dict[str, object]]) -> str:
    return str(find(objs, "Deployment", "frontend")["spec"]["template"]["spec"]["containers"][0]["image"])  # type: ignore[index]


@needs_external
def test_status_shows_every_env_it_can(podinfo: Path) -> None:
    r = run(podinfo, "--engine", "auto", "status", "-o", "json")
    rows = {row["env"]: row for row in json.loads(r.stdout)}
    assert list(rows) == ["dev", "staging", "production"]
    assert rows["dev"]["engine"] == "builtin" and rows["dev"]["error"] is None
    assert rows["production"]["engine"] == EXTERNAL and rows["production"]["error"] is None
    assert rows["production"]["images"] == {"frontend": f"{IMG}:6.14.1"}
    assert rows["staging"]["error"] and "ValueAnnotator" in rows["staging"]["error"]
    assert rows["staging"]["engine"] == "builtin"  # not handed to an external engine: it would fail there too
    assert r.exit_code == 3  # the worst row: staging cannot be rendered
    assert r.stderr.count("deploy/overlays/production: the builtin engine does not support Kustomize's build "
                          "annotations in objects (internal.config.kubernetes.io/refBy)") == 1
    text = run(podinfo, "--engine", "auto", "status")
    assert text.exit_code == 3
    lines = text.stdout.splitlines()
    assert len(lines) == 4 and "error" in lines[2] and f"{IMG}:6.14.1" in lines[3]
    assert "gitshift: error: podinfo/staging:" in text.stderr


@needs_external
def test_check_runs_every_env_it_can(podinfo: Path) -> None:
    r = run(podinfo, "--engine", "auto", "check", "-o", "json")
    rows = {row["env"]: row for row in json.loads(r.stdout)}
    assert rows["dev"]["failures"] == [] and rows["production"]["failures"] == []
    assert rows["production"]["engine"] == EXTERNAL
    assert rows["staging"]["error"]
    assert r.exit_code == 3


@needs_external
def test_a_shift_on_an_overlay_the_builtin_engine_lacks(podinfo: Path) -> None:
    r = run(podinfo, "--engine", "auto", "set-image", "podinfo", ":6.15.0", "--env", "production", "-o", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["engine"] == EXTERNAL
    assert data["affected"] == [{"app": "podinfo", "env": "production", "overlay": "deploy/overlays/production"}]
    # Said once, though the overlay was rendered several times (before, verification, other envs).
    assert r.stderr.count("rendering it with") == 1
    assert image(render(podinfo / "deploy/overlays/production")) == f"{IMG}:6.15.0"


@needs_external
def test_a_committed_shift_renders_the_commit_not_the_working_tree(podinfo: Path) -> None:
    kust = podinfo / "deploy/overlays/production/kustomization.yaml"
    kust.write_text(kust.read_text() + "images:\n  - name: " + IMG + "\n    newTag: 9.9.9-uncommitted\n")
    before = snapshot(podinfo)
    r = run(podinfo, "--engine", "auto", "set-image", "podinfo", ":6.15.0", "--env", "production", "--commit",
            "-o", "json")
    assert r.exit_code == 0, r.output
    change = json.loads(r.stdout)["changes"][0]
    assert change["before"] == f"{IMG}:6.14.1"  # the commit's image, not the working tree's
    assert snapshot(podinfo).status == before.status
    shown = git(podinfo, "show", f"{json.loads(r.stdout)['commit']}:deploy/overlays/production/kustomization.yaml")
    assert "newTag: 6.15.0" in shown and "uncommitted" not in shown


@needs_external
def test_builtin_engine_hint_names_an_installed_tool(podinfo: Path) -> None:
    r = run(podinfo, "--engine", "builtin", "status", "podinfo", "--env", "production")
    assert r.exit_code == 3
    assert f"--engine {EXTERNAL}" in r.stderr
    other = {"kustomize", "kubectl"} - {EXTERNAL}
    assert all(f"--engine {t}" not in r.stderr for t in other if not shutil.which(t))


def test_without_an_external_engine_the_hint_says_to_install_one(podinfo: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git_bin = shutil.which("git")
    assert git_bin is not None
    (bin_dir / "git").symlink_to(git_bin)
    monkeypatch.setenv("PATH", str(bin_dir))
    r = run(podinfo, "--engine", "auto", "status", "-o", "json")
    rows = {row["env"]: row for row in json.loads(r.stdout)}
    assert rows["dev"]["error"] is None
    assert "internal.config.kubernetes.io/refBy" in rows["production"]["error"]
    assert r.exit_code == 3
    assert "install kustomize or kubectl" in r.stderr


@needs_external
def test_auto_never_fetches_a_remote_base(podinfo: Path) -> None:
    kust = podinfo / "deploy/overlays/dev/kustomization.yaml"
    kust.write_text(kust.read_text() + "  - https://github.com/stefanprodan/podinfo//kustomize?ref=6.14.1\n")
    r = run(podinfo, "--engine", "auto", "status", "podinfo", "--env", "dev", "-o", "json")
    assert r.exit_code == 3
    [row] = json.loads(r.stdout)
    assert row["engine"] == "builtin" and "remote" in row["error"]
    assert "fetches nothing" in r.stderr


@pytest.mark.skipif(shutil.which("kustomize") is not None or shutil.which("kubectl") is None,
                    reason="needs kubectl on PATH and kustomize absent")
def test_a_missing_engine_hint_names_the_one_installed(podinfo: Path) -> None:
    r = run(podinfo, "--engine", "kustomize", "render", str(podinfo / "deploy/overlays/dev"))
    assert r.exit_code == 3
    assert "kustomize not found" in r.stderr and "--engine kubectl" in r.stderr


EXEC_FUNCTION = """\
apiVersion: someteam.example.com/v1
kind: ValueAnnotator
metadata:
  name: labels
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: ./annotate.sh
value: important
"""


@pytest.fixture
def exec_function(podinfo: Path) -> Path:
    """staging's plugin made a KRM exec function whose program leaves a mark when it runs."""
    overlay = podinfo / "deploy/overlays/staging"
    (overlay / "labels.yaml").write_text(EXEC_FUNCTION)
    (overlay / "annotate.sh").write_text(f"#!/bin/sh\ntouch {podinfo}/ran\ncat\n")
    (overlay / "annotate.sh").chmod(0o755)
    git(podinfo, "add", "-A")
    git(podinfo, "commit", "-qm", "an exec function")
    return podinfo


PLUGIN = ("the plugin someteam.example.com/v1/ValueAnnotator in `transformers` runs a program (an exec, Go or KRM "
          "function plugin); gitshift renders no plugins")


@pytest.mark.parametrize("engine", ["auto", "builtin"])
def test_an_exec_plugin_is_refused_naming_it_and_what_is_needed(exec_function: Path, engine: str) -> None:
    before = snapshot(exec_function)
    r = run(exec_function, "--engine", engine, "set-image", "podinfo", ":6.15.0", "--env", "staging")
    assert r.exit_code == 3, r.output
    what, hint = r.stderr.splitlines()
    assert what == (f"gitshift: error: {PLUGIN} ({exec_function}/deploy/overlays/staging/kustomization.yaml)")
    assert hint.startswith("hint: gitshift runs no plugin (it would run a program the repository names), and "
                           "kubectl kustomize cannot run exec plugins at all; to shift this overlay, use a built-in "
                           "transformer (`apiVersion: builtin`) instead, or commit what the plugin makes")
    assert "rendering it with" not in r.stderr  # auto does not hand it to an external engine
    assert "Traceback" not in r.output
    assert not (exec_function / "ran").exists()
    assert snapshot(exec_function) == before


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_names_the_plugin_it_cannot_load(exec_function: Path) -> None:
    r = run(exec_function, "--engine", "kubectl", "render", str(exec_function / "deploy/overlays/staging"))
    assert r.exit_code == 3, r.output
    assert r.stderr.splitlines()[0] == (
        "gitshift: error: the plugin ValueAnnotator runs a program (an exec, Go or KRM function plugin); gitshift "
        f"gives kubectl kustomize no --enable-alpha-plugins ({exec_function}/deploy/overlays/staging)")
    assert not (exec_function / "ran").exists()


def test_a_plugin_in_a_base_names_the_overlay_that_includes_it(podinfo: Path) -> None:
    base = podinfo / "deploy/bases/frontend"
    (base / "labels.yaml").write_text(EXEC_FUNCTION)
    (base / "kustomization.yaml").write_text((base / "kustomization.yaml").read_text()
                                             + "transformers:\n  - labels.yaml\n")
    r = run(podinfo, "--engine", "auto", "status", "podinfo", "--env", "dev", "-o", "json")
    assert r.exit_code == 3, r.output
    [row] = json.loads(r.stdout)
    assert row["error"] == (f"{PLUGIN}, and the overlay deploy/overlays/dev includes it "
                            f"({base}/kustomization.yaml)")
