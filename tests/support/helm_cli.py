"""A ``helm template`` stand-in for machines without the helm binary, built on Helm's own engine.

Debian and the package registries reachable here ship no ``helm`` binary; the
``helm-python-sdk`` wheel ships Helm's Go SDK as a library. This command takes
the subset of ``helm template`` arguments gitshift passes (``template NAME
CHART --namespace NS [-f FILE]...``), merges the value files as helm does
(later files win, maps merge), renders with the library and prints the
documents as helm prints them. Where a real ``helm`` is on PATH the tests use
that instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def _merge(into: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    for k, v in data.items():
        if v is None:
            into.pop(k, None)
        elif isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v
    return into


def main(argv: list[str]) -> int:
    import helm_python
    import yaml

    if argv[:1] == ["version"]:  # kustomize --enable-helm asks first which helm it has
        print("v3.18.4+gstandin")
        return 0
    if len(argv) < 3 or argv[0] != "template":
        print("Error: only `helm template NAME CHART` is supported here", file=sys.stderr)
        return 2
    name, chart, rest = argv[1], argv[2], argv[3:]
    namespace, values = "default", {}
    while rest:
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "--namespace":
            namespace = value
        elif flag in ("-f", "--values"):
            _merge(values, yaml.safe_load(Path(value).read_text()) or {})
        else:
            print(f"Error: unknown flag {flag}", file=sys.stderr)
            return 2
    try:
        with helm_python.Chart.load(chart) as c:
            out = c.render(values, name=name, namespace=namespace)
    except Exception as exc:  # helm's own errors, printed as helm prints them
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    for source in sorted(out):
        text = out[source].strip()
        if source.endswith(".txt") or not text:
            continue
        print(f"---\n# Source: {source}\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
