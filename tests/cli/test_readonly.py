"""Read-only commands: status, render, diff, check, history."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import git, run


def test_status_json_shape(example_repo: Path) -> None:
    r = run(example_repo, "status", "-o", "json")
    assert r.exit_code == 0, r.output
    rows = {row["env"]: row for row in json.loads(r.stdout)}
    assert set(rows) == {"dev", "staging", "production", "production-canary", "production-istio",
                         "production-gateway", "production-replicas"}
    keys = {"schema", "app", "env", "overlay", "strategy", "traffic", "images", "active", "preview", "weight",
            "step", "steps", "match", "replicas", "autoscaling", "controllers", "engine", "warnings", "error"}
    assert all(set(row) == keys for row in rows.values())
    assert rows["production"]["active"] == "blue"
    assert rows["production"]["preview"] == "green"
    assert rows["production-canary"]["weight"] == 0
    assert rows["production-canary"]["steps"] == [10, 25, 50, 100]
    assert rows["staging"]["replicas"] == {"web": 2}
    assert rows["staging"]["images"] == {"web": "ghcr.io/acme/web:1.0.0"}
    assert rows["production-istio"]["traffic"] == "istio" and rows["staging"]["traffic"] is None
    assert {row["engine"] for row in rows.values()} == {"builtin"}


def test_status_text_and_filter(example_repo: Path) -> None:
    r = run(example_repo, "status", "web", "--env", "production")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["APP", "ENV", "STRATEGY"]
    assert len(lines) == 2 and "active=blue" in lines[1]


def test_render_matches_kubectl_and_needs_no_config(tmp_path: Path) -> None:
    project = Path(__file__).resolve().parents[2]
    want = subprocess.run(["kubectl", "kustomize", str(project / "overlays/production")],
                          capture_output=True, text=True, check=True).stdout
    r = run(None, "render", str(project / "overlays/production"))
    assert r.exit_code == 0
    assert r.stdout == want


def test_render_all_writes_changed_files_only(example_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    first = run(example_repo, "render", "--all", "--out", str(out), "-o", "json")
    assert first.exit_code == 0, first.output
    assert len(json.loads(first.stdout)["written"]) == 7
    assert (out / "web" / "production.yaml").read_text().startswith("apiVersion")
    second = run(example_repo, "render", "--all", "--out", str(out), "-o", "json")
    assert json.loads(second.stdout)["written"] == []


def test_diff_against_head(example_repo: Path) -> None:
    assert run(example_repo, "diff").stdout == ""
    run(example_repo, "set-image", "web", ":3.0.0", "--env", "dev")
    r = run(example_repo, "diff", "web", "--env", "dev")
    assert "-        image: ghcr.io/acme/web:1.0.0" in r.stdout
    assert "+        image: ghcr.io/acme/web:3.0.0" in r.stdout


def test_check_passes_then_fails_on_broken_selector(example_repo: Path) -> None:
    assert run(example_repo, "check").exit_code == 0
    svc = example_repo / "overlays/production/service-active.yaml"
    svc.write_text(svc.read_text().replace("color: blue", "color: purple"))
    r = run(example_repo, "check", "web", "--env", "production")
    assert r.exit_code == 1
    assert "FAIL web/production" in r.stdout
    assert "matches no Deployment/Rollout pods" in r.stdout


def test_history_lists_shifts_newest_first(example_repo: Path) -> None:
    for tag in ("1.1.0", "1.2.0"):
        r = run(example_repo, "set-image", "web", f":{tag}", "--env", "staging", "--commit",
                "--branch", "release")
        assert r.exit_code == 0, r.output
    git(example_repo, "merge", "-q", "--ff-only", "release")
    r = run(example_repo, "history", "-o", "json")
    entries = json.loads(r.stdout)
    assert [e["summary"] for e in entries] == ["set-image web/staging: image 1.1.0 → 1.2.0",
                                               "set-image web/staging: image 1.0.0 → 1.1.0"]
    assert set(entries[0]) == {"schema", "commit", "date", "app", "env", "action", "summary", "error"}
    assert entries[0]["error"] is None
    assert json.loads(run(example_repo, "history", "--env", "dev", "-o", "json").stdout) == []
    assert len(json.loads(run(example_repo, "history", "-n", "1", "-o", "json").stdout)) == 1


def test_not_a_repository(tmp_path: Path) -> None:
    r = run(tmp_path, "status")
    assert r.exit_code == 2
    assert "not a git repository" in r.stderr


def test_bare_command_prints_help() -> None:
    from click.testing import CliRunner

    from gitshift.cli.app import cli

    r = CliRunner().invoke(cli, [])
    assert r.exit_code == 0
    assert "Usage:" in r.stdout and "set-image" in r.stdout


def test_symlinked_overlay_outside_repo_is_refused(example_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (example_repo / "overlays" / "evil").symlink_to(outside)
    cfg = example_repo / "gitshift.yaml"
    cfg.write_text(cfg.read_text().replace("overlay: overlays/dev\n", "overlay: overlays/evil\n"))
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "dev")
    assert r.exit_code == 2
    assert "outside the repository" in r.stderr
    assert list(outside.iterdir()) == []


COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- cm.yaml\n"
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"


def test_component_messages_and_invalid_images_item(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")  # `render PATH` reads only inside PATH's repository (`../plain` below)
    for rel, text in {"feature/kustomization.yaml": COMPONENT, "feature/cm.yaml": CONFIGMAP,
                      "plain/kustomization.yaml": "resources:\n- cm.yaml\n", "plain/cm.yaml": CONFIGMAP,
                      "overlay/kustomization.yaml": "components:\n- ../plain\n",
                      "odd/kustomization.yaml": "resources:\n- cm.yaml\nimages:\n- nginx:1.25\n",
                      "odd/cm.yaml": CONFIGMAP}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    # A Component rendered on its own renders, as kubectl kustomize renders it.
    want = subprocess.run(["kubectl", "kustomize", str(tmp_path / "feature")], capture_output=True, text=True,
                          check=True).stdout
    r = run(None, "render", str(tmp_path / "feature"))
    assert r.exit_code == 0 and r.stdout == want
    # A Kustomization listed in `components`: the message names what was expected and what was found.
    r = run(None, "render", str(tmp_path / "overlay"))
    assert r.exit_code == 2
    assert "expected kind 'Component'" in r.stderr and "but got 'Kustomization'" in r.stderr
    # An `images:` item that is not a mapping is bad input (2), not a missing feature (3).
    r = run(None, "render", str(tmp_path / "odd"))
    assert r.exit_code == 2
    assert "images" in r.stderr and "does not support" not in r.stderr
