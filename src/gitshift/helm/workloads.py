"""A Helm env's names for gate queries: the release, its namespace, the chart's workloads and Services by role.

README.md, "Gates": ``${canary}`` names the canary's workload. In a Helm env the
workloads are the chart's, so the chart is rendered once with each role's image tag
replaced by a marker of its own (``gitshift-probe-0``, ...): the workload running a
role is the one whose image carries that role's marker, whatever the chart calls it.
A Service belongs to a role when it selects that role's pods and not the other
role's. Names given explicitly in ``canary:`` or ``bluegreen:`` are used as given;
without a chart render only those (and ``${release}``, ``${namespace}``) are known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitshift.helm.values import settings
from gitshift.manifests import WORKLOAD_KINDS, Obj, pod_labels, pod_template, selector_matches
from gitshift.valuepaths import ValuePath, parse, substitute

if TYPE_CHECKING:
    from gitshift.config import EnvConfig
    from gitshift.files import FileView
    from gitshift.manifests import Rendered
    from gitshift.result import State

# The placeholders only a render of the chart can give a value to.
CHART_NAMES = ("stable", "canary", "active", "preview", "service", "canary_service", "preview_service")
MARK = "gitshift-probe-{}"


@dataclass(frozen=True)
class Names:
    """The placeholder values of a Helm env, and why the chart's names are missing (empty: they are not)."""

    names: dict[str, str] = field(default_factory=dict)
    missing_because: str = ""


def _roles(env: EnvConfig, state: State) -> tuple[dict[str, ValuePath], dict[ValuePath, Any]]:
    """Each role's image tag path, and the marker values to render the chart with."""
    s = settings(env)
    tags: dict[str, ValuePath] = {}
    edits: dict[ValuePath, Any] = {}
    if env.strategy == "canary" and s.canary is not None and s.image.tag is not None:
        tags = {"stable": parse(s.image.tag), "canary": parse(s.canary.image_tag)}
    elif env.strategy == "bluegreen" and s.bluegreen is not None:
        bg = s.bluegreen
        tags = {c: parse(substitute(bg.image_tag, color=c)) for c in bg.colors}
        if bg.preview is not None and state.active in bg.colors:  # the preview Service on the idle color
            edits[parse(bg.preview)] = bg.colors[1] if state.active == bg.colors[0] else bg.colors[0]
    for i, path in enumerate(tags.values()):
        edits[path] = MARK.format(i)
    return tags, edits


def _runs(obj: Obj, mark: str) -> bool:
    spec = pod_template(obj).get("spec") or {}
    images = [str(c.get("image", "")) for key in ("containers", "initContainers") for c in spec.get(key) or []]
    return any(i == mark or i.endswith(f":{mark}") or f":{mark}@" in i for i in images)


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name"))


def from_chart(objs: list[Obj], env: EnvConfig, state: State, tags: Mapping[str, ValuePath]) -> dict[str, str]:
    """The names the chart rendered with the markers gives: workloads and Services by role, the namespace."""
    found: dict[str, Obj] = {}
    workloads = [o for o in objs if o.get("kind") in WORKLOAD_KINDS]
    for i, role in enumerate(tags):
        hit = next((w for w in workloads if _runs(w, MARK.format(i))), None)
        if hit is not None:
            found[role] = hit

    def service(role: str, other: str) -> str | None:
        for svc in (o for o in objs if o.get("kind") == "Service"):
            selector = (svc.get("spec") or {}).get("selector")
            sel = {r for r, w in found.items() if selector and selector_matches(selector, pod_labels(w))}
            if role in sel and other not in sel:
                return _name(svc)
        return None

    names: dict[str, str] = {}
    pairs: list[tuple[str, str, str, str]] = []  # placeholder of the workload, of its Service, role, other role
    if env.strategy == "canary":
        pairs = [("stable", "service", "stable", "canary"), ("canary", "canary_service", "canary", "stable")]
    elif env.strategy == "bluegreen" and state.active is not None and state.active in tags:
        active = state.active
        idle = next(c for c in tags if c != active)
        pairs = [("active", "service", active, idle), ("preview", "preview_service", idle, active)]
    for workload_key, service_key, role, other in pairs:
        if role in found:
            names[workload_key] = _name(found[role])
        svc = service(role, other)
        if svc is not None:
            names[service_key] = svc
    main = found.get(pairs[0][2]) if pairs else None
    namespace = ((main or {}).get("metadata") or {}).get("namespace")
    if namespace:
        names["namespace"] = str(namespace)
    return names


def _explicit(env: EnvConfig, state: State) -> dict[str, str]:
    """The names ``canary:`` and ``bluegreen:`` give explicitly (a Helm env's defaults name nothing)."""
    out: dict[str, str] = {}
    if env.canary is not None:
        out |= {k: getattr(env.canary, k) for k in ("stable", "canary") if k in env.canary.explicit}
    bg, helm = env.bluegreen, settings(env).bluegreen
    if bg is not None and helm is not None:
        if "colors" in bg.explicit and state.active is not None and state.active in bg.colors:
            idle = next((c for c in helm.colors if c != state.active), "")
            out["active"] = bg.colors[state.active]
            if idle in bg.colors:
                out["preview"] = bg.colors[idle]
        out |= {k: getattr(bg, k) for k in ("service", "preview_service") if k in bg.explicit}
    return out


def names(env: EnvConfig, tree: Path, view: FileView, rendered: Rendered, state: State,
          wanted: frozenset[str] = frozenset(CHART_NAMES), asked: bool = False) -> Names:
    """``${app}``, ``${env}``, ``${release}``, ``${namespace}``, and the chart's names where ``wanted`` needs them.

    The chart is rendered only when a wanted placeholder is not given explicitly.

    Raises:
        RendererUnavailableError, InputError: ``helm.render: true`` (or ``asked``) and the chart cannot render.
        RenderError: the chart does not render with the markers.
    """
    from gitshift.helm import chart, template

    who = template.identity(rendered, env, view, tree)
    out = {"app": env.app, "env": env.name, "release": who.name}
    if who.namespace:
        out["namespace"] = who.namespace
    given = _explicit(env, state)
    tags, edits = _roles(env, state)
    if not tags or not (wanted & set(CHART_NAMES)) - set(given):
        return Names(out | given)
    done = chart.render(env, tree, view, rendered, asked, edits)
    if isinstance(done, str):
        return Names(out | given, f"the chart was not rendered: {done}")
    return Names(out | from_chart(done.objs, env, state, tags) | given)

