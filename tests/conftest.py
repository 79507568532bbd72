"""Shared fixtures: isolated git, real repositories with a bare origin, the example tree, an oracle."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from tests.support.forge_clients import fast_policy, forge_client, github, gitlab  # noqa: F401
from tests.support.forge_server import forge_server  # noqa: F401

from gitshift.cli.app import cli
from gitshift.render import Renderer

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLE = ("base", "overlays", "gitshift.yaml")
ENGINE = os.environ.get("GITSHIFT_TEST_ENGINE", "builtin")



@pytest.fixture(autouse=True)
def _isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    cfg = home / "gitconfig"
    cfg.write_text("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Test User")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@example.com")
    for name in list(os.environ):
        if name.startswith("GITSHIFT_") and name != "GITSHIFT_TEST_ENGINE":
            monkeypatch.delenv(name)


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return stdout."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def build_tree(root: Path, tree: Mapping[str, str]) -> None:
    """Write ``{relative path: text}`` under ``root``."""
    for rel, text in tree.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def make_repo(root: Path, tree: Mapping[str, str] | None = None, copy_example: bool = False) -> Path:
    """A git repository on ``main`` with one commit and a bare clone as ``origin``."""
    work = root / "work"
    work.mkdir(parents=True)
    if copy_example:
        for name in EXAMPLE:
            src = PROJECT / name
            if src.is_dir():
                shutil.copytree(src, work / name)
            else:
                shutil.copy2(src, work / name)
    build_tree(work, tree or {})
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "initial")
    bare = root / "origin.git"
    git(root, "clone", "-q", "--bare", str(work), str(bare))
    git(work, "remote", "add", "origin", str(bare))
    git(work, "fetch", "-q", "origin")
    git(work, "branch", "-q", "--set-upstream-to=origin/main", "main")
    return work


@pytest.fixture
def repo_factory(tmp_path: Path) -> Callable[..., Path]:
    """Build a repository from a tree mapping (and optionally the example tree)."""
    count = iter(range(1000))

    def factory(tree: Mapping[str, str] | None = None, example: bool = False) -> Path:
        return make_repo(tmp_path / f"r{next(count)}", tree, copy_example=example)

    return factory


@pytest.fixture
def example_repo(repo_factory: Callable[..., Path]) -> Path:
    """The example tree shipped with the project, committed in a fresh repository."""
    return repo_factory(example=True)


@dataclass(frozen=True)
class Snapshot:
    """Everything 'loses nothing' promises: HEAD, branch, status, branches, file hashes."""

    head: str
    branch: str
    status: str
    branches: str
    hashes: Mapping[str, str]


def snapshot(repo: Path) -> Snapshot:
    """The state of a repository, to compare before and after a failing command."""
    hashes = {
        str(p.relative_to(repo)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    return Snapshot(git(repo, "rev-parse", "HEAD"), git(repo, "branch", "--show-current"),
                    git(repo, "status", "--porcelain"), git(repo, "branch", "--list"), hashes)


def render(path: Path) -> list[dict[str, Any]]:
    """The oracle: ``kubectl kustomize`` on ``path``, independent of the code under test."""
    out = subprocess.run(["kubectl", "kustomize", str(path)], check=True, capture_output=True, text=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def find(objs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    """The rendered object of ``kind`` named ``name``."""
    for o in objs:
        if o["kind"] == kind and o["metadata"]["name"] == name:
            return o
    raise AssertionError(f"{kind}/{name} not rendered")


def run(repo: Path | None, *args: str, env: Mapping[str, str] | None = None) -> Result:
    """The CLI in-process, as a user runs it in ``repo``."""
    pre = ["-C", str(repo)] if repo is not None else []
    engine = [] if any(a.startswith("--engine") for a in args) else ["--engine", ENGINE]
    return CliRunner().invoke(cli, [*pre, *engine, *args], env=dict(env or {}), catch_exceptions=False)


@pytest.fixture(scope="session")
def builtin() -> Renderer:
    """The builtin engine (its parse cache is keyed by file identity, so one serves every test)."""
    from gitshift.render.builtin import BuiltinRenderer

    return BuiltinRenderer()


@pytest.fixture
def cli_run() -> Iterator[Callable[..., Result]]:
    """``run`` as a fixture."""
    yield run
