"""Loading and validating ``gitshift.yaml`` into frozen dataclasses (docs/configuration.md)."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitshift.errors import ConfigError, InputError

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


@dataclass(frozen=True)
class BlueGreenSettings:
    """Names a blue/green env relies on; ``explicit`` lists the keys the config set itself."""

    service: str
    preview_service: str
    color_label: str
    colors: Mapping[str, str]
    explicit: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CanarySettings:
    """Names and steps a canary env relies on; ``explicit`` lists the keys the config set itself."""

    traffic: str
    stable: str
    canary: str
    route: str
    steps: tuple[int, ...]
    explicit: frozenset[str] = frozenset()


# Gates (docs/configuration.md) ----------------------------------------------------

# `${name}` in a check's query; everything else in a query is PromQL and left alone.
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
PLACEHOLDERS = ("app", "env", "namespace", "stable", "canary", "active", "preview",
                "service", "preview_service", "canary_service", "release")
ON_NO_DATA = ("wait", "fail", "pass")
ON_FAILURE = ("rollback", "hold")
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
# A Kubernetes object name (DNS subdomain): what an Argo CD Application or namespace is called.
_K8S_NAME = re.compile(r"[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?")


@dataclass(frozen=True)
class ArgoCDConfig:
    """Where Argo CD answers; ``project`` and ``selector`` narrow the one list call of a run."""

    url: str
    token_env: str = "ARGOCD_AUTH_TOKEN"
    namespace: str | None = None
    project: str | None = None
    selector: str | None = None


@dataclass(frozen=True)
class PrometheusConfig:
    """Where Prometheus answers; the token (Bearer) is optional."""

    url: str
    token_env: str = "PROMETHEUS_TOKEN"


@dataclass(frozen=True)
class GatesConfig:
    """The read-only services gates ask, and how hard to try."""

    argocd: ArgoCDConfig | None = None
    prometheus: PrometheusConfig | None = None
    retries: int = 6
    timeout: float = 120.0


@dataclass(frozen=True)
class Check:
    """One Prometheus instant query and the bounds its value must keep."""

    name: str
    query: str
    max: float | None = None
    min: float | None = None


@dataclass(frozen=True)
class AnalysisConfig:
    """How an env's step is judged; ``bake`` in seconds."""

    bake: float = 300.0
    on_no_data: str = "wait"
    on_failure: str = "rollback"
    promote: bool = True
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class HelmImage:
    """Where a Helm release keeps its image: ``ref`` (one string) or ``repository`` and ``tag`` value paths."""

    ref: str | None = None
    repository: str | None = None
    tag: str | None = None
    digest: str | None = None


@dataclass(frozen=True)
class HelmCanary:
    """The value paths of a canary kept in Helm values."""

    image_tag: str
    weight: str
    replicas: str | None = None
    header: str | None = None
    header_value: str | None = None


@dataclass(frozen=True)
class HelmBlueGreen:
    """The value paths of blue/green kept in Helm values; ``${color}`` stands for each color."""

    active: str
    image_tag: str
    replicas: str | None = None
    preview: str | None = None
    colors: tuple[str, str] = ("blue", "green")


@dataclass(frozen=True)
class HelmSettings:
    """An env whose release lives in Helm values (README.md, "Helm releases").

    ``release`` names a Flux HelmRelease or Argo CD Application in the rendered
    overlay; ``values_file`` a values file in the repository (then no overlay);
    ``helm_chart`` a ``helmCharts`` entry of the overlay's kustomization.
    """

    release: str | None
    values_file: str | None
    image: HelmImage
    helm_chart: str | None = None  # a helmCharts entry of the overlay's kustomization (releaseName or name)
    replicas: str | None = None
    canary: HelmCanary | None = None
    bluegreen: HelmBlueGreen | None = None
    render: bool | str = "auto"  # True: helm template required; "auto": where helm is on PATH
    chart: str | None = None
    release_name: str | None = None
    namespace: str | None = None


