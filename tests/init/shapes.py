"""Small repositories shaped like well-known GitOps layouts: their kustomization structure, not their code.

- ``MICROSERVICES_DEMO``: GoogleCloudPlatform/microservices-demo. A plain
  ``kubernetes-manifests/`` kustomization with bare image names, a
  ``kustomize/base`` with registry images, ``kustomize/`` on top of it,
  ``kind: Component`` folders and ``kustomize/tests/*`` overlays combining them.
- ``PODINFO``: stefanprodan/podinfo. A standalone ``kustomize/`` folder, and
  ``deploy/bases/*`` (one image in Deployments, a StatefulSet and CronJobs; redis
  with a generated ConfigMap) under ``deploy/overlays/{dev,staging,production}``,
  whose ``transformers:`` field the builtin engine does not support.
- ``ARGOCD_EXAMPLE_APPS``: argoproj/argocd-example-apps. ``kustomize-guestbook``
  with a ``namePrefix``, ``pre-post-sync`` building on it through ``bases:`` with hook
  Jobs, ``sock-shop`` with many images (one of them in two Deployments, one a
  sidecar), and a ``plugins/kustomized-helm`` overlay whose resource a plugin
  generates (it does not render).
"""

from __future__ import annotations


def deployment(name: str, image: str, labels: dict[str, str] | None = None, *, extra: str = "",
               init_image: str = "", kind: str = "Deployment", replicas: int | None = None) -> str:
    """A workload manifest running ``image`` (and an init container running ``init_image``)."""
    labels = labels or {"app": name}
    label_lines = "".join(f"\n        {k}: {v}" for k, v in labels.items())
    match_lines = "".join(f"\n      {k}: {v}" for k, v in labels.items())
    init = f"\n      initContainers:\n      - name: init\n        image: {init_image}" if init_image else ""
    reps = f"\n  replicas: {replicas}" if replicas is not None else ""
    return f"""apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
spec:{reps}{extra}
  selector:
    matchLabels:{match_lines}
  template:
    metadata:
      labels:{label_lines}
    spec:{init}
      containers:
      - name: main
        image: {image}
"""


def service(name: str, selector: dict[str, str] | None = None) -> str:
    """A Service selecting ``selector`` (default ``app: name``)."""
    selector = selector or {"app": name}
    lines = "".join(f"\n    {k}: {v}" for k, v in selector.items())
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:{lines}
  ports:
  - port: 80
"""


def kustomization(*resources: str, extra: str = "", kind: str = "Kustomization") -> str:
    """A kustomization file listing ``resources``."""
    api = "v1alpha1" if kind == "Component" else "v1beta1"
    res = "resources:\n" + "".join(f"- {r}\n" for r in resources) if resources else ""
    return f"apiVersion: kustomize.config.k8s.io/{api}\nkind: {kind}\n{res}{extra}"


_REGISTRY = "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo"
_SERVICES = ("adservice", "cartservice", "frontend", "loadgenerator")


def _boutique(folder: str, prefix: str) -> dict[str, str]:
    out = {}
    for name in _SERVICES:
        image = f"{prefix}{name}:v0.10.6" if prefix else name
        init = "busybox:1.38.0" if name == "loadgenerator" else ""
        text = deployment(name, image, init_image=init)
        if name != "loadgenerator":
            text += "---\n" + service(name)
        if name == "cartservice":
            text += "---\n" + deployment("redis-cart", "redis:alpine") + "---\n" + service("redis-cart")
        if name == "frontend":
            text += "---\n" + service("frontend-external", {"app": "frontend"})
        out[f"{folder}/{name}.yaml"] = text
    out[f"{folder}/kustomization.yaml"] = kustomization(*(f"{n}.yaml" for n in _SERVICES))
    return out


MICROSERVICES_DEMO: dict[str, str] = {
    **_boutique("kubernetes-manifests", ""),
    **_boutique("kustomize/base", f"{_REGISTRY}/"),
    "kustomize/kustomization.yaml": kustomization("base", extra="components:\n# - components/cymbal-branding\n"),
    "kustomize/components/without-loadgenerator/kustomization.yaml": kustomization(
        kind="Component", extra="patches:\n- path: delete-loadgenerator.patch.yaml\n"),
    "kustomize/components/without-loadgenerator/delete-loadgenerator.patch.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: loadgenerator\n$patch: delete\n",
    "kustomize/components/service-mesh-istio/kustomization.yaml": kustomization(
        "frontend.yaml", "frontend-gateway.yaml", kind="Component",
        extra="patches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n"
              "      name: frontend-external\n    $patch: delete\n"),
    "kustomize/components/service-mesh-istio/frontend.yaml": """\
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: frontend
spec:
  hosts:
  - "frontend.default.svc.cluster.local"
  http:
  - route:
    - destination:
        host: frontend
        port:
          number: 80
