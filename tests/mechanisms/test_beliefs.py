import numpy as np
import pytest

from negsim.mechanisms import beliefs


def test_complete_information_is_a_grid_of_one_type():
    grid = beliefs.type_grid(0.7, 0.0, 9)
    assert np.all(grid == 0.7)


def test_the_grid_spreads_around_the_prior_and_stays_in_the_unit_interval():
    grid = beliefs.type_grid(0.9, 0.3, 9)
    assert grid.min() < 0.9 <= grid.max() <= 1.0
    assert beliefs.expected(beliefs.type_grid(0.5, 0.2, 9), beliefs.uniform(9)) == pytest.approx(
        0.5
    )


def test_a_rejected_offer_makes_tougher_types_likelier():
    """Types whose reservation the offer met would have accepted: a rejection says the
    receiver is tougher than them (with a tremble, not with certainty)."""
    resolves = beliefs.type_grid(0.5, 0.2, 9)
    reservations = 0.2 + 0.3 * resolves  # tougher types ask more
    offer_worth = 0.35
    prior = beliefs.uniform(9)
    rejected = beliefs.bayes(prior, beliefs.choice_likelihood(-(offer_worth - reservations), 0.03))
    assert beliefs.expected(resolves, rejected) > beliefs.expected(resolves, prior)
    assert rejected.min() > 0.0


def test_a_reading_pulls_the_belief_toward_it():
    resolves = beliefs.type_grid(0.5, 0.2, 9)
    read = beliefs.bayes(beliefs.uniform(9), beliefs.signal_likelihood(resolves, 0.8, 0.1))
    assert beliefs.expected(resolves, read) > 0.6


def test_an_impossible_observation_leaves_the_belief_unchanged():
    prior = beliefs.uniform(5)
    assert np.array_equal(beliefs.bayes(prior, np.zeros(5)), prior)


def test_fighting_corrects_a_misjudgment_and_standing_still_does_not():
    assert abs(beliefs.corrected_misjudgment(0.3, 1.0, 0.1)) < 0.3
    assert beliefs.corrected_misjudgment(0.3, 0.0, 0.1) == 0.3


def test_a_sides_belief_learns_from_the_channel_then_from_the_fighting_in_place():
    values = beliefs.type_grid(0.5, 0.2, 9)
    fight = 0.1 + 0.2 * values  # tougher types value fighting on more
    probs = beliefs.uniform(9)
    expected = beliefs.learn_from_choice(
        beliefs.learn_from_signal(probs, values, 0.8, 0.1), fight - 0.15, 0.03
    )
    error = beliefs.learn_resolve(probs, values, 0.8, 0.1, fight, 0.15, 0.03, 0.7)
    assert np.array_equal(probs, expected)
    assert error == pytest.approx(abs(beliefs.expected(values, expected) - 0.7))
    unchanged = beliefs.uniform(9)
    beliefs.learn_resolve(unchanged, values, 0.0, 0.0, np.empty(0), 0.0, 0.03, 0.5)
    assert np.array_equal(unchanged, beliefs.uniform(9))
