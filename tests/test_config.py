"""gitshift.yaml loading and validation (docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitshift import config
from gitshift.errors import ConfigError, InputError

ROOT = Path("/repo")


def load(text: str) -> config.Config:
    return config.parse(text, ROOT / "gitshift.yaml", ROOT)


def test_defaults_derive_from_app_name() -> None:
    c = load("apps:\n  shop:\n    envs:\n      prod: {overlay: o/prod, strategy: bluegreen}\n"
             "      can: {overlay: o/can, strategy: canary}\n")
    bg = c.env("shop", "prod").bluegreen
    assert bg is not None
    assert (bg.service, bg.preview_service, bg.color_label) == ("shop", "shop-preview", "color")
    assert dict(bg.colors) == {"blue": "shop-blue", "green": "shop-green"}
    assert bg.explicit == frozenset()
    cn = c.env("shop", "can").canary
    assert cn is not None
    assert (cn.traffic, cn.stable, cn.canary, cn.route, cn.steps) == ("nginx", "shop", "shop-canary", "shop",
                                                                     (10, 25, 50, 100))
    assert c.commands.prefix == "/gitshift" and c.forge is None


def test_example_config_loads() -> None:
    project = Path(__file__).resolve().parents[1]
    c = config.load(project / "gitshift.yaml", project)
    assert [e.name for e in c.select("web")][:4] == ["dev", "staging", "production", "production-canary"]


def test_forge_defaults() -> None:
    c = load("forge: {kind: gitlab, project: g/p}\napps: {a: {envs: {e: {overlay: x}}}}\n")
    assert c.forge == config.ForgeConfig("gitlab", "g/p", "https://gitlab.com/api/v4", "main", "GITLAB_TOKEN")


@pytest.mark.parametrize(("text", "needle"), [
    ("apps: {a: {envs: {e: {overlay: ../outside}}}}", "apps.a.envs.e.overlay: '../outside' is outside"),
    ("apps: {a: {envs: {e: {overlay: /etc}}}}", "is outside the repository"),
    ("apps: {a: {envs: {e: {overlay: x, strategy: magic}}}}", "apps.a.envs.e.strategy: expected one of"),
    ("apps: {a: {envs: {e: {overlay: x, strategy: canary, canary: {steps: [50, 10]}}}}}",
     "apps.a.envs.e.canary.steps: expected a non-empty ascending list"),
    ("apps: {a: {envs: {e: {overlay: x, strategy: canary, canary: {traffic: haproxy}}}}}",
     "apps.a.envs.e.canary.traffic"),
    ("apps: {a: {envs: {e: {overlay: x, colour: red}}}}", "apps.a.envs.e.colour: unknown key"),
    ("apps: {a: {envs: {e: {}}}}", "apps.a.envs.e.overlay: expected a non-empty string"),
    ("apps: {}", "apps: expected at least one app"),
    ("apps: [a]", "apps: expected a mapping"),
    ("forge: {kind: bitbucket, project: x}\napps: {a: {envs: {e: {overlay: x}}}}", "forge.kind"),
    ("commands: {min_permission: god}\napps: {a: {envs: {e: {overlay: x}}}}", "commands.min_permission"),
    ("apps:\n  a: [\n", "malformed YAML"),
])
def test_errors_name_key_path(text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load(text)
    assert needle in str(exc.value)
    assert "gitshift.yaml" in exc.value.where
    assert exc.value.exit_code == 2


def test_malformed_yaml_names_line() -> None:
    with pytest.raises(ConfigError) as exc:
        load("apps:\n  a:\n    envs: {e: {overlay: x}\n  b: [\n")
    assert exc.value.where.startswith("/repo/gitshift.yaml:")


def test_unknown_app_and_env() -> None:
    c = load("apps: {a: {envs: {e: {overlay: x}}}}")
    with pytest.raises(InputError, match="unknown app 'b'"):
        c.env("b", "e")
    with pytest.raises(InputError, match="unknown env 'f'"):
        c.env("a", "f")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        config.load(tmp_path / "gitshift.yaml", tmp_path)


@pytest.mark.parametrize("names", ["{stable: web, canary: web}", "{stable: web-canary}"])
def test_a_canary_whose_stable_and_canary_are_one_workload_is_refused(names: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(f"apps:\n  web:\n    envs:\n      prod: {{overlay: o, strategy: canary, canary: {names}}}\n")
    assert err.value.exit_code == 2
    assert "apps.web.envs.prod.canary: stable and canary both name 'web" in str(err.value)


@pytest.mark.parametrize("strategy", ["rollout", "flagger"])
def test_strategies_that_others_progress_load(strategy: str) -> None:
    assert load(f"apps:\n  web:\n    envs:\n      prod: {{overlay: o, strategy: {strategy}}}\n"
                ).env("web", "prod").strategy == strategy
