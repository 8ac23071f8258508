import random

import numpy as np
import pytest

from negsim.mechanisms import cohesion
from negsim.mechanisms.cohesion import EASE, LEAVE, TIGHTEN
from negsim.world import CHALLENGER, Threat
from tests.helpers import dyad_world


def test_a_united_committed_coalition_is_cohesive_and_a_split_one_is_not():
    assert cohesion.cohesion([1.0, 1.0], [0.5, 0.5], [1.0, 1.0]) == pytest.approx(1.0)
    assert cohesion.cohesion([1.0, 0.0], [0.5, 0.5], [1.0, 1.0]) == pytest.approx(0.0)
    assert cohesion.cohesion([0.8, 0.8], [0.5, 0.5], [0.5, 0.5]) == pytest.approx(0.4)


def test_a_partner_with_only_its_forces_to_give_counts_as_committed_while_in_ranks():
    world = dyad_world(**{"states.ALY.instruments": ["force"], "states.ALY.force_projection": 0.3})
    ally = world.states.ids.index("ALY")
    assert world.states.commitment(ally) == 0.0  # no sanctions or aid to give
    assert world.cohesion[1] > 0.5
    world.states.defected[ally] = True
    cohesion.refresh(world)
    assert world.cohesion[1] == 0.0


def test_a_partner_bearing_more_than_its_share_trusts_less():
    target = cohesion.trust_target([0.02, 0.01])
    assert target[0] < target[1] == 1.0


def test_disinformation_wedges_trust():
    assert cohesion.update_trust([1.0], [0.01], [0.05], 0.1, 1.0)[0] == pytest.approx(0.95)


def _values(**overrides):
    world = dyad_world(**overrides)
    world.tick = 1
    cohesion.value_commitments(world, random.Random(0))
    values = world.commitments[3]
    return world, values[0]


def test_exposure_makes_tightening_sanctions_less_attractive():
    _, low = _values(**{"states.ALY.exposure.ARG": 0.0})
    _, high = _values(**{"states.ALY.exposure.ARG": 1.0, "sanctions.self_cost": 0.05})
    assert high[TIGHTEN] - high[EASE] < low[TIGHTEN] - low[EASE]


def test_breaking_ranks_costs_a_partners_name_as_an_ally():
    _, cheap = _values(**{"cohesion.ally_reputation": 0.0})
    _, dear = _values(**{"cohesion.ally_reputation": 1.0})
    assert dear[LEAVE] == pytest.approx(cheap[LEAVE] - 1.0)


def test_a_threat_makes_easing_more_attractive():
    world, calm = _values()
    ally = world.states.ids.index("ALY")
    level = world.states.commitment(ally)
    world.threats = [Threat(CHALLENGER, 0, ally, "ease", "climb", 0, 4, 0.9, level=level)]
    world.tick = 2
    cohesion.value_commitments(world, random.Random(0))
    threatened = world.commitments[3][0]
    assert threatened[EASE] - threatened[TIGHTEN] > calm[EASE] - calm[TIGHTEN]


def test_defected_partners_can_rejoin_but_not_leave_again():
    world = dyad_world()
    ally = world.states.ids.index("ALY")
    world.states.defected[ally] = True
    world.tick = 1
    cohesion.value_commitments(world, random.Random(0))
    row = world.commitments[3][0]
    assert np.isnan(row[LEAVE]) and np.isnan(row[TIGHTEN])
    assert not np.isnan(row[4])
