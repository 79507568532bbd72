"""GitHub Apps on the fake GitHub: JWTs checked with the App's public key, installation tokens minted.

Like GitHub: ``/app`` routes take only the App's JWT (RS256, at most ten minutes
long, ``iat`` not in the future); repository routes take a personal token or an
unexpired installation token scoped to that repository; ``GET /user`` refuses
installation tokens.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from .github_objects import WEB, user_json
from .http_fake import Answer
from .openapi_contract import example

if TYPE_CHECKING:
    from .github_fake import GitHubFake

DOCS = "https://docs.github.com/rest"
STAMP = "2024-05-01T12:00:00Z"


@dataclass
class App:
    """A registered App: id, slug, public key, and its installations (repository -> installation id)."""

    id: int
    slug: str
    public_key: str
    owner: str
    client_id: str
    installations: dict[str, int] = field(default_factory=dict)

    @property
    def bot(self) -> str:
        """The bot user's login."""
        return f"{self.slug}[bot]"


@dataclass
class Minted:
    """An installation token the fake handed out."""

    app: App
    installation: int
    repositories: tuple[str, ...]
    expires_at: float


@dataclass
class Auth:
    """Who a request is: a personal token's user, an installation's bot, or an App by its JWT."""

    login: str
    minted: Minted | None = None
    app: App | None = None


