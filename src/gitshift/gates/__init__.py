"""Gates: read-only checks of Argo CD and Prometheus that decide whether a step passes, fails or waits.

Nothing here writes anywhere. ``run.evaluate`` judges envs; ``verdict`` holds the pure
decisions and the JSON shape; ``argocd`` and ``prometheus`` are the HTTP clients (they
load ``requests`` when imported, so import them where a gate runs).
"""
