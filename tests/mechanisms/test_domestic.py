import random

import numpy as np
import pytest

from negsim.mechanisms import domestic, escalation
from negsim.world import CHALLENGER, DEFENDER
from tests.helpers import dyad_world


def test_weariness_fear_and_disinformation_make_a_public_dovish():
    base = domestic.preferred_policy(0.6, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    assert domestic.preferred_policy(0.6, 0.0, 1.0, 0.3, 0.0, 0.0, 0.0) < base  # weary
    assert domestic.preferred_policy(0.6, 0.0, 1.0, 0.0, 0.0, 0.3, 0.0) < base  # afraid
    assert domestic.preferred_policy(0.6, 0.0, 1.0, 0.0, 0.0, 0.0, 0.2) < base  # misled
    assert domestic.preferred_policy(0.6, 0.2, 1.0, 0.0, 0.0, 0.0, 0.0) > base  # rallied
    assert domestic.preferred_policy(0.6, 0.0, 1.0, 0.0, 1.0, 0.3, 0.0) == base  # fearless


def test_an_unpopular_incumbent_is_likelier_to_lose():
    assert (
        domestic.election_win_probability(0.3, 0.1)
        < 0.5
        < domestic.election_win_probability(0.7, 0.1)
    )


def test_unrest_threatens_only_below_its_threshold():
    assert domestic.unrest_hazard(0.5, 0.35, 0.05) == 0.0
    assert domestic.unrest_hazard(0.0, 0.35, 0.05) == pytest.approx(0.05)


def test_a_new_principal_resets_the_other_sides_belief_about_it():
    world = dyad_world()
    tgt = world.states.ids.index("TGT")
    world.sides.type_probs[CHALLENGER] = np.eye(9)[0]
    name = domestic.replace_leader(world, tgt, "lost the election", random.Random(0))
    assert name == "Tegia's leader #2"
    assert np.allclose(world.sides.type_probs[CHALLENGER], 1 / 9)
    assert world.counts["leader_changes"] == 1


def test_publics_come_to_support_what_they_prefer():
    world = dyad_world()
    tgt = world.states.rows[world.states.ids.index("TGT")]
    world.publics.support[tgt] = 0.0
    domestic.update_publics(world)
    assert (world.publics.support[tgt] > 0.0).all()
    domestic.update_approvals(world)
    assert 0.0 < world.leaders.approval[world.sides.principal[DEFENDER]] < 1.0


def test_publics_judge_a_principal_by_its_posture_a_partner_by_its_commitment():
    world = dyad_world(**{"states.ALY.sanctions": 0.4, "states.ALY.aid": 0.8})
    ids = world.states.ids
    policy = dict(zip(ids, domestic.policies(world).tolist(), strict=True))
    assert policy["ARG"] == escalation.hawkishness(world.sides.posture[CHALLENGER])
    assert policy["ALY"] == pytest.approx(world.states.commitment(ids.index("ALY")))
    world.states.defected[ids.index("ALY")] = True
    assert domestic.policies(world)[ids.index("ALY")] == 0.0
