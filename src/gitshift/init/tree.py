"""Finding a repository's kustomizations and which of them are overlays (leaves) rather than bases."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitshift.files import inside

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# Bounds: a repository is untrusted content; a scan never walks or parses without end.
MAX_DIRS = 200_000
MAX_KUSTOMIZATIONS = 10_000
MAX_FILE_BYTES = 1 << 20
_SKIP_DIRS = frozenset({"node_modules", "vendor", "__pycache__"})
_REMOTE = ("http://", "https://", "git@", "git::", "ssh://", "github.com/", "gitlab.com/", "bitbucket.org/")


@dataclass(frozen=True)
class Kustomization:
    """One directory holding a kustomization file.

    Attributes:
        path: the directory, relative to the repository root (POSIX, ``.`` for the root).
        component: whether the file declares ``kind: Component`` (never rendered on its own).
        refs: the local directories it builds on (``resources``, ``bases``, ``components``), relative to the root.
        error: why the file could not be read, or empty.
    """

    path: str
    component: bool = False
    refs: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class Tree:
    """Every kustomization found, and whether the walk stopped at a bound."""

    kustomizations: tuple[Kustomization, ...]
    truncated: bool = False

    def leaves(self) -> list[Kustomization]:
        """The overlays: kustomizations no other one uses as a base or component, components left out."""
        used = {ref for k in self.kustomizations for ref in k.refs}
        return [k for k in self.kustomizations if k.path not in used and not k.component]


def _kustomization_file(names: list[str]) -> str | None:
    return next((n for n in KUSTOMIZATION_FILES if n in names), None)


def _rel(root: Path, path: str) -> str:
    rel = os.path.relpath(path, root)
    return Path(rel).as_posix() if rel != "." else "."


def _load(path: Path) -> dict[str, Any]:
    import yaml

    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES} bytes")
    data = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ValueError("not a mapping")
    return data


def _refs(root: Path, directory: Path, data: dict[str, Any]) -> tuple[str, ...]:
    """The local directories a kustomization builds on; remote URLs and plain files are not bases."""
    out: list[str] = []
    for key in ("resources", "bases", "components"):
        entries = data.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, str) or not entry or entry.startswith(_REMOTE) or "?ref=" in entry:
                continue
            target = os.path.normpath(directory / entry)
            rel = _rel(root, target)
            if rel == ".." or rel.startswith("../"):
                continue
            if Path(target).is_dir() and _kustomization_file(_listdir(target)) is not None:
                out.append(rel)
    return tuple(dict.fromkeys(out))


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _read(root: Path, directory: str, name: str) -> Kustomization:
    rel = _rel(root, directory)
    # The walk follows no linked folder: only the file itself can lead outside.
    file = Path(directory) / name
    if file.is_symlink() and not inside(root, file):
        return Kustomization(rel, error=f"{name} is a link to outside the repository")
    try:
        data = _load(file)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return Kustomization(rel, error=f"cannot read {name}: {exc}")
    except Exception as exc:  # a YAML error: the render reports it with its line, the scan goes on
        return Kustomization(rel, error=f"malformed {name}: {type(exc).__name__}")
    return Kustomization(rel, component=data.get("kind") == "Component", refs=_refs(root, Path(directory), data))


def walk(root: Path) -> Tree:
    """Every directory under ``root`` with a kustomization file, in path order.

    Hidden directories (``.git`` among them) and dependency folders are skipped;
    symbolic links to directories are not followed.
    """
    root = root.resolve()
    found: list[Kustomization] = []
    for dirs_seen, (directory, dirnames, filenames) in enumerate(os.walk(root), 1):
        if dirs_seen > MAX_DIRS or len(found) >= MAX_KUSTOMIZATIONS:
            return Tree(tuple(found), truncated=True)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        name = _kustomization_file(filenames)
        if name is not None:
            found.append(_read(root, directory, name))
    return Tree(tuple(found))
