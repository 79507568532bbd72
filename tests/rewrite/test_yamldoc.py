"""Round-trip edits keep every byte but the edited scalar (comments, quoting, indentation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitshift.rewrite import yamldoc
from gitshift.rewrite.scalars import set_in

P = Path("kustomization.yaml")


@pytest.mark.parametrize("text", [
    "# overlay\nresources:\n- ../../base\nimages:\n- name: ghcr.io/acme/web\n  newTag: \"1.2.3\"  # pinned\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n    name: web\nspec:\n    template:\n        spec:\n"
    "            containers:\n              - name: web\n                image: 'x:1'\n",
    "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
    "---\nkind: Service\nmetadata: {name: a}\n---\nkind: Service\nmetadata:\n  name: b\n",
])
def test_load_dump_is_byte_exact(text: str) -> None:
    assert yamldoc.load(P, text.encode()).dump().decode() == text


def test_edit_keeps_quote_style_and_comment() -> None:
    text = "images:\n- name: web\n  newTag: '1.0'  # keep me\n"
    doc = yamldoc.load(P, text.encode())
    set_in(doc.docs[0]["images"][0], ("newTag",), "1.1", create=False)
    assert doc.dump().decode() == "images:\n- name: web\n  newTag: '1.1'  # keep me\n"


def test_numeric_looking_strings_are_quoted() -> None:
    doc = yamldoc.load(P, b"a:\n  weight: x\n")
    set_in(doc.docs[0], ("a", "weight"), "25", create=False)
    set_in(doc.docs[0], ("a", "flag"), "true", create=True)
    assert doc.dump().decode() == 'a:\n  weight: "25"\n  flag: "true"\n'


KEY = st.from_regex(r"[a-z][a-zA-Z0-9]{0,8}", fullmatch=True)
SCALAR = st.one_of(
    st.from_regex(r"[a-z][a-z0-9.-]{0,10}", fullmatch=True),
    st.integers(0, 999).map(str),
    st.from_regex(r"[a-z0-9.]{1,6}", fullmatch=True).map(lambda s: f'"{s}"'),
    st.from_regex(r"[a-z0-9.]{1,6}", fullmatch=True).map(lambda s: f"'{s}'"),
)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[str, ...]]]:
    """A kustomize-like file in one of the indentation styles GitOps repos use, with its scalar paths."""
    indent = draw(st.sampled_from([2, 4]))
    dash = draw(st.sampled_from([0, 2]))
    lines, paths = [], []
    for top in draw(st.lists(KEY, min_size=1, max_size=4, unique=True)):
        kind = draw(st.sampled_from(["scalar", "map", "list"]))
        if draw(st.booleans()):
            lines.append(f"# about {top}")
        if kind == "scalar":
            lines.append(f"{top}: {draw(SCALAR)}")
            paths.append((top,))
        elif kind == "map":
            lines.append(f"{top}:")
            for k in draw(st.lists(KEY, min_size=1, max_size=3, unique=True)):
                comment = "  # note" if draw(st.booleans()) else ""
                lines.append(f"{' ' * indent}{k}: {draw(SCALAR)}{comment}")
                paths.append((top, k))
        else:
            lines.append(f"{top}:")
            for i in range(draw(st.integers(1, 3))):
                keys = draw(st.lists(KEY, min_size=1, max_size=2, unique=True))
                for j, k in enumerate(keys):
                    lead = f"{' ' * dash}- " if j == 0 else " " * (dash + 2)
                    lines.append(f"{lead}{k}: {draw(SCALAR)}")
                    paths.append((top, str(i), k))
    return "\n".join(lines) + "\n", paths


@settings(max_examples=150, deadline=None)
@given(documents(), st.data())
def test_round_trip_and_single_scalar_edit(doc: tuple[str, list[tuple[str, ...]]], data: st.DataObject) -> None:
    text, paths = doc
    loaded = yamldoc.load(P, text.encode())
    assert loaded.dump().decode() == text
    path = data.draw(st.sampled_from(paths))
    walk = tuple(int(p) if p.isdigit() else p for p in path)
    assert set_in(loaded.docs[0], walk, "edited-value", create=False)
    before, after = text.splitlines(), loaded.dump().decode().splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    assert "edited-value" in changed[0][1]


MIXED = ("# overlay\nresources:\n- ../../base\nimages:\n- name: ghcr.io/acme/web\n  newTag: \"1.2.3\"   # pinned\n"
         "patches:\n  - path: patch.yaml\n    target:\n      kind: Deployment\n")


def test_mixed_indentation_keeps_every_other_line() -> None:
    doc = yamldoc.load(P, MIXED.encode())
    set_in(doc.docs[0]["images"][0], ("newTag",), "1.3.0", create=False)
    assert doc.dump().decode() == MIXED.replace('"1.2.3"', '"1.3.0"')


def test_mixed_indentation_append_follows_its_neighbours() -> None:
    from gitshift.rewrite.scalars import to_ruamel

    doc = yamldoc.load(P, MIXED.encode())
    doc.docs[0]["patches"].append(to_ruamel({"path": "p2.yaml", "target": {"kind": "Service"}}))
    assert doc.dump().decode() == MIXED + "  - path: p2.yaml\n    target:\n      kind: Service\n"
