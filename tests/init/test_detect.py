"""Strategy detection over rendered objects: each shape, and the look-alikes that are not it."""

from __future__ import annotations

import pytest
import yaml
from tests.init.shapes import deployment, service

from gitshift.init.detect import detect
from gitshift.init.pairs import replica_steps
from gitshift.init.scan import group
from gitshift.manifests import Rendered
from gitshift.strategies.canary.replicas import split

IMAGE = "ghcr.io/acme/web"


def rendered(*docs: str) -> Rendered:
    return Rendered(d for text in docs for d in yaml.safe_load_all(text) if d)


def web(name: str, labels: dict[str, str], replicas: int | None = None, kind: str = "Deployment") -> str:
    return deployment(name, f"{IMAGE}:1.0.0", labels, replicas=replicas, kind=kind)


def ingress(name: str, svc: str, host: str = "hello.example.com", canary: bool = False) -> str:
    ann = '\n  annotations:\n    nginx.ingress.kubernetes.io/canary: "true"' if canary else ""
    return f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}{ann}
spec:
  rules:
  - host: {host}
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: {svc}
            port:
              number: 80
"""


BLUE = web("web-blue", {"app": "web", "color": "blue"}, 3)
GREEN = web("web-green", {"app": "web", "color": "green"}, 0)
STABLE = web("web", {"app": "web", "track": "stable"}, 3)
CANARY = web("web-canary", {"app": "web", "track": "canary"}, 0)


def test_bluegreen_active_and_preview() -> None:
    found = detect(rendered(BLUE, GREEN, service("web-preview", {"app": "web", "color": "green"}),
                            service("web", {"app": "web", "color": "blue"})), IMAGE)
    assert found.strategy == "bluegreen"
    assert found.reason == ("Deployments web-blue, web-green differ by label color; "
                            "Service web selects color=blue")
    assert found.settings == {"service": "web", "preview_service": "web-preview", "color_label": "color",
                              "colors": {"blue": "web-blue", "green": "web-green"}}


def test_bluegreen_without_preview_and_with_rollouts() -> None:
    blue = web("api-a", {"app": "api", "slot": "a"}, 2, kind="Rollout")
    green = web("api-b", {"app": "api", "slot": "b"}, 2, kind="Rollout")
    found = detect(rendered(blue, green, service("api", {"app": "api", "slot": "b"})), IMAGE)
    assert found.strategy == "bluegreen"
    assert found.reason.startswith("Rollouts api-a, api-b differ by label slot; Service api selects slot=b")
    assert found.settings == {"service": "api", "color_label": "slot", "colors": {"b": "api-b", "a": "api-a"}}


@pytest.mark.parametrize("docs", [
    # podinfo's backend and frontend: one label apart, but nothing else in common
    (web("backend", {"app.kubernetes.io/name": "backend"}), web("frontend", {"app.kubernetes.io/name": "frontend"}),
     service("backend", {"app.kubernetes.io/name": "backend"})),
    # a primary and a replica sharing part-of: the Service does not pick between them by one label
    (web("db-primary", {"name": "db-primary", "part-of": "db"}),
     web("db-replica", {"name": "db-replica", "part-of": "db"}),
     service("db-primary", {"name": "db-primary"})),
    # a stable/canary pair without a router is no blue/green pair
    (STABLE, CANARY, service("web", {"app": "web", "track": "stable"}),
     service("web-canary", {"app": "web", "track": "canary"})),
], ids=["podinfo-tiers", "primary-replica", "tracks-without-router"])
def test_look_alikes_roll(docs: tuple[str, ...]) -> None:
    assert detect(rendered(*docs), IMAGE).strategy == "rolling"


def test_nginx_canary_pair() -> None:
    found = detect(rendered(STABLE, CANARY, service("web", {"app": "web", "track": "stable"}),
                            service("web-canary", {"app": "web", "track": "canary"}),
                            ingress("web", "web"), ingress("web-canary", "web-canary", canary=True)), IMAGE)
    assert (found.strategy, dict(found.settings)) == (
        "canary", {"traffic": "nginx", "stable": "web", "canary": "web-canary", "steps": [10, 25, 50, 100]})
    assert found.notes == ()


def test_nginx_canary_named_unlike_its_workloads_is_a_note() -> None:
    found = detect(rendered(STABLE, CANARY, service("web", {"app": "web", "track": "stable"}),
                            service("web-canary", {"app": "web", "track": "canary"}),
                            ingress("web-ingress", "web"), ingress("web-canary-ingress", "web-canary", canary=True)),
                   IMAGE)
    assert found.strategy == "rolling"
    assert found.notes == ("Ingress web-canary-ingress is an nginx canary of Ingress web-ingress, but gitshift "
                           "needs the two Ingresses named like their workloads (web, web-canary)",)


def test_nginx_canary_on_another_host_is_not_a_pair() -> None:
    found = detect(rendered(STABLE, CANARY, service("web", {"app": "web", "track": "stable"}),
                            service("web-canary", {"app": "web", "track": "canary"}),
                            ingress("web", "web"), ingress("web-canary", "web-canary", "other.example.com", True)),
                   IMAGE)
    assert found.strategy == "rolling"


def virtualservice(hosts: tuple[str, str], weights: tuple[int, int], namespace: str = "shop") -> str:
    routes = "".join(f"    - destination:\n        host: {h}\n      weight: {w}\n"
                     for h, w in zip(hosts, weights, strict=True))
    return (f"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: web\n"
            f"  namespace: {namespace}\nspec:\n  hosts: [web]\n  http:\n  - route:\n{routes}")


def test_istio_smaller_weight_is_the_canary_and_fqdn_hosts_count() -> None:
    v1 = web("web-v1", {"app": "web", "version": "v1"}, 3)
    v2 = web("web-v2", {"app": "web", "version": "v2"}, 1)
    found = detect(rendered(v1, v2, service("web-v1", {"app": "web", "version": "v1"}),
                            service("web-v2", {"app": "web", "version": "v2"}),
                            virtualservice(("web-v2.shop.svc.cluster.local", "web-v1"), (10, 90))), IMAGE)
    assert found.strategy == "canary"
    assert found.reason == "VirtualService web routes weights 90/10 to Services web-v1, web-v2"
    assert found.settings["stable"] == "web-v1" and found.settings["canary"] == "web-v2"
    assert found.settings["route"] == "web"


def test_istio_hosts_of_another_namespace_or_subsets_are_not_a_split() -> None:
    docs = (STABLE, CANARY, service("web", {"app": "web", "track": "stable"}),
            service("web-canary", {"app": "web", "track": "canary"}))
    other_ns = virtualservice(("web.other.svc.cluster.local", "web-canary.other.svc.cluster.local"), (100, 0))
    assert detect(rendered(*docs, other_ns), IMAGE).strategy == "rolling"
    subsets = virtualservice(("web", "web"), (100, 0))
    assert detect(rendered(*docs, subsets), IMAGE).strategy == "rolling"


def test_split_between_services_named_unlike_their_workloads_is_a_note() -> None:
    found = detect(rendered(STABLE, CANARY, service("web-svc", {"app": "web", "track": "stable"}),
                            service("web-canary-svc", {"app": "web", "track": "canary"}),
                            virtualservice(("web-svc", "web-canary-svc"), (100, 0))), IMAGE)
    assert found.strategy == "rolling"
    assert found.notes[0].startswith("VirtualService web splits traffic between Services web-svc, web-canary-svc, "
                                     "but gitshift needs each Service named like the workload it selects")


def test_gateway_route() -> None:
    route = """apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web-route
