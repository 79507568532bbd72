"""The shift a comment command asks for, built and run like the CLI's own (promote and revert included)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gitshift import files, shift
from gitshift.comments.parse import Command
from gitshift.config import Config
from gitshift.gitops.repo import Repo
from gitshift.render import Renderer
from gitshift.result import Result
from gitshift.shift import promote as promotion
from gitshift.shift.compute import render
from gitshift.shift.request import ShiftRequest


def request(command: Command, app: str, env: str) -> ShiftRequest:
    """The request of a plain shift command (every verb but promote and revert)."""
    return ShiftRequest(app=app, env=env, action=command.verb, image=command.image, replicas=command.replicas,
                        weight=command.weight, next_step=command.next_step, header=command.header,
                        cookie=command.cookie, max_surge=command.max_surge, max_unavailable=command.max_unavailable)


def _live_image(config: Config, renderer: Renderer, repo: Repo, app: str, source: str, sha: str) -> str:
    """The image ``source`` serves on the base branch (what is merged is what is live)."""
    env = config.env(app, source)
    if renderer.name == "builtin":
        from gitshift.gitops.treeview import GitTreeView

        view = GitTreeView.at(repo.root, repo.git_dir, sha)
        try:
            return promotion.live_image(render(renderer, repo.root, env, view), env)
        finally:
            view.close()
    from gitshift.gitops import worktree

    with worktree.temporary(repo, sha) as tree:
        return promotion.live_image(render(renderer, tree, env, files.FileView(root=tree)), env)


def run(config: Config, renderer: Renderer, repo: Repo, command: Command, app: str, env: str,
        delivery: shift.Delivery, base_sha: str) -> Result:
    """Carry out ``command`` on ``app``/``env`` with ``delivery``; ``base_sha`` is the base branch's tip."""
    planner: Callable[[Path], shift.Planner] | None = None
    if command.verb == "promote":
        if command.source is None or command.source == env:
            from gitshift.comments.parse import CommandError

            raise CommandError("`promote` needs two different envs: FROM and TO")
        target = config.env(app, env)
        req = ShiftRequest(app=app, env=env, action=promotion.ENTRY_ACTION[target.strategy],
                           image=_live_image(config, renderer, repo, app, command.source, base_sha),
                           record_as="promote", source=command.source)
    elif command.verb == "revert":
        from gitshift.shift import revert

        req, planner = revert.prepare(config, renderer, command.commit or "", force=False)
    else:
        req = request(command, app, env)
    return shift.run(config, renderer, req, delivery, planner)
