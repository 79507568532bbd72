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
from gitshift.helm.paths import ABSENT, ValuePath, changed, fmt, get, parse
from gitshift.helm.values import Release, release, settings
from gitshift.manifests import Intent, Rendered, differences

RenderFn = Callable[[FileView], Rendered]
Edits = dict[Path, bytes | None]


def _place_file(tree: Path, env: EnvConfig, view: FileView, intents: Sequence[Intent]) -> Edits:
    from gitshift.rewrite import yamldoc
    from gitshift.rewrite.scalars import set_in

    rel = str(settings(env).values_file)
    path = guard_inside(tree, Path(rel), f"values file of {env.app}/{env.name}")
    doc = yamldoc.load(path, view.read_bytes(path))
    if not doc.docs or not isinstance(doc.docs[0], dict):
        raise InputError("a values file must hold a mapping", rel)
    for it in intents:
        if it.path[:1] != ("values",) or not set_in(doc.docs[0], it.path[1:], it.value, create=False):
            raise CheckFailedError(f"cannot place {fmt(it.path[1:])} in the values file", rel,
                                   "the value path is not in the file")
    return {path: doc.dump()}


def intended_paths(before: Release, intents: Sequence[Intent]) -> dict[ValuePath, Any]:
    """The value paths (and new values) ``intents`` change, read back from the intents alone."""
    out: dict[ValuePath, Any] = {}
    for it in intents:
        for layer in before.layers:
            n = len(layer.base)
            if it.path[:n] != layer.base:
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

    if settings(env).values_file is None:
        edits, after = rewrite.place((tree / env.overlay).resolve(), view, before, intents, render)
    else:
        edits = _place_file(tree, env, view, intents)
        try:
            after = render(view.with_edits(edits))
        except GitshiftError as exc:
            raise CheckFailedError(f"the edited values file does not read back: {exc.what}",
                                   str(settings(env).values_file)) from exc
        diff = differences(rewrite.expected_after(before, intents), after)
        if diff:
            raise CheckFailedError(f"the values file edit moved more than intended: {'; '.join(diff)}",
                                   str(settings(env).values_file), "nothing was written")
    prove(env, before, after, intents)
    return edits, after