@dataclass(frozen=True)
class EnvConfig:
    """One environment of one app: where its overlay is and how it is released."""

    app: str
    name: str
    overlay: str
    strategy: str
    image: str | None
    require_digest: bool = False
    bluegreen: BlueGreenSettings | None = None
    canary: CanarySettings | None = None
    argocd_app: str = ""
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    helm: HelmSettings | None = None

    @property
    def where(self) -> str:
        """Where an error about this env points: ``app/env, overlay`` (one level: no parentheses inside)."""
        return f"{self.app}/{self.name}, {self.overlay}"

    @property
    def argocd_name(self) -> str:
        """The Argo CD Application of this env (default ``<app>-<env>``)."""
        return self.argocd_app or f"{self.app}-{self.name}"


@dataclass(frozen=True)
class AppConfig:
    """An app and its environments, in config order."""

    name: str
    image: str | None
    envs: Mapping[str, EnvConfig]


@dataclass(frozen=True)
class ForgeConfig:
    """Where pull requests go."""

    kind: str
    project: str
    api_url: str
    base: str
    token_env: str
    retries: int = 6
    timeout: float = 120.0
    app_id: int | str | None = None  # GitHub App: mint installation tokens instead of reading token_env
    private_key_env: str | None = None
    private_key_file: str | None = None
    installation_id: int | None = None
    commit_via: str = "git"  # git: push commits made here; api: make them through the forge's API


@dataclass(frozen=True)
class Rule:
    """A narrower permission rule for comment commands; an empty tuple matches anything."""

    envs: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    allow_users: tuple[str, ...] = ()
    min_permission: str | None = None


@dataclass(frozen=True)
class CommandsConfig:
    """Who may run pull request comment commands."""

    prefix: str = "/gitshift"
    min_permission: str = "write"
    allow_users: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Config:
    """The whole ``gitshift.yaml``."""

    path: Path
    root: Path
    apps: Mapping[str, AppConfig]
    forge: ForgeConfig | None = None
    commands: CommandsConfig = field(default_factory=CommandsConfig)
    gates: GatesConfig = field(default_factory=GatesConfig)

    def env(self, app: str, env: str) -> EnvConfig:
        """The config of ``app`` in ``env``; unknown names are an InputError listing the known ones."""
        if app not in self.apps:
            known = _names(self.apps)
            raise InputError(f"unknown app {app!r}", str(self.path), f"known apps: {known}")
        envs = self.apps[app].envs
        if env not in envs:
            raise InputError(f"unknown env {env!r} for app {app!r}", str(self.path), f"known envs: {', '.join(envs)}")
        return envs[env]

    def select(self, app: str | None = None, env: str | None = None) -> list[EnvConfig]:
        """Every env of every app, narrowed by ``app`` and ``env`` (unknown names raise)."""
        if app is not None and app not in self.apps:
            raise InputError(f"unknown app {app!r}", str(self.path), f"known apps: {_names(self.apps)}")
        out = [e for a in self.apps.values() if app in (None, a.name)
               for e in a.envs.values() if env in (None, e.name)]
        if env is not None and not out:
            known = {e: None for a in self.apps.values() if app in (None, a.name) for e in a.envs}
            raise InputError(f"unknown env {env!r}", str(self.path), f"known envs: {_names(known)}")
        return out


def _names(names: Mapping[str, Any], limit: int = 8) -> str:
    """A short list of names for a hint (``a, b, c and 997 more``)."""
    shown = list(names)[:limit]
    more = len(names) - len(shown)
    return (", ".join(shown) or "none") + (f" and {more} more" if more > 0 else "")


