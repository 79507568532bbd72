"""The one exception tree of gitshift; each branch maps to an exit code (README.md, "Errors")."""

from __future__ import annotations


class GitshiftError(Exception):
    """Root of every error gitshift reports to a user.

    Attributes:
        what: what went wrong, one line.
        where: the file, key path, object or call it concerns (may be empty).
        hint: what to do next (may be empty).
    """

    exit_code = 4

    def __init__(self, what: str, where: str = "", hint: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.what} ({self.where})" if self.where else self.what


class CheckFailedError(GitshiftError):
    """A safety check refused a shift, or ``check`` found a failure (exit 1)."""

    exit_code = 1

    def __init__(self, what: str, where: str = "", hint: str = "", failures: list[str] | None = None) -> None:
        super().__init__(what, where, hint)
        self.failures = failures or []


class InputError(GitshiftError):
    """Bad input: usage, config, unknown app/env, malformed YAML, bad image or weight (exit 2)."""

    exit_code = 2


class NeedsEarlierShiftError(GitshiftError):
    """The shift needs what an earlier shift puts in place (pods to shift to), and the tree read lacks it.

    A delivery that plans on a branch (``--commit``, ``--push``, ``--pr``) names the ref it read,
    and says to bring ``needs`` there first. Raise one of its kinds below: each keeps its exit code.
    """

    def __init__(self, what: str, where: str = "", hint: str = "", needs: str = "the deploy") -> None:
        super().__init__(what, where, hint)
        self.needs = needs


class NotDeployedError(NeedsEarlierShiftError, InputError):
    """``canary scale`` to a canary with 0 replicas: bad input (exit 2)."""


class IdleNotDeployedError(NeedsEarlierShiftError, CheckFailedError):
    """``bluegreen promote`` to an idle color with 0 replicas: a safety refusal (exit 1)."""


class ConfigError(InputError):
    """``gitshift.yaml`` is missing or invalid."""


class YamlError(InputError):
    """A YAML file could not be parsed."""


class ExternalError(GitshiftError):
    """An outside failure retries did not cure: git remote, forge, renderer binary (exit 3)."""

    exit_code = 3


class UnsupportedError(ExternalError):
    """A Kustomize feature the builtin engine does not support."""


class PluginError(UnsupportedError):
    """An exec, Go or KRM function plugin (exit 3): no engine renders one for gitshift (README.md, "Rendering").

    A plugin runs a program the repository names (or one found outside it), so
    gitshift never enables plugins; and ``kubectl kustomize`` has no
    ``--enable-exec``, so it could not run an exec function anyway.
    """

    HINT = ("gitshift runs no plugin (it would run a program the repository names), and kubectl kustomize cannot run "
            "exec plugins at all; to shift this overlay, use a built-in transformer (`apiVersion: builtin`) instead, "
            "or commit what the plugin makes as a resource (`kustomize build --enable-alpha-plugins --enable-exec` "
            "prints it)")

    def __init__(self, what: str, where: str = "", hint: str = "") -> None:
        super().__init__(what, where, hint or self.HINT)


class RenderError(InputError):
    """The overlay cannot be rendered: missing file, bad patch target, duplicate ids (exit 2)."""


class RendererUnavailableError(ExternalError):
    """The renderer binary is missing or crashed (exit 3)."""


class GitError(ExternalError):
    """A git operation failed; ``detail`` keeps git's whole message."""

    detail = ""


class ForgeError(ExternalError):
    """The forge API failed after retries."""


class GateError(ExternalError):
    """Argo CD or Prometheus could not be read, or answered with an error (exit 3); decides nothing."""
