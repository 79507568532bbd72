"""What the plugin runner and the base cache ask of the builder (``build.Builder`` is one).

They receive the builder that calls them; naming only what they use here keeps the
imports running one way: build imports plugins and bases, never the reverse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from gitshift.files import FileView
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.resource import ResMap, Resource
from gitshift.render.builtin.tconfig import TransformerConfig
from gitshift.render.builtin.yamlio import FileCache


class Host(Protocol):
    """A kustomization builder, as its plugins and its base cache see it."""

    view: FileView
    cache: FileCache
    origin_root: Path | None  # the top kustomization's folder while build metadata is noted
    schema_fixed: bool

    def entry_path(self, kust: Kustomization, entry: str, field: str) -> Path: ...

    def target(
        self,
        root: Path,
        resmap: ResMap,
        component: bool | None,
        config: TransformerConfig,
        loaded: Kustomization | None = None,
    ) -> tuple[Kustomization, ResMap, TransformerConfig]: ...

    def annotate_origin(self, res: Resource, origin: str) -> None: ...
