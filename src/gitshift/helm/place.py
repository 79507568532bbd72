"""Placing intents on Helm values in their source, and proving them.

Values inside a HelmRelease or Application are fields of a rendered object:
the overlay rewriter places them (editing the resource file that defines the
object, a patch that already sets the field, or a new patch), and the overlay
is rendered again. A values file is edited in place with the comment-keeping
round trip and parsed again. Either way the values are then compared: exactly
the intended value paths moved, to the intended values (an Argo CD ``values``
string is parsed before and after for that).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gitshift.config import EnvConfig
from gitshift.errors import CheckFailedError, GitshiftError, InputError
from gitshift.files import FileView, guard_inside
from gitshift.helm.values import Release, chart_entry, release, settings
from gitshift.manifests import FieldPath, Intent, Rendered, differences
from gitshift.valuepaths import ABSENT, ValuePath, changed, fmt, get, parse

RenderFn = Callable[[FileView], Rendered]
Edits = dict[Path, bytes | None]


def _targets(tree: Path, env: EnvConfig, view: FileView) -> dict[str, tuple[Path, FieldPath]]:
    """Where each field of a ``HelmValues`` object lives: the file, and the path of the values in it."""
    s = settings(env)
    if s.helm_chart is None:
        rel = str(s.values_file)
        return {"values": (guard_inside(tree, Path(rel), f"values file of {env.app}/{env.name}"), ())}
    kfile, i, entry = chart_entry(tree, env, view)
    out: dict[str, tuple[Path, FieldPath]] = {"valuesInline": (kfile, ("helmCharts", i, "valuesInline"))}
    if entry.get("valuesFile") is not None:
        rel = str(Path(env.overlay) / str(entry["valuesFile"]))
        out["valuesFile"] = (guard_inside(tree, Path(rel), f"valuesFile of {env.app}/{env.name}"), ())
    return out


def place_files(tree: Path, env: EnvConfig, view: FileView, intents: Sequence[Intent]) -> Edits:
    """Edit the values files (or the kustomization's helmCharts entry) with the comment-keeping round trip."""
    from gitshift.rewrite import yamldoc
    from gitshift.rewrite.scalars import set_in

    targets = _targets(tree, env, view)
    docs: dict[Path, yamldoc.Doc] = {}
    for it in intents:
        field = str(it.path[0])
        if field not in targets:
            raise CheckFailedError(f"cannot place {fmt(it.path)}: no {field} to edit", env.overlay)
        path, base = targets[field]
        if path not in docs:
            docs[path] = yamldoc.load(path, view.read_bytes(path))
        doc = docs[path]
        rel = str(path.relative_to(tree.resolve())) if path.is_relative_to(tree.resolve()) else str(path)
        if not doc.docs or not isinstance(doc.docs[0], dict):
            raise InputError("a values file must hold a mapping", rel)
        if not set_in(doc.docs[0], (*base, *it.path[1:]), it.value, create=False):
            raise CheckFailedError(f"cannot place {fmt(it.path[1:])} in {rel}", rel, "the value path is not there")
    return {path: doc.dump() for path, doc in docs.items()}


def intended_paths(before: Release, intents: Sequence[Intent]) -> dict[ValuePath, Any]:
    """The value paths (and new values) ``intents`` change, read back from the intents alone."""
    out: dict[ValuePath, Any] = {}
    for it in intents:
        for layer in before.layers:
            n = len(layer.base)
            if layer.kind == "from" or it.path[:n] != layer.base:
                continue
            rest = it.path[n:]
            if layer.kind == "map":
                out[rest] = it.value
            elif layer.kind == "parameters" and len(rest) == 2 and isinstance(rest[0], int):
                out[parse(str(layer.data[rest[0]]["name"]))] = it.value
            elif layer.kind == "string" and not rest:
                import yaml

                from gitshift.config import yaml_loader

                new = yaml.load(str(it.value), Loader=yaml_loader()) or {}
                out.update({p: get(new, p) for p in changed(layer.data, new)})
            break
    return out


def prove(env: EnvConfig, before: Rendered, after: Rendered, intents: Sequence[Intent]) -> None:
    """The release's values moved exactly at the intended paths, to the intended values."""
    old, new = release(before, env), release(after, env)
    want = intended_paths(old, intents)
    a, b = old.effective(), new.effective()
    moved = set(changed(a, b))
    wrong = [fmt(p) for p in sorted(moved ^ set(want), key=str)]
    wrong += [fmt(p) for p in want if p in moved and str(get(b, p)) != str(want[p])]
    if wrong:
        raise CheckFailedError(f"the values of {new.label} did not move as intended: {', '.join(wrong[:5])}",
                               new.where, "nothing was written")
    for p in want:
        if get(b, p) is ABSENT:
            raise CheckFailedError(f"value {fmt(p)} is missing after the edit", new.where)


def place(tree: Path, env: EnvConfig, view: FileView, before: Rendered, intents: Sequence[Intent],
          render: RenderFn) -> tuple[Edits, Rendered]:
    """Edits that make ``intents`` hold in the env's values, verified by rendering (or reading) again.

    Raises:
        CheckFailedError: the edit moved more or less than intended; nothing is written.
    """
    from gitshift import rewrite

    s = settings(env)
    if s.values_file is None and s.helm_chart is None:
        edits, after = rewrite.place((tree / env.overlay).resolve(), view, before, intents, render)
    else:
        edits = place_files(tree, env, view, intents)
        try:
            after = render(view.with_edits(edits))
        except GitshiftError as exc:
            raise CheckFailedError(f"the edited values do not read back: {exc.what}", env.overlay) from exc
        diff = differences(rewrite.expected_after(before, intents), after)
        if diff:
            raise CheckFailedError(f"the values edit moved more than intended: {'; '.join(diff)}",
                                   env.overlay, "nothing was written")
    prove(env, before, after, intents)
    return edits, after
