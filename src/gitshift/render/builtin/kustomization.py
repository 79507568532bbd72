"""Finding and reading a kustomization file, and refusing the fields the builtin engine lacks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gitshift.errors import PluginError, RenderError, UnsupportedError
from gitshift.files import FileView
from gitshift.render.builtin import schema
from gitshift.render.builtin.yamlio import FileCache, read_bytes

FILENAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
HINT = "use `--engine kustomize`"

SUPPORTED = frozenset(
    {
        "apiVersion",
        "kind",
        "metadata",
        "resources",
        "bases",
        "components",
        "namespace",
        "namePrefix",
        "nameSuffix",
        "commonLabels",
        "labels",
        "commonAnnotations",
        "images",
        "replicas",
        "patches",
        "patchesStrategicMerge",
        "patchesJson6902",
        "configMapGenerator",
        "secretGenerator",
        "generatorOptions",
        "replacements",
        "sortOptions",
        "imageTags",
        "generators",
        "transformers",
        "buildMetadata",
        "configurations",
        "vars",
        "crds",
        "openapi",
    }
)
UNSUPPORTED = frozenset(
    {
        "helmCharts",
        "helmGlobals",
        "helmChartInflationGenerator",
        "validators",
    }
)


class Kustomization:
    """A parsed kustomization: its directory, file and fields."""

    __slots__ = ("data", "file", "root")

    def __init__(self, root: Path, file: Path, data: dict[str, Any]) -> None:
        self.root = root
        self.file = file
        self.data = data

    @property
    def is_component(self) -> bool:
        return self.data.get("kind") == "Component"

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key)
        return default if value is None else value

    def list(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if key == "images":
            return [*(value or []), *(self.data.get("imageTags") or [])]
        if value is None:
            return []
        if not isinstance(value, list):
            raise RenderError(f"`{key}` must be a list", str(self.file))
        return value

    def unsupported(self, what: str) -> UnsupportedError:
        return UnsupportedError(f"the builtin engine does not support {what}", str(self.file), HINT)

    def plugin(self, what: str) -> PluginError:
        """A plugin that runs a program: refused here, and not handed to an external engine either."""
        return PluginError(f"{what} runs a program (an exec, Go or KRM function plugin); gitshift renders no plugins",
                           str(self.file))

    def local(self, rel: str) -> Path:
        """A file the kustomization names, which must stay inside its directory."""
        path = Path(os.path.normpath(self.root / rel))
        if path != self.root and self.root not in path.parents:
            raise RenderError(f"security; file '{rel}' is not in or below '{self.root}'", str(self.file))
        return path


def find(view: FileView, root: Path) -> Path:
    """The kustomization file in ``root``, or a RenderError as Kustomize words it."""
    found = [root / n for n in FILENAMES if view.is_file(root / n)]
    if len(found) > 1:
        raise RenderError(f"found multiple kustomization files under: {root}", str(root))
    if not found:
        raise RenderError(
            f"unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{root}'",
            str(root),
        )
    return found[0]


_PARSED: dict[tuple[str, tuple[object, ...]], dict[str, Any]] = {}
_PARSED_MAX = 4096


def _decoded(view: FileView, file: Path) -> dict[str, Any]:
    """The kustomization's data, decoded as Kustomize decodes it (cached while unedited)."""
    ident = view.cache_key(file)
    key = (os.path.abspath(file), ident) if ident is not None else None
    if key is not None and key in _PARSED:
        return _PARSED[key]
    docs = schema.parse11(read_bytes(view, file), str(file))
    if len(docs) > 1:
        raise RenderError("a kustomization must be one YAML document", str(file))
    data = schema.decode_kustomization(docs[0] if docs else {}, str(file))
    if key is not None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = data
    return data


def load(view: FileView, cache: FileCache, root: Path) -> Kustomization:
    """Read and check the kustomization in ``root``."""
    file = find(view, root)
    kust = Kustomization(root, file, _decoded(view, file))
    _check(kust)
    return kust


_API_VERSIONS = {"Kustomization": "kustomize.config.k8s.io/v1beta1", "Component": "kustomize.config.k8s.io/v1alpha1"}


def _check(kust: Kustomization) -> None:
    if not set(kust.data) - {"apiVersion", "kind"}:
        raise RenderError("kustomization.yaml is empty", str(kust.file))
    kind = kust.data.get("kind") or "Kustomization"
    problems = []
    if kind not in _API_VERSIONS:
        problems.append("kind should be Kustomization or Component")
    api = kust.data.get("apiVersion")
    if api and kind in _API_VERSIONS and api != _API_VERSIONS[kind]:
        problems.append(f"apiVersion for {kind} should be {_API_VERSIONS[kind]}")
    if problems:
        raise RenderError(
            f"Failed to read kustomization file under {kust.root}: {'; '.join(problems)}", str(kust.file)
        )
    for key, value in kust.data.items():
        if key == "validators" and value not in (None, [], {}):
            raise kust.plugin("the `validators` field (each validator is a plugin)")
        if key in UNSUPPORTED and value not in (None, [], {}):
            raise kust.unsupported(f"the `{key}` field")
    sort = kust.data.get("sortOptions")
    if sort is not None:
        order = sort.get("order")
        if order not in ("legacy", "fifo"):
            raise RenderError("the field 'sortOptions.order' must be one of [fifo, legacy]", str(kust.file))
        if order == "fifo" and sort.get("legacySortOptions") is not None:
            raise RenderError(
                "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
                str(kust.file),
            )
