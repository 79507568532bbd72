"""The values of one Helm release, read from a rendered HelmRelease or Application, or from a values file.

A release's values come in layers, lowest first, as the GitOps tool merges them:

- Flux ``HelmRelease``: each ``spec.valuesFrom`` ConfigMap the overlay renders (its
  ``valuesKey``, ``values.yaml`` by default, or one value at its ``targetPath``), in
  order, then ``spec.values``; a Secret, or a ConfigMap rendered elsewhere, is not
  read and is said so (``Release.unread``); a ConfigMap's values are read, never written;
- Argo CD ``Application`` (``spec.source.helm`` or the first of ``spec.sources``
  with ``helm``): the ``values`` string, then ``valuesObject``, then ``parameters``
  (``--set name=value``);
- a values file: its whole content.

A value is read from, and written to, the highest layer that has it. Writes
are collected on a ``Release`` and turned into intents on the rendered object:
a field of ``spec.values`` or ``valuesObject`` directly, a ``parameters``
entry's ``value``, or the whole ``values`` string edited as YAML (comments and
layout kept). A values file is rendered as one object of kind ``HelmValues``
whose ``values`` field holds the file, so a values file takes the same path as
an overlay: intents, placement, proof by reading it again.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitshift.errors import InputError, RendererUnavailableError, YamlError
from gitshift.manifests import FieldPath, Intent, Obj, Rendered, ResourceId
from gitshift.valuepaths import ABSENT, ValuePath, fmt, get, parse, set_value

if TYPE_CHECKING:
    from gitshift.config import EnvConfig, HelmSettings
    from gitshift.files import FileView

FLUX_GROUP = "helm.toolkit.fluxcd.io"
ARGO_GROUP = "argoproj.io"
VALUES_API = "gitshift.dev/v1"
VALUES_KIND = "HelmValues"


@dataclass
class Layer:
    """One place values live: ``map`` (a mapping), ``string`` (YAML text), ``parameters``, or ``from`` (read only).

    A ``from`` layer is a ConfigMap a HelmRelease's ``valuesFrom`` names: its values count, gitshift does not edit it.
    """

    label: str
    base: FieldPath
    kind: str
    data: Any
    text: str | None = None
    edits: list[tuple[ValuePath, Any]] = field(default_factory=list)


def settings(env: EnvConfig) -> HelmSettings:
    """The env's ``helm:`` section; an env without one is not a Helm env."""
    if env.helm is None:
        raise InputError(f"env {env.app}/{env.name} has no helm: section", env.overlay)
    return env.helm


def _group(obj: Obj) -> str:
    api = str(obj.get("apiVersion", ""))
    return api.rsplit("/", 1)[0] if "/" in api else ""


def is_release(obj: Obj) -> bool:
    """A Flux HelmRelease or an Argo CD Application."""
    kind, group = obj.get("kind"), _group(obj)
    return (kind == "HelmRelease" and group == FLUX_GROUP) or (kind == "Application" and group == ARGO_GROUP)


def find(rendered: Rendered, name: str) -> Obj | None:
    """The HelmRelease or Application named ``name`` (as rendered, or before the overlay's prefix/suffix)."""
    releases = [o for o in rendered if is_release(o)]
    exact = [o for o in releases if (o.get("metadata") or {}).get("name") == name]
    if exact:
        return exact[0]
    near = [o for o in releases if name in str((o.get("metadata") or {}).get("name", ""))]
    return near[0] if len(near) == 1 else None


def file_object(rel: str, data: Any) -> Obj:
    """The one object a values file renders to."""
    return {"apiVersion": VALUES_API, "kind": VALUES_KIND, "metadata": {"name": rel}, "values": data}


