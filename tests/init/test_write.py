"""The written gitshift.yaml: it loads, says why, and keeps envs it cannot configure as comments."""

from __future__ import annotations

from pathlib import Path

from gitshift import config
from gitshift.init.scan import AppFinding, EnvFinding, Scan
from gitshift.init.workloads import Detection
from gitshift.init.write import render

ROOT = Path("/repo")


def env(app: str, name: str, strategy: str, image: str = "ghcr.io/acme/web", **settings: object) -> EnvFinding:
    return EnvFinding(app, name, f"overlays/{name}", image, Detection(strategy, f"why {name}", settings))


SCAN = Scan((
    AppFinding("shop", "ghcr.io/acme/shop", (env("shop", "prod", "rollout", "ghcr.io/acme/shop"),)),
    AppFinding("web", "ghcr.io/acme/web", (
        env("web", "dev", "recreate", "web"),
        env("web", "prod", "bluegreen", service="web", color_label="slot",
            colors={"a": "web-a", "b": "web-b"}),
        env("web", "canary", "flagger"),
    )),
))


def load(text: str) -> config.Config:
    return config.parse(text, ROOT / "gitshift.yaml", ROOT)


# The mechanism for strategies a config does not accept, shown with rollout and flagger left out.
NOT_ALL = tuple(s for s in config.STRATEGIES if s not in ("rollout", "flagger"))


def test_envs_it_cannot_configure_are_comments_and_the_file_loads() -> None:
    text = render(SCAN, NOT_ALL)
    cfg = load(text)
    assert set(cfg.apps) == {"web"} and set(cfg.apps["web"].envs) == {"dev", "prod"}
    assert cfg.apps["web"].envs["dev"].image == "web"
    assert cfg.apps["web"].envs["prod"].bluegreen is not None
    assert cfg.apps["web"].envs["prod"].bluegreen.colors == {"a": "web-a", "b": "web-b"}
    assert "  # shop/prod: rollout (why prod).\n  # Argo Rollouts progresses this env itself;" in text
    assert ("  # shop:\n  #   image: ghcr.io/acme/shop\n  #   envs:\n  #     prod:\n"
            "  #       overlay: overlays/prod\n  #       strategy: rollout\n") in text
    assert "      # web/canary: flagger (why canary).\n" in text
    assert "      # canary:\n      #   overlay: overlays/canary\n      #   strategy: flagger\n" in text
    assert "        image: web                   # this env runs the image under another name\n" in text
    assert "      # bluegreen: why prod\n      prod:\n" in text


def test_accepted_strategies_are_written_live() -> None:
    import yaml

    raw = yaml.safe_load(render(SCAN, (*config.STRATEGIES, "rollout", "flagger")))
    assert raw["apps"]["shop"]["envs"]["prod"] == {"overlay": "overlays/prod", "strategy": "rollout"}
    assert raw["apps"]["web"]["envs"]["canary"]["strategy"] == "flagger"


def test_check_failures_are_said_in_the_file() -> None:
    text = render(SCAN, config.STRATEGIES, {("web", "dev"): ["Service/x: selector {'a': 'b'} matches no pods"]})
    assert "      # recreate: why dev\n      # gitshift check: Service/x: selector {'a': 'b'} matches no pods\n" in text
    load(text)


def test_nothing_live_is_no_file() -> None:
    assert render(Scan((SCAN.apps[0],)), NOT_ALL) == ""
