"""The Renderer protocol and the choice of engine (builtin, kustomize, kubectl), per overlay with ``auto``.

README.md, "Rendering": ``--engine auto`` (the default) renders every overlay with the
builtin engine, and an overlay that uses a field the builtin engine does not support
with the first of ``kustomize`` and ``kubectl kustomize`` found on PATH, saying so once
per overlay. The builtin engine also reports the files a render read (``render_reading``),
which is how a shift finds the other envs its edit may change.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gitshift.errors import InputError, PluginError, RendererUnavailableError, UnsupportedError
from gitshift.files import FileView

if TYPE_CHECKING:
    from gitshift.manifests import Obj
    from gitshift.render.external import ExternalRenderer

# helm: as auto, and every Helm env's chart is rendered with helm by every command (README.md, "Helm releases").
ENGINES = ("auto", "builtin", "kustomize", "kubectl", "helm")
# The external engines ``auto`` falls back to, in order of preference.
EXTERNAL = ("kustomize", "kubectl")

Notice = Callable[[str], None]


class Renderer(Protocol):
    """Renders a Kustomize overlay into its objects.

    ``view`` lays edited files over the disk; a renderer must render what the
    view holds, not what the disk holds, without writing to the repository.
    """

    name: str
    # Whether the engine renders a commit's files from git's objects (a FileView over the commit);
    # when False, the commit is checked out in a temporary worktree for it.
    reads_git_objects: bool

    def render(self, path: Path, view: FileView | None = None) -> list[Obj]:
        """The objects of the overlay at ``path`` in kustomize's output order."""
        ...

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        """The overlay at ``path`` as YAML, exactly as ``kustomize build`` prints it."""
        ...


def builtin_available() -> bool:
    """Whether the builtin engine is installed in this build."""
    try:
        from gitshift.render import builtin
    except ImportError:
        return False
    return hasattr(builtin, "BuiltinRenderer")


def external_on_path() -> str | None:
    """The first external engine found on PATH (``kustomize``, then ``kubectl``), or None."""
    import shutil

    return next((name for name in EXTERNAL if shutil.which(name)), None)


def _helm_field(exc: UnsupportedError) -> bool:
    """Whether the builtin engine refused a field that inflates Helm charts (``helmCharts`` and its kin)."""
    from gitshift.render.helmcharts import HELM_FIELDS

    return any(f"`{field}`" in exc.what for field in HELM_FIELDS)


def engine_hint(helm: bool = False) -> str:
    """What to do about a field the builtin engine lacks, naming only a tool that is installed.

    ``helm``: the field inflates Helm charts, which takes ``helm`` besides kustomize or kubectl.
    """
    found = external_on_path()
    if helm:
        import shutil

        command = "kubectl kustomize" if found == "kubectl" else "kustomize build"
        if found is None:
            return ("install helm and kustomize (or kubectl): --engine auto then inflates helmCharts with "
                    f"{command} --enable-helm")
        if shutil.which("helm") is None:
            return f"install helm: --engine auto then inflates helmCharts with {command} --enable-helm"
        return f"use --engine auto (inflates helmCharts with {command} --enable-helm)"
    if found is None:
        return "install kustomize or kubectl: --engine auto then renders this overlay with it"
    return f"use --engine auto (renders this overlay with {found}) or --engine {found}"


def _remote(exc: UnsupportedError) -> bool:
    """Whether the builtin engine refused a remote base: no engine fetches one unless asked by name."""
    return "remote " in exc.what


def _refused(exc: UnsupportedError, path: Path, view: FileView | None) -> None:
    """Finish the builtin engine's refusal: a hint naming an installed tool, or for a plugin, the overlay."""
    if not isinstance(exc, PluginError):
        exc.hint = engine_hint(_helm_field(exc))
    elif exc.where and Path(exc.where).parent != Path(os.path.abspath(path)):  # the plugin is in a base
        shown = os.path.relpath(path, view.root) if view is not None and view.root else str(path)
        exc.what += f", and the overlay {shown} includes it"


class _Builtin:
    """The builtin engine, its refusals hinting at a tool that is actually installed."""

    name = "builtin"
    reads_git_objects = True

    def __init__(self) -> None:
        from gitshift.render.builtin import BuiltinRenderer

        self.engine = BuiltinRenderer()

    def render(self, path: Path, view: FileView | None = None) -> list[Obj]:
        try:
            return self.engine.render(path, view)
        except UnsupportedError as exc:
            _refused(exc, path, view)
            raise

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        try:
            return self.engine.render_text(path, view)
        except UnsupportedError as exc:
            _refused(exc, path, view)
            raise


