"""The sdist and wheel as the release workflow builds them: the example tree inside, `gitshift demo` anywhere."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from tests.conftest import PROJECT

import gitshift
from gitshift.cli import demo


def _example_files(root: Path) -> dict[str, bytes]:
    """The example tree under ``root``: relative path → bytes."""
    out = {}
    for name in demo.EXAMPLE:
        top = root / name
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        out.update({p.relative_to(root).as_posix(): p.read_bytes() for p in paths})
    return out


def test_setup_py_copies_what_the_demo_reads() -> None:
    tree = ast.parse((PROJECT / "setup.py").read_text())
    (value,) = [n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "EXAMPLE" for t in n.targets)]
    assert ast.literal_eval(value) == demo.EXAMPLE
    manifest = (PROJECT / "MANIFEST.in").read_text()
    for name in demo.EXAMPLE:
        assert (f"graft {name}" if (PROJECT / name).is_dir() else f"include {name}") in manifest, name


def _run(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_wheel_carries_the_example_and_runs_the_demo_anywhere(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # sdist first, then the wheel from the unpacked sdist: what `python -m build` in release.yml does
    _run(sys.executable, "-m", "build", "--outdir", str(dist), str(PROJECT), cwd=tmp_path)
    (sdist,) = dist.glob("gitshift-*.tar.gz")
    (wheel,) = dist.glob("gitshift-*.whl")
    assert wheel.name == f"gitshift-{gitshift.__version__}-py3-none-any.whl"

    expected = _example_files(PROJECT)
    with zipfile.ZipFile(wheel) as zf:
        packaged = {n.removeprefix("gitshift/example/"): zf.read(n) for n in zf.namelist()
                    if n.startswith("gitshift/example/")}
    assert packaged == expected, "the wheel's gitshift/example differs from the repository's example tree"
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert set(expected) <= names

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    _run(str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel), cwd=tmp_path)
    version = _run(str(venv / "bin" / "gitshift"), "--version", cwd=tmp_path)
    assert version.stdout.strip() == f"gitshift {gitshift.__version__}"
    where = _run(str(venv / "bin" / "python"), "-c", "from gitshift.cli import demo; print(demo.example_tree())",
                 cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    out = _run(str(venv / "bin" / "gitshift"), "demo", cwd=tmp_path).stdout
    assert "Done. Every step above was a commit" in out and "$ gitshift status" in out
    out = _run(str(venv / "bin" / "gitshift"), "demo", "--helm", cwd=tmp_path).stdout
    assert "Done. Every step above was a commit" in out and "bluegreen web/prod: active blue → green" in out
