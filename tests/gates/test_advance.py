"""gate and advance from the command line, on the example tree in a real repository.

Argo CD is the contract-checked fake, Prometheus is real; every shift is a real commit
whose trailers and rendered result (kubectl kustomize) are checked.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from tests.conftest import PROJECT, find, git, render, run, snapshot
from tests.support.argocd_fake import TOKEN, ArgoCDServer, FakeApp, ago

from .conftest import PrometheusServer

ERRORS = ('sum(rate(http_requests_total{namespace="${namespace}",deployment="${canary}",code=~"5.."}[1m]))'
          ' / sum(rate(http_requests_total{namespace="${namespace}",deployment="${canary}"}[1m]))')


def configure(repo: Path, argocd: ArgoCDServer, prometheus: PrometheusServer, canary: str = "",
              bluegreen: str = "") -> None:
    """Add gates: and the analysis of the canary and blue/green envs to the example config; commit."""
    text = (repo / "gitshift.yaml").read_text()
    text = text.replace("          steps: [10, 25, 50, 100]\n      production-istio:",
                        "          steps: [10, 25, 50, 100]\n"
                        "        analysis:\n"
                        "          bake: 5m\n"
                        f"          checks: [{{name: error-rate, query: '{ERRORS}', max: 0.01}}]\n"
                        f"{canary}"
                        "      production-istio:", 1)
    text = text.replace("          colors: {blue: web-blue, green: web-green}\n",
                        "          colors: {blue: web-blue, green: web-green}\n"
                        "        analysis:\n"
                        "          bake: 2m\n"
                        "          checks: [{name: ready, query: 'ready_ratio{deployment=\"${preview}\"}', min: 0.9}]\n"
                        f"{bluegreen}", 1)
    text += (f"gates:\n  argocd: {{url: '{argocd.url}', namespace: argocd}}\n"
             f"  prometheus: {{url: '{prometheus.url}'}}\n  retries: 2\n  timeout: 5\n")
    (repo / "gitshift.yaml").write_text(text)
    git(repo, "commit", "-qam", "gates")


def cli(repo: Path, *args: str, token: str | None = TOKEN) -> Result:
    return run(repo, *args, env={"ARGOCD_AUTH_TOKEN": token} if token else {})


def land(repo: Path, *args: str) -> str:
    """Run a shift with --commit on a branch and merge it into main, as a merged pull request would."""
    r = cli(repo, *args, "--commit", "--branch", "step")
    assert r.exit_code == 0, r.output
    git(repo, "merge", "-q", "--ff-only", "step")
    git(repo, "branch", "-qD", "step")
    return git(repo, "rev-parse", "HEAD").strip()


def synced(argocd: ArgoCDServer, name: str, revision: str, ago_s: float = 600, **kw: Any) -> None:
    argocd.argocd.add(FakeApp(name, [revision], finished_at=ago(ago_s), history=[([revision], ago(ago_s))], **kw))


def trailers(repo: Path, ref: str = "HEAD") -> dict[str, str]:
    out = git(repo, "log", "-1", "--format=%(trailers:only,unfold)", ref)
    return dict(line.split(": ", 1) for line in out.splitlines() if line)


def weight(repo: Path) -> str:
    objs = render(repo / "overlays/production-canary")
    return str(find(objs, "Ingress", "web-canary")["metadata"]["annotations"].get(
        "nginx.ingress.kubernetes.io/canary-weight"))


@pytest.fixture
def repo(example_repo: Path, argocd_server: ArgoCDServer, prometheus_server: PrometheusServer) -> Path:
    configure(example_repo, argocd_server, prometheus_server)
    return example_repo


def test_gate_json_and_text(repo: Path, argocd_server: ArgoCDServer) -> None:
    head = land(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":1.1.0")
    synced(argocd_server, "web-production-canary", head)
    r = cli(repo, "gate", "web", "--env", "production-canary", "-o", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["schema"], data["app"], data["env"], data["verdict"]) == (1, "web", "production-canary", "pass")
    assert [(g["kind"], g["verdict"]) for g in data["gates"]] == [("argocd", "pass"), ("bake", "pass"),
                                                                  ("prometheus", "pass")]
    assert data["gates"][2]["value"] == pytest.approx(2 / 1002)
    text = cli(repo, "gate", "web", "--env", "production-canary")
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "VERDICT", "VALUE", "THRESHOLD", "DETAIL"]
    bake = lines[2].split()
    assert bake[:3] == ["bake", "bake", "pass"] and bake[3].startswith("10m") and bake[4] == "5m"
    assert lines[-1] == "web/production-canary: pass: all 3 gates passed"
    assert all(r.target.startswith("/api/v1/applications/web-production-canary?appNamespace=argocd")
               for r in argocd_server.requests)
    assert {r.headers["Authorization"] for r in argocd_server.requests} == {f"Bearer {TOKEN}"}


def test_canary_walks_its_steps_then_promotes(repo: Path, argocd_server: ArgoCDServer) -> None:
    head = land(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":1.1.0")
    for expected in ("25", "50", "100"):
        synced(argocd_server, "web-production-canary", head)
        r = cli(repo, "canary", "advance", "web", "--env", "production-canary", "--commit", "--branch", "step")
        assert r.exit_code == 0, r.output
        assert "the gate passed: weight" in r.stdout
        git(repo, "merge", "-q", "--ff-only", "step")
        git(repo, "branch", "-qD", "step")
        head = git(repo, "rev-parse", "HEAD").strip()
        assert trailers(repo) == {"Gitshift-App": "web", "Gitshift-Env": "production-canary",
                                  "Gitshift-Action": "canary.scale", "Gitshift-Gate": "pass"}
        assert "Gate pass: all 3 gates passed" in git(repo, "log", "-1", "--format=%B")
        assert weight(repo) == expected
    synced(argocd_server, "web-production-canary", head)
    r = cli(repo, "canary", "advance", "web", "--env", "production-canary", "-o", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["verdict"], data["action"], data["shift"]["changed"]) == ("pass", "canary.promote", True)
    objs = render(repo / "overlays/production-canary")
    assert find(objs, "Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.1.0")
    assert find(objs, "Deployment", "web-canary")["spec"]["replicas"] == 0


# Every waiting state is covered in test_verdict; these go through the command line.
@pytest.mark.parametrize("state", [{"revisions": "before"}, {"health": "Progressing"}, {"ago_s": 30}])
def test_wait_writes_nothing_and_exits_75(repo: Path, argocd_server: ArgoCDServer, state: dict[str, Any]) -> None:
    before_deploy = git(repo, "rev-parse", "HEAD").strip()
    head = land(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":1.1.0")
    revision = before_deploy if state.pop("revisions", None) else head
    synced(argocd_server, "web-production-canary", revision, **state)
    kept = snapshot(repo)
    r = cli(repo, "canary", "advance", "web", "--env", "production-canary", "--commit")
    assert r.exit_code == 75, r.output
    assert "nothing written" in r.stdout
    assert snapshot(repo) == kept


def test_failed_gate_rolls_back_with_a_fail_trailer(repo: Path, argocd_server: ArgoCDServer) -> None:
    head = land(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":1.1.0")
    synced(argocd_server, "web-production-canary", head, health="Degraded", health_message="CrashLoopBackOff")
    r = cli(repo, "canary", "advance", "web", "--env", "production-canary", "--commit", "--branch", "step")
    assert r.exit_code == 1, r.output
    assert "web/production-canary: fail: web-production-canary: the Application is Degraded: CrashLoopBackOff" \
        in r.stdout
    assert trailers(repo, "step")["Gitshift-Action"] == "canary.rollback"
    assert trailers(repo, "step")["Gitshift-Gate"] == "fail"
    git(repo, "checkout", "-q", "step")
    assert weight(repo) == "0"


def test_hold_writes_nothing_and_exits_1(example_repo: Path, argocd_server: ArgoCDServer,
                                         prometheus_server: PrometheusServer) -> None:
    configure(example_repo, argocd_server, prometheus_server, canary="          on_failure: hold\n")
    head = land(example_repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":1.1.0")
    synced(argocd_server, "web-production-canary", head, phase="Failed", op_message="hook failed")
    kept = snapshot(example_repo)
    r = cli(example_repo, "canary", "advance", "web", "--env", "production-canary", "--commit")
    assert r.exit_code == 1 and "on_failure is hold" in r.stdout
    assert snapshot(example_repo) == kept


def test_bluegreen_preview_promote_then_finish(repo: Path, argocd_server: ArgoCDServer) -> None:
    head = land(repo, "bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0")
    synced(argocd_server, "web-production", head)
    r = cli(repo, "bluegreen", "advance", "web", "--env", "production", "--commit", "--branch", "step", "-o", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["action"] == "bluegreen.promote" and data["gates"][2]["value"] == 1.0  # ready_ratio of web-green
    git(repo, "merge", "-q", "--ff-only", "step")
    git(repo, "branch", "-qD", "step")
    head = git(repo, "rev-parse", "HEAD").strip()
    assert find(render(repo / "overlays/production"), "Service", "web")["spec"]["selector"]["color"] == "green"

    # Promoted a minute ago: ${preview} still names the color being released (web-green), which bakes 2m.
    synced(argocd_server, "web-production", head, ago_s=60)
    r = cli(repo, "bluegreen", "advance", "web", "--env", "production")
    assert r.exit_code == 75 and "of 2m since the sync finished" in r.stdout
    synced(argocd_server, "web-production", head, ago_s=180)
    kept = snapshot(repo)
    r = cli(repo, "bluegreen", "advance", "web", "--env", "production", "--dry-run", "-o", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["action"] == "bluegreen.finish"
    assert snapshot(repo) == kept
    synced(argocd_server, "web-production", head, ago_s=180, health="Degraded")
    r = cli(repo, "bluegreen", "advance", "web", "--env", "production", "-o", "json")
    assert r.exit_code == 1, r.output
    assert json.loads(r.stdout)["action"] == "bluegreen.rollback"
    assert find(render(repo / "overlays/production"), "Service", "web")["spec"]["selector"]["color"] == "blue"


def test_advance_all_reads_argocd_once(repo: Path, argocd_server: ArgoCDServer) -> None:
    head = land(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":1.1.0")
    head = land(repo, "bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0")
    synced(argocd_server, "web-production-canary", head)
    synced(argocd_server, "web-production", head, ago_s=20)
    r = cli(repo, "advance", "--all", "-o", "json")
    assert r.exit_code == 75, r.output  # the canary steps on, blue/green still bakes
    data = json.loads(r.stdout)
    by_env = {d["env"]: d for d in data}
    assert set(by_env) == {"production", "production-canary", "production-istio", "production-gateway",
                           "production-replicas"}
    assert (by_env["production-canary"]["verdict"], by_env["production-canary"]["action"]) == ("pass",
                                                                                               "canary.scale")
    assert (by_env["production"]["verdict"], by_env["production"]["action"]) == ("wait", None)
    assert by_env["production-istio"]["verdict"] is None
    assert [c.target.split("?")[0] for c in argocd_server.requests] == ["/api/v1/applications"]
    assert weight(repo) == "25"  # written to the working tree


def test_errors(repo: Path, argocd_server: ArgoCDServer) -> None:
    head = land(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":1.1.0")
    synced(argocd_server, "web-production-canary", head)
    kept = snapshot(repo)
    bad = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.V3JvbmdUb2tlblRoYXRNdXN0TmV2ZXJMZWFr"
    r = cli(repo, "-v", "canary", "advance", "web", "--env", "production-canary", token=bad)
    assert r.exit_code == 3
    assert "gitshift: error: Argo CD refused to read Application 'web-production-canary': status 401" in r.output
    assert bad not in r.output and TOKEN not in r.output
    r = cli(repo, "gate", "web", "--env", "staging")
    assert r.exit_code == 3 and "status 403: permission denied" in r.output  # no Application web-staging
    r = cli(repo, "canary", "advance", "web", "--env", "production")
    assert r.exit_code == 2 and "is a bluegreen env, not canary" in r.output
    r = cli(repo, "advance")
    assert r.exit_code == 2 and "give --all" in r.output
    assert snapshot(repo) == kept


def verdicts_step(result: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run examples/github/advance.yml's Verdicts step on an `advance --all -o json` result."""
    workflow = yaml.safe_load((PROJECT / "examples/github/advance.yml").read_text())
    (step,) = [s for s in workflow["jobs"]["advance"]["steps"] if s.get("name") == "Verdicts"]
    summary = tmp_path / "summary.md"
    summary.write_text("")
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          env={**os.environ, "RESULT": result, "GITHUB_STEP_SUMMARY": str(summary)},
                          capture_output=True, text=True, check=False)


