"""gitshift's forge clients pointed at the fake forge, with back-off small enough for tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gitshift.config import ForgeConfig
from gitshift.forge import Forge, make_forge
from gitshift.forge.retry import RetryPolicy

from .forge_server import ForgeServer

# Real timeouts and back-off, scaled down: a retry costs milliseconds, a call at most 3 s.
FAST = RetryPolicy(
    connect_timeout=2.0, read_timeout=1.0, attempts=4, backoff=0.01, backoff_max=0.05, max_wait=2.5, budget=3.0
)


def github_config(server: ForgeServer, project: str = "acme/gitops") -> ForgeConfig:
    """The ``forge:`` config of a GitHub repository on ``server``."""
    return ForgeConfig(kind="github", project=project, api_url=server.github_url, base="main", token_env="GITHUB_TOKEN")


def gitlab_config(server: ForgeServer, project: str = "acme/platform/gitops") -> ForgeConfig:
    """The ``forge:`` config of a GitLab project on ``server``."""
    return ForgeConfig(kind="gitlab", project=project, api_url=server.gitlab_url, base="main", token_env="GITLAB_TOKEN")


@pytest.fixture
def fast_policy() -> RetryPolicy:
    """The retry policy of the forge tests."""
    return FAST


@pytest.fixture
def github(forge_server: ForgeServer, fast_policy: RetryPolicy) -> Iterator[Forge]:
    """A GitHub client for ``acme/gitops`` on the fake forge."""
    forge = make_forge(github_config(forge_server), forge_server.token, fast_policy)
    yield forge
    forge.close()


@pytest.fixture
def gitlab(forge_server: ForgeServer, fast_policy: RetryPolicy) -> Iterator[Forge]:
    """A GitLab client for ``acme/platform/gitops`` on the fake forge."""
    forge = make_forge(gitlab_config(forge_server), forge_server.token, fast_policy)
    yield forge
    forge.close()
