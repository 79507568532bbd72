"""PyYAML imported with its reader's pattern deferred: the pattern found later is the same, and still refuses."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import yaml
from hypothesis import given
from hypothesis import strategies as st

from gitshift import yamlstart

# A fresh process (this one imported PyYAML long ago): defer, import both YAML libraries the way
# gitshift does, then use the pure-Python readers, which are what search with the pattern
# (ruamel.yaml compiles its own copy of it lazily).
_SCRIPT = """
import json
from gitshift import yamlstart
yamlstart.defer()
import yaml, yaml.reader
import ruamel.yaml, ruamel.yaml.reader
out = {"pyyaml": type(yaml.reader.Reader.NON_PRINTABLE).__name__}
for name, load in (("pyyaml_refuses", lambda t: yaml.load(t, Loader=yaml.SafeLoader)),
                   ("ruamel_refuses", lambda t: ruamel.yaml.YAML().load(t))):
    try:
        load("a: \\x07")
        out[name] = False
    except Exception as exc:
        out[name] = type(exc).__name__
out["loaded"] = yaml.load("a: b\\n", Loader=yaml.SafeLoader)
print(json.dumps(out))
"""


def test_both_readers_get_the_stand_in_and_still_refuse_non_printable_text() -> None:
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120, check=True)
    out = json.loads(proc.stdout)
    # The same pattern, character for character, as PyYAML writes it; else the stand-in is never found.
    assert out["pyyaml"] == "_Deferred"
    assert out["pyyaml_refuses"] == "ReaderError"
    assert out["ruamel_refuses"] == "ReaderError"
    assert out["loaded"] == {"a": "b"}


@given(st.text())
def test_the_stand_in_matches_as_the_pattern_does(text: str) -> None:
    stand_in = yamlstart._Deferred(yamlstart.NON_PRINTABLE)
    real = re.compile(yamlstart.NON_PRINTABLE)
    found, expected = stand_in.search(text), real.search(text)
    assert (found and (found.start(), found.group())) == (expected and (expected.start(), expected.group()))


def test_the_pattern_is_the_one_pyyaml_compiles() -> None:
    # This process imported PyYAML without the stand-in: its compiled pattern has the same source.
    assert yaml.reader.Reader.NON_PRINTABLE.pattern == yamlstart.NON_PRINTABLE