spec:
  rules:
  - backendRefs:
    - {name: web, port: 80, weight: 80}
    - {name: web-canary, port: 80, weight: 20}
"""
    found = detect(rendered(STABLE, CANARY, service("web", {"app": "web", "track": "stable"}),
                            service("web-canary", {"app": "web", "track": "canary"}), route), IMAGE)
    assert found.reason == "HTTPRoute web-route splits weights 80/20 between Services web, web-canary"
    assert dict(found.settings) == {"traffic": "gateway", "stable": "web", "canary": "web-canary",
                                    "route": "web-route", "steps": [10, 25, 50, 100]}


def test_replica_split() -> None:
    found = detect(rendered(STABLE, CANARY, service("web", {"app": "web"})), IMAGE)
    assert found.strategy == "canary"
    assert found.settings == {"traffic": "replicas", "stable": "web", "canary": "web-canary", "steps": [33, 67]}
    unmarked = rendered(web("web-a", {"app": "web", "slot": "a"}, 2), web("web-b", {"app": "web", "slot": "b"}, 2),
                        service("web", {"app": "web"}))
    found = detect(unmarked, IMAGE)
    assert found.strategy == "rolling"
    assert "neither is named or labelled canary nor has fewer replicas" in found.notes[0]


@pytest.mark.parametrize("total", range(2, 12))
def test_replica_steps_each_move_the_canary(total: int) -> None:
    counts = [split(total, step) for step in replica_steps(total)]
    assert all(c is not None and 1 <= c < total for c in counts)
    assert counts == sorted(set(counts), key=counts.index)  # strictly more pods at each step


ROLLOUT = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  strategy:
    {strategy}
"""


