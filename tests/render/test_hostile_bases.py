"""Bases kept for reuse (render/builtin/bases.py) against hostile content: a kept base never lets one
view's content, or a file outside the repository, into another render, and never lifts a bound."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import git
from tests.render.test_hostile import CM, make_repo, render_commit

from gitshift.errors import GitshiftError
from gitshift.files import OUTSIDE, FileView
from gitshift.gitops.treeview import GitTreeView
from gitshift.render.builtin import BuiltinRenderer, bases, limits


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    bases.forget()
    yield
    bases.forget()


def outcome(path: Path, view: FileView | None = None) -> tuple[int, str]:
    """(exit code, output or error line) of a builtin render, with whatever the process has kept."""
    try:
        return 0, BuiltinRenderer().render_text(path, view)
    except GitshiftError as exc:
        return exc.exit_code, f"gitshift: error: {exc}"


def cold(path: Path, view: FileView | None = None) -> tuple[int, str]:
    """The same, with nothing kept."""
    bases.forget()
    return outcome(path, view)


def symlinked_base(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository whose commit ``clean`` holds base/cm.yaml and whose commit ``hostile`` makes it a
    symlink to a file outside with the very same bytes: only the path tells them apart."""
    root = make_repo(tmp_path, {"app/kustomization.yaml": "resources:\n- ../base\nnamePrefix: x-\n",
                                "base/kustomization.yaml": "resources:\n- cm.yaml\n", "base/cm.yaml": CM})
    (tmp_path / "outside" / "cm.yaml").write_text(CM)
    clean = git(root, "rev-parse", "HEAD").strip()
    (root / "base" / "cm.yaml").unlink()
    (root / "base" / "cm.yaml").symlink_to("../../outside/cm.yaml")
    git(root, "commit", "-qam", "symlink")
    hostile = git(root, "rev-parse", "HEAD").strip()
    return root, clean, hostile


@pytest.mark.parametrize("first", ["working tree", "commit"])
def test_a_kept_base_never_lets_another_view_read_outside_the_repository(tmp_path: Path, first: str) -> None:
    root, clean, hostile = symlinked_base(tmp_path)
    app = root / "app"
    if first == "working tree":  # the working tree is clean and kept first; the hostile commit comes next
        git(root, "checkout", "-q", clean)
        assert outcome(app)[0] == 0
        view = GitTreeView.at(root, root / ".git", hostile)
        try:
            refused = outcome(app, view)
            assert refused == cold(app, view)
        finally:
            view.close()
    else:  # the clean commit is kept first; the hostile working tree comes next
        view = GitTreeView.at(root, root / ".git", clean)
        try:
            assert outcome(app, view)[0] == 0
        finally:
            view.close()
        refused = outcome(app)
        assert refused == cold(app)
    assert refused == (2, f"gitshift: error: {OUTSIDE} ({root / 'base' / 'cm.yaml'})")


def test_a_hostile_build_is_not_kept_for_a_clean_one(tmp_path: Path) -> None:
    root, clean, _ = symlinked_base(tmp_path)
    assert outcome(root / "app")[0] == 2  # the working tree is at the hostile commit
    assert render_commit(root, root / "app")[0] == 2
    git(root, "checkout", "-q", clean)
    rendered = outcome(root / "app")
    assert rendered[0] == 0 and rendered == cold(root / "app")


def test_each_commit_renders_its_own_base(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"app/kustomization.yaml": "resources:\n- ../base\n",
                                "base/kustomization.yaml": "resources:\n- cm.yaml\n", "base/cm.yaml": CM})
    first = git(root, "rev-parse", "HEAD").strip()
    (root / "base" / "cm.yaml").write_text(CM.replace("a: b", "a: second"))
    git(root, "commit", "-qam", "second")
    for commit, value in ((first, "a: b"), ("HEAD", "a: second"), (first, "a: b")):
        view = GitTreeView.at(root, root / ".git", commit)
        try:
            assert value in outcome(root / "app", view)[1]
        finally:
            view.close()
    edited = FileView({root / "base" / "cm.yaml": CM.replace("a: b", "a: edited").encode()}, root)
    assert "a: edited" in outcome(root / "app", edited)[1]
    assert "a: second" in outcome(root / "app")[1]  # the edit was the view's alone


def wrapped_base(tmp_path: Path) -> Path:
    """``app`` includes the base ``big`` (30 objects) twice, through two prefixing wrappers; ``warm`` once."""
    many = "---\n".join(CM.replace("name: cm", f"name: cm{i}") for i in range(30))
    return make_repo(tmp_path, {
        "big/kustomization.yaml": "resources:\n- cm.yaml\n", "big/cm.yaml": many,
        "w1/kustomization.yaml": "namePrefix: a-\nresources:\n- ../big\n",
        "w2/kustomization.yaml": "namePrefix: b-\nresources:\n- ../big\n",
        "app/kustomization.yaml": "resources:\n- ../w1\n- ../w2\n",
        "warm/kustomization.yaml": "resources:\n- ../big\n",
    })


@pytest.mark.parametrize(("bound", "value", "message"), [
    ("MAX_OBJECTS", 50, "the render builds more than 50 objects"),
    ("MAX_KUSTOMIZATIONS", 4, "the render builds more than 4 kustomizations"),
])
def test_a_reused_base_counts_against_the_bounds_as_a_built_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bound: str, value: int, message: str
) -> None:
    root = wrapped_base(tmp_path)
    monkeypatch.setattr(limits, bound, value)
    expected = cold(root / "app")  # big is built for w1 and reused for w2 within this render
    assert expected[0] == 2 and message in expected[1], expected
    assert expected[1].endswith(f"({root / 'big' / 'cm.yaml'})" if bound == "MAX_OBJECTS" else f"({root / 'big'})")
    bases.forget()
    assert outcome(root / "warm")[0] == 0  # big kept by another overlay first
    assert outcome(root / "app") == expected
    monkeypatch.setattr(limits, bound, value * 2)
    assert outcome(root / "app")[0] == 0


def test_bases_inside_bases_ask_the_view_a_bounded_number_of_questions(tmp_path: Path) -> None:
    levels = 10
    files = {f"b{i}/kustomization.yaml": f"resources:\n- ../b{i + 1}\n- cm.yaml\nnamePrefix: p{i}-\n"
             for i in range(levels)}
    files.update({f"b{i}/cm.yaml": CM.replace("name: cm", f"name: cm{i}") for i in range(levels)})
    files[f"b{levels}/kustomization.yaml"] = "resources: []\n"
    files["app/kustomization.yaml"] = "resources:\n- ../b0\n"
    root = make_repo(tmp_path, files)
    asked: list[str] = []

    class Counting(FileView):
        def __getattribute__(self, name: str) -> Any:
            if name in ("read_bytes", "read_text", "is_file", "is_dir", "exists", "listdir", "cache_key"):
                asked.append(name)
            return super().__getattribute__(name)

    assert outcome(root / "app", Counting(root=root))[0] == 0
    assert len(asked) < 40 * levels  # each base asks about a handful of files, at every level once
    assert outcome(root / "app", Counting(root=root))[0] == 0  # every base kept: asked again, once each
    assert len(asked) < 80 * levels
