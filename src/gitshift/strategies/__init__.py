"""The registry of strategies: plain modules satisfying ``base.Strategy``, keyed by the SPEC's names."""

from __future__ import annotations

import importlib
from typing import cast

from gitshift.strategies.base import Strategy

_MODULES = {
    "recreate": "gitshift.strategies.rolling",
    "rolling": "gitshift.strategies.rolling",
    "bluegreen": "gitshift.strategies.bluegreen",
    "canary": "gitshift.strategies.canary",
}


def get(name: str) -> Strategy:
    """The strategy module for ``name`` (a key of the config's ``strategy``)."""
    return cast(Strategy, importlib.import_module(_MODULES[name]))
