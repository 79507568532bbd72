"""What the read-only commands compute: status rows, check results, rendered diffs, render --all."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitshift import checks, files
from gitshift import strategies as registry
from gitshift.config import Config, EnvConfig
from gitshift.errors import GitshiftError
from gitshift.manifests import Rendered, image_name
from gitshift.render import Renderer, engine_of, renders_charts
from gitshift.result import CheckRow, State, StatusRow
from gitshift.shift.compute import dump, files_at, render, values_source

if TYPE_CHECKING:
    from gitshift.gitops.history import Entry
    from gitshift.gitops.repo import Repo


def _read(config: Config, renderer: Renderer, app: str | None, env: str | None
          ) -> Iterator[tuple[EnvConfig, Rendered | None, str, GitshiftError | None]]:
    """Each selected env's render, the engine that made it, or the error that stopped it (the others go on)."""
    view = files.FileView(root=config.root)
    for e in config.select(app, env):
        try:
            rendered = render(renderer, config.root, e, view)
        except GitshiftError as exc:
            yield e, None, engine_of(renderer, config.root / e.overlay), exc
            continue
        yield e, rendered, engine_of(renderer, config.root / e.overlay), None


def collect(config: Config, renderer: Renderer, app: str | None, env: str | None) -> list[StatusRow]:
    """The state of every selected env, read from its rendered overlay; an env that fails gets its error."""
    rows = []
    view = files.FileView(root=config.root)
    for e, rendered, engine, error in _read(config, renderer, app, env):
        if rendered is not None:
            try:
                state = registry.for_env(e).state(rendered, e)
                failures, notes = _chart(config, renderer, e, rendered, state, view)
            except GitshiftError as exc:
                error = exc
            else:
                rows.append(StatusRow(e, state, engine, warnings=(*_image_found(rendered, e), *failures, *notes)))
                continue
        assert error is not None
        rows.append(StatusRow(e, None, engine, error=str(error), code=error.exit_code, hint=error.hint))
    return rows


def check(config: Config, renderer: Renderer, app: str | None, env: str | None) -> list[CheckRow]:
    """The safety checks of every selected env (README.md, "check"); an env that fails gets its error."""
    out = []
    view = files.FileView(root=config.root)
    for e, rendered, engine, error in _read(config, renderer, app, env):
        try:
            if rendered is None:
                assert error is not None
                raise error
            strategy = registry.for_env(e)
            state = strategy.state(rendered, e)
            failures = _image_found(rendered, e) + checks.run(
                rendered, e, state.serving, own=strategy.checks(rendered, e))
            chart_failures, notes = _chart(config, renderer, e, rendered, state, view)
            failures += chart_failures
            warnings = [] if values_source(e) else _stale(renderer, config.root, e, rendered, view)
            warnings += notes
        except GitshiftError as exc:
            out.append(CheckRow(e, engine, error=str(exc), hint=exc.hint, code=exc.exit_code))
            continue
        out.append(CheckRow(e, engine, tuple(failures), tuple(warnings)))
    return out


def _chart(config: Config, renderer: Renderer, env: EnvConfig, rendered: Rendered, state: State,
           view: files.FileView) -> tuple[list[str], list[str]]:
    """A Helm env's chart failures, and notes: its chart was not rendered, a valuesFrom was not read.

    The chart is rendered when ``helm.render: true`` or ``--engine helm`` asks; its render
    must pass the checks a shift's chart proof runs (README.md, "Helm releases").
    """
    if env.helm is None:
        return [], []
    from gitshift.helm import chart
    from gitshift.helm.values import release

    failures, note = chart.check(env, config.root, view, rendered, state, renders_charts(renderer))
    return [f"chart: {f}" for f in failures], [*release(rendered, env).unread, *([note] if note else [])]


def _image_found(rendered: Rendered, env: EnvConfig) -> list[str]:
    """``checks.image_found``, for the envs whose containers are rendered (a Helm env's are the chart's)."""
    return [] if env.helm is not None else checks.image_found(rendered, env)


def _stale(renderer: Renderer, root: Path, env: EnvConfig, rendered: Rendered, view: files.FileView) -> list[str]:
    """Warnings about the overlay's own ``images:`` entries and gitshift patches that match nothing any more."""
    import yaml

    from gitshift.config import yaml_loader
    from gitshift.rewrite.overlay import find_kustomization

    overlay = files.guard_inside(root, Path(env.overlay), f"overlay of {env.app}/{env.name}")
    kfile = find_kustomization(overlay, view)
    try:
        kust = yaml.load(view.read_bytes(kfile), Loader=yaml_loader())
    except yaml.YAMLError:
        return []  # the render read it: a file it could parse but PyYAML cannot is the renderer's business
    if not isinstance(kust, dict):
        return []
    where = kfile.relative_to(root).as_posix()
    out = [f"{where}: {w}" for w in _stale_images(renderer, root, env, rendered, view, kfile, kust)]
    mine = [(p["path"], p["target"]) for p in kust.get("patches") or []
            if isinstance(p, dict) and isinstance(p.get("target"), dict)
            and Path(str(p.get("path") or "")).name.startswith("gitshift-")]
    affix = (str(kust.get("namePrefix") or ""), str(kust.get("nameSuffix") or ""))
    return out + [f"{where}: {w}" for w in checks.stale_patches(mine, rendered, affix)]


