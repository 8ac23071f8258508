import numpy as np

from negsim.cast import BargainingParams
from negsim.mechanisms.bargaining import (
    aggressor_deal_value,
    constituency_verdicts,
    offer_humiliation,
    ratifications,
    target_deal_value,
)

P = BargainingParams()


def test_a_private_offer_humiliates_less_than_the_same_public_one():
    assert offer_humiliation(False, 0.1, P) < offer_humiliation(True, 0.1, P)
    assert offer_humiliation(False, 0.1, P) == 0.0


def test_a_lower_public_offer_humiliates_more():
    assert offer_humiliation(True, 0.0, P) > offer_humiliation(True, 0.4, P)


def test_face_raises_the_deals_value_to_the_aggressor_leader():
    assert aggressor_deal_value(0.3, 0.5, 0.9, 0.3) > aggressor_deal_value(0.3, 0.0, 0.9, 0.3)


def test_face_is_worth_more_to_a_face_sensitive_leader():
    assert aggressor_deal_value(0.3, 0.5, 0.9, 0.3) > aggressor_deal_value(0.3, 0.5, 0.1, 0.3)


def test_the_target_values_a_deal_by_what_it_keeps():
    assert target_deal_value(0.2) > target_deal_value(0.6)


def test_hawks_approve_a_deal_less_than_doves():
    hawk, dove = constituency_verdicts(0.5, np.array([0.95, 0.1]), 0.7, 0.08)
    assert dove > hawk


def test_ratification_needs_enough_weighted_support():
    weights = np.array([0.7, 0.3])
    assert ratifications(weights, np.array([1.0, 0.0]), np.array([0]), 0.5) == [True]
    assert ratifications(weights, np.array([0.0, 1.0]), np.array([0]), 0.5) == [False]


def test_states_judged_together_ratify_each_by_its_own_rows():
    weights = np.array([0.7, 0.3, 0.5, 0.5])
    verdicts = np.array([1.0, 0.0, 0.0, 0.2])
    assert ratifications(weights, verdicts, np.array([0, 2]), 0.5) == [True, False]
