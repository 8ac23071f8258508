import random

import pytest

from negsim.cast import RungId
from negsim.mechanisms import escalation
from negsim.world import CHALLENGER
from tests.helpers import dyad_world


def test_nuclear_signalling_looks_no_more_hawkish_than_full_war():
    assert escalation.hawkishness(RungId.NUCLEAR_THREATS) == escalation.hawkishness(RungId.FULL_WAR)
    assert escalation.hawkishness(RungId.LIMITED_FORCE) < escalation.hawkishness(RungId.FULL_WAR)


def test_the_hazard_grows_with_humiliation_and_a_back_channel_cuts_it():
    base = escalation.weekly_hazard(0.001, 0.0, 0.0, 2.0, 0.5)
    assert escalation.weekly_hazard(0.001, 0.5, 0.0, 2.0, 0.5) > base
    assert escalation.weekly_hazard(0.001, 0.0, 1.0, 2.0, 0.5) == pytest.approx(0.5 * base)


def test_catastrophe_threatens_only_at_the_nuclear_threat_rung():
    assert escalation.catastrophe_chance(RungId.FULL_WAR, 0.01, 26) == 0.0
    assert escalation.catastrophe_chance(RungId.NUCLEAR_THREATS, 0.01, 26) == pytest.approx(
        1 - 0.99**26
    )


def test_an_offramp_makes_climbing_down_cheaper_and_humiliation_dearer():
    base = escalation.climb_down_cost(0.1, 0.8, 0.0, 0.0, 0.8)
    assert escalation.climb_down_cost(0.1, 0.8, 0.0, 1.0, 0.8) < base
    assert escalation.climb_down_cost(0.1, 0.8, 0.5, 0.0, 0.8) > base


def test_humiliation_grows_with_personal_sanctions_and_face_relieves_it():
    h = escalation.update_humiliation(0.2, 0.04, 0.03, 0.0, 0.0, 0.0, 1.5, 0.15)
    assert h > 0.2 * 0.96
    relieved = escalation.update_humiliation(0.2, 0.04, 0.03, 0.0, 0.0, 0.5, 1.5, 0.15)
    assert relieved < h


def test_an_accident_cannot_climb_past_what_a_sides_forces_can_reach():
    """A non-nuclear challenger at full war cannot slip into nuclear threats."""
    world = dyad_world(**{"states.ARG.nuclear": False, "escalation.ladder.full_war.hazard": 1.0})
    escalation.slip(world, random.Random(0))
    assert world.sides.posture[CHALLENGER] == RungId.FULL_WAR


def test_at_nuclear_threats_an_accident_can_reach_nuclear_use():
    world = dyad_world(
        **{"sides.challenger.posture": 4, "escalation.ladder.nuclear_threats.hazard": 1.0}
    )
    escalation.slip(world, random.Random(0))
    assert world.rung == RungId.NUCLEAR_USE
