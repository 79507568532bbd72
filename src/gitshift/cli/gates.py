"""Gated steps: gate, canary advance, bluegreen advance, advance --all (README.md, "Gates").

``canary advance`` and ``bluegreen advance`` join the ``canary`` and ``bluegreen`` groups
of ``shifts`` when this module loads (``app.COMMANDS`` loads it with them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gitshift.cli import output
from gitshift.cli.options import command_options, settings
from gitshift.cli.output import examples
from gitshift.cli.shifts import _delivery, bluegreen, canary, delivery_options

if TYPE_CHECKING:
    from gitshift.config import Config
    from gitshift.shift.gate import Tokens


def tokens(config: Config) -> Tokens:
    """The Argo CD and Prometheus tokens, from the variables ``gates.*.token_env`` name (unset: none)."""
    import os

    from gitshift.shift.gate import Tokens

    g = config.gates
    return Tokens(argocd=os.environ.get(g.argocd.token_env) or None if g.argocd else None,
                  prometheus=os.environ.get(g.prometheus.token_env) or None if g.prometheus else None)


@click.command("gate", epilog=examples(
    "gitshift gate web --env production-canary",
    "gitshift gate web --env production -o json",
))
@click.argument("app")
@click.option("--env", "env_name", required=True, help="Environment of the app.")
@command_options
def gate(app: str, env_name: str) -> int:
    """Judge ENV's current step from Argo CD and Prometheus: pass (0), fail (1) or wait (75).

    Read-only: nothing is written anywhere.
    """
    from gitshift.shift import gate as gating

    s = settings()
    config = s.load_config()
    env = config.env(app, env_name)
    [result] = gating.judge(config, gating.read(config, s.renderer(), [env]), tokens(config))
    output.gate(result, s)
    return result.exit_code


def _advance(app: str, strategy: str, kw: dict[str, Any]) -> int:
    from gitshift.errors import InputError
    from gitshift.shift import advance

    s = settings()
    config = s.load_config()
    env = config.env(app, kw.pop("env_name"))
    if env.strategy != strategy:
        raise InputError(f"{app}/{env.name} is a {env.strategy} env, not {strategy}", str(config.path),
                         f"use `gitshift {env.strategy} advance`" if env.strategy in advance.GATED else "")
    [done] = advance.advance(config, s.renderer(), [env], tokens(config), _delivery(kw, config))
    output.step(done, s)
    return done.exit_code


@canary.command("advance", epilog=examples(
    "gitshift canary advance web --env production-canary --dry-run",
    "gitshift canary advance web --env production-canary --pr",
))
@click.argument("app")
@delivery_options
def canary_advance(app: str, **kw: Any) -> int:
    """Gate the canary's step: pass → next step (promote after the last), fail → rollback, wait → nothing."""
    return _advance(app, "canary", kw)


@bluegreen.command("advance", epilog=examples(
    "gitshift bluegreen advance web --env production --dry-run",
    "gitshift bluegreen advance web --env production --pr",
))
@click.argument("app")
@delivery_options
def bluegreen_advance(app: str, **kw: Any) -> int:
    """Gate the preview: pass → promote; once promoted and baked → finish; fail → back to the old color."""
    return _advance(app, "bluegreen", kw)


@click.command("advance", epilog=examples(
    "gitshift advance --all --dry-run",
    "gitshift advance --all --pr -o json",
))
@click.option("--all", "all_", is_flag=True, help="Every canary and blue/green env with a release in progress.")
@lambda f: delivery_options(f, env=False)
def advance_all(all_: bool, **kw: Any) -> int:
    """Advance every env with a release in progress (exit 1 if a gate failed, else 75 if one waits).

    Each env's step gets its own branch, gitshift/<app>/<env>/<action>; with --branch they
    all go on that one branch (one pull request).
    """
    from gitshift.shift import advance

    if not all_:
        raise click.UsageError("give --all, or advance one env with `gitshift canary|bluegreen advance APP --env ENV`")
    s = settings()
    config = s.load_config()
    done = advance.advance(config, s.renderer(), advance.gated(config), tokens(config), _delivery(kw, config))
    output.steps(done, s)
    codes = {d.exit_code for d in done}
    return 1 if 1 in codes else 75 if 75 in codes else 0


COMMANDS = (gate, advance_all)
