"""The sdist and wheel as the release workflow builds them: the example tree inside, `gitshift demo` anywhere."""

from __future__ import annotations

import ast
import tarfile
import zipfile
from pathlib import Path

import pytest
from tests.conftest import PROJECT, Packaged, tool

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


@pytest.mark.slow
def test_wheel_carries_the_example_and_runs_the_demo_anywhere(packaged: Packaged, tmp_path: Path) -> None:
    sdist, wheel, venv = packaged.sdist, packaged.wheel, packaged.venv  # built and installed in tests/conftest.py
    assert wheel.name == f"gitshift-{gitshift.__version__}-py3-none-any.whl"

    expected = _example_files(PROJECT)
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = {n.removeprefix("gitshift/example/"): zf.read(n) for n in zf.namelist()
                    if n.startswith("gitshift/example/")}
    assert in_wheel == expected, "the wheel's gitshift/example differs from the repository's example tree"
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert set(expected) <= names

    version = tool(str(venv / "bin" / "gitshift"), "--version", cwd=tmp_path)
    assert version.stdout.strip() == f"gitshift {gitshift.__version__}"
    where = tool(str(venv / "bin" / "python"), "-c", "from gitshift.cli import demo; print(demo.example_tree())",
                 cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    out = packaged.demo  # run from the venv in a folder outside the project
    assert "Done. Every step above was a commit" in out and "$ gitshift status" in out
    out = packaged.demo_helm
    assert "Done. Every step above was a commit" in out and "bluegreen web/prod: active blue → green" in out
