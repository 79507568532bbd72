"""Proving what init writes: each env read by its strategy as status and check will read it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import run
from tests.init.shapes import deployment, service

from gitshift import config
from gitshift.init import prove, scan
from gitshift.init.scan import AppFinding, EnvFinding, Scan
from gitshift.init.workloads import Detection
from gitshift.init.write import render
from gitshift.render import get_renderer


def test_an_env_its_strategy_cannot_read_is_set_back_to_rolling(example_repo: Path) -> None:
    found, rendered = scan(example_repo, get_renderer("builtin"))
    wrong = Detection("bluegreen", "a wrong guess", {"service": "web", "color_label": "color",
                                                      "colors": {"blue": "web-blue", "green": "web-teal"}})
    [app] = found.apps
    envs = tuple(EnvFinding(e.app, e.env, e.overlay, e.image, wrong) if e.env == "production" else e
                 for e in app.envs)
    guessed = Scan((AppFinding(app.name, app.image, envs),))
    parsed = config.parse(render(guessed, config.STRATEGIES), example_repo / "gitshift.yaml", example_repo)
    proven, failures, changed = prove(guessed, parsed, rendered)
    assert changed and failures == {}
    production = next(e for e in proven.apps[0].envs if e.env == "production")
    assert production.detection.strategy == "rolling"
    assert production.detection.notes[-1].startswith("bluegreen set aside: apps.web.envs.production.bluegreen.colors")
    others = {e.env: e.detection.strategy for e in proven.apps[0].envs if e.env != "production"}
    assert others == {e.env: e.detection.strategy for e in app.envs if e.env != "production"}


def test_what_check_will_find_is_said(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory({
        "app/kustomization.yaml": "resources:\n- d.yaml\n- s.yaml\n",
        "app/d.yaml": deployment("web", "ghcr.io/acme/web:1"),
        "app/s.yaml": service("web-old", {"app": "web-old"}),
    })
    result = run(repo, "init")
    assert result.exit_code == 0, result.output
    assert ("  gitshift check will fail: Service/web-old: selector {'app': 'web-old'} matches no "
            "Deployment/Rollout pods") in result.stdout
    assert "# gitshift check: Service/web-old: selector" in (repo / "gitshift.yaml").read_text()
    assert run(repo, "check").exit_code == 1
