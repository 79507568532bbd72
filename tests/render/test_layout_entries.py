"""The directory-naming entries a blast radius reads: the quick reading agrees with reading every line."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gitshift.render import _Entries, _plain_entries, item_line, key_line

# The pattern key_line stands for (it was the one used before): ``key: value  # comment``.
KEY_LINE = re.compile(r"([A-Za-z]+):[ \t]*(.*?)[ \t]*(?:#.*)?")

FIELDS = ["resources", "bases", "components", "generators", "transformers", "validators"]
KEYS = [*FIELDS, "namespace", "patches", "images", "kind", "apiVersion", "Resources", "resourcesX", "x-y", "n1"]
VALUES = ["", "[]", "[a, ../b]", "['q', \"r\"]", "[a, [b]]", "x", " # c", "[../c]  # c", "'a'", "[a,, b]", "|-"]
ITEMS = ["- ../base", "  - ../base", "\t- x # c", "- 'q w'", '- "d"', "- 'open", "-x", "- ", "- [a]", "- a#b",
         "- &a b", "- x\x0c", "- \xa0x", "  -   spaced  "]
OTHER = ["", "   ", "# comment", "  # indented comment", "---", "--- # doc", "  patch: |-", "    kind: Deployment",
         "    - name: web", "\xa0", "\xa0key: v", "\x0c", "caf\xe9: x", "plain scalar", ": no key", "-"]


def _line() -> st.SearchStrategy[str]:
    key = st.builds(lambda k, sep, v: f"{k}{sep}{v}", st.sampled_from(KEYS), st.sampled_from([":", ": ", ":\t", " :"]),
                    st.sampled_from(VALUES))
    return st.one_of(key, st.sampled_from(ITEMS), st.sampled_from(OTHER))


TEXTS = st.builds(lambda lines, eol, end: eol.join(lines) + end, st.lists(_line(), max_size=14),
                  st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\u2028"]), st.sampled_from(["", "\n", "\n\n"]))


def line_by_line(text: str) -> list[str] | None:
    entries = _Entries()
    return entries.out if entries.read(text.splitlines()) else None


@settings(max_examples=400)
@given(TEXTS)
def test_the_quick_reading_agrees_with_reading_every_line(text: str) -> None:
    assert _plain_entries(text) == line_by_line(text)


@given(st.text(alphabet=st.sampled_from("ab:Z #\t'\"-[],\xe9\xa0\x0c1"), max_size=20))
def test_key_line_reads_as_the_pattern_did(line: str) -> None:
    found = KEY_LINE.fullmatch(line)
    assert key_line(line) == (found.groups() if found else None)


CASES = [
    "resources:\n- a\nKind: x\n- b\n",  # any top-level key ends the list, whatever its case
    "resources:\n- a\n# a comment at the top level\n- b\n",  # a comment does not
    "resources:\n- a\n\n  \n- b",  # nor blank lines
    "resources:\n- a\n---\n- b\n",  # a document marker inside the list
    "---\nresources:\n- a\n",  # one before everything
    "resources:\r\n- a\r\n- b\r\n",
    "resources:\n- a\n\xa0\n- b\n",
    "resources: [a, 'b']\n- c\nbases:\n  - d  # x\n",
    "namespace: x\nresources:\n- a\npatches:\n- patch: |-\n    resources:\n    - nope\nresources:\n- b\n",
    "  indented first\nresources:\n- a",
    "- item first\nresources:\n- a",
    "resources:\n- a\nresources",
]


def test_the_cases_that_end_a_list_or_not() -> None:
    for text in CASES:
        assert _plain_entries(text) == line_by_line(text), text


def test_a_usual_overlay() -> None:
    text = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../base\n"
            "- 'quoted dir'  # why\npatches:\n- patch: |-\n    resources:\n    - not/this\ncomponents: [../c, \"d\"]\n")
    assert _plain_entries(text) == ["../../base", "quoted dir", "../c", "d"] == line_by_line(text)


# The pattern item_line stands for (it was the one used before): ``- item  # comment``.
ITEM_LINE = re.compile(r"[ \t]*-[ \t]+([^\s#'\"&*!|>{\[][^#]*?|'[^']*'|\"[^\"\\\\]*\")[ \t]*(?:#.*)?")


@given(st.text(alphabet=st.sampled_from("-a. #\t'\"\\&[{\xa0\x0c/"), max_size=16))
def test_item_line_reads_as_the_pattern_did(line: str) -> None:
    found = ITEM_LINE.fullmatch(line)
    assert item_line(line) == (found.group(1) if found else None)
