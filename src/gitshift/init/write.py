"""The ``gitshift.yaml`` a scan becomes: the plain document, and its commented text (ruamel).

``document`` is the data alone (what the config loader reads); ``render``
writes the same data with comments saying what showed each env's strategy.
Envs whose strategy the config does not accept yet are written as comments,
ready to uncomment, so the file loads as it is.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping
from typing import Any

from gitshift.init.scan import AppFinding, EnvFinding, Scan

HEADER = """\
gitshift: how each environment of each app is released, as `gitshift init` found it in the
rendered overlays. Each env's comment says what showed its strategy; review them, then run
`gitshift status` and `gitshift check`.
"""
FORGE_STUB = """
forge:                       # uncomment for --pr: where pull requests go
  kind: github               # github | gitlab | gitea (gitea also needs api_url)
  project: OWNER/REPO        # owner/repo, or the GitLab project path
  base: main"""
FORGE_FOUND = "where --pr opens pull requests, read from the origin remote; the token is read from {var}"
COLUMN = 37  # where end-of-line comments start, as in the README's examples
_SETTING_COMMENTS = {
    "service": "active Service",
    "preview_service": "Service of the idle color",
    "colors": "Deployment (or Rollout) per color",
    "steps": "canary weights of `canary scale --next`",
}
_WHY_DISABLED = {
    "rollout": "Argo Rollouts progresses this env itself",
    "flagger": "Flagger progresses this env itself",
}

Checks = Mapping[tuple[str, str], Collection[str]]


def _env_data(env: EnvFinding, app_image: str) -> dict[str, Any]:
    out: dict[str, Any] = {"overlay": env.overlay, "strategy": env.detection.strategy}
    if env.image != app_image:
        out["image"] = env.image
    if env.helm is not None:  # a Helm env: the values say the state (a values file has no overlay)
        if "values_file" in env.helm:
            del out["overlay"]
        return {**out, "helm": dict(env.helm)}
    if env.detection.strategy in ("bluegreen", "canary"):
        out[env.detection.strategy] = dict(env.detection.settings)
    return out


def document(scan: Scan, accepted: Collection[str], forge: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The config as plain data: every app with an env whose strategy is in ``accepted``; empty when none.

    ``forge`` is the ``forge:`` section (``kind``, ``project``) when the origin remote names one.
    """
    apps: dict[str, Any] = {}
    for app in scan.apps:
        envs = {e.env: _env_data(e, app.image) for e in app.envs if e.detection.strategy in accepted}
        if envs:
            apps[app.name] = {"image": app.image, "envs": envs}
    if not apps:
        return {}
    return {**({"forge": dict(forge)} if forge else {}), "apps": apps}


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML()
    y.indent(mapping=2, sequence=2, offset=0)
    y.width = 4096
    return y


def _shown(value: Any) -> str:
    """About how a value prints in flow style, to place a comment after it."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _commented(data: Mapping[str, Any], comments: Mapping[str, str], indent: int) -> Any:
    """``data`` as a ruamel map: nested maps and lists in flow style, ``comments`` at the end of their keys."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    out = CommentedMap()
    for key, value in data.items():
        if isinstance(value, Mapping | list | tuple):
            value = CommentedMap(value) if isinstance(value, Mapping) else CommentedSeq(value)
            value.fa.set_flow_style()
        out[key] = value
        if key in comments:
            width = indent + len(key) + 2 + len(_shown(value))
            out.yaml_add_eol_comment(comments[key], key, column=max(COLUMN, width + 2))
    return out


def _env(data: Mapping[str, Any]) -> Any:
    plain = {k: v for k, v in data.items() if k not in ("bluegreen", "canary", "helm")}
    out = _commented(plain, {"image": "this env runs the image under another name"}, 8)
    if "helm" in data:
        out["helm"] = _commented(data["helm"], {}, 10)
    for key in ("bluegreen", "canary"):
        if key in data:
            route = "HTTPRoute" if data[key].get("traffic") == "gateway" else "VirtualService"
            out[key] = _commented(data[key], {**_SETTING_COMMENTS, "route": route}, 10)
    return out


