"""Helm values as a shift target (README.md, "Helm releases").

A Helm env keeps its release state (image tags, replica counts, the live color,
the canary weight) in Helm values: a Flux ``HelmRelease``'s ``spec.values``, an
Argo CD ``Application``'s ``spec.source.helm`` (``valuesObject``, the ``values``
string, ``parameters``), a values file beside a chart, or a kustomization's
``helmCharts`` entry. ``gitshift.valuepaths`` parses the dotted value paths of
the config; ``values`` reads a release's values from the rendered objects (or
the files), ``place`` writes the intents back into the source and proves them,
``template`` renders the chart with ``helm template`` before and after.
"""
