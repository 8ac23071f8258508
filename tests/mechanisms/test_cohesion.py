import numpy as np

from negsim.cast import CohesionParams
from negsim.mechanisms.cohesion import cohesion, trust_target, update_trust

W = np.full(3, 1.0 / 3.0)  # economy shares


def test_united_full_commitment_is_full_cohesion():
    assert cohesion(np.ones(3), W, np.ones(3)) == 1.0


def test_dispersion_of_commitment_lowers_cohesion():
    even = cohesion(np.array([0.6, 0.6, 0.6]), W, np.ones(3))
    split = cohesion(np.array([0.2, 0.6, 1.0]), W, np.ones(3))
    assert split < even


def test_mistrust_lowers_cohesion():
    assert cohesion(np.full(3, 0.8), W, np.full(3, 0.5)) < cohesion(np.full(3, 0.8), W, np.ones(3))


def test_uneven_pain_costs_the_most_burdened_members_trust():
    target = trust_target(np.array([0.1, 0.1, 0.4]))
    assert target[2] < target[0] == 1.0


def test_trust_moves_toward_what_uneven_pain_allows():
    trust = np.ones(3)
    after = update_trust(trust, np.array([0.1, 0.1, 0.4]), np.zeros(3), CohesionParams())
    assert after[2] < 1.0
