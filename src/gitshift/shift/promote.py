"""``gitshift promote APP --from ENV --to ENV``: the live image of one env enters the next.

README.md, "Promotion between envs", describes it for users.
"""

from __future__ import annotations

from gitshift import files
from gitshift import strategies as registry
from gitshift.config import Config, EnvConfig
from gitshift.errors import InputError
from gitshift.manifests import WORKLOAD_KINDS, Obj, Rendered
from gitshift.render import Renderer
from gitshift.shift.compute import files_at, render
from gitshift.shift.request import ShiftRequest
from gitshift.strategies.base import resolve
from gitshift.strategies.workloads import app_workloads, image_of

# What a promotion does in the target env, by the target's strategy.
ENTRY_ACTION = {"recreate": "set-image", "rolling": "set-image", "bluegreen": "bluegreen.deploy",
                "canary": "canary.deploy", "rollout": "set-image", "flagger": "set-image"}


def _live_workload(rendered: Rendered, env: EnvConfig) -> Obj | None:
    """The workload that serves users: the active color, the stable track, or the app's workload."""
    if env.bluegreen is not None:
        active = registry.get("bluegreen").state(rendered, env).active
        if active is None:
            return None
        return resolve(rendered, WORKLOAD_KINDS, env.bluegreen.colors[active], explicit=False,
                       key="bluegreen.colors", env=env, required=False)
    if env.canary is not None:
        return resolve(rendered, WORKLOAD_KINDS, env.canary.stable, explicit=False, key="canary.stable",
                       env=env, required=False)
    workloads = app_workloads(rendered, env)
    return workloads[0] if workloads else None


def live_image(rendered: Rendered, env: EnvConfig) -> str:
    """The image users of ``env`` are served."""
    if env.helm is not None:
        from gitshift.strategies.helm import live_image as helm_live_image

        return helm_live_image(rendered, env)
    obj = _live_workload(rendered, env)
    image = image_of(obj, env) if obj is not None else None
    if not image:
        raise InputError(f"no live image found in {env.app}/{env.name}", env.overlay,
                         f"check apps.{env.app}.image (or the env's image) in gitshift.yaml against the images "
                         f"`gitshift render {env.overlay}` shows")
    return image


def _render_env(config: Config, renderer: Renderer, env: EnvConfig, ref: str | None) -> Rendered:
    """``env`` rendered from the working tree, or at commit ``ref``."""
    if ref is None:
        return render(renderer, config.root, env, files.FileView(root=config.root))
    from gitshift.gitops import refs
    from gitshift.gitops.repo import Repo

    repo = Repo(config.root)
    sha = repo.rev_parse(ref)
    if sha is None:
        raise InputError(f"unknown ref {ref!r}", "--base", refs.REF_HINT)
    with files_at(renderer, repo, sha) as (tree, view):
        return render(renderer, tree, env, view)


def already_live(config: Config, renderer: Renderer, req: ShiftRequest, ref: str | None = None) -> str | None:
    """Why promoting ``req`` does nothing (the target already serves the image), or None."""
    dst = config.env(req.app, req.env)
    rendered = _render_env(config, renderer, dst, ref)
    obj = _live_workload(rendered, dst)
    live = image_of(obj, dst) if obj is not None else None
    if live != req.image:
        return None
    return (f"promote {req.app}/{req.env} from {req.source}: {req.env} already serves {live}, "
            f"the live image of {req.source}; nothing to promote")


def request(config: Config, renderer: Renderer, app: str, source: str, target: str,
            ref: str | None = None) -> ShiftRequest:
    """The shift that brings ``source``'s live image into ``target`` through ``target``'s strategy.

    ``source`` is read at commit ``ref`` when given (a shift committed on a
    branch promotes what is committed), else from the working tree.
    """
    if source == target:
        raise InputError("--from and --to name the same env", f"{app}/{source}")
    src, dst = config.env(app, source), config.env(app, target)
    rendered = _render_env(config, renderer, src, ref)
    return ShiftRequest(app=app, env=target, action=ENTRY_ACTION[dst.strategy],
                        image=live_image(rendered, src), record_as="promote", source=source)
