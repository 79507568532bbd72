"""Canary routers in rendered objects: an nginx canary Ingress pair, an Istio VirtualService or a Gateway API
HTTPRoute splitting weights between two Services, each selecting one workload of the app (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gitshift.init.workloads import Detection, canary_settings, kinds, name_of, release, selected
from gitshift.manifests import Obj, Rendered

NGINX_CANARY = "nginx.ingress.kubernetes.io/canary"
_FQDN_SUFFIXES = ("", "svc", "svc.cluster.local")


def _ingress_services(ingress: Obj) -> list[str]:
    """The Services an Ingress sends requests to (its rules and its default backend)."""
    spec = ingress.get("spec") or {}
    backends = [spec.get("defaultBackend") or {}]
    for rule in spec.get("rules") or []:
        backends += [p.get("backend") or {} for p in (rule.get("http") or {}).get("paths") or []]
    return list(dict.fromkeys(str((b.get("service") or {}).get("name")) for b in backends if b.get("service")))


def _ingress_workloads(rendered: Rendered, ingress: Obj, candidates: Sequence[Obj]) -> list[Obj]:
    found: list[Obj] = []
    for svc in _ingress_services(ingress):
        found += [w for w in selected(rendered, svc, candidates) if not any(w is f for f in found)]
    return found


def _hosts_paths(ingress: Obj) -> set[tuple[str, str]]:
    out = set()
    for rule in (ingress.get("spec") or {}).get("rules") or []:
        host = str(rule.get("host") or "*")
        for p in (rule.get("http") or {}).get("paths") or [{}]:
            out.add((host, str(p.get("path") or "/")))
    return out


def _is_canary_ingress(ingress: Obj) -> bool:
    return str(((ingress.get("metadata") or {}).get("annotations") or {}).get(NGINX_CANARY)) == "true"


def nginx(rendered: Rendered, workloads: Sequence[Obj], notes: list[str]) -> Detection | None:
    """An nginx canary Ingress beside a stable one, each leading to one workload of the app named like it."""
    candidates = release(workloads)
    ingresses = rendered.of_kind("Ingress")
    for canary_ing in (i for i in ingresses if _is_canary_ingress(i)):
        canaries = _ingress_workloads(rendered, canary_ing, candidates)
        if len(canaries) != 1:
            continue
        canary = canaries[0]
        for stable_ing in ingresses:
            if _is_canary_ingress(stable_ing) or not _hosts_paths(stable_ing) & _hosts_paths(canary_ing):
                continue
            stables = [w for w in _ingress_workloads(rendered, stable_ing, candidates) if w is not canary]
            if len(stables) != 1:
                continue
            stable = stables[0]
            if (name_of(stable_ing), name_of(canary_ing)) != (name_of(stable), name_of(canary)):
                notes.append(f"Ingress {name_of(canary_ing)} is an nginx canary of Ingress {name_of(stable_ing)}, "
                             f"but gitshift needs the two Ingresses named like their workloads "
                             f"({name_of(stable)}, {name_of(canary)})")
                break
            return Detection(
                "canary",
                f'Ingress {name_of(canary_ing)} has {NGINX_CANARY}: "true" beside Ingress {name_of(stable_ing)}; '
                f"{kinds([stable, canary])} {name_of(stable)}, {name_of(canary)}",
                canary_settings("nginx", stable, canary),
            )
    return None


def _split(rendered: Rendered, candidates: Sequence[Obj], backends: Sequence[tuple[str, Any]],
           what: str, notes: list[str]) -> tuple[Obj, Obj, list[int]] | None:
    """The stable and canary workloads behind two weighted Services (None when they are not this app's)."""
    found = [selected(rendered, svc, candidates) for svc, _ in backends]
    if not any(found):
        return None
    services = [svc for svc, _ in backends]
    if any(len(f) != 1 for f in found) or found[0][0] is found[1][0]:
        notes.append(f"{what} splits traffic between {', '.join(services)}, but they do not select one "
                     "workload each")
        return None
    weights = [int(w) if isinstance(w, int) and not isinstance(w, bool) else 0 for _, w in backends]
    pair = [found[0][0], found[1][0]]
    marked = [i for i, (svc, w) in enumerate(zip(services, pair, strict=True))
              if "canary" in svc.lower() or "canary" in name_of(w).lower()]
    # The canary is the one named so, or else the one with the smaller weight.
    canary_at = marked[0] if len(marked) == 1 else int(weights[0] >= weights[1])
    stable, canary = pair[1 - canary_at], pair[canary_at]
    if [services[1 - canary_at], services[canary_at]] != [name_of(stable), name_of(canary)]:
        notes.append(f"{what} splits traffic between Services {', '.join(services)}, but gitshift needs each "
                     f"Service named like the workload it selects ({name_of(stable)}, {name_of(canary)})")
        return None
    return stable, canary, [weights[1 - canary_at], weights[canary_at]]


def _short_host(host: str, namespace: str) -> str | None:
    """The Service name of an Istio destination host (short or cluster FQDN in the VirtualService's namespace)."""
    parts = host.split(".")
    if len(parts) == 1:
        return parts[0]
    if (not namespace or parts[1] == namespace) and ".".join(parts[2:]) in _FQDN_SUFFIXES:
        return parts[0]
    return None


def istio(rendered: Rendered, workloads: Sequence[Obj], notes: list[str]) -> Detection | None:
    """A VirtualService http route splitting weights between the Services of two workloads of the app."""
    candidates = release(workloads)
    for vs in rendered.of_kind("VirtualService"):
        namespace = str((vs.get("metadata") or {}).get("namespace") or "")
        for entry in (vs.get("spec") or {}).get("http") or []:
            route = [r for r in entry.get("route") or [] if isinstance(r, dict)]
            if len(route) != 2 or all(r.get("weight") is None for r in route):
                continue
            hosts = [_short_host(str((r.get("destination") or {}).get("host", "")), namespace) for r in route]
            if None in hosts or hosts[0] == hosts[1]:
                continue
            backends = [(str(h), r.get("weight")) for h, r in zip(hosts, route, strict=True)]
            split = _split(rendered, candidates, backends, f"VirtualService {name_of(vs)}", notes)
            if split is not None:
                stable, canary, weights = split
                return Detection(
                    "canary",
                    f"VirtualService {name_of(vs)} routes weights {weights[0]}/{weights[1]} to Services "
                    f"{name_of(stable)}, {name_of(canary)}",
                    canary_settings("istio", stable, canary, name_of(vs)),
                )
    return None


def gateway(rendered: Rendered, workloads: Sequence[Obj], notes: list[str]) -> Detection | None:
    """An HTTPRoute rule splitting weights between the Services of two workloads of the app."""
    candidates = release(workloads)
    for route in rendered.of_kind("HTTPRoute"):
        for rule in (route.get("spec") or {}).get("rules") or []:
            refs = [r for r in rule.get("backendRefs") or [] if isinstance(r, dict)]
            if (len(refs) != 2 or all(r.get("weight") is None for r in refs)
                    or any(r.get("kind", "Service") != "Service" or r.get("group", "") not in ("", "core")
                           for r in refs)):
                continue
            backends = [(str(r.get("name", "")), r.get("weight", 1)) for r in refs]
            split = _split(rendered, candidates, backends, f"HTTPRoute {name_of(route)}", notes)
            if split is not None:
                stable, canary, weights = split
                return Detection(
                    "canary",
                    f"HTTPRoute {name_of(route)} splits weights {weights[0]}/{weights[1]} between Services "
                    f"{name_of(stable)}, {name_of(canary)}",
                    canary_settings("gateway", stable, canary, name_of(route)),
                )
    return None