def _load(view: FileView, path: Path, rel: str, what: str, hint: str) -> Any:
    import yaml

    from gitshift.config import yaml_loader

    try:
        text = view.read_text(path)
    except FileNotFoundError as exc:
        raise InputError(f"{what} not found", rel, hint) from exc
    try:
        return yaml.load(text, Loader=yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlError(f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
                        f"{rel}:{mark.line + 1}" if mark is not None else rel) from exc


def chart_entry(tree: Path, env: EnvConfig, view: FileView) -> tuple[Path, int, dict[str, Any]]:
    """The kustomization file of the env's overlay, and the index and content of its ``helmCharts`` entry."""
    from gitshift.files import guard_inside
    from gitshift.rewrite.overlay import find_kustomization

    name = str(settings(env).helm_chart)
    overlay = guard_inside(tree, Path(env.overlay), f"overlay of {env.app}/{env.name}")
    kfile = find_kustomization(overlay, view)
    rel = str(kfile.relative_to(tree.resolve()) if kfile.is_relative_to(tree.resolve()) else kfile)
    data = _load(view, kfile, rel, "kustomization", "")
    entries = (data or {}).get("helmCharts") if isinstance(data, dict) else None
    for i, e in enumerate(entries or []):
        if isinstance(e, dict) and name in (e.get("releaseName"), e.get("name")):
            return kfile, i, e
    raise InputError(f"no helmCharts entry named {name!r} (releaseName or name)", rel,
                     f"check apps.{env.app}.envs.{env.name}.helm.helm_chart")


def render_source(tree: Path, env: EnvConfig, view: FileView) -> Rendered:
    """A Helm env whose values are files: one ``HelmValues`` object holding them, as read through ``view``.

    A values file renders as ``values``; a kustomization's ``helmCharts`` entry as
    ``valuesFile`` (its file, parsed) and ``valuesInline``.
    """
    from gitshift.files import guard_inside

    s = settings(env)
    if s.helm_chart is not None:
        kfile, i, entry = chart_entry(tree, env, view)
        rel = str(Path(env.overlay) / kfile.name)
        obj: Obj = {"apiVersion": VALUES_API, "kind": VALUES_KIND,
                    "metadata": {"name": f"{rel}#helmCharts[{i}]"}}
        if entry.get("valuesFile") is not None:
            vrel = str(Path(env.overlay) / str(entry["valuesFile"]))
            path = guard_inside(tree, Path(vrel), f"valuesFile of {env.app}/{env.name}")
            data = _load(view, path, vrel, "valuesFile", f"check helmCharts[{i}].valuesFile in {rel}")
            if not isinstance(data, dict):
                raise InputError("a values file must hold a mapping", vrel)
            obj["valuesFile"] = data
        if entry.get("valuesInline") is not None:
            if not isinstance(entry["valuesInline"], dict):
                raise InputError(f"helmCharts[{i}].valuesInline is not a mapping", rel)
            obj["valuesInline"] = entry["valuesInline"]
        return Rendered([obj])
    rel = str(s.values_file)
    path = guard_inside(tree, Path(rel), f"values file of {env.app}/{env.name}")
    data = _load(view, path, rel, "values file", f"check apps.{env.app}.envs.{env.name}.helm.values_file")
    if not isinstance(data, dict):
        raise InputError("a values file must hold a mapping", rel)
    return Rendered([file_object(rel, data)])


def _helm_source(obj: Obj) -> tuple[FieldPath, dict[str, Any]]:
    """Where an Application keeps its Helm settings."""
    spec = obj.get("spec") or {}
    if isinstance(spec.get("source"), dict):
        return ("spec", "source", "helm"), spec["source"].get("helm") or {}
    for i, src in enumerate(spec.get("sources") or []):
        if isinstance(src, dict) and isinstance(src.get("helm"), dict):
            return ("spec", "sources", i, "helm"), src["helm"]
    return ("spec", "source", "helm"), {}


def _string_layer(base: FieldPath, text: Any, where: str) -> Layer:
    import yaml

    from gitshift.config import yaml_loader

    if not isinstance(text, str):
        raise InputError(f"{where}: helm.values is not a string", where)
    try:
        data = yaml.load(text, Loader=yaml_loader()) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise InputError(f"the helm.values string is not YAML: {getattr(exc, 'problem', None) or exc}", where,
                         "fix the values block of the Application") from exc
    if not isinstance(data, dict):
        raise InputError("the helm.values string is not a YAML mapping", where,
                         "fix the values block of the Application")
    return Layer("helm.values", (*base, "values"), "string", data, text)


def values_from(obj: Obj, rendered: Rendered | None, where: str) -> tuple[list[Layer], list[str]]:
    """A HelmRelease's ``valuesFrom`` ConfigMaps the overlay renders, in order; and what was not read, said once each.

    Flux reads a ConfigMap or Secret of the HelmRelease's namespace, the key ``valuesKey``
    (``values.yaml`` by default), merged in order, or, with ``targetPath``, one value set
    at that path as ``--set`` does.
    """
    found: list[Layer] = []
    unread: list[str] = []
    spec, meta = obj.get("spec") or {}, obj.get("metadata") or {}
    for i, ref in enumerate(spec.get("valuesFrom") or []):
        if not isinstance(ref, dict):
            continue
        kind, name = str(ref.get("kind", "")), str(ref.get("name", ""))
        key = str(ref.get("valuesKey") or "values.yaml")
        label = f"valuesFrom {kind}/{name}"
        if kind != "ConfigMap":
            unread.append(f"{label} not read: gitshift reads no Secret; the values shown leave it out")
            continue
        cm = next((o for o in rendered or () if o.get("kind") == "ConfigMap" and o.get("apiVersion") == "v1"
                   and (o.get("metadata") or {}).get("name") == name
                   and (o.get("metadata") or {}).get("namespace") == meta.get("namespace")), None)
        if cm is None:
            unread.append(f"{label} not read: the overlay does not render it; the values shown leave it out")
            continue
        text = (cm.get("data") or {}).get(key)
        if not isinstance(text, str):
            unread.append(f"{label} not read: it has no key {key}; the values shown leave it out")
            continue
        base: FieldPath = ("spec", "valuesFrom", i)
        if ref.get("targetPath"):
            from gitshift.valuepaths import PathError

            data: dict[str, Any] = {}
            try:
                _force(data, parse(str(ref["targetPath"])), _param_value({"value": text}))
            except (PathError, ValueError):
                unread.append(f"{label} not read: targetPath {ref['targetPath']!r} is not a value path")
                continue
            found.append(Layer(f"{label} ({key} at {ref['targetPath']})", base, "from", data))
            continue
        found.append(Layer(f"{label} ({key})", base, "from", _configmap_values(text, f"{label} ({key})", where),
                           text))
    return found, unread


def _configmap_values(text: str, label: str, where: str) -> dict[str, Any]:
    """The values a valuesFrom ConfigMap's key holds (YAML text)."""
    import yaml

    from gitshift.config import yaml_loader

    try:
        data = yaml.load(text, Loader=yaml_loader()) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise InputError(f"{label} is not YAML: {getattr(exc, 'problem', None) or exc}", where,
                         "fix the ConfigMap's values") from exc
    if not isinstance(data, dict):
        raise InputError(f"{label} is not a YAML mapping", where, "fix the ConfigMap's values")
    return data


def layers(obj: Obj, where: str, rendered: Rendered | None = None) -> list[Layer]:
    """The values layers of a release object, lowest first (``rendered``: where valuesFrom ConfigMaps are found)."""
    kind = obj.get("kind")
    if kind == VALUES_KIND:  # a values file, or a helmCharts entry (valuesInline is merged over valuesFile)
        return [Layer(k, (k,), "map", obj[k]) for k in ("values", "valuesFile", "valuesInline") if k in obj]
    if kind == "HelmRelease":
        own = Layer("spec.values", ("spec", "values"), "map", (obj.get("spec") or {}).get("values") or {})
        return [*values_from(obj, rendered, where)[0], own]
    base, helm = _helm_source(obj)
    out = []
    if helm.get("values") is not None:
        out.append(_string_layer(base, helm["values"], where))
    if isinstance(helm.get("valuesObject"), dict):
        out.append(Layer("helm.valuesObject", (*base, "valuesObject"), "map", helm["valuesObject"]))
    if isinstance(helm.get("parameters"), list):
        out.append(Layer("helm.parameters", (*base, "parameters"), "parameters", helm["parameters"]))
    return out


def _param_value(entry: dict[str, Any]) -> Any:
    """A parameter as Helm's ``--set`` reads it: numbers and booleans typed unless ``forceString``."""
    value = entry.get("value")
    if not isinstance(value, str) or entry.get("forceString"):
        return value
    if value in ("true", "false"):
        return value == "true"
    if value.lstrip("-").isdigit() and not (len(value.lstrip("-")) > 1 and value.lstrip("-").startswith("0")):
        return int(value)
    return value


def _lookup(layer: Layer, vp: ValuePath) -> Any:
    if layer.kind == "parameters":
        name = fmt(vp)
        for entry in reversed(layer.data):
            if isinstance(entry, dict) and entry.get("name") == name:
                return _param_value(entry)
        return ABSENT
    return get(layer.data, vp)


class Release:
    """The values of one release, with the writes a strategy asks for."""

    def __init__(self, obj: Obj, where: str, key: str, rendered: Rendered | None = None) -> None:
        self.obj = obj
        self.where = where
        self.key = key  # the role name of a single release in status (rolling)
        self.layers = layers(obj, where, rendered)
        # valuesFrom a Secret or a ConfigMap the overlay does not render: left out of the values, and said so
        self.unread = values_from(obj, rendered, where)[1] if obj.get("kind") == "HelmRelease" else []

    @property
    def label(self) -> str:
        """``HelmRelease/search`` or the values file."""
        meta = self.obj.get("metadata") or {}
        if self.obj.get("kind") == VALUES_KIND:
            return str(meta.get("name"))
        return f"{self.obj.get('kind')}/{meta.get('name')}"

    def _find(self, vp: ValuePath) -> tuple[Layer | None, Any]:
        for layer in reversed(self.layers):
            value = _lookup(layer, vp)
            if value is not ABSENT:
                return layer, value
        return None, ABSENT

    def has(self, path: str) -> bool:
        """Whether the value at ``path`` exists."""
        return self._find(parse(path))[0] is not None

    def get(self, path: str, config_key: str) -> Any:
        """The value at ``path``; a missing path or one on a mapping or list is bad input naming both."""
        vp = parse(path)
        layer, value = self._find(vp)
        if layer is None:
            names = ", ".join(x.label for x in self.layers) or "no values"
            where = self.label if self.obj.get("kind") == VALUES_KIND else f"the values of {self.label} ({names})"
            raise InputError(f"value path {path} not found in {where}", self.where,
                             f"add {path} to the values, or fix {config_key} in gitshift.yaml")
        if isinstance(value, dict | list):
            what = "a mapping" if isinstance(value, dict) else "a list"
            raise InputError(f"value path {path} lands on {what} in {self.label}, not on a value", self.where,
                             f"point {config_key} at a scalar such as {path}.tag")
        return value

    def set(self, path: str, value: Any, config_key: str) -> None:
        """Ask for ``path`` to become ``value`` (it must exist); nothing is asked when it holds ``value`` already."""
        vp = parse(path)
        before = self.get(path, config_key)
        if before == value and type(before) is type(value):
            return
        layer, _ = self._find(vp)
        assert layer is not None
        if layer.kind == "from":
            raise InputError(f"value {path} of {self.label} comes from its {layer.label}; gitshift does not edit "
                             "that ConfigMap", self.where,
                             f"set {path} in the HelmRelease's spec.values (it wins over valuesFrom), or edit the "
                             "ConfigMap by hand")
        if layer.kind == "parameters" and str(before) == str(value):
            return
        layer.edits = [(p, v) for p, v in layer.edits if p != vp] + [(vp, value)]

    def intents(self) -> list[Intent]:
        """The intents of the writes asked so far, in the order they were asked per layer."""
        rid = ResourceId.of(self.obj)
        out: list[Intent] = []
        for layer in self.layers:
            if not layer.edits:
                continue
            if layer.kind == "map":
                for vp, value in layer.edits:
                    out.append(Intent(rid, (*layer.base, *vp), value, get(layer.data, vp)))
            elif layer.kind == "parameters":
                for vp, value in layer.edits:
                    i = max(k for k, e in enumerate(layer.data) if isinstance(e, dict) and e.get("name") == fmt(vp))
                    text = _param_text(value)
                    out.append(Intent(rid, (*layer.base, i, "value"), text, layer.data[i].get("value")))
            else:
                new = edit_text(str(layer.text), layer.edits, self.where)
                out.append(Intent(rid, layer.base, new, layer.text))
        return out

    def effective(self) -> dict[str, Any]:
        """The merged values (lowest layer first), as the chart receives them from these layers."""
        merged: dict[str, Any] = {}
        for layer in self.layers:
            if layer.kind == "parameters":
                for e in layer.data:
                    if isinstance(e, dict) and isinstance(e.get("name"), str):
                        try:
                            _force(merged, parse(e["name"]), _param_value(e))
                        except ValueError:
                            continue
            else:
                _merge(merged, copy.deepcopy(layer.data))
        return merged

    def intended(self) -> dict[ValuePath, Any]:
        """The value paths the writes asked so far change, and their new values."""
        return {vp: v for layer in self.layers for vp, v in layer.edits}


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _merge(into: dict[str, Any], data: Any) -> None:
    for k, v in (data or {}).items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v


def _force(into: Any, vp: ValuePath, value: Any) -> None:
    if set_value(into, vp, value):
        return
    cur = into
    for part, nxt in itertools.pairwise(vp):
        if isinstance(part, int) or not isinstance(cur, dict):
            return
        if not isinstance(cur.get(part), dict | list):
            cur[part] = [] if isinstance(nxt, int) else {}
        cur = cur[part]
    if isinstance(cur, dict) and isinstance(vp[-1], str):
        cur[vp[-1]] = value


def edit_text(text: str, edits: list[tuple[ValuePath, Any]], where: str) -> str:
    """YAML ``text`` with ``edits`` made through the comment-keeping round trip, in its own layout."""
    from gitshift.rewrite import yamldoc
    from gitshift.rewrite.scalars import set_in

    doc = yamldoc.load(Path(where), text.encode("utf-8"))
    if not doc.docs or not isinstance(doc.docs[0], dict):
        raise InputError("the helm.values string is not a YAML mapping", where)
    for vp, value in edits:
        if not set_in(doc.docs[0], vp, value, create=False):
            raise InputError(f"value path {fmt(vp)} not found in the helm.values string", where)
    out = doc.dump().decode("utf-8")
    if not text.endswith("\n"):
        out = out.rstrip("\n")
    return out


def release(rendered: Rendered, env: EnvConfig) -> Release:
    """The env's release in its rendered overlay (or its values file)."""
    s = settings(env)
    if s.values_file is not None or s.helm_chart is not None:
        objs = rendered.of_kind(VALUES_KIND)
        if len(objs) != 1:
            raise InputError("the values did not render", env.overlay)
        name = str(objs[0]["metadata"]["name"])
        return Release(objs[0], name, s.release_name or s.helm_chart or env.app)
    assert s.release is not None
    obj = find(rendered, s.release)
    if obj is None:
        raise InputError(f"HelmRelease or Application {s.release!r} not found in the rendered overlay",
                         env.where,
                         f"set apps.{env.app}.envs.{env.name}.helm.release to one the overlay renders")
    name = str((obj.get("metadata") or {}).get("name"))
    return Release(obj, f"{obj.get('kind')}/{name} in {env.overlay}", s.release_name or name, rendered)


def required(env: EnvConfig, asked: bool = False) -> bool | str:
    """``helm.render`` as it applies to this run: ``asked`` (``--engine helm``) turns ``auto`` into ``true``."""
    s = settings(env)
    return True if asked and s.render == "auto" else s.render


def unavailable(env: EnvConfig, asked: bool, what: str) -> RendererUnavailableError:
    """The error of a chart that must be rendered without the tools (``what`` is missing), naming who asked."""
    if asked and settings(env).render == "auto":
        return RendererUnavailableError(what, "--engine helm", "install it, or drop --engine helm")
    return RendererUnavailableError(what, f"apps.{env.app}.envs.{env.name}.helm.render",
                                    "install it, or set helm.render: auto")