class AutoRenderer:
    """``--engine auto``: builtin per overlay, an external engine for the overlays builtin cannot render.

    The choice is made once per overlay (an overlay the builtin engine refused is
    not tried with it again) and announced once through ``notice``.
    """

    name = "auto"
    # The builtin engine renders a commit's blobs; the external one gets them copied out (external.py).
    reads_git_objects = True

    def __init__(self, notice: Notice | None = None, charts: bool = False) -> None:
        self.builtin = _Builtin()
        self.charts = charts  # --engine helm: Helm envs' charts are rendered wherever they are read
        self.notice = notice
        self.chosen: dict[str, str] = {}  # overlay (absolute path) -> the engine that renders it
        self._external: ExternalRenderer | None = None

    def engine_for(self, path: Path) -> str:
        """The engine that renders (or rendered) the overlay at ``path``."""
        return self.chosen.get(os.path.abspath(path), "builtin")

    def _fallback(self, path: Path, view: FileView | None, exc: UnsupportedError) -> ExternalRenderer:
        if isinstance(exc, PluginError):  # an external engine would fail on it too, or skip it silently
            raise exc
        from gitshift.render.helmcharts import helm_engine

        helm = _helm_field(exc)  # README.md, "Helm releases"
        found = None if _remote(exc) else helm_engine() if helm else external_on_path()
        if found is None:
            if _remote(exc):
                exc.hint = "gitshift fetches nothing while rendering; vendor the base, or use --engine kubectl"
            raise exc
        from gitshift.render.external import ExternalRenderer

        if self._external is None or (self._external.name, self._external.enable_helm) != (found, helm):
            self._external = ExternalRenderer(found, enable_helm=helm)
        self.chosen[os.path.abspath(path)] = found
        if self.notice is not None:
            shown = os.path.relpath(path, view.root) if view is not None and view.root else str(path)
            self.notice(f"{shown}: {exc.what}; rendering it with {self._external.command_name}")
        return self._external

    def _engine(self, path: Path) -> ExternalRenderer | None:
        name = self.chosen.get(os.path.abspath(path))
        if name is None:
            return None
        assert self._external is not None
        return self._external

    def render(self, path: Path, view: FileView | None = None) -> list[Obj]:
        """The overlay's objects, from the engine chosen for it."""
        external = self._engine(path)
        if external is None:
            try:
                return self.builtin.render(path, view)
            except UnsupportedError as exc:
                external = self._fallback(path, view, exc)
        return external.render(path, view)

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        """The overlay as YAML, from the engine chosen for it."""
        external = self._engine(path)
        if external is None:
            try:
                return self.builtin.render_text(path, view)
            except UnsupportedError as exc:
                external = self._fallback(path, view, exc)
        return external.render_text(path, view)


def get_renderer(engine: str = "auto", notice: Notice | None = None) -> Renderer:
    """The renderer for ``engine``; ``auto`` is the builtin engine with a per-overlay fallback.

    ``notice`` hears, once per overlay, that ``auto`` rendered it with an external engine.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", "--engine", f"choose one of {', '.join(ENGINES)}")
    if engine in ("auto", "helm"):
        if builtin_available():
            return AutoRenderer(notice, charts=engine == "helm")
        engine = external_on_path() or ""
        if not engine:
            raise RendererUnavailableError("no renderer found", "--engine auto", "install kustomize or kubectl")
    if engine == "builtin":
        if not builtin_available():
            raise RendererUnavailableError("the builtin engine is not available", "--engine builtin",
                                           "use --engine kubectl or --engine kustomize, or reinstall gitshift")
        return _Builtin()
    from gitshift.render.external import ExternalRenderer

    return ExternalRenderer(engine)


def renders_charts(renderer: Renderer) -> bool:
    """Whether ``--engine helm`` asked for every Helm env's chart to be rendered."""
    return isinstance(renderer, AutoRenderer) and renderer.charts


def engine_of(renderer: Renderer, path: Path) -> str:
    """The engine that rendered the overlay at ``path`` (``auto`` says which one it chose)."""
    if isinstance(renderer, AutoRenderer):
        return renderer.engine_for(path)
    return renderer.name