class _Reader:
    """Walks the raw mapping, naming the key path in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, keys: str, expected: str) -> ConfigError:
        return ConfigError(f"{keys}: expected {expected}", str(self.path))

    def mapping(self, value: Any, keys: str, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(keys, "a mapping")
        if allowed is not None:
            for k in value:
                if k not in allowed:
                    raise ConfigError(f"{keys}.{k}: unknown key", str(self.path), f"known keys: {', '.join(allowed)}")
        return value

    def string(self, m: Mapping[str, Any], key: str, keys: str, default: str | None = None) -> str:
        value = m.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{keys}.{key}", "a non-empty string")
        return value

    def choice(self, m: Mapping[str, Any], key: str, keys: str, choices: tuple[str, ...], default: str) -> str:
        value = m.get(key, default)
        if value not in choices:
            raise self.fail(f"{keys}.{key}", f"one of {', '.join(choices)} (got {value!r})")
        return str(value)

    def strings(self, m: Mapping[str, Any], key: str, keys: str) -> tuple[str, ...]:
        value = m.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{keys}.{key}", "a list of strings")
        return tuple(value)


def _bluegreen(r: _Reader, app: str, raw: Any, keys: str) -> BlueGreenSettings:
    m = r.mapping(raw, keys, known_keys(f"{ENV_KEY}.bluegreen"))
    colors_raw = m.get("colors", {"blue": f"{app}-blue", "green": f"{app}-green"})
    colors = r.mapping(colors_raw, f"{keys}.colors")
    if len(colors) != 2 or not all(isinstance(v, str) and v for v in colors.values()):
        raise r.fail(f"{keys}.colors", "two colors, each mapped to a Deployment name")
    return BlueGreenSettings(
        service=r.string(m, "service", keys, app),
        preview_service=r.string(m, "preview_service", keys, f"{app}-preview"),
        color_label=r.string(m, "color_label", keys, "color"),
        colors={str(k): str(v) for k, v in colors.items()},
        explicit=frozenset(m),
    )


def _canary(r: _Reader, app: str, raw: Any, keys: str) -> CanarySettings:
    m = r.mapping(raw, keys, known_keys(f"{ENV_KEY}.canary"))
    steps = m.get("steps", [10, 25, 50, 100])
    if (not isinstance(steps, list) or not steps
            or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= 100 for s in steps)
            or steps != sorted(steps)):
        raise r.fail(f"{keys}.steps", "a non-empty ascending list of integers 0-100")
    stable, canary = r.string(m, "stable", keys, app), r.string(m, "canary", keys, f"{app}-canary")
    if stable == canary:
        raise ConfigError(f"{keys}: stable and canary both name {stable!r}", str(r.path),
                          "the canary needs a workload of its own beside the stable one")
    return CanarySettings(
        traffic=r.choice(m, "traffic", keys, TRAFFIC_KINDS, "nginx"),
        stable=stable,
        canary=canary,
        route=r.string(m, "route", keys, app),
        steps=tuple(steps),
        explicit=frozenset(m),
    )


def _env(r: _Reader, root: Path, app: str, image: str | None, name: str, raw: Any) -> EnvConfig:
    keys = f"apps.{app}.envs.{name}"
    m = r.mapping(raw, keys, known_keys(ENV_KEY))
    helm_raw = m.get("helm")
    if isinstance(helm_raw, dict) and "values_file" in helm_raw:
        if "overlay" in m:
            raise ConfigError(f"{keys}: give overlay or helm.values_file, not both", str(r.path),
                              "a values-file env has no overlay")
        m = {**m, "overlay": helm_raw["values_file"]}  # the values file stands where the overlay would
    overlay = r.string(m, "overlay", keys)
    # A lexical check here (cheap for thousands of envs); symlinks are checked when the overlay is rendered.
    normal = os.path.normpath(overlay)
    if normal.startswith(os.sep) or normal == ".." or normal.startswith(".." + os.sep):
        raise ConfigError(f"{keys}.overlay: {overlay!r} is outside the repository", str(r.path),
                          "give a path relative to the repository root, inside it")
    strategy = r.choice(m, "strategy", keys, STRATEGIES, "rolling")
    require_digest = m.get("require_digest", False)
    if not isinstance(require_digest, bool):
        raise r.fail(f"{keys}.require_digest", "true or false")
    env_image = m.get("image", image)
    if env_image is not None and not isinstance(env_image, str):
        raise r.fail(f"{keys}.image", "a string")
    return EnvConfig(
        app=app, name=name, overlay=_posix(overlay), strategy=strategy,
        image=env_image, require_digest=require_digest,
        bluegreen=_bluegreen(r, app, m.get("bluegreen"), f"{keys}.bluegreen") if strategy == "bluegreen" else None,
        canary=_canary(r, app, m.get("canary"), f"{keys}.canary") if strategy == "canary" else None,
        # The default joins two DNS labels: a Kubernetes name already.
        argocd_app=_k8s_name(r, m, "argocd_app", keys) if "argocd_app" in m else f"{app}-{name}",
        analysis=_analysis(r, m.get("analysis"), f"{keys}.analysis"),
        helm=_helm(r, helm_raw, f"{keys}.helm", strategy, env_image) if helm_raw is not None else None,
    )


# Helm values (README.md, "Helm releases") -----------------------------------------------

def _value_path(r: _Reader, m: Mapping[str, Any], key: str, keys: str, *, color: bool = False,
                required: bool = False) -> str | None:
    """A dotted value path (``image.tag``, ``a.b[0].c``), checked; ``${color}`` allowed where ``color``."""
    from gitshift.valuepaths import PathError, parse

    value = m.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise r.fail(f"{keys}.{key}", "a value path such as image.tag")
    if color and "${color}" not in value:
        raise r.fail(f"{keys}.{key}", f"a value path with ${{color}} in it, such as ${{color}}.image.tag "
                                      f"(got {value!r})")
    try:
        parse(value.replace("${color}", "color"))
    except PathError as exc:
        raise r.fail(f"{keys}.{key}", f"a value path such as image.tag ({exc})") from exc
    return value


def _repo_path(r: _Reader, m: Mapping[str, Any], key: str, keys: str) -> str | None:
    value = m.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise r.fail(f"{keys}.{key}", "a path relative to the repository root")
    normal = os.path.normpath(value)
    if Path(value).is_absolute() or normal == ".." or normal.startswith(".." + os.sep):
        raise ConfigError(f"{keys}.{key}: {value!r} is outside the repository", str(r.path),
                          "give a path relative to the repository root, inside it")
    return Path(value).as_posix().rstrip("/")


def _helm(r: _Reader, raw: Any, keys: str, strategy: str, app_image: str | None) -> HelmSettings:
    m = r.mapping(raw, keys, known_keys(HELM_KEY))
    for sub in ("image", "canary", "bluegreen"):  # unknown keys first, whatever else is wrong
        r.mapping(m.get(sub) if isinstance(m.get(sub), dict) else None, f"{keys}.{sub}",
                  known_keys(f"{HELM_KEY}.{sub}"))
    if sum(k in m for k in ("release", "values_file", "helm_chart")) != 1:
        raise r.fail(keys, "exactly one of release (a HelmRelease or Application), values_file and helm_chart "
                     "(a helmCharts entry)")
    release = _k8s_name(r, m, "release", keys) if "release" in m else None
    im = r.mapping(m.get("image"), f"{keys}.image", known_keys(f"{HELM_KEY}.image"))
    image = HelmImage(**{k: _value_path(r, im, k, f"{keys}.image") for k in ("ref", "repository", "tag", "digest")})
    tagless = strategy == "bluegreen" and image.ref is None and image.tag is None  # each color has its tag
    if not tagless and ((image.ref is None) == (image.tag is None) or (image.ref and image.repository)):
        raise r.fail(f"{keys}.image", "{ref: PATH} or {repository: PATH, tag: PATH}")
    if image.ref is None and image.repository is None and not app_image:
        raise r.fail(f"{keys}.image.repository",
                     "a value path, or an image: for the app (the section names only a tag)")
    canary = bluegreen = None
    if strategy == "canary":
        cm = r.mapping(m.get("canary"), f"{keys}.canary", known_keys(f"{HELM_KEY}.canary"))
        if image.ref is not None:
            raise r.fail(f"{keys}.image", "{repository: PATH, tag: PATH} for a canary env (the canary has a tag)")
        k = f"{keys}.canary"
        canary = HelmCanary(image_tag=str(_value_path(r, cm, "image_tag", k, required=True)),
                            weight=str(_value_path(r, cm, "weight", k, required=True)),
                            replicas=_value_path(r, cm, "replicas", k), header=_value_path(r, cm, "header", k),
                            header_value=_value_path(r, cm, "header_value", k))
    elif "canary" in m:
        raise r.fail(f"{keys}.canary", f"no canary section for strategy {strategy}")
    if strategy == "bluegreen":
        k = f"{keys}.bluegreen"
        bm = r.mapping(m.get("bluegreen"), k, known_keys(f"{HELM_KEY}.bluegreen"))
        if image.ref is not None:
            raise r.fail(f"{keys}.image", "{repository: PATH, tag: PATH} for a bluegreen env (each color has a tag)")
        colors = bm.get("colors", ["blue", "green"])
        if (not isinstance(colors, list) or len(colors) != 2 or len(set(colors)) != 2
                or not all(isinstance(c, str) and _K8S_NAME.fullmatch(c) for c in colors)):
            raise r.fail(f"{k}.colors", "two different color names")
        bluegreen = HelmBlueGreen(active=str(_value_path(r, bm, "active", k, required=True)),
                                  preview=_value_path(r, bm, "preview", k),
                                  image_tag=str(_value_path(r, bm, "image_tag", k, color=True, required=True)),
                                  replicas=_value_path(r, bm, "replicas", k, color=True),
                                  colors=(str(colors[0]), str(colors[1])))
    elif "bluegreen" in m:
        raise r.fail(f"{keys}.bluegreen", f"no bluegreen section for strategy {strategy}")
    render = m.get("render", "auto")
    if render not in (True, False, "auto"):
        raise r.fail(f"{keys}.render", "true, false or auto")
    return HelmSettings(
        release=release, values_file=_repo_path(r, m, "values_file", keys), image=image,
        helm_chart=_k8s_name(r, m, "helm_chart", keys) if "helm_chart" in m else None,
        replicas=_value_path(r, m, "replicas", keys), canary=canary, bluegreen=bluegreen, render=render,
        chart=_repo_path(r, m, "chart", keys),
        release_name=_k8s_name(r, m, "release_name", keys) if "release_name" in m else None,
        namespace=_k8s_name(r, m, "namespace", keys) if "namespace" in m else None,
    )


def _posix(overlay: str) -> str:
    """``overlay`` as ``Path(overlay).as_posix()`` spells it, without building a Path for the usual plain one."""
    if "\\" not in overlay and all(part not in ("", ".") for part in overlay.split("/")):
        return overlay  # no empty or "." segment: pathlib would give it back unchanged
    return Path(overlay).as_posix().rstrip("/")


def _forge(r: _Reader, raw: Any) -> ForgeConfig | None:
    if raw is None:
        return None
    m = r.mapping(raw, "forge", known_keys("forge"))
    retries, timeout = m.get("retries", 6), m.get("timeout", 120)
    if not isinstance(retries, int) or isinstance(retries, bool) or not 1 <= retries <= 20:
        raise r.fail("forge.retries", "an integer 1-20 (tries of one call, the first included)")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 1 <= timeout <= 3600:
        raise r.fail("forge.timeout", "seconds 1-3600 (the most one call may take, retries included)")
    kind = r.choice(m, "kind", "forge", FORGE_KINDS, "github")
    if kind == "gitea" and "api_url" not in m:
        raise r.fail("forge.api_url", "the Gitea or Forgejo API root, like https://git.example.com/api/v1")
    api_url = r.string(m, "api_url", "forge", DEFAULT_API_URL.get(kind)).rstrip("/")
    if not api_url.startswith(("http://", "https://")):
        raise r.fail("forge.api_url", "an http(s) URL")
    return ForgeConfig(kind=kind, project=r.string(m, "project", "forge"), api_url=api_url,
                       base=r.string(m, "base", "forge", "main"),
                       token_env=r.string(m, "token_env", "forge", DEFAULT_TOKEN_ENV[kind]),
                       retries=retries, timeout=float(timeout),
                       commit_via=r.choice(m, "commit_via", "forge", ("git", "api"), "git"),
                       **_app(r, m, kind))




def _app(r: _Reader, m: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """The GitHub App keys of ``forge:``; without an App id (here or in GITSHIFT_APP_ID) ``token_env`` is used."""
    keys = [k for k in ("app_id", "private_key_env", "private_key_file", "installation_id") if k in m]
    if kind != "github":
        if keys:
            raise ConfigError(f"forge.{keys[0]}: GitHub Apps are for kind github, not {kind}", str(r.path))
        return {}
    app_id, installation = m.get("app_id"), m.get("installation_id")
    numeric = isinstance(app_id, int) and not isinstance(app_id, bool) and app_id > 0
    client_id = isinstance(app_id, str) and app_id.replace(".", "").isalnum()
    if app_id is not None and not (numeric or client_id):
        raise r.fail("forge.app_id", "the App's numeric id (or its client id)")
    if installation is not None and (isinstance(installation, bool) or not isinstance(installation, int)
                                     or installation <= 0):
        raise r.fail("forge.installation_id", "a positive integer")
    if "private_key_env" in m and "private_key_file" in m:
        raise ConfigError("forge.private_key_file: give private_key_env or private_key_file, not both",
                          str(r.path))
    key_file = r.string(m, "private_key_file", "forge") if "private_key_file" in m else None
    key_env = None if key_file else r.string(m, "private_key_env", "forge", DEFAULT_APP_KEY_ENV)
    return {"app_id": app_id, "private_key_env": key_env, "private_key_file": key_file,
            "installation_id": installation}


def _commands(r: _Reader, raw: Any) -> CommandsConfig:
    m = r.mapping(raw, "commands", known_keys("commands"))
    rules = []
    raw_rules = m.get("rules") or []
    if not isinstance(raw_rules, list):
        raise r.fail("commands.rules", "a list")
    for i, raw_rule in enumerate(raw_rules):
        keys = f"commands.rules[{i}]"
        rm = r.mapping(raw_rule, keys, known_keys("commands.rules[]"))
        minp = rm.get("min_permission")
        if minp is not None and minp not in PERMISSIONS:
            raise r.fail(f"{keys}.min_permission", f"one of {', '.join(PERMISSIONS)}")
        rules.append(Rule(r.strings(rm, "envs", keys), r.strings(rm, "verbs", keys),
                          r.strings(rm, "allow_users", keys), minp))
    return CommandsConfig(
        prefix=r.string(m, "prefix", "commands", "/gitshift"),
        min_permission=r.choice(m, "min_permission", "commands", PERMISSIONS, "write"),
        allow_users=r.strings(m, "allow_users", "commands"),
        rules=tuple(rules),
    )


def yaml_loader() -> Any:
    """The one loader for YAML gitshift reads as data: safe, and libyaml's (~4x faster) where installed."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def duration(text: Any) -> float | None:
    """Seconds in ``30s``, ``5m``, ``1h`` or ``1h30m``; None when ``text`` is not such a duration."""
    found = _DURATION.fullmatch(text) if isinstance(text, str) and text else None
    if found is None:
        return None
    h, m, s = (int(g or 0) for g in found.groups())
    return float(h * 3600 + m * 60 + s)


