"""Bases built once per process: a kustomization several overlays include is read and accumulated once.

``status``, ``render --all`` and a shift's blast radius render many overlays that include
the same bases. The first build of a base directory notes every question it asked the
file view (which files and directories exist, and the content of every file read: its
bytes, or its blob id in a commit) and keeps a copy of the result. Another overlay gets a
fresh copy of that result only if the view it renders answers every one of those questions
the same way: the questions are asked again (files read again and compared), so a view
that notes what a render reads, as the blast radius does, sees the same files. A build
that read a file the view holds an edit of, that a question failed in (a file outside the
repository, too large, absent), or that chose an OpenAPI schema, is not kept.

Reuse never lifts a bound (limits): a kept base keeps the charges its build made against
the render's budget, and a reuse makes them again before the copy is made, so a base
reached through many paths stops a render exactly where building it each time would.
What is kept is bounded too: LIMIT bases and KEPT_WEIGHT of their objects.
"""

from __future__ import annotations

import os
from _thread import allocate_lock  # threading's Lock, without importing threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitshift.files import FileTooLargeError, FileView
from gitshift.render.builtin import limits, openapi
from gitshift.render.builtin.host import Host
from gitshift.render.builtin.resource import ResMap

if TYPE_CHECKING:
    from gitshift.render.builtin.tconfig import TransformerConfig

LIMIT = 20_000  # bases kept at most (a process rendering more keeps building the others each time)
KEPT_WEIGHT = limits.MAX_WEIGHT  # and at most this weight of objects (limits.weigh) in all
MAX_NESTED = 16  # bases inside bases noted at once; deeper ones are built each time
Question = tuple[str, str, Any]  # (view method, path, answer)


class _Record:
    """The questions one build asked and their answers, and whether the build may be kept."""

    def __init__(self) -> None:
        self.asked: dict[tuple[str, str], Any] = {}  # (method, path) -> the first answer
        self.keep = True


class _Watch(FileView):
    """The builder's view while bases are built, noting each question and its answer.

    One watch serves a build and the bases built inside it: each question is asked of
    the view once and noted in the record of every build under way (at most MAX_NESTED;
    a base deeper than that is built and not kept). A file read is noted by its content
    (its bytes, or its blob id, which names them); a file the view holds an edit of, or
    a question that fails, makes the builds under way ones not to keep.
    """

    def __init__(self, inner: FileView) -> None:
        super().__init__(root=inner.root)
        self.inner = inner
        self.overlay = inner.overlay
        self.records: list[_Record] = []

    def _spoil(self) -> None:
        for record in self.records:
            record.keep = False

    def _ask(self, method: str, path: Path | str) -> Any:
        try:
            answer = getattr(self.inner, method)(path)
        except BaseException:
            self._spoil()  # a question that failed is not noted: a view may answer it otherwise
            raise
        question = (method, str(path))
        for record in self.records:
            record.asked.setdefault(question, answer)
        return answer

    def _content(self, path: Path | str, data: bytes | None = None,
                 identity: tuple[object, ...] | None = None) -> None:
        if identity is None:
            identity = self.inner.cache_key(path)
        if identity is None:
            self._spoil()  # edited in the view (or gone): these builds are the view's alone
            return
        name = str(path)
        if identity[0] == "blob":
            for record in self.records:
                record.asked.setdefault(("cache_key", name), identity)
            return
        question = ("read_bytes", name)
        for record in self.records:
            if question not in record.asked:
                if data is None:
                    data = self.inner.read_bytes(path)
                record.asked[question] = data

    def read_bytes(self, path: Path | str, *args: Any, **kwargs: Any) -> bytes:
        try:
            data: bytes = self.inner.read_bytes(path, *args, **kwargs)
        except BaseException:
            self._spoil()
            raise
        self._content(path, data)
        return data

    def read_text(self, path: Path | str) -> str:
        return self.read_bytes(path).decode("utf-8")

    def is_file(self, path: Path | str) -> bool:
        return bool(self._ask("is_file", path))

    def is_dir(self, path: Path | str) -> bool:
        return bool(self._ask("is_dir", path))

    def exists(self, path: Path | str) -> bool:
        return bool(self._ask("exists", path))

    def listdir(self, path: Path | str) -> list[str]:
        return list(self._ask("listdir", path))

    def cache_key(self, path: Path | str) -> tuple[object, ...] | None:
        try:
            identity = self.inner.cache_key(path)  # a parse cache asking before it answers without reading
        except BaseException:
            self._spoil()
            raise
        if identity is not None:
            self._content(path, identity=identity)
        return identity

    def edited(self) -> Iterator[tuple[Path, bytes | None]]:
        return self.inner.edited()

    def with_edits(self, edits: Mapping[Path, bytes | None]) -> FileView:
        return self.inner.with_edits(edits)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # what a particular view adds


