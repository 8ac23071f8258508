"""The Solara app: Mesa's visualization controls around a crisis model, one per browser session.

Serve it with ``negsim viz`` (which sets up offline serving), or ``solara run negsim.viz.app``.
The cast shown first is $NEGSIM_VIZ_CAST, else the default cast.

The page is Mesa's SolaraViz taken apart and put together again: Mesa's controller (Reset,
play/pause, Step) drives the model; the parameter inputs (each slider shows its value) and
the grid of panels (one render per step for all of them) are negsim's.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import solara
from mesa.visualization.solara_viz import ModelController

from negsim.model import DEFAULT_CAST
from negsim.viz import view
from negsim.viz.commands import CAST_ENV
from negsim.viz.components import CrisisPanels
from negsim.viz.controls import (
    ParameterInputs,
    VizModel,
    cast_label,
    initial_values,
    model_params,
    parameter_help,
)

PLAY_INTERVAL_MS = 50  # pause between weeks while playing

# Solara warns at every page served over plain http on an address other than "localhost"
# (127.0.0.1 included) that its session cookie falls back to samesite=lax. Lax is right for a
# page that is not embedded in another site's frame, which this one never is.
warnings.filterwarnings(
    "ignore", message="Cookies with samesite=none require https", category=UserWarning
)


def launched_cast() -> Path:
    """The cast the app opens with."""
    return Path(os.environ.get(CAST_ENV) or DEFAULT_CAST)


@solara.component
def Page(cast_path: str | Path | None = None) -> solara.Element:
    """The whole page: controls and parameters in the sidebar, the crisis panels in the grid."""
    cast_path = cast_path or launched_cast()
    params = solara.use_memo(lambda: model_params(cast_path), [str(cast_path)])
    first = solara.use_memo(
        lambda: VizModel(cast_label(cast_path), seed=params["seed"]["value"]), [str(cast_path)]
    )
    model = solara.use_reactive(first)
    values = solara.use_reactive(initial_values(params))
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)  # Mesa's controller wants reactives for these
    use_threads = solara.use_reactive(False)
    with solara.Column() as main:
        with solara.AppBar():
            solara.AppBarTitle(f"negsim: {view.title(model.value)}")
        with solara.Sidebar(), solara.Column():
            with solara.Card("Controls"):
                ModelController(
                    model,
                    model_parameters=values,
                    play_interval=play_interval,
                    render_interval=render_interval,
                    use_threads=use_threads,
                )
                solara.SliderInt(
                    f"Pause between weeks: {play_interval.value} ms",
                    value=play_interval,
                    min=0,
                    max=1000,
                    step=50,
                    thumb_label=False,
                )
            with solara.Card("Model parameters"):
                solara.Text("Changes take effect on Reset.", style={"font-size": "13px"})
                ParameterInputs(params, values)
            with solara.Details("What the sliders mean"):
                for label, meaning in parameter_help():
                    solara.HTML(tag="p", unsafe_innerHTML=f"<b>{label}</b>: {meaning}")
        CrisisPanels(model.value)
    return main


page = Page
