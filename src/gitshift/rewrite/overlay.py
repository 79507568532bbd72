"""The overlay's own sources as the rewriter sees them: its kustomization, patches and local resources."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitshift.errors import InputError
from gitshift.files import FileView, inside
from gitshift.manifests import ResourceId
from gitshift.rewrite import yamldoc

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def find_kustomization(directory: Path, view: FileView) -> Path:
    """The kustomization file of ``directory``; InputError when there is none."""
    for name in KUSTOMIZATION_NAMES:
        if view.is_file(directory / name):
            return directory / name
    raise InputError("no kustomization.yaml in the overlay", str(directory))


@dataclass(frozen=True)
class PatchRef:
    """One patch the overlay lists: where it lives and what it targets.

    ``path`` is the patch file, or for an inline patch (``patch: |``) a name
    standing for it that ``Overlay.doc`` reads from the kustomization; None when
    the file is not in the overlay folder.
    """

    index: int
    field: str
    path: Path | None
    target: dict[str, Any] | None
    json6902: bool
    inline: bool = False


class Overlay:
    """One overlay folder read through a FileView, with edits kept as ruamel documents."""

    def __init__(self, directory: Path, view: FileView) -> None:
        self.dir = directory
        self.view = view
        self.kfile = find_kustomization(directory, view)
        self._docs: dict[Path, yamldoc.Doc] = {}
        self._dirty: set[Path] = set()
        # Inline patches, by the name that stands for them: (field, index, key of the text or None).
        self._inline: dict[Path, tuple[str, int, str | None]] = {}

    # -- documents ---------------------------------------------------------------------------
    def doc(self, path: Path) -> yamldoc.Doc:
        """The parsed file at ``path`` (kept, so several edits land in one document)."""
        if path not in self._docs:
            data = self._inline_text(path).encode() if path in self._inline else self.view.read_bytes(path)
            self._docs[path] = yamldoc.load(path, data)
        return self._docs[path]

    def has(self, path: Path) -> bool:
        """Whether ``path`` exists in the view or was created in this overlay."""
        return path in self._docs or self.view.is_file(path)

    def create(self, path: Path, docs: list[Any]) -> yamldoc.Doc:
        """A new file in the overlay."""
        self._docs[path] = yamldoc.new(path, docs)
        self._dirty.add(path)
        return self._docs[path]

    def touch(self, path: Path) -> None:
        """Mark ``path`` edited."""
        self._dirty.add(path)

    def edits(self) -> dict[Path, bytes | None]:
        """The edited files and their new bytes; refuses anything outside the overlay folder."""
        for path in sorted(self._dirty & set(self._inline)):
            self._store_inline(path)
        out: dict[Path, bytes | None] = {}
        for path in sorted(self._dirty - set(self._inline)):
            if not inside(self.dir, path):
                raise InputError("refusing to write outside the overlay", str(path))
            out[path] = self._docs[path].dump()
        return out

    # -- inline patches ----------------------------------------------------------------------
    def _inline_ref(self, field: str, index: int, key: str | None) -> Path:
        path = self.kfile.parent / f"{self.kfile.name}#{field}[{index}]"
        self._inline[path] = (field, index, key)
        return path

    def _inline_text(self, path: Path) -> str:
        field, index, key = self._inline[path]
        entry = self.kustomization[field][index]
        return str(entry[key] if key else entry)

    def _store_inline(self, path: Path) -> None:
        """Put an edited inline patch back in its kustomization entry, in the entry's own scalar style."""
        field, index, key = self._inline[path]
        holder, slot = (self.kustomization[field][index], key) if key else (self.kustomization[field], index)
        old = holder[slot]
        holder[slot] = block_like(old, self._docs[path].dump().decode())
        self._dirty.add(self.kfile)

    @property
    def kustomization(self) -> Any:
        """The kustomization mapping (ruamel)."""
        return self.doc(self.kfile).docs[0]

    # -- names -------------------------------------------------------------------------------
    def input_name(self, rendered_name: str) -> str:
        """The name an object has when it enters this overlay (before its own prefix/suffix)."""
        k = self.kustomization
        prefix, suffix = str(k.get("namePrefix") or ""), str(k.get("nameSuffix") or "")
        name = rendered_name
        if prefix and name.startswith(prefix):
            name = name[len(prefix):]
        if suffix and name.endswith(suffix):
            name = name[: -len(suffix)]
        return name

    # -- what the overlay lists --------------------------------------------------------------
    def local_file(self, entry: Any) -> Path | None:
        """The file an entry names, when it is a file inside this overlay folder."""
        if not isinstance(entry, str) or "://" in entry:
            return None
        path = (self.dir / entry).resolve()
        return path if inside(self.dir, path) and self.view.is_file(path) else None

    def resource_files(self) -> Iterator[Path]:
        """Resource files that live in this overlay folder."""
        for entry in self.kustomization.get("resources") or []:
            path = self.local_file(entry)
            if path is not None:
                yield path

    def patches(self) -> Iterator[PatchRef]:
        """Every patch of the overlay, in kustomization order per field."""
        k = self.kustomization
        for i, p in enumerate(k.get("patches") or []):
            if isinstance(p, dict):
                inline = not p.get("path") and isinstance(p.get("patch"), str)
                path = self._inline_ref("patches", i, "patch") if inline else \
                    self.local_file(p.get("path")) if p.get("path") else None
                yield PatchRef(i, "patches", path, dict(p["target"]) if p.get("target") else None,
                               _is_json6902(self, None if inline else path, p.get("patch")), inline)
        for i, p in enumerate(k.get("patchesStrategicMerge") or []):
            if isinstance(p, str) and "\n" in p.strip():  # an inline patch, not a file name
                yield PatchRef(i, "patchesStrategicMerge", self._inline_ref("patchesStrategicMerge", i, None),
                               None, False, True)
            else:
                yield PatchRef(i, "patchesStrategicMerge", self.local_file(p), None, False)
        for i, p in enumerate(k.get("patchesJson6902") or []):
            if isinstance(p, dict):
                inline = not p.get("path") and isinstance(p.get("patch"), str)
                path = self._inline_ref("patchesJson6902", i, "patch") if inline else \
                    self.local_file(p.get("path")) if p.get("path") else None
                yield PatchRef(i, "patchesJson6902", path, dict(p.get("target") or {}), True, inline)


