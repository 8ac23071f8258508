import numpy as np

from negsim.cast import DisinformationParams
from negsim.mechanisms.disinformation import (
    allocate_effort,
    disinformation_shift,
    message_effects,
)

P = DisinformationParams()


def test_effort_goes_to_the_most_susceptible_in_the_most_exposed_states():
    alloc = allocate_effort(
        1.0, np.array([0.9, 0.9, 0.1]), np.array([0.8, 0.1, 0.8]), np.ones(3), 2.0
    )
    assert alloc[0] > alloc[1]
    assert alloc[0] > alloc[2]
    assert np.isclose(alloc.sum(), 1.0)


def test_zero_focus_spreads_effort_evenly():
    alloc = allocate_effort(1.0, np.array([0.9, 0.1]), np.array([0.9, 0.1]), np.ones(2), 0.0)
    assert np.allclose(alloc, 0.5)


def test_counter_disinformation_blunts_the_shift():
    alloc, susc = np.array([0.5, 0.5]), np.array([0.6, 0.6])
    assert (
        disinformation_shift(alloc, susc, 1.0, P) < disinformation_shift(alloc, susc, 0.0, P)
    ).all()


def test_a_tailored_message_costs_support_among_opposed_audiences_when_public():
    stances = np.array([0.1, 0.9, 0.15])
    public = message_effects(stances, [0], 1.0, 0.02)
    separated = message_effects(stances, [0], 0.0, 0.02)
    assert public[1] < 0.0 == separated[1]
    assert public[2] > 0.0
    assert public[0] == separated[0] == 0.02


def test_the_effects_of_several_messages_add_up():
    stances = np.array([0.1, 0.9, 0.15])
    both = message_effects(stances, [0, 1], 0.5, 0.02)
    one, other = message_effects(stances, [0], 0.5, 0.02), message_effects(stances, [1], 0.5, 0.02)
    assert np.allclose(both, one + other)
