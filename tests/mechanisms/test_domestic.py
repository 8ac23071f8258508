import numpy as np

from negsim.mechanisms.domestic import (
    election_win_probability,
    preferred_policy,
    support_target,
    unrest_hazard,
)


def _want(**kw):
    args = dict(
        stance=np.array([0.8]),
        rally=np.array([0.0]),
        pain_sensitivity=np.array([0.5]),
        weariness=np.array([0.0]),
        risk_tolerance=np.array([0.5]),
        rung_share=0.0,
        shift=np.array([0.0]),
        fear=0.3,
    )
    args.update(kw)
    return float(preferred_policy(**args)[0])


def test_war_weariness_makes_a_public_more_dovish():
    assert _want(weariness=np.array([0.4])) < _want()


def test_fear_of_escalation_makes_risk_averse_publics_dovish():
    assert _want(rung_share=1.0, risk_tolerance=np.array([0.1])) < _want(
        rung_share=1.0, risk_tolerance=np.array([0.9])
    )


def test_a_rally_after_a_threat_makes_a_public_hawkish():
    assert _want(rally=np.array([0.1])) > _want()


def test_disinformation_shifts_a_public_against_the_policy():
    assert _want(shift=np.array([0.2])) < _want()


def test_support_is_highest_for_the_wanted_policy():
    wanted = np.array([0.7])
    assert support_target(wanted, np.array([0.7]))[0] > support_target(wanted, np.array([0.2]))[0]


def test_approval_wins_elections():
    assert election_win_probability(0.7, 0.1) > 0.5 > election_win_probability(0.3, 0.1)


def test_unrest_threatens_only_unpopular_autocrats():
    assert unrest_hazard(0.6, 0.35, 0.05) == 0.0
    assert unrest_hazard(0.1, 0.35, 0.05) > unrest_hazard(0.3, 0.35, 0.05) > 0.0
