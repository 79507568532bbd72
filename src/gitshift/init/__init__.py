"""``gitshift init``: scan a repository's kustomizations and write the ``gitshift.yaml`` they show.

``scan`` walks the tree, renders each leaf overlay (a failing one is noted
and the scan goes on), groups the workloads' images into apps and envs, and
detects each env's strategy; ``build`` writes the config and proves it the way
``gitshift check`` will read it, setting back to rolling an env whose
detected strategy gitshift cannot read after all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gitshift.errors import GitshiftError, InputError
from gitshift.files import FileView
from gitshift.init.scan import Scan, Skipped, as_rolling, group
from gitshift.init.tree import MAX_KUSTOMIZATIONS, walk
from gitshift.manifests import Obj, Rendered
from gitshift.render import Renderer

if TYPE_CHECKING:
    from gitshift.config import Config


@dataclass(frozen=True)
class Built:
    """A scan and the config text written from it (empty when no env can be written)."""

    scan: Scan
    text: str
    checks: dict[tuple[str, str], list[str]]


def render_leaves(root: Path, renderer: Renderer) -> tuple[dict[str, Rendered], list[Skipped], int, bool]:
    """The leaf overlays rendered, those that failed and why, the kustomizations found, and whether the walk was cut."""
    tree = walk(root)
    rendered: dict[str, Rendered] = {}
    skipped: list[Skipped] = []
    view = FileView(root=root)
    for k in tree.leaves():
        try:
            rendered[k.path] = Rendered(renderer.render(root / k.path, view))
        except GitshiftError as exc:
            skipped.append(Skipped(k.path, _one_line(exc.what.replace(f"{root}{os.sep}", "")), exc.hint))
        except (RecursionError, MemoryError) as exc:
            skipped.append(Skipped(k.path, f"too deep or too large to render ({type(exc).__name__})"))
        except Exception as exc:  # one odd overlay never blinds the scan to the rest
            skipped.append(Skipped(k.path, _one_line(f"internal error: {type(exc).__name__}: {exc}"),
                                   "please report this with the output of the same command run with -v"))
    return rendered, skipped, len(tree.kustomizations), tree.truncated


def _one_line(text: str, limit: int = 400) -> str:
    """An error as one line of at most ``limit`` characters (an external engine's stderr may be long)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def scan(root: Path, renderer: Renderer) -> tuple[Scan, dict[str, Rendered]]:
    """What the repository at ``root`` shows, and the rendered leaf overlays it was read from."""
    root = root.resolve()
    rendered, skipped, count, truncated = render_leaves(root, renderer)
    overlays = len(rendered) + len(skipped)
    warnings = [f"stopped after {MAX_KUSTOMIZATIONS} kustomizations: the scan is partial"] if truncated else []
    from gitshift.init import helm  # README.md, "Helm releases": values files, HelmReleases, helmCharts

    releases, rendered, skipped = helm.find(root, rendered, skipped)
    apps = helm.merge(group(rendered, root.name), releases, root.name)
    result = Scan(apps, tuple(skipped), count, overlays, tuple(warnings))
    return result, rendered


def build(root: Path, renderer: Renderer, path: Path) -> Built:
    """Scan ``root`` and write the config text for ``path``, proven by the config loader and the strategies."""
    import yaml

    from gitshift import config
    from gitshift.init import write

    found, rendered = scan(root, renderer)
    forge = _forge(root)
    failures: dict[tuple[str, str], list[str]] = {}
    for _ in range(2):  # the second pass proves the envs set back to rolling
        doc = write.document(found, config.STRATEGIES, forge)
        if not doc:
            return Built(found, "", {})
        text = yaml.dump(doc, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)
        found, failures, changed = prove(found, _parse(text, path, root), rendered)
        if not changed:
            break
    text = write.render(found, config.STRATEGIES, failures, forge)
    written = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if written != write.document(found, config.STRATEGIES, forge):  # the comments moved no value
        raise GitshiftError("internal error: the commented config differs from what was proven", str(path),
                            "please report this with the output of the same command run with -v")
    return Built(found, text, failures)


def _forge(root: Path) -> dict[str, str] | None:
    """The ``forge:`` section the origin remote names, if it is GitHub or GitLab."""
    from gitshift.errors import GitError
    from gitshift.gitops.repo import Repo
    from gitshift.init.remote import forge_of

    try:
        url = Repo(root).git("remote", "get-url", "origin")
    except (GitError, InputError):
        return None
    return forge_of(url)


def _parse(text: str, path: Path, root: Path) -> Config:
    from gitshift import config
    from gitshift.errors import ConfigError

    try:
        return config.parse(text, path, root)
    except ConfigError as exc:  # what init writes must load: anything else is a bug (exit 4)
        raise GitshiftError(f"internal error: the config init wrote does not load: {exc.what}", exc.where or str(path),
                            "please report this with the output of the same command run with -v") from exc


class _Rendered:
    """A renderer that answers with the overlays the scan rendered already: status and check read them again."""

    name = "scanned"
    reads_git_objects = True

    def __init__(self, root: Path, rendered: dict[str, Rendered]) -> None:
        self._by_path = {(root / overlay).resolve(): r for overlay, r in rendered.items()}

    def render(self, path: Path, view: FileView | None = None) -> list[Obj]:
        return list(self._by_path[path.resolve()])

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        raise NotImplementedError  # status and check never print an overlay


def prove(found: Scan, parsed: Config, rendered: dict[str, Rendered]
           ) -> tuple[Scan, dict[tuple[str, str], list[str]], bool]:
    """``gitshift status`` and ``gitshift check`` of each env; an env its strategy cannot read becomes rolling."""
    from gitshift.shift import overview

    scanned = _Rendered(parsed.root, rendered)
    try:  # every env at once: the common case, and linear in the envs
        rows = overview.collect(parsed, scanned, None, None)
        results = overview.check(parsed, scanned, None, None)
    except Exception:  # one env fails: find which, one by one
        pass
    else:
        if not any(r.error for r in rows) and not any(r.error for r in results):
            return found, {(r.env.app, r.env.name): list(r.failures) for r in results if r.failures}, False
    failures: dict[tuple[str, str], list[str]] = {}
    apps, changed = [], False
    dropped: list[str] = []
    for app in found.apps:
        envs = []
        for env in app.envs:
            configured = parsed.apps.get(app.name)
            if configured is None or env.env not in configured.envs:  # written as a comment: nothing to prove
                envs.append(env)
                continue
            try:
                [row] = overview.collect(parsed, scanned, app.name, env.env)
                [result] = overview.check(parsed, scanned, app.name, env.env)
                if row.error or result.error:  # status and check show an env that fails as a row
                    raise GitshiftError(str(row.error or result.error))
            except Exception as exc:  # GitshiftError or an odd object: the env falls back, the others go on
                changed = True
                if env.helm is not None:  # values gitshift cannot read: the Helm env is left out, and said so
                    dropped.append(f"{app.name}/{env.env} ({env.overlay}) left out: {exc}")
                    continue
                envs.append(as_rolling(env, rendered[env.overlay], f"{env.detection.strategy} set aside: {exc}"))
                continue
            if result.failures:
                failures[(app.name, env.env)] = list(result.failures)
            envs.append(env)
        if envs:
            apps.append(replace(app, envs=tuple(envs)))
    return replace(found, apps=tuple(apps), warnings=(*found.warnings, *dropped)), failures, changed
