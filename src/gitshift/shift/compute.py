"""Computing a shift: render, plan, place the intents in the overlay, render again, check; nothing is written."""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gitshift import checks, files, rewrite
from gitshift import strategies as registry
from gitshift.config import EnvConfig
from gitshift.errors import CheckFailedError, GitshiftError, InputError
from gitshift.manifests import MISSING, Intent, Obj, Rendered, format_path, show
from gitshift.render import Layout, Renderer, engine_of, kustomization_dirs, render_reading, renders_charts
from gitshift.result import Change, Result, State
from gitshift.shift.request import Delivery, Planner, ShiftRequest
from gitshift.strategies.base import Neighbours, Strategy

if TYPE_CHECKING:
    from gitshift.gitops.repo import Repo


@dataclass
class Computed:
    """A planned and verified shift, not yet written."""

    env: EnvConfig
    request: ShiftRequest
    intents: list[Intent]
    edits: dict[Path, bytes | None]
    before: Rendered
    after: Rendered
    state_before: State
    state_after: State
    checks: list[str] = field(default_factory=list)
    affected: list[Affected] = field(default_factory=list)  # every env whose render changes, the target first
    engine: str = "builtin"
    extra_diff: str = ""  # a Helm env's chart, rendered by helm template before and after


def render(renderer: Renderer, tree: Path, env: EnvConfig, view: files.FileView) -> Rendered:
    """The rendered overlay of ``env`` in the tree at ``tree``.

    A Helm env whose values are a file or a kustomization's ``helmCharts`` entry renders as one
    ``HelmValues`` object holding them (README.md, "Helm releases").
    """
    if values_source(env):
        from gitshift.helm.values import render_source

        return render_source(tree, env, view)
    overlay = files.guard_inside(tree, Path(env.overlay), f"overlay of {env.app}/{env.name}")
    return Rendered(renderer.render(overlay, view))


def files_at(renderer: Renderer, repo: Repo, commit: str) -> AbstractContextManager[tuple[Path, files.FileView]]:
    """The files of ``commit`` as ``renderer`` reads them, as (root, view).

    The one place that asks the renderer's capability: an engine that reads git
    objects gets a view over the commit's blobs; any other a temporary worktree.
    """
    from gitshift.gitops.treeview import files_at as tree_files

    return tree_files(repo, commit, in_memory=renderer.reads_git_objects)


def strategy_for(env: EnvConfig, action: str) -> Strategy:
    """The env's strategy, refusing actions it does not support."""
    strategy = registry.for_env(env)
    if action not in strategy.ACTIONS:
        family = action.split(".")[0]
        raise InputError(f"{env.app}/{env.name} uses strategy {env.strategy}; {family} does not apply",
                         action, f"use one of: {', '.join(strategy.ACTIONS)}")
    return strategy