def _is_json6902(overlay: Overlay, path: Path | None, inline: Any) -> bool:
    if path is not None:
        try:
            docs = overlay.doc(path).docs
        except Exception:  # a patch that does not parse is the renderer's to report
            return False
        return bool(docs) and isinstance(docs[0], list)
    return isinstance(inline, str) and inline.lstrip().startswith(("-", "["))


def block_like(old: Any, text: str) -> Any:
    """``text`` in the scalar style of ``old``: a literal block stays one, with the same chomping (``|-``, ``|``)."""
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    from gitshift.rewrite.scalars import like

    if isinstance(old, str):
        ends = len(old) - len(old.rstrip("\n"))
        text = text.rstrip("\n") + "\n" * ends
    if isinstance(old, LiteralScalarString | FoldedScalarString):
        return LiteralScalarString(text)  # a folded block would fold the patch's lines together
    return like(old, text)


def target_matches(target: dict[str, Any], rid: ResourceId, name: str) -> bool:
    """Whether a kustomize patch ``target`` selects the object ``rid`` entering as ``name``."""
    if target.get("kind") and target["kind"] != rid.kind:
        return False
    if target.get("group") not in (None, rid.group):
        return False
    if target.get("labelSelector") or target.get("annotationSelector"):
        return False  # cannot be decided without labels; the new patch path is taken instead
    tname = target.get("name")
    return not tname or re.fullmatch(str(tname), name) is not None