def _k8s_name(r: _Reader, m: Mapping[str, Any], key: str, keys: str, default: str | None = None) -> str:
    value = r.string(m, key, keys, default)
    if not _K8S_NAME.fullmatch(value):
        raise r.fail(f"{keys}.{key}", f"a Kubernetes name: lower case letters, digits, '-' and '.' (got {value!r})")
    return value


def _url(r: _Reader, m: Mapping[str, Any], keys: str) -> str:
    url = r.string(m, "url", keys).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise r.fail(f"{keys}.url", "an http(s) URL")
    return url


def _gates(r: _Reader, raw: Any) -> GatesConfig:
    m = r.mapping(raw, "gates", known_keys("gates"))
    retries, timeout = m.get("retries", 6), m.get("timeout", 120)
    if not isinstance(retries, int) or isinstance(retries, bool) or not 1 <= retries <= 20:
        raise r.fail("gates.retries", "an integer 1-20 (tries of one call, the first included)")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 1 <= timeout <= 3600:
        raise r.fail("gates.timeout", "seconds 1-3600 (the most one call may take, retries included)")
    argocd = prometheus = None
    if m.get("argocd") is not None:
        a = r.mapping(m["argocd"], "gates.argocd", known_keys("gates.argocd"))
        optional: dict[str, str] = {k: r.string(a, k, "gates.argocd") for k in ("project", "selector") if k in a}
        if "namespace" in a:
            optional["namespace"] = _k8s_name(r, a, "namespace", "gates.argocd")
        argocd = ArgoCDConfig(url=_url(r, a, "gates.argocd"),
                              token_env=r.string(a, "token_env", "gates.argocd", "ARGOCD_AUTH_TOKEN"), **optional)
    if m.get("prometheus") is not None:
        p = r.mapping(m["prometheus"], "gates.prometheus", known_keys("gates.prometheus"))
        prometheus = PrometheusConfig(url=_url(r, p, "gates.prometheus"),
                                      token_env=r.string(p, "token_env", "gates.prometheus", "PROMETHEUS_TOKEN"))
    return GatesConfig(argocd=argocd, prometheus=prometheus, retries=retries, timeout=float(timeout))


