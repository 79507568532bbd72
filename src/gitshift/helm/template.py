"""The chart proof: ``helm template`` of the release's chart with its values, before and after a shift.

Values are proven by themselves (``place``); this proves what they mean: the
chart, rendered with the env's values, runs the intended images with the
intended replicas, its nginx canary Ingress carries the intended weight, a
Service serves the live color, and the common safety checks hold on that
render. It needs ``helm`` on PATH; without it (or without a chart found in the
repository) the shift says the chart was not rendered (README.md, "Helm
releases").

The chart is copied out of the file view into a temporary folder (bounded in
files and bytes) and ``helm template`` runs there with an empty environment:
no kubeconfig, no repository cache, no network.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from gitshift.errors import CheckFailedError, InputError, RenderError, RendererUnavailableError
from gitshift.helm.values import VALUES_KIND, release, required, settings, unavailable
from gitshift.manifests import WORKLOAD_KINDS, Obj, pod_labels, pod_template, selector_matches

if TYPE_CHECKING:
    from gitshift.config import EnvConfig
    from gitshift.files import FileView
    from gitshift.manifests import Rendered
    from gitshift.result import State

MAX_FILES = 2000
MAX_BYTES = 32 * 1024 * 1024
TIMEOUT = 60.0


@dataclass(frozen=True)
class Chart:
    """What ``helm template`` is given: the chart folder and value files (repository paths), inline values."""

    chart: str
    release_name: str
    namespace: str
    value_files: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)


def helm_binary() -> str | None:
    """The ``helm`` on PATH, or None."""
    return shutil.which("helm")


def _rel(base: str, path: str) -> str | None:
    """``path`` joined to ``base`` inside the repository, or None when it leaves it."""
    if PurePosixPath(path).is_absolute():
        return None
    joined = os.path.normpath(str(PurePosixPath(base) / path) if base else path)
    if joined == ".." or joined.startswith("../"):
        return None
    return PurePosixPath(joined).as_posix()


@dataclass(frozen=True)
class Identity:
    """The release as the cluster knows it: its name, and its namespace (None when nothing says)."""

    name: str
    namespace: str | None


def identity(rendered: Rendered, env: EnvConfig, view: FileView, tree: Path) -> Identity:
    """The release's name and namespace, read the way Flux, Argo CD or kustomize read them (or ``helm:``)."""
    s = settings(env)
    r = release(rendered, env)
    obj, meta = r.obj, r.obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    if obj.get("kind") == VALUES_KIND and s.helm_chart is not None:
        from gitshift.helm.values import chart_entry

        _, _, entry = chart_entry(tree, env, view)
        name, ns = entry.get("releaseName") or entry.get("name"), entry.get("namespace")
    elif obj.get("kind") == VALUES_KIND:
        name, ns = env.app, None
    elif obj.get("kind") == "HelmRelease":
        target = spec.get("targetNamespace")
        name = spec.get("releaseName") or (f"{target}-{meta.get('name')}" if target else meta.get("name"))
        ns = target or meta.get("namespace")
    else:
        helm = _source(obj).get("helm") or {}
        name, ns = helm.get("releaseName") or meta.get("name"), (spec.get("destination") or {}).get("namespace")
    return Identity(str(s.release_name or name), str(s.namespace or ns) if s.namespace or ns else None)


def _source(obj: Obj) -> dict[str, Any]:
    """An Application's source that carries Helm settings."""
    spec = obj.get("spec") or {}
    found = spec.get("source") or next((x for x in spec.get("sources") or [] if isinstance(x, dict)
                                        and isinstance(x.get("helm"), dict)), {})
    return found if isinstance(found, dict) else {}


def chart_of(rendered: Rendered, env: EnvConfig, view: FileView, tree: Path) -> Chart | str:
    """The chart and values of the env's release; a reason (str) when no local chart is found."""
    s = settings(env)
    r = release(rendered, env)
    obj = r.obj
    spec = obj.get("spec") or {}
    files: tuple[str, ...] = ()
    values = r.effective()
    if obj.get("kind") == VALUES_KIND:
        path = str(s.values_file)
        chart = s.chart or str(PurePosixPath(path).parent)
        files, values = (path,), {}
    elif obj.get("kind") == "HelmRelease":
        cs = ((spec.get("chart") or {}).get("spec")) or {}
        local = cs.get("chart") if (cs.get("sourceRef") or {}).get("kind") == "GitRepository" else None
        chart = s.chart or (_rel("", str(local)) if isinstance(local, str) else None) or ""
    else:
        source = _source(obj)
        helm = source.get("helm") or {}
        chart = s.chart or (_rel("", str(source["path"])) if isinstance(source.get("path"), str) else None) or ""
        files = tuple(f for f in (_rel(chart, str(v)) for v in helm.get("valueFiles") or []) if f)
    if not chart:
        return f"no local chart for {r.label}; set helm.chart"
    if not view.is_file(tree / chart / "Chart.yaml"):
        return f"no Chart.yaml in {chart}"
    who = identity(rendered, env, view, tree)
    return Chart(chart, who.name, who.namespace or "default", files, values)


