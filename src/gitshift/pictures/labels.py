"""The words of a traffic picture that every drawing shares: its entry nodes, an image as a node
shows it, and the labels of a canary's two routes (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitshift.manifests import image_name

if TYPE_CHECKING:
    from gitshift.config import EnvConfig
    from gitshift.strategies.canary.traffic import Match

USERS = "entry:users"
TESTERS = "entry:testers"
_DIGEST = "@sha256:"


def show_image(ref: str, env: EnvConfig) -> str:
    """An image as a node shows it: the tag (or short digest) when the name is the app's image."""
    if not ref:
        return "no image"
    name = image_name(ref)
    rest = ref[len(name):]
    text = rest.lstrip(":") if env.image and name == env.image and rest else ref
    at = text.find(_DIGEST)
    if at >= 0 and len(text) > at + len(_DIGEST) + 12:
        text = text[: at + len(_DIGEST) + 12] + "…"
    return text.lstrip("@")


def split(weight: int, match: Match | str | None) -> tuple[list[str], list[str]]:
    """Edge labels of the stable and the canary route for ``weight`` and an A/B ``match``."""
    if match is None:
        return [f"{100 - weight} %"], [f"{weight} %"]
    if weight:
        return [f"others {100 - weight} %"], [str(match), f"others {weight} %"]
    return ["all others"], [str(match)]