# -- the files a render read ----------------------------------------------------------------------
class RecordingView(FileView):
    """A view that notes every file a render reads (or asks about and finds) through it."""

    def __init__(self, inner: FileView) -> None:
        super().__init__(root=inner.root)
        self.inner = inner
        self.overlay = inner.overlay
        self.read: set[Path] = set()

    def _note(self, path: Path | str) -> None:
        self.read.add(self._key(path))

    def read_bytes(self, path: Path | str, limit: int | None = None) -> bytes:
        self._note(path)
        return self.inner.read_bytes(path, limit)

    def read_text(self, path: Path | str) -> str:
        self._note(path)
        return self.inner.read_text(path)

    def is_file(self, path: Path | str) -> bool:
        found = self.inner.is_file(path)
        if found:
            self._note(path)
        return found

    def is_dir(self, path: Path | str) -> bool:
        return self.inner.is_dir(path)

    def listdir(self, path: Path | str) -> list[str]:
        return self.inner.listdir(path)

    def cache_key(self, path: Path | str) -> tuple[object, ...] | None:
        self._note(path)  # a parse cache asks before it answers without reading
        return self.inner.cache_key(path)

    def edited(self) -> Iterator[tuple[Path, bytes | None]]:
        return self.inner.edited()

    def with_edits(self, edits: Mapping[Path, bytes | None]) -> FileView:
        return self.inner.with_edits(edits)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # what a particular view adds (a commit's blobs)


def render_reading(renderer: Renderer, path: Path, view: FileView) -> tuple[list[Obj], frozenset[Path] | None]:
    """The overlay's objects and the files the render read; None when the engine cannot say (external)."""
    if engine_of(renderer, path) != "builtin":
        return renderer.render(path, view), None
    recording = RecordingView(view)
    objects = renderer.render(path, recording)
    if engine_of(renderer, path) != "builtin":  # auto fell back on this render
        return objects, None
    return objects, frozenset(recording.read)


# -- which kustomizations a file can reach ---------------------------------------------------------
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# Fields whose entries may name another kustomization directory.
_DIR_FIELDS = ("resources", "bases", "components", "generators", "transformers", "validators")
_REMOTE = ("://", "git@", "github.com/", "gitlab.com/", "bitbucket.org/")
_FILE_SUFFIXES = (".yaml", ".yml", ".json")