class GitHubApps:
    """The Apps of a fake GitHub, the tokens they minted and the JWTs they presented."""

    def __init__(self, fake: GitHubFake) -> None:
        self.fake = fake
        self.apps: dict[int, App] = {}
        self.tokens: dict[str, Minted] = {}
        self.jwts: list[dict[str, Any]] = []  # the claims of every accepted JWT
        self.token_lifetime = 3600.0
        self._ids = itertools.count(50_000)

    def register(self, slug: str, public_key_pem: str, repos: tuple[str, ...] = ("acme/gitops",)) -> App:
        """Register an App installed on ``repos`` (one installation per owner)."""
        app = App(next(self._ids), slug, public_key_pem, "acme", f"Iv23{slug.replace('-', '')[:12]}")
        by_owner: dict[str, int] = {}
        for full in repos:
            owner = full.split("/")[0]
            app.installations[full] = by_owner.setdefault(owner, next(self._ids))
        self.apps[app.id] = app
        self.fake.user_id(app.bot)
        for full in repos:
            self.fake.repos[full].roles.setdefault(app.bot, "write")
        return app

    def authenticate(self, authorization: str, path: str) -> Auth | Answer:
        """Who sent ``authorization``, or the 401/403 GitHub answers."""
        scheme, _, credential = authorization.partition(" ")
        if scheme not in ("Bearer", "token") or not credential:
            return _unauthorized("Requires authentication" if not authorization else "Bad credentials")
        if credential.count(".") == 2 and credential.startswith("ey"):
            return self._jwt(credential, path)
        if path.startswith("/app"):
            return _unauthorized("A JSON web token could not be decoded")
        if credential == self.fake.server.token:
            return Auth(self.fake.login)
        minted = self.tokens.get(credential)
        if minted is None or minted.expires_at <= time.time():
            return _unauthorized("Bad credentials")
        if path == "/user":
            return Answer(403, {"message": "Resource not accessible by integration", "documentation_url": DOCS},
                          checked=False)
        repo = _repo_of(path)
        if repo is not None and repo.lower() not in {r.lower() for r in minted.repositories}:
            return Answer(404, {"message": "Not Found", "documentation_url": DOCS}, checked=False)
        return Auth(minted.app.bot, minted=minted)

    def _jwt(self, token: str, path: str) -> Auth | Answer:
        import jwt

        if not path.startswith(("/app", "/repos/")) or (path.startswith("/repos/") and
                                                        not path.endswith("/installation")):
            return _unauthorized("A JSON web token could not be decoded")
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            app = self.apps.get(int(unverified["iss"])) or next(
                a for a in self.apps.values() if a.client_id == unverified["iss"])
            claims = jwt.decode(token, app.public_key, algorithms=["RS256"], options={"require": ["iat", "exp", "iss"]})
        except (jwt.PyJWTError, KeyError, ValueError, StopIteration):
            return _unauthorized("A JSON web token could not be decoded")
        now = time.time()
        if claims["iat"] > now + 1:
            return _unauthorized("'Issued at' claim ('iat') must be an Integer representing a time in the past.")
        if claims["exp"] - claims["iat"] > 600 or claims["exp"] > now + 600:
            return _unauthorized("'Expiration time' claim ('exp') is too far in the future")
        self.jwts.append(claims)
        return Auth(app.bot, app=app)

    # Routes (called by github_fake's route table) ---------------------------------------------

    def get_app(self, auth: Auth) -> Answer:
        app = auth.app
        assert app is not None
        owner = user_json(self.fake, app.owner)
        return Answer(200, example(
            "integration", id=app.id, slug=app.slug, node_id=f"A_{app.id}", client_id=app.client_id, owner=owner,
            name=app.slug, description=None, external_url=f"{WEB}/{app.slug}", html_url=f"{WEB}/apps/{app.slug}",
            created_at=STAMP, updated_at=STAMP, permissions=_PERMISSIONS, events=[]))

    def repo_installation(self, auth: Auth, full_name: str) -> Answer:
        app = auth.app
        assert app is not None
        installation = next((i for r, i in app.installations.items() if r.lower() == full_name.lower()), None)
        if installation is None:
            return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
        return Answer(200, self._installation_json(app, installation))

    def create_token(self, auth: Auth, installation: int, body: Any) -> Answer:
        app = auth.app
        assert app is not None
        repos = [r for r, i in app.installations.items() if i == installation]
        if not repos:
            return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
        names = (body or {}).get("repositories")
        if names is not None:
            owner = repos[0].split("/")[0]
            wanted = [f"{owner}/{n}" for n in names]
            unknown = [n for n in wanted if n not in repos]
            if unknown:
                return Answer(422, {"message": f"There is at least one repository that does not exist or is not "
                                               f"accessible to the parent installation: {unknown}",
                                    "documentation_url": DOCS})
            repos = wanted
        token = "ghs_" + secrets.token_urlsafe(27)
        expires = time.time() + self.token_lifetime
        self.tokens[token] = Minted(app, installation, tuple(repos), expires)
        stamp = datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Answer(201, example("installation-token", token=token, expires_at=stamp, permissions=_PERMISSIONS,
                                   repository_selection="selected" if names is not None else "all"))

    def user(self, login: str) -> Answer:
        if login not in self.fake.users:
            return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
        fields = user_json(self.fake, login)
        return Answer(200, example(
            "public-user", **fields, user_view_type="public", bio=None, blog=None, company=None, email=None,
            followers=0, following=0, hireable=None, location=None, name=None, public_gists=0, public_repos=0,
            created_at=STAMP, updated_at=STAMP))

    def _installation_json(self, app: App, installation: int) -> dict[str, Any]:
        return example(
            "installation", id=installation, app_id=app.id, app_slug=app.slug, target_id=self.fake.user_id(app.owner),
            target_type="Organization", single_file_name=None, repository_selection="selected",
            access_tokens_url=f"https://api.github.test/app/installations/{installation}/access_tokens",
            html_url=f"{WEB}/organizations/{app.owner}/settings/installations/{installation}",
            repositories_url="https://api.github.test/installation/repositories", events=[],
            account=user_json(self.fake, app.owner), permissions=_PERMISSIONS, created_at=STAMP, updated_at=STAMP,
            suspended_by=None, suspended_at=None)


_PERMISSIONS = {"contents": "write", "pull_requests": "write", "issues": "write", "metadata": "read"}


def _unauthorized(message: str) -> Answer:
    return Answer(401, {"message": message, "documentation_url": DOCS}, checked=False)


def _repo_of(path: str) -> str | None:
    parts = path.split("/")
    return f"{parts[2]}/{parts[3]}" if len(parts) > 3 and parts[1] == "repos" else None


def rsa_key_pair(name: str = "app") -> tuple[str, str]:
    """A 2048-bit RSA key pair as PEM text (private, public), made once per ``name`` and process."""
    return _key_pair(name)


@cache
def _key_pair(name: str) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public
