"""Helm releases ``gitshift init`` finds: HelmRelease and Application objects, values files, ``helmCharts``.

A release's values are searched for the shapes a chart's values usually have
(README.md, "Setting up on your repository"):

- an image: a mapping ``image`` with ``repository`` and ``tag`` (or only ``tag``,
  the repository then read from the chart's own ``values.yaml``), or a string
  ``image: name:tag``;
- blue/green: mappings ``blue`` and ``green`` each with ``image.tag``, and a
  value ``blue`` or ``green`` under a key with ``active`` in its name (and one
  with ``preview``);
- canary: a mapping ``canary`` with ``image.tag`` beside a stable image, a whole
  number 0-100 under a key with ``weight`` in its name, and a string under a key
  with ``header``;
- replicas: ``replicaCount`` or ``replicas`` beside the image.

Nothing here writes; each finding carries the env's ``helm:`` section.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from gitshift.init.workloads import Detection
from gitshift.manifests import Obj, Rendered
from gitshift.valuepaths import ValuePath, fmt, get

MAX_DEPTH = 6
MAX_VALUES_FILES = 500
COLORS = ("blue", "green")
_REF = re.compile(r"^[a-z0-9][a-z0-9._/-]*(?::[0-9]+)?(?:/[a-z0-9._-]+)*:[\w][\w.-]*$")
_VALUES_FILE = re.compile(r"^values[-._](?P<env>[A-Za-z0-9][A-Za-z0-9_.-]*)\.ya?ml$")


@dataclass(frozen=True)
class HelmFinding:
    """One Helm env: where its values are, the image it runs, its strategy and ``helm:`` section."""

    name: str  # the env name: the overlay's folder, or the values file's suffix
    overlay: str  # the overlay, or the values file
    image: str
    detection: Detection
    helm: Mapping[str, Any]


def _walk(values: Any, path: ValuePath = ()) -> Iterator[tuple[ValuePath, Any]]:
    """Every (path, value) of a values tree, mappings first, bounded in depth."""
    if len(path) > MAX_DEPTH or not isinstance(values, dict):
        return
    for k, v in values.items():
        if isinstance(k, str):
            yield (*path, k), v
            yield from _walk(v, (*path, k))


def _images(values: Any) -> list[tuple[ValuePath, str]]:
    """Image spots: (path of ``image``, ``split`` | ``tag`` | ``ref``)."""
    out = []
    for path, v in _walk(values):
        if path[-1] != "image":
            continue
        if isinstance(v, dict) and "tag" in v and not isinstance(v["tag"], dict | list):
            out.append((path, "split" if isinstance(v.get("repository"), str) else "tag"))
        elif isinstance(v, str) and _REF.match(v):
            out.append((path, "ref"))
    return out


def _sibling(values: Any, image: ValuePath) -> str | None:
    """``replicaCount`` or ``replicas`` beside an image, as a value path."""
    for key in ("replicaCount", "replicas"):
        path = (*image[:-1], key)
        value = get(values, path)
        if isinstance(value, int) and not isinstance(value, bool):
            return fmt(path)
    return None


def _keyed(values: Any, word: str, want: type, check: Any = None) -> ValuePath | None:
    """The first scalar under a key containing ``word`` (any case) of type ``want`` passing ``check``."""
    for path, v in _walk(values):
        if word in str(path[-1]).lower() and isinstance(v, want) and not isinstance(v, bool) \
                and (check is None or check(v)):
            return path
    return None


def _repository(values: Any, spot: ValuePath, kind: str, defaults: Any) -> str | None:
    if kind == "ref":
        ref = str(get(values, spot))
        return ref.rsplit(":", 1)[0]
    for tree in (values, defaults):
        repo = get(tree, (*spot, "repository"))
        if isinstance(repo, str) and repo:
            return repo
    return None


def detect(values: Any, defaults: Any = None) -> tuple[Detection, dict[str, Any], str] | None:
    """The strategy, ``helm:`` settings (no ``release``) and image a release's values show; None without an image.

    ``defaults`` are the chart's own values, read for a repository the release leaves to them.
    """
    spots = _images(values)
    if not spots:
        return None
    by_path = dict(spots)
    colors = [c for c in COLORS if by_path.get((c, "image")) in ("split", "tag")]
    active = _keyed(values, "active", str, lambda v: v in COLORS)
    if len(colors) == 2 and active is not None:
        repo = _repository(values, ("blue", "image"), by_path[("blue", "image")], defaults)
        shared = get(values, ("image", "repository"))
        extra: dict[str, Any] = {}
        if not repo and isinstance(shared, str) and shared:  # the colors share the top-level repository
            repo, extra = shared, {"image": {"repository": "image.repository"}}
        if repo:
            bg: dict[str, Any] = {"active": fmt(active)}
            preview = _keyed(values, "preview", str, lambda v: v in COLORS)
            if preview is not None:
                bg["preview"] = fmt(preview)
            bg["image_tag"] = "${color}.image.tag"
            if _sibling(values, ("blue", "image")) and _sibling(values, ("green", "image")):
                bg["replicas"] = "${color}." + str(_sibling(values, ("blue", "image"))).split(".", 1)[1]
            reason = f"values blue and green each set image.tag; {fmt(active)} names the live color"
            return Detection("bluegreen", reason), {**extra, "bluegreen": bg}, repo
    stable = next(((p, k) for p, k in spots if p[0] not in ("canary", *COLORS)), None)
    if stable is None:
        return None
    spot, kind = stable
    repo = _repository(values, spot, kind, defaults)
    if not repo:
        return None
    image: dict[str, str] = {"ref": fmt(spot)} if kind == "ref" else {"tag": fmt((*spot, "tag"))}
    helm: dict[str, Any] = {"image": image}
    replicas = _sibling(values, spot)
    if replicas:
        helm["replicas"] = replicas
    weight = _keyed(values, "weight", int, lambda v: 0 <= v <= 100)
    if by_path.get(("canary", "image")) in ("split", "tag") and kind != "ref" and weight is not None:
        canary: dict[str, Any] = {"image_tag": "canary.image.tag", "weight": fmt(weight)}
        if _sibling(values, ("canary", "image")):
            canary["replicas"] = _sibling(values, ("canary", "image"))
        header = _keyed(values, "header", str)
        if header is not None:
            canary["header"] = fmt(header)
        helm["canary"] = canary
        reason = f"values canary.image.tag beside {fmt((*spot, 'tag'))}; {fmt(weight)} holds the canary's weight"
        return Detection("canary", reason), helm, repo
    return Detection("rolling", f"values {fmt(spot)} hold the image"), helm, repo


# -- reading the repository ------------------------------------------------------------------------
def _load(path: Path) -> Any:
    import yaml

    from gitshift.init.tree import MAX_FILE_BYTES

    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        return yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, ValueError, yaml.YAMLError):
        return None


def chart_defaults(root: Path, chart: str | None) -> dict[str, Any]:
    """A local chart's values with its subcharts' values under their names and aliases (for a repository)."""
    from gitshift.files import inside

    if not chart or not inside(root, root / chart):
        return {}
    base = root / chart
    out = _load(base / "values.yaml")
    out = dict(out) if isinstance(out, dict) else {}
    meta = _load(base / "Chart.yaml")
    deps = meta.get("dependencies") if isinstance(meta, dict) else None
    for dep in deps if isinstance(deps, list) else []:
        if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
            continue
        sub = _load(base / "charts" / dep["name"] / "values.yaml")
        if isinstance(sub, dict):
            key = dep.get("alias") if isinstance(dep.get("alias"), str) else dep["name"]
            merged = dict(sub)
            if isinstance(out.get(key), dict):
                merged.update(out[key])
            out[key] = merged
    return out


def _release_values(obj: Obj) -> tuple[Any, str | None]:
    """The merged values of a HelmRelease or Application, and its local chart path (or None)."""
    from gitshift.helm.values import Release

    try:
        values = Release(obj, "init", "init").effective()
    except Exception:  # a values string that is not YAML: no finding
        return None, None
    spec = obj.get("spec") or {}
    if obj.get("kind") == "HelmRelease":
        cs = ((spec.get("chart") or {}).get("spec")) or {}
        local = cs.get("chart") if (cs.get("sourceRef") or {}).get("kind") == "GitRepository" else None
    else:
        source: dict[str, Any] = spec["source"] if isinstance(spec.get("source"), dict) else next(
            (s for s in spec.get("sources") or [] if isinstance(s, dict) and isinstance(s.get("helm"), dict)), {})
        local = source.get("path")
    chart = os.path.normpath(local) if isinstance(local, str) and local else None
    return values, chart


def releases(root: Path, rendered: Mapping[str, Rendered]) -> list[HelmFinding]:
    """Every HelmRelease and Application of the rendered overlays whose values show an image."""
    from gitshift.helm.values import is_release

    out = []
    for overlay, objs in sorted(rendered.items()):
        for obj in objs:
            if not is_release(obj):
                continue
            values, chart = _release_values(obj)
            found = detect(values, chart_defaults(root, chart))
            if found is None:
                continue
            detection, helm, image = found
            name = str((obj.get("metadata") or {}).get("name"))
            out.append(HelmFinding("", overlay, image,
                                   _why(detection, f"{obj.get('kind')} {name}"), {"release": name, **helm}))
    return out


def _why(d: Detection, what: str) -> Detection:
    return Detection(d.strategy, f"{what}: {d.reason}", d.settings, d.notes)


def values_files(root: Path, charts: Sequence[str]) -> list[HelmFinding]:
    """``values-<env>.yaml`` files beside the charts found, each an env of its own."""
    out = []
    for chart in charts:
        base = root / chart
        try:
            names = sorted(n for n in base.iterdir() if _VALUES_FILE.match(n.name))
        except OSError:
            continue
        for path in names[:MAX_VALUES_FILES]:
            data = _load(path)
            found = detect(data, chart_defaults(root, chart)) if isinstance(data, dict) else None
            if found is None:
                continue
            detection, helm, image = found
            rel = path.relative_to(root).as_posix()
            m = _VALUES_FILE.match(path.name)
            assert m is not None
            out.append(HelmFinding(m.group("env"), rel, image, _why(detection, f"values file {rel}"),
                                   {"values_file": rel, **helm}))
    return out


def charts(root: Path, limit: int = 2000) -> list[str]:
    """Folders with a ``Chart.yaml`` that are not subcharts of another (``charts/`` inside a chart)."""
    from gitshift.init.tree import _SKIP_DIRS

    out: list[str] = []
    for path in sorted(root.rglob("Chart.yaml")):
        rel = path.parent.relative_to(root)
        if any(p.startswith(".") or p in _SKIP_DIRS for p in rel.parts) or ("charts" in rel.parts[:-1] and \
                any((root / Path(*rel.parts[:i]) / "Chart.yaml").is_file() for i in range(1, len(rel.parts)))):
            continue
        out.append(rel.as_posix())
        if len(out) >= limit:
            break
    return out


def chart_entries(root: Path, overlay: str) -> list[HelmFinding]:
    """The ``helmCharts`` entries of an overlay's kustomization whose values show an image."""
    from gitshift.init.tree import KUSTOMIZATION_FILES

    base = root / overlay
    data = next((d for n in KUSTOMIZATION_FILES if isinstance(d := _load(base / n), dict)), None)
    if data is None:
        return []
    home = ((data.get("helmGlobals") or {}).get("chartHome") if isinstance(data.get("helmGlobals"), dict)
            else None) or "charts"
    out = []
    for entry in data.get("helmCharts") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        values: dict[str, Any] = {}
        if isinstance(entry.get("valuesFile"), str):
            loaded = _load(base / entry["valuesFile"])
            values = dict(loaded) if isinstance(loaded, dict) else {}
        if isinstance(entry.get("valuesInline"), dict):
            from gitshift.helm.values import _merge

            _merge(values, entry["valuesInline"])
        chart = PurePosixPath(overlay) / str(home) / entry["name"]
        found = detect(values, chart_defaults(root, os.path.normpath(str(chart))))
        if found is None:
            continue
        detection, helm, image = found
        name = str(entry.get("releaseName") or entry["name"])
        out.append(HelmFinding("", overlay, image, _why(detection, f"helmCharts entry {name}"),
                               {"helm_chart": name, **helm}))
    return out