def test_the_example_workflow_reads_the_verdicts(repo: Path, argocd_server: ArgoCDServer, tmp_path: Path) -> None:
    head = land(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":1.1.0")
    synced(argocd_server, "web-production-canary", head, ago_s=20)
    waiting = cli(repo, "advance", "--all", "--dry-run", "-o", "json")
    assert waiting.exit_code == 75
    proc = verdicts_step(json.dumps(json.loads(waiting.stdout), separators=(",", ":")), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "| web | production-canary | wait | - | bake: baked" in (tmp_path / "summary.md").read_text()
    synced(argocd_server, "web-production-canary", head, health="Degraded")
    failed = cli(repo, "advance", "--all", "--dry-run", "-o", "json")
    assert failed.exit_code == 1
    proc = verdicts_step(failed.stdout, tmp_path)
    assert proc.returncode == 1 and "failed gates (rolled back, or held): web/production-canary" in proc.stderr
    assert verdicts_step("", tmp_path).returncode == 1


def test_placeholders_of_each_strategy(repo: Path) -> None:
    from gitshift.config import load
    from gitshift.render import get_renderer
    from gitshift.shift.gate import read

    config = load(repo / "gitshift.yaml", repo)
    envs = [config.env("web", e) for e in ("staging", "production", "production-canary")]
    staging, production, canary = (x.names for x in read(config, get_renderer("builtin"), envs))
    assert staging == {"app": "web", "env": "staging", "namespace": "hello-staging"}
    assert production == {"app": "web", "env": "production", "namespace": "hello-production", "active": "web-blue",
                          "preview": "web-green", "service": "web", "preview_service": "web-preview"}
    assert canary == {"app": "web", "env": "production-canary", "namespace": "hello-canary", "stable": "web",
                      "canary": "web-canary", "service": "web", "canary_service": "web-canary"}
