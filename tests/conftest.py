"""Shared fixtures: isolated git, real repositories with a bare origin, the example tree, an oracle."""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
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

_CPU_START = pytest.StashKey[float]()

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLE = ("base", "overlays", "gitshift.yaml")
ENGINE = os.environ.get("GITSHIFT_TEST_ENGINE", "builtin")


# -- CPU time per test: on a shared machine wall-clock durations measure the neighbours --------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cpu-durations", type=int, default=None, metavar="N",
                     help="show the N tests that used the most CPU time, their own process and the commands it "
                          "waited for (0: all), and the total")


def _cpu() -> float:
    own, waited = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    item.stash[_CPU_START] = _cpu()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    if call.when == "teardown" and _CPU_START in item.stash:
        outcome.get_result().user_properties.append(("cpu", _cpu() - item.stash[_CPU_START]))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    most = config.getoption("--cpu-durations")
    if most is None:
        return
    spent = sorted(((dict(r.user_properties).get("cpu", 0.0), r.nodeid) for r in terminalreporter.getreports("")
                    if r.when == "teardown" and "cpu" in dict(r.user_properties)), reverse=True)
    terminalreporter.write_sep("=", f"CPU time: {sum(t for t, _ in spent):.1f}s in {len(spent)} tests"
                                    + (f"; the {most} most" if most else ""))
    for seconds, nodeid in spent[: most or None]:
        terminalreporter.write_line(f"{seconds:7.2f}s {nodeid}")



def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Git as in a fresh account (its config in ``home``, a fixed identity), and no ``GITSHIFT_*`` settings."""
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


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch, tmp_path_factory.mktemp("home"))


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return stdout."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def build_tree(root: Path, tree: Mapping[str, str]) -> None:
    """Write ``{relative path: text}`` under ``root``."""
    for rel, text in tree.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _build_repo(root: Path, tree: Mapping[str, str], copy_example: bool) -> Path:
    work = root / "work"
    work.mkdir(parents=True)
    if copy_example:
        for name in EXAMPLE:
            src = PROJECT / name
            if src.is_dir():
                shutil.copytree(src, work / name)
            else:
                shutil.copy2(src, work / name)
    build_tree(work, tree)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "initial")
    bare = root / "origin.git"
    git(root, "clone", "-q", "--bare", str(work), str(bare))
    git(work, "remote", "add", "origin", str(bare))
    git(work, "fetch", "-q", "origin")
    git(work, "branch", "-q", "--set-upstream-to=origin/main", "main")
    return work


# Repositories already built in this process, by content: a copy costs one git command instead of seven.
_BUILT: dict[str, Path] = {}


def make_repo(root: Path, tree: Mapping[str, str] | None = None, copy_example: bool = False) -> Path:
    """A git repository on ``main`` with one commit and a bare clone as ``origin``.

    Each distinct content is built once per process (its objects packed, git's sample hooks left out)
    and copied from then on; the copy's ``origin`` is its own bare repository, and its index is
    refreshed for the new inodes.
    """
    key = hashlib.sha256(json.dumps([copy_example, sorted((tree or {}).items())]).encode()).hexdigest()
    if key not in _BUILT:
        scratch = Path(tempfile.mkdtemp(prefix="gitshift-tests-"))
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        work = _build_repo(scratch / "pristine", tree or {}, copy_example)
        for repo in (work / ".git", scratch / "pristine/origin.git"):
            git(repo, "repack", "-adq")  # a copy costs a file operation per entry: the fewer, the cheaper
            for sample in repo.glob("hooks/*.sample"):
                sample.unlink()
        _BUILT[key] = scratch / "pristine"
    pristine = _BUILT[key]
    shutil.copytree(pristine, root, symlinks=True, dirs_exist_ok=True)
    for config in (root / "work/.git/config", root / "origin.git/config"):
        config.write_text(config.read_text().replace(str(pristine), str(root)))
    git(root / "work", "update-index", "-q", "--refresh")
    return root / "work"


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


def tool(*args: str, cwd: Path, env: Mapping[str, str] | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a command outside this virtual environment (``env``, default the caller's); it must succeed."""
    env = {k: v for k, v in (os.environ if env is None else env).items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@dataclass(frozen=True)
class Packaged:
    """The project built as the release workflow builds it, installed in a fresh venv, and that install's demo."""

    sdist: Path
    wheel: Path
    venv: Path
    demo: str  # what `gitshift demo` printed, run from the venv in a folder outside the project
    demo_helm: str  # and `gitshift demo --helm`


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    """Built and run once per test run: `gitshift demo` is the suite's costliest command, and two tests read it.

    Each demo runs once: the demo tests read their output and the packaging test that they ran from the wheel.

    Under xdist the workers share it: the first to ask builds it holding a lock in the run's temporary
    folder, the others wait for the lock and read what it left (``--dist loadgroup`` would keep the two
    tests on one worker, but pytest-xdist 3.8 no longer groups under pytest 9.2). It runs before the
    function-scoped git isolation, so it isolates git itself.
    """
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's folder, for every worker
    with (shared / "packaged.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "packaged.json"
        if not done.exists():
            done.write_text(json.dumps(_package(shared / "packaged")))
        fields = json.loads(done.read_text())
    return Packaged(Path(fields["sdist"]), Path(fields["wheel"]), Path(fields["venv"]), fields["demo"],
                    fields["demo_helm"])


def _package(tmp: Path) -> dict[str, str]:
    tmp.mkdir()
    (tmp / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITSHIFT_")}
    env.update(GIT_CONFIG_GLOBAL=str(tmp / "gitconfig"), GIT_CONFIG_NOSYSTEM="1",
               **{f"GIT_{who}_{part}": value for who in ("AUTHOR", "COMMITTER")
                  for part, value in (("NAME", "Test User"), ("EMAIL", "test@example.com"))})
    dist = tmp / "dist"
    # sdist first, then the wheel from the unpacked sdist: what `python -m build` in release.yml does
    tool(sys.executable, "-m", "build", "--outdir", str(dist), str(PROJECT), cwd=tmp, env=env)
    (sdist,) = dist.glob("gitshift-*.tar.gz")
    (wheel,) = dist.glob("gitshift-*.whl")
    venv = tmp / "venv"
    # A fresh venv without a pip of its own (installing one is most of making a venv): this pip installs into it.
    tool(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=tmp, env=env)
    tool(sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", str(wheel),
         cwd=tmp, env=env)
    anywhere = tmp / "elsewhere"
    anywhere.mkdir()
    demo = tool(str(venv / "bin" / "gitshift"), "demo", cwd=anywhere, env=env).stdout
    helm = tool(str(venv / "bin" / "gitshift"), "demo", "--helm", cwd=anywhere, env=env).stdout
    return {"sdist": str(sdist), "wheel": str(wheel), "venv": str(venv), "demo": demo, "demo_helm": helm}


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
