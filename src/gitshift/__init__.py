"""gitshift: blue/green, canary, A/B and rolling releases on Kubernetes by pull request."""

__version__ = "0.1.0"
