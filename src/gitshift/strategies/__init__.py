"""The strategies by the names ``strategy:`` takes in gitshift.yaml: plain modules satisfying ``base.Strategy``."""

from __future__ import annotations

from gitshift.strategies import bluegreen, canary, flagger, rolling, rollout
from gitshift.strategies.base import Strategy

# rollout and flagger: Argo Rollouts or Flagger progresses the release; gitshift sets the image only.
STRATEGIES: dict[str, Strategy] = {"recreate": rolling, "rolling": rolling, "bluegreen": bluegreen, "canary": canary,
                                   "rollout": rollout, "flagger": flagger}


def get(name: str) -> Strategy:
    """The strategy module for ``name`` (a key of the config's ``strategy``)."""
    return STRATEGIES[name]