def compute(renderer: Renderer, tree: Path, env: EnvConfig, request: ShiftRequest,
            planner: Planner | None = None, view: files.FileView | None = None) -> Computed:
    """Plan ``request`` on the overlay in ``tree``, place it, and prove it by rendering again.

    ``planner`` replaces the strategy's own plan (revert restores recorded fields);
    ``view`` reads the tree from elsewhere than the disk (a commit, for ``--commit``).

    Raises:
        CheckFailedError: a safety check fails on the result, or the change cannot be placed exactly.
    """
    strategy = registry.for_env(env) if planner else strategy_for(env, request.action)
    view = view or files.FileView(root=tree)
    before = render(renderer, tree, env, view)
    intents = planner(before) if planner else strategy.plan(before, env, request)
    state_before = strategy.state(before, env)
    if not intents:
        return Computed(env, request, [], {}, before, before, state_before, state_before,
                        engine=engine_of(renderer, tree / env.overlay))
    image_failures = checks.intent_images(intents, env)
    if image_failures:
        raise CheckFailedError("safety check failed: " + image_failures[0], f"{env.app}/{env.name}",
                               failures=image_failures)
    if env.helm is not None:  # Helm values: placed in their source and proven on the values too
        from gitshift.helm import place as helm_place

        edits, after = helm_place.place(tree, env, view, before, intents, lambda v: render(renderer, tree, env, v))
    else:
        overlay_dir = (tree / env.overlay).resolve()
        edits, after = rewrite.place(overlay_dir, view, before, intents, lambda v: render(renderer, tree, env, v))
    state_after = strategy.state(after, env)
    failures = checks.run(after, env, state_after.serving, intents, strategy.checks(after, env))
    if failures:
        raise CheckFailedError("safety check failed: " + failures[0], f"{env.app}/{env.name}",
                               hint="nothing was written", failures=failures)
    affected = blast_radius(renderer, tree, env, view, edits, request.neighbours, (before, after))
    others = [a for a in affected[1:] if a.env is not None]
    if others and not request.neighbours.allow:
        names = ", ".join(str(a) for a in others)
        raise CheckFailedError(f"the edit of {env.overlay} also changes the render of {names}",
                               f"{env.app}/{env.name}", "nothing was written; give --allow-other-envs to shift "
                               "them too, or give the env an overlay of its own")
    barred: dict[tuple[str | None, str | None], str] = {(a, e): why for a, e, why in request.neighbours.barred}
    stopped = [a for a in others if (a.app, a.env) in barred]
    if stopped:
        names = ", ".join(str(a) for a in stopped)
        raise CheckFailedError(f"the edit of {env.overlay} also changes the render of {names}, and "
                               f"{barred[stopped[0].app, stopped[0].env]}", f"{env.app}/{env.name}",
                               "nothing was written; --allow-other-envs covers only envs the commenter may shift")
    c = Computed(env, request, intents, edits, before, after, state_before, state_after,
                 checks=checks.names(env), affected=affected, engine=engine_of(renderer, tree / env.overlay))
    if env.helm is not None:  # README.md, "Helm releases": the chart with the values, before and after
        from gitshift.helm import template as helm_template

        proof = helm_template.prove(env, tree, view, view.with_edits(edits), before, after, state_after,
                                    renders_charts(renderer))
        c.checks.append(proof.note)
        c.extra_diff = proof.diff
        from gitshift.helm.values import release

        c.checks += [f"⚠️ {note}" for note in release(after, env).unread]
    return c


def blast_radius(renderer: Renderer, tree: Path, env: EnvConfig, view: files.FileView,
                 edits: dict[Path, bytes | None], neighbours: Neighbours,
                 renders: tuple[Rendered, Rendered]) -> list[Affected]:
    """The envs (and, when asked, other kustomizations) whose render ``edits`` change; ``env`` first.

    README.md, "Blast radius": an overlay that cannot reach a changed file is not
    rendered at all; one that can is rendered before (noting the files the builtin
    engine reads) and, when it reads a changed file, after the edits too. An env of
    another app on the target's own overlay counts when its own state moved (its
    image, say), read from ``renders``, the target's before and after. A Helm env
    whose values are a file or a ``helmCharts`` entry has no overlay of its own:
    it counts when the values it reads differ once the edits are made.
    """
    changed = frozenset(Path(os.path.realpath(p)) for p in edits)
    after_view = view.with_edits(edits)
    layout = Layout(view)
    root = str(tree)  # paths as strings: a Path per env costs more than most envs' whole check
    target = os.path.normpath(os.path.join(root, env.overlay))  # noqa: PTH118
    out = [Affected(env.app, env.name, env.overlay)]
    done = {target}
    for other in neighbours.envs:
        if (other.app, other.name) == (env.app, env.name):
            continue
        path = os.path.normpath(os.path.join(root, other.overlay))  # noqa: PTH118
        if values_source(other):
            moved = _values_changed(tree, other, view, after_view, changed)
        elif path == target and not values_source(env):
            moved = _state_moved(other, *renders)
        else:
            moved = _changes(renderer, layout, path, view, after_view, changed)
        if moved:
            out.append(Affected(other.app, other.name, other.overlay))
        done.add(path)
    if neighbours.all_kustomizations:
        for found in kustomization_dirs(view, tree):
            if str(found) not in done and _changes(renderer, layout, str(found), view, after_view, changed):
                out.append(Affected(None, None, found.relative_to(tree).as_posix() or "."))
    return out


