"""Releases whose state lives in Helm values (README.md, "Helm releases").

The same actions as the plain strategies, planned on values instead of
objects: rolling and recreate set the image; blue/green writes the idle
color's tag and replicas and switches the active color; canary writes the
canary's tag, replicas, weight and A/B header. Which values hold what is the
env's ``helm:`` section; ``gitshift.helm.values`` reads them from the rendered
HelmRelease or Application (or the values file) and turns writes into intents.
"""

from __future__ import annotations

from typing import Any

from gitshift import images
from gitshift.config import EnvConfig, HelmBlueGreen, HelmCanary, HelmSettings
from gitshift.errors import GitshiftError, InputError, NotDeployedError
from gitshift.helm.values import Release, release, settings
from gitshift.manifests import Intent, Rendered
from gitshift.result import State
from gitshift.strategies.base import ShiftRequest
from gitshift.valuepaths import substitute

_ACTIONS = {
    "rolling": ("set-image",),
    "recreate": ("set-image",),
    "bluegreen": ("bluegreen.deploy", "bluegreen.promote", "bluegreen.rollback", "bluegreen.finish"),
    "canary": ("canary.deploy", "canary.scale", "canary.promote", "canary.rollback"),
}


def _key(env: EnvConfig, *names: str) -> str:
    return f"apps.{env.app}.envs.{env.name}.helm." + ".".join(names)


def _int(r: Release, path: str, key: str) -> int:
    value = r.get(path, key)
    try:
        return int(value) if not isinstance(value, bool) else int("x")
    except (TypeError, ValueError):
        raise InputError(f"value {path} of {r.label} is {value!r}, not a whole number", r.where) from None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# -- images ----------------------------------------------------------------------------------------
def _repository(r: Release, env: EnvConfig, s: HelmSettings) -> str:
    if s.image.repository is not None:
        return _text(r.get(s.image.repository, _key(env, "image", "repository")))
    return str(env.image)


def _compose(repo: str, tag: str, digest: str = "") -> str:
    """``repo:tag@digest``; empty when there is neither tag nor digest (a canary or color not deployed)."""
    if not tag and not digest:
        return ""
    return repo + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def stable_image(r: Release, env: EnvConfig) -> str:
    """The release's (stable) image as one reference."""
    s = settings(env)
    if s.image.ref is not None:
        return _text(r.get(s.image.ref, _key(env, "image", "ref")))
    assert s.image.tag is not None
    digest = _text(r.get(s.image.digest, _key(env, "image", "digest"))) if s.image.digest else ""
    return _compose(_repository(r, env, s), _text(r.get(s.image.tag, _key(env, "image", "tag"))), digest)


def _new_ref(request: ShiftRequest, repo: str, env: EnvConfig) -> images.ImageRef:
    if not request.image:
        raise InputError(f"{request.action} needs an image", "--image", "give --image NAME:TAG or :TAG")
    new = images.parse(request.image, allow_bare_tag=True)
    if new.name and repo and new.name != repo:
        raise InputError(f"image {new.name!r} is not the release's image {repo!r}", "IMAGE",
                         f"give {repo}:<tag>, or :<tag>")
    return new


def _set_tag(r: Release, env: EnvConfig, path: str, key: str, new: images.ImageRef, digest_path: str | None) -> None:
    """Write a tag (and digest) the way the section keeps it."""
    if new.digest and digest_path is None:
        raise InputError("a digest needs a value path for it", "IMAGE",
                         f"set {_key(env, 'image', 'digest')} in gitshift.yaml, or give a tag")
    if new.tag:
        r.set(path, new.tag, key)
    if digest_path is not None and (new.digest or _text(r.get(digest_path, _key(env, "image", "digest")))):
        r.set(digest_path, new.digest, _key(env, "image", "digest"))


