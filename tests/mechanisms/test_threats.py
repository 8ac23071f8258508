from negsim.cast import ThreatParams
from negsim.mechanisms.threats import beta_mean, credibility, threat_value
from negsim.model import CrisisModel

P = ThreatParams()


def test_credibility_rises_with_cohesion():
    assert credibility(0.9, 0.5, 0.1, P) > credibility(0.2, 0.5, 0.1, P)


def test_credibility_rises_with_the_record_of_carried_out_threats():
    assert credibility(0.5, beta_mean(5, 0, 2), 0.1, P) > credibility(
        0.5, beta_mean(0, 5, 2), 0.1, P
    )


def test_credibility_falls_with_the_cost_to_the_threatener():
    assert credibility(0.5, 0.5, 0.8, P) < credibility(0.5, 0.5, 0.0, P)


def test_credibility_stays_a_probability():
    assert credibility(1, 1, 0, P) <= 1.0
    assert credibility(0, 0, 5, P) >= 0.0


def test_a_threat_is_worth_more_the_likelier_it_is_obeyed():
    assert threat_value(0.8, 1.0, 0.5) > threat_value(0.2, 1.0, 0.5)


def test_conceding_to_a_threat_raises_the_threateners_propensity(dyad_path):
    model = CrisisModel(dyad_path, rng=1)
    leader = model.aggressor.leader
    before = leader.success_belief("ALY")
    leader.remember_answer("ALY", conceded=True)
    assert leader.success_belief("ALY") > before


def test_standing_firm_lowers_the_threateners_propensity(dyad_path):
    model = CrisisModel(dyad_path, rng=1)
    leader = model.aggressor.leader
    before = leader.success_belief("ALY")
    leader.remember_answer("ALY", conceded=False)
    assert leader.success_belief("ALY") < before


def test_a_bluff_lowers_reputation(dyad_path):
    model = CrisisModel(dyad_path, rng=1)
    leader = model.aggressor.leader
    before = leader.reputation()
    leader.record[1] += 1
    assert leader.reputation() < before
