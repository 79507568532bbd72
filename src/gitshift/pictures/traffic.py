"""An env's traffic picture, read from its rendered objects: users -> router -> Services -> workloads (pure).

The nodes are the rendered objects themselves (an Ingress, a VirtualService,
an HTTPRoute, the Services, the Deployments or Rollouts with their images and
replicas); the edges are what routes to what: Ingress backends, Service
selectors, and the split the strategy reads (weights, the A/B rule, the
replica share).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from gitshift.config import EnvConfig
from gitshift.manifests import Obj, Rendered, get_path, pod_labels
from gitshift.pictures.graph import Builder, Fact, Graph, Node
from gitshift.pictures.labels import TESTERS, USERS, show_image, split
from gitshift.strategies.base import resolve
from gitshift.strategies.canary import router as router_of
from gitshift.strategies.canary.traffic import Pair, pair, service, settings
from gitshift.strategies.routes import name_of
from gitshift.strategies.workloads import RELEASE_KINDS, app_workloads, image_of, replicas_of


def graph(rendered: Rendered, env: EnvConfig) -> Graph:
    """The traffic picture of ``env`` in ``rendered``.

    Raises:
        InputError, ConfigError: the render lacks an object the env's config names (as ``status`` does).
    """
    if env.helm is not None:  # the workloads are the chart's: drawn from the values
        from gitshift.pictures import helm

        return helm.graph(rendered, env)
    if env.strategy == "bluegreen":
        return _bluegreen(rendered, env)
    if env.strategy == "canary":
        return _canary(rendered, env)
    return _rolling(rendered, env)


# --- texts -------------------------------------------------------------------------------------


def _hosts(objs: Iterable[Obj]) -> str:
    hosts: list[str] = []
    for obj in objs:
        spec = obj.get("spec") or {}
        found = [r.get("host") for r in spec.get("rules") or [] if isinstance(r, dict)]
        found += list(spec.get("hosts") or []) + list(spec.get("hostnames") or [])
        hosts += [str(h) for h in found if h and str(h) not in hosts]
    if not hosts:
        return "users"
    return hosts[0] + (f" +{len(hosts) - 1}" if len(hosts) > 1 else "")


# --- nodes -------------------------------------------------------------------------------------


def _workload(b: Builder, obj: Obj, env: EnvConfig, extra: Sequence[Fact] = ()) -> str:
    n = replicas_of(obj)
    kind = str(obj.get("kind"))
    title = name_of(obj) if kind == "Deployment" else f"{kind} {name_of(obj)}"
    facts = (Fact("image", show_image(image_of(obj, env) or "", env)), Fact("replicas", f"×{n}"), *extra)
    return b.add(Node(f"{kind}/{name_of(obj)}", "workload", title, facts, idle=n == 0))


def _service(b: Builder, svc: Obj, selector: dict[str, str] | None = None) -> str:
    pairs = list((selector or {}).items())[:3]
    facts = tuple(Fact(f"selector {k}", v, row=i, prefix=f"{'selector ' if i == 0 else ''}{k}: ")
                  for i, (k, v) in enumerate(pairs))
    return b.add(Node(f"Service/{name_of(svc)}", "service", f"Service {name_of(svc)}", facts))


def _selector(svc: Obj, only: str | None = None) -> dict[str, str]:
    sel = get_path(svc, ("spec", "selector"), {}) or {}
    return {str(k): str(v) for k, v in sel.items() if only is None or k == only}


def _backends(ingress: Obj) -> set[str]:
    spec = ingress.get("spec") or {}
    paths = [p for r in spec.get("rules") or [] for p in ((r or {}).get("http") or {}).get("paths") or []]
    refs = [p.get("backend") or {} for p in paths] + [spec.get("defaultBackend") or {}]
    return {str((ref.get("service") or {}).get("name")) for ref in refs if ref.get("service")}


def _front(b: Builder, rendered: Rendered, services: Sequence[Obj], entry: str = USERS) -> dict[str, str]:
    """Entry -> Ingress -> Service for the Services users reach; the Services' node keys by name."""
    names = {name_of(s) for s in services}
    ingresses = [i for i in rendered.of_kind("Ingress") if _backends(i) & names]
    users = b.add(Node(entry, "entry", _hosts(ingresses) if entry == USERS else "testers"))
    keys = {}
    for svc in services:
        keys[name_of(svc)] = key = f"Service/{name_of(svc)}"
        via = [i for i in ingresses if name_of(svc) in _backends(i)]
        for ing in via:
            b.link(users, b.add(Node(f"Ingress/{name_of(ing)}", "router", f"Ingress {name_of(ing)}")))
            b.link(f"Ingress/{name_of(ing)}", key)
        if not via:
            b.link(users, key)
    return keys


