"""Small builders of rendered objects and env configs for the strategy tests."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gitshift.config import BlueGreenSettings, CanarySettings, EnvConfig
from gitshift.manifests import Intent, Obj, Rendered, ResourceId, set_path
from gitshift.strategies import canary
from gitshift.strategies.base import ShiftRequest

IMAGE = "ghcr.io/acme/web"
ROLLOUT_API = "argoproj.io/v1alpha1"


def workload(
    name: str,
    *,
    image: str = f"{IMAGE}:1.0",
    replicas: int | None = 3,
    labels: Mapping[str, str] | None = None,
    kind: str = "Deployment",
) -> Obj:
    """A Deployment (or Rollout) with one ``app`` container and the given pod labels."""
    pod_labels = dict(labels or {"app": name})
    spec: Obj = {
        "selector": {"matchLabels": dict(pod_labels)},
        "template": {
            "metadata": {"labels": pod_labels},
            "spec": {"containers": [{"name": "app", "image": image}]},
        },
    }
    if replicas is not None:
        spec = {"replicas": replicas, **spec}
    api = ROLLOUT_API if kind == "Rollout" else "apps/v1"
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name}, "spec": spec}


def service(name: str, selector: Mapping[str, str]) -> Obj:
    """A ClusterIP Service with an equality selector."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"selector": dict(selector), "ports": [{"port": 80, "targetPort": 8080}]},
    }


def ingress(
    name: str,
    backend: str,
    *,
    host: str = "web.example.com",
    path: str = "/",
    annotations: Mapping[str, str] | None = None,
) -> Obj:
    """A networking.k8s.io/v1 Ingress with one host and path."""
    meta: Obj = {"name": name}
    if annotations is not None:
        meta["annotations"] = dict(annotations)
    rule = {
        "host": host,
        "http": {
            "paths": [
                {
                    "path": path,
                    "pathType": "Prefix",
                    "backend": {"service": {"name": backend, "port": {"number": 80}}},
                }
            ]
        },
    }
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta,
        "spec": {"ingressClassName": "nginx", "rules": [rule]},
    }


def virtual_service(name: str, http: Sequence[Obj], namespace: str = "") -> Obj:
    """An Istio VirtualService with the given http routes."""
    meta: Obj = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {
        "apiVersion": "networking.istio.io/v1beta1",
        "kind": "VirtualService",
        "metadata": meta,
        "spec": {"hosts": ["web.example.com"], "http": [copy.deepcopy(h) for h in http]},
    }


def http_route(name: str, rules: Sequence[Obj]) -> Obj:
    """A Gateway API HTTPRoute with the given rules."""
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name},
        "spec": {
            "parentRefs": [{"name": "gw"}],
            "hostnames": ["web.example.com"],
            "rules": [copy.deepcopy(r) for r in rules],
        },
    }


def env(
    strategy: str,
    *,
    bluegreen: BlueGreenSettings | None = None,
    canary: CanarySettings | None = None,
    image: str | None = IMAGE,
) -> EnvConfig:
    """The ``production`` env of app ``web``."""
    return EnvConfig(
        app="web",
        name="production",
        overlay="overlays/production",
        strategy=strategy,
        image=image,
        bluegreen=bluegreen,
        canary=canary,
    )


def bluegreen_env(**given: Any) -> EnvConfig:
    """A bluegreen env; keys given count as set explicitly in gitshift.yaml."""
    values = {
        "service": "web",
        "preview_service": "web-preview",
        "color_label": "color",
        "colors": {"blue": "web-blue", "green": "web-green"},
        **given,
    }
    return env("bluegreen", bluegreen=BlueGreenSettings(**values, explicit=frozenset(given)))


def canary_env(traffic: str, **given: Any) -> EnvConfig:
    """A canary env of ``traffic``; keys given count as set explicitly in gitshift.yaml."""
    values = {
        "stable": "web",
        "canary": "web-canary",
        "route": "web",
        "steps": (10, 25, 50, 100),
        **given,
    }
    return env(
        "canary",
        canary=CanarySettings(traffic=traffic, **values, explicit=frozenset(given) | {"traffic"}),
    )


def affixed(objects: Iterable[Obj], prefix: str = "prod-", suffix: str = "") -> list[Obj]:
    """Objects renamed as an overlay's namePrefix/nameSuffix would (references left alone)."""
    out = copy.deepcopy(list(objects))
    for obj in out:
        obj["metadata"]["name"] = f"{prefix}{obj['metadata']['name']}{suffix}"
    return out


def canary_workloads(
    kind: str = "Deployment", *, canary_replicas: int = 0, services: bool = True
) -> list[Obj]:
    """Stable ``web`` (3 replicas, 1.0) and idle canary ``web-canary``, told apart by ``track``."""
    objects = [
        workload("web", labels={"app": "web", "track": "stable"}, kind=kind),
        workload(
            "web-canary",
            labels={"app": "web", "track": "canary"},
            kind=kind,
            replicas=canary_replicas,
        ),
    ]
    if services:
        objects += [
            service("web", {"app": "web", "track": "stable"}),
            service("web-canary", {"app": "web", "track": "canary"}),
        ]
    return objects


def canary_plan(
    objects: Sequence[Obj] | Rendered, env: EnvConfig, action: str, **kw: Any
) -> list[Intent]:
    """``canary.<action>`` planned over ``objects``."""
    rendered = objects if isinstance(objects, Rendered) else Rendered(objects)
    return canary.plan(rendered, env, ShiftRequest("web", "production", f"canary.{action}", **kw))


def canary_run(rendered: Rendered, env: EnvConfig, action: str, **kw: Any) -> Rendered:
    """``rendered`` after ``canary.<action>``."""
    return apply(rendered, canary_plan(rendered, env, action, **kw))


def apply(rendered: Rendered, intents: Sequence[Intent]) -> Rendered:
    """The rendered set with the intents applied, as the rewriter and a re-render would give it."""
    objects = copy.deepcopy(rendered.objects)
    by_id = {ResourceId.of(o): o for o in objects}
    for i in intents:
        set_path(by_id[i.resource], i.path, i.value)
    return Rendered(objects)


def changes(intents: Sequence[Intent]) -> list[tuple[str, tuple[Any, ...], Any]]:
    """Intents as comparable ``(resource, path, value)`` triples."""
    return [(str(i.resource), i.path, i.value) for i in intents]