def _stale_images(renderer: Renderer, root: Path, env: EnvConfig, rendered: Rendered, view: files.FileView,
                  kfile: Path, kust: dict[str, Any]) -> list[str]:
    entries = [e for e in kust.get("images") or [] if isinstance(e, dict) and e.get("name")]
    final = {image_name(i) for o in rendered for i in checks.container_images(o)}
    if all(str(e.get("newName") or e["name"]) in final for e in entries):
        return []  # every entry's result is rendered: no need to render without them
    from gitshift.rewrite import yamldoc

    try:
        doc = yamldoc.load(kfile, view.read_bytes(kfile))
        del doc.docs[0]["images"]
        before = render(renderer, root, env, view.with_edits({kfile: doc.dump()}))
    except (GitshiftError, KeyError, IndexError, TypeError):
        return []
    return checks.stale_images(entries, [image_name(i) for o in before for i in checks.container_images(o)])


_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_ACTION = re.compile(r"[a-z]+(?:[.-][a-z]+)*")


def history(repo: Repo, ref: str, app: str | None, env: str | None, limit: int
            ) -> list[tuple[Entry, str | None]]:
    """Past shifts reachable from ``ref``, newest first, each with what is wrong with its trailers (or None)."""
    from gitshift.gitops import history as hist

    return [(e, _trailer_error(e)) for e in hist.read(repo, ref, app, env, limit)]


def _trailer_error(entry: Entry) -> str | None:
    """Why a commit's Gitshift trailers name no shift: App, Env and Action that do not pair up, or not names."""
    trailers = (("Gitshift-App", entry.app, _NAME), ("Gitshift-Env", entry.env, _NAME),
                ("Gitshift-Action", entry.action, _ACTION))
    if any("," in value for _, value, _ in trailers):
        counts = ", ".join(f"{value.count(',') + 1} {key}" for key, value, _ in trailers)
        return f"the trailers do not pair up ({counts}): no shift can be read from them"
    for key, value, pattern in trailers:
        if not pattern.fullmatch(value):
            return f"{key} {value!r} is not a valid name"
    return None


def diff(config: Config, renderer: Renderer, app: str | None, env: str | None, against: str) -> str:
    """Unified diff of the rendered overlays at ``against`` and in the working tree."""
    from gitshift.gitops.repo import Repo

    repo = Repo(config.root)
    sha = repo.rev_parse(against)
    if sha is None:
        from gitshift.errors import InputError
        from gitshift.gitops import refs

        raise InputError(f"unknown ref {against!r}", "--against", refs.REF_HINT)
    view = files.FileView(root=config.root)
    chunks: list[str] = []
    with files_at(renderer, repo, sha) as (old_tree, old_view):
        for e in config.select(app, env):
            new = dump(render(renderer, config.root, e, view))
            old_exists = old_view.exists(old_tree / e.overlay)  # a Helm values file stands for a folder
            old = dump(render(renderer, old_tree, e, old_view)) if old_exists else ""
            chunks += difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                           f"{against}:{e.overlay}", f"{e.overlay}")
    return "".join(chunks)


def render_all(config: Config, renderer: Renderer, out: Path,
               progress: Callable[[str], None] | None = None) -> list[str]:
    """Write every env's rendered overlay to ``out/<app>/<env>.yaml``; only changed files are rewritten."""
    written = []
    envs = config.select()
    view = files.FileView(root=config.root)
    for i, e in enumerate(envs, 1):
        overlay = files.guard_inside(config.root, Path(e.overlay), f"overlay of {e.app}/{e.name}")
        if values_source(e):  # the values, as status reads them
            text = dump(render(renderer, config.root, e, view)).encode()
        else:
            text = renderer.render_text(overlay, view).encode()
        path = out / e.app / f"{e.name}.yaml"
        if not path.exists() or path.read_bytes() != text:
            files.atomic_write(path, text, durable=False)  # rendered output: made again by running again
            written.append(str(path))
        if progress and (i % 100 == 0 or i == len(envs)) and len(envs) >= 100:
            progress(f"rendered {i}/{len(envs)} overlays")
    return written


