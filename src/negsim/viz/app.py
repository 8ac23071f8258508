"""The Solara app: Mesa's SolaraViz around a crisis model, one model per browser session.

Serve it with ``negsim viz`` (which sets up offline serving), or ``solara run negsim.viz.app``.
The cast shown first is $NEGSIM_VIZ_CAST, else the default cast.
"""

from __future__ import annotations

import os
from pathlib import Path

import solara
from mesa.visualization import SolaraViz

from negsim.model import DEFAULT_CAST
from negsim.viz.commands import CAST_ENV
from negsim.viz.components import PANELS
from negsim.viz.controls import VizModel, cast_label, model_params, parameter_help


def launched_cast() -> Path:
    """The cast the app opens with."""
    return Path(os.environ.get(CAST_ENV) or DEFAULT_CAST)


@solara.component
def Page(cast_path: str | Path | None = None) -> solara.Element:
    """The whole page: controls and parameters in the sidebar, the crisis panels in the grid."""
    cast_path = cast_path or launched_cast()
    params = solara.use_memo(lambda: model_params(cast_path), [str(cast_path)])
    model = solara.use_memo(
        lambda: VizModel(cast_label(cast_path), seed=params["seed"]["value"]), [str(cast_path)]
    )
    with solara.Column() as main:
        SolaraViz(
            model,
            components=list(PANELS),
            model_params=params,
            name=f"negsim: {model.cast.cast.name}",
            play_interval=150,
        )
        with solara.Sidebar(), solara.Details("What the sliders mean"):
            for label, meaning in parameter_help():
                solara.HTML(tag="p", unsafe_innerHTML=f"<b>{label}</b>: {meaning}")
    return main


page = Page