def _bound(r: _Reader, m: Mapping[str, Any], key: str, keys: str) -> float | None:
    value = m.get(key)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
        raise r.fail(f"{keys}.{key}", "a number")
    return float(value)


def _check(r: _Reader, raw: Any, keys: str) -> Check:
    m = r.mapping(raw, keys, known_keys(f"{ENV_KEY}.analysis.checks[]"))
    name, query = r.string(m, "name", keys), r.string(m, "query", keys)
    for placeholder in PLACEHOLDER.findall(query):
        if placeholder not in PLACEHOLDERS:
            raise ConfigError(f"{keys}.query: unknown placeholder ${{{placeholder}}}", str(r.path),
                              "known: " + " ".join(f"${{{p}}}" for p in PLACEHOLDERS))
    high, low = _bound(r, m, "max", keys), _bound(r, m, "min", keys)
    if high is None and low is None:
        raise r.fail(keys, "max, min or both")
    if high is not None and low is not None and low > high:
        raise r.fail(f"{keys}.min", f"a number not above max ({high:g})")
    return Check(name=name, query=query, max=high, min=low)


def _analysis(r: _Reader, raw: Any, keys: str) -> AnalysisConfig:
    if raw is None:
        return _NO_ANALYSIS  # most envs: the defaults (frozen, so one shared value)
    m = r.mapping(raw, keys, known_keys(f"{ENV_KEY}.analysis"))
    bake = duration(m.get("bake", "5m"))
    if bake is None:
        raise r.fail(f"{keys}.bake", "a duration like 30s, 5m or 1h")
    promote = m.get("promote", True)
    if not isinstance(promote, bool):
        raise r.fail(f"{keys}.promote", "true or false")
    raw_checks = m.get("checks") or []
    if not isinstance(raw_checks, list):
        raise r.fail(f"{keys}.checks", "a list")
    checks = tuple(_check(r, c, f"{keys}.checks[{i}]") for i, c in enumerate(raw_checks))
    names = [c.name for c in checks]
    if len(set(names)) != len(names):
        raise r.fail(f"{keys}.checks", "checks with different names")
    return AnalysisConfig(bake=bake, on_no_data=r.choice(m, "on_no_data", keys, ON_NO_DATA, "wait"),
                          on_failure=r.choice(m, "on_failure", keys, ON_FAILURE, "rollback"),
                          promote=promote, checks=checks)