def _set_image(r: Release, env: EnvConfig, request: ShiftRequest) -> None:
    s = settings(env)
    if s.image.ref is not None:
        current = stable_image(r, env)
        name = images.parse(current, where=f"{s.image.ref} in {r.label}").name if current else ""
        new = _new_ref(request, name, env)
        if not new.name and not name:
            raise InputError(f"{s.image.ref} of {r.label} is empty; give the whole image", "IMAGE")
        r.set(s.image.ref, str(images.resolve(new, current)), _key(env, "image", "ref"))
        return
    assert s.image.tag is not None
    _set_tag(r, env, s.image.tag, _key(env, "image", "tag"), _new_ref(request, _repository(r, env, s), env),
             s.image.digest)


# -- rolling and recreate --------------------------------------------------------------------------
def _rolling_state(r: Release, env: EnvConfig) -> State:
    s = settings(env)
    replicas = {r.key: _int(r, s.replicas, _key(env, "replicas"))} if s.replicas else {}
    return State(strategy=env.strategy, images={r.key: stable_image(r, env)}, replicas=replicas)


def _rolling(r: Release, env: EnvConfig, request: ShiftRequest) -> None:
    if request.max_surge or request.max_unavailable:
        raise InputError("--max-surge/--max-unavailable are the chart's to set in a Helm env", "set-image",
                         "set the chart's rolling update values by hand")
    _set_image(r, env, request)


# -- blue/green ------------------------------------------------------------------------------------
def _bg(env: EnvConfig) -> HelmBlueGreen:
    bg = settings(env).bluegreen
    if bg is None:
        raise InputError(f"env {env.app}/{env.name} has no helm.bluegreen section", env.overlay)
    return bg


def _color_path(template: str, color: str) -> str:
    return substitute(template, color=color)


def _active(r: Release, env: EnvConfig, bg: HelmBlueGreen) -> str:
    color = _text(r.get(bg.active, _key(env, "bluegreen", "active")))
    if color not in bg.colors:
        raise InputError(f"value {bg.active} of {r.label} is {color!r}, none of {', '.join(bg.colors)}", r.where,
                         f"set it to one of {', '.join(bg.colors)}")
    return color


def _other(bg: HelmBlueGreen, color: str) -> str:
    return bg.colors[1] if color == bg.colors[0] else bg.colors[0]


def _color_replicas(r: Release, env: EnvConfig, bg: HelmBlueGreen, color: str) -> int | None:
    if bg.replicas is None:
        return None
    return _int(r, _color_path(bg.replicas, color), _key(env, "bluegreen", "replicas"))


def _bluegreen_state(r: Release, env: EnvConfig) -> State:
    bg, s = _bg(env), settings(env)
    repo = _repository(r, env, s)
    tags = {c: _text(r.get(_color_path(bg.image_tag, c), _key(env, "bluegreen", "image_tag"))) for c in bg.colors}
    imgs = {c: _compose(repo, tag) for c, tag in tags.items() if tag}
    reps = {c: n for c in bg.colors if (n := _color_replicas(r, env, bg, c)) is not None}
    active = _text(r.get(bg.active, _key(env, "bluegreen", "active")))
    preview = _text(r.get(bg.preview, _key(env, "bluegreen", "preview"))) if bg.preview else None
    return State(strategy="bluegreen", images=imgs, active=active, preview=preview, replicas=reps)


