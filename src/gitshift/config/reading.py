"""Reading and validating ``gitshift.yaml`` into the values of ``config.values`` (docs/configuration.md)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gitshift.config.keys import (
    DEFAULT_API_URL,
    DEFAULT_APP_KEY_ENV,
    DEFAULT_TOKEN_ENV,
    ENV_KEY,
    FORGE_KINDS,
    HELM_KEY,
    PERMISSIONS,
    STRATEGIES,
    TRAFFIC_KINDS,
    known_keys,
)
from gitshift.config.values import (
    AnalysisConfig,
    AppConfig,
    ArgoCDConfig,
    BlueGreenSettings,
    CanarySettings,
    Check,
    CommandsConfig,
    Config,
    EnvConfig,
    ForgeConfig,
    GatesConfig,
    HelmBlueGreen,
    HelmCanary,
    HelmImage,
    HelmSettings,
    PrometheusConfig,
    Rule,
)
from gitshift.errors import ConfigError

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