def _one_line(text: str, code: int) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return (" ".join(lines)[:400] or f"exit {code}").removeprefix("Error: ")


def template(chart: Chart, view: FileView, tree: Path, binary: str) -> list[Obj]:
    """The chart rendered by ``helm template`` with the chart's value files and values."""
    from gitshift.files import copy_out, guard_inside
    from gitshift.render.external import parse_stream

    with tempfile.TemporaryDirectory(prefix="gitshift-helm-") as tmp:
        work = Path(tmp)
        guard_inside(tree, Path(chart.chart), "chart")
        copy_out(view, tree / chart.chart, work / "chart", MAX_FILES, MAX_BYTES, "the chart")
        args = [binary, "template", chart.release_name, str(work / "chart"), "--namespace", chart.namespace]
        for i, rel in enumerate(chart.value_files):
            guard_inside(tree, Path(rel), "values file")
            try:
                data = view.read_bytes(tree / rel)
            except FileNotFoundError as exc:
                raise InputError("values file of the chart not found", rel) from exc
            (work / f"values-{i}.yaml").write_bytes(data)
            args += ["-f", str(work / f"values-{i}.yaml")]
        if chart.values:
            (work / "values-inline.yaml").write_text(json.dumps(chart.values))
            args += ["-f", str(work / "values-inline.yaml")]
        home = work / "home"
        home.mkdir()
        env = {"HOME": str(home), "HELM_CACHE_HOME": str(home / "cache"), "HELM_CONFIG_HOME": str(home / "config"),
               "HELM_DATA_HOME": str(home / "data"), "KUBECONFIG": str(home / "kubeconfig")}
        try:
            proc = subprocess.run(args, cwd=work, capture_output=True, text=True, timeout=TIMEOUT, env=env,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise RendererUnavailableError(f"helm template timed out after {TIMEOUT:.0f}s", chart.chart) from exc
        except OSError as exc:
            raise RendererUnavailableError(f"helm could not run: {exc}", binary,
                                           f"check that `{binary} version` runs, or set helm.render: false") from exc
        if proc.returncode != 0:
            raise RenderError(f"helm template failed: {_one_line(proc.stderr, proc.returncode)}", chart.chart)
        return parse_stream(proc.stdout, chart.chart)


# -- what the chart render must show ---------------------------------------------------------------
def _images(obj: Obj) -> list[str]:
    spec = pod_template(obj).get("spec") or {}
    return [str(c.get("image", "")) for key in ("containers", "initContainers") for c in spec.get(key) or []]


def _replicas(obj: Obj) -> int:
    value = (obj.get("spec") or {}).get("replicas", 1)
    return int(value) if isinstance(value, int) else 1


def _name(obj: Obj) -> str:
    return f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"


def _serves(role: str, state: State) -> bool:
    """Whether the values say ``role`` runs pods (a canary: only while it gets traffic)."""
    count = state.replicas.get(role, 1)
    if count is not None and count < 1:  # None: no count set, the chart's default decides
        return False
    return role != "canary" or bool(state.weight) or state.match is not None


def expectations(objs: list[Obj], state: State) -> list[str]:
    """Failures: the chart render does not show the release state the values say."""
    from gitshift import checks
    from gitshift.manifests import Rendered

    rendered = Rendered(objs)
    workloads = rendered.of_kind(*WORKLOAD_KINDS)
    out = checks.selectors_match(rendered) + checks.rollout_knobs(rendered)
    serving = [role for role in sorted(state.images) if _serves(role, state)]
    by_image: dict[str, list[str]] = {}
    for role, image in state.images.items():
        by_image.setdefault(image, []).append(role)
    for role in serving:
        image = state.images[role]
        running = [w for w in workloads if image in _images(w)]
        if not running:
            out.append(f"the chart runs no container with the {role} image {image}")
            continue
        if role in state.replicas and len(by_image[image]) == 1:
            total = sum(_replicas(w) for w in running)
            if total != state.replicas[role]:
                out.append(f"the chart runs {total} replica(s) of the {role} image {image}, "
                           f"the values say {state.replicas[role]}")
    if state.weight is not None:
        for ing in rendered.of_kind("Ingress"):
            notes = (ing.get("metadata") or {}).get("annotations") or {}
            if str(notes.get("nginx.ingress.kubernetes.io/canary", "")).lower() != "true":
                continue
            weight = str(notes.get("nginx.ingress.kubernetes.io/canary-weight", "0"))
            if weight != str(state.weight):
                out.append(f"{_name(ing)} canary-weight is {weight}, the values say {state.weight}")
    if state.active is not None and state.active in state.images:
        image = state.images[state.active]
        live = [w for w in workloads if image in _images(w) and _replicas(w) > 0]
        services = [s for s in rendered.of_kind("Service")
                    if any(selector_matches((s.get("spec") or {}).get("selector"), pod_labels(w)) for w in live)]
        if not services:
            out.append(f"no Service of the chart selects the pods of the active color {state.active} ({image})")
    return out


def render_diff(before: list[Obj], after: list[Obj], label: str, how: str = "helm template") -> str:
    """A unified diff of two chart renders."""
    from gitshift.render.builtin import emit

    a, b = emit.dump_all(before), emit.dump_all(after)
    return "".join(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                        f"a/{label} ({how})", f"b/{label} ({how})"))


