import math
import random

import numpy as np
import pytest

from negsim.compiled import kernel
from negsim.mechanisms.decisions import (
    accept_probability,
    certainty_equivalent,
    clip01,
    cost_in_issue_units,
    effective_risk_preference,
    logit_choice,
    logit_index,
    logit_pick,
    python_sum,
)


def test_clip01_clamps_to_the_unit_interval():
    assert clip01(-0.5) == 0.0
    assert clip01(1.5) == 1.0
    assert clip01(0.25) == 0.25
    assert clip01(float("nan")) == 0.0


def test_a_risk_averse_leader_values_a_spread_lottery_below_its_mean():
    assert certainty_equivalent(0.5, 0.2, 0.0, 0.5) < 0.5
    assert certainty_equivalent(0.5, 0.2, 0.5, 0.5) == 0.5
    assert certainty_equivalent(0.5, 0.2, 1.0, 0.5) > 0.5


def test_humiliation_and_losses_push_a_leader_toward_risk():
    calm = effective_risk_preference(0.4, 0.0, 0.0, 0.4, 0.5)
    assert effective_risk_preference(0.4, 0.8, 0.0, 0.4, 0.5) > calm
    assert effective_risk_preference(0.4, 0.0, 0.8, 0.4, 0.5) > calm


def test_best_response_picks_the_best_and_breaks_ties_toward_the_first():
    rng = random.Random(0)
    assert logit_choice([0.1, 0.3, 0.2], 0.0, 1.0, rng) == 1
    assert logit_choice([0.3, 0.3], 0.0, 1.0, rng) == 0


def test_noise_is_relative_to_the_stakes():
    """The same utility gap is a clear choice for a leader with a small stake in the crisis
    when it is large relative to that stake, and a near coin toss when it is small."""

    def share_of_second(stake: float) -> float:
        rng = random.Random(1)
        picks = [logit_choice([0.0, 0.02], 0.05, stake, rng) for _ in range(4000)]
        return sum(picks) / len(picks)

    assert share_of_second(0.1) > 0.95
    assert 0.5 < share_of_second(10.0) < 0.6


def test_a_kernels_logit_pick_is_the_choice_plain_python_makes():
    """Softmax weights summed as Python's ``sum`` adds floats (compensated, not naively), so
    a compiled decision picks the option plain Python would, near every boundary too."""
    rng = random.Random(3)
    for _ in range(2000):
        utilities = [rng.uniform(-1.0, 1.0) * 10 ** rng.randint(-12, 1) for _ in range(4)]
        scale, uniform = 10 ** rng.uniform(-3, 0), rng.random()
        best = max(utilities)
        weights = [math.exp((u - best) / scale) for u in utilities]
        target, expected = uniform * sum(weights), len(weights) - 1
        for k, weight in enumerate(weights):
            target -= weight
            if target < 0.0:
                expected = k
                break
        assert logit_pick(utilities, scale, uniform) == expected
        assert logit_pick(np.array(utilities), scale, uniform) == expected


@kernel
def _compiled_sum(values: np.ndarray) -> float:
    return python_sum(values)


def test_a_kernel_adds_floats_as_pythons_sum_does():
    rng = random.Random(5)
    for _ in range(500):
        values = [rng.uniform(-1.0, 1.0) * 10 ** rng.randint(-16, 16) for _ in range(7)]
        assert python_sum(values) == sum(values)
        assert _compiled_sum(np.array(values)) == sum(values)


def test_a_best_response_picks_the_first_of_the_best_options():
    assert logit_index([0.1, 0.3, 0.3], 0.0, 0.99) == 1
    assert logit_index(np.array([0.0, float("nan")]), 0.0, 0.5) == 0


def test_acceptance_is_certain_at_best_response_and_graded_with_noise():
    assert accept_probability(0.5, 0.4, 0.0) == 1.0
    assert accept_probability(0.3, 0.4, 0.0) == 0.0
    assert accept_probability(0.41, 0.4, 0.05) == pytest.approx(0.55, abs=0.01)


def test_costs_weigh_less_on_a_resolved_leader():
    timid = cost_in_issue_units(0.01, 26, 1.0, 2.25, 0.1, 0.7)
    resolved = cost_in_issue_units(0.01, 26, 1.0, 2.25, 0.9, 0.7)
    assert resolved < timid
    assert cost_in_issue_units(0.01, 26, 1.0, 2.25, 0.0, 0.7) == pytest.approx(0.26)
