"""Two workloads one label apart: blue/green behind a Service that picks one, or a replica-split canary
behind a Service that selects both (pure)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from gitshift.init.workloads import Detection, kinds, name_of, release, replicas
from gitshift.manifests import Obj, Rendered, pod_labels, selector_matches


def _pairs(candidates: Sequence[Obj]) -> Iterator[tuple[Obj, Obj, str]]:
    """Pairs of workloads whose pod labels have the same keys and differ in exactly one value."""
    for a, b in itertools.combinations(sorted(candidates, key=name_of), 2):
        la, lb = pod_labels(a), pod_labels(b)
        if set(la) != set(lb) or len(la) < 2:
            continue
        differ = [k for k in la if str(la[k]) != str(lb[k])]
        if len(differ) == 1:
            yield a, b, differ[0]


def _canary_like(a: Obj, b: Obj, label: str) -> bool:
    words = [name_of(a), name_of(b), str(pod_labels(a)[label]), str(pod_labels(b)[label])]
    return any("canary" in w.lower() or w.lower() == "stable" for w in words)


def bluegreen(rendered: Rendered, workloads: Sequence[Obj], notes: list[str]) -> Detection | None:
    """Two workloads one label apart, and a Service that picks one of them by that label (the active color)."""
    services = rendered.of_kind("Service")
    for a, b, label in _pairs(release(workloads)):
        if _canary_like(a, b, label):
            continue
        found: list[tuple[Obj, Obj]] = []
        for svc in services:
            selector = dict((svc.get("spec") or {}).get("selector") or {})
            rest = {k: v for k, v in selector.items() if k != label}
            picked = [w for w in (a, b) if selector_matches(selector, pod_labels(w))]
            # The selector picks one color, and without the color label it would pick both.
            if label in selector and len(picked) == 1 and all(selector_matches(rest, pod_labels(w)) for w in (a, b)):
                found.append((svc, picked[0]))
        if not found:
            continue
        found.sort(key=lambda f: ("preview" in name_of(f[0]), -replicas(f[1]), name_of(f[0])))
        active, live = found[0]
        idle = b if live is a else a
        preview = next((svc for svc, w in found[1:] if w is idle), None)
        color = str(pod_labels(live)[label])
        out: dict[str, Any] = {"service": name_of(active)}
        if preview is not None:
            out["preview_service"] = name_of(preview)
        out["color_label"] = label
        out["colors"] = {color: name_of(live), str(pod_labels(idle)[label]): name_of(idle)}
        return Detection(
            "bluegreen",
            f"{kinds([a, b])} {name_of(a)}, {name_of(b)} differ by label {label}; "
            f"Service {name_of(active)} selects {label}={color}",
            out,
        )
    return None


def replica_steps(total: int) -> list[int]:
    """Canary steps a replica split can show exactly: each pod's share for up to 5 pods."""
    if 2 <= total <= 5:
        return [(100 * k + total // 2) // total for k in range(1, total)]
    return [10, 25, 50, 75]


def replicas_canary(rendered: Rendered, workloads: Sequence[Obj], notes: list[str]) -> Detection | None:
    """Two workloads one label apart behind one Service that selects both: the split is their replicas."""
    services = rendered.of_kind("Service")
    for a, b, label in _pairs(release(workloads)):
        both = [s for s in services
                if all(selector_matches((s.get("spec") or {}).get("selector"), pod_labels(w)) for w in (a, b))]
        if not both:
            continue
        marked = [w for w in (a, b) if "canary" in name_of(w).lower() or "canary" in str(pod_labels(w)[label])]
        if len(marked) == 1:
            canary = marked[0]
        elif replicas(a) != replicas(b):
            canary = a if replicas(a) < replicas(b) else b
        else:
            notes.append(f"{kinds([a, b])} {name_of(a)}, {name_of(b)} sit behind Service {name_of(both[0])}, "
                         "but neither is named or labelled canary nor has fewer replicas")
            continue
        stable = b if canary is a else a
        total = replicas(a) + replicas(b)
        steps = replica_steps(total)
        if total < 2:
            notes.append(f"{name_of(stable)} and {name_of(canary)} have {total} replica(s) in all; give the stable "
                         "2 or more before a canary deploy")
        return Detection(
            "canary",
            f"{kinds([stable, canary])} {name_of(stable)}, {name_of(canary)} differ by label {label}; Service "
            f"{name_of(both[0])} selects both; {total} replicas, so steps {', '.join(map(str, steps))}",
            {"traffic": "replicas", "stable": name_of(stable), "canary": name_of(canary), "steps": steps},
        )
    return None
