"""The one ruamel.yaml setup: round-trip a file keeping comments, key order, quoting and indentation."""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitshift.errors import YamlError

_SEQ_ITEM = re.compile(r"^( *)- ")
_KEY = re.compile(r"^( *)[^\s#-][^:#]*:(?:\s|$)")


@dataclass(frozen=True)
class Style:
    """How a file indents: ruamel's ``mapping``, ``sequence`` and ``offset``, plus line endings."""

    mapping: int = 2
    sequence: int = 2
    offset: int = 0
    crlf: bool = False
    explicit_start: bool = False


def detect_style(text: str) -> Style:
    """Guess the indentation a file uses, so that a one-line edit stays a one-line diff."""
    mapping = sequence = offset = None
    lines = text.replace("\r\n", "\n").split("\n")
    for prev, line in itertools.pairwise(lines):
        pm, lm, ls = _KEY.match(prev), _KEY.match(line), _SEQ_ITEM.match(line)
        if pm is None or not prev.rstrip().endswith(":"):
            continue
        base = len(pm.group(1))
        if ls and offset is None:
            offset = len(ls.group(1)) - base
            sequence = offset + 2
        elif lm and not ls and mapping is None and len(lm.group(1)) > base:
            mapping = len(lm.group(1)) - base
        if mapping is not None and offset is not None:
            break
    return Style(mapping or 2, sequence or 2, max(offset or 0, 0), "\r\n" in text,
                 text.lstrip().startswith("---"))


def _yaml(style: Style) -> Any:
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=style.mapping, sequence=max(style.sequence, style.offset + 2), offset=style.offset)
    y.explicit_start = style.explicit_start
    return y


@dataclass
class Doc:
    """A parsed YAML file: its documents (ruamel round-trip objects) and its style."""

    path: Path
    docs: list[Any]
    style: Style
    original: str | None = None
    baseline: str | None = None  # the unedited documents as ruamel prints them

    def _text(self) -> str:
        buf = io.StringIO()
        _yaml(self.style).dump_all(self.docs, buf)
        return buf.getvalue()

    def dump(self) -> bytes:
        """The documents as text in the file's own style.

        A file whose layout ruamel cannot reproduce (mixed indentation) keeps its
        own lines: only the lines the edit changed are carried over.
        """
        text = self._text()
        if self.original is not None and self.baseline is not None and self.baseline != self.original:
            text = carry_edit(self.original, self.baseline, text) or text
        if self.style.crlf:
            text = text.replace("\n", "\r\n")
        return text.encode("utf-8")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def carry_edit(original: str, baseline: str, edited: str) -> str | None:
    """``original`` with the change from ``baseline`` to ``edited`` applied line by line.

    Lines map from ruamel's print of the file to the file itself; inserted
    lines take the indentation shift of the line before them. The result must
    parse to the same data as ``edited``, or None is returned.
    """
    import difflib

    import yaml

    from gitshift.config import yaml_loader

    orig, base, new = original.splitlines(keepends=True), baseline.splitlines(keepends=True), \
        edited.splitlines(keepends=True)
    to_orig: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, [x.strip() for x in base], [x.strip() for x in orig],
                                         autojunk=False).get_matching_blocks():
        to_orig.update({block.a + k: block.b + k for k in range(block.size)})
    out = list(orig)
    ops = difflib.SequenceMatcher(None, base, new, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(ops):
        if tag == "equal":
            continue
        anchor = i1 - 1 if tag == "insert" else i1
        if anchor not in to_orig or any(i not in to_orig for i in range(i1, i2)):
            return None
        shift = _indent(orig[to_orig[anchor]]) - _indent(base[anchor])
        lines = [(" " * shift + ln) if shift >= 0 else ln[-shift:] for ln in new[j1:j2]]
        if tag == "insert":
            at = to_orig[anchor] + 1
            out[at:at] = lines
        else:
            first, last = to_orig[i1], to_orig[i2 - 1]
            if last - first != i2 - i1 - 1:
                return None
            out[first:last + 1] = lines
    result = "".join(out)
    try:
        loader = yaml_loader()
        same = list(yaml.load_all(result, Loader=loader)) == list(yaml.load_all(edited, Loader=loader))
    except yaml.YAMLError:
        return None
    return result if same else None


def load(path: Path, data: bytes) -> Doc:
    """Parse ``data`` (the content of ``path``) for round-trip editing."""
    from ruamel.yaml.error import YAMLError

    from gitshift.render.builtin import limits

    if len(data) > limits.MAX_FILE_BYTES:
        raise limits.LimitError(f"file is larger than {limits.MAX_FILE_BYTES} bytes", str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError("the file is not UTF-8; gitshift edits UTF-8 files only", str(path),
                        "convert it to UTF-8") from exc
    style = detect_style(text)
    try:
        docs = [d for d in _yaml(style).load_all(text) if d is not None]
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise YamlError(f"malformed YAML: {getattr(exc, 'problem', None) or exc}", where) from exc
    except RecursionError as exc:
        raise limits.LimitError(f"YAML nests deeper than {limits.MAX_DEPTH} levels", str(path)) from exc
    for d in docs:  # ruamel shares aliased nodes: bound what walking them would cost
        limits.check_shared(d, str(path))
    doc = Doc(path, docs, style, original=text.replace("\r\n", "\n"))
    doc.baseline = doc._text()
    return doc


def new(path: Path, docs: list[Any]) -> Doc:
    """A new file in the kustomize-conventional style."""
    return Doc(path, docs, Style())
