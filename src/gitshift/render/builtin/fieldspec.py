"""Kustomize field specs: which fields of which kinds a transformer visits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gitshift.errors import RenderError
from gitshift.render.builtin.resource import Resource


class FieldError(Exception):
    """A field spec's path runs into a value it cannot descend (a scalar)."""


class FieldSpec:
    """A path like ``spec/template/metadata/labels`` for the kinds it names; a value, equal by its fields.

    Plain classes rather than dataclasses in the builtin engine: importing ``dataclasses`` (and
    ``inspect``) and making each class would add a fifth to a ``gitshift render`` process.
    """

    __slots__ = ("_steps", "create", "group", "kind", "path", "version")

    def __init__(self, path: str, kind: str = "", group: str | None = None, version: str = "",
                 create: bool = False) -> None:
        self.path = path
        self.kind = kind
        self.group = group
        self.version = version
        self.create = create
        self._steps: tuple[tuple[str, bool], ...] | None = None

    def _fields(self) -> tuple[str, str, str | None, str, bool]:
        return self.path, self.kind, self.group, self.version, self.create

    def __eq__(self, other: object) -> bool:
        return self._fields() == other._fields() if isinstance(other, FieldSpec) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"FieldSpec(path={self.path!r}, kind={self.kind!r}, group={self.group!r}, "
                f"version={self.version!r}, create={self.create!r})")

    def selects(self, res: Resource) -> bool:
        """Whether the spec applies to ``res`` (its current group, version and kind)."""
        return self.selects_gvk(res.group, res.version, res.kind)

    def selects_gvk(self, group: str, version: str, kind: str) -> bool:
        if self.kind and self.kind != kind:
            return False
        if self.group and self.group != group:
            return False
        return not (self.version and self.version != version)

    @property
    def steps(self) -> tuple[tuple[str, bool], ...]:
        """(field name, whether marked ``[]`` as a list) for each step of the path."""
        if self._steps is None:
            self._steps = self._split()
        return self._steps

    def _split(self) -> tuple[tuple[str, bool], ...]:
        out: list[str] = []
        buf = ""
        escaped = False
        for ch in self.path:
            if escaped:
                buf += ch
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "/":
                out.append(buf)
                buf = ""
            else:
                buf += ch
        out.append(buf)
        return tuple((p[:-2], True) if p.endswith("[]") else (p, False) for p in out)

    def parts(self) -> list[str]:
        return [name for name, _ in self.steps]


def specs(rows: Iterable[tuple[str, str, str | None, bool]]) -> tuple[FieldSpec, ...]:
    """FieldSpecs from (path, kind, group, create) rows."""
    return tuple(FieldSpec(path, kind, group, "", create) for path, kind, group, create in rows)