class Layout:
    """The kustomization directories of a tree, read once per view (just their directory entries).

    Kustomize reads a file only from inside the directory of the kustomization
    that names it (its load restrictor), so a file can change the render of an
    overlay only if it lies under one of the directories the overlay's
    kustomization reaches. That is cheap to know before rendering anything.
    """

    def __init__(self, view: FileView) -> None:
        self.view = view
        self._refs: dict[str, list[str] | None] = {}
        self._real: dict[str, str] = {}
        self._holders: tuple[frozenset[Path], frozenset[str]] = (frozenset(), frozenset())
        # A view of the disk answers with plain os calls (a Path per question costs more than the question),
        # except for the files it edits.
        self._disk = type(view).is_file is FileView.is_file and type(view).is_dir is FileView.is_dir
        self._prefetch = not self._disk  # a commit's view reads all its kustomizations in one go, once
        self._files: dict[str, tuple[str, bytes]] | None = None  # directory -> (kustomization file, content)
        self._edited = {str(p) for p in view.overlay}
        self._edited_dirs = {str(d) for p, data in view.overlay.items() if data is not None for d in p.parents}

    # os.path on purpose in these helpers: they answer for thousands of kustomizations per shift.
    def _is_file(self, path: str) -> bool:
        if self._disk and path not in self._edited:
            return os.path.isfile(path)  # noqa: PTH113
        return self.view.is_file(path)

    def _is_dir(self, path: str) -> bool:
        if self._disk and path not in self._edited_dirs:
            return os.path.isdir(path)  # noqa: PTH112
        return self.view.is_dir(path)

    def _read(self, path: str) -> bytes:
        if self._files is not None:
            found = self._files.get(path.rpartition("/")[0])
            if found is not None and found[0] == path:
                return found[1]
        if self._disk and path not in self._edited:
            with open(path, "rb") as fh:  # noqa: PTH123
                return fh.read()
        return self.view.read_bytes(path)

    def kustomization(self, directory: Path | str) -> str | None:
        """The kustomization file of ``directory``, or None."""
        if self._prefetch:
            self._prefetch = False
            first_files = getattr(self.view, "first_files", None)
            if first_files is not None:
                self._files = first_files(KUSTOMIZATION_FILES)
        if self._files is not None:
            found = self._files.get(str(directory))
            return found[0] if found is not None else None
        return next((f"{directory}/{n}" for n in KUSTOMIZATION_FILES if self._is_file(f"{directory}/{n}")), None)

    def data(self, directory: Path | str) -> dict[str, Any] | None:
        """The parsed kustomization of ``directory``; None when there is none or it does not parse."""
        import yaml

        from gitshift.config import yaml_loader

        file = self.kustomization(directory)
        if file is None:
            return None
        try:
            data = yaml.load(self._read(file), Loader=yaml_loader())
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def entries(self, directory: str) -> list[str] | None:
        """The entries of the kustomization's directory-naming fields; None when it is absent or does not parse.

        Only those fields matter: the plain block and flow lists nearly every
        kustomization uses are read line by line, anything else as YAML nodes
        (building the whole document, inline patches and all, would cost most of the time).
        """
        file = self.kustomization(directory)
        if file is None:
            return None
        try:
            text = self._read(file).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        found = _plain_entries(text)
        return found if found is not None else _node_entries(text)

    def refs(self, directory: str) -> list[str] | None:
        """The kustomization directories ``directory``'s kustomization names; None when it cannot be read."""
        if directory not in self._refs:
            entries = self.entries(directory)
            found: list[str] | None = None
            if entries is not None:
                found = []
                for text in entries:
                    if "\n" in text or text.endswith(_FILE_SUFFIXES) or any(m in text for m in _REMOTE):
                        continue  # inline YAML, a file, or a remote base
                    path = os.path.normpath(f"{directory}/{text}")
                    if (self._files is not None and path in self._files) or self._is_dir(path):
                        found.append(path)
            self._refs[directory] = found
        return self._refs[directory]

    def reach(self, directory: Path | str, limit: int = 10_000) -> set[str] | None:
        """Every kustomization directory the overlay at ``directory`` builds; None when one cannot be read."""
        seen: set[str] = set()
        todo = [os.path.normpath(directory)]
        while todo:
            d = todo.pop()
            if d in seen:
                continue
            seen.add(d)
            refs = self.refs(d)
            if refs is None or len(seen) > limit:
                return None
            todo += refs
        return seen

    def _realpath(self, directory: str) -> str:
        """``os.path.realpath``, one ``lstat`` per directory: a parent's real path is reused.

        ``directory`` is absolute and normalised (as ``reach`` gives it): taken apart with
        string methods, thousands of times per shift.
        """
        real = self._real.get(directory)
        if real is None:
            parent, _, name = directory.rpartition("/")
            if not name or not directory.startswith("/"):
                real = os.path.realpath(directory)
            else:
                above = self._realpath(parent or "/")
                joined = f"{above}/{name}" if above != "/" else f"/{name}"
                try:
                    link = stat.S_ISLNK(os.lstat(joined).st_mode)
                except (OSError, ValueError):
                    link = False
                real = os.path.realpath(joined) if link else joined
            self._real[directory] = real
        return real

    def may_read(self, directory: Path | str, files: frozenset[Path]) -> bool:
        """Whether the overlay at ``directory`` may read one of ``files`` (real paths); True when unsure."""
        reach = self.reach(directory)
        if reach is None:
            return True
        if self._holders[0] != files:  # the directories a changed file lies under
            self._holders = (files, frozenset(str(p) for f in files for p in f.parents))
        return any(self._realpath(d) in self._holders[1] for d in reach)


_FLOW_ITEM = re.compile(r"[^\s,'\"&*!|>{\[\]#][^,\]#]*?|'[^']*'|\"[^\"\\\\]*\"")


def key_line(line: str) -> tuple[str, str] | None:
    """(key, value) of a line ``key: value  # comment`` whose key is ASCII letters; None for any other line.

    The value is what follows the colon, blanks and a comment left out. Plain string
    methods, not a regular expression: a shift reads the top-level lines of every
    kustomization of the repository (``Layout``).
    """
    key, colon, after = line.partition(":")
    if not colon or not key.isascii() or not key.isalpha():
        return None
    value = after.lstrip(" \t")
    comment = value.find("#")
    return key, (value if comment < 0 else value[:comment]).rstrip(" \t")


_PLAIN_NOT_FIRST = frozenset("#'\"&*!|>{[")


def item_line(line: str) -> str | None:
    """The item of a line ``- item  # comment`` (plain, or in quotes without escapes); None for any other line.

    The item is returned as written (quotes kept, blanks before a comment left out).
    """
    after = line.lstrip(" \t")
    if after[:1] != "-":
        return None
    after = after[1:]
    value = after.lstrip(" \t")
    first = value[:1]
    if len(value) == len(after) or not first:
        return None  # no blank after the dash, or no item
    if first in ("'", '"'):
        end = value.find(first, 1)
        if end < 0 or (first == '"' and "\\" in value[1:end]):
            return None
        tail = value[end + 1:].lstrip(" \t")
        return value[:end + 1] if not tail or tail[0] == "#" else None
    if first.isspace() or first in _PLAIN_NOT_FIRST:
        return None
    comment = value.find("#")
    return (value if comment < 0 else value[:comment]).rstrip(" \t")