_NO_ANALYSIS = AnalysisConfig()
_LOADERS: dict[str, Any] = {}


def strict_loader() -> Any:
    """``yaml_loader`` refusing a key given twice in one mapping (YAML forbids it; PyYAML keeps the last)."""
    if "strict" in _LOADERS:
        return _LOADERS["strict"]
    import yaml

    base = yaml_loader()

    class StrictLoader(base):  # type: ignore[valid-type,misc]  # the loader class is chosen at run time
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key: the constructor below says so
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark)
            return super().construct_mapping(node, deep)

    _LOADERS["strict"] = StrictLoader
    return StrictLoader


_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null"))
_ASIDE = object()  # what _from_events answers when the text needs the strict loader


def load_yaml(text: str) -> Any:
    """``yaml.load(text, Loader=strict_loader())``, about 3x faster on the usual config (a 2,000-env file: ~25 ms).

    The data is built straight from libyaml's events; a text using anything beyond plain mappings,
    lists and str/int/float/bool/null scalars (anchors, tags, merge keys, complex or repeated keys,
    several documents), or one libyaml refuses, is read by the strict loader, which gives its
    exact value or error.
    """
    import yaml

    loader = strict_loader()
    raw = _from_events(text, loader)
    return yaml.load(text, Loader=loader) if raw is _ASIDE else raw


