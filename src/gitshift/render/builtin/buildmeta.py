"""Build metadata (``buildMetadata``): where each object came from, and which transformers ran over it.

As in Kustomize, a build whose top kustomization lists any ``buildMetadata`` option
notes origins while it builds: an object read from a file gets ``config.kubernetes.io/origin``
(its path from the top kustomization's folder), a generated one the generator that made it.
Every transformer a kustomization runs then adds itself to every object of its resource
map, in ``alpha.config.kubernetes.io/transformations`` (an object without an origin takes
that transformer as its origin instead). At the end both annotations are dropped unless the
option asking for each is listed, whatever their source, together with the annotations
Kustomize's reader and builder keep for themselves.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import yaml

from gitshift.render.builtin import emit
from gitshift.render.builtin.resource import ResMap

ORIGIN = "config.kubernetes.io/origin"
TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations"
OPTIONS = ("originAnnotations", "transformerAnnotations", "managedByLabel")

# Kustomize's reader's annotations: dropped from every object it prints.
READER = frozenset(
    {
        "config.kubernetes.io/index",
        "config.kubernetes.io/path",
        "config.k8s.io/id",
        "internal.config.kubernetes.io/index",
        "internal.config.kubernetes.io/path",
        "internal.config.kubernetes.io/id",
        "internal.config.kubernetes.io/seqindent",
        "internal.config.kubernetes.io/annotations-migration-resource-id",
    }
)
# Kustomize's own build state, kept in annotations while it builds: an object that carries one
# steers Kustomize's build (names it had, hashes it wants), which the builtin engine does not follow.
STATE = frozenset(
    "internal.config.kubernetes.io/" + name
    for name in (
        "previousKinds",
        "previousNames",
        "previousNamespaces",
        "prefixes",
        "suffixes",
        "refBy",
        "generatorBehavior",
        "needsHashSuffix",
        "allowNameChange",
        "allowKindChange",
    )
)


def dropped(options: list[object]) -> frozenset[str]:
    """The annotations a build with these ``buildMetadata`` options removes at its end."""
    out = set(READER)
    if "originAnnotations" not in options:
        out.add(ORIGIN)
    if "transformerAnnotations" not in options:
        out.add(TRANSFORMATIONS)
    return frozenset(out)


@functools.lru_cache(maxsize=1024)
def scalar(text: str) -> str:
    """``text`` as a YAML scalar the way Kustomize's YAML writer (yaml.v3) prints it in an origin."""
    line: str = yaml.dump(
        {"k": text}, Dumper=emit.Dumper, allow_unicode=True, width=1 << 30, default_flow_style=False
    )
    return line[len("k: ") :].rstrip("\n")


def of_file(path: Path | str, root: Path) -> str:
    """The origin of an object read from ``path`` (``root``: the top kustomization's folder)."""
    return f"path: {scalar(os.path.relpath(path, root))}\n"


def of_plugin(where: Path | str, root: Path, kind: str, name: str = "", namespace: str = "") -> str:
    """The origin of what a (built-in) plugin configured in ``where`` made or changed."""
    lines = [
        f"configuredIn: {scalar(os.path.relpath(where, root))}",
        "configuredBy:",
        "  apiVersion: builtin",
        f"  kind: {scalar(kind)}",
    ]
    lines += [f"  {key}: {scalar(value)}" for key, value in (("name", name), ("namespace", namespace)) if value]
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=256)
def _entry(origin: str) -> str:
    """``origin`` as one item of the transformations list."""
    return "".join(("- " if i == 0 else "  ") + line for i, line in enumerate(origin.splitlines(keepends=True)))


def add_transformation(resmap: ResMap, origin: str, count: int = 1) -> None:
    """Note that ``count`` transformers configured as ``origin`` said ran over every object of ``resmap``."""
    if count <= 0:
        return
    entry = _entry(origin)
    for res in resmap.items:
        meta = res.meta
        annotations = meta.get("annotations")
        if not isinstance(annotations, dict):
            annotations = meta["annotations"] = {}
        for _ in range(count):
            if ORIGIN not in annotations:
                annotations[ORIGIN] = origin
            else:
                annotations[TRANSFORMATIONS] = str(annotations.get(TRANSFORMATIONS) or "") + entry
