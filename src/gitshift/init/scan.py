"""From rendered overlays to apps and envs: names, images, and each env's detected strategy (pure, no I/O).

An app is an image (its name without tag): the app is named after the image's
last path component, made a DNS label. One name seen under two registries is
one app when no overlay runs both (each env keeps its own ``image``), two apps
otherwise. An env is a leaf overlay that runs the app, named after its folder.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

from gitshift.init.detect import detect, rolling
from gitshift.init.workloads import APP_KINDS, Detection, app_workloads, images
from gitshift.manifests import Rendered

_NOT_LABEL = re.compile(r"[^a-z0-9-]+")
# Image names as registries accept them (lowercase path components); a templated or empty image is not an app.
_IMAGE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._:-]*(?:/[a-z0-9][a-z0-9._-]*)*$")
# Env order in the written file: the usual promotion path first, then the rest by name.
_ENV_RANKS = ("dev", "test", "qa", "int", "stag", "uat", "pre", "prod")


@dataclass(frozen=True)
class EnvFinding:
    """One env of one app: where its overlay is, the image name it runs, and the strategy found."""

    app: str
    env: str
    overlay: str
    image: str
    detection: Detection
    helm: Mapping[str, Any] | None = None  # the env's helm: section (README.md, "Helm releases")

    def to_json(self) -> dict[str, Any]:
        """The env as ``init -o json`` shows it."""
        d = self.detection
        out = {"env": self.env, "overlay": self.overlay, "image": self.image, "strategy": d.strategy,
               "reason": d.reason, "settings": dict(d.settings), "notes": list(d.notes)}
        if self.helm is not None:
            out["helm"] = dict(self.helm)
        return out


@dataclass(frozen=True)
class AppFinding:
    """An app: its name, the image name most of its envs run, and its envs in file order."""

    name: str
    image: str
    envs: tuple[EnvFinding, ...]

    def to_json(self) -> dict[str, Any]:
        """The app as ``init -o json`` shows it."""
        return {"app": self.name, "image": self.image, "envs": [e.to_json() for e in self.envs]}


@dataclass(frozen=True)
class Skipped:
    """A leaf overlay that could not be rendered, and why."""

    overlay: str
    reason: str
    hint: str = ""


@dataclass(frozen=True)
class Scan:
    """What ``gitshift init`` found in a repository.

    Attributes:
        apps: the apps, by name.
        skipped: overlays that failed to render (the scan went on without them).
        kustomizations: how many kustomizations the walk found.
        overlays: the leaf overlays among them.
        warnings: findings about the repository as a whole (a bounded walk, a check that will fail).
    """

    apps: tuple[AppFinding, ...]
    skipped: tuple[Skipped, ...] = ()
    kustomizations: int = 0
    overlays: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def envs(self) -> list[EnvFinding]:
        """Every env of every app, in file order."""
        return [e for a in self.apps for e in a.envs]

    def to_json(self) -> dict[str, Any]:
        """The whole scan as ``init -o json`` shows it."""
        return {"kustomizations": self.kustomizations, "overlays": self.overlays,
                "apps": [a.to_json() for a in self.apps],
                "skipped": [{"overlay": s.overlay, "reason": s.reason, "hint": s.hint or None} for s in self.skipped],
                "warnings": list(self.warnings)}


def dns_label(text: str, fallback: str = "app") -> str:
    """``text`` as a DNS label ``[a-z0-9]([-a-z0-9]*[a-z0-9])?``: lowercased, other characters as ``-``."""
    label = _NOT_LABEL.sub("-", text.lower()).strip("-")
    label = re.sub("-{2,}", "-", label)[:63].strip("-")
    return label or fallback


def _app_names(by_overlay: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """App name of every image name: its last path component, longer where two images would share it."""
    groups: dict[str, set[str]] = defaultdict(set)
    for names in by_overlay.values():
        for image in names:
            groups[dns_label(image.rsplit("/", 1)[-1])].add(image)
    out: dict[str, str] = {}
    for label, members in groups.items():
        if len(members) == 1:
            out[next(iter(members))] = label
            continue
        together = any(len(members.intersection(names)) > 1 for names in by_overlay.values())
        if not together:
            out.update(dict.fromkeys(members, label))
            continue
        for image in members:
            parts = image.split("/")
            depth = 2
            while depth < len(parts) and any(
                    o != image and o.split("/")[-depth:] == parts[-depth:] for o in members):
                depth += 1
            out[image] = dns_label("-".join(parts[-depth:]))
    return _unique(out, by_overlay)


def _unique(app_of: dict[str, str], by_overlay: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Numbered names for images that would still share an app name in one overlay."""
    taken = set(app_of.values())
    for names in by_overlay.values():
        seen: set[str] = set()
        for image in names:
            name = app_of[image]
            if name in seen:
                n = 2
                while f"{name}-{n}" in taken:
                    n += 1
                app_of[image] = f"{name}-{n}"
                taken.add(app_of[image])
            seen.add(app_of[image])
    return app_of