def _from_events(text: str, loader_class: Any) -> Any:
    import yaml
    from yaml import events
    from yaml.nodes import ScalarNode

    loader = loader_class(text)
    get, resolve, constructors = loader.get_event, loader.resolve, loader.yaml_constructors
    tags: dict[tuple[str, Any], str] = {}
    stack: list[Any] = []  # the open mappings and lists
    pending: list[Any] = []  # for each: the key waiting for its value (_ASIDE: none)
    root: Any = None
    documents = 0
    try:
        while True:
            event = get()
            kind = type(event)
            if kind is events.ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    return _ASIDE
                value: Any = event.value
                tag = tags.get((value, event.implicit))
                if tag is None:
                    tag = tags[(value, event.implicit)] = resolve(ScalarNode, value, event.implicit)
                if tag != "tag:yaml.org,2002:str":
                    if tag not in _PLAIN_TAGS:
                        return _ASIDE
                    value = constructors[tag](loader, ScalarNode(tag, value, event.start_mark, event.end_mark))
            elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    return _ASIDE
                value = {} if kind is events.MappingStartEvent else []
            elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
                if pending.pop() is not _ASIDE:
                    return _ASIDE
                stack.pop()
                continue
            elif kind is events.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return _ASIDE
                continue
            elif kind is events.StreamEndEvent:
                return root
            elif kind is events.DocumentEndEvent or kind is events.StreamStartEvent:
                continue
            else:  # an alias
                return _ASIDE
            if not stack:
                root = value
            elif type(stack[-1]) is list:
                stack[-1].append(value)
            elif pending[-1] is _ASIDE:
                if type(value) in (dict, list) or value in stack[-1]:
                    return _ASIDE  # a complex or repeated key
                pending[-1] = value
            else:
                stack[-1][pending[-1]] = value
                pending[-1] = _ASIDE
            if kind is not events.ScalarEvent:
                stack.append(value)
                pending.append(_ASIDE)
    except yaml.YAMLError:
        return _ASIDE
    finally:
        loader.dispose()


