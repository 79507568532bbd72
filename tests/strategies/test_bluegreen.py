"""Blue/green planner: every action, no-ops, Rollouts, custom labels, affixed names, checks."""

from __future__ import annotations

from typing import Any

import pytest

from gitshift.errors import ConfigError, InputError
from gitshift.manifests import Obj, Rendered
from gitshift.strategies import bluegreen
from gitshift.strategies.base import ShiftRequest

from .builders import IMAGE, affixed, apply, bluegreen_env, changes, service, workload

ENV = bluegreen_env()


def layout(
    *,
    active: str = "blue",
    preview: str | None = "blue",
    kind: str = "Deployment",
    label: str = "color",
    colors: tuple[str, str] = ("blue", "green"),
    green_replicas: int = 0,
    green_image: str = f"{IMAGE}:1.0",
) -> list[Obj]:
    """Blue (3 replicas) is live; green idle; the preview Service optional."""
    first, second = colors
    objects = [
        workload(f"web-{first}", labels={"app": "web", label: first}, kind=kind),
        workload(
            f"web-{second}",
            labels={"app": "web", label: second},
            kind=kind,
            replicas=green_replicas,
            image=green_image,
        ),
        service("web", {"app": "web", label: active}),
    ]
    if preview is not None:
        objects.append(service("web-preview", {"app": "web", label: preview}))
    return objects


def plan(objects: list[Obj] | Rendered, action: str, env: Any = ENV, **kw: Any) -> list[Any]:
    rendered = objects if isinstance(objects, Rendered) else Rendered(objects)
    return bluegreen.plan(
        rendered, env, ShiftRequest("web", "production", f"bluegreen.{action}", **kw)
    )


def run(rendered: Rendered, action: str, env: Any = ENV, **kw: Any) -> Rendered:
    req = ShiftRequest("web", "production", f"bluegreen.{action}", **kw)
    return apply(rendered, bluegreen.plan(rendered, env, req))


@pytest.mark.parametrize("kind", ["Deployment", "Rollout"])
def test_deploy_gives_idle_color_image_replicas_and_preview(kind: str) -> None:
    intents = plan(layout(kind=kind), "deploy", image=f"{IMAGE}:2.0")
    assert changes(intents) == [
        (
            f"{kind}/web-green",
            ("spec", "template", "spec", "containers", 0, "image"),
            f"{IMAGE}:2.0",
        ),
        (f"{kind}/web-green", ("spec", "replicas"), 3),
        ("Service/web-preview", ("spec", "selector", "color"), "green"),
    ]
    assert intents[1].before == 0


def test_deploy_replicas_option_and_bare_tag() -> None:
    intents = plan(layout(preview=None), "deploy", image=":2.0", replicas=5)
    assert changes(intents) == [
        (
            "Deployment/web-green",
            ("spec", "template", "spec", "containers", 0, "image"),
            f"{IMAGE}:2.0",
        ),
        ("Deployment/web-green", ("spec", "replicas"), 5),
    ]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({}, "needs an image"),
        ({"image": f"{IMAGE}:2.0", "replicas": 0}, "invalid replica count"),
        ({"image": "other/image:2.0"}, "not the app's image"),
    ],
)
def test_deploy_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        plan(layout(), "deploy", **kw)


def test_deploy_is_a_no_op_when_in_place() -> None:
    rendered = run(Rendered(layout()), "deploy", image=f"{IMAGE}:2.0")
    assert plan(rendered, "deploy", image=f"{IMAGE}:2.0") == []


def test_promote_switches_to_preview_color_then_holds() -> None:
    deployed = run(Rendered(layout()), "deploy", image=f"{IMAGE}:2.0")
    assert changes(plan(deployed, "promote")) == [
        ("Service/web", ("spec", "selector", "color"), "green")
    ]
    promoted = run(deployed, "promote")
    assert plan(promoted, "promote") == []
    assert bluegreen.state(promoted, ENV).active == "green"


def test_rollback_after_promote_returns_to_previous_color_once() -> None:
    promoted = run(run(Rendered(layout()), "deploy", image=f"{IMAGE}:2.0"), "promote")
    assert changes(plan(promoted, "rollback")) == [
        ("Service/web", ("spec", "selector", "color"), "blue")
    ]
    rolled = run(promoted, "rollback")
    assert plan(rolled, "rollback") == []  # preview != active: already serving the previous color
    assert changes(plan(rolled, "promote")) == [
        ("Service/web", ("spec", "selector", "color"), "green")
    ]


def test_without_preview_promote_and_rollback_switch_to_the_other_color() -> None:
    objects = layout(preview=None, green_replicas=3)
    for action in ("promote", "rollback"):
        assert changes(plan(objects, action)) == [
            ("Service/web", ("spec", "selector", "color"), "green")
        ]


