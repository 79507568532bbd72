"""gitshift.yaml is read from libyaml's events for speed: always the value or error of the strict loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitshift import config

PROJECT = Path(__file__).resolve().parents[1]


def strict(text: str) -> Any:
    return yaml.load(text, Loader=config.strict_loader())


def outcome(read: Any, text: str) -> tuple[str, Any]:
    try:
        return "value", read(text)
    except yaml.YAMLError as exc:
        return type(exc).__name__, str(exc)


TEXTS = [
    "", "---\n", "x", "- 1\n- two\n", "a: 1\nb: [1, {c: d}]\nc: {}\nd: []\n",
    "a: yes\nb: 0x10\nc: ~\nd: 1.5\ne: '1'\nf: \"2\"\ng: .inf\nh: 0o17\ni: 1_000\nj: NO\nk: null\nl:\n",
    "a: 1\na: 2\n", "a: 1\nb:\n  c: 1\n  c: 2\n", "1: a\n0x1: b\n", "yes: a\ntrue: b\n", "a: 1\n'a': 2\n",
    "- &x 1\n- *x\n", "a: &m {b: 1}\nc: *m\n", "<<: {a: 1}\nb: 2\n", "a: !!str 1\n", "a: !!int '7'\n",
    "a: !custom x\n", "? [1]\n: 2\n", "{[1]: 2}\n", "? {a: 1}\n: 2\n", "a: 2001-01-01\n", "a: !!binary aGk=\n",
    "---\na: 1\n---\nb: 2\n", "a: [1, 2\n", "a: b: c\n", "a:\n- 1\n - 2\n", "\t- x\n", "a: 'x\n",
    "apps:\n  web:\n    envs:\n      prod: {overlay: o/prod}\n      prod: {overlay: o/p2}\n",
    "a: 1\n...\n", "%YAML 1.1\n---\na: 1\n", "a: !!set {x, y}\n", "a: !!omap [x: 1]\n", "a: =\n",
    "a: 1\n# comment\nb: 'multi\n  line'\nc: |\n  block\n  text\nd: >\n  folded\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_value_or_error(text: str) -> None:
    assert outcome(config.load_yaml, text) == outcome(strict, text)


def test_the_example_config() -> None:
    text = (PROJECT / "gitshift.yaml").read_text()
    assert config.load_yaml(text) == strict(text)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
                    st.sampled_from(["yes", "no", "on", "0x1f", "1e3", "~", "null", "<<", "=", "2020-02-02", "0777"]))
keys = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.sampled_from(["<<", "on", "1", "y"]))
data = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(data, st.sampled_from([False, True]), st.sampled_from([None, '"', "'"]))
def test_any_dumped_data_reads_back_alike(value: Any, flow: bool, style: str | None) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, default_style=style, allow_unicode=True)
    assert outcome(config.load_yaml, text) == outcome(strict, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab:-[]{},&*!? \n'\"#1<=", max_size=30))
def test_any_text_reads_alike(text: str) -> None:
    assert outcome(config.load_yaml, text) == outcome(strict, text)
