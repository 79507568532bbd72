"""Rendering through an external binary: ``kubectl kustomize`` or ``kustomize build``."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from gitshift.errors import RenderError, YamlError
from gitshift.process import run

if TYPE_CHECKING:
    from gitshift.files import FileView
    from gitshift.manifests import Obj


def parse_stream(text: str, where: str) -> list[Obj]:
    """The objects of a multi-document YAML stream (libyaml when available)."""
    import yaml

    from gitshift.config import yaml_loader

    try:
        return [d for d in yaml.load_all(text, Loader=yaml_loader()) if d is not None]
    except yaml.YAMLError as exc:
        raise YamlError(f"malformed YAML in renderer output: {exc}", where) from exc


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _materialize(view: FileView, root: Path, dest: Path) -> None:
    """Lay ``root`` (hard links where possible) plus the view's edits into ``dest``."""
    shutil.copytree(root, dest, symlinks=True, ignore=shutil.ignore_patterns(".git"),
                    copy_function=_link_or_copy, dirs_exist_ok=True)
    for path, data in view.edited():
        target = dest / path.relative_to(root)
        if target.exists() or target.is_symlink():
            target.unlink()  # never write through a hard link into the original
        if data is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _one_line(stderr: str, code: int) -> str:
    """kubectl's multi-line error as one line, without its log prefix."""
    text = re.sub(r'^[EWI]\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err=<', "", stderr.strip())
    text = " ".join(line.strip() for line in text.splitlines() if line.strip() not in ("", ">", "`"))
    return text.removeprefix("Error: ").strip() or f"exit {code}"


class ExternalRenderer:
    """A renderer that runs ``kubectl kustomize`` or ``kustomize build`` per overlay."""

    # The binaries read real files: a commit's files are checked out in a temporary worktree for them.
    reads_git_objects = False

    def __init__(self, engine: str, enable_helm: bool = False) -> None:
        self.name = engine
        self.enable_helm = enable_helm  # inflate helmCharts with the helm on PATH

    def _command(self, path: Path) -> list[str]:
        helm = ["--enable-helm"] if self.enable_helm else []
        if self.name == "kubectl":
            return ["kubectl", "kustomize", *helm, str(path)]
        return ["kustomize", "build", *helm, str(path)]

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        """The overlay as the binary prints it; edits in ``view`` are rendered from a scratch copy."""
        path = Path(os.path.abspath(path))
        if view is None or not view.overlay:
            return self._run(path, path)
        root = view.root or path
        scratch_parent = root / ".git" if (root / ".git").is_dir() else None
        with tempfile.TemporaryDirectory(prefix="gitshift-render-", dir=scratch_parent) as tmp:
            _materialize(view, root, Path(tmp))
            return self._run(Path(tmp) / path.relative_to(root), path)

    def _run(self, path: Path, shown: Path) -> str:
        result = run(self._command(path))
        if result.code != 0:
            raise RenderError(f"{self.name} failed: {_one_line(result.stderr, result.code)}"
                              .replace(str(path.parent), str(shown.parent)), str(shown))
        return result.stdout

    def render(self, path: Path, view: FileView | None = None) -> list[Obj]:
        """The overlay's objects, parsed from the binary's output."""
        return parse_stream(self.render_text(path, view), str(path))
