import random

import pytest

from negsim.cast import RungId
from negsim.mechanisms import bargaining, outlook, threats
from negsim.mechanisms.threats import beta_mean, credibility, threat_value
from negsim.world import CHALLENGER, DEFENDER, Threat
from tests.helpers import dyad_world

ARGS = dict(base=0.1, unity_weight=0.4, record_weight=0.4, cost_weight=0.5)


def test_a_threat_that_cannot_be_carried_out_has_no_credibility():
    assert credibility(False, 1.0, 1.0, 0.0, **ARGS) == 0.0


def test_credibility_rises_with_unity_and_record_and_falls_with_cost():
    base = credibility(True, 0.5, 0.5, 0.1, **ARGS)
    assert credibility(True, 0.9, 0.5, 0.1, **ARGS) > base
    assert credibility(True, 0.5, beta_mean(5, 0, 2), 0.1, **ARGS) > base
    assert credibility(True, 0.5, 0.5, 0.6, **ARGS) < base


def test_a_threat_is_worth_more_the_likelier_it_is_obeyed():
    assert threat_value(0.8, 1.0, 0.5) > threat_value(0.2, 1.0, 0.5)


def test_a_side_at_the_top_of_its_reach_cannot_threaten_to_climb():
    world = dyad_world(**{"states.ARG.nuclear": False})
    assert not threats.can_climb(world, CHALLENGER)
    nuclear = dyad_world()
    assert threats.can_climb(nuclear, CHALLENGER)


def _ease_threat(world, level: float) -> Threat:
    ally = world.states.ids.index("ALY")
    return Threat(CHALLENGER, 0, ally, "ease", "climb", 0, 4, 0.5, level=level)


def test_token_easing_is_not_compliance():
    world = dyad_world()
    ally = world.states.ids.index("ALY")
    threat = _ease_threat(world, world.states.commitment(ally))
    world.states.sanctions[ally] -= 0.05
    assert not threats.complied(world, threat)
    world.states.sanctions[ally] -= 0.3
    world.states.aid[ally] -= 0.3
    assert threats.complied(world, threat)


def test_compliance_by_the_deadline_is_watched_for_as_long_again():
    world = dyad_world()
    threat = Threat(DEFENDER, 1, 0, "step_down", "sanctions", 0, 2, 0.5, level=RungId.FULL_WAR)
    world.threats = [threat]
    world.tick = 2
    assert threats.resolve_deadlines(world, random.Random(0)) == []
    assert threat.watched and world.threats == [threat]
    world.sides.posture[CHALLENGER] = RungId.NUCLEAR_THREATS  # goes back on it
    world.tick = 3
    threats.resolve_deadlines(world, random.Random(0))
    assert world.threats == []
    assert world.counts["threats_complied_defender"] == 0
    assert world.counts["threats_carried_out"] + world.counts["bluffs_called"] == 1


def test_holding_the_line_through_the_watch_is_a_concession_remembered():
    world = dyad_world()
    threat = Threat(DEFENDER, 1, 0, "step_down", "sanctions", 0, 2, 0.5, level=RungId.FULL_WAR)
    world.threats = [threat]
    for tick in (2, 10):
        world.tick = tick
        threats.resolve_deadlines(world, random.Random(0))
    assert world.counts["threats_complied_defender"] == 1
    assert world.leaders.memory[1, 0, 0] == 1.0


def test_a_threat_the_ending_answers_before_its_deadline_is_a_concession():
    # "withdraw" demanded at tick 2 (deadline tick 6); the challenger withdraws at tick 3 and
    # the crisis ends there: the threat succeeded, though its deadline never came
    world = dyad_world()
    answered = Threat(DEFENDER, 1, 0, "withdraw", "sanctions", 0, 6, 0.5, level=0)
    defied = Threat(CHALLENGER, 0, 1, "concede", "climb", 0, 6, 0.5, terms=0.9)
    world.threats = [answered, defied]
    world.tick = 3
    world.withdrawn = True
    threats.close_open(world, "as the crisis ends")
    assert world.threats == []
    assert world.counts["threats_complied_defender"] == 1
    assert world.counts["threats_complied_challenger"] == 0
    assert world.events[-1].kind == "concession"


@pytest.mark.parametrize(("terms", "conceded"), [(0.3, 1), (0.5, 0)])
def test_a_deal_that_gives_the_terms_demanded_answers_the_threat(terms, conceded):
    # the deal gives the challenger 0.35: a demand of 0.3 is met, one of 0.5 is not
    world = dyad_world()
    world.threats = [Threat(CHALLENGER, 0, 1, "concede", "climb", 0, 6, 0.5, terms=terms)]
    bargaining.sign(world, bargaining.Offer(DEFENDER, 0.35), (0.0, 0.0))
    assert world.counts["threats_complied_challenger"] == conceded
    assert world.threats == [] and world.deal.x == 0.35


def test_an_open_threat_makes_defiant_postures_costlier():
    world = dyad_world()
    threat = Threat(DEFENDER, 1, 0, "step_down", "climb", 0, 4, 0.8, level=RungId.SHOW_OF_FORCE)
    calm = outlook.threat_exposure(world, CHALLENGER, RungId.FULL_WAR)
    world.threats = [threat]
    assert outlook.threat_exposure(world, CHALLENGER, RungId.FULL_WAR) > calm
    assert outlook.threat_exposure(world, CHALLENGER, RungId.SHOW_OF_FORCE) == 0.0


def test_the_defenders_can_demand_a_rung_down_or_an_end_to_fighting():
    world = dyad_world(**{"sides.challenger.posture": 4})
    demands = {(o.demand, int(o.level)) for o in threats.options(world, DEFENDER)}
    assert ("step_down", RungId.SHOW_OF_FORCE) in demands
    assert ("step_down", RungId.FULL_WAR) in demands


def test_carrying_out_a_sanctions_threat_tightens_every_sanctioner():
    world = dyad_world()
    ally = world.states.ids.index("ALY")
    before = world.states.sanctions[ally]
    threats.carry_out(world, DEFENDER, "sanctions")
    assert world.states.sanctions[ally] == pytest.approx(min(1.0, before + 0.25))


def test_two_defied_threats_of_a_climb_carry_out_one_climb():
    # the challenger at full war, one rung below nuclear threats, its highest without slips
    world = dyad_world(**{"decisions.temperature": 0.0, "threats.reputation_value": 2.0})
    ally = world.states.ids.index("ALY")
    defied = [
        Threat(
            CHALLENGER, 0, ally, "ease", "climb", 0, 2, 0.5, level=world.states.commitment(ally)
        ),
        Threat(CHALLENGER, 0, 1, "concede", "climb", 0, 2, 0.5, terms=0.9),
    ]
    world.threats = defied
    world.tick = 2
    carried = threats.resolve_deadlines(world, random.Random(0))
    assert world.counts["threats_carried_out"] == 2
    assert carried == [(CHALLENGER, "climb")]