def values_source(env: EnvConfig) -> bool:
    """Whether ``env`` renders as its Helm values (a values file or a ``helmCharts`` entry), not as an overlay."""
    return env.helm is not None and bool(env.helm.values_file or env.helm.helm_chart)


def _values_changed(tree: Path, env: EnvConfig, before_view: files.FileView, after_view: files.FileView,
                    changed: frozenset[Path]) -> bool:
    """Whether the Helm values ``env`` reads (a values file, a ``helmCharts`` entry) differ once the edits are made."""
    from gitshift.helm.values import render_source
    from gitshift.render import RecordingView

    recording = RecordingView(before_view)
    try:
        before: list[Obj] | None = list(render_source(tree, env, recording))
    except GitshiftError:
        before = None
    if not {Path(os.path.realpath(p)) for p in recording.read} & changed:
        return False
    try:
        after: list[Obj] | None = list(render_source(tree, env, after_view))
    except GitshiftError:
        after = None
    return before != after


def _state_moved(env: EnvConfig, before: Rendered, after: Rendered) -> bool:
    """Whether the state of ``env`` (sharing the overlay rendered as ``before`` and ``after``) changed."""
    strategy = registry.for_env(env)
    try:
        return strategy.state(before, env) != strategy.state(after, env)
    except GitshiftError:
        return False  # an env its strategy cannot read: status shows it as an error row


def _changes(renderer: Renderer, layout: Layout, directory: str, before_view: files.FileView,
             after_view: files.FileView, changed: frozenset[Path]) -> bool:
    """Whether the render of the kustomization at ``directory`` differs once the edits are made."""
    if not layout.may_read(directory, changed):
        return False
    path = Path(directory)
    data = layout.data(path)
    if data is not None and data.get("kind") == "Component":
        return False  # not rendered on its own; the overlays that use it are
    try:
        before, read = render_reading(renderer, path, before_view)
    except GitshiftError:
        before, read = None, None
    if read is not None and not {Path(os.path.realpath(p)) for p in read} & changed:
        return False
    try:
        after = renderer.render(path, after_view)
    except GitshiftError:
        after = None
    return before != after


@dataclass(frozen=True)
class Affected:
    """An env (or, with ``--all-kustomizations``, a kustomization no env names) whose render a shift changes."""

    app: str | None
    env: str | None
    overlay: str

    def __str__(self) -> str:
        return f"{self.app}/{self.env}" if self.env else self.overlay

    def to_json(self) -> dict[str, str | None]:
        """An ``affected`` item of docs/json-output.md."""
        return {"app": self.app, "env": self.env, "overlay": self.overlay}


def affected_lines(c: Computed) -> list[str]:
    """The other renders a shift changes, one line each, for the commit message and the PR body."""
    return [f"{a} ({a.overlay})" if a.env else a.overlay for a in c.affected[1:]]


def summary(c: Computed) -> str:
    """A one-line title: ``canary web/production: weight 10 → 25``."""
    family = c.request.recorded_action.split(".")[0]
    a, b = c.state_before, c.state_after
    parts = []
    if a.active != b.active:
        parts.append(f"active {a.active} → {b.active}")
    if a.weight != b.weight:
        parts.append(f"weight {a.weight} → {b.weight}{_rounded(c)}")
    if a.match != b.match:
        parts.append(f"A/B {a.match or 'none'} → {b.match or 'none'}")
    if a.preview != b.preview:
        parts.append(f"preview {a.preview} → {b.preview}")
    moved = {k: (a.images.get(k), v) for k, v in b.images.items() if a.images.get(k) != v}
    olds, news = {o for o, _ in moved.values()}, {n for _, n in moved.values()}
    if moved and len(olds) == 1 and len(news) == 1 and len(moved) == len(b.images):
        parts.append(f"image {_tag(next(iter(olds)))} → {_tag(next(iter(news)))}")
    else:
        parts += [f"{k} {_tag(o)} → {_tag(n)}" for k, (o, n) in moved.items()]
    if not parts:
        parts += [f"{k} replicas {show(a.replicas.get(k, MISSING))} → {show(v)}" for k, v in b.replicas.items()
                  if a.replicas.get(k) != v]
    if not parts:  # fields no state shows (a Deployment's strategy): named by their path
        parts += dict.fromkeys(f"{format_path(i.path[1:] if i.path[:1] == ('spec',) else i.path)} "
                               f"{show(i.before)} → {show(i.value)}" for i in c.intents)
    if not parts:
        parts.append("no change")
    source = ""
    if c.request.source:
        source = f" of {c.request.source[:12]}" if family == "revert" else f" from {c.request.source}"
    return f"{family} {c.env.app}/{c.env.name}{source}: {', '.join(parts)}"


