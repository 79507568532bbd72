"""Scalar edits that keep a file's quoting, and walking ruamel trees along field paths."""

from __future__ import annotations

from typing import Any

from gitshift.manifests import MISSING, FieldPath

# List fields whose elements strategic merge (and so our patches) address by a key.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "volumeMounts": "mountPath", "imagePullSecrets": "name",
}


def _needs_quotes(text: str) -> bool:
    import yaml

    from gitshift.config import yaml_loader

    try:
        loaded = yaml.load(text, Loader=yaml_loader())
    except yaml.YAMLError:
        return True
    return not isinstance(loaded, str) or loaded != text


def like(old: Any, new: Any) -> Any:
    """``new`` in the quoting style of ``old``; strings that YAML would read as another type are quoted."""
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )

    if not isinstance(new, str):
        return new
    if isinstance(old, LiteralScalarString) and "\n" in new:
        return LiteralScalarString(new)  # a block of text (an Argo CD values string) stays a block
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(new)
    if isinstance(old, DoubleQuotedScalarString) or _needs_quotes(new):
        return DoubleQuotedScalarString(new)
    return new


def plain(value: Any) -> Any:
    """A ruamel value as plain Python (maps, lists, scalars)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def to_ruamel(value: Any) -> Any:
    """Plain Python as ruamel values, strings quoted where YAML would misread them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = to_ruamel(v)
        return m
    if isinstance(value, list):
        return CommentedSeq(to_ruamel(v) for v in value)
    return like(None, value)


def add_key(mapping: Any, key: str, value: Any) -> Any:
    """Add ``key`` at the end of a ruamel mapping, after the comments that end it; returns the new value.

    ruamel keeps the comment lines after the last key as the mapping's end comment and
    prints them after whatever is appended, so a new key would land between the last key
    and its comments (a ``components:`` key followed by its commented-out entries). They
    move to the last key first, so the new key goes at the end of the file.
    """
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    end = list(getattr(mapping.ca, "end", None) or [])
    if end and len(mapping):
        last = list(mapping)[-1]
        item = mapping.ca.items.setdefault(last, [None, None, None, None])
        before = item[2].value if item[2] is not None else "\n"
        text = before + "".join(t.value for t in end)
        item[2] = CommentToken(text, CommentMark(0), None)
        mapping.ca.end = []
        if mapping.ca.comment is not None and len(mapping.ca.comment) > 2:
            mapping.ca.comment[2] = None
    mapping[key] = to_ruamel(value)
    return mapping[key]


def assign(old: Any, new: Any) -> Any:
    """``new`` as a ruamel value that reuses the nodes of ``old`` where they already hold the same data.

    Replacing a whole list (an Istio ``http`` list gaining an A/B route) would
    drop every comment and key order in it; reusing equal nodes keeps them.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        for k in [k for k in old if k not in new]:
            del old[k]
        for k, v in new.items():
            if k in old and plain(old[k]) == v:
                continue
            old[k] = assign(old[k], v) if k in old else to_ruamel(v)
        return old
    if isinstance(old, list) and isinstance(new, list):
        plains = [plain(o) for o in old]
        unused = list(range(len(old)))
        chosen: list[int | None] = []
        for v in new:  # first the elements that did not change at all
            same = next((j for j in unused if plains[j] == v), None)
            if same is not None:
                unused.remove(same)
            chosen.append(same)
        for i, v in enumerate(new):  # then changed maps, matched to the old map they overlap most
            if chosen[i] is None and isinstance(v, dict):
                best = max((j for j in unused if isinstance(plains[j], dict)),
                           key=lambda j: sum(plains[j].get(k) == x for k, x in v.items()), default=None)
                if best is not None and any(plains[best].get(k) == x for k, x in v.items()):
                    unused.remove(best)
                    chosen[i] = best
        old[:] = [to_ruamel(v) if j is None else assign(old[j], v) for j, v in zip(chosen, new, strict=True)]
        return old
    return like(old, new) if not isinstance(new, dict | list) else to_ruamel(new)


def set_in(tree: Any, path: FieldPath, value: Any, *, create: bool, source: Any = None) -> bool:
    """Set ``path`` in a ruamel tree; ``MISSING`` deletes. Lists are walked by index.

    Returns False when the path is absent and ``create`` is False, or cannot be walked.
    """
    from ruamel.yaml.comments import CommentedMap

    cur = tree
    for part in path[:-1]:
        if isinstance(part, int):
            if not isinstance(cur, list) or not 0 <= part < len(cur):
                return False
            cur = cur[part]
            continue
        if not isinstance(cur, dict):
            return False
        if part not in cur or cur[part] is None:
            if not create or value is MISSING:
                return value is MISSING and create
            cur[part] = CommentedMap()
        cur = cur[part]
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(cur, list) or not 0 <= last < len(cur) or value is MISSING:
            return False
        cur[last] = to_ruamel(value)
        return True
    if not isinstance(cur, dict):
        return False
    if value is MISSING:
        if last in cur:
            del cur[last]
            return True
        return create
    if last not in cur and not create:
        return False
    cur[last] = assign(cur[last], value) if last in cur else to_ruamel(value)
    return True


def smp_path(obj: Any, path: FieldPath) -> FieldPath | None:
    """``path`` with list indices replaced by merge-key selectors ``("[name=web]",)``; None if impossible."""
    out: list[str | int] = []
    cur = obj
    for i, part in enumerate(path):
        if isinstance(part, int):
            key = path[i - 1] if i else None
            mk = MERGE_KEYS.get(str(key))
            if mk is None or not isinstance(cur, list) or not 0 <= part < len(cur):
                return None
            out.append(f"[{mk}={cur[part].get(mk)}]")
            cur = cur[part]
        else:
            out.append(part)
            cur = cur.get(part) if isinstance(cur, dict) else None
    return tuple(out)


def set_smp(tree: Any, spath: FieldPath, value: Any, *, create: bool) -> bool:
    """Set a merge-key path (see ``smp_path``) in a strategic-merge patch tree; ``MISSING`` -> ``null``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    cur = tree
    for i, part in enumerate(spath[:-1]):
        nxt = spath[i + 1]
        if isinstance(part, str) and part.startswith("[") and "=" in part:
            continue  # handled when its list is entered
        if not isinstance(cur, dict):
            return False
        if isinstance(nxt, str) and nxt.startswith("[") and "=" in nxt:
            key, _, want = nxt[1:-1].partition("=")
            lst = cur.get(part)
            if lst is None:
                if not create:
                    return False
                lst = cur[part] = CommentedSeq()
            if not isinstance(lst, list):
                return False
            found = next((e for e in lst if isinstance(e, dict) and str(e.get(key)) == want), None)
            if found is None:
                if not create:
                    return False
                found = CommentedMap([(key, want)])
                lst.append(found)
            cur = found
            continue
        if part not in cur or cur[part] is None:
            if not create:
                return False
            cur[part] = CommentedMap()
        cur = cur[part]
    last = spath[-1]
    if not isinstance(cur, dict) or (last not in cur and not create):
        return False
    if value is MISSING:
        cur[last] = None
    else:
        cur[last] = assign(cur[last], value) if last in cur else to_ruamel(value)
    return True
