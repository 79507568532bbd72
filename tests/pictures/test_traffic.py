"""Traffic pictures of the example tree's envs, and of the README's release patterns, from rendered objects."""

from __future__ import annotations

import pytest
from tests.conftest import PROJECT, render
from tests.pictures.conftest import Shifted, load

from gitshift import files
from gitshift.manifests import Rendered
from gitshift.pictures import traffic
from gitshift.pictures.graph import Graph, compare
from gitshift.render import get_renderer
from gitshift.shift import compute

CONFIG = load(PROJECT)
HOST = "hello.example.com"
NGINX = "ingress-nginx"


def edges(graph: Graph) -> set[tuple[str, str, str]]:
    """Edges as ``(from title, to title, label lines joined by |)``."""
    title = {n.key: n.title for n in graph.nodes}
    return {(title[e.src], title[e.dst], "|".join(e.label)) for e in graph.edges}


def marked(graph: Graph) -> dict[str, str]:
    """What ``compare`` marked: ``from -> to`` or a node title, to its state."""
    title = {n.key: n.title for n in graph.nodes}
    out = {n.title: n.state for n in graph.nodes if n.state != "same"}
    out |= {f"{title[e.src]} -> {title[e.dst]}": e.state for e in graph.edges if e.state != "same"}
    return out


def lines(graph: Graph, title: str) -> list[str]:
    return [text for text, _ in next(n for n in graph.nodes if n.title == title).lines()]


def example(env: str) -> Graph:
    e = CONFIG.env("web", env)
    return traffic.graph(compute.render(get_renderer("builtin"), PROJECT, e, files.FileView(root=PROJECT)), e)


ROUTED = {  # the router node of each routed canary env
    "production-canary": NGINX,
    "production-istio": "VirtualService web",
    "production-gateway": "HTTPRoute web",
}


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_rolling_and_recreate(env: str) -> None:
    host = "hello.staging.example.com" if env == "staging" else HOST
    g = example(env)
    assert edges(g) == {(host, "Ingress web", ""), ("Ingress web", "Service web", ""), ("Service web", "web", "")}
    assert lines(g, "web") == (["1.0.0 ×2", "rolling"] if env == "staging" else ["1.0.0 ×1", "recreate"])


def test_bluegreen() -> None:
    g = example("production")
    assert edges(g) == {
        (HOST, "Ingress web", ""), ("Ingress web", "Service web", ""), ("Service web", "web-blue", ""),
        ("testers", "Service web-preview", ""), ("Service web-preview", "web-green", ""),
    }
    assert lines(g, "Service web") == ["selector color: blue"]
    assert lines(g, "web-green") == ["1.0.0 ×0"] and g.node("Deployment/web-green").idle


@pytest.mark.parametrize("env", sorted(ROUTED))
def test_routed_canaries(env: str) -> None:
    router = ROUTED[env]
    g = example(env)
    assert edges(g) == {
        (HOST, router, ""), (router, "Service web", "100 %"), (router, "Service web-canary", "0 %"),
        ("Service web", "web", ""), ("Service web-canary", "web-canary", ""),
    }
    assert [e.idle for e in g.edges if e.dst == "Service/web-canary"] == [True]
    parents = {NGINX: ["Ingress web", "Ingress web-canary"], "VirtualService web": ["via istio-system/public"],
               "HTTPRoute web": ["via gateway-system/public"]}
    assert lines(g, router) == parents[router]


def test_replica_canary() -> None:
    g = example("production-replicas")
    assert edges(g) == {(HOST, "Ingress web", ""), ("Ingress web", "Service web", ""),
                        ("Service web", "web", "4 of 4 pods"), ("Service web", "web-canary", "0 of 4 pods")}
    assert lines(g, "Service web") == ["selector app: web"]


@pytest.mark.parametrize("env", sorted(e.name for e in CONFIG.select()))
def test_the_picture_is_the_one_of_the_objects_kubectl_renders(env: str) -> None:
    """Drawn from the rendered objects: the oracle's render gives the same picture."""
    e = CONFIG.env("web", env)
    assert traffic.graph(Rendered(render(PROJECT / e.overlay)), e) == example(env)


# --- before -> after, for each pattern of the README ------------------------------------------


def picture(shifted: dict[str, Shifted], name: str) -> Graph:
    s = shifted[name]
    return compare(traffic.graph(s.before, s.env), traffic.graph(s.after, s.env))


def test_rolling_update_marks_the_image_and_the_knobs(shifted: dict[str, Shifted]) -> None:
    g = picture(shifted, "rolling")
    assert marked(g) == {"web": "changed"}
    assert lines(g, "web") == ["1.0.0 → 1.1.0 · ×2", "rolling", "maxSurge 1", "maxUnavailable 0"]
    node = g.node("Deployment/web")
    assert [moved for _, moved in node.lines()] == [True, False, True, True]