def _bluegreen(r: Release, env: EnvConfig, request: ShiftRequest) -> None:
    bg, s = _bg(env), settings(env)
    active = _active(r, env, bg)
    preview = _text(r.get(bg.preview, _key(env, "bluegreen", "preview"))) if bg.preview else None
    preview = preview if preview in bg.colors else None
    if request.action == "bluegreen.deploy":
        idle = _other(bg, active)
        new = _new_ref(request, _repository(r, env, s), env)
        if new.digest:
            raise InputError("a blue/green Helm env takes a tag, not a digest", "--image")
        if not new.tag:
            raise InputError("give the image with a tag", "--image", "give --image :TAG")
        if request.replicas is not None and request.replicas < 1:
            raise InputError(f"invalid replica count {request.replicas}", "--replicas", "give 1 or more")
        r.set(_color_path(bg.image_tag, idle), new.tag, _key(env, "bluegreen", "image_tag"))
        if bg.replicas is not None:
            n = request.replicas if request.replicas is not None else max(
                _color_replicas(r, env, bg, active) or 1, 1)
            r.set(_color_path(bg.replicas, idle), n, _key(env, "bluegreen", "replicas"))
        elif request.replicas is not None:
            raise InputError("--replicas needs helm.bluegreen.replicas", "--replicas")
        if bg.preview is not None:
            r.set(bg.preview, idle, _key(env, "bluegreen", "preview"))
    elif request.action == "bluegreen.promote":
        r.set(bg.active, preview if preview is not None else _other(bg, active), _key(env, "bluegreen", "active"))
    elif request.action == "bluegreen.rollback":
        if preview is not None and preview != active:
            return  # never promoted, or rolled back already
        r.set(bg.active, _other(bg, active), _key(env, "bluegreen", "active"))
    elif request.action == "bluegreen.finish":
        if bg.replicas is None:
            raise InputError("bluegreen finish needs helm.bluegreen.replicas", _key(env, "bluegreen"),
                             "name the value that holds each color's replica count")
        r.set(_color_path(bg.replicas, _other(bg, active)), 0, _key(env, "bluegreen", "replicas"))


def _bluegreen_checks(r: Release, env: EnvConfig) -> list[str]:
    bg = _bg(env)
    color = _text(r.get(bg.active, _key(env, "bluegreen", "active")))
    if color not in bg.colors:
        return [f"{r.label} {bg.active} is {color!r}, none of {', '.join(bg.colors)}"]
    out = []
    n = _color_replicas(r, env, bg, color)
    if n is not None and n < 1:
        out.append(f"active color {color} has 0 replicas ({_color_path(str(bg.replicas), color)}); "
                   "it would serve no traffic")
    tag = _text(r.get(_color_path(bg.image_tag, color), _key(env, "bluegreen", "image_tag")))
    if not tag:
        out.append(f"active color {color} has no image tag ({_color_path(bg.image_tag, color)})")
    return out


# -- canary ----------------------------------------------------------------------------------------
def _cn(env: EnvConfig) -> HelmCanary:
    c = settings(env).canary
    if c is None:
        raise InputError(f"env {env.app}/{env.name} has no helm.canary section", env.overlay)
    return c


def _steps(env: EnvConfig) -> tuple[int, ...]:
    return env.canary.steps if env.canary is not None else (10, 25, 50, 100)


def _weight(r: Release, env: EnvConfig, c: HelmCanary) -> int:
    return _int(r, c.weight, _key(env, "canary", "weight"))


def _match(r: Release, env: EnvConfig, c: HelmCanary) -> str | None:
    if c.header is None:
        return None
    name = _text(r.get(c.header, _key(env, "canary", "header")))
    if not name:
        return None
    value = _text(r.get(c.header_value, _key(env, "canary", "header_value"))) if c.header_value else ""
    return f"header {name}={value}" if value else f"header {name}"


def _canary_state(r: Release, env: EnvConfig) -> State:
    c, s = _cn(env), settings(env)
    repo = _repository(r, env, s)
    weight = _weight(r, env, c)
    steps = _steps(env)
    reps: dict[str, int] = {}
    if s.replicas:
        reps["stable"] = _int(r, s.replicas, _key(env, "replicas"))
    if c.replicas:
        reps["canary"] = _int(r, c.replicas, _key(env, "canary", "replicas"))
    canary_tag = _text(r.get(c.image_tag, _key(env, "canary", "image_tag")))
    imgs = {"stable": stable_image(r, env)}
    if canary_tag:  # a canary never deployed (or promoted away) has no image to show
        imgs["canary"] = _compose(repo, canary_tag)
    return State(strategy="canary", images=imgs,
                 weight=weight, step=steps.index(weight) + 1 if weight in steps else None, steps=list(steps),
                 match=_match(r, env, c), replicas=reps)