# Names of apps and envs reach branch names, commit trailers and Kubernetes-style labels.
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def _label(r: _Reader, name: Any, keys: str, what: str) -> str:
    if not isinstance(name, str) or len(name) > 63 or not DNS_LABEL.fullmatch(name):
        raise ConfigError(f"{keys}: {what} name {name!r} is not a DNS label", str(r.path),
                          "use lower-case letters, digits and '-', starting and ending with a letter or digit "
                          "(at most 63 characters)")
    return name


def parse(text: str, path: Path, root: Path) -> Config:
    """Validate the text of a config file into a Config; every error names file and key path."""
    import yaml

    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = str(getattr(exc, "problem", None) or exc)
        if problem.startswith("duplicate key"):
            raise ConfigError(problem, where, "give each key once: YAML readers disagree on which one wins") from exc
        raise ConfigError(f"malformed YAML: {problem}", where) from exc
    r = _Reader(path)
    top = r.mapping(raw, "(top level)", known_keys(""))
    apps_raw = r.mapping(top.get("apps"), "apps")
    if not apps_raw:
        raise r.fail("apps", "at least one app")
    apps: dict[str, AppConfig] = {}
    for name, raw_app in apps_raw.items():
        _label(r, name, "apps", "app")
        am = r.mapping(raw_app, f"apps.{name}", known_keys("apps.<app>"))
        image = am.get("image")
        if image is not None and not isinstance(image, str):
            raise r.fail(f"apps.{name}.image", "a string")
        envs_raw = r.mapping(am.get("envs"), f"apps.{name}.envs")
        if not envs_raw:
            raise r.fail(f"apps.{name}.envs", "at least one env")
        envs = {_label(r, e, f"apps.{name}.envs", "env"): _env(r, root, str(name), image, str(e), v)
                for e, v in envs_raw.items()}
        apps[str(name)] = AppConfig(str(name), image, envs)
    gates = _gates(r, top.get("gates"))
    if gates.prometheus is None:
        checked = next((f"apps.{e.app}.envs.{e.name}.analysis.checks" for a in apps.values()
                        for e in a.envs.values() if e.analysis.checks), None)
        if checked:
            raise ConfigError(f"{checked}: checks need gates.prometheus", str(path),
                              "add gates: {prometheus: {url: http://prometheus:9090}}")
    return Config(path=path, root=root, apps=apps, forge=_forge(r, top.get("forge")),
                  commands=_commands(r, top.get("commands")), gates=gates)


def load(path: Path, root: Path) -> Config:
    """Read and validate the config file at ``path`` for the repository at ``root``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("config file not found", str(path),
                          "create gitshift.yaml at the repository root, or pass -c FILE") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config: {exc}", str(path)) from exc
    return parse(text, path, root)
