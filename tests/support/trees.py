"""Small GitOps trees for the unit tests: app ``web``, a base and one overlay, as ``{path: text}``.

The texts are written out in full so a test can state the exact bytes a placement leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gitshift.config import Config

IMAGE = "ghcr.io/acme/web"
OVERLAY = "overlays/staging"


def deployment(name: str = "web", *, tag: str = "1.0.0", replicas: int | None = 2, app: str = "web",
               track: str | None = None, api: str = "apps/v1", kind: str = "Deployment",
               spec_extra: str = "") -> str:
    """A workload with one container ``app`` running ``IMAGE:tag``; pods labelled ``app`` (and ``track``)."""
    labels = f"{{app: {app}" + (f", track: {track}" if track else "") + "}"
    count = f"  replicas: {replicas}\n" if replicas is not None else ""
    return (f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{count}{spec_extra}"
            f"  selector:\n    matchLabels: {labels}\n  template:\n    metadata:\n      labels: {labels}\n"
            f"    spec:\n      containers:\n      - name: app\n        image: {IMAGE}:{tag}\n")


def service(name: str = "web", *, app: str = "web", track: str | None = None) -> str:
    """A Service selecting the pods of ``app`` (and ``track``)."""
    selector = f"{{app: {app}" + (f", track: {track}" if track else "") + "}"
    return f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector: {selector}\n" \
           "  ports:\n  - port: 80\n"


def kustomization(*resources: str, extra: str = "") -> str:
    """A kustomization listing ``resources``, followed by ``extra`` (YAML text)."""
    items = "".join(f"- {r}\n" for r in resources)
    return f"resources:\n{items}{extra}"


BASE = {
    "base/kustomization.yaml": kustomization("deployment.yaml", "service.yaml"),
    "base/deployment.yaml": deployment(),
    "base/service.yaml": service(),
}


def config(strategy: str = "rolling", env_extra: str = "", image: str | None = IMAGE) -> str:
    """``gitshift.yaml`` with the one env ``web/staging`` on ``OVERLAY`` (no ``image``: every workload is the app's)."""
    line = f"    image: {image}\n" if image else ""
    return (f"apps:\n  web:\n{line}    envs:\n      staging:\n        overlay: {OVERLAY}\n"
            f"        strategy: {strategy}\n{env_extra}")


def app_tree(overlay: Mapping[str, str], *, base: Mapping[str, str] | None = None, strategy: str = "rolling",
             env_extra: str = "", image: str | None = IMAGE) -> dict[str, str]:
    """The base (``BASE`` unless given), the overlay's files under ``OVERLAY``, and the config."""
    tree = dict(BASE if base is None else base)
    tree.update({f"{OVERLAY}/{rel}": text for rel, text in overlay.items()})
    tree["gitshift.yaml"] = config(strategy, env_extra, image)
    return tree


def texts(root: Path, edits: Mapping[Path, bytes | None]) -> dict[str, str | None]:
    """Edits as ``{path relative to root: text, or None for a deletion}``."""
    return {p.relative_to(root).as_posix(): None if b is None else b.decode() for p, b in edits.items()}


def plant(root: Path, tree: Mapping[str, str]) -> Config:
    """Write ``tree`` under ``root`` (no git) and read its ``gitshift.yaml``."""
    from tests.conftest import build_tree

    from gitshift.config import load

    build_tree(root, tree)
    return load(root / "gitshift.yaml", root)


# An overlay whose replacement copies web's image into a ConfigMap: no placement of an image change is exact.
COPIES_IMAGE = {
    "kustomization.yaml": kustomization("../../base", "version.yaml", extra=(
        "images:\n- name: ghcr.io/acme/web\n  newTag: 1.0.0\n"
        "replacements:\n- source: {kind: Deployment, name: web, fieldPath: spec.template.spec.containers.0.image}\n"
        "  targets:\n  - select: {kind: ConfigMap, name: version}\n    fieldPaths: [data.image]\n")),
    "version.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: version\ndata:\n  image: x\n",
}
