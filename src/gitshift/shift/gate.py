"""The gate of an env's current step: its rendered names, its last shift, and the verdict of Argo CD and Prometheus.

README.md, "Gates", describes it for users. The overlay is rendered to learn the
names checks ask about (``${canary}`` → ``web-canary``) and the release's state; the
env's last shift commit comes from the history trailers; Argo CD must run a revision
that contains it. Nothing here writes anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from gitshift import files
from gitshift import strategies as registry
from gitshift.config import Config, EnvConfig
from gitshift.errors import ConfigError, GitError
from gitshift.gates.verdict import GateResult
from gitshift.gitops import history
from gitshift.gitops.repo import Repo
from gitshift.manifests import Obj, Rendered
from gitshift.render import Renderer
from gitshift.result import State
from gitshift.shift.compute import render

# The strategies whose releases advance step by step through a gate.
GATED = ("canary", "bluegreen")
# What an Argo CD revision must look like before it reaches git: a commit id, nothing else.
_COMMIT = re.compile(r"[0-9a-f]{7,64}")


@dataclass(frozen=True)
class Tokens:
    """The credentials of the gate services, read by the CLI from the variables the config names."""

    argocd: str | None = None
    prometheus: str | None = None


@dataclass(frozen=True)
class Live:
    """One env as a gate sees it: its config, render and state, placeholder names and last shift."""

    env: EnvConfig
    rendered: Rendered
    state: State
    names: Mapping[str, str]
    commit: str | None
    last_action: str | None


def read(config: Config, renderer: Renderer, envs: Sequence[EnvConfig], ref: str = "HEAD",
         moving_only: bool = False) -> list[Live]:
    """Render each env and find its last shift (one ``git log`` for all of them).

    A Helm env's chart is rendered only for the names its checks use, and with
    ``moving_only`` only when it has a release in progress (``advance`` judges no other).
    """
    repo = Repo(config.root)
    last: dict[tuple[str, str], history.Entry] = {}
    for entry in history.read(repo, ref):
        last.setdefault((entry.app, entry.env), entry)
    view = files.FileView(root=config.root)
    out = []
    for env in envs:
        rendered = render(renderer, config.root, env, view)
        state = registry.for_env(env).state(rendered, env)
        shift = last.get((env.app, env.name))
        live = Live(env, rendered, state, {}, shift.commit if shift else None, shift.action if shift else None)
        if env.helm is not None:
            live = replace(live, names=_helm_names(config, renderer, live, view, moving_only))
        else:
            live = replace(live, names=placeholders(rendered, env, state))
        if phase(live) == "promoted" and "active" in live.names:
            # ${preview} keeps naming the color being released: its checks judge it until finish.
            live = replace(live, names={**live.names, "preview": live.names["active"]})
        out.append(live)
    return out


def _helm_names(config: Config, renderer: Renderer, live: Live, view: files.FileView,
                moving_only: bool) -> dict[str, str]:
    """A Helm env's placeholder values; a check that needs a name the chart did not give is a config error."""
    from gitshift.config import PLACEHOLDER
    from gitshift.helm import workloads
    from gitshift.render import renders_charts

    env = live.env
    wanted = frozenset(n for c in env.analysis.checks for n in PLACEHOLDER.findall(c.query))
    if moving_only and phase(live) is None:
        wanted = frozenset()
    found = workloads.names(env, config.root, view, live.rendered, live.state, wanted, renders_charts(renderer))
    missing = sorted(wanted & set(workloads.CHART_NAMES) - set(found.names))
    if missing and found.missing_because:
        shown = ", ".join(f"${{{n}}}" for n in missing)
        raise ConfigError(f"apps.{env.app}.envs.{env.name}.analysis.checks: {shown} is the chart's, and "
                          f"{found.missing_because}", str(config.path),
                          "install helm (README.md, \"The chart proof\"), or name the workloads in the env's "
                          "canary: or bluegreen: section")
    return found.names


