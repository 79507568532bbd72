"""What every strategy shares: the request, the Strategy protocol, building intents, and name resolution."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from gitshift.config import EnvConfig
from gitshift.errors import ConfigError, InputError
from gitshift.manifests import MISSING, FieldPath, Intent, Obj, Rendered, ResourceId, get_path
from gitshift.result import State


@dataclass(frozen=True)
class Neighbours:
    """The other envs a shift must leave as they render, unless allowed (README.md, "Blast radius")."""

    envs: tuple[EnvConfig, ...] = ()
    allow: bool = False  # --allow-other-envs
    all_kustomizations: bool = False  # also render every kustomization of the repository
    # (app, env, why): envs --allow-other-envs does not open (a comment command's policy refuses them there)
    barred: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class ShiftRequest:
    """One shift a user asked for. ``action`` is the command's name (``set-image``, ``canary.scale``)."""

    app: str
    env: str
    action: str
    image: str | None = None
    replicas: int | None = None
    weight: int | None = None
    next_step: bool = False
    header: tuple[str, str | None] | None = None
    cookie: str | None = None
    max_surge: str | None = None
    max_unavailable: str | None = None
    # promote and revert run another action's plan but are recorded as themselves.
    record_as: str | None = None
    source: str | None = None
    neighbours: Neighbours = Neighbours()

    @property
    def recorded_action(self) -> str:
        """The action named in the commit trailer and the JSON result."""
        return self.record_as or self.action


class Strategy(Protocol):
    """A strategy module: pure functions over the rendered overlay."""

    @property
    def ACTIONS(self) -> tuple[str, ...]:  # a module constant, read only
        """The actions the strategy plans."""
        ...

    def state(self, rendered: Rendered, env: EnvConfig) -> State:
        """The env's current release state, read from the rendered overlay."""
        ...

    def plan(self, rendered: Rendered, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
        """The intents that carry out ``request``; empty when the target state already holds."""
        ...

    def checks(self, rendered: Rendered, env: EnvConfig) -> list[str]:
        """Failures of the strategy's own safety checks (the common ones are in ``gitshift.checks``)."""
        ...


def intent(obj: Obj, path: FieldPath, value: Any) -> Intent | None:
    """An intent to set ``path`` on ``obj``, or None when it already holds ``value``."""
    before = get_path(obj, path)
    if before == value and (before is MISSING) == (value is MISSING):
        return None
    return Intent(ResourceId.of(obj), path, value, before)


def collect(*intents: Intent | Sequence[Intent | None] | None) -> list[Intent]:
    """Flatten intents, dropping the ``None`` of fields already in place."""
    out: list[Intent] = []
    for item in intents:
        if item is None:
            continue
        if isinstance(item, Intent):
            out.append(item)
        else:
            out.extend(i for i in item if i is not None)
    return out


def resolve(rendered: Rendered, kinds: Sequence[str], name: str, *, explicit: bool,
            key: str, env: EnvConfig, required: bool = True) -> Obj | None:
    """Find the object a configured name refers to, as rendered or before the overlay's prefix/suffix.

    docs/configuration.md: a name may be given as rendered or as written before the
    overlay's namePrefix/nameSuffix. A default name the render lacks is not
    used; an explicit one must exist.
    """
    obj = rendered.find(kinds, name)
    if obj is None:
        candidates = [o for o in rendered.of_kind(*kinds) if name in (o.get("metadata") or {}).get("name", "")]
        exact = [o for o in candidates if _affixed(rendered, o["metadata"]["name"], name)]
        if len(exact) == 1:
            obj = exact[0]
    if obj is None and (explicit or required):
        where = env.where
        if explicit:
            raise ConfigError(f"apps.{env.app}.envs.{env.name}.{key}: {'/'.join(kinds)} {name!r} not found "
                              "in the rendered overlay", where)
        raise InputError(f"{'/'.join(kinds)} {name!r} not found in the rendered overlay", where,
                         f"set apps.{env.app}.envs.{env.name}.{key} in gitshift.yaml")
    return obj


def _affixed(rendered: Rendered, rendered_name: str, plain: str) -> bool:
    """Whether ``rendered_name`` is ``plain`` with the same prefix/suffix the overlay gives everything."""
    idx = rendered_name.find(plain)
    prefix, suffix = rendered_name[:idx], rendered_name[idx + len(plain):]
    names = [(o.get("metadata") or {}).get("name", "") for o in rendered]
    return all(n.startswith(prefix) and n.endswith(suffix) for n in names if n)
