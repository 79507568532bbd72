"""Apps and envs from rendered overlays: names from images and folders, merged or told apart."""

from __future__ import annotations

import pytest
import yaml
from tests.init.shapes import deployment

from gitshift.init.scan import app_images, dns_label, group
from gitshift.manifests import Rendered

LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"


def rendered(*workloads: tuple[str, str]) -> Rendered:
    return Rendered(yaml.safe_load(deployment(name, image)) for name, image in workloads)


@pytest.mark.parametrize(("text", "label"), [
    ("web", "web"), ("My_App", "my-app"), ("--x..y--", "x-y"), ("", "app"), ("a" * 70, "a" * 63),
    ("a" * 62 + "-b", "a" * 62), ("front-end", "front-end"),
])
def test_dns_label(text: str, label: str) -> None:
    import re

    assert dns_label(text) == label
    assert re.fullmatch(LABEL, label)


def test_one_name_under_two_registries_is_one_app_with_per_env_images() -> None:
    apps = group({"local": rendered(("ad", "adservice:dev")),
                  "prod": rendered(("ad", "us-docker.pkg.dev/demo/adservice:v1")),
                  "stage": rendered(("ad", "us-docker.pkg.dev/demo/adservice:v1"))}, "repo")
    [app] = apps
    assert (app.name, app.image) == ("adservice", "us-docker.pkg.dev/demo/adservice")
    assert {e.env: e.image for e in app.envs} == {"local": "adservice", "stage": app.image, "prod": app.image}
    assert [e.env for e in app.envs] == ["stage", "prod", "local"]  # the promotion path first


def test_two_images_with_one_name_in_one_overlay_are_two_apps() -> None:
    apps = group({"all": rendered(("a", "ghcr.io/team-a/web:1"), ("b", "docker.io/team-b/web:2")),
                  "a-only": rendered(("a", "ghcr.io/team-a/web:1"))}, "repo")
    assert {a.name: a.image for a in apps} == {"team-a-web": "ghcr.io/team-a/web", "team-b-web": "docker.io/team-b/web"}
    assert [e.env for e in apps[0].envs] == ["a-only", "all"]


def test_names_still_shared_are_numbered() -> None:
    apps = group({"x": rendered(("a", "a/web:1"), ("b", "a./web:1"))}, "repo")
    assert sorted((a.name, a.image) for a in apps) == [("a-web", "a/web"), ("a-web-2", "a./web")]


def test_templated_and_empty_images_are_no_apps() -> None:
    objs = rendered(("a", "'{{ .Values.image.repository }}:{{ .Values.image.tag }}'"), ("b", "ghcr.io/acme/b:1"),
                    ("c", "''"))
    assert app_images(objs) == ["ghcr.io/acme/b"]


def test_root_overlay_is_named_after_the_repository() -> None:
    [app] = group({".": rendered(("w", "web:1"))}, "My GitOps")
    assert app.envs[0].env == "my-gitops"


def test_env_names_stay_unique() -> None:
    image = ("w", "web:1")
    long = "a" * 70
    [app] = group({f"{long}1/prod": rendered(image), f"{long}2/prod": rendered(image),
                   "x/prod": rendered(image)}, "repo")
    assert sorted(e.env for e in app.envs) == ["a" * 60 + "-2", "a" * 63, "x-prod"]
