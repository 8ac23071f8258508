import random

from negsim.mechanisms.battlefield import control_drift
from negsim.mechanisms.decisions import (
    accept_probability,
    certainty_equivalent,
    clip01,
    effective_risk_preference,
    logit_choice,
)


def test_clip01_clamps_exactly_as_min_of_max():
    for value in (-1.0, -0.0, 0.0, 0.3, 1.0, 1.5, float("nan"), float("inf")):
        assert repr(clip01(value)) == repr(min(1.0, max(0.0, value)))


def test_zero_temperature_is_a_best_response():
    assert logit_choice([0.1, 0.5, 0.3], 0.0, random.Random(0)) == 1


def test_logit_choice_favours_better_options_but_not_always():
    rng = random.Random(0)
    picks = [logit_choice([0.0, 0.1], 0.1, rng) for _ in range(2000)]
    share = sum(picks) / len(picks)
    assert 0.6 < share < 0.85  # exp(1) / (1 + exp(1)) = 0.73


def test_risk_averse_leaders_value_a_lottery_below_its_mean():
    assert certainty_equivalent(0.5, 0.2, 0.0, 1.0) < 0.5 < certainty_equivalent(0.5, 0.2, 1.0, 1.0)


def test_humiliation_and_losses_make_a_leader_risk_acceptant():
    base = effective_risk_preference(0.4, 0.0, 0.0, 0.4, 0.5)
    assert effective_risk_preference(0.4, 0.5, 0.0, 0.4, 0.5) > base
    assert effective_risk_preference(0.4, 0.0, 0.5, 0.4, 0.5) > base


def test_a_sure_deal_is_taken_when_worth_more_than_fighting_on():
    assert accept_probability(0.6, 0.4, 0.0) == 1.0
    assert accept_probability(0.3, 0.4, 0.0) == 0.0
    assert 0.5 < accept_probability(0.45, 0.4, 0.05) < 1.0


def test_control_moves_toward_the_stronger_side_only_when_fighting():
    assert control_drift(1.0, 0.5, 0.02, 3) > 0 > control_drift(0.5, 1.0, 0.02, 3)
    assert control_drift(1.0, 0.5, 0.02, 1) == 0.0