@dataclass
class Proof:
    """What the chart proof did: a check name (or why not rendered) and the chart's diff."""

    note: str
    rendered: bool
    diff: str = ""


def prove(env: EnvConfig, tree: Path, before_view: FileView, after_view: FileView, before: Rendered,
          after: Rendered, state_after: State, asked: bool = False) -> Proof:
    """Render the chart before and after the shift and check the after render.

    ``asked`` (``--engine helm``) makes ``helm.render: auto`` required.

    Raises:
        CheckFailedError: the chart fails to render with the new values, or the render does not show
            the intended state.
        RendererUnavailableError: ``helm.render: true`` and helm is not on PATH.
    """

    s = settings(env)
    render = required(env, asked)
    if render is False:
        return Proof("⚠️ chart not rendered (helm.render: false)", False)
    binary = helm_binary()
    if binary is None:
        if render is True:
            raise unavailable(env, asked, "helm is not on PATH")
        return Proof("⚠️ chart not rendered: helm is not on PATH", False)
    if s.helm_chart is not None:
        return _prove_inflated(env, tree, before_view, after_view, state_after, asked)
    new = chart_of(after, env, after_view, tree)
    if isinstance(new, str):
        if render is True:
            raise InputError(f"cannot render the chart: {new}", f"{env.app}/{env.name}")
        return Proof(f"⚠️ chart not rendered: {new}", False)
    try:
        old_chart = chart_of(before, env, before_view, tree)
        old = template(old_chart, before_view, tree, binary) if not isinstance(old_chart, str) else []
    except RenderError:
        old = []  # the chart did not render before the shift: only the result is judged
    try:
        objs = template(new, after_view, tree, binary)
    except RenderError as exc:
        raise CheckFailedError(f"the chart does not render with the new values: {exc.what}", exc.where,
                               "nothing was written") from exc
    failures = expectations(objs, state_after)
    if failures:
        more = f"; {len(failures) - 1} more" if len(failures) > 1 else ""
        raise CheckFailedError("safety check failed: " + failures[0], f"{env.app}/{env.name}, {new.chart}",
                               hint="nothing was written" + more, failures=failures)
    return Proof(f"chart {new.chart} rendered with helm template shows the intended images, replicas and traffic",
                 True, render_diff(old, objs, new.chart))


def _prove_inflated(env: EnvConfig, tree: Path, before_view: FileView, after_view: FileView,
                    state_after: State, asked: bool) -> Proof:
    """A ``helmCharts`` entry: the overlay rendered with ``kustomize --enable-helm`` is the chart's render."""
    from gitshift.render.builtin import BuiltinRenderer
    from gitshift.render.helmcharts import HelmFallbackRenderer, helm_engine

    engine = helm_engine()
    if engine is None:
        if required(env, asked) is True:
            raise unavailable(env, asked, "helm and kustomize (or kubectl) are not on PATH")
        return Proof("⚠️ chart not rendered: helm is not on PATH", False)
    overlay = tree / env.overlay
    renderer = HelmFallbackRenderer(BuiltinRenderer())
    try:
        old = renderer.render(overlay, before_view)
    except RenderError:
        old = []
    try:
        objs = renderer.render(overlay, after_view)
    except RenderError as exc:
        raise CheckFailedError(f"the chart does not render with the new values: {exc.what}", exc.where,
                               "nothing was written") from exc
    failures = expectations(objs, state_after)
    if failures:
        more = f"; {len(failures) - 1} more" if len(failures) > 1 else ""
        raise CheckFailedError("safety check failed: " + failures[0], env.where,
                               hint="nothing was written" + more, failures=failures)
    return Proof(f"overlay {env.overlay} rendered with {engine} --enable-helm shows the intended images, "
                 "replicas and traffic", True, render_diff(old, objs, env.overlay, f"{engine} --enable-helm"))
