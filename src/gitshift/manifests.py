"""Resource ids, the rendered set, field paths, label selectors, and the intent to change a field (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
PathPart = str | int
FieldPath = tuple[PathPart, ...]

WORKLOAD_KINDS = ("Deployment", "Rollout", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob")
SCALABLE_KINDS = ("Deployment", "Rollout", "StatefulSet", "ReplicaSet")


class _Missing:
    """Marker for a field that is absent (distinct from an explicit null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@dataclass(frozen=True, order=True)
class ResourceId:
    """Identity of a rendered object, as Kustomize sees it."""

    group: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> ResourceId:
        """The id of a rendered object."""
        api = str(obj.get("apiVersion", ""))
        group = api.rsplit("/", 1)[0] if "/" in api else ""
        meta = obj.get("metadata") or {}
        return cls(group, str(obj.get("kind", "")), str(meta.get("namespace") or ""), str(meta.get("name", "")))

    def __str__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"


def format_path(path: FieldPath) -> str:
    """``('spec', 'template', 'spec', 'containers', 0, 'image')`` -> ``spec.template.spec.containers[0].image``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "." in part or "/" in part:
            out += f"[{part!r}]" if out else part
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class Intent:
    """Set ``path`` of the rendered object ``resource`` to ``value`` (``MISSING`` removes the key)."""

    resource: ResourceId
    path: FieldPath
    value: Any
    before: Any = MISSING

    def describe(self) -> str:
        """``Deployment/web spec.replicas: 2 -> 3``."""
        return f"{self.resource} {format_path(self.path)}: {show(self.before)} -> {show(self.value)}"


def show(value: Any) -> str:
    """A value as a person reads it in a table (absent is ``-``)."""
    if value is MISSING:
        return "-"
    if isinstance(value, dict | list):
        import json

        text = json.dumps(value, separators=(",", ":"), default=str)
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


def get_path(obj: Any, path: FieldPath, default: Any = MISSING) -> Any:
    """The value at ``path`` in ``obj``, or ``default`` when any step is absent."""
    cur = obj
    for part in path:
        if isinstance(part, int):
            if not isinstance(cur, list) or not -len(cur) <= part < len(cur):
                return default
            cur = cur[part]
        else:
            if not isinstance(cur, dict) or part not in cur:
                return default
            cur = cur[part]
    return cur


def set_path(obj: Any, path: FieldPath, value: Any) -> None:
    """Set ``path`` in ``obj`` to ``value`` (``MISSING`` deletes), creating maps on the way."""
    cur = obj
    for i, part in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(part, int):
            cur = cur[part]
            continue
        if part not in cur or cur[part] is None:
            if value is MISSING:
                return
            cur[part] = [] if isinstance(nxt, int) else {}
        cur = cur[part]
    last = path[-1]
    if value is MISSING:
        if isinstance(cur, dict):
            cur.pop(last, None)
        return
    cur[last] = value


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, Any] | None) -> bool:
    """Whether a Service-style equality selector matches a label set. An empty selector matches nothing."""
    if not selector:
        return False
    labels = labels or {}
    return all(str(labels.get(k)) == str(v) and k in labels for k, v in selector.items())


def pod_template(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """The pod template of a workload (CronJob's nested one included), or ``{}``."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    return spec.get("template") or {}


def pod_template_path(kind: str) -> FieldPath:
    """The field path of the pod template in a workload of ``kind``."""
    if kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template")
    return ("spec", "template")


def pod_labels(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """The labels of the pods a workload creates."""
    return (pod_template(obj).get("metadata") or {}).get("labels") or {}


def image_name(ref: str) -> str:
    """The repository part of an image reference (no tag, no digest)."""
    name = ref.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


class Rendered:
    """The objects of one rendered overlay, in render order, addressable by id."""

    def __init__(self, objects: Iterable[Obj]) -> None:
        self.objects: list[Obj] = list(objects)
        self.by_id: dict[ResourceId, Obj] = {ResourceId.of(o): o for o in self.objects}

    def __iter__(self) -> Iterator[Obj]:
        return iter(self.objects)

    def __len__(self) -> int:
        return len(self.objects)

    def of_kind(self, *kinds: str) -> list[Obj]:
        """Objects whose kind is one of ``kinds``, in render order."""
        return [o for o in self.objects if o.get("kind") in kinds]

    def find(self, kinds: Sequence[str] | str, name: str) -> Obj | None:
        """The first object of one of ``kinds`` named ``name``, or None."""
        if isinstance(kinds, str):
            kinds = (kinds,)
        for o in self.objects:
            if o.get("kind") in kinds and (o.get("metadata") or {}).get("name") == name:
                return o
        return None

    def get(self, rid: ResourceId) -> Obj | None:
        """The object with id ``rid``, or None."""
        return self.by_id.get(rid)

    def workloads_selected_by(self, service: Mapping[str, Any]) -> list[Obj]:
        """Workloads whose pod labels a Service's selector matches."""
        selector = (service.get("spec") or {}).get("selector")
        return [w for w in self.of_kind(*WORKLOAD_KINDS) if selector_matches(selector, pod_labels(w))]


def differences(expected: Rendered, actual: Rendered, limit: int = 5) -> list[str]:
    """Where two rendered sets differ, as ``Kind/name path`` lines (at most ``limit``)."""
    out: list[str] = []
    for rid in sorted(set(expected.by_id) | set(actual.by_id)):
        a, b = expected.by_id.get(rid), actual.by_id.get(rid)
        if a is None or b is None:
            out.append(f"{rid} {'appeared' if a is None else 'disappeared'}")
        else:
            out += [f"{rid} {format_path(p)}" for p in changed_paths(a, b)]
        if len(out) >= limit:
            break
    return out[:limit]


def changed_paths(a: Any, b: Any, path: FieldPath = ()) -> list[FieldPath]:
    """The deepest paths where ``a`` and ``b`` differ (a list whose length changed counts whole)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[FieldPath] = []
        for k in list(a) + [k for k in b if k not in a]:
            if a.get(k, MISSING) != b.get(k, MISSING):
                out += changed_paths(a.get(k, MISSING), b.get(k, MISSING), (*path, k))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y
                for p in changed_paths(x, y, (*path, i))]
    return [path] if a != b else []
