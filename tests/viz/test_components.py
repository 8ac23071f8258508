"""The panels' figures and texts, from a model that has run a while."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from negsim.outcomes import Outcome
from negsim.viz import view
from negsim.viz.components import (
    events_html,
    network_figure,
    outcome_text,
    publics_figure,
    scale_color,
    series_figure,
    status_text,
)
from negsim.viz.controls import VizModel

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def model() -> VizModel:
    m = VizModel("ukraine_2022", seed=1)
    for _ in range(12):
        m.step()
    return m


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def hovers(root: ET.Element, tag: str) -> list[str]:
    return [el.findtext(f"{SVG}title") or "" for el in root.iter(f"{SVG}{tag}")]


def test_the_series_has_one_point_per_week(model):
    root = parse(series_figure(model))
    assert root.get("data-figure") == "negsim-series"
    assert root.get("data-weeks") == str(model.tick + 1)
    lines = {
        (line.findtext(f"{SVG}title") or ""): line.get("points").split()
        for line in root.iter(f"{SVG}polyline")
    }
    assert {"cohesion", "control", "humiliation", "escalation rung"} <= set(lines)
    assert {f"approval {s.sid}" for s in model.states} <= set(lines)
    assert len(lines["cohesion"]) == model.tick + 1
    assert len(lines["escalation rung"]) == 2 * model.tick + 1  # a step line


def test_the_network_sizes_states_by_military_and_colors_them_by_side(model):
    root = parse(network_figure(model))
    assert root.get("data-figure") == "negsim-network"
    states = {s.name: s for s in view.states(model)}
    drawn = {}
    for circle in root.iter(f"{SVG}circle"):
        title = circle.findtext(f"{SVG}title") or ""
        name = title.split(" (")[0]
        if name in states:
            drawn[name] = circle
    intact = [s for s in states.values() if not s.broken]
    assert set(drawn) == {s.name for s in intact}
    for s in intact:
        assert drawn[s.name].get("fill") == view.SIDE_COLORS[s.side]
    by_military = sorted(intact, key=lambda s: s.military)
    radii = [float(drawn[s.name].get("r")) for s in by_military]
    assert radii == sorted(radii)


def test_every_constituency_group_is_drawn_colored_by_its_support(model):
    root = parse(network_figure(model))
    groups = view.publics(model)
    rings = [c for c in root.iter(f"{SVG}circle") if "support" in (c.findtext(f"{SVG}title") or "")]
    assert len(rings) == sum(len(rows) for rows in groups.values())
    supports = {f"{sid} {p.group}": p.support for sid, rows in groups.items() for p in rows}
    for ring in rings:
        key = ring.findtext(f"{SVG}title").split(":")[0]
        assert ring.get("fill") == scale_color(supports[key])


def test_every_state_shows_its_publics(model):
    groups = view.publics(model)
    assert set(groups) == {s.sid for s in model.states}
    for sid, rows in groups.items():
        assert {p.group for p in rows} == set(model.cast.constituencies[sid])
        assert sum(p.weight for p in rows) == pytest.approx(1.0)
    root = parse(publics_figure(model))
    assert root.get("data-figure") == "negsim-publics"
    approvals = [h for h in hovers(root, "rect") if "approval" in h]
    assert len(approvals) == len(model.states)


def test_the_color_scale_runs_from_vermillion_through_grey_to_blue():
    assert scale_color(0.0) == "#D55E00"
    assert scale_color(0.5) == "#EEEEEE"
    assert scale_color(1.0) == "#0072B2"
    assert scale_color(-1) == scale_color(0.0) and scale_color(2) == scale_color(1.0)


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
    root = parse(series_figure(m))
    assert root.get("data-weeks") == str(m.tick + 1)


def test_figures_escape_text_from_the_cast(model, monkeypatch):
    states = view.states(model)
    evil = [view.StateView(**{**s.__dict__, "name": "A & <B>"}) for s in states]
    monkeypatch.setattr(view, "states", lambda m: evil)
    parse(publics_figure(model))  # well-formed: the names were escaped
    assert "A &amp; &lt;B&gt;" in publics_figure(model)
