"""The strategies by the names ``strategy:`` takes in gitshift.yaml: plain modules satisfying ``base.Strategy``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, cast

from gitshift.strategies.base import Strategy

if TYPE_CHECKING:
    from gitshift.config import EnvConfig

# rollout and flagger: Argo Rollouts or Flagger progresses the release; gitshift sets the image only.
# Each module is imported when an env of its strategy is first met: a command pays only for its own.
MODULES = {"recreate": "rolling", "rolling": "rolling", "bluegreen": "bluegreen", "canary": "canary",
           "rollout": "rollout", "flagger": "flagger"}

if TYPE_CHECKING:  # each module satisfies the protocol
    from gitshift.strategies import bluegreen, canary, flagger, rolling, rollout

    _CHECKED: dict[str, Strategy] = {"rolling": rolling, "bluegreen": bluegreen, "canary": canary,
                                     "rollout": rollout, "flagger": flagger}


def get(name: str) -> Strategy:
    """The strategy module for ``name`` (a key of the config's ``strategy``)."""
    return cast("Strategy", importlib.import_module(f"gitshift.strategies.{MODULES[name]}"))


def for_env(env: EnvConfig) -> Strategy:
    """The strategy of ``env``: its config's ``strategy``, planned on Helm values when it has ``helm:``."""
    if env.helm is not None:
        from gitshift.strategies import helm

        return helm.for_name(env.strategy)
    return get(env.strategy)
