"""emit.dump builds libyaml's nodes itself: the same bytes as PyYAML's representer and resolver would give."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitshift.render.builtin import emit


class Reference(yaml.CSafeDumper):
    """The emitter as PyYAML drives it: its own dispatch and resolver, emit's representers."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012


Reference.add_representer(str, emit._represent_str)
for _type in (int, float, bool, type(None)):
    Reference.add_representer(_type, emit._represent_plain)
Reference.add_representer(dict, emit._represent_dict)
Reference.add_representer(list, emit._represent_list)
Reference.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]


def reference(obj: Any) -> str:
    text: str = yaml.dump(obj, Dumper=Reference, allow_unicode=True, width=80, sort_keys=False)
    return text


WORDS = ["", "yes", "No", "on", "~", "null", "0755", "0x1F", "1e3", "-.inf", "1:20", "2020-01-01", "x: y", "- a",
         " lead", "trail ", "#c", "a'b\"c", "multi\nline\n", "\t", "\x1b[0m", "ünï", "long " * 30, "@at", "`b", "%p"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), st.sampled_from(WORDS))
keys = st.one_of(st.text(max_size=10), st.sampled_from(WORDS), st.integers(), st.booleans())
data = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(keys, inner, max_size=5)), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, data, max_size=6))
def test_the_same_bytes_as_pyyaml(obj: dict[Any, Any]) -> None:
    assert outcome(emit.dump, obj) == outcome(reference, obj)


def outcome(dump: Any, obj: Any) -> tuple[str, str]:
    try:
        return "text", dump(obj)
    except ValueError as exc:  # the same refusal either way (key order with a non-ASCII digit, say)
        return type(exc).__name__, str(exc)


def test_a_kubernetes_object() -> None:
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"},
           "annotations": {"a": "1", "b": "yes", "c": ""}},
           "spec": {"replicas": 3, "template": {"spec": {"containers": [
               {"name": "web", "image": "web:1.0", "args": ["--x=1", "multi\nline"], "env": []}]}}}}
    assert emit.dump(obj) == reference(obj)
    assert emit.dump_all([obj, obj]) == reference(obj) + "---\n" + reference(obj)
