"""The shift a comment command asks for, built and run like the CLI's own (promote and revert included)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gitshift import shift
from gitshift.comments.parse import Command, CommandError
from gitshift.config import Config
from gitshift.render import Renderer
from gitshift.result import Result
from gitshift.shift import promote
from gitshift.shift.request import ShiftRequest


def request(command: Command, app: str, env: str) -> ShiftRequest:
    """The request of a plain shift command (every verb but promote and revert)."""
    return ShiftRequest(app=app, env=env, action=command.verb, image=command.image, replicas=command.replicas,
                        weight=command.weight, next_step=command.next_step, header=command.header,
                        cookie=command.cookie, max_surge=command.max_surge, max_unavailable=command.max_unavailable)


def run(config: Config, renderer: Renderer, command: Command, app: str, env: str,
        delivery: shift.Delivery, base_sha: str) -> Result:
    """Carry out ``command`` on ``app``/``env`` with ``delivery``; ``base_sha`` is the base branch's tip."""
    planner: Callable[[Path], shift.Planner] | None = None
    if command.verb == "promote":
        if command.source is None or command.source == env:
            raise CommandError("`promote` needs two different envs: FROM and TO")
        # What is merged is what is live: the source env is read on the base branch.
        req = promote.request(config, renderer, app, command.source, env, base_sha)
    elif command.verb == "revert":
        from gitshift.shift import revert

        req, planner = revert.prepare(config, renderer, command.commit or "", force=False)
    else:
        req = request(command, app, env)
    return shift.run(config, renderer, req, delivery, planner)
