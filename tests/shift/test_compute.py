"""shift.compute: render, plan, place, render again, check; a case per outcome, and nothing is ever written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.support.trees import BASE, COPIES_IMAGE, IMAGE, OVERLAY, app_tree, deployment, kustomization, plant, texts

from gitshift import checks
from gitshift.errors import CheckFailedError, InputError
from gitshift.files import FileView
from gitshift.manifests import Intent, Rendered, ResourceId
from gitshift.render import Renderer
from gitshift.shift import compute
from gitshift.shift.request import Delivery, ShiftRequest

PINNED = "images:\n- name: ghcr.io/acme/web\n  newTag: 1.0.0  # pinned\n"
IMAGE_PATH = ("spec", "template", "spec", "containers", 0, "image")
WEB = ResourceId("apps", "Deployment", "", "web")


def set_image(tag: str, **kw: str) -> ShiftRequest:
    return ShiftRequest("web", "staging", "set-image", image=f":{tag}", **kw)


def hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def image(rendered: Rendered, name: str = "web") -> str:
    obj = rendered.find("Deployment", name)
    assert obj is not None
    return str(obj["spec"]["template"]["spec"]["containers"][0]["image"])


def test_nothing_to_do_when_the_state_already_holds(tmp_path: Path, builtin: Renderer) -> None:
    env = plant(tmp_path, app_tree({"kustomization.yaml": kustomization("../../base", extra=PINNED)})).env(
        "web", "staging")
    c = compute.compute(builtin, tmp_path, env, set_image("1.0.0"))
    assert (c.intents, c.edits, c.checks) == ([], {}, [])
    assert c.after is c.before and c.state_after == c.state_before
    res = compute.result(c, tmp_path, Delivery("dry-run"))
    assert not res.changed
    assert res.summary == "set-image web/staging: already in place, nothing to do"
    assert (res.diff, res.files, res.picture) == ("", (), "")


def test_exact_placement_edits_one_line_and_writes_nothing(tmp_path: Path, builtin: Renderer) -> None:
    env = plant(tmp_path, app_tree({"kustomization.yaml": kustomization("../../base", extra=PINNED)})).env(
        "web", "staging")
    before = hashes(tmp_path)
    c = compute.compute(builtin, tmp_path, env, set_image("1.1.0"))
    assert texts(tmp_path, c.edits) == {
        f"{OVERLAY}/kustomization.yaml": kustomization("../../base", extra=PINNED.replace("1.0.0", "1.1.0"))}
    assert [(i.resource, i.path, i.before, i.value) for i in c.intents] == [
        (WEB, IMAGE_PATH, f"{IMAGE}:1.0.0", f"{IMAGE}:1.1.0")]
    assert (image(c.before), image(c.after)) == (f"{IMAGE}:1.0.0", f"{IMAGE}:1.1.0")
    assert c.checks == checks.names(env)
    assert compute.summary(c) == "set-image web/staging: image 1.0.0 → 1.1.0"
    assert hashes(tmp_path) == before


def test_the_tree_is_read_through_the_view_not_the_disk(tmp_path: Path, builtin: Renderer) -> None:
    env = plant(tmp_path, app_tree({"kustomization.yaml": kustomization("../../base", extra=PINNED)})).env(
        "web", "staging")
    kfile = tmp_path / OVERLAY / "kustomization.yaml"
    view = FileView({kfile: kfile.read_bytes().replace(b"1.0.0", b"1.1.0")}, root=tmp_path)
    assert compute.compute(builtin, tmp_path, env, set_image("1.1.0"), view=view).intents == []
    c = compute.compute(builtin, tmp_path, env, set_image("1.2.0"), view=view)
    assert texts(tmp_path, c.edits)[f"{OVERLAY}/kustomization.yaml"].endswith("newTag: 1.2.0  # pinned\n")


def test_a_planner_replaces_the_strategys_plan(tmp_path: Path, builtin: Renderer) -> None:
    replicas = "replicas:\n- name: web\n  count: 2\n"
    env = plant(tmp_path, app_tree({"kustomization.yaml": kustomization("../../base", extra=replicas)})).env(
        "web", "staging")
    request = ShiftRequest("web", "staging", "revert", record_as="revert", source="0123456789abcdef")
    c = compute.compute(builtin, tmp_path, env, request, planner=lambda r: [Intent(WEB, ("spec", "replicas"), 5, 2)])
    assert texts(tmp_path, c.edits) == {f"{OVERLAY}/kustomization.yaml": kustomization(
        "../../base", extra=replicas.replace("2", "5"))}
    assert compute.summary(c) == "revert web/staging of 0123456789ab: web replicas 2 → 5"


def test_an_action_of_another_strategy_is_refused(tmp_path: Path, builtin: Renderer) -> None:
    env = plant(tmp_path, app_tree({"kustomization.yaml": kustomization("../../base")})).env("web", "staging")
    with pytest.raises(InputError) as info:
        compute.compute(builtin, tmp_path, env, ShiftRequest("web", "staging", "canary.deploy", image=":2"))
    assert str(info.value) == "web/staging uses strategy rolling; canary does not apply (canary.deploy)"
    assert info.value.hint == "use one of: set-image"


# -- refusals: exit 1, the first failure in the message, the disk and the given view as they were ----------------
TWO_APPS = {**BASE, "base/kustomization.yaml": kustomization("deployment.yaml", "worker.yaml", "service.yaml"),
            "base/worker.yaml": deployment("worker", app="worker")}
REFUSALS = {
    # A replacement copies the image elsewhere: every placement also moves the copy.
    "placement moves more": (
        app_tree(COPIES_IMAGE),
        set_image("1.1.0"), OVERLAY,
        "cannot place Deployment/web spec.template.spec.containers[0].image: ghcr.io/acme/web:1.0.0 -> "
        "ghcr.io/acme/web:1.1.0 exactly in the overlay",
        "every placement also moved: ConfigMap/version data.image", []),
    "image check, before placing": (
        app_tree({"kustomization.yaml": kustomization("../../base")}, env_extra="        require_digest: true\n"),
        set_image("1.1.0"), "web/staging",
        "safety check failed: Deployment/web: ghcr.io/acme/web:1.1.0 has no digest, and web/staging sets "
        "require_digest",
        "", ["Deployment/web: ghcr.io/acme/web:1.1.0 has no digest, and web/staging sets require_digest"]),
    "rollout knobs, after rendering": (
        app_tree({"kustomization.yaml": kustomization("../../base")}, base=TWO_APPS, image=None),
        set_image("1.1.0", max_surge="0", max_unavailable="0%"), "web/staging",
        "safety check failed: Deployment/web: maxSurge and maxUnavailable are both 0",
        "nothing was written", ["Deployment/web: maxSurge and maxUnavailable are both 0",
                                "Deployment/worker: maxSurge and maxUnavailable are both 0"]),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refusal_leaves_the_disk_and_the_view_untouched(tmp_path: Path, builtin: Renderer, case: str) -> None:
    tree, request, where, what, hint, failures = REFUSALS[case]
    env = plant(tmp_path, tree).env("web", "staging")
    pending = {tmp_path / "notes.txt": b"not yet written\n"}
    view = FileView(pending, root=tmp_path)
    before = hashes(tmp_path)
    with pytest.raises(CheckFailedError) as info:
        compute.compute(builtin, tmp_path, env, request, view=view)
    err = info.value
    assert (err.exit_code, err.what, err.hint) == (1, what, hint)
    assert err.failures == failures
    assert err.where == (str(tmp_path / OVERLAY) if where == OVERLAY else where)
    assert view.overlay == pending
    assert hashes(tmp_path) == before
