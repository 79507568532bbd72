"""Placing intents into an overlay's source files, proven by rendering again (DESIGN: the path of one shift)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from pathlib import Path

from gitshift.errors import CheckFailedError, GitshiftError, InputError
from gitshift.files import FileView
from gitshift.manifests import Intent, Obj, Rendered, differences, set_path
from gitshift.rewrite.overlay import Overlay
from gitshift.rewrite.placement import candidates

RenderFn = Callable[[FileView], Rendered]
Edits = dict[Path, bytes | None]


def expected_after(rendered: Rendered, intents: Sequence[Intent]) -> Rendered:
    """The rendered set as it must look once ``intents`` hold, and nothing else moved."""
    objects = copy.deepcopy(rendered.objects)
    by_id = {rid: objects[i] for i, rid in enumerate(rendered.by_id)}
    for it in intents:
        set_path(by_id[it.resource], it.path, copy.deepcopy(it.value))
    return Rendered(objects)


def _object(rendered: Rendered, intent: Intent) -> Obj:
    obj = rendered.get(intent.resource)
    if obj is None:
        raise InputError(f"{intent.resource} is not in the rendered overlay", str(intent.resource))
    return obj


def _try(render: RenderFn, view: FileView, edits: Edits, expected: Rendered) -> tuple[list[str] | None, Rendered]:
    """Render ``edits`` over ``view``: the differences from ``expected`` (None when the render fails), the render."""
    try:
        actual = render(view.with_edits(edits))
    except GitshiftError:
        return None, expected
    return differences(expected, actual), actual


def place(overlay_dir: Path, view: FileView, rendered: Rendered, intents: Sequence[Intent],
          render: RenderFn) -> tuple[Edits, Rendered]:
    """Edits to the overlay's files that make ``intents`` hold, verified by rendering, and that render.

    First every intent takes its most idiomatic placement and the whole set is
    rendered once; when that render moves more (or less) than intended, the
    intents are placed one at a time, each taking the first placement whose
    render is exact.

    Raises:
        CheckFailedError: no placement of some intent renders exactly as intended.
    """
    objs = [_object(rendered, it) for it in intents]
    ov = Overlay(overlay_dir, view)
    cands = [candidates(it, obj, ov) for it, obj in zip(intents, objs, strict=True)]
    for options in cands:
        any(option(ov) for option in options)
    edits = ov.edits()
    diff, after = _try(render, view, edits, expected_after(rendered, intents))
    if diff == []:
        return edits, after
    accepted: Edits = {}
    for k, (intent, options) in enumerate(zip(intents, cands, strict=True)):
        expected = expected_after(rendered, intents[: k + 1])
        last: list[str] | None = None
        for option in options:
            ov = Overlay(overlay_dir, view.with_edits(accepted))
            if not option(ov):
                continue
            trial = {**accepted, **ov.edits()}
            diff, after = _try(render, view, trial, expected)
            if diff == []:
                accepted = trial
                break
            last = diff if diff is not None else last
        else:
            moved = "; ".join(last or ["the render failed"])
            raise CheckFailedError(f"cannot place {intent.describe()} exactly in the overlay",
                                   str(overlay_dir), f"every placement also moved: {moved}")
    return accepted, after