def test_finish_scales_the_old_color_to_zero() -> None:
    promoted = run(run(Rendered(layout()), "deploy", image=f"{IMAGE}:2.0"), "promote")
    assert changes(plan(promoted, "finish")) == [("Deployment/web-blue", ("spec", "replicas"), 0)]
    assert plan(run(promoted, "finish"), "finish") == []


def test_rollback_after_finish_is_refused_by_checks() -> None:
    promoted = run(run(Rendered(layout()), "deploy", image=f"{IMAGE}:2.0"), "promote")
    rolled = run(run(promoted, "finish"), "rollback")
    assert bluegreen.checks(rolled, ENV) == [
        "active color blue (Deployment/web-blue) has 0 replicas; Service web would reach no pods"
    ]


def test_custom_color_label_and_colors() -> None:
    env = bluegreen_env(color_label="slot", colors={"a": "web-a", "b": "web-b"})
    objects = layout(label="slot", colors=("a", "b"), active="a", preview="a")
    assert changes(plan(objects, "deploy", env, image=":2.0")) == [
        (
            "Deployment/web-b",
            ("spec", "template", "spec", "containers", 0, "image"),
            f"{IMAGE}:2.0",
        ),
        ("Deployment/web-b", ("spec", "replicas"), 3),
        ("Service/web-preview", ("spec", "selector", "slot"), "b"),
    ]


@pytest.mark.parametrize(("prefix", "suffix"), [("prod-", ""), ("", "-v1"), ("eu-", "-x")])
def test_names_given_before_prefix_and_suffix(prefix: str, suffix: str) -> None:
    explicit = bluegreen_env(
        service="web",
        preview_service="web-preview",
        colors={"blue": "web-blue", "green": "web-green"},
    )
    objects = affixed(layout(), prefix, suffix)
    for env in (ENV, explicit):
        assert changes(plan(objects, "deploy", env, image=":2.0"))[2] == (
            f"Service/{prefix}web-preview{suffix}",
            ("spec", "selector", "color"),
            "green",
        )


def test_default_preview_missing_is_not_used() -> None:
    objects = layout(preview=None)
    assert bluegreen.state(Rendered(objects), ENV).preview is None
    assert len(plan(objects, "deploy", image=":2.0")) == 2


@pytest.mark.parametrize(
    "given",
    [
        {"preview_service": "web-staging"},
        {"service": "web-live"},
        {"colors": {"blue": "web-blue", "green": "web-emerald"}},
    ],
)
def test_explicit_missing_names_are_config_errors(given: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="not found in the rendered overlay"):
        plan(layout(), "deploy", bluegreen_env(**given), image=":2.0")


def test_default_color_names_fall_back_to_the_color_label() -> None:
    objects = layout()
    objects[1]["metadata"]["name"] = "web-next"
    assert changes(plan(objects, "deploy", image=":2.0"))[0][0] == "Deployment/web-next"


def test_active_service_without_a_color_is_refused() -> None:
    objects = layout()
    del objects[2]["spec"]["selector"]["color"]
    with pytest.raises(InputError, match="selects no single color"):
        plan(objects, "promote")
    assert bluegreen.checks(Rendered(objects), ENV)[0].startswith(
        "Service web selects more than one color (blue, green)"
    )


def test_unknown_action() -> None:
    with pytest.raises(InputError, match="does not support"):
        plan(layout(), "scale")


def test_checks_pass_on_a_sound_layout() -> None:
    assert bluegreen.checks(Rendered(layout()), ENV) == []


def test_checks_report_labels_and_image() -> None:
    objects = layout()
    objects[1]["spec"]["template"]["metadata"]["labels"]["color"] = "blue"
    objects[0]["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox"
    failures = bluegreen.checks(Rendered(objects), ENV)
    assert "Deployment/web-green pods should carry the label color: green" in failures
    assert any("selects more than one color" in f for f in failures)
    assert failures[-1] == "active color blue (Deployment/web-blue) has no image"


@pytest.mark.parametrize("kind", ["Deployment", "Rollout"])
def test_round_trip_state(kind: str) -> None:
    rendered = Rendered(layout(kind=kind))
    before = bluegreen.state(rendered, ENV)
    assert (before.active, before.preview, before.serving) == ("blue", "blue", ("web",))
    deployed = run(rendered, "deploy", image=f"{IMAGE}:2.0")
    after = bluegreen.state(deployed, ENV)
    assert after.images == {"web-blue": f"{IMAGE}:1.0", "web-green": f"{IMAGE}:2.0"}
    assert (after.active, after.preview, dict(after.replicas)) == (
        "blue",
        "green",
        {"web-blue": 3, "web-green": 3},
    )
    done = run(run(deployed, "promote"), "finish")
    final = bluegreen.state(done, ENV)
    assert (final.active, dict(final.replicas)) == ("green", {"web-blue": 0, "web-green": 3})
    assert bluegreen.checks(done, ENV) == []
