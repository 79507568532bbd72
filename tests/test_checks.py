"""checks: each safety check over plain data, passing and failing, and the list a shift reports."""

from __future__ import annotations

from typing import Any

import pytest
from tests.strategies.builders import IMAGE, bluegreen_env, canary_env, env, service, workload

from gitshift import checks
from gitshift.manifests import MISSING, Intent, Obj, Rendered, ResourceId

WEB = ResourceId("apps", "Deployment", "", "web")
IMAGE_PATH = ("spec", "template", "spec", "containers", 0, "image")
ROLLING = env("rolling")
DIGEST = "sha256:" + "b" * 64


def knobs(surge: Any = MISSING, unavailable: Any = MISSING) -> Obj:
    obj = workload("web")
    update = {k: v for k, v in (("maxSurge", surge), ("maxUnavailable", unavailable)) if v is not MISSING}
    obj["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": update}
    return obj


def cronjob(labels: dict[str, str]) -> Obj:
    template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "app", "image": f"{IMAGE}:1"}]}}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "job"},
            "spec": {"jobTemplate": {"spec": {"template": template}}}}


@pytest.mark.parametrize(("objects", "failures"), [
    ([workload("web"), service("web", {"app": "web"})], []),
    ([workload("web", kind="Rollout"), service("web", {"app": "web"})], []),
    ([cronjob({"app": "job"}), service("job", {"app": "job"})], []),
    ([workload("web"), {**service("db", {}), "spec": {"clusterIP": "None"}}], []),  # selects nothing on purpose
    ([workload("web"), service("web", {"app": "web", "color": "green"})],
     ["Service/web: selector {'app': 'web', 'color': 'green'} matches no Deployment/Rollout pods"]),
    ([service("web", {"app": "web"})], ["Service/web: selector {'app': 'web'} matches no Deployment/Rollout pods"]),
])
def test_selectors_match(objects: list[Obj], failures: list[str]) -> None:
    assert checks.selectors_match(Rendered(objects)) == failures


@pytest.mark.parametrize(("replicas", "serving", "failures"), [
    (3, ["web"], []),
    (None, ["web"], []),  # Kubernetes' default is 1
    (0, ["web"], ["Service/web carries traffic but selects no pods with replicas > 0"]),
    (0, [], []),  # an idle Service may have no pods
    (0, ["not-rendered"], []),
])
def test_serving_has_pods(replicas: int | None, serving: list[str], failures: list[str]) -> None:
    rendered = Rendered([workload("web", replicas=replicas), service("web", {"app": "web"})])
    assert checks.serving_has_pods(rendered, serving) == failures


@pytest.mark.parametrize(("obj", "failed"), [
    (workload("web"), False),  # kustomize's defaults are 25% and 25%
    (knobs(0, 0), True),
    (knobs("0%", "0"), True),
    (knobs(0), False),
    (knobs(unavailable="0%"), False),
    (knobs(1, 0), False),
])
def test_rollout_knobs(obj: Obj, failed: bool) -> None:
    assert checks.rollout_knobs(Rendered([obj])) == (["Deployment/web: maxSurge and maxUnavailable are both 0"]
                                                     if failed else [])


@pytest.mark.parametrize(("value", "require_digest", "failures"), [
    (f"{IMAGE}:2.0", False, []),
    (f"{IMAGE}@{DIGEST}", True, []),
    (f"{IMAGE}:2.0", True, [f"Deployment/web: {IMAGE}:2.0 has no digest, and web/production sets require_digest"]),
    (f"{IMAGE}:bad tag", False, [f"Deployment/web: invalid image reference '{IMAGE}:bad tag'"]),
    (f"{IMAGE}@sha256:short", False, ["Deployment/web: invalid image digest 'sha256:short'"]),
])
def test_intent_images(value: str, require_digest: bool, failures: list[str]) -> None:
    config = env("rolling")
    object.__setattr__(config, "require_digest", require_digest)
    others = [Intent(WEB, ("spec", "replicas"), 3), Intent(WEB, IMAGE_PATH, MISSING)]  # not images: not checked
    assert checks.intent_images([*others, Intent(WEB, IMAGE_PATH, value)], config) == failures


COMMON = ["Service selectors match pods", "serving Services have replicas > 0",
          "maxSurge and maxUnavailable not both 0", "image references valid"]
LAST = ["re-render shows exactly the intended change", "only files of the overlay written"]


@pytest.mark.parametrize(("config", "own"), [
    (ROLLING, []),
    (bluegreen_env(), ["one color live, with pods and an image"]),
    (canary_env("nginx"), ["canary Ingress on the stable hosts and paths"]),
    (canary_env("istio"), ["route weights sum to 100"]),
    (canary_env("gateway"), ["route weights sum to 100"]),
    (canary_env("replicas"), ["one Service selects both tracks"]),
])
def test_names_list_every_check_a_shift_passes(config: Any, own: list[str]) -> None:
    assert checks.names(config) == [*COMMON, *own, *LAST]


def test_names_add_the_digest_check_when_required() -> None:
    config = env("rolling")
    object.__setattr__(config, "require_digest", True)
    assert checks.names(config) == [*COMMON, "images pinned by digest", *LAST]


def test_run_gathers_every_failure_in_order() -> None:
    rendered = Rendered([knobs(0, 0), service("web", {"app": "other"})])
    assert checks.run(rendered, ROLLING, ["web"], [Intent(WEB, IMAGE_PATH, "UPPER:1")], ["the strategy's own"]) == [
        "Service/web: selector {'app': 'other'} matches no Deployment/Rollout pods",
        "Service/web carries traffic but selects no pods with replicas > 0",
        "Deployment/web: maxSurge and maxUnavailable are both 0",
        "Deployment/web: invalid image reference 'UPPER:1'",
        "the strategy's own",
    ]
    assert checks.run(Rendered([workload("web"), service("web", {"app": "web"})]), ROLLING, ["web"]) == []
