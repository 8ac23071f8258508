import numpy as np

from negsim.mechanisms.battlefield import balance, drift, fight, side_effort
from tests.helpers import dyad_world


def test_aid_and_projected_force_add_to_a_sides_effort():
    alone = side_effort(1.0, 0.0, 0.0, 1.0, 1.0, 1.0)
    assert side_effort(1.0, 0.4, 0.0, 1.0, 1.0, 1.0) > alone
    assert side_effort(1.0, 0.0, 0.5, 1.0, 1.0, 1.0) > alone


def test_partners_project_no_force_below_limited_war():
    assert side_effort(1.0, 0.0, 0.5, 1.0, 1.0, 0.0) == side_effort(1.0, 0.0, 0.0, 1.0, 1.0, 1.0)


def test_the_balance_favours_the_stronger_side_and_is_bounded():
    assert balance(2.0, 1.0) > 0 > balance(1.0, 2.0)
    assert balance(1.0, 0.0) == 1.0
    assert balance(0.0, 0.0) == 0.0


def test_control_moves_faster_as_fighting_intensifies():
    assert drift(0.2, 1.0, 0.02) > drift(0.2, 0.5, 0.02) > drift(0.2, 0.0, 0.02) == 0.0


def test_a_much_stronger_challenger_gains_ground():
    world = dyad_world(**{"states.ARG.military": 5.0, "battlefield.noise": 0.0})
    before = world.control
    lost = fight(world, np.random.default_rng(0))
    assert world.control > before
    assert lost < 0


def test_no_ground_moves_without_fighting():
    world = dyad_world(**{"sides.challenger.posture": 1, "sides.defender.posture": 1})
    before = world.control
    fight(world, np.random.default_rng(0))
    assert world.control == before