# The ASCII line breaks of str.splitlines but \\n: a text holding none is cut alike by str.split("\\n").
_ODD_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
# After a line break: a top-level key naming directories (group 1), or a line that is neither
# blank, a comment, a list item, indented, nor a ``key:`` (no group): the text is then read line by line.
_TOP_LINES = re.compile(rf"\n(?:({'|'.join(_DIR_FIELDS)}):|(?![ \t#\n-]|[A-Za-z]+:|\Z))")
_NEXT_KEY = re.compile(r"\n(?=[A-Za-z])")


def _plain_entries(text: str) -> list[str] | None:
    """The directory-naming entries of a kustomization written plainly; None when the text needs a YAML parser.

    Plainly means: those fields at the top level, each a block list of one-line
    items or a one-line flow list of plain or quoted names. The usual text (ASCII,
    every top-level line a key, a comment or blank) is searched for those fields
    and only their lines are read: the rest, an inline patch say, is most of the
    text, and every line of it would be skipped. Any other text is read line by line.
    """
    if text.isascii() and not any(b in text for b in _ODD_BREAKS):
        lines = "\n" + text
        entries = _Entries()
        entries.started = True
        for top in _TOP_LINES.finditer(lines):
            if top.group(1) is None:
                break  # an odd top-level line: read it all line by line
            end = _NEXT_KEY.search(lines, top.end())
            if not entries.read(lines[top.start() + 1:end.start() if end is not None else len(lines)].split("\n")):
                return None
        else:
            return entries.out
    entries = _Entries()
    return entries.out if entries.read(text.splitlines()) else None


class _Entries:
    """The directory-naming entries of a kustomization, taken line by line."""

    __slots__ = ("field", "out", "started")

    def __init__(self) -> None:
        self.out: list[str] = []
        self.field: str | None = None
        self.started = False

    def read(self, lines: Iterable[str]) -> bool:
        """Take every line; False as soon as one needs a YAML parser."""
        return all(map(self.line, lines))

    def line(self, line: str) -> bool:
        """Take one line; False when the text needs a YAML parser."""
        if self.field is None and self.started and line[:1] in (" ", "\t", "-"):
            return True  # inside a field that names no directory (an inline patch, say)
        if not line.strip() or line.lstrip().startswith("#") or (line.rstrip() == "---" and not self.started):
            return True
        self.started = True
        if line[0] not in " \t-":  # a top-level key ends the list before it
            key = key_line(line)
            if key is None:
                return False
            self.field = key[0] if key[0] in _DIR_FIELDS else None
            rest = key[1]
            if self.field is None or not rest:
                return True
            if not (rest.startswith("[") and rest.endswith("]")):
                return False
            items = [i.strip() for i in rest[1:-1].split(",") if i.strip()]
            if not all(_FLOW_ITEM.fullmatch(i) for i in items):
                return False
            self.out += [i.strip("'\"") if i[:1] in "'\"" else i for i in items]
            self.field = None
            return True
        if self.field is None:
            return True  # inside a field that names no directory
        value = item_line(line)
        if value is None:
            return False
        self.out.append(value[1:-1] if value[:1] in "'\"" else value.rstrip())
        return True


def _node_entries(text: str) -> list[str] | None:
    """The directory-naming entries read as YAML nodes (any style YAML allows)."""
    import yaml

    from gitshift.config import yaml_loader

    try:
        node = yaml.compose(text, Loader=yaml_loader())
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    out: list[str] = []
    for key, value in node.value:
        if key.value in _DIR_FIELDS and isinstance(value, yaml.SequenceNode):
            out += [item.value for item in value.value if isinstance(item, yaml.ScalarNode)]
    return out


def kustomization_dirs(view: FileView, root: Path) -> list[Path]:
    """Every directory under ``root`` that holds a kustomization file, in path order (``.git`` left out)."""
    names = set(KUSTOMIZATION_FILES)
    tree = getattr(view, "tree", None)
    blobs = getattr(tree, "blobs", None)
    found: set[Path] = set()
    if isinstance(blobs, dict):  # a commit's view lists its files at once
        found = {root / str(rel).rpartition("/")[0] for rel in blobs if str(rel).rpartition("/")[2] in names}
    else:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            if names & set(filenames):
                found.add(Path(dirpath))
    found |= {p.parent for p, data in view.edited() if data is not None and p.name in names}
    return sorted(Path(os.path.normpath(p)) for p in found)
