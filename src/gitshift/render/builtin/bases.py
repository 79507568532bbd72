"""Bases built once per process: a kustomization several overlays include is read and accumulated once.

``status``, ``render --all`` and a shift's blast radius render many overlays that include
the same bases. The first build of a base directory notes every question it asked the
file view (which files and directories exist, and the content of every file read: its
bytes, or its blob id in a commit) and keeps a copy of the result. Another overlay gets a
fresh copy of that result only if the view it renders answers every one of those questions
the same way: the questions are asked again (files read again and compared), so a view
that notes what a render reads, as the blast radius does, sees the same files. A build
that read a file the view holds an edit of, or that chose an OpenAPI schema, is not kept.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitshift.files import FileView
from gitshift.render.builtin import openapi
from gitshift.render.builtin.resource import ResMap, Resource

if TYPE_CHECKING:
    from gitshift.render.builtin.build import Builder
    from gitshift.render.builtin.tconfig import TransformerConfig

LIMIT = 20_000  # bases kept at most (a process rendering more keeps building the others each time)
Question = tuple[str, str, Any]  # (view method, path, answer)


class _Watch(FileView):
    """The builder's view, noting each question a build asks it and the answer.

    A file read is noted by its content (its bytes, or its blob id, which names them); a
    file the view holds an edit of makes the build one not to keep.
    """

    def __init__(self, inner: FileView) -> None:
        super().__init__(root=inner.root)
        self.inner = inner
        self.overlay = inner.overlay
        self.asked: dict[tuple[str, str], Any] = {}  # (method, path) -> the first answer
        self.keep = True

    def _ask(self, method: str, path: Path | str) -> Any:
        answer = getattr(self.inner, method)(path)
        self.asked.setdefault((method, str(path)), answer)
        return answer

    def _content(self, path: Path | str, data: bytes | None = None) -> None:
        identity = self.inner.cache_key(path)
        if identity is None:
            self.keep = False  # edited in the view (or gone): this build is the view's alone
        elif identity[0] == "blob":
            self.asked.setdefault(("cache_key", str(path)), identity)
        elif ("read_bytes", str(path)) not in self.asked:
            self.asked[("read_bytes", str(path))] = self.inner.read_bytes(path) if data is None else data

    def read_bytes(self, path: Path | str, *args: Any, **kwargs: Any) -> bytes:
        data: bytes = self.inner.read_bytes(path, *args, **kwargs)
        self._content(path, data)
        return data

    def read_text(self, path: Path | str) -> str:
        text = self.inner.read_text(path)
        self._content(path)
        return text

    def is_file(self, path: Path | str) -> bool:
        return bool(self._ask("is_file", path))

    def is_dir(self, path: Path | str) -> bool:
        return bool(self._ask("is_dir", path))

    def exists(self, path: Path | str) -> bool:
        return bool(self._ask("exists", path))

    def listdir(self, path: Path | str) -> list[str]:
        return list(self._ask("listdir", path))

    def cache_key(self, path: Path | str) -> tuple[object, ...] | None:
        identity = self.inner.cache_key(path)  # a parse cache asking before it answers without reading
        if identity is not None:
            self._content(path)
        return identity

    def edited(self) -> Iterator[tuple[Path, bytes | None]]:
        return self.inner.edited()

    def with_edits(self, edits: Mapping[Path, bytes | None]) -> FileView:
        return self.inner.with_edits(edits)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # what a particular view adds


@dataclasses.dataclass(frozen=True)
class _Built:
    resmap: ResMap  # never handed out: copies of it are
    config: TransformerConfig
    asked: tuple[Question, ...]


_built: dict[tuple[object, ...], _Built] = {}
_lock = threading.Lock()


def build(builder: Builder, path: Path, run: Callable[[], tuple[ResMap, TransformerConfig]]) -> tuple[
        ResMap, TransformerConfig]:
    """What ``run`` builds for the base directory ``path``: from the cache when the view agrees, else built."""
    key = (os.path.abspath(path), builder.origin_root, id(openapi.ACTIVE.get()), builder.schema_fixed)
    hit = _built.get(key)
    if hit is not None and _agrees(builder.view, hit.asked):
        return copy(hit.resmap), hit.config
    outer, schema = builder.view, openapi.ACTIVE.get()
    watch = _Watch(outer)
    builder.view = watch
    try:
        resmap, config = run()
    finally:
        builder.view = outer
    if watch.keep and openapi.ACTIVE.get() is schema and builder.schema_fixed == key[3]:
        with _lock:
            if len(_built) < LIMIT:
                asked = tuple((method, path, answer) for (method, path), answer in watch.asked.items())
                _built[key] = _Built(copy(resmap), config, asked)
    return resmap, config


def _agrees(view: FileView, asked: tuple[Question, ...]) -> bool:
    """Whether ``view`` answers every question as it was answered (asking it again: it may note them)."""
    try:
        return all(getattr(view, method)(path) == answer for method, path, answer in asked)
    except OSError:
        return False


def copy(resmap: ResMap) -> ResMap:
    """A deep copy: the objects, and every list a resource carries (ids, prefixes, ...)."""
    out = ResMap()
    for res in resmap.items:
        new = dataclasses.replace(res, obj=_clone(res.obj))
        for f in dataclasses.fields(Resource):
            value = getattr(new, f.name)
            if isinstance(value, list):
                setattr(new, f.name, list(value))
        out.items.append(new)
    out.variables = [_clone(v) for v in resmap.variables]
    return out


def _clone(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


def forget() -> None:
    """Drop every kept base (tests)."""
    with _lock:
        _built.clear()