def next_weight(now: int, env: EnvConfig) -> int | None:
    """The first of ``canary.steps`` above ``now`` (where ``scale --next`` goes), or None past the last."""
    return next((w for w in _steps(env) if w > now), None)


def _check_weight(weight: int) -> int:
    if not 0 <= weight <= 100:
        raise InputError(f"invalid weight {weight}", "--weight", "give a whole number 0-100")
    return weight


def _clear_header(r: Release, env: EnvConfig, c: HelmCanary) -> None:
    if c.header is not None and _text(r.get(c.header, _key(env, "canary", "header"))):
        r.set(c.header, "", _key(env, "canary", "header"))
    if c.header_value is not None and _text(r.get(c.header_value, _key(env, "canary", "header_value"))):
        r.set(c.header_value, "", _key(env, "canary", "header_value"))


def _canary(r: Release, env: EnvConfig, request: ShiftRequest) -> None:
    c, s = _cn(env), settings(env)
    if request.action == "canary.deploy":
        if request.cookie is not None:
            raise InputError("a Helm canary env routes by header only", "--cookie", "use --header NAME[=VALUE]")
        new = _new_ref(request, _repository(r, env, s), env)
        if new.digest or not new.tag:
            raise InputError("a Helm canary takes a tag, not a digest", "--image", "give --image :TAG")
        weight = _check_weight(request.weight if request.weight is not None
                               else 0 if request.header is not None else _steps(env)[0])
        r.set(c.image_tag, new.tag, _key(env, "canary", "image_tag"))
        if c.replicas is not None:
            if request.replicas is not None and request.replicas < 1:
                raise InputError(f"invalid replica count {request.replicas}", "--replicas", "give 1 or more")
            now = _int(r, c.replicas, _key(env, "canary", "replicas"))
            r.set(c.replicas, request.replicas if request.replicas is not None else max(now, 1),
                  _key(env, "canary", "replicas"))
        r.set(c.weight, weight, _key(env, "canary", "weight"))
        if request.header is not None:
            name, value = request.header
            if c.header is None:
                raise InputError("A/B by header needs helm.canary.header", "--header",
                                 "name the value that holds the header in gitshift.yaml")
            if value is not None and c.header_value is None:
                raise InputError("a header value needs helm.canary.header_value", "--header",
                                 "give --header NAME, or name the value in gitshift.yaml")
            r.set(c.header, name, _key(env, "canary", "header"))
            if c.header_value is not None:
                r.set(c.header_value, value or "", _key(env, "canary", "header_value"))
        return
    if request.action == "canary.scale":
        if (request.weight is None) == (not request.next_step):
            raise InputError("give either --weight N or --next", "canary scale")
        now = _weight(r, env, c)
        if request.weight is not None:
            weight = _check_weight(request.weight)
        else:
            found = next_weight(now, env)
            if found is None:
                raise InputError(f"weight {now} is at or past the last step {_steps(env)[-1]}", "--next",
                                 "run `gitshift canary promote`, or give --weight N")
            weight = found
        if weight > 0 and c.replicas is not None and _int(r, c.replicas, _key(env, "canary", "replicas")) < 1:
            raise NotDeployedError(f"the canary of {r.label} has 0 replicas", "canary scale",
                                   "run `gitshift canary deploy` first", needs="the canary deploy")
        r.set(c.weight, weight, _key(env, "canary", "weight"))
        return
    if request.action == "canary.promote":
        tag = _text(r.get(c.image_tag, _key(env, "canary", "image_tag")))
        if not tag:
            raise InputError(f"the canary of {r.label} has no image tag to promote", "canary promote",
                             "run `gitshift canary deploy` first")
        stable = s.image.tag
        assert stable is not None
        r.set(stable, tag, _key(env, "image", "tag"))
    # promote and rollback: no traffic to the canary, no canary pods, no A/B rule
    r.set(c.weight, 0, _key(env, "canary", "weight"))
    if c.replicas is not None:
        r.set(c.replicas, 0, _key(env, "canary", "replicas"))
    _clear_header(r, env, c)