def _selected(b: Builder, rendered: Rendered, svc: Obj, env: EnvConfig,
              label: Callable[[Obj], Sequence[str]] = lambda w: ()) -> None:
    """Edges from a Service to every workload its selector matches."""
    for w in rendered.workloads_selected_by(svc):
        b.link(f"Service/{name_of(svc)}", _workload(b, w, env), label(w), idle=replicas_of(w) == 0)


# --- strategies --------------------------------------------------------------------------------


def _update(obj: Obj) -> list[Fact]:
    """How a Deployment replaces its pods: recreate, or rolling with the knobs the overlay sets."""
    if obj.get("kind") != "Deployment":
        return []
    strategy = get_path(obj, ("spec", "strategy"), {}) or {}
    if strategy.get("type") == "Recreate":
        return [Fact("update", "recreate", row=1)]
    knobs = strategy.get("rollingUpdate") or {}
    set_knobs = [k for k in ("maxSurge", "maxUnavailable") if k in knobs]
    return [Fact("update", "rolling", row=1)] + [
        Fact(k, str(knobs[k]), row=2 + i, prefix=f"{k} ") for i, k in enumerate(set_knobs)]


def _rolling(rendered: Rendered, env: EnvConfig) -> Graph:
    b = Builder()
    workloads = app_workloads(rendered, env)
    services = [s for s in rendered.of_kind("Service")
                if any(w in workloads for w in rendered.workloads_selected_by(s))]
    _front(b, rendered, services)
    for svc in services:
        _service(b, svc)
        for w in rendered.workloads_selected_by(svc):
            if w in workloads:
                b.link(f"Service/{name_of(svc)}", _workload(b, w, env, _update(w)), idle=replicas_of(w) == 0)
    for w in workloads:
        _workload(b, w, env, _update(w))
    return b.graph(f"{env.app}/{env.name} · {env.strategy}")


def _bluegreen(rendered: Rendered, env: EnvConfig) -> Graph:
    s = env.bluegreen
    assert s is not None  # config: a bluegreen env has its settings
    b = Builder()
    active = resolve(rendered, ("Service",), s.service, explicit="service" in s.explicit,
                     key="bluegreen.service", env=env)
    preview = resolve(rendered, ("Service",), s.preview_service, explicit="preview_service" in s.explicit,
                      key="bluegreen.preview_service", env=env, required=False)
    assert active is not None  # resolve raises for a required name
    _front(b, rendered, [active])
    _service(b, active, _selector(active, s.color_label))
    if preview is not None:
        b.link(b.add(Node(TESTERS, "entry", "testers")), _service(b, preview, _selector(preview, s.color_label)))
    served = [w for svc in (active, preview) if svc is not None for w in rendered.workloads_selected_by(svc)]
    for color, name in s.colors.items():
        w = rendered.find(RELEASE_KINDS, name) or next(
            (w for w in app_workloads(rendered, env) if str(pod_labels(w).get(s.color_label)) == color), None)
        if w is not None and w not in served:  # the old color after a promote: kept for a rollback
            _workload(b, w, env, [Fact("traffic", "no traffic", row=1)])
    for svc in (active, preview):
        if svc is not None:
            _selected(b, rendered, svc, env)
    color = _selector(active, s.color_label).get(s.color_label, "-")
    return b.graph(f"{env.app}/{env.name} · bluegreen · active {color}")


