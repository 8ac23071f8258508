"""What the user sets in the browser: the model behind the page and its inputs.

Sliders are generated from the cast schema (`negsim.cast.Parameters`): its ranges, its
one-line meanings, and the launched cast's values (the schema defaults where the cast is
silent), so the viz never restates a parameter.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import solara
from mesa.visualization import Slider

from negsim.cast import Cast, Parameters, canonical_path, load_cast, schema_bounds
from negsim.errors import InputError
from negsim.model import DEFAULT_CAST, CrisisModel

CASTS_DIR = DEFAULT_CAST.parent
DEFAULT_SEED = 0

# The policy levers and the few parameters a user most wants to move while watching.
MAIN_PARAMETERS = (
    "bargaining.face_offer",
    "bargaining.back_channel",
    "bargaining.start_days",
    "humiliation.personal_sanctions",
    "humiliation.capitulation_demand",
    "disinformation.capacity",
    "disinformation.counter_capacity",
    "messaging.transparency",
    "sanctions.burden_sharing",
    "decisions.temperature_scale",
)


def cast_choices(extra: str | Path | None = None) -> dict[str, Path]:
    """The casts a user can pick: every agents/*.toml, plus ``extra`` if it lives elsewhere."""
    choices = {p.stem: p for p in sorted(CASTS_DIR.glob("*.toml"))}
    if extra is not None:
        extra = Path(extra).resolve()
        if extra not in choices.values():
            choices[str(extra)] = extra
    return choices


def cast_label(path: str | Path) -> str:
    """The select value naming a cast file: its stem if it is in agents/, else its path."""
    path = Path(path).resolve()
    return path.stem if path.parent == CASTS_DIR.resolve() else str(path)


def parse_seed(value: object) -> tuple[int, str | None]:
    """An integer seed from the seed box, or the default and a warning; never raises."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    text = str(value).strip()
    if re.fullmatch(r"[0-9]{1,18}", text):
        return int(text), None
    return DEFAULT_SEED, f"seed {value!r} is not a whole number; using {DEFAULT_SEED}"


def _field(path: str) -> tuple[Any, Any]:
    section, name = path.split(".")
    return Parameters.model_fields[section].annotation.model_fields[name], name


def parameter_label(path: str) -> str:
    """A short slider label: the parameter's name, then its section."""
    section, name = path.split(".")
    return f"{name.replace('_', ' ')} ({section})"


def parameter_help() -> list[tuple[str, str]]:
    """(label, one-line meaning from the schema) for every slider."""
    return [(parameter_label(p), _field(p)[0].description) for p in MAIN_PARAMETERS]


def slider_for(path: str, cast: Cast) -> Slider:
    """A slider for one parameter: the schema's range and meaning, the cast's value."""
    info, name = _field(path)
    section = path.split(".")[0]
    value = getattr(getattr(cast.parameters, section), name)
    lo, hi = schema_bounds(info)
    label = parameter_label(path)
    if info.annotation is int:
        return Slider(label, value=int(value), min=int(lo), max=int(hi), step=1, dtype=int)
    step = 10.0 ** round(math.log10((hi - lo) / 100))
    return Slider(label, value=float(value), min=float(lo), max=float(hi), step=step, dtype=float)


def model_params(cast_path: str | Path = DEFAULT_CAST) -> dict[str, Any]:
    """Mesa SolaraViz inputs: a cast select, an integer seed box and the main sliders."""
    cast = load_cast(cast_path)
    params: dict[str, Any] = {
        "cast": {
            "type": "Select",
            "value": cast_label(cast_path),
            "values": list(cast_choices(cast_path)),
            "label": "Cast (agents/*.toml)",
        },
        # Mesa's own seed input breaks on text (mesa issue #3516): a text box parsed here.
        "seed": {"type": "InputText", "value": str(DEFAULT_SEED), "label": "Seed (integer)"},
    }
    params.update({path: slider_for(path, cast) for path in MAIN_PARAMETERS})
    return params


def value_text(slider: Slider, value: float) -> str:
    """A slider's value as shown beside it, to the slider's precision."""
    decimals = max(0, -math.floor(math.log10(slider.step))) if slider.is_float_slider else 0
    return f"{value:.{decimals}f}"


@solara.component
def ParameterInputs(params: dict[str, Any], values: solara.Reactive[dict[str, Any]]) -> None:
    """The inputs of `model_params`, writing into ``values``; each slider shows its value.

    Mesa's own inputs hide a slider's value until it is dragged; these are the same inputs
    with the value printed beside each slider.
    """

    def setter(name: str):
        return lambda value: values.set({**values.value, name: value})

    for name, spec in params.items():
        if isinstance(spec, Slider):
            value = values.value.get(name, spec.value)
            slider = solara.SliderFloat if spec.is_float_slider else solara.SliderInt
            with solara.Row(gap="4px", style={"align-items": "center"}):
                slider(
                    spec.label,
                    value=value,
                    on_value=setter(name),
                    min=spec.min,
                    max=spec.max,
                    step=spec.step,
                    thumb_label=False,
                )
                solara.Text(
                    value_text(spec, value),
                    style={"min-width": "2.5em", "text-align": "right", "font-size": "14px"},
                )
        elif spec["type"] == "Select":
            solara.Select(
                spec["label"],
                value=values.value.get(name, spec["value"]),
                values=spec["values"],
                on_value=setter(name),
            )
        else:  # InputText
            solara.InputText(
                spec["label"], value=values.value.get(name, spec["value"]), on_value=setter(name)
            )


def initial_values(params: dict[str, Any]) -> dict[str, Any]:
    """What each input of `model_params` holds before the user touches it."""
    return {
        name: spec.value if isinstance(spec, Slider) else spec["value"]
        for name, spec in params.items()
    }


class VizModel(CrisisModel):
    """A CrisisModel built from what the browser sends: a cast name, a seed text, overrides.

    Mesa rebuilds the model on Reset with ``type(model)(**inputs)``; an exception there would
    replace the whole page with a traceback, so bad input becomes a warning in
    ``viz_warnings`` and a fallback value instead.
    """

    def __init__(
        self,
        cast: str | Path = DEFAULT_CAST,
        *,
        seed: object = DEFAULT_SEED,
        max_ticks: int = 104,
        scenario: object = None,
        **overrides: Any,
    ):
        # Mesa's Reset passes a default `scenario` to any model taking **kwargs; the seed box
        # (not a Mesa scenario) sets this model's randomness, so it is dropped.
        del scenario
        self.viz_warnings: list[str] = []
        seed_used, problem = parse_seed(seed)
        if problem:
            self.viz_warnings.append(problem)
        self.seed_used = seed_used
        path = cast_choices().get(str(cast), Path(cast))
        super().__init__(
            self._load(path, overrides), rng=seed_used, max_ticks=max_ticks, collect_series=True
        )

    def _load(self, path: Path, overrides: dict[str, Any]) -> Cast:
        """The cast with the overrides; without them, or the default cast, if that fails."""
        attempts = [(path, overrides), (path, {})] if overrides else [(path, {})]
        for source, changes in attempts:
            try:
                return load_cast(source, {canonical_path(k): v for k, v in changes.items()})
            except InputError as exc:
                self.viz_warnings += [f"{line} (ignored)" for line in exc.problems]
        return load_cast(DEFAULT_CAST)
