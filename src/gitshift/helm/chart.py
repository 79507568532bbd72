"""The release's chart rendered with its values, for ``status``, ``check`` and the gates (README.md, "Helm releases").

A shift proves its values by rendering the chart before and after (``template.prove``).
The read-only commands render it only when asked (``helm.render: true``, or
``--engine helm`` for every env whose ``helm.render`` is ``auto``) and then run the
same checks on it; otherwise they say the chart was not rendered. The gates render
it with marker values to learn which workload plays which role (``workloads``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitshift.errors import InputError
from gitshift.helm.values import release, required, settings, unavailable
from gitshift.valuepaths import ValuePath, fmt, set_value

if TYPE_CHECKING:
    from gitshift.config import EnvConfig
    from gitshift.files import FileView
    from gitshift.manifests import Obj, Rendered
    from gitshift.result import State


# What status and check say of a chart they did not render because nobody asked.
NOT_ASKED = "chart not rendered: --engine helm (or helm.render: true) renders it with helm template"


@dataclass(frozen=True)
class ChartRender:
    """The chart's objects, and what rendered them."""

    objs: list[Obj]
    how: str  # "chart charts/web rendered with helm template"


def render(env: EnvConfig, tree: Path, view: FileView, rendered: Rendered, asked: bool = False,
           edits: Mapping[ValuePath, Any] | None = None) -> ChartRender | str:
    """The chart rendered with the env's values (``edits`` over them); the reason (str) when it is not.

    ``helm.render`` decides (``asked`` turns ``auto`` into ``true``, see ``required``):
    ``false`` never renders, ``auto`` renders where helm is on PATH and a local chart is
    found, ``true`` must.

    Raises:
        RendererUnavailableError: it must, and helm (or kustomize/kubectl for a helmCharts entry) is missing.
        InputError: it must, and no local chart is found.
        RenderError: the chart does not render.
    """
    from gitshift.helm import template

    how = required(env, asked)
    if how is False:
        return "helm.render: false"
    s = settings(env)
    if s.helm_chart is not None:
        from gitshift.render.builtin import BuiltinRenderer
        from gitshift.render.helmcharts import helm_engine

        engine = helm_engine()
        if engine is None:
            if how is True:
                raise unavailable(env, asked, "helm and kustomize (or kubectl) are not on PATH")
            return "helm is not on PATH"
        if edits:
            view = view.with_edits(_entry_edits(env, tree, view, rendered, edits))
        from gitshift.render.helmcharts import HelmFallbackRenderer

        objs = HelmFallbackRenderer(BuiltinRenderer()).render(tree / env.overlay, view)
        return ChartRender(objs, f"overlay {env.overlay} rendered with {engine} --enable-helm")
    binary = template.helm_binary()
    if binary is None:
        if how is True:
            raise unavailable(env, asked, "helm is not on PATH")
        return "helm is not on PATH"
    chart = template.chart_of(rendered, env, view, tree)
    if isinstance(chart, str):
        if how is True:
            raise InputError(f"cannot render the chart: {chart}", f"{env.app}/{env.name}")
        return chart
    if edits:
        values = copy.deepcopy(chart.values or release(rendered, env).effective())
        for vp, value in edits.items():
            set_value(values, vp, value)
        chart = replace(chart, values=values)
    return ChartRender(template.template(chart, view, tree, binary), f"chart {chart.chart} rendered with helm template")


def _entry_edits(env: EnvConfig, tree: Path, view: FileView, rendered: Rendered,
                 edits: Mapping[ValuePath, Any]) -> dict[Path, bytes | None]:
    """The file edits that make ``edits`` hold in a helmCharts entry's values (valuesInline or its file)."""
    from gitshift.helm.place import place_files

    r = release(rendered, env)
    for vp, value in edits.items():
        r.set(fmt(vp), value, f"apps.{env.app}.envs.{env.name}.helm")
    return place_files(tree, env, view, r.intents())


def check(env: EnvConfig, tree: Path, view: FileView, rendered: Rendered, state: State,
          asked: bool = False) -> tuple[list[str], str | None]:
    """The chart's failures as a shift's proof finds them, and why the chart was not rendered (None: it was).

    ``status`` and ``check`` render a chart only when asked: ``helm.render: true``, or
    ``--engine helm`` (``asked``) where it is ``auto``.
    """
    from gitshift.helm import template

    how = required(env, asked)
    if how is False:
        return [], "chart not rendered (helm.render: false)"
    if how is not True:
        return [], NOT_ASKED
    done = render(env, tree, view, rendered, asked)
    assert not isinstance(done, str)  # how is True: render raises rather than give a reason
    return template.expectations(done.objs, state), None
