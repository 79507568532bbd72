"""Building one kustomization: resources, generators, components, then the transformers in order."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitshift.errors import RenderError
from gitshift.files import FileView
from gitshift.render.builtin import (
    bases,
    buildmeta,
    generators,
    images,
    labels,
    limits,
    names,
    openapi,
    patches,
    plugins,
    replacements,
    scalars,
    tconfig,
    variables,
)
from gitshift.render.builtin.fieldspec import FieldSpec
from gitshift.render.builtin.kustomization import Kustomization, load
from gitshift.render.builtin.resource import ResMap, Resource, clone
from gitshift.render.builtin.tconfig import TransformerConfig
from gitshift.render.builtin.yamlio import FileCache

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "kustomize-(devel)"  # what kubectl's built-in kustomize writes
LOCAL_CONFIG = "config.kubernetes.io/local-config"  # objects Kustomize leaves out of its output
_REMOTE = ("://", "git@", "github.com/", "gitlab.com/", "bitbucket.org/")


class Builder:
    """Builds kustomizations over one file view, reusing parsed files through ``cache``."""

    def __init__(self, view: FileView, cache: FileCache) -> None:
        self.view = view
        self.cache = cache
        self.stack: list[Path] = []
        # Set when the top kustomization lists build metadata options: origins and transformers
        # are then noted while building (buildmeta.py), and dropped at the end unless wanted.
        self.origin_root: Path | None = None
        self.schema_fixed = False  # whether an ``openapi`` field has chosen the schema

    def top(self, root: Path) -> tuple[Kustomization, ResMap]:
        """The fully built overlay at ``root`` (hashes added, references fixed, build metadata)."""
        first = load(self.view, self.cache, Path(os.path.abspath(root)))
        options = first.list("buildMetadata")
        if options:
            self.origin_root = Path(os.path.abspath(root))
        field = first.get("openapi", {})
        self.schema_fixed = bool(field)
        tokens = openapi.activate(openapi.load(self.view, field, first.root, str(first.file)))
        try:
            kust, resmap, config = self.target(root, ResMap(), None, tconfig.EMPTY, first)
            names.add_hashes(resmap)
            names.fix_references(resmap, config.name_reference)
            variables.resolve(resmap, config.get("varReference"))
        finally:
            openapi.deactivate(tokens)
        resmap.items = [r for r in resmap.items if not _local(r)]
        resmap.invalidate()
        if "managedByLabel" in options:
            labels.set_pairs(resmap, {MANAGED_BY: MANAGED_BY_VALUE}, (FieldSpec("metadata/labels", create=True),))
        return kust, resmap

    def annotate_origin(self, res: Resource, origin: str) -> None:
        """Record where ``res`` came from, as kustomize does while it notes build metadata."""
        res.meta.setdefault("annotations", {})
        if not isinstance(res.meta["annotations"], dict):
            res.meta["annotations"] = {}
        res.meta["annotations"][buildmeta.ORIGIN] = origin

    def ran(self, kust: Kustomization, resmap: ResMap) -> Callable[[str, int], None]:
        """What to call after each built-in transformer ``kust`` configures has run over ``resmap``:
        ``ran(kind, count)`` notes ``count`` transformers of that kind (nothing when not noting)."""
        root = self.origin_root
        if root is None:
            return _nothing

        def note(kind: str, count: int = 1) -> None:
            buildmeta.add_transformation(resmap, buildmeta.of_plugin(kust.file, root, kind), count)

        return note

    def target(
        self,
        root: Path,
        resmap: ResMap,
        component: bool | None,
        config: TransformerConfig,
        loaded: Kustomization | None = None,
    ) -> tuple[Kustomization, ResMap, TransformerConfig]:
        """Build ``root`` into ``resmap``: a Component when ``component``, a Kustomization when
        not, either at the top (None). ``config`` is the transformer configuration so far."""
        root = Path(os.path.abspath(root))  # keep symlinks
        if root in self.stack:
            raise RenderError(f"cycle detected: {root} includes itself", str(root))
        self.stack.append(root)
        try:
            limits.count_build(str(root))
            kust = loaded or load(self.view, self.cache, root)
            if not self.schema_fixed and kust.get("openapi"):
                # Kustomize: the first kustomization with a schema sets it for the rest of the build.
                found = openapi.load(self.view, kust.get("openapi"), kust.root, str(kust.file))
                self.schema_fixed = True
                if found is not None:
                    openapi.activate(found)
            if component and not kust.is_component:
                raise RenderError(
                    f"expected kind 'Component' for path '{root}' but got '{kust.data.get('kind') or 'Kustomization'}'",
                    str(kust.file),
                )
            if component is False and kust.is_component:
                raise RenderError(f"expected kind != 'Component' for path '{root}'", str(kust.file))
            config = self._accumulate(kust, resmap, config)
            return kust, resmap, config
        finally:
            self.stack.pop()

    def _accumulate(self, kust: Kustomization, resmap: ResMap, config: TransformerConfig) -> TransformerConfig:
        for entry in kust.list("resources") + kust.list("bases"):
            config = config.merge(self._resource(kust, str(entry), resmap))
        own = tconfig.DEFAULT
        for entry in kust.list("configurations"):
            path = kust.local(str(entry))
            own = own.merge(tconfig.load(self.view, path, str(kust.file)))
        config = config.merge(own)
        for entry in kust.list("crds"):
            config = config.merge(tconfig.load_crds(self.view, kust.local(str(entry))))
        for kind, field in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
            for args in kust.list(field):
                res = generators.generate(kust, self.view, args, kind)
                if self.origin_root is not None:
                    self.annotate_origin(res, buildmeta.of_plugin(kust.file, self.origin_root, f"{kind}Generator"))
                generators.absorb(resmap, res, str(kust.file))
        plugins.run_generators(self, kust, resmap)
        for entry in kust.list("components"):
            path = self.entry_path(kust, str(entry), "components")
            _, _, config = self.target(path, resmap, True, config)
        self._transform(kust, resmap, config)
        variables.merge(resmap, kust.list("vars"), str(kust.file))
        return config

    def _transform(self, kust: Kustomization, resmap: ResMap, config: TransformerConfig) -> None:
        """Kustomize's built-in transformers in its order, then the ``transformers`` field's."""
        ran = self.ran(kust, resmap)
        patches.apply_patches(kust, self.view, self.cache, resmap, ran)
        if kust.get("namespace"):
            names.set_namespace(resmap, str(kust.get("namespace")), config.get("namespace"), where=str(kust.file))
            ran("NamespaceTransformer", 1)
        if kust.get("namePrefix"):
            names.add_prefix(resmap, str(kust.get("namePrefix")), config.get("namePrefix"))
            ran("PrefixTransformer", 1)
        if kust.get("nameSuffix"):
            names.add_suffix(resmap, str(kust.get("nameSuffix")), config.get("nameSuffix"))
            ran("SuffixTransformer", 1)
        labels.apply(kust, resmap, config)
        if kust.list("labels") or kust.get("commonLabels"):
            ran("LabelTransformer", len(kust.list("labels")) + 1)  # one a ``labels`` entry, one for commonLabels
        if kust.get("commonAnnotations"):
            ran("AnnotationsTransformer", 1)
        patches.apply_json6902(kust, self.view, resmap, ran)
        images.set_replicas(kust, resmap, config.get("replicas"))
        ran("ReplicaCountTransformer", len(kust.list("replicas")))
        images.set_images(kust, resmap, config.get("images"))
        ran("ImageTagTransformer", len(kust.list("images")))
        replacements.apply(kust, self.view, self.cache, resmap)
        if kust.list("replacements"):
            ran("ReplacementTransformer", 1)
        plugins.run_transformers(self, kust, resmap)
        resmap.invalidate()  # the transformers renamed resources in place

    def entry_path(self, kust: Kustomization, entry: str, field: str) -> Path:
        """The path a ``resources``-like entry names; remote entries are refused."""
        if any(marker in entry for marker in _REMOTE):
            raise kust.unsupported(f"remote {field} ({entry})")
        path = Path(os.path.normpath(kust.root / entry))
        if not self.view.exists(path):
            raise RenderError(f"accumulating {field}: '{path}' does not exist", str(kust.file))
        return path

    def _resource(self, kust: Kustomization, entry: str, resmap: ResMap) -> TransformerConfig:
        """Add what ``entry`` holds; a kustomization's transformer configuration is returned."""
        path = self.entry_path(kust, entry, "resources")
        if self.view.is_dir(path):
            sub, config = bases.build(self, path, lambda: self.target(path, ResMap(), False, tconfig.EMPTY)[1:])
            resmap.extend(sub)
            return config
        kust.local(entry)
        docs, weights = self.cache.parsed(self.view, path)
        for doc, weight in zip(docs, weights, strict=True):
            objs = _expand(doc, path)
            limits.charge(weight, str(path), objects=len(objs))
            for obj in objs:
                res = Resource(clone(obj), str(path))
                if self.origin_root is not None:
                    self.annotate_origin(res, buildmeta.of_file(path, self.origin_root))
                resmap.append(res)
        return tconfig.EMPTY


def _local(res: Resource) -> bool:
    """Whether Kustomize leaves ``res`` out of its output (``config.kubernetes.io/local-config``, not "false")."""
    annotations = res.annotations()
    return LOCAL_CONFIG in annotations and scalars.text(annotations[LOCAL_CONFIG]) != "false"


def _nothing(kind: str, count: int = 1) -> None:
    return None


def _expand(doc: Any, path: Path) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        raise RenderError("a resource must be a YAML mapping", str(path))
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list):
        out = []
        for item in doc["items"]:
            out += _expand(item, path)
        return out
    if not kind:
        raise RenderError("missing kind in a resource", str(path))
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        raise RenderError(f"missing metadata.name in a {kind}", str(path))
    for field, value in (("kind", kind), ("apiVersion", doc.get("apiVersion") or ""),
                         ("metadata.name", meta["name"]), ("metadata.namespace", meta.get("namespace") or "")):
        if not isinstance(value, str):
            raise RenderError(f"`{field}` must be a string, not {limits.type_name(value)}", str(path))
    return [doc]
