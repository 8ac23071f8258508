"""What the page reads off a model, as plain values."""

from __future__ import annotations

import pytest

from negsim.viz import view
from negsim.viz.controls import VizModel


@pytest.fixture(scope="module")
def model() -> VizModel:
    m = VizModel("ukraine_2022", seed=3)
    for _ in range(5):
        m.step()
    return m


def test_status_is_where_the_crisis_stands(model):
    s = view.status(model)
    assert (s.week, s.weeks) == (5, 104)
    assert 0 <= s.rung < len(view.RUNG_NAMES)
    assert 0.0 <= s.control <= 1.0 and 0.0 <= s.cohesion <= 1.0
    assert s.outcome is None and s.deal is None


def test_every_state_is_on_a_known_side_and_has_a_place(model):
    states = view.states(model)
    assert [s.sid for s in states] == [s.sid for s in model.states]
    assert {s.side for s in states} <= set(view.SIDES)
    assert set(view.positions(model)) == {s.sid for s in states}
    assert view.front(model)[0] != view.front(model)[1]


def test_ties_join_every_pair_of_partners_once(model):
    partners = {a for tie in view.ties(model) for a in (tie.a, tie.b)}
    n = len(partners)
    ties = view.ties(model)
    assert len(ties) == n * (n - 1) // 2
    assert all(0.0 <= tie.cohesion <= 1.0 for tie in ties)
    assert {giver for giver, _ in view.aid_lines(model)} <= partners


def test_series_hold_one_value_per_week_for_every_line(model):
    s = view.series(model)
    assert s.weeks == list(range(6))
    assert all(len(v) == 6 for v in s.lines.values())
    assert len(s.rung) == 6
    assert set(s.approval) == {state.sid for state in view.states(model)}


def test_events_are_newest_first_and_leave_out_the_outcome(model):
    events = view.events(model, limit=10)
    assert [e.week for e in events] == sorted((e.week for e in events), reverse=True)
    assert all(e.kind != "outcome" for e in events)
