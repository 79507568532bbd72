"""Placeholders in check queries: ``${canary}`` and friends become rendered names; nothing else changes."""

from __future__ import annotations

from collections.abc import Mapping

from gitshift.config import PLACEHOLDER
from gitshift.errors import ConfigError


def render(query: str, names: Mapping[str, str], keys: str, source: str) -> str:
    """``query`` with each ``${name}`` replaced by ``names[name]``.

    PromQL's own braces (``{code=~"5.."}``) and any other ``$`` are left as written.
    The config already refused unknown placeholders; one this env has no value for
    (``${canary}`` in a blue/green env) is a config error here, at ``keys`` in ``source``.

    Raises:
        ConfigError: a placeholder without a value for this env.
    """
    missing = sorted({name for name in PLACEHOLDER.findall(query) if name not in names})
    if missing:
        given = " ".join(f"${{{n}}}" for n in sorted(names)) or "none"
        raise ConfigError(
            f"{keys}.query: " + ", ".join(f"${{{n}}}" for n in missing) + " has no value in this env",
            source,
            f"placeholders this env defines: {given}",
        )
    return PLACEHOLDER.sub(lambda m: names[m.group(1)], query)
