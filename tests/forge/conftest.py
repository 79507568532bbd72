"""Fixtures of the forge tests: the fake forge server and clients configured for it."""

from __future__ import annotations

from support.forge_server import forge_server  # noqa: F401  (a fixture, used by name)
from support.forge_clients import fast_policy, github, gitlab  # noqa: F401