def find(root: Path, rendered: dict[str, Rendered], skipped: list[Any]) -> tuple[list[HelmFinding],
                                                                               dict[str, Rendered], list[Any]]:
    """Every Helm env of the repository; overlays with ``helmCharts`` leave ``rendered`` and ``skipped``.

    An overlay that inflates a chart is a Helm env: its rendered Deployments are the chart's output, which
    gitshift shifts through the values, never directly.
    """
    found: list[HelmFinding] = []
    inflating = set()
    for overlay in sorted({*rendered, *(s.overlay for s in skipped)}):
        entries = chart_entries(root, overlay)
        if entries:
            found += entries
            inflating.add(overlay)
    rendered = {o: r for o, r in rendered.items() if o not in inflating}
    skipped = [s for s in skipped if s.overlay not in inflating]
    found += releases(root, rendered)
    found += values_files(root, charts(root))
    return found, rendered, skipped


def merge(apps: Sequence[Any], found: Sequence[HelmFinding], root_name: str) -> tuple[Any, ...]:
    """``apps`` with the Helm envs added: to the app of the same image, or as new apps named after the image."""
    from dataclasses import replace

    from gitshift.init.scan import AppFinding, EnvFinding, _env_names, _env_order, dns_label

    overlay_names = _env_names(sorted({f.overlay for f in found if not f.name}), root_name)
    by_image = {a.image: a for a in apps}
    by_name = {a.name: a for a in apps}
    out = {a.name: a for a in apps}
    for f in found:
        app = by_image.get(f.image)
        if app is None:
            name = dns_label(f.image.rsplit("/", 1)[-1])
            while name in by_name and by_name[name].image != f.image:
                name = f"{name}-helm"
            app = by_name.get(name) or AppFinding(name, f.image, ())
        env = dns_label(f.name or overlay_names[f.overlay], "default")
        taken = {e.env for e in app.envs}
        base, n = env, 2
        while env in taken:
            env, n = f"{base}-{n}", n + 1
        finding = EnvFinding(app.name, env, f.overlay, f.image, f.detection, helm=f.helm)
        envs = sorted((*app.envs, finding), key=lambda e: _env_order(e.env))
        app = replace(app, envs=tuple(envs))
        by_image[f.image] = by_name[app.name] = out[app.name] = app
    return tuple(sorted(out.values(), key=lambda a: a.name))
