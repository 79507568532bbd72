"""Whole gate runs: Argo CD (fake, read once) and a real Prometheus, over many envs."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.argocd_fake import ArgoCDServer, FakeApp, ago

from gitshift.config import Config, parse
from gitshift.errors import ConfigError, GateError
from gitshift.gates.argocd import ArgoCD
from gitshift.gates.prometheus import Prometheus
from gitshift.gates.run import Subject, evaluate

from .conftest import History

ERRORS = ('sum(rate(http_requests_total{namespace="${namespace}",deployment="${canary}",code=~"5.."}[1m]))'
          ' / sum(rate(http_requests_total{namespace="${namespace}",deployment="${canary}"}[1m]))')


def config(envs: int = 3, extra: str = "") -> Config:
    lines = ["gates:", "  argocd: {url: http://argocd.invalid}", "  prometheus: {url: http://prometheus.invalid}",
             "apps:", "  web:", "    envs:"]
    for i in range(envs):
        lines += [
            f"      e{i}:",
            f"        overlay: overlays/e{i}",
            "        strategy: canary",
            "        analysis:",
            "          bake: 1m",
            "          checks:",
            f"          - {{name: error-rate, query: '{ERRORS}', max: 0.01}}",
            "          - {name: latency, query: 'latency_p99_seconds{deployment=\"${canary}\"}', max: 0.3}",
            *extra.splitlines(),
        ]
    return parse("\n".join(lines) + "\n", Path("gitshift.yaml"), Path())


def names(canary: str) -> dict[str, str]:
    return {"app": "web", "env": "x", "namespace": "shop", "stable": "web", "canary": canary,
            "service": "web", "canary_service": canary}


def test_many_envs_one_argocd_call_and_real_promql(argocd_server: ArgoCDServer, argocd: ArgoCD,
                                                   prometheus: Prometheus, history: History) -> None:
    cfg = config(3)
    fake = argocd_server.argocd
    fake.add(FakeApp("web-e0", [history.after]))                         # settled, good canary
    fake.add(FakeApp("web-e1", [history.after]))                         # settled, bad canary
    fake.add(FakeApp("web-e2", [history.before], sync="OutOfSync"))      # not there yet
    subjects = [Subject(cfg.env("web", "e0"), history.shift, names("web-canary")),
                Subject(cfg.env("web", "e1"), history.shift, names("bad-canary")),
                Subject(cfg.env("web", "e2"), history.shift, names("web-canary"))]
    results = evaluate(subjects, argocd, prometheus, history.contains)
    assert len(argocd_server.requests) == 1 and argocd_server.requests[0].target == "/api/v1/applications"
    assert [(r.env, r.verdict) for r in results] == [("e0", "pass"), ("e1", "fail"), ("e2", "wait")]
    good, bad, waiting = (r.to_json() for r in results)
    assert [g["kind"] for g in good["gates"]] == ["argocd", "bake", "prometheus", "prometheus"]
    assert good["gates"][2]["value"] == pytest.approx(5 / 1005) and good["gates"][3]["value"] == 0.25
    assert bad["reason"] == "error-rate: 0.0909091 is past max 0.01"
    assert [g["verdict"] for g in waiting["gates"]] == ["wait", "wait", "wait", "wait"]
    assert waiting["gates"][2]["detail"] == "not queried: waits for Argo CD"


def test_a_failing_check_fails_while_baking(argocd_server: ArgoCDServer, argocd: ArgoCD, prometheus: Prometheus,
                                            history: History) -> None:
    argocd_server.argocd.add(FakeApp("web-e0", [history.after], finished_at=ago(10)))
    [result] = evaluate([Subject(config(1).env("web", "e0"), history.shift, names("bad-canary"))],
                        argocd, prometheus, history.contains)
    assert result.verdict == "fail"
    assert [g.verdict for g in result.gates] == ["pass", "wait", "fail", "wait"]  # no latency data yet: waits


@pytest.mark.parametrize(("finished", "on_no_data", "verdict"),
                         [(10, "fail", "wait"), (600, "fail", "fail"), (600, "pass", "pass"), (600, "wait", "wait")])
def test_no_data_waits_while_baking_then_follows_on_no_data(
    argocd_server: ArgoCDServer, argocd: ArgoCD, prometheus: Prometheus, history: History,
    finished: int, on_no_data: str, verdict: str,
) -> None:
    argocd_server.argocd.add(FakeApp("web-e0", [history.after], finished_at=ago(finished)))
    cfg = config(1, extra=f"          on_no_data: {on_no_data}")
    [result] = evaluate([Subject(cfg.env("web", "e0"), history.shift, names("nobody-canary"))],
                        argocd, prometheus, history.contains)
    assert result.verdict == verdict


def test_a_placeholder_without_a_value_is_a_config_error_before_any_call(
    argocd_server: ArgoCDServer, argocd: ArgoCD, prometheus: Prometheus, history: History,
) -> None:
    subject = Subject(config(1).env("web", "e0"), history.shift, {"namespace": "shop"})
    with pytest.raises(ConfigError) as caught:
        evaluate([subject], argocd, prometheus, history.contains)
    err = caught.value
    assert err.exit_code == 2 and err.where == "gitshift.yaml"
    assert err.what == "apps.web.envs.e0.analysis.checks[0].query: ${canary} has no value in this env"
    assert argocd_server.requests == []


def test_a_range_query_is_a_config_error(argocd_server: ArgoCDServer, argocd: ArgoCD, prometheus: Prometheus,
                                         history: History) -> None:
    argocd_server.argocd.add(FakeApp("web-e0", [history.after]))
    cfg = parse("""
gates: {argocd: {url: http://a.invalid}, prometheus: {url: http://p.invalid}}
apps: {web: {envs: {e0: {overlay: o, analysis: {checks: [{name: r, query: 'ready_ratio[1m]', max: 1}]}}}}}
""", Path("gitshift.yaml"), Path())
    with pytest.raises(ConfigError, match=r"checks\[0\]\.query gives a matrix"):
        evaluate([Subject(cfg.env("web", "e0"), history.shift)], argocd, prometheus, history.contains)


def test_an_error_answer_decides_nothing(argocd_server: ArgoCDServer, argocd: ArgoCD, prometheus: Prometheus,
                                         history: History) -> None:
    argocd_server.argocd.add(FakeApp("web-e0", [history.after]))
    cfg = parse("""
gates: {argocd: {url: http://a.invalid}, prometheus: {url: http://p.invalid}}
apps: {web: {envs: {e0: {overlay: o, analysis: {checks: [{name: r, query: 'rate(up[1m]', max: 1}]}}}}}
""", Path("gitshift.yaml"), Path())
    with pytest.raises(GateError) as caught:
        evaluate([Subject(cfg.env("web", "e0"), history.shift)], argocd, prometheus, history.contains)
    assert caught.value.exit_code == 3
