"""Rendering through an external binary: ``kubectl kustomize`` or ``kustomize build``."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from gitshift.errors import PluginError, RenderError, RendererUnavailableError, YamlError
from gitshift.files import FileView
from gitshift.process import run

if TYPE_CHECKING:
    from gitshift.manifests import Obj


def parse_stream(text: str, where: str) -> list[Obj]:
    """The objects of a multi-document YAML stream (libyaml when available)."""
    import yaml

    from gitshift.config import yaml_loader

    try:
        return [d for d in yaml.load_all(text, Loader=yaml_loader()) if d is not None]
    except yaml.YAMLError as exc:
        raise YamlError(f"malformed YAML in renderer output: {exc}", where) from exc


_LINK = "120000"  # git's mode for a symlink


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def on_disk(view: FileView) -> bool:
    """Whether the view reads unedited files from the disk (not from a commit's objects)."""
    return type(view).read_bytes is FileView.read_bytes


def _export(view: FileView, root: Path, dest: Path) -> None:
    """Write every file of a view that does not read the disk (a commit) into ``dest``."""
    tree = getattr(view, "tree", None)
    blobs = getattr(tree, "blobs", None)
    if isinstance(blobs, dict):  # a commit's view lists its files at once
        names: list[str] = []
        for rel, (mode, sha) in blobs.items():
            if mode == _LINK:  # a symlink stays one, as a checkout makes it: the engine applies its own rules
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(os.fsdecode(tree.read(sha)))  # type: ignore[union-attr]
            else:
                names.append(str(rel))
    else:
        names, stack = [], [""]
        while stack:
            rel = stack.pop()
            for name in view.listdir(root / rel):
                sub = f"{rel}/{name}" if rel else name
                if name != ".git":
                    (stack.append if view.is_dir(root / sub) else names.append)(sub)
    for rel in names:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(view.read_bytes(root / rel))


def _materialize(view: FileView, root: Path, dest: Path) -> None:
    """Lay ``root`` (hard links where possible) plus the view's edits into ``dest``."""
    if on_disk(view):
        shutil.copytree(root, dest, symlinks=True, ignore=shutil.ignore_patterns(".git"),
                        copy_function=_link_or_copy, dirs_exist_ok=True)
    else:
        _export(view, root, dest)
    for path, data in view.edited():
        target = dest / path.relative_to(root)
        if target.exists() or target.is_symlink():
            target.unlink()  # never write through a hard link into the original
        if data is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _one_line(stderr: str, code: int) -> str:
    """kubectl's multi-line error as one line, without its log prefix."""
    text = stderr.strip()
    quoted = re.fullmatch(r'[EWI]\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err="(.*)"', text, re.S)
    if quoted:  # kubectl's one-line form: the message, its quotes escaped
        text = quoted.group(1).replace('\\"', '"')
    text = re.sub(r'^[EWI]\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err=<', "", text)
    text = " ".join(line.strip() for line in text.splitlines() if line.strip() not in ("", ">", "`"))
    return text.removeprefix("Error: ").strip() or f"exit {code}"


class ExternalRenderer:
    """A renderer that runs ``kubectl kustomize`` or ``kustomize build`` per overlay."""

    # The binaries read real files: a commit's files are checked out in a temporary worktree for them.
    reads_git_objects = False

    def __init__(self, engine: str, enable_helm: bool = False) -> None:
        self.name = engine
        self.enable_helm = enable_helm  # inflate helmCharts with the helm on PATH

    @property
    def command_name(self) -> str:
        """The command as a person types it: ``kubectl kustomize`` or ``kustomize build`` (``--enable-helm``)."""
        command = "kubectl kustomize" if self.name == "kubectl" else "kustomize build"
        return f"{command} --enable-helm" if self.enable_helm else command

    def _command(self, path: Path) -> list[str]:
        helm = ["--enable-helm"] if self.enable_helm else []
        if self.name == "kubectl":
            return ["kubectl", "kustomize", *helm, str(path)]
        return ["kustomize", "build", *helm, str(path)]

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        """The overlay as the binary prints it; edits in ``view`` are rendered from a scratch copy."""
        path = Path(os.path.abspath(path))
        view = getattr(view, "inner", view)  # a RecordingView: the engine reads the files itself
        if view is None or (not view.overlay and on_disk(view)):
            return self._run(path, path)
        root = view.root or path
        scratch_parent = root / ".git" if (root / ".git").is_dir() else None
        with tempfile.TemporaryDirectory(prefix="gitshift-render-", dir=scratch_parent) as tmp:
            _materialize(view, root, Path(tmp))
            return self._run(Path(tmp) / path.relative_to(root), path)

    def _run(self, path: Path, shown: Path) -> str:
        try:
            result = run(self._command(path))
        except RendererUnavailableError as exc:
            if not exc.hint and not shutil.which(self.name):
                other = next((e for e in ("kustomize", "kubectl") if e != self.name and shutil.which(e)), None)
                exc.hint = f"use --engine {other}, or --engine auto" if other else \
                    f"install {self.name}, or use --engine auto (the builtin engine)"
            raise
        plugin = re.search(r"unable to load external plugin '?([^'\s]+)", result.stderr)
        if result.code != 0 and plugin:  # kustomize's own words when plugins are not enabled (they never are)
            raise PluginError(f"the plugin {plugin.group(1)} runs a program (an exec, Go or KRM function plugin); "
                              f"gitshift gives {self.command_name} no --enable-alpha-plugins", str(shown))
        if result.code != 0:
            raise RenderError(f"{self.name} failed: {_one_line(result.stderr, result.code)}"
                              .replace(str(path.parent), str(shown.parent)), str(shown))
        return result.stdout

    def render(self, path: Path, view: FileView | None = None) -> list[Obj]:
        """The overlay's objects, parsed from the binary's output."""
        return parse_stream(self.render_text(path, view), str(path))