def from_config(entries: Any, where: str) -> tuple[FieldSpec, ...]:
    """FieldSpecs from a kustomization or transformer config list (``path``, ``kind``, ...)."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise RenderError("field specs must be a list", where)
    out = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise RenderError("a field spec needs a path", where)
        out.append(
            FieldSpec(
                entry["path"],
                str(entry.get("kind") or ""),
                str(entry.get("group") or ""),
                str(entry.get("version") or ""),
                bool(entry.get("create")),
            )
        )
    return tuple(out)


Visit = Callable[[dict[str, Any], str], None]


def visit(obj: Any, parts: list[str] | tuple[tuple[str, bool], ...], create: bool, fn: Visit) -> None:
    """Call ``fn(parent, key)`` for each field at ``parts``; sequences are walked through.

    As Kustomize's field spec filter: a missing field is made (a mapping on the
    way, the leaf left to ``fn``) only when ``create``; a null on the way stops;
    a scalar on the way is an error.
    """
    steps = parts if parts and isinstance(parts[0], tuple) else tuple((p, False) for p in parts)
    _visit(obj, steps, create, fn)  # type: ignore[arg-type]


def _visit(obj: Any, steps: tuple[tuple[str, bool], ...], create: bool, fn: Visit) -> None:
    if obj is None:
        return
    if isinstance(obj, list):
        for item in obj:
            _visit(item, steps, create, fn)
        return
    if not isinstance(obj, dict):
        raise FieldError("expected sequence or mapping node")
    head, is_seq = steps[0]
    if len(steps) == 1:
        if head in obj or (create and not is_seq):
            fn(obj, head)
        return
    if head not in obj:
        if not create or is_seq:
            return
        obj[head] = {}
    elif obj[head] is None and create:
        obj[head] = [] if is_seq else {}
    _visit(obj[head], steps[1:], create, fn)


def apply(res: Resource, fspecs: Iterable[FieldSpec], fn: Visit) -> None:
    """Visit every field of ``res`` named by the specs that select it."""
    seen: tuple[Any, Any] | None = None
    group = version = kind = ""
    for fs in fspecs:
        now = (res.obj.get("apiVersion"), res.obj.get("kind"))
        if now != seen:  # its group, version and kind worked out again only when a visit changed them
            seen, group, version, kind = now, res.group, res.version, res.kind
        if fs.selects_gvk(group, version, kind):
            try:
                _visit(res.obj, fs.steps, fs.create, fn)
            except FieldError as exc:
                raise RenderError(
                    f"considering field '{fs.path}' of object {res.describe()}: {exc}", res.origin
                ) from exc


def _templates(field: str, stateful_group: str | None) -> list[tuple[str, str, str | None, bool]]:
    return [
        ("spec/template/metadata/" + field, "ReplicationController", None, True),
        ("spec/template/metadata/" + field, "Deployment", None, True),
        ("spec/template/metadata/" + field, "ReplicaSet", None, True),
        ("spec/template/metadata/" + field, "DaemonSet", None, True),
        ("spec/template/metadata/" + field, "StatefulSet", stateful_group, True),
        ("spec/template/metadata/" + field, "Job", "batch", True),
        ("spec/jobTemplate/metadata/" + field, "CronJob", "batch", True),
        ("spec/jobTemplate/spec/template/metadata/" + field, "CronJob", "batch", True),
    ]


def _rc_v1(fs: FieldSpec) -> FieldSpec:
    """Kustomize names ReplicationController's template fields with version v1."""
    return FieldSpec(fs.path, fs.kind, fs.group, "v1", fs.create) if fs.kind == "ReplicationController" else fs


# Kustomize's templateLabels: metadata labels and those of pod (and claim) templates.
METADATA_LABELS = (
    FieldSpec("metadata/labels", create=True),
    *(_rc_v1(fs) for fs in specs(_templates("labels", "apps"))),
    FieldSpec("spec/volumeClaimTemplates[]/metadata/labels", "StatefulSet", "apps", create=True),
)
TEMPLATE_LABELS = METADATA_LABELS[1:]

_AFFINITY = [
    f"spec/template/spec/affinity/{a}/{t}"
    for a in ("podAffinity", "podAntiAffinity")
    for t in (
        "preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    )
] + ["spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"]

COMMON_LABELS = (
    *(
        FieldSpec(fs.path, fs.kind, fs.group, "v1", fs.create)
        if fs.kind in ("Service", "ReplicationController")
        else fs
        for fs in specs(
        [
            ("spec/selector", "Service", None, True),
            ("spec/selector", "ReplicationController", None, True),
            ("spec/selector/matchLabels", "Deployment", None, True),
            *[(p, "Deployment", "apps", False) for p in _AFFINITY],
            ("spec/selector/matchLabels", "ReplicaSet", None, True),
            ("spec/selector/matchLabels", "DaemonSet", None, True),
            ("spec/selector/matchLabels", "StatefulSet", "apps", True),
            *[(p, "StatefulSet", "apps", False) for p in _AFFINITY],
            ("spec/selector/matchLabels", "Job", "batch", False),
            ("spec/jobTemplate/spec/selector/matchLabels", "CronJob", "batch", False),
            ("spec/selector/matchLabels", "PodDisruptionBudget", "policy", False),
            ("spec/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io", False),
            (
                "spec/ingress/from/podSelector/matchLabels",
                "NetworkPolicy",
                "networking.k8s.io",
                False,
            ),
            ("spec/egress/to/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io", False),
        ]
        )
    ),
    *METADATA_LABELS,
)

COMMON_ANNOTATIONS = (
    FieldSpec("metadata/annotations", create=True),
    *(_rc_v1(fs) for fs in specs(_templates("annotations", None))),
)
IMAGES = (
    FieldSpec("spec/containers[]/image", create=True),
    FieldSpec("spec/initContainers[]/image", create=True),
    FieldSpec("spec/template/spec/containers[]/image", create=True),
    FieldSpec("spec/template/spec/initContainers[]/image", create=True),
)

REPLICAS = specs(
    ("spec/replicas", k, None, True) for k in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
)