""",
    "kustomize/components/service-mesh-istio/frontend-gateway.yaml": """\
apiVersion: gateway.networking.k8s.io/v1beta1
kind: HTTPRoute
metadata:
  name: frontend-route
spec:
  parentRefs:
  - name: istio-gateway
  rules:
  - matches:
    - path:
        value: /
    backendRefs:
    - name: frontend
      port: 80
""",
    "kustomize/components/google-cloud-operations/kustomization.yaml": kustomization(
        "otel-collector.yaml", kind="Component"),
    "kustomize/components/google-cloud-operations/otel-collector.yaml": deployment(
        "opentelemetrycollector", "otel/opentelemetry-collector-contrib:0.157.0",
        init_image="busybox:1.38.0") + "---\n" + service("opentelemetrycollector"),
    "kustomize/tests/service-mesh-istio-with-all-components/kustomization.yaml": kustomization(
        "../../base", extra="components:\n- ../../components/google-cloud-operations\n"
                            "- ../../components/service-mesh-istio\n"),
    "kustomize/tests/without-loadgenerator/kustomization.yaml": kustomization(
        "../../base", extra="components:\n- ../../components/without-loadgenerator\n"),
}
MICROSERVICES_DEMO_APPS = {"adservice", "cartservice", "frontend", "loadgenerator", "redis",
                           "opentelemetry-collector-contrib"}

_PODINFO = "ghcr.io/stefanprodan/podinfo:6.14.1"
_ROLLING = "\n  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 0"


def _cronjob(name: str, image: str) -> str:
    return f"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            app.kubernetes.io/name: {name}
        spec:
          restartPolicy: OnFailure
          containers:
          - name: {name}
            image: {image}
"""


def _podinfo_overlay(env: str) -> dict[str, str]:
    return {
        f"deploy/overlays/{env}/kustomization.yaml": kustomization(
            "../../bases/backend", "../../bases/frontend", "../../bases/cache", "../../bases/database",
            "namespace.yaml", extra=f"namespace: {env}\ntransformers:\n- labels.yaml\n"),
        f"deploy/overlays/{env}/namespace.yaml": f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {env}\n",
        f"deploy/overlays/{env}/labels.yaml": f"""\
apiVersion: builtin
kind: LabelTransformer
metadata:
  name: labels
labels:
  app.kubernetes.io/environment: {env}
fieldSpecs:
- path: metadata/labels
  create: true
""",
    }


def _named(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name}