def _canary_checks(r: Release, env: EnvConfig) -> list[str]:
    c, s = _cn(env), settings(env)
    out = []
    weight = _weight(r, env, c)
    if not 0 <= weight <= 100:
        out.append(f"{r.label} {c.weight} is {weight}, outside 0-100")
    serves = weight > 0 or _match(r, env, c) is not None
    if serves and c.replicas is not None and _int(r, c.replicas, _key(env, "canary", "replicas")) < 1:
        out.append(f"the canary gets traffic ({c.weight}: {weight}) but {c.replicas} is 0")
    if s.replicas is not None and weight < 100 and _int(r, s.replicas, _key(env, "replicas")) < 1:
        out.append(f"the stable release gets traffic but {s.replicas} is 0")
    if serves and not _text(r.get(c.image_tag, _key(env, "canary", "image_tag"))):
        out.append(f"the canary gets traffic but {c.image_tag} is empty")
    return out


# -- the strategy ----------------------------------------------------------------------------------
class HelmStrategy:
    """A ``base.Strategy`` over Helm values, for one of the plain strategies' names."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.ACTIONS = _ACTIONS[name]

    def state(self, rendered: Rendered, env: EnvConfig) -> State:
        """The release state read from the values, keyed by role (release, stable/canary, colors)."""
        r = release(rendered, env)
        if self.name == "bluegreen":
            return _bluegreen_state(r, env)
        if self.name == "canary":
            return _canary_state(r, env)
        return _rolling_state(r, env)

    def plan(self, rendered: Rendered, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
        """The intents on the release's values that carry out ``request``."""
        if request.action not in self.ACTIONS:
            raise InputError(f"{self.name} env {env.app}/{env.name} does not support {request.action!r}",
                             request.action, f"use one of {', '.join(self.ACTIONS)}")
        r = release(rendered, env)
        {"bluegreen": _bluegreen, "canary": _canary}.get(self.name, _rolling)(r, env, request)
        return r.intents()

    def checks(self, rendered: Rendered, env: EnvConfig) -> list[str]:
        """The values keep a release that can serve: valid images, a live color or track with pods."""
        r = release(rendered, env)
        out = []
        images_now = self.state(rendered, env).images
        for role, ref in images_now.items():
            if role == "canary" and self.name == "canary" and not _canary_serves(r, env):
                continue
            try:
                parsed = images.parse(ref, where=f"{role} image")
            except GitshiftError as exc:
                out.append(f"{r.label}: {role} image {ref!r} is not valid ({exc.what})")
                continue
            if env.require_digest and not parsed.digest and (self.name != "bluegreen" or role == _live(r, env)):
                out.append(f"{r.label}: {role} image {ref} has no digest, and {env.app}/{env.name} sets "
                           "require_digest")
        if self.name == "bluegreen":
            out += _bluegreen_checks(r, env)
        elif self.name == "canary":
            out += _canary_checks(r, env)
        return out


def _canary_serves(r: Release, env: EnvConfig) -> bool:
    c = _cn(env)
    return _weight(r, env, c) > 0 or _match(r, env, c) is not None


def _live(r: Release, env: EnvConfig) -> str:
    return _text(r.get(_bg(env).active, _key(env, "bluegreen", "active")))


_BY_NAME: dict[str, HelmStrategy] = {}


def for_name(name: str) -> HelmStrategy:
    """The Helm strategy for a strategy name of the config."""
    if name not in _BY_NAME:
        _BY_NAME[name] = HelmStrategy(name)
    return _BY_NAME[name]


def live_image(rendered: Rendered, env: EnvConfig) -> str:
    """The image users of a Helm env are served: the release's, the stable track's, or the active color's."""
    r = release(rendered, env)
    if env.strategy == "bluegreen":
        return _bluegreen_state(r, env).images[_active(r, env, _bg(env))]
    return stable_image(r, env)
