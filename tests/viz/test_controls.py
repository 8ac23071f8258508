"""Inputs of the page: sliders from the schema, the seed box, the model behind the page."""

from __future__ import annotations

import pytest

from negsim.analysis.colors import OUTCOME_COLORS, ROLE_COLORS
from negsim.cast import Parameters, load_cast
from negsim.model import DEFAULT_CAST
from negsim.outcomes import Outcome
from negsim.viz.controls import (
    MAIN_PARAMETERS,
    VizModel,
    cast_choices,
    model_params,
    parse_seed,
)


def test_every_outcome_and_role_has_one_color():
    assert set(OUTCOME_COLORS) == {o.value for o in Outcome}
    assert set(ROLE_COLORS) == {
        "challenger",
        "challenger's partner",
        "defender",
        "defender's partner",
        "neutral",
    }
    assert len(set(OUTCOME_COLORS.values())) == len(OUTCOME_COLORS)


@pytest.mark.parametrize("path", MAIN_PARAMETERS)
def test_sliders_take_range_and_meaning_from_the_schema_and_value_from_the_cast(path):
    section, name = path.split(".")
    info = Parameters.model_fields[section].annotation.model_fields[name]
    slider = model_params(DEFAULT_CAST)[path]
    lo = next(m.ge for m in info.metadata if hasattr(m, "ge"))
    hi = next(m.le for m in info.metadata if hasattr(m, "le"))
    assert (slider.min, slider.max) == (lo, hi)
    assert slider.is_float_slider == (info.annotation is float)
    cast = load_cast(DEFAULT_CAST)
    assert slider.value == getattr(getattr(cast.parameters, section), name)
    assert lo <= slider.value <= hi


def test_the_cast_select_offers_every_cast_in_agents():
    select = model_params(DEFAULT_CAST)["cast"]
    assert set(select["values"]) >= {"dyad", "ukraine_2022"}
    assert select["value"] == "ukraine_2022"


def test_a_cast_outside_agents_joins_the_choices(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text((DEFAULT_CAST.parent / "dyad.toml").read_text())
    assert str(mine.resolve()) in cast_choices(mine)
    assert model_params(mine)["cast"]["value"] == str(mine.resolve())


@pytest.mark.parametrize(
    ("text", "seed", "warns"),
    [
        ("42", 42, False),
        (" 7 ", 7, False),
        (3, 3, False),
        ("abc", 0, True),
        ("-1", 0, True),
        ("1.5", 0, True),
        ("", 0, True),
        (True, 0, True),
    ],
)
def test_the_seed_box_accepts_only_whole_numbers(text, seed, warns):
    value, problem = parse_seed(text)
    assert value == seed
    assert (problem is not None) == warns


def test_bad_inputs_become_warnings_not_exceptions():
    model = VizModel("no_such_cast", seed="x", **{"bargaining.face_offer": 0.4})
    assert model.cast.cast.name == "ukraine_2022"
    assert model.seed_used == 0
    assert len(model.viz_warnings) == 3  # the seed, the cast with and without the override


def test_overrides_and_seed_reach_the_model():
    a = VizModel("dyad", seed="5", **{"disinformation.capacity": 0.9})
    b = VizModel("dyad", seed=5, **{"disinformation.capacity": 0.9})
    assert a.params.disinformation.capacity == 0.9
    for _ in range(10):
        a.step()
        b.step()
    assert a.control == b.control and a.events == b.events
