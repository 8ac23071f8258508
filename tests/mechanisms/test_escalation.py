from negsim.cast import EscalationParams, HumiliationParams
from negsim.mechanisms.escalation import escalation_hazard, hawkishness, update_humiliation

E = EscalationParams()
H = HumiliationParams()


def test_the_hazard_rises_with_the_rung():
    assert escalation_hazard(4, 0.0, 0.0, E) > escalation_hazard(3, 0.0, 0.0, E) > 0.0


def test_there_is_no_inadvertent_escalation_without_fighting():
    assert escalation_hazard(1, 1.0, 0.0, E) == 0.0


def test_humiliation_raises_the_hazard():
    assert escalation_hazard(3, 0.8, 0.0, E) > escalation_hazard(3, 0.0, 0.0, E)


def test_a_back_channel_cuts_the_hazard():
    assert escalation_hazard(3, 0.5, 1.0, E) < escalation_hazard(3, 0.5, 0.0, E)


def test_personal_sanctions_and_public_demands_humiliate():
    base = update_humiliation(0.2, 0.0, 0.0, 0.0, 0.0, H)
    assert update_humiliation(0.2, 1.0, 0.0, 0.0, 0.0, H) > base
    assert update_humiliation(0.2, 0.0, 1.0, 0.0, 0.0, H) > base


def test_battlefield_losses_humiliate():
    assert update_humiliation(0.2, 0, 0, 0.05, 0, H) > update_humiliation(0.2, 0, 0, 0.0, 0, H)


def test_face_saving_offers_relieve_humiliation():
    assert update_humiliation(0.5, 0, 0, 0, 0.5, H) < update_humiliation(0.5, 0, 0, 0, 0.0, H)


def test_nuclear_signalling_is_no_more_hawkish_than_all_out_war_to_the_public():
    assert hawkishness(4) == hawkishness(3) > hawkishness(2)