def _why(env: EnvFinding, checks: Checks) -> str:
    traffic = env.detection.settings.get("traffic")
    lines = [f"{env.detection.strategy}{f' {traffic}' if traffic else ''}: {env.detection.reason}"]
    lines += [f"note: {n}" for n in env.detection.notes]
    lines += [f"gitshift check: {f}" for f in checks.get((env.app, env.env), ())]
    return "\n".join(lines)


def _as_comment(data: Mapping[str, Any], indent: int) -> str:
    """YAML of ``data`` to be written as comment lines (ruamel prefixes ``# `` at the block's indent)."""
    text = io.StringIO()
    _yaml().dump(dict(data), text)
    return "\n".join(" " * indent + line for line in text.getvalue().splitlines())


def _unconfigurable(env: EnvFinding) -> str:
    strategy = env.detection.strategy
    return (f"{env.app}/{env.env}: {strategy} ({env.detection.reason}).\n{_WHY_DISABLED.get(strategy, 'gitshift')}; "
            f"this gitshift release does not configure strategy {strategy} yet:")


def _plain(env: EnvFinding) -> dict[str, str]:
    return {"overlay": env.overlay, "strategy": env.detection.strategy}


def _app(app: AppFinding, data: Mapping[str, Any], checks: Checks) -> Any:
    """The app's commented map; its envs the config cannot take are comments before the first env."""
    from ruamel.yaml.comments import CommentedMap

    lead = [f"{_unconfigurable(e)}\n{_as_comment({e.env: _plain(e)}, 0)}"
            for e in app.envs if e.env not in data["envs"]]
    envs = CommentedMap()
    for env in app.envs:
        if env.env in data["envs"]:
            envs[env.env] = _env(data["envs"][env.env])
            before = [*lead, _why(env, checks)] if len(envs) == 1 else [_why(env, checks)]
            envs.yaml_set_comment_before_after_key(env.env, before="\n".join(before), indent=6)
    out = _commented({"image": data["image"]}, {"image": "image name as written in the manifests"}, 4)
    out["envs"] = envs
    return out


def _unconfigurable_app(app: AppFinding) -> str:
    """An app none of whose envs can be written live, as comment lines ready to uncomment later."""
    body = {app.name: {"image": app.image, "envs": {e.env: _plain(e) for e in app.envs}}}
    return "\n".join([*(_unconfigurable(e) for e in app.envs), _as_comment(body, 0)])


def render(scan: Scan, accepted: Collection[str], checks: Checks | None = None,
           forge: Mapping[str, str] | None = None) -> str:
    """The text of ``gitshift.yaml`` for ``scan``: ``document`` with comments.

    ``accepted`` are the strategies the config accepts; ``checks`` maps
    ``(app, env)`` to the failures ``gitshift check`` will report; ``forge``
    is written as the ``forge:`` section, or else a commented one is left.

    Returns:
        The file's text; empty when no env could be written live.
    """
    from ruamel.yaml.comments import CommentedMap

    doc = document(scan, accepted, forge)
    if not doc:
        return ""
    apps = CommentedMap()
    for app in scan.apps:
        if app.name in doc["apps"]:
            apps[app.name] = _app(app, doc["apps"][app.name], checks or {})
    off = [_unconfigurable_app(a) for a in scan.apps if a.name not in doc["apps"]]
    if off:
        apps.yaml_set_comment_before_after_key(next(iter(apps)), before="\n".join(off), indent=2)
    root = CommentedMap()
    if forge:
        from gitshift.config import DEFAULT_TOKEN_ENV

        root["forge"] = _commented(forge, {}, 2)
        var = DEFAULT_TOKEN_ENV.get(forge.get("kind", ""), "the forge's token variable")
        root.yaml_set_start_comment(HEADER + "\n" + FORGE_FOUND.format(var=var))
    else:
        root.yaml_set_start_comment(HEADER + FORGE_STUB)
    root["apps"] = apps
    text = io.StringIO()
    _yaml().dump(root, text)
    return text.getvalue()
