"""status, check and history on repositories with an odd env: every env that can be shown is shown.

An env that cannot be read gets a row with its error and the exit code is the worst
row's; an app whose image the overlay no longer runs is marked; ``images:`` entries
and gitshift patches that match nothing any more are warned about.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import git, run

IMG = "ghcr.io/acme/web"


def add_env(repo: Path, text: str) -> None:
    config = repo / "gitshift.yaml"
    config.write_text(config.read_text() + text)


@pytest.fixture
def odd_repo(example_repo: Path) -> Path:
    """The example tree plus an env whose configured canary does not exist in its overlay."""
    add_env(example_repo, "      odd:\n        overlay: overlays/production-canary\n        strategy: canary\n"
                          "        canary: {stable: web, canary: web-preview-canary}\n")
    return example_repo


def test_status_shows_the_other_envs_and_the_odd_one_with_its_error(odd_repo: Path) -> None:
    r = run(odd_repo, "status", "-o", "json")
    assert r.exit_code == 2
    rows = {row["env"]: row for row in json.loads(r.stdout)}
    assert len(rows) == 8 and all(rows[e]["error"] is None for e in rows if e != "odd")
    assert "web-preview-canary" in rows["odd"]["error"]
    assert rows["odd"]["images"] == {} and rows["odd"]["strategy"] == "canary"
    assert rows["production"]["active"] == "blue"
    text = run(odd_repo, "status")
    assert text.exit_code == 2
    assert len(text.stdout.splitlines()) == 9
    assert "gitshift: error: web/odd: " in text.stderr


def test_check_exit_code_is_the_worst_row(odd_repo: Path) -> None:
    r = run(odd_repo, "check", "-o", "json")
    assert r.exit_code == 2
    rows = {row["env"]: row for row in json.loads(r.stdout)}
    assert rows["odd"]["error"] and rows["staging"]["error"] is None and rows["staging"]["failures"] == []
    svc = odd_repo / "overlays/production/service-active.yaml"
    svc.write_text(svc.read_text().replace("color: blue", "color: purple"))
    assert run(odd_repo, "check").exit_code == 2  # an error outweighs a failed check
    assert run(odd_repo, "check", "web", "--env", "production").exit_code == 1


def test_an_image_the_overlay_no_longer_runs_is_marked(example_repo: Path) -> None:
    k = example_repo / "overlays/staging/kustomization.yaml"
    k.write_text(k.read_text().replace("- name: ghcr.io/acme/web\n", "- name: ghcr.io/acme/web\n"
                                       "  newName: registry.example.com/mirror/web\n"))
    r = run(example_repo, "status", "web", "--env", "staging", "-o", "json")
    assert r.exit_code == 0
    [row] = json.loads(r.stdout)
    assert row["warnings"] == ["image not found: no container runs ghcr.io/acme/web (apps.web.image)"]
    assert "image not found" in run(example_repo, "status", "web", "--env", "staging").stdout
    r = run(example_repo, "check", "web", "--env", "staging")
    assert r.exit_code == 1
    assert "image not found" in r.stdout


def test_check_warns_about_images_entries_and_patches_that_match_nothing(example_repo: Path) -> None:
    k = example_repo / "overlays/staging/kustomization.yaml"
    k.write_text(k.read_text() + "- path: gitshift-deployment-web-old.yaml\n  target:\n    kind: Deployment\n"
                                 "    name: web-old\n")
    (example_repo / "overlays/staging/gitshift-deployment-web-old.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-old\nspec:\n  replicas: 2\n")
    text = k.read_text().replace("images:\n", "images:\n- name: ghcr.io/acme/worker\n  newTag: 2.0.0\n")
    k.write_text(text)
    r = run(example_repo, "check", "web", "--env", "staging", "-o", "json")
    assert r.exit_code == 0, r.output  # warnings do not fail the check
    [row] = json.loads(r.stdout)
    assert row["failures"] == []
    assert row["warnings"] == [
        "overlays/staging/kustomization.yaml: images: entry 'ghcr.io/acme/worker' matches no container of the "
        "rendered overlay",
        "overlays/staging/kustomization.yaml: patch gitshift-deployment-web-old.yaml targets Deployment/web-old, "
        "which the overlay no longer renders",
    ]
    assert "warning: overlays/staging/kustomization.yaml: images: entry" in run(example_repo, "check").stdout


def test_placeholder_entries_are_not_stale(example_repo: Path) -> None:
    r = run(example_repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    assert r.exit_code == 0, r.output
    assert "gitshift.local/" in (example_repo / "overlays/production-canary/kustomization.yaml").read_text()
    r = run(example_repo, "check", "web", "--env", "production-canary", "-o", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["warnings"] == []


PODINFO_FRONTEND = {
    "frontend/kustomization.yaml": "resources:\n  - deployment.yaml\n  - hpa.yaml\n  - cronjob-warm-cache.yaml\n",
    "frontend/deployment.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
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
""",
    "frontend/hpa.yaml": "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: frontend\n"
                         "spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n"
                         "    name: frontend\n  minReplicas: 2\n  maxReplicas: 4\n",
    "frontend/cronjob-warm-cache.yaml": f"""\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: warm-cache
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          initContainers:
          - name: warm-cache-init
            image: {IMG}:6.14.1
          containers:
          - name: warm-cache
            image: {IMG}:6.14.1
""",
    "gitshift.yaml": f"apps:\n  webapp:\n    image: {IMG}\n    envs:\n      dev: {{overlay: frontend}}\n",
}


def test_replicas_as_the_objects_say_them(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory(PODINFO_FRONTEND)
    r = run(repo, "status", "-o", "json")
    assert r.exit_code == 0, r.output
    [row] = json.loads(r.stdout)
    assert row["images"] == {"frontend": f"{IMG}:6.14.1", "warm-cache": f"{IMG}:6.14.1"}
    assert row["replicas"] == {"frontend": None}  # autoscaled: not 1; the CronJob has no replicas
    assert row["autoscaling"] == {"frontend": {"min": 2, "max": 4}}
    line = run(repo, "status").stdout.splitlines()[1]
    assert line.rstrip().endswith("frontend=auto 2-4")


def test_history_shows_a_commit_whose_trailers_name_no_single_shift(example_repo: Path) -> None:
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--commit", "--branch", "release")
    assert r.exit_code == 0, r.output
    git(example_repo, "merge", "-q", "--ff-only", "release")
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "squashed two shifts\n\nGitshift-App: web\n"
                    "Gitshift-Env: staging\nGitshift-Env: production\nGitshift-Action: set-image\n"],
                   cwd=example_repo, check=True)
    r = run(example_repo, "history", "-o", "json")
    assert r.exit_code == 2
    entries = json.loads(r.stdout)
    assert [e["summary"] for e in entries] == ["squashed two shifts", "set-image web/staging: image 1.0.0 → 1.1.0"]
    assert entries[0]["error"] == ("the trailers do not pair up (1 Gitshift-App, 2 Gitshift-Env, 1 Gitshift-Action): "
                                   "no shift can be read from them")
    assert entries[1]["error"] is None
    text = run(example_repo, "history")
    assert len(text.stdout.splitlines()) == 3 and "the trailers do not pair up" in text.stderr