class _Built:
    __slots__ = ("asked", "charges", "config", "resmap", "weight")

    def __init__(self, resmap: ResMap, config: TransformerConfig, asked: tuple[Question, ...],
                 charges: tuple[limits.Event, ...], weight: int) -> None:
        self.resmap = resmap  # never handed out: copies of it are
        self.config = config
        self.asked = asked
        self.charges = charges  # what the build charged the render's budget, made again on a reuse
        self.weight = weight


_built: dict[tuple[object, ...], _Built] = {}
_kept = [0]  # the weight of everything in _built
_lock = allocate_lock()


def build(builder: Host, path: Path, run: Callable[[], tuple[ResMap, TransformerConfig]]) -> tuple[
        ResMap, TransformerConfig]:
    """What ``run`` builds for the base directory ``path``: from the cache when the view agrees, else built."""
    key = (os.path.abspath(path), builder.origin_root, id(openapi.ACTIVE.get()), builder.schema_fixed)
    hit = _built.get(key)
    if hit is not None and _agrees(builder.view, hit.asked):
        limits.replay(hit.charges)  # before the copy: a reuse past a bound copies nothing
        return copy(hit.resmap), hit.config
    outer, schema = builder.view, openapi.ACTIVE.get()
    watch = outer if isinstance(outer, _Watch) else _Watch(outer)
    if len(watch.records) >= MAX_NESTED:
        return run()  # the builds under way note its questions; it is not kept itself
    record = _Record()
    watch.records.append(record)
    builder.view = watch
    start = limits.mark()
    try:
        resmap, config = run()
    finally:
        builder.view = outer
        watch.records.pop()
    charges = limits.since(start)
    if record.keep and charges is not None and openapi.ACTIVE.get() is schema and builder.schema_fixed == key[3]:
        _keep(key, resmap, config, record, charges)
    return resmap, config


def _keep(key: tuple[object, ...], resmap: ResMap, config: TransformerConfig, record: _Record,
          charges: tuple[limits.Event, ...]) -> None:
    weight = limits.weight_of(charges)
    with _lock:
        old = _built.get(key)
        kept = _kept[0] - (old.weight if old is not None else 0)
        if (old is not None or len(_built) < LIMIT) and kept + weight <= KEPT_WEIGHT:
            asked = tuple((method, path, answer) for (method, path), answer in record.asked.items())
            _built[key] = _Built(copy(resmap), config, asked, charges, weight)
            _kept[0] = kept + weight


def _agrees(view: FileView, asked: tuple[Question, ...]) -> bool:
    """Whether ``view`` answers every question as it was answered (asking it again: it may note them).

    A file is read again no further than the length of what was read: a file grown
    since disagrees without being read whole.
    """
    try:
        for method, path, answer in asked:
            if method == "read_bytes":
                if view.read_bytes(path, len(answer)) != answer:
                    return False
            elif getattr(view, method)(path) != answer:
                return False
    except (OSError, FileTooLargeError):
        return False
    return True


def copy(resmap: ResMap) -> ResMap:
    """A deep copy: the objects, and every list a resource carries (ids, prefixes, ...)."""
    out = ResMap()
    for res in resmap.items:
        out.items.append(res.copy(_clone(res.obj)))
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
        _kept[0] = 0
