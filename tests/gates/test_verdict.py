"""Argo CD and bake verdicts, read through the contract-checked fake, over a real git history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.support.argocd_fake import ArgoCDServer, FakeApp, ago

from gitshift.config import Check, EnvConfig, parse
from gitshift.gates.argocd import Application, ArgoCD
from gitshift.gates.prometheus import Measurement, Series
from gitshift.gates.run import Subject, evaluate
from gitshift.gates.verdict import Gate, check_gate, decide

from .conftest import History

CONFIG = """
gates:
  argocd: {url: http://argocd.invalid}
apps:
  web:
    envs:
      prod:
        overlay: overlays/prod
        analysis: {bake: 5m}
"""


def env(text: str = CONFIG) -> EnvConfig:
    """The ``web``/``prod`` env of a config text."""
    return parse(text, Path("gitshift.yaml"), Path()).env("web", "prod")


def run(argocd: ArgoCD, history: History, commit: str | None = "shift") -> dict[str, Any]:
    sha = getattr(history, commit) if commit else None
    [result] = evaluate([Subject(env(), sha)], argocd, None, history.contains)
    data = result.to_json()
    assert result.exit_code == {"pass": 0, "fail": 1, "wait": 75}[result.verdict]
    return data


def scenario(commits: History, **kw: Any) -> FakeApp:
    """The Application ``web-prod``; revisions may name commits of ``commits`` (``shift``)."""
    def sha(name: str) -> str:
        return str(getattr(commits, name, name))

    revisions = [sha(r) for r in kw.pop("revisions", ["after"])]
    if "finished_ago" in kw:  # taken when the test runs, not when it is collected (minutes earlier under load)
        kw["finished_at"] = ago(kw.pop("finished_ago"))
    if "op_revisions" in kw:
        kw["op_revisions"] = [sha(r) for r in kw["op_revisions"]]
    return FakeApp("web-prod", revisions, **kw)


@pytest.mark.parametrize(
    ("state", "verdict", "gate", "detail"),
    [
        ({}, "pass", "bake", "baked 10m"),
        ({"revisions": ["shift"]}, "pass", "bake", "baked 10m"),
        ({"revisions": ["before"]}, "wait", "argocd", "does not contain"),
        ({"revisions": ["side"]}, "wait", "argocd", "does not contain"),
        ({"revisions": ["f" * 40]}, "wait", "argocd", "not known here yet"),
        ({"sync": "OutOfSync"}, "wait", "argocd", "sync status is OutOfSync"),
        ({"sync": "Unknown"}, "wait", "argocd", "sync status is Unknown"),
        ({"health": "Progressing", "health_message": "Waiting for rollout"}, "wait", "argocd",
         "health is Progressing, not Healthy: Waiting for rollout"),
        ({"health": "Suspended"}, "wait", "argocd", "health is Suspended"),
        ({"health": "Missing"}, "wait", "argocd", "health is Missing"),
        ({"health": "Degraded", "health_message": "Deployment exceeded its progress deadline"}, "fail", "argocd",
         "Degraded: Deployment exceeded its progress deadline"),
        ({"health": "Degraded", "revisions": ["before"]}, "fail", "argocd", "Degraded"),
        ({"phase": "Running", "op_message": "waiting for healthy state"}, "wait", "argocd",
         "an operation is running: waiting for healthy state"),
        ({"phase": "Terminating"}, "wait", "argocd", "an operation is terminating"),
        ({"phase": "Failed", "op_message": "one or more objects failed to apply"}, "fail", "argocd",
         "the last sync ended failed: one or more objects failed to apply"),
        ({"phase": "Error", "sync": "OutOfSync", "op_revisions": ["shift"], "revisions": ["shift"]}, "fail",
         "argocd", "ended error"),
        # A failed sync of an older revision is not this step's: wait for Argo CD to reach the commit.
        ({"phase": "Failed", "sync": "OutOfSync", "revisions": ["before"]}, "wait", "argocd", "does not contain"),
        ({"revisions": ["after", "1.4.2"]}, "pass", "bake", "baked"),
        ({"revisions": ["before", "1.4.2"]}, "wait", "argocd", "does not contain"),
        ({"finished_ago": 60}, "wait", "bake", "of 5m since the sync finished at"),
        ({"phase": None}, "wait", "bake", "no finished sync"),
    ],
)
def test_argocd_states(argocd_server: ArgoCDServer, argocd: ArgoCD, history: History, state: dict[str, Any],
                       verdict: str, gate: str, detail: str) -> None:
    argocd_server.argocd.add(scenario(history, **state))
    data = run(argocd, history)
    assert data["verdict"] == verdict
    decided = next(g for g in data["gates"] if g["kind"] == gate)
    assert detail in decided["detail"]
    if verdict != "pass":
        assert data["reason"].startswith(f"{decided['name']}: ")


def test_json_shape(argocd_server: ArgoCDServer, argocd: ArgoCD, history: History) -> None:
    argocd_server.argocd.add(scenario(history, finished_at=ago(90), history=[([history.after], ago(90))]))
    data = run(argocd, history)
    assert list(data) == ["schema", "app", "env", "verdict", "reason", "gates"]
    assert (data["schema"], data["app"], data["env"], data["verdict"]) == (1, "web", "prod", "wait")
    argo, bake = data["gates"]
    assert argo == {"name": "web-prod", "kind": "argocd", "verdict": "pass", "value": "Synced/Healthy",
                    "threshold": f"Synced/Healthy at {history.shift[:12]}",
                    "detail": f"Synced and Healthy at {history.after[:12]}"}
    assert list(bake) == ["name", "kind", "verdict", "value", "threshold", "detail"]
    assert (bake["name"], bake["verdict"], bake["threshold"]) == ("bake", "wait", 300)
    assert 89 <= bake["value"] <= 95
    assert data["reason"].startswith("bake: baked 1m")


def test_bake_counts_from_the_sync_that_brought_the_commit(argocd_server: ArgoCDServer, argocd: ArgoCD,
                                                            history: History) -> None:
    # The shift was deployed 20 minutes ago; a later commit re-synced a minute ago.
    argocd_server.argocd.add(scenario(history, finished_at=ago(60),
                                      history=[([history.before], ago(3600)), ([history.shift], ago(1200)),
                                               ([history.after], ago(60))]))
    data = run(argocd, history)
    assert data["verdict"] == "pass"
    assert 1195 <= data["gates"][1]["value"] <= 1210


def test_a_commit_this_app_never_synced_bakes_from_the_last_sync(argocd_server: ArgoCDServer, argocd: ArgoCD,
                                                                  history: History) -> None:
    # Argo CD compares against `after`, but the last sync applied `before`: the shift changed nothing here.
    argocd_server.argocd.add(scenario(history, op_revisions=["before"], finished_at=ago(400)))
    data = run(argocd, history)
    assert data["verdict"] == "pass" and 395 <= data["gates"][1]["value"] <= 410


def test_without_a_commit_any_revision_will_do(argocd_server: ArgoCDServer, argocd: ArgoCD,
                                               history: History) -> None:
    argocd_server.argocd.add(scenario(history, revisions=["side"]))
    data = run(argocd, history, commit=None)
    assert data["verdict"] == "pass" and data["gates"][0]["threshold"] == "Synced/Healthy"


def _app(**kw: Any) -> Application:
    return Application(name="a", sync="Synced", revisions=("r",), health="Healthy", health_message="",
                       operation=None, history=(), **kw)


def test_decide_fail_beats_wait_beats_pass() -> None:
    gates = [Gate("a", "argocd", "pass", None, None, "ok"), Gate("b", "bake", "wait", 1, 2, "later"),
             Gate("c", "prometheus", "fail", 3.0, "max 1", "3 is past max 1")]
    assert decide("web", "prod", gates).reason == "c: 3 is past max 1"
    assert decide("web", "prod", gates[:2]).verdict == "wait"
    result = decide("web", "prod", gates[:1])
    assert (result.verdict, result.reason, result.exit_code) == ("pass", "all 1 gates passed", 0)


def test_a_check_reports_the_series_nearest_its_bound() -> None:
    measured = Measurement("q", (Series({"pod": "a"}, 0.2), Series({"pod": "b"}, 0.8), Series({"pod": "c"}, 0.5)))
    gate = check_gate(Check("x", "q", min=0.1, max=0.9), measured, "wait", False)
    assert (gate.verdict, gate.value) == ("pass", 0.8)
    assert gate.detail == "0.8 is within min 0.1, max 0.9 (3 series)"


def test_times_are_utc_aware() -> None:
    from gitshift.gates.argocd import parse_time

    assert parse_time("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert parse_time(None) is None
    with pytest.raises(ValueError):
        parse_time("2024-05-01T10:00:00")
