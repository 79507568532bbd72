"""Value paths: parse, format, get, set and the changed paths between two value trees."""

from __future__ import annotations

import pytest

from gitshift.valuepaths import ABSENT, PathError, changed, fmt, get, parse, set_value, substitute, text_changes


@pytest.mark.parametrize(("text", "path"), [
    ("image.tag", ("image", "tag")),
    ("a.b[0].c", ("a", "b", 0, "c")),
    ("routes[12]", ("routes", 12)),
    ('annotations["nginx.io/canary"]', ("annotations", "nginx.io/canary")),
    ("x-y.$z_1", ("x-y", "$z_1")),
])
def test_parse_and_format_round_trip(text: str, path: tuple[str | int, ...]) -> None:
    assert parse(text) == path
    assert parse(fmt(path)) == path


@pytest.mark.parametrize("bad", ["", ".a", "a.", "a..b", "a[x]", "[0].a", "a b", "a[0]b", 'a["x'])
def test_bad_paths_are_refused(bad: str) -> None:
    with pytest.raises(PathError):
        parse(bad)


def test_get_and_set() -> None:
    values = {"a": {"b": [{"c": 1}]}}
    assert get(values, ("a", "b", 0, "c")) == 1
    assert get(values, ("a", "b", 1, "c")) is ABSENT
    assert get(values, ("a", "x")) is ABSENT
    assert set_value(values, ("a", "b", 0, "c"), 2) and values["a"]["b"][0]["c"] == 2
    assert not set_value(values, ("a", "nope", "c"), 2)


def test_changed_finds_the_deepest_paths_and_type_changes() -> None:
    a = {"image": {"tag": "1.0", "repository": "r"}, "n": 1, "l": [1, 2]}
    b = {"image": {"tag": "1.1", "repository": "r"}, "n": "1", "l": [1, 3], "new": True}
    assert changed(a, b) == [("image", "tag"), ("n",), ("l", 1), ("new",)]


def test_substitute_and_text_changes() -> None:
    assert substitute("${color}.image.tag", color="blue") == "blue.image.tag"
    assert text_changes("a: 1\nb: 2\n", "a: 1\nb: 3\n") == [("b", 2, 3)]
    assert text_changes("a", "b") is None
