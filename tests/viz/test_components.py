"""The panels' figures and texts, from a model that has run a while."""

from __future__ import annotations

import re

import pytest

from negsim.analysis.colors import ROLE_COLORS
from negsim.outcomes import Outcome
from negsim.viz.components import (
    events_html,
    group_support,
    network_figure,
    outcome_text,
    publics_figure,
    series_figure,
    status_text,
)
from negsim.viz.controls import VizModel


@pytest.fixture(scope="module")
def model() -> VizModel:
    m = VizModel("ukraine_2022", seed=1)
    for _ in range(12):
        m.step()
    return m


def test_the_series_has_one_point_per_week(model):
    fig = series_figure(model)
    assert fig.layout.meta == "negsim-series"
    names = {t.name for t in fig.data}
    assert {"cohesion", "control", "humiliation", "rung"} <= names
    assert {f"approval {s.sid}" for s in model.states} <= names
    assert all(len(t.y) == model.tick + 1 for t in fig.data)


def test_the_network_sizes_states_by_military_and_colors_them_by_role(model):
    fig = network_figure(model)
    states = {t.name: t for t in fig.data if t.name in ROLE_COLORS}
    assert set(states) == {s.role.value for s in model.states}
    coalition = states["coalition"]
    assert coalition.marker.color == ROLE_COLORS["coalition"]
    military = [s.military for s in model.coalition]
    order = sorted(range(len(military)), key=military.__getitem__)
    assert [coalition.marker.size[i] for i in order] == sorted(coalition.marker.size)
    publics = next(t for t in fig.data if t.name == "publics")
    assert len(publics.x) == sum(len(g) for g in group_support(model).values())
    assert all(0.0 <= v <= 1.0 for v in publics.marker.color)


def test_every_state_shows_its_publics(model):
    groups = group_support(model)
    assert set(groups) == {s.sid for s in model.states}
    for sid, rows in groups.items():
        assert {g for g, _, _ in rows} == set(model.cast.constituencies[sid])
        assert sum(w for _, w, _ in rows) == pytest.approx(1.0)
    assert publics_figure(model).layout.meta == "negsim-publics"


def test_status_log_and_outcome_read_the_model(model):
    assert status_text(model).startswith(f"Week {model.tick} of {model.max_ticks}")
    assert outcome_text(model) is None or model.outcome is not None
    weeks = [int(w) for w in re.findall(r">w(\d+)</td>", events_html(model))]
    assert weeks and weeks == sorted(weeks, reverse=True)  # newest first
    assert weeks[0] == model.events[-1].tick


def test_a_finished_run_names_its_outcome():
    m = VizModel("dyad", seed=2)
    while m.running:
        m.step()
    assert isinstance(m.outcome, Outcome)
    assert outcome_text(m).startswith(f"Outcome: {m.outcome.value.replace('_', ' ')} in week")
