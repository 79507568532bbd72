"""What ``gitshift.yaml`` holds once read: frozen dataclasses, from the whole ``Config`` down to one env."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitshift.errors import InputError


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
