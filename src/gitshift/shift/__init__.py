"""One shift end to end: compute it (render, plan, place, verify, check), then deliver it.

``request`` says what is asked and where it goes, ``compute`` proves the change
in memory, ``deliver`` writes it to a branch, pushes it and opens its pull
request; ``promote`` and ``revert`` build the request (and plan) of their own
commands, ``prbody`` describes a shift for a pull request.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from gitshift.shift.request import Delivery, Planner, ShiftRequest

if TYPE_CHECKING:
    from gitshift.config import Config
    from gitshift.render import Renderer
    from gitshift.result import Result

__all__ = ["Delivery", "Planner", "ShiftRequest", "run"]  # batches: gitshift.shift.batch.run


def run(config: Config, renderer: Renderer, request: ShiftRequest, delivery: Delivery,
        planner: Callable[[Path], Planner] | None = None) -> Result:
    """Carry out one shift with the given delivery; nothing is written unless every check passed.

    ``planner``, given the tree the shift is computed in, returns the plan to use
    instead of the strategy's (revert builds its own from other commits).
    """
    from dataclasses import replace

    from gitshift.gitops import journal
    from gitshift.shift import compute, deliver
    from gitshift.strategies.base import Neighbours

    env = config.env(request.app, request.env)
    request = replace(request, neighbours=Neighbours(tuple(config.select()), delivery.allow_other_envs,
                                                     delivery.all_kustomizations, delivery.barred_envs))
    if delivery.mode == "dry-run":
        c = compute.compute(renderer, config.root, env, request, planner(config.root) if planner else None)
        return compute.result(c, config.root, delivery)
    if delivery.mode == "working-tree":
        # The lock spans reading and writing: two shifts at once would otherwise lose an edit.
        with journal.locked(config.root):
            c = compute.compute(renderer, config.root, env, request, planner(config.root) if planner else None)
            journal.write(config.root, c.edits)
        return compute.result(c, config.root, delivery)
    return deliver.to_branch(config, renderer, env, request, delivery, planner)