def test_bluegreen_deploy_promote_finish(shifted: dict[str, Shifted]) -> None:
    deploy = picture(shifted, "bluegreen-deploy")
    assert marked(deploy) == {"web-green": "changed", "Service web-preview -> web-green": "changed"}
    assert lines(deploy, "web-green") == ["1.0.0 → 1.1.0 · ×0 → ×3"]
    promote = picture(shifted, "bluegreen-promote")
    assert marked(promote) == {"Service web": "changed", "Service web -> web-green": "added",
                               "Service web -> web-blue": "removed", "web-blue": "changed"}
    assert lines(promote, "Service web") == ["selector color: blue → green"]
    assert lines(promote, "web-blue") == ["1.0.0 ×3", "no traffic"]  # kept for a rollback
    finish = picture(shifted, "bluegreen-finish")
    assert marked(finish) == {"web-blue": "changed"} and finish.node("Deployment/web-blue").idle


def test_nginx_canary_steps(shifted: dict[str, Shifted]) -> None:
    deploy = picture(shifted, "nginx-deploy")
    assert marked(deploy) == {"web-canary": "changed", f"{NGINX} -> Service web": "changed",
                              f"{NGINX} -> Service web-canary": "changed",
                              "Service web-canary -> web-canary": "changed"}
    assert {(a, b, c) for a, b, c in edges(deploy) if a == NGINX} == {
        (NGINX, "Service web", "100 % → 90 %"), (NGINX, "Service web-canary", "0 % → 10 %")}
    scale = picture(shifted, "nginx-scale")
    assert marked(scale) == {f"{NGINX} -> Service web": "changed", f"{NGINX} -> Service web-canary": "changed"}
    assert (NGINX, "Service web-canary", "10 % → 25 %") in edges(scale)


@pytest.mark.parametrize(
    ("name", "stable", "canary"),
    [
        ("nginx-cookie", "75 % → others 90 %", "cookie beta|others 10 %"),
        ("istio-header", "100 % → all others", "0 % → header x-canary=always"),
        ("gateway-header", "75 % → all others", "25 % → header X-Beta"),
    ],
)
def test_ab_rules_label_the_canary_route(shifted: dict[str, Shifted], name: str, stable: str, canary: str) -> None:
    g = picture(shifted, name)
    router = next(n.title for n in g.nodes if n.kind == "router")
    assert {(b, c) for a, b, c in edges(g) if a == router} == {("Service web", stable), ("Service web-canary", canary)}


def test_istio_promote_moves_the_image_to_stable(shifted: dict[str, Shifted]) -> None:
    g = picture(shifted, "istio-promote")
    assert lines(g, "web") == ["1.0.0 → 2.0.0 · ×3"]
    assert lines(g, "web-canary") == ["2.0.0 · ×1 → ×0"] and g.node("Deployment/web-canary").idle
    assert ("VirtualService web", "Service web-canary", "header x-canary=always → 0 %") in edges(g)


def test_replicas_canary_moves_pods(shifted: dict[str, Shifted]) -> None:
    deploy = picture(shifted, "replicas-deploy")
    assert {(b, c) for a, b, c in edges(deploy) if a == "Service web"} == {
        ("web", "4 of 4 pods → 3 of 4 pods"), ("web-canary", "0 of 4 pods → 1 of 4 pods")}
    rollback = picture(shifted, "replicas-rollback")
    assert lines(rollback, "web-canary") == ["2.0.0 · ×1 → ×0"] and lines(rollback, "web") == ["1.0.0 · ×3 → ×4"]


def test_a_missing_named_object_is_the_same_error_as_status() -> None:
    from gitshift.errors import InputError

    e = CONFIG.env("web", "production-istio")
    with pytest.raises(InputError, match="VirtualService 'web' not found"):
        traffic.graph(Rendered([o for o in render(PROJECT / e.overlay) if o["kind"] != "VirtualService"]), e)


@pytest.mark.parametrize(
    ("ref", "shown"),
    [
        ("ghcr.io/acme/web:1.2.3", "1.2.3"),
        ("ghcr.io/acme/web@sha256:" + "ab" * 32, "sha256:abababababab…"),
        ("ghcr.io/acme/web:1.2@sha256:" + "cd" * 32, "1.2@sha256:cdcdcdcdcdcd…"),
        ("ghcr.io/other/app:1", "ghcr.io/other/app:1"),
        ("ghcr.io/acme/web", "ghcr.io/acme/web"),
        ("", "no image"),
    ],
)
def test_show_image(ref: str, shown: str) -> None:
    assert traffic.show_image(ref, CONFIG.env("web", "dev")) == shown