def _env_names(overlays: Sequence[str], root_name: str) -> dict[str, str]:
    """Env name of each overlay of one app: its folder name, with parent folders where two would clash."""
    parts = {o: (PurePosixPath(o).parts if o != "." else (root_name,)) for o in overlays}
    depth = dict.fromkeys(overlays, 1)
    while True:
        names = {o: dns_label("-".join(parts[o][-depth[o]:]), "default") for o in overlays}
        counts = Counter(names.values())
        clashing = [o for o in overlays if counts[names[o]] > 1 and depth[o] < len(parts[o])]
        if not clashing:
            return _numbered(names)
        for o in clashing:
            depth[o] += 1


def _numbered(names: dict[str, str]) -> dict[str, str]:
    """Names still shared (``a/b-c`` and ``a-b/c``, or cut at 63 characters) numbered: ``a-b-c``, ``a-b-c-2``."""
    taken = set(names.values())
    seen: set[str] = set()
    for key, name in names.items():
        if name in seen:
            n = 2
            while f"{name[:60]}-{n}" in taken:
                n += 1
            names[key] = f"{name[:60]}-{n}"
            taken.add(names[key])
        seen.add(names[key])
    return names


def _env_order(name: str) -> tuple[int, str]:
    rank = next((i for i, r in enumerate(_ENV_RANKS) if name.startswith(r)), len(_ENV_RANKS))
    return rank, name


def app_images(rendered: Rendered) -> list[str]:
    """The image names an overlay's workloads run, in render order."""
    found = [i for w in rendered.of_kind(*APP_KINDS) for i in images(w)]
    return [i for i in dict.fromkeys(found) if _IMAGE.match(i)]


def group(rendered: Mapping[str, Rendered], root_name: str) -> tuple[AppFinding, ...]:
    """Apps and envs of the rendered leaf overlays (``overlay path -> objects``), each env's strategy detected."""
    by_overlay = {o: app_images(r) for o, r in rendered.items()}
    app_of = _app_names(by_overlay)
    runs: dict[str, list[tuple[str, str]]] = defaultdict(list)  # app -> [(overlay, image)]
    for overlay, names in sorted(by_overlay.items()):
        for image in names:
            runs[app_of[image]].append((overlay, image))
    apps = []
    for app in sorted(runs):
        overlays = [o for o, _ in runs[app]]
        env_names = _env_names(overlays, root_name)
        envs = [EnvFinding(app, env_names[o], o, image, _detect(rendered[o], image)) for o, image in runs[app]]
        envs.sort(key=lambda e: _env_order(e.env))
        image = Counter(e.image for e in envs).most_common(1)[0][0]
        apps.append(AppFinding(app, image, tuple(envs)))
    return tuple(apps)


def _detect(rendered: Rendered, image: str) -> Detection:
    """``detect``, kept to one env when an object has a shape the detectors do not expect."""
    try:
        return detect(rendered, image)
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        return Detection("rolling", f"objects of an unexpected shape ({type(exc).__name__}: {exc}); set-image "
                         "updates every workload running the image")


def as_rolling(env: EnvFinding, rendered: Rendered, why: str) -> EnvFinding:
    """``env`` with its strategy set back to rolling/recreate, ``why`` kept as a note."""
    fallback = rolling(app_workloads(rendered, env.image))
    notes = (*env.detection.notes, why)
    return replace(env, detection=replace(fallback, notes=notes))
