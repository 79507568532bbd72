"""A synthetic GitOps monorepo: ``apps/<app>/base``, an overlay per env, and ``gitshift.yaml``.

Usage: python benchmarks/monorepo.py DIR --apps N [--envs staging,production] [--shared]

``--shared`` writes the shape where overlays share bases: every app base includes
``platform/base``, and every base (the platform's, the app's) and overlay has
``commonLabels``, a ``configMapGenerator`` (the overlay's merges into the base's) and patches.
"""

from __future__ import annotations

import argparse
from pathlib import Path

_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  labels:
    app.kubernetes.io/name: {app}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
    spec:
      containers:
      - name: {app}
        image: registry.example.com/{app}:1.0.0
        ports:
        - name: http
          containerPort: 8080
        readinessProbe:
          httpGet:
            path: /healthz
            port: http
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            memory: 256Mi
{env_from}"""
_ENV_FROM = """\
        envFrom:
        - configMapRef:
            name: {app}-config
"""
_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {app}
spec:
  selector:
    app: {app}
  ports:
  - name: http
    port: 80
    targetPort: http
"""
_INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {app}
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
spec:
  ingressClassName: nginx
  rules:
  - host: {app}.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: {app}
            port:
              number: 80
"""
_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "search,checkout"
"""
_OVERLAY = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../base
{prefix}namespace: {env}
labels:
- pairs:
    env: {env}
images:
- name: registry.example.com/{app}
  newTag: "1.{n}.0"
replicas:
- name: {app}
  count: {replicas}
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {app}
    spec:
      template:
        spec:
          containers:
          - name: {app}
            env:
            - name: ENVIRONMENT
              value: {env}
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _app(root: Path, n: int, app: str, envs: tuple[str, ...]) -> None:
    base = root / "apps" / app / "base"
    has_config = n % 2 == 0
    env_from = _ENV_FROM.format(app=app) if has_config else ""
    _write(base / "deployment.yaml", _DEPLOYMENT.format(app=app, env_from=env_from))
    _write(base / "service.yaml", _SERVICE.format(app=app))
    _write(base / "ingress.yaml", _INGRESS.format(app=app))
    files = ["deployment.yaml", "service.yaml", "ingress.yaml"]
    if has_config:
        _write(base / "configmap.yaml", _CONFIGMAP.format(app=app))
        files.append("configmap.yaml")
    _write(base / "kustomization.yaml", "resources:\n" + "".join(f"- {f}\n" for f in files))
    for i, env in enumerate(envs):
        prefix = f"namePrefix: {env[:4]}-\n" if n % 3 == 0 else ""
        text = _OVERLAY.format(app=app, env=env, n=n % 50, replicas=2 + i, prefix=prefix)
        _write(root / "apps" / app / "overlays" / env / "kustomization.yaml", text)


def _config(apps: list[str], envs: tuple[str, ...]) -> str:
    lines = ["apps:"]
    for app in apps:
        lines += [f"  {app}:", f"    image: registry.example.com/{app}", "    envs:"]
        for env in envs:
            lines += [
                f"      {env}:",
                "        strategy: rolling",
                f"        overlay: apps/{app}/overlays/{env}",
            ]
    return "\n".join(lines) + "\n"


def generate(root: Path, apps: int, envs: tuple[str, ...] = ("staging", "production")) -> None:
    """Write ``apps`` apps (a base and an overlay per env each) and ``gitshift.yaml``."""
    names = [f"app-{n:04d}" for n in range(apps)]
    for n, app in enumerate(names):
        _app(root, n, app, envs)
    _write(root / "gitshift.yaml", _config(names, envs))


_PLATFORM_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
commonLabels:
  app.kubernetes.io/part-of: shop
resources:
- networkpolicy.yaml
configMapGenerator:
- name: platform-env
  literals:
  - OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector.observability:4317
  - REGION=eu-west-1
patches:
- patch: |-
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: default-deny
    spec:
      policyTypes:
      - Ingress
      - Egress
"""
_NETWORK_POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes:
  - Ingress
"""
_SHARED_BASE = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../../platform/base
- deployment.yaml
- service.yaml
commonLabels:
  app.kubernetes.io/name: {app}
configMapGenerator:
- name: {app}-config
  literals:
  - LOG_LEVEL=info
  - FEATURE_FLAGS=search,checkout
patches:
- target:
    kind: Deployment
    name: {app}
  patch: |-
    - op: add
      path: /spec/template/spec/containers/0/envFrom/-
      value:
        configMapRef:
          name: platform-env
"""
_SHARED_OVERLAY = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../base
namespace: {app}-{env}
commonLabels:
  env: {env}
configMapGenerator:
- name: {app}-config
  behavior: merge
  literals:
  - LOG_LEVEL={level}
images:
- name: registry.example.com/{app}
  newTag: "1.{n}.0"
replicas:
- name: {app}
  count: {replicas}
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {app}
    spec:
      template:
        spec:
          containers:
          - name: {app}
            env:
            - name: ENVIRONMENT
              value: {env}
            resources:
              limits:
                memory: {memory}
"""
SHARED_ENVS = ("dev", "staging", "production-eu", "production-us")


def _shared_app(root: Path, n: int, app: str, envs: tuple[str, ...]) -> None:
    base = root / "apps" / app / "base"
    _write(base / "deployment.yaml", _DEPLOYMENT.format(app=app, env_from=_ENV_FROM.format(app=app)))
    _write(base / "service.yaml", _SERVICE.format(app=app))
    _write(base / "kustomization.yaml", _SHARED_BASE.format(app=app))
    for i, env in enumerate(envs):
        text = _SHARED_OVERLAY.format(app=app, env=env, n=n % 50, replicas=1 + i, level=("debug", "info")[i > 0],
                                      memory=f"{256 * (1 + i)}Mi")
        _write(root / "apps" / app / "overlays" / env / "kustomization.yaml", text)


def generate_shared(root: Path, apps: int, envs: tuple[str, ...] = SHARED_ENVS) -> None:
    """Write ``platform/base``, ``apps`` apps sharing it (a base and an overlay per env each), ``gitshift.yaml``."""
    _write(root / "platform" / "base" / "kustomization.yaml", _PLATFORM_KUSTOMIZATION)
    _write(root / "platform" / "base" / "networkpolicy.yaml", _NETWORK_POLICY)
    names = [f"app-{n:04d}" for n in range(apps)]
    for n, app in enumerate(names):
        _shared_app(root, n, app, envs)
    _write(root / "gitshift.yaml", _config(names, envs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--envs", help="comma-separated (default: staging,production; with --shared: "
                        + ",".join(SHARED_ENVS) + ")")
    parser.add_argument("--shared", action="store_true", help="overlays sharing bases (see above)")
    args = parser.parse_args()
    if args.shared:
        generate_shared(args.dir, args.apps, tuple(args.envs.split(",")) if args.envs else SHARED_ENVS)
    else:
        generate(args.dir, args.apps, tuple(args.envs.split(",")) if args.envs else ("staging", "production"))


if __name__ == "__main__":
    main()
