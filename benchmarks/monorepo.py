"""A synthetic GitOps monorepo: ``apps/<app>/base``, an overlay per env, and ``gitshift.yaml``.

Usage: python benchmarks/monorepo.py DIR --apps N [--envs staging,production]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--envs", default="staging,production")
    args = parser.parse_args()
    generate(args.dir, args.apps, tuple(args.envs.split(",")))


if __name__ == "__main__":
    main()
