"""Repository trees with Helm releases: a Flux HelmRelease overlay, an Argo CD Application overlay, a values file."""

from __future__ import annotations

HELMRELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: search
  namespace: prod
spec:
  interval: 5m
  chart:
    spec:
      chart: ./charts/search
      sourceRef:
        kind: GitRepository
        name: gitops
  values:
    # the stable release
    image:
      repository: ghcr.io/acme/search
      tag: "1.0.0"   # pinned by CI
    replicaCount: 3
    canary:
      image:
        tag: ""
      replicaCount: 0
    router:
      canaryWeight: 0
      canaryHeader: ""
"""

APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://git.example.com/gitops.git
    path: charts/web
    targetRevision: main
    helm:
      parameters:
        - name: router.activeColor
          value: blue
        - name: blue.replicaCount
          value: "2"
      values: |
        # web values, kept as text
        image:
          repository: ghcr.io/acme/web
        blue:
          image: {tag: 2.0.0}
          replicaCount: 1   # overridden by the parameter
        green:
          image:
            tag: '1.9.0'
          replicaCount: 0
        router:
          activeColor: green
  destination:
    server: https://kubernetes.default.svc
    namespace: web
"""

VALUES_OBJECT_APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: api
  namespace: argocd
spec:
  project: default
  sources:
    - repoURL: https://git.example.com/gitops.git
      path: charts/api
      targetRevision: main
      helm:
        valuesObject:
          image: ghcr.io/acme/api:3.0.0
          replicaCount: 2
  destination:
    server: https://kubernetes.default.svc
    namespace: api
"""

VALUES_FILE = """\
# production values for the search chart
image:
  repository: ghcr.io/acme/search
  tag: '1.0.0'
replicaCount: 2
resources: {limits: {cpu: 500m}}
"""

CONFIG = """\
apps:
  search:
    image: ghcr.io/acme/search
    envs:
      prod:
        overlay: overlays/prod
        strategy: canary
        canary: {steps: [10, 50, 100]}
        helm:
          release: search
          image: {repository: image.repository, tag: image.tag}
          replicas: replicaCount
          canary: {image_tag: canary.image.tag, replicas: canary.replicaCount, weight: router.canaryWeight,
                   header: router.canaryHeader}
      stage:
        overlay: overlays/stage
        strategy: rolling
        helm:
          release: search
          image: {repository: image.repository, tag: image.tag}
          replicas: replicaCount
      values:
        strategy: rolling
        helm:
          values_file: charts/search/values-prod.yaml
          image: {tag: image.tag}
          replicas: replicaCount
  web:
    envs:
      prod:
        overlay: overlays/prod
        strategy: bluegreen
        helm:
          release: web
          image: {repository: image.repository, tag: image.tag}
          bluegreen: {active: router.activeColor, image_tag: "${color}.image.tag", replicas: "${color}.replicaCount"}
  api:
    envs:
      prod:
        overlay: overlays/prod
        helm:
          release: api
          image: {ref: image}
          replicas: replicaCount
"""


def tree(config: str = CONFIG) -> dict[str, str]:
    """One overlay holding all three release objects, a stage overlay with a HelmRelease of its own, a values
    file beside a chart, and the config."""
    return {
        "overlays/prod/kustomization.yaml": "resources:\n  - helmrelease.yaml\n  - web.yaml\n  - api.yaml\n",
        "overlays/prod/helmrelease.yaml": HELMRELEASE,
        "overlays/prod/web.yaml": APPLICATION,
        "overlays/prod/api.yaml": VALUES_OBJECT_APP,
        "overlays/stage/kustomization.yaml": "resources:\n  - helmrelease.yaml\n",
        "overlays/stage/helmrelease.yaml": HELMRELEASE.replace("namespace: prod", "namespace: stage"),
        "charts/search/values-prod.yaml": VALUES_FILE,
        "gitshift.yaml": config,
    }