PODINFO: dict[str, str] = {
    "kustomize/kustomization.yaml": kustomization("deployment.yaml", "service.yaml"),
    "kustomize/deployment.yaml": deployment("podinfo", _PODINFO, extra=_ROLLING),
    "kustomize/service.yaml": service("podinfo"),
    "deploy/bases/backend/kustomization.yaml": kustomization("service.yaml", "deployment.yaml"),
    "deploy/bases/backend/deployment.yaml": deployment("backend", _PODINFO, _named("backend"), extra=_ROLLING),
    "deploy/bases/backend/service.yaml": service("backend", _named("backend")),
    "deploy/bases/frontend/kustomization.yaml": kustomization("service.yaml", "deployment.yaml", "cronjob.yaml"),
    "deploy/bases/frontend/deployment.yaml": deployment("frontend", _PODINFO, _named("frontend"), extra=_ROLLING),
    "deploy/bases/frontend/service.yaml": service("frontend", _named("frontend")),
    "deploy/bases/frontend/cronjob.yaml": _cronjob("warm-cache", _PODINFO),
    "deploy/bases/cache/kustomization.yaml": kustomization(
        "service.yaml", "deployment.yaml",
        extra="configMapGenerator:\n- name: redis-config\n  files:\n  - redis.conf\n"),
    "deploy/bases/cache/deployment.yaml": deployment("cache", "docker.io/redis:8.8.0", _named("cache")),
    "deploy/bases/cache/service.yaml": service("cache", _named("cache")),
    "deploy/bases/cache/redis.conf": "maxmemory 64mb\n",
    "deploy/bases/database/kustomization.yaml": kustomization(
        "statefulset-primary.yaml", "deployment-replica.yaml", "service-primary.yaml", "cronjob-backup.yaml"),
    "deploy/bases/database/statefulset-primary.yaml": deployment(
        "database-primary", _PODINFO, {"app.kubernetes.io/name": "database-primary",
                                       "app.kubernetes.io/part-of": "database"}, kind="StatefulSet"),
    "deploy/bases/database/deployment-replica.yaml": deployment(
        "database-replica", _PODINFO, {"app.kubernetes.io/name": "database-replica",
                                       "app.kubernetes.io/part-of": "database"}, extra=_ROLLING),
    "deploy/bases/database/service-primary.yaml": service("database-primary", _named("database-primary")),
    "deploy/bases/database/cronjob-backup.yaml": _cronjob("backup-daily", _PODINFO),
    **_podinfo_overlay("dev"),
    **_podinfo_overlay("staging"),
    **_podinfo_overlay("production"),
}
PODINFO_APPS = {"podinfo", "redis"}

ARGOCD_EXAMPLE_APPS: dict[str, str] = {
    "kustomize-guestbook/kustomization.yaml": "namePrefix: kustomize-\n\nresources:\n- guestbook-ui-deployment.yaml\n"
                                              "- guestbook-ui-svc.yaml\n",
    "kustomize-guestbook/guestbook-ui-deployment.yaml": deployment(
        "guestbook-ui", "gcr.io/google-samples/gb-frontend:v5", replicas=1),
    "kustomize-guestbook/guestbook-ui-svc.yaml": service("guestbook-ui"),
    "pre-post-sync/kustomization.yaml": "namePrefix: pre-post-sync-\n\nbases:\n- ../kustomize-guestbook\n\n"
                                        "resources:\n- pre-sync-job.yaml\n",
    "pre-post-sync/pre-sync-job.yaml": """\
apiVersion: batch/v1
kind: Job
metadata:
  name: before
  annotations:
    argocd.argoproj.io/hook: PreSync
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: sleep
        image: alpine:latest
""",
    "sock-shop/kustomization.yaml": "resources:\n" + "".join(
        f"  - base/{n}-dep.yaml\n  - base/{n}-svc.yaml\n"
        for n in ("carts", "carts-db", "orders-db", "front-end", "rabbitmq", "session-db")),
    "sock-shop/base/carts-dep.yaml": deployment("carts", "weaveworksdemos/carts:0.4.8"),
    "sock-shop/base/carts-db-dep.yaml": deployment("carts-db", "mongo"),
    "sock-shop/base/orders-db-dep.yaml": deployment("orders-db", "mongo"),
    "sock-shop/base/front-end-dep.yaml": deployment("front-end", "weaveworksdemos/front-end:0.3.12"),
    "sock-shop/base/rabbitmq-dep.yaml": deployment("rabbitmq", "rabbitmq:3.6.8-management").replace(
        "        image: rabbitmq:3.6.8-management\n",
        "        image: rabbitmq:3.6.8-management\n      - name: rabbitmq-exporter\n"
        "        image: kbudde/rabbitmq-exporter\n"),
    "sock-shop/base/session-db-dep.yaml": deployment("session-db", "redis:alpine"),
    **{f"sock-shop/base/{n}-svc.yaml": service(n)
       for n in ("carts", "carts-db", "orders-db", "front-end", "rabbitmq", "session-db")},
    "plugins/kustomized-helm/kustomization.yaml": "namePrefix: kustomize-\n\nresources:\n- ./all.yaml\n",
    "plugins/kustomized-helm/Chart.yaml": "apiVersion: v2\nname: helm-guestbook\nversion: 0.1.0\n",
}
ARGOCD_EXAMPLE_APPS_APPS = {"gb-frontend", "carts", "mongo", "front-end", "rabbitmq", "rabbitmq-exporter", "redis"}