def test_rollout_with_its_own_template_or_a_workload_ref() -> None:
    steps = web("web", {"app": "web"}, kind="Rollout") + "  strategy:\n    canary:\n      steps:\n      - pause: {}\n"
    found = detect(rendered(steps), IMAGE)
    assert (found.strategy, found.reason) == ("rollout", "Rollout web has spec.strategy.canary.steps (1 step)")
    ref = ROLLOUT.format(strategy="blueGreen: {activeService: web, previewService: web-preview}")
    ref += "  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
    found = detect(rendered(web("web", {"app": "web"}, 0), ref), IMAGE)
    assert (found.strategy, found.reason) == ("rollout", "Rollout web has spec.strategy.blueGreen (active Service web)")


def test_rollout_without_steps_rolls() -> None:
    plain = web("web", {"app": "web"}, kind="Rollout") + "  strategy:\n    canary: {}\n"
    assert detect(rendered(plain), IMAGE).reason == "Rollout web: no Deployment; set-image updates it in place"


def test_flagger_canary() -> None:
    canary = """apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: web
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
"""
    found = detect(rendered(web("web", {"app": "web"}), canary), IMAGE)
    assert (found.strategy, found.reason) == ("flagger", "Flagger Canary web targets Deployment web")
    assert detect(rendered(web("api", {"app": "api"}), canary), IMAGE).strategy == "rolling"


def test_recreate_and_mixed() -> None:
    recreate = "\n  strategy:\n    type: Recreate"
    a = deployment("a", f"{IMAGE}:1", extra=recreate)
    b = deployment("b", f"{IMAGE}:1", extra=recreate)
    assert detect(rendered(a, b), IMAGE).reason == "Deployments a, b have spec.strategy.type Recreate"
    c = deployment("c", f"{IMAGE}:1")
    found = detect(rendered(a, c), IMAGE)
    assert found.strategy == "rolling"
    assert found.reason == ("Deployment c roll; Deployment a has spec.strategy.type Recreate, which set-image keeps")


def test_an_odd_object_keeps_to_its_env() -> None:
    odd = ingress("web-canary", "web-canary", canary=True).replace("  rules:\n", "  rules: nonsense\n  x:\n", 1)
    apps = group({"odd": rendered(STABLE, CANARY, service("web-canary", {"app": "web", "track": "canary"}), odd),
                  "fine": rendered(STABLE)}, "repo")
    by_env = {e.env: e.detection for e in apps[0].envs}
    assert by_env["odd"].strategy == "rolling"
    assert by_env["odd"].reason.startswith("objects of an unexpected shape (AttributeError")
    assert by_env["fine"].strategy == "rolling" and "unexpected" not in by_env["fine"].reason