def phase(live: Live) -> str | None:
    """The release in progress: ``canary``, ``preview`` (blue/green deployed), ``promoted``, or None."""
    state, names = live.state, live.names
    if live.env.strategy == "canary":
        canary_pods = state.pods("canary" if live.env.helm is not None else names.get("canary", ""))
        return "canary" if (state.weight or 0) > 0 or state.match or canary_pods > 0 else None
    idle = _idle(live)
    if live.env.strategy == "bluegreen" and idle is not None:
        if state.pods(idle) < 1:
            return None
        if state.preview is not None:  # a preview Service (a preview value) tells the two phases apart
            return "preview" if state.preview != state.active else "promoted"
        return {"bluegreen.deploy": "preview", "bluegreen.promote": "promoted"}.get(live.last_action or "")
    return None


def _idle(live: Live) -> str | None:
    """The key of the idle color in ``state.replicas``: its workload, or a Helm env's color name."""
    helm = live.env.helm
    if helm is None:
        return live.names.get("preview")
    if helm.bluegreen is None or live.state.active not in helm.bluegreen.colors:
        return None
    return next(c for c in helm.bluegreen.colors if c != live.state.active)


def placeholders(rendered: Rendered, env: EnvConfig, state: State) -> dict[str, str]:
    """The values of ``${app}``, ``${env}``, ``${namespace}`` and the names the env's strategy knows."""
    names = {"app": env.app, "env": env.name}
    main: Obj | None = None
    if env.strategy == "canary":
        from gitshift.strategies.canary.traffic import pair, service

        p = pair(rendered, env)
        main = p.stable
        names |= {"stable": _name(p.stable), "canary": _name(p.canary)}
        for key, role in (("service", "stable"), ("canary_service", "canary")):
            svc = service(rendered, env, role)
            if svc is not None:
                names[key] = _name(svc)
    elif env.strategy == "bluegreen":
        from gitshift.strategies import bluegreen

        workloads, active_svc, preview_svc = bluegreen.objects(rendered, env)
        if state.active in workloads:
            main = workloads[state.active]
            idle = next(c for c in workloads if c != state.active)
            names |= {"active": _name(main), "preview": _name(workloads[idle])}
        names["service"] = _name(active_svc)
        if preview_svc is not None:
            names["preview_service"] = _name(preview_svc)
    if main is None:  # rolling, recreate: the first workload tells the namespace
        from gitshift.strategies.workloads import RELEASE_KINDS

        main = next(iter(rendered.of_kind(*RELEASE_KINDS)), None)
    namespace = ((main or {}).get("metadata") or {}).get("namespace")
    if namespace:
        names["namespace"] = str(namespace)
    return names


def _name(obj: Obj) -> str:
    return str(obj["metadata"]["name"])


class _Contains:
    """Whether an Argo CD revision contains a commit, asked of git (results kept for the run)."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._known: dict[tuple[str, str], bool | None] = {}

    def __call__(self, revision: str, commit: str) -> bool | None:
        key = (revision, commit)
        if key not in self._known:
            self._known[key] = self._ask(revision, commit)
        return self._known[key]

    def _ask(self, revision: str, commit: str) -> bool | None:
        if not _COMMIT.fullmatch(revision) or self.repo.rev_parse(revision) is None:
            return None  # a chart version, another repository's commit, or one not fetched yet
        try:
            self.repo.git("merge-base", "--is-ancestor", commit, revision)
        except GitError:
            return False
        return True


def judge(config: Config, live: Sequence[Live], tokens: Tokens) -> list[GateResult]:
    """The verdict of each env: Argo CD read once, the checks queried a few at a time.

    Raises:
        ConfigError: no ``gates.argocd``, or a query placeholder the env has no value for.
        GateError: Argo CD or Prometheus unreachable or answering an error (exit 3).
    """
    from gitshift.gates.argocd import ArgoCD
    from gitshift.gates.http import policy
    from gitshift.gates.prometheus import Prometheus
    from gitshift.gates.run import Subject, evaluate

    g = config.gates
    if g.argocd is None:
        raise ConfigError("gates.argocd: not configured; a gate needs Argo CD", str(config.path),
                          "add gates: {argocd: {url: https://argocd.example.com}}")
    retry = policy(g.retries, g.timeout)
    argocd = ArgoCD(g.argocd, tokens.argocd, retry)
    prometheus = Prometheus(g.prometheus, tokens.prometheus, retry) if g.prometheus else None
    try:
        subjects = [Subject(x.env, x.commit, x.names) for x in live]
        return evaluate(subjects, argocd, prometheus, _Contains(Repo(config.root)), source=str(config.path))
    finally:
        argocd.close()
        if prometheus is not None:
            prometheus.close()