def _canary(rendered: Rendered, env: EnvConfig) -> Graph:
    s = settings(env)
    both = pair(rendered, env)
    now = router_of(env).read(rendered, env, both)
    weight = now.weight or 0
    title = f"{env.app}/{env.name} · canary ({s.traffic}) · {weight} %" + (f" · {now.match}" if now.match else "")
    if s.traffic == "replicas":
        return _replicas(rendered, env, both, title)
    b = Builder()
    router, hosts = _router(rendered, env, s.traffic)
    users = b.add(Node(USERS, "entry", _hosts(hosts)))
    b.link(users, b.add(router))
    labels = dict(zip(("stable", "canary"), split(weight, now.match), strict=True))
    for role, workload in (("stable", both.stable), ("canary", both.canary)):
        svc = service(rendered, env, role)
        quiet = (weight == 0 and now.match is None) if role == "canary" else weight == 100
        if svc is None:
            b.link(router.key, _workload(b, workload, env), labels[role], idle=quiet)
            continue
        b.link(router.key, _service(b, svc), labels[role], idle=quiet)
        _selected(b, rendered, svc, env)
    return b.graph(title)


def _router(rendered: Rendered, env: EnvConfig, traffic: str) -> tuple[Node, list[Obj]]:
    """The router node of a routed canary, and the objects whose hosts users reach."""
    s = settings(env)
    if traffic == "nginx":
        found = [resolve(rendered, ("Ingress",), name, explicit=role in s.explicit, key=f"canary.{role}",
                         env=env, required=False) for role, name in (("stable", s.stable), ("canary", s.canary))]
        ingresses = [i for i in found if i is not None]
        facts = tuple(Fact(f"ingress{i}", name_of(o), row=i, prefix="Ingress ") for i, o in enumerate(ingresses))
        key = "router:" + "+".join(f"Ingress/{name_of(o)}" for o in ingresses)
        return Node(key, "router", "ingress-nginx", facts), ingresses[:1]
    kind = "VirtualService" if traffic == "istio" else "HTTPRoute"
    obj = resolve(rendered, (kind,), s.route, explicit="route" in s.explicit, key="canary.route", env=env)
    assert obj is not None  # resolve raises for a required name
    return Node(f"{kind}/{name_of(obj)}", "router", f"{kind} {name_of(obj)}", _parents(obj)), [obj]


def _parents(route: Obj) -> tuple[Fact, ...]:
    """The gateways a VirtualService is bound to, or the parents of an HTTPRoute."""
    spec = route.get("spec") or {}
    names = [str(g) for g in spec.get("gateways") or []]
    names += [f"{p['namespace']}/{p.get('name')}" if p.get("namespace") else str(p.get("name"))
              for p in spec.get("parentRefs") or [] if isinstance(p, dict)]
    return tuple(Fact(f"parent{i}", n, row=i, prefix="via ") for i, n in enumerate(names[:3]))


def _replicas(rendered: Rendered, env: EnvConfig, pair: Pair, title: str) -> Graph:
    """Kubernetes-native canary: one Service over both, each pod an equal share."""
    b = Builder()
    both = (pair.stable, pair.canary)
    services = [svc for svc in rendered.of_kind("Service")
                if any(w in both for w in rendered.workloads_selected_by(svc))]
    total = sum(replicas_of(w) for w in both)

    def share(w: Obj) -> list[str]:
        return [f"{replicas_of(w)} of {total} pods"] if w in both else []

    _front(b, rendered, services)
    for svc in services:
        _service(b, svc, _selector(svc))
        _selected(b, rendered, svc, env, share)
    return b.graph(title)
