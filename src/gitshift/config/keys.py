"""The reference of ``gitshift.yaml``: every key, its type, default and meaning (docs/configuration.md)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

STRATEGIES = ("recreate", "rolling", "bluegreen", "canary", "rollout", "flagger")
TRAFFIC_KINDS = ("nginx", "istio", "gateway", "replicas")
FORGE_KINDS = ("github", "gitlab", "gitea")
PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
DEFAULT_TOKEN_ENV = {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN", "gitea": "GITEA_TOKEN"}
DEFAULT_APP_KEY_ENV = "GITSHIFT_APP_KEY"
DEFAULT_API_URL = {"github": "https://api.github.com", "gitlab": "https://gitlab.com/api/v4"}


@dataclass(frozen=True)
class Key:
    """One key of ``gitshift.yaml``: the loader accepts only declared keys, and docs/configuration.md lists them.

    ``path`` names the key from the top, with ``<app>``/``<env>``/``<color>`` for names the user picks and
    ``[]`` for list items. ``default`` is as the reference shows it; ``example`` is a value that loads.
    """

    path: str
    type: str
    default: str
    doc: str
    example: Any = None


ENV_KEY = "apps.<app>.envs.<env>"
HELM_KEY = f"{ENV_KEY}.helm"
# Adding a key is one line here (and the code that reads it); tests/docs check the reference is regenerated.
KEYS: tuple[Key, ...] = (
    Key("forge", "mapping", "none", "where pull/merge requests go; without it `--pr` is refused (exit 2)"),
    Key("forge.kind", "`github` | `gitlab` | `gitea`", "`github`", "the forge's API (`gitea`: Gitea and Forgejo)",
        "gitlab"),
    Key("forge.project", "string", "required", "`owner/repo` (GitHub, Gitea) or the project path (GitLab)",
        "acme/gitops"),
    Key("forge.api_url", "http(s) URL", "`https://api.github.com`, `https://gitlab.com/api/v4`; required for gitea",
        "the API root (GitHub Enterprise, self-hosted GitLab, `https://HOST/api/v1` for Gitea)",
        "https://ghe.example.com/api/v3"),
    Key("forge.base", "branch", "`main`", "the branch pull requests target", "main"),
    Key("forge.token_env", "variable name", "`GITHUB_TOKEN`, `GITLAB_TOKEN`, `GITEA_TOKEN`",
        "the environment variable holding the forge token", "GITOPS_TOKEN"),
    Key("forge.retries", "integer 1-20", "`6`", "tries of one API call, the first included (429, 5xx, "
        "connection errors)", 6),
    Key("forge.timeout", "seconds 1-3600", "`120`", "the most one API call may take, retries included", 120),
    Key("forge.app_id", "integer (or client id)", "none (`GITSHIFT_APP_ID` when set)",
        "authenticate as this GitHub App: installation tokens replace `token_env`", 4242),
    Key("forge.private_key_env", "variable name", "`GITSHIFT_APP_KEY`",
        "the environment variable holding the App's private key (PEM)", "GITSHIFT_APP_KEY"),
    Key("forge.private_key_file", "path", "none",
        "the App's private key file instead (relative to the repository root; keep it out of git)",
        "/run/secrets/app.pem"),
    Key("forge.installation_id", "integer", "looked up per repository", "the App's installation", 123),
    Key("forge.commit_via", "`git` | `api`", "`git`", "`api`: the forge makes the shift's commit through its API "
        "instead of a push, never forced: GitHub's Git Data API (verified commits), GitLab's Commits API, Gitea's "
        "ChangeFiles (Gitea 1.20 and later, Forgejo)", "api"),
    Key("commands", "mapping", "see below", "who may run pull request comment commands"),
    Key("commands.prefix", "string", "`/gitshift`", "what a command comment's first line starts with", "/gitshift"),
    Key("commands.min_permission", "`none` | `read` | `triage` | `write` | `maintain` | `admin`",
        "`write`", "the commenter's least repository permission", "maintain"),
    Key("commands.allow_users", "list of logins", "`[]` (anyone with the permission)",
        "if set, only these logins run anything", ["alice", "bob"]),
    Key("commands.rules", "list of rules", "`[]`", "narrower rules; the first matching env and verb wins"),
    Key("commands.rules[].envs", "list of env names", "`[]` (any env)", "the envs the rule applies to",
        ["production"]),
    Key("commands.rules[].verbs", "list of verbs", "`[]` (any verb)",
        "trailer actions (`canary.promote`) or families (`canary`)", ["promote", "bluegreen.promote"]),
    Key("commands.rules[].allow_users", "list of logins", "`[]` (anyone with the permission)",
        "only these logins", ["alice"]),
    Key("commands.rules[].min_permission", "permission", "`commands.min_permission`",
        "the least permission for this rule", "admin"),
    Key("apps", "mapping of app name to app", "required", "the apps and their envs (at least one)"),
    Key("apps.<app>", "mapping", "required", "one app"),
    Key("apps.<app>.image", "image name", "none", "the app's image name as the manifests write it",
        "ghcr.io/acme/web"),
    Key("apps.<app>.envs", "mapping of env name to env", "required", "the app's envs (at least one)"),
    Key(ENV_KEY, "mapping", "required", "one env of the app"),
    Key(f"{ENV_KEY}.overlay", "path", "required", "the env's Kustomize overlay, relative to the repository root "
        "and inside it", "overlays/production"),
    Key(f"{ENV_KEY}.strategy", "`recreate` | `rolling` | `bluegreen` | `canary` | `rollout` | `flagger`",
        "`rolling`", "how the env is released; with `rollout` (Argo Rollouts) and `flagger` (Flagger) the "
        "controller progresses the release and gitshift sets the image only", "bluegreen"),
    Key(f"{ENV_KEY}.image", "image name", "the app's `image`", "this env's image name, where it differs",
        "registry.example.com/web"),
    Key(f"{ENV_KEY}.require_digest", "boolean", "`false`", "refuse shifts that set an image without a digest", True),
    Key(f"{ENV_KEY}.bluegreen", "mapping", "the defaults below", "names a `bluegreen` env relies on"),
    Key(f"{ENV_KEY}.bluegreen.service", "Service name", "`<app>`", "the active Service", "web"),
    Key(f"{ENV_KEY}.bluegreen.preview_service", "Service name", "`<app>-preview`",
        "the preview Service (unused when the overlay has none)", "web-preview"),
    Key(f"{ENV_KEY}.bluegreen.color_label", "label key", "`color`", "the pod label that tells the colors apart",
        "slot"),
    Key(f"{ENV_KEY}.bluegreen.colors", "mapping of two colors to workload names",
        "`{blue: <app>-blue, green: <app>-green}`", "the Deployment (or Rollout) of each color",
        {"blue": "web-blue", "green": "web-green"}),
    Key(f"{ENV_KEY}.canary", "mapping", "the defaults below", "names and steps a `canary` env relies on"),
    Key(f"{ENV_KEY}.canary.traffic", "`nginx` | `istio` | `gateway` | `replicas`", "`nginx`",
        "how traffic is split between stable and canary", "istio"),
    Key(f"{ENV_KEY}.canary.stable", "name", "`<app>`", "the stable workload (and Service/Ingress for nginx)", "web"),
    Key(f"{ENV_KEY}.canary.canary", "name", "`<app>-canary`", "the canary workload (and Service/Ingress for nginx); "
        "not the stable one", "web-canary"),
    Key(f"{ENV_KEY}.canary.route", "name", "`<app>`", "the VirtualService (istio) or HTTPRoute (gateway)", "web"),
    Key(f"{ENV_KEY}.canary.steps", "ascending list of integers 0-100", "`[10, 25, 50, 100]`",
        "the weights `canary scale --next` walks through", [5, 20, 50, 100]),
    Key(HELM_KEY, "mapping", "none", "the env's release lives in Helm values (README, \"Helm releases\"); "
        "give one of `release`, `values_file`, `helm_chart`"),
    Key(f"{HELM_KEY}.release", "Kubernetes name", "none",
        "a Flux HelmRelease or Argo CD Application in the rendered overlay whose values hold the release"),
    Key(f"{HELM_KEY}.values_file", "path", "none",
        "instead of `release`: a values file in the repository; the env then has no `overlay`"),
    Key(f"{HELM_KEY}.helm_chart", "name", "none", "instead of `release`: a `helmCharts` entry of the overlay's "
        "kustomization (by `releaseName`, else `name`); its `valuesInline` and `valuesFile` are the values"),
    Key(f"{HELM_KEY}.image", "mapping", "required (not for bluegreen)",
        "value paths of the image: `{repository: PATH, tag: PATH}` or `{ref: PATH}`; a value path is dotted "
        "keys with list indexes, `image.tag`, `routes[0].weight`, `a[\"b.c\"]`"),
    Key(f"{HELM_KEY}.image.repository", "value path", "the app's `image`", "the image repository"),
    Key(f"{HELM_KEY}.image.tag", "value path", "none", "the image tag (the stable one in a canary env)"),
    Key(f"{HELM_KEY}.image.ref", "value path", "none", "instead of `repository` and `tag`: one string `name:tag`"),
    Key(f"{HELM_KEY}.image.digest", "value path", "none", "the image digest, where the chart takes one"),
    Key(f"{HELM_KEY}.replicas", "value path", "none", "the release's (or stable track's) replica count"),
    Key(f"{HELM_KEY}.canary", "mapping", "required for `canary`", "value paths of the canary"),
    Key(f"{HELM_KEY}.canary.image_tag", "value path", "required", "the canary's image tag"),
    Key(f"{HELM_KEY}.canary.weight", "value path", "required", "the canary's traffic weight, 0-100"),
    Key(f"{HELM_KEY}.canary.replicas", "value path", "none", "the canary's replica count"),
    Key(f"{HELM_KEY}.canary.header", "value path", "none", "the A/B header name (`--header NAME`)"),
    Key(f"{HELM_KEY}.canary.header_value", "value path", "none", "the A/B header value (`--header NAME=VALUE`)"),
    Key(f"{HELM_KEY}.bluegreen", "mapping", "required for `bluegreen`",
        "value paths of blue/green; `${color}` stands for each color"),
    Key(f"{HELM_KEY}.bluegreen.active", "value path", "required", "the live color"),
    Key(f"{HELM_KEY}.bluegreen.image_tag", "value path with `${color}`", "required", "each color's image tag"),
    Key(f"{HELM_KEY}.bluegreen.replicas", "value path with `${color}`", "none", "each color's replica count"),
    Key(f"{HELM_KEY}.bluegreen.preview", "value path", "none", "the color the preview routes to"),
    Key(f"{HELM_KEY}.bluegreen.colors", "list of two names", "`[blue, green]`", "the colors"),
    Key(f"{HELM_KEY}.render", "`auto` | `true` | `false`", "`auto`",
        "render the chart with `helm template`: `auto` in shifts (before and after) and for gate names where "
        "helm is on PATH, `true` also in `status` and `check` (exit 3 without helm), `false` never; "
        "`--engine helm` turns `auto` into `true`"),
    Key(f"{HELM_KEY}.chart", "path", "the release's local chart",
        "the chart folder `helm template` renders (a HelmRelease's GitRepository chart, an Application's "
        "`source.path`, a values file's folder)"),
    Key(f"{HELM_KEY}.release_name", "Kubernetes name", "as Flux or Argo CD name it", "the release name of the "
        "chart render (and of `status` for a values file)"),
    Key(f"{HELM_KEY}.namespace", "Kubernetes name", "as Flux or Argo CD name it",
        "the namespace of the chart render (and of `${namespace}` in gate queries)"),
    Key(f"{ENV_KEY}.argocd_app", "Kubernetes name", "`<app>-<env>`", "the env's Argo CD Application (gates)",
        "shop-prod"),
    Key(f"{ENV_KEY}.analysis", "mapping", "the defaults below", "how `gate` and `advance` judge the env's step"),
    Key(f"{ENV_KEY}.analysis.bake", "duration (`30s`, `5m`, `1h`)", "`5m`",
        "time since the sync that brought the step finished", "10m"),
    Key(f"{ENV_KEY}.analysis.on_no_data", "`wait` | `fail` | `pass`", "`wait`",
        "verdict of a check whose query returns no series (or NaN) once the bake time is over", "fail"),
    Key(f"{ENV_KEY}.analysis.on_failure", "`rollback` | `hold`", "`rollback`",
        "what `advance` does after a failed gate", "hold"),
    Key(f"{ENV_KEY}.analysis.promote", "boolean", "`true`", "promote after the last step passes", False),
    Key(f"{ENV_KEY}.analysis.checks", "list of checks", "`[]`",
        "Prometheus checks; every series must keep the bounds"),
    Key(f"{ENV_KEY}.analysis.checks[].name", "string", "required", "the check's name (unique in the env)",
        "error-rate"),
    Key(f"{ENV_KEY}.analysis.checks[].query", "PromQL", "required",
        "the query; `${app}` `${env}` `${namespace}` `${stable}` `${canary}` `${active}` `${preview}` "
        "`${service}` `${preview_service}` `${canary_service}` (and `${release}`, a Helm env's release) are "
        "replaced by rendered names, nothing else",
        'sum(rate(http_errors_total{pod=~"${canary}-.*"}[5m]))'),
    Key(f"{ENV_KEY}.analysis.checks[].max", "number", "none (give max, min or both)", "the highest value allowed",
        0.01),
    Key(f"{ENV_KEY}.analysis.checks[].min", "number", "none (give max, min or both)", "the lowest value allowed",
        0.95),
    Key("gates", "mapping", "none", "the read-only services `gate` and `advance` ask"),
    Key("gates.argocd", "mapping", "none", "Argo CD, for the sync and health of the env's Application"),
    Key("gates.argocd.url", "http(s) URL", "required", "the Argo CD API server", "https://argocd.example.com"),
    Key("gates.argocd.token_env", "variable name", "`ARGOCD_AUTH_TOKEN`",
        "the variable holding the Argo CD API token", "ARGOCD_TOKEN"),
    Key("gates.argocd.namespace", "Kubernetes name", "the server's own",
        "the Applications' namespace (`appNamespace`)", "argocd"),
    Key("gates.argocd.project", "string", "none", "only this project's Applications", "shop"),
    Key("gates.argocd.selector", "label selector", "none", "narrows the one list call of a run", "team=web"),
    Key("gates.prometheus", "mapping", "none", "Prometheus (or a compatible API), for the checks"),
    Key("gates.prometheus.url", "http(s) URL", "required", "the Prometheus API root", "http://prometheus:9090"),
    Key("gates.prometheus.token_env", "variable name", "`PROMETHEUS_TOKEN`",
        "a Bearer token, sent when the variable is set", "PROM_TOKEN"),
    Key("gates.retries", "integer 1-20", "`6`", "tries of one Argo CD or Prometheus call, the first included", 6),
    Key("gates.timeout", "seconds 1-3600", "`120`", "the most one call may take, retries included", 120),
)


@functools.cache  # asked once per env: thousands of times in a big monorepo
def known_keys(section: str) -> tuple[str, ...]:
    """The keys declared directly under ``section`` (``""`` for the top level, ``apps.<app>.envs.<env>``)."""
    prefix = f"{section}." if section else ""
    return tuple(k.path[len(prefix):] for k in KEYS
                 if k.path.startswith(prefix) and k.path != section
                 and "." not in k.path[len(prefix):])
