"""The ``gates:`` and ``analysis:`` keys of gitshift.yaml: defaults, values and every refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitshift.config import AnalysisConfig, ArgoCDConfig, Check, Config, GatesConfig, PrometheusConfig, duration, parse
from gitshift.errors import ConfigError
from gitshift.gates.queries import render

BASE = "apps: {web: {envs: {prod: {overlay: o%s}}}}\n"


def load(text: str) -> Config:
    return parse(text, Path("/repo/gitshift.yaml"), Path("/repo"))


def test_defaults() -> None:
    cfg = load(BASE % "")
    assert cfg.gates == GatesConfig()
    env = cfg.env("web", "prod")
    assert env.argocd_name == "web-prod"
    assert env.analysis == AnalysisConfig(bake=300, on_no_data="wait", on_failure="rollback", promote=True, checks=())


def test_everything_set() -> None:
    cfg = load("""
gates:
  argocd: {url: https://argocd.example.com/, token_env: ARGO, namespace: argocd, project: shop, selector: team=web}
  prometheus: {url: http://prometheus:9090}
  retries: 3
  timeout: 30
apps:
  web:
    envs:
      prod:
        overlay: o
        argocd_app: shop-web
        analysis:
          bake: 1h30m
          on_no_data: fail
          on_failure: hold
          promote: false
          checks:
          - {name: errors, query: 'sum(rate(x{deployment="${canary}",code=~"5.."}[5m]))', max: 0.01}
          - {name: ready, query: 'ready{d="${active}"}', min: 0.9, max: 1}
""")
    assert cfg.gates == GatesConfig(
        argocd=ArgoCDConfig("https://argocd.example.com", "ARGO", "argocd", "shop", "team=web"),
        prometheus=PrometheusConfig("http://prometheus:9090", "PROMETHEUS_TOKEN"), retries=3, timeout=30.0)
    env = cfg.env("web", "prod")
    assert env.argocd_name == "shop-web"
    assert env.analysis == AnalysisConfig(5400, "fail", "hold", False, (
        Check("errors", 'sum(rate(x{deployment="${canary}",code=~"5.."}[5m]))', max=0.01),
        Check("ready", 'ready{d="${active}"}', max=1.0, min=0.9)))


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("1h", 3600), ("1h2m3s", 3723),
                                               ("0s", 0), ("5", None), ("", None), ("5 m", None), (300, None),
                                               ("1d", None), ("m", None)])
def test_durations(text: object, seconds: float | None) -> None:
    assert duration(text) == seconds


WITH_PROM = "gates: {prometheus: {url: http://p}}\n" + BASE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gates: {argo: {}}\n" + BASE % "", "gates.argo: unknown key"),
        ("gates: {argocd: {token_env: X}}\n" + BASE % "", "gates.argocd.url: expected a non-empty string"),
        ("gates: {argocd: {url: argocd.example.com}}\n" + BASE % "", "gates.argocd.url: expected an http(s) URL"),
        ("gates: {argocd: {url: http://a, namespace: Argo_CD}}\n" + BASE % "", "gates.argocd.namespace: expected a"),
        ("gates: {prometheus: {url: http://p, token: x}}\n" + BASE % "", "gates.prometheus.token: unknown key"),
        ("gates: {retries: 0}\n" + BASE % "", "gates.retries: expected an integer 1-20"),
        ("gates: {timeout: fast}\n" + BASE % "", "gates.timeout: expected seconds"),
        (BASE % ", argocd_app: Web/Prod", "apps.web.envs.prod.argocd_app: expected a Kubernetes name"),
        (BASE % ", analysis: {bake: 300}", "apps.web.envs.prod.analysis.bake: expected a duration"),
        (BASE % ", analysis: {on_no_data: skip}", "analysis.on_no_data: expected one of wait, fail, pass"),
        (BASE % ", analysis: {on_failure: retry}", "analysis.on_failure: expected one of rollback, hold"),
        (BASE % ", analysis: {promote: yes please}", "analysis.promote: expected true or false"),
        (BASE % ", analysis: {soak: 5m}", "apps.web.envs.prod.analysis.soak: unknown key"),
        (WITH_PROM % ", analysis: {checks: {name: x}}", "analysis.checks: expected a list"),
        (WITH_PROM % ", analysis: {checks: [{name: x, query: up}]}", "checks[0]: expected max, min or both"),
        (WITH_PROM % ", analysis: {checks: [{name: x, query: up, max: low}]}", "checks[0].max: expected a number"),
        (WITH_PROM % ", analysis: {checks: [{name: x, query: up, min: 2, max: 1}]}", "checks[0].min: expected a"),
        (WITH_PROM % ", analysis: {checks: [{name: x, query: up, max: 1, step: 1}]}", "checks[0].step: unknown"),
        (WITH_PROM % ", analysis: {checks: [{query: up, max: 1}]}", "checks[0].name: expected a non-empty string"),
        (WITH_PROM % ", analysis: {checks: [{name: x, query: up, max: 1}, {name: x, query: up, max: 2}]}",
         "analysis.checks: expected checks with different names"),
        (WITH_PROM % ", analysis: {checks: [{name: x, query: 'up{pod=\"${pod}\"}', max: 1}]}",
         "apps.web.envs.prod.analysis.checks[0].query: unknown placeholder ${pod}"),
        (BASE % ", analysis: {checks: [{name: x, query: up, max: 1}]}",
         "apps.web.envs.prod.analysis.checks: checks need gates.prometheus"),
    ],
)
def test_refusals_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(text)
    assert message in caught.value.what
    assert caught.value.where == "/repo/gitshift.yaml" and caught.value.exit_code == 2


def test_unknown_placeholder_hint_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        load(WITH_PROM % ", analysis: {checks: [{name: x, query: '${Canary}', max: 1}]}")
    assert "${canary}" in caught.value.hint and "${preview_service}" in caught.value.hint


def test_render_touches_only_placeholders() -> None:
    query = ('sum(rate(x{namespace="${namespace}",deployment=~"${canary}|${stable}",code=~"5.."}[5m])) '
             'by (le) > $notaplaceholder and {__name__=~"a${"}')
    names = {"namespace": "shop", "canary": "web-canary", "stable": "web"}
    assert render(query, names, "k", "f") == (
        'sum(rate(x{namespace="shop",deployment=~"web-canary|web",code=~"5.."}[5m])) '
        'by (le) > $notaplaceholder and {__name__=~"a${"}')


def test_render_refuses_a_placeholder_this_env_lacks() -> None:
    with pytest.raises(ConfigError) as caught:
        render("up{a='${active}', p='${preview}'}", {"canary": "c"}, "apps.web.envs.prod.analysis.checks[1]",
               "gitshift.yaml")
    assert caught.value.what == ("apps.web.envs.prod.analysis.checks[1].query: ${active}, ${preview} has no value"
                                 " in this env")
    assert caught.value.hint == "placeholders this env defines: ${canary}"
