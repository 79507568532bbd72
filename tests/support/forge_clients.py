"""gitshift's forge clients pointed at the fake forge, with back-off small enough for tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from gitshift.config import ForgeConfig
from gitshift.forge import Forge, make_forge
from gitshift.net.retry import RetryPolicy

from .forge_server import ForgeServer

TOKEN_DEFAULT = "<the server's token>"  # a sentinel: None means "no token"
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


def gitea_config(server: ForgeServer, project: str = "acme/gitops") -> ForgeConfig:
    """The ``forge:`` config of a Gitea repository on ``server``."""
    return ForgeConfig(kind="gitea", project=project, api_url=server.gitea_url, base="main", token_env="GITEA_TOKEN")


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


ForgeFactory = Callable[..., Forge]


@pytest.fixture
def forge_client(forge_server: ForgeServer, fast_policy: RetryPolicy) -> Iterator[ForgeFactory]:
    """A factory: ``forge_client("github" | "gitlab" | "gitea", project=..., token=..., policy=...)``.

    The token defaults to the server's; every client is closed at teardown.
    """
    made: list[Forge] = []

    def make(
        kind: str, project: str | None = None, token: str | None = TOKEN_DEFAULT, policy: RetryPolicy | None = None
    ) -> Forge:
        config = {"github": github_config, "gitlab": gitlab_config, "gitea": gitea_config}[kind]
        cfg = config(forge_server) if project is None else config(forge_server, project)
        chosen = forge_server.token if token is TOKEN_DEFAULT else token
        forge = make_forge(cfg, chosen, policy or fast_policy)
        made.append(forge)
        return forge

    yield make
    for forge in made:
        forge.close()
