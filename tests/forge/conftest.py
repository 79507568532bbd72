"""Fixtures of the forge tests: the fake forge server and gitshift's clients pointed at it."""

from __future__ import annotations

try:  # the same module tests/conftest.py loads, so the contract is parsed once per process
    from tests.support.forge_clients import fast_policy, forge_client, github, gitlab
    from tests.support.forge_server import forge_server
except ImportError:  # the repository root is not on sys.path
    from support.forge_clients import fast_policy, forge_client, github, gitlab  # type: ignore[no-redef]
    from support.forge_server import forge_server  # type: ignore[no-redef]

__all__ = ["fast_policy", "forge_client", "forge_server", "github", "gitlab"]
