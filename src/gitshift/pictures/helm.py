"""A Helm env's traffic picture, drawn from its values: users -> the release's values -> each role (pure).

The workloads of a Helm env are the chart's, not the overlay's, so the picture
is the state the values say (README.md, "Helm releases"): the release (a
HelmRelease, an Application, a values file) routes by the values gitshift
edits, shown by their value paths (``router.canaryWeight 10``), to each role
(the release, ``stable`` and ``canary``, or the colors) with its image and
replica count. Node keys are the roles, so a shift's before and after compare
as for any other env.
"""

from __future__ import annotations

from gitshift.config import EnvConfig
from gitshift.helm.values import release, settings
from gitshift.manifests import Rendered
from gitshift.pictures.graph import Builder, Fact, Graph, Node
from gitshift.pictures.labels import TESTERS, USERS, show_image, split
from gitshift.result import State


def graph(rendered: Rendered, env: EnvConfig) -> Graph:
    """The traffic picture of the Helm env ``env``, from its values in ``rendered``.

    Raises:
        InputError: a value path of the env's ``helm:`` section is not in the values (as ``status`` does).
    """
    from gitshift import strategies as registry

    state = registry.for_env(env).state(rendered, env)
    label = release(rendered, env).label
    b = Builder()
    users = b.add(Node(USERS, "entry", "users"))
    if env.strategy == "canary":
        return _canary(b, users, label, env, state)
    if env.strategy == "bluegreen":
        return _bluegreen(b, users, label, env, state)
    router = b.add(Node(f"values:{label}", "router", label, (Fact("values", "Helm values", prefix=""),)))
    b.link(users, router)
    for role in state.images:
        b.link(router, _role(b, role, env, state), idle=state.replicas.get(role) == 0)
    return b.graph(f"{env.app}/{env.name} · {env.strategy} · helm")


def _role(b: Builder, role: str, env: EnvConfig, state: State, extra: tuple[Fact, ...] = ()) -> str:
    """A role's node: its image and, where the values give one, its replica count."""
    n = state.replicas.get(role)
    facts = (Fact("image", show_image(state.images.get(role, ""), env)),
             *((Fact("replicas", f"×{n}"),) if n is not None else ()), *extra)
    return b.add(Node(f"role:{role}", "workload", role, facts, idle=n == 0))


def _canary(b: Builder, users: str, label: str, env: EnvConfig, state: State) -> Graph:
    c = settings(env).canary
    assert c is not None  # config: a Helm canary env has its value paths
    weight = state.weight or 0
    facts = [Fact("weight", str(weight), prefix=f"{c.weight} ")]
    if state.match and c.header is not None:
        facts.append(Fact("header", state.match.removeprefix("header "), row=1, prefix=f"{c.header} "))
    router = b.add(Node(f"values:{label}", "router", label, tuple(facts)))
    b.link(users, router)
    labels = dict(zip(("stable", "canary"), split(weight, state.match), strict=True))
    b.link(router, _role(b, "stable", env, state), labels["stable"], idle=weight == 100)
    quiet = weight == 0 and state.match is None
    b.link(router, _role(b, "canary", env, state), labels["canary"], idle=quiet)
    title = f"{env.app}/{env.name} · canary · helm · {weight} %" + (f" · {state.match}" if state.match else "")
    return b.graph(title)


def _bluegreen(b: Builder, users: str, label: str, env: EnvConfig, state: State) -> Graph:
    bg = settings(env).bluegreen
    assert bg is not None  # config: a Helm blue/green env has its value paths
    facts = [Fact("active", str(state.active), prefix=f"{bg.active} ")]
    if bg.preview is not None:
        facts.append(Fact("preview", str(state.preview), row=1, prefix=f"{bg.preview} "))
    router = b.add(Node(f"values:{label}", "router", label, tuple(facts)))
    b.link(users, router)
    for color in bg.colors:
        if color == state.active:
            b.link(router, _role(b, color, env, state), idle=state.replicas.get(color) == 0)
        elif state.preview == color:
            b.link(b.add(Node(TESTERS, "entry", "testers")), _role(b, color, env, state), ["preview"],
                   idle=state.replicas.get(color) == 0)
        else:  # the old color after a promote (kept for a rollback), or one never deployed
            _role(b, color, env, state, (Fact("traffic", "no traffic", row=1),))
    return b.graph(f"{env.app}/{env.name} · bluegreen · helm · active {state.active}")
