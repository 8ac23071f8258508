import numpy as np
import pytest

from negsim.mechanisms.commitment import breach_chance, breach_hazard, discounted_deal_value


def test_a_side_expecting_more_from_fighting_later_is_likelier_to_break_a_deal():
    assert breach_chance(0.3, 0.5, 1.0, 0.0, 0.7) > breach_chance(0.3, 0.35, 1.0, 0.0, 0.7) > 0.0
    assert breach_chance(0.5, 0.3, 1.0, 0.0, 0.7) == 0.0


def test_guarantors_lower_the_risk_of_a_broken_deal():
    assert breach_chance(0.3, 0.5, 1.0, 1.0, 0.7) == pytest.approx(
        0.3 * breach_chance(0.3, 0.5, 1.0, 0.0, 0.7)
    )


def test_a_deal_that_may_break_is_worth_less():
    assert discounted_deal_value(0.6, 0.5, 0.2) == pytest.approx(0.4)
    assert discounted_deal_value(0.6, 0.0, 0.2) == pytest.approx(0.6)


def test_the_per_tick_hazard_compounds_to_the_chance():
    h = breach_hazard(0.3, 8)
    assert 1.0 - (1.0 - h) ** 8 == pytest.approx(0.3)
    assert breach_hazard(1.0, 8) == 1.0
    assert np.isfinite(breach_hazard(0.0, 8))