def _rounded(c: Computed) -> str:
    """How a replicas canary rounded ``--weight`` to what its pods can express."""
    asked, got = getattr(c.request, "weight", None), c.state_after.weight
    if asked is None or got is None or asked == got or c.env.canary is None:
        return ""
    names, after = (c.env.canary.canary, c.env.canary.stable), c.state_after
    pods = f": {after.pods(names[0])} of {sum(after.pods(n) for n in names)} pods" if all(
        n in after.replicas for n in names) else ""
    return f" (--weight {asked} rounded to {got}{pods})"


def _tag(image: str | None) -> str:
    if not image:
        return "none"
    from gitshift.manifests import image_name

    rest = image[len(image_name(image)):]
    return rest.lstrip(":") or image


def dump(rendered: Rendered) -> str:
    """The rendered set as YAML documents, printed as ``kustomize build`` prints them."""
    from gitshift.render.builtin import emit

    return emit.dump_all(rendered.objects)


def rendered_diff(before: Rendered, after: Rendered, label: str) -> str:
    """A unified diff of two rendered sets."""
    lines = difflib.unified_diff(dump(before).splitlines(keepends=True), dump(after).splitlines(keepends=True),
                                 f"a/{label} (rendered)", f"b/{label} (rendered)")
    return "".join(lines)


def changes(intents: Sequence[Intent]) -> tuple[Change, ...]:
    """The shifted fields, as ``changes`` of the JSON output.

    A block of YAML text (an Argo CD ``helm.values`` string) is shown by the
    values that changed in it, ``spec.source.helm.values (image.tag)``.
    """
    from gitshift.valuepaths import text_changes

    out = []
    for i in intents:
        inner = text_changes(i.before, i.value)
        if inner:
            out += [Change(str(i.resource), f"{format_path(i.path)} ({p})", b, a) for p, b, a in inner]
        else:
            out.append(Change(str(i.resource), format_path(i.path), i.before, i.value))
    return tuple(out)


def result(c: Computed, tree: Path, delivery: Delivery, **extra: object) -> Result:
    """The Result of a computed shift."""
    rel = tuple(sorted(str(p.relative_to(tree)) for p in c.edits))
    return Result(
        app=c.env.app, env=c.env.name, action=c.request.recorded_action, changed=bool(c.intents),
        summary=summary(c) if c.intents else
        f"{c.request.recorded_action} {c.env.app}/{c.env.name}: already in place, nothing to do",
        changes=changes(c.intents), files=rel, diff=rendered_diff(c.before, c.after, c.env.overlay) + c.extra_diff,
        checks=tuple(c.checks), delivery=delivery.mode, picture=picture(c),
        affected=tuple(a.to_json() for a in c.affected), engine=c.engine, **extra,  # type: ignore[arg-type]
    )


def picture(c: Computed) -> str:
    """The Mermaid picture of the shift's traffic, before -> after; empty when nothing changed or none can be drawn."""
    from gitshift.pictures import mermaid

    if not c.intents:
        return ""
    try:
        return mermaid.shift_picture(c.before, c.after, c.env)
    except GitshiftError:  # the picture illustrates; a render it cannot read never stops a shift
        return ""
