import pytest

from negsim.mechanisms import sanctions
from negsim.mechanisms.sanctions import (
    buffered_loss,
    leverage,
    neutral_leakage,
    sanction_pressure,
    sanction_reach,
    sanctioner_costs,
)
from negsim.world import CHALLENGER
from tests.helpers import dyad_world


def test_a_larger_economy_has_more_leverage():
    assert leverage(10.0, 1.0) > leverage(1.0, 1.0) > leverage(0.1, 1.0)


def test_every_sanctioner_adds_reach_even_in_a_large_coalition():
    big = sanction_reach([1.0, 1.0], [0.9, 0.9])
    assert sanction_reach([1.0, 1.0, 1.0], [0.9, 0.9, 0.1]) > big
    assert sanction_reach([1.0], [0.9]) == pytest.approx(0.9)


def test_low_cohesion_and_neutral_trade_blunt_sanctions():
    full = sanction_pressure(0.9, 1.0, 0.0, 0.002, 0.3)
    assert sanction_pressure(0.9, 0.2, 0.0, 0.002, 0.3) < full
    assert sanction_pressure(0.9, 1.0, 0.3, 0.002, 0.3) < full
    assert neutral_leakage([1.0], [5.0], 5.0, 0.6) == pytest.approx(0.3)


def test_reserves_absorb_sanctions():
    assert buffered_loss(0.002, 1.0, 3.0) < buffered_loss(0.002, 0.1, 3.0)


def test_burden_sharing_evens_out_the_costs_of_sanctioning():
    alone = sanctioner_costs([1.0, 1.0], [0.8, 0.1], [1.0, 1.0], 0.0, 0.001)
    shared = sanctioner_costs([1.0, 1.0], [0.8, 0.1], [1.0, 1.0], 1.0, 0.001)
    assert alone[0] > alone[1]
    assert shared[0] == pytest.approx(shared[1])
    assert sum(shared) == pytest.approx(sum(alone))


def test_the_relief_of_easing_equals_recomputing_the_pressure():
    world = dyad_world()
    ally = world.states.ids.index("ALY")
    spared = sanctions.spared_by_easing(world, CHALLENGER, ally, 0.2)
    before = world.pressure[CHALLENGER]
    world.states.sanctions[ally] = 0.2
    sanctions.refresh(world)
    assert before - world.pressure[CHALLENGER] == pytest.approx(spared)
