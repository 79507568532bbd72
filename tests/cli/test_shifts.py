"""Shift commands end to end on real repositories, verified with kubectl kustomize."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.conftest import find, git, render, run, snapshot

IMG = "ghcr.io/acme/web"
DIGEST = "sha256:" + "ab" * 32


def image_of(repo: Path, overlay: str, name: str) -> str:
    dep = find(render(repo / overlay), "Deployment", name)
    return str(dep["spec"]["template"]["spec"]["containers"][0]["image"])


def test_set_image_rolling_edits_images_entry(example_repo: Path) -> None:
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging")
    assert r.exit_code == 0, r.output
    assert "set-image web/staging: image 1.0.0 → 1.1.0" in r.stdout
    assert image_of(example_repo, "overlays/staging", "web") == f"{IMG}:1.1.0"
    diff = git(example_repo, "diff", "--", "overlays")
    assert "-  newTag: 1.0.0\n+  newTag: 1.1.0" in diff
    assert git(example_repo, "status", "--porcelain").split() == ["M", "overlays/staging/kustomization.yaml"]


@pytest.mark.parametrize(("ref", "want"), [
    (f"{IMG}:2.0.0", f"{IMG}:2.0.0"),
    (f"{IMG}@{DIGEST}", f"{IMG}@{DIGEST}"),
    (":2.0.1", f"{IMG}:2.0.1"),
])
def test_set_image_reference_forms(example_repo: Path, ref: str, want: str) -> None:
    r = run(example_repo, "set-image", "web", ref, "--env", "dev")
    assert r.exit_code == 0, r.output
    assert image_of(example_repo, "overlays/dev", "web") == want


def test_set_image_recreate_keeps_strategy(example_repo: Path) -> None:
    assert run(example_repo, "set-image", "web", ":1.5.0", "--env", "dev").exit_code == 0
    dep = find(render(example_repo / "overlays/dev"), "Deployment", "web")
    assert dep["spec"]["strategy"] == {"type": "Recreate"}


def test_rolling_knobs_are_set(example_repo: Path) -> None:
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "50%",
            "--max-unavailable", "0")
    assert r.exit_code == 0, r.output
    dep = find(render(example_repo / "overlays/staging"), "Deployment", "web")
    assert dep["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "50%", "maxUnavailable": 0}


def test_knobs_alone_are_named_in_the_summary(example_repo: Path) -> None:
    r = run(example_repo, "set-image", "web", ":1.0.0", "--env", "staging", "--max-surge", "1",
            "--max-unavailable", "0", "--commit")
    assert r.exit_code == 0, r.output
    title = ("set-image web/staging: strategy.rollingUpdate.maxSurge - → 1, "
             "strategy.rollingUpdate.maxUnavailable - → 0")
    assert r.stdout.splitlines()[0] == title
    assert git(example_repo, "log", "-1", "--format=%s", "gitshift/web/staging/set-image").strip() == title


def test_both_knobs_zero_is_refused(example_repo: Path) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "0",
            "--max-unavailable", "0")
    assert r.exit_code == 1
    assert "maxSurge and maxUnavailable are both 0" in r.stderr
    assert snapshot(example_repo) == before


def test_noop_when_already_in_place(example_repo: Path) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", ":1.0.0", "--env", "staging")
    assert r.exit_code == 0
    assert "already in place" in r.stdout
    assert snapshot(example_repo) == before


@pytest.mark.parametrize(("args", "needle"), [
    (("set-image", "nope", ":1", "--env", "staging"), "unknown app 'nope'"),
    (("set-image", "web", ":1", "--env", "qa"), "unknown env 'qa'"),
    (("set-image", "web", "Bad Image!", "--env", "staging"), "invalid image reference"),
    (("set-image", "web", f"{IMG}@sha256:abc", "--env", "staging"), "invalid image digest"),
    (("set-image", "web", "other/image:1", "--env", "staging"), "is not the app's image"),
    (("set-image", "web", ":1", "--env", "staging", "--max-surge", "lots"), "invalid --max-surge"),
    (("-o", "yaml", "status"), "Invalid value for '-o'"),
    (("set-image", "web", ":1", "--env", "staging", "--pr"), "--pr needs a forge"),
])
def test_bad_input_exit_2_and_nothing_changes(example_repo: Path, args: tuple[str, ...], needle: str) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, *args)
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("gitshift: error: ")
    assert needle in r.stderr
    assert "Traceback" not in r.output
    assert snapshot(example_repo) == before


def test_malformed_overlay_yaml_names_the_file(example_repo: Path) -> None:
    (example_repo / "overlays/staging/ingress-host.yaml").write_text("- op: [unclosed\n")
    git(example_repo, "commit", "-qam", "break")
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging")
    assert r.exit_code == 2, r.output
    assert "ingress-host.yaml" in r.stderr
    assert snapshot(example_repo) == before


def test_require_digest_refuses_a_tag(example_repo: Path) -> None:
    cfg = example_repo / "gitshift.yaml"
    cfg.write_text(cfg.read_text().replace("strategy: rolling", "strategy: rolling\n        require_digest: true"))
    git(example_repo, "commit", "-qam", "digest")
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging")
    assert r.exit_code == 1
    assert "has no digest" in r.stderr
    assert snapshot(example_repo) == before
    ok = run(example_repo, "set-image", "web", f":1.1.0@{DIGEST}", "--env", "staging")
    assert ok.exit_code == 0, ok.output


def test_dry_run_writes_nothing(example_repo: Path) -> None:
    before = snapshot(example_repo)
    r = run(example_repo, "set-image", "web", ":9.9.9", "--env", "staging", "--dry-run")
    assert r.exit_code == 0
    assert "+        image: ghcr.io/acme/web:9.9.9" in r.stdout
    assert snapshot(example_repo) == before


def test_commit_leaves_checkout_alone(example_repo: Path) -> None:
    (example_repo / "notes.txt").write_text("uncommitted work\n")
    before = snapshot(example_repo)
    r = run(example_repo, "-o", "json", "set-image", "web", ":1.1.0", "--env", "staging", "--commit")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["branch"] == "gitshift/web/staging/set-image"
    after = snapshot(example_repo)
    assert (after.head, after.branch, after.status, after.hashes) == (before.head, before.branch, before.status,
                                                                      before.hashes)
    msg = git(example_repo, "log", "-1", "--format=%B", data["branch"])
    assert "Gitshift-App: web\nGitshift-Env: staging\nGitshift-Action: set-image" in msg
    assert git(example_repo, "show", "--stat", "--format=", data["branch"]).split()[0] == \
        "overlays/staging/kustomization.yaml"
    assert not git(example_repo, "worktree", "list").count("\n") > 1
    again = run(example_repo, "-o", "json", "set-image", "web", ":1.1.0", "--env", "staging", "--commit")
    assert json.loads(again.stdout)["changed"] is False
    assert git(example_repo, "rev-parse", data["branch"]).strip() == data["commit"]


def test_push_sends_branch_to_origin(example_repo: Path) -> None:
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push")
    assert r.exit_code == 0, r.output
    remote = git(example_repo, "ls-remote", "origin", "gitshift/web/staging/set-image")
    assert remote.split()[0] == git(example_repo, "rev-parse", "gitshift/web/staging/set-image").strip()


def test_json_shape(example_repo: Path) -> None:
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "-o", "json")
    data = json.loads(r.stdout)
    assert set(data) == {"schema", "app", "env", "action", "changed", "changes", "files", "commit", "branch",
                         "pr_url", "pr_preview", "picture", "affected", "engine"}
    assert data["picture"].startswith("flowchart LR\n")
    assert data["affected"] == [{"app": "web", "env": "staging", "overlay": "overlays/staging"}]
    assert data["engine"] == "builtin"
    assert data["changes"] == [{
        "resource": "Deployment/hello-staging/web", "path": "spec.template.spec.containers[0].image",
        "before": f"{IMG}:1.0.0", "after": f"{IMG}:1.1.0"}]
    assert data["files"] == ["overlays/staging/kustomization.yaml"]


def test_global_options_before_after_and_env(example_repo: Path) -> None:
    a = run(example_repo, "-o", "json", "status", "web", "--env", "dev")
    b = run(example_repo, "status", "web", "--env", "dev", "-o", "json")
    c = run(example_repo, "status", "web", "--env", "dev", env={"GITSHIFT_OUTPUT": "json"})
    assert json.loads(a.stdout) == json.loads(b.stdout) == json.loads(c.stdout)


def test_unsupported_kustomize_field_exit_3_and_nothing_changes(example_repo: Path) -> None:
    k = example_repo / "overlays/staging/kustomization.yaml"
    k.write_text(k.read_text() + "helmCharts:\n- name: redis\n  repo: https://charts.example.com\n")
    git(example_repo, "commit", "-qam", "helm")
    before = snapshot(example_repo)
    for args in (("render", str(example_repo / "overlays/staging")),
                 ("set-image", "web", ":1.1.0", "--env", "staging")):
        r = run(example_repo, *args)
        assert r.exit_code == 3, r.output
        assert "helmCharts" in r.stderr
        # The hint names the tools that inflate charts, asking only for those missing.
        command = "kustomize build" if shutil.which("kustomize") else "kubectl kustomize"
        assert f"inflates helmCharts with {command} --enable-helm" in r.stderr
        assert ("install helm" in r.stderr) == (shutil.which("helm") is None)
    assert snapshot(example_repo) == before


def test_quiet_prints_only_the_summary(example_repo: Path) -> None:
    r = run(example_repo, "-q", "set-image", "web", ":1.1.0", "--env", "staging")
    assert r.exit_code == 0
    assert r.stdout == "set-image web/staging: image 1.0.0 → 1.1.0\n"
