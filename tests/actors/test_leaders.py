"""Leaders' decisions pinned on small, scripted situations of the dyad."""

import itertools
import random

from negsim.actors.leader import Commitment, Posture, decide_together
from negsim.cast import RungId
from negsim.mechanisms import bargaining, cohesion, outlook
from negsim.model import CrisisModel
from negsim.world import CHALLENGER, DEFENDER, Threat
from tests.helpers import DYAD

BEST_RESPONSE = {"decisions.temperature": 0.0}


def model(**overrides) -> CrisisModel:
    m = CrisisModel(DYAD, rng=0, collect_series=False, **{**BEST_RESPONSE, **overrides})
    m.world.tick = 1
    outlook.refresh(m.world)
    return m


def leader(m: CrisisModel, sid: str):
    return m.states[m.world.states.ids.index(sid)].leader


def test_a_challenger_that_holds_nothing_and_cannot_win_withdraws():
    """With publics that do not cheer it on, and nothing held to lose, it leaves."""
    doves = {f"constituencies.ARG.{g}.stance": 0.2 for g in ("hawks", "business", "public")}
    m = CrisisModel(
        DYAD,
        rng=0,
        collect_series=False,
        **{
            **BEST_RESPONSE,
            **doves,
            "states.ARG.military": 0.1,
            "leaders.ARG.resolve": 0.0,
            "states.ALY.sanctions": 1.0,
            "leaders.ARG.face_sensitivity": 0.0,
            "cast.initial_control": 0.0,
            "bargaining.start_days": 10_000,
        },
    )
    assert leader(m, "ARG").policy_choice() is Posture.QUIT
    record = m.run()
    assert record.outcome == "aggressor_withdrawal"
    assert record.end_tick == 1


def test_hawkish_publics_keep_a_hopeless_challenger_posturing():
    m = model(
        **{
            "states.ARG.military": 0.1,
            "leaders.ARG.resolve": 0.0,
            "cast.initial_control": 0.0,
            "sides.challenger.posture": 1,
        }
    )
    assert leader(m, "ARG").policy_choice() is Posture.HOLD


def test_a_resolved_challenger_holding_its_own_fights_on():
    m = model(**{"leaders.ARG.resolve": 1.0})
    assert leader(m, "ARG").policy_choice() is not Posture.QUIT


def test_brinkmanship_pays_against_a_wavering_risk_averse_coalition_only():
    """Nuclear threats frighten the risk-averse; a risk-acceptant challenger facing a
    divided, risk-averse coalition climbs, one facing a united coalition does not."""
    base = {
        "leaders.ARG.risk_preference": 0.9,
        "leaders.ALY.risk_preference": 0.0,
        "escalation.coercion": 2.0,
    }
    divided = model(**base)
    divided.world.sides.belief_cohesion[CHALLENGER] = 0.1
    outlook.refresh(divided.world)
    united = model(**base)
    united.world.sides.belief_cohesion[CHALLENGER] = 1.0
    outlook.refresh(united.world)
    assert leader(divided, "ARG").policy_choice() is Posture.CLIMB
    assert leader(united, "ARG").policy_choice() is not Posture.CLIMB


def test_a_credible_demand_to_stop_nuclear_threats_brings_the_challenger_down():
    m = model(**{"sides.challenger.posture": 4})
    calm = leader(m, "ARG").utilities()
    m.world.threats = [
        Threat(DEFENDER, 1, 0, "step_down", "climb", 0, 4, 1.0, level=RungId.FULL_WAR)
    ]
    m.world.params.threats.damage = 2.0
    outlook.refresh(m.world)
    threatened = leader(m, "ARG").utilities()
    assert (
        threatened[Posture.DESCEND] - threatened[Posture.HOLD]
        > calm[Posture.DESCEND] - calm[Posture.HOLD]
    )
    assert leader(m, "ARG").policy_choice() is Posture.DESCEND


def test_a_partner_with_dovish_publics_and_little_resolve_pulls_back_and_a_hawk_tightens():
    groups = ("hawks", "industry", "public")
    dovish = {f"constituencies.ALY.{g}.stance": 0.0 for g in groups}
    hawkish = {f"constituencies.ALY.{g}.stance": 1.0 for g in groups}
    dovish["leaders.ALY.resolve"] = 0.1
    hawkish["leaders.ALY.resolve"] = 0.9
    assert leader(model(**dovish), "ALY").policy_choice() in (Commitment.EASE, Commitment.LEAVE)
    assert leader(model(**hawkish), "ALY").policy_choice() is Commitment.TIGHTEN


def test_breaking_ranks_is_never_a_slip_of_noise():
    """Leaving is irreversible: taken only as a best response, whatever the temperature."""
    m = CrisisModel(DYAD, rng=0, collect_series=False, **{"decisions.temperature": 1.0})
    m.world.tick = 1
    outlook.refresh(m.world)
    ally = leader(m, "ALY")
    options = ally.utilities()
    assert max(options, key=options.get) is not Commitment.LEAVE
    assert all(ally.policy_choice() is not Commitment.LEAVE for _ in range(300))


def test_a_proposer_facing_an_opponent_who_rejects_everything_offers_more():
    """A scripted receiver rejects every offer; the defender's lead, learning that the
    challenger is tougher than it thought, offers it a larger share round after round."""
    m = model(
        **{
            "ratification.enabled": False,
            "commitment.breach_scale": 0.0,
            "beliefs.type_spread": 0.3,
        }
    )
    w = m.world
    w.tick = 3
    offered = []
    for _ in range(6):
        offer = bargaining.choose_offer(w, DEFENDER, random.Random(0))
        assert offer is not None
        offered.append(offer.x)
        bargaining._learn_from_answer(w, DEFENDER, offer, accepted=False)
    assert offered[-1] > offered[0]
    assert all(b >= a for a, b in itertools.pairwise(offered))


def test_an_exposed_neutral_trades_more_with_the_challenger_when_the_coalition_is_divided():
    from negsim.actors.leader import Trade

    m = CrisisModel("agents/ukraine_2022.toml", rng=0, collect_series=False, **BEST_RESPONSE)
    w = m.world
    w.tick = 1
    china = leader(m, "CHN")
    w.cohesion[DEFENDER] = 0.0
    assert china.policy_choice() is Trade.MORE
    w.cohesion[DEFENDER] = 1.0
    assert china.policy_choice() is not Trade.MORE


def test_deciding_together_is_every_leader_deciding_in_turn():
    """The model's leaders decide at once (`decide_together`): the same choices, threats and
    random numbers as the partners' valuation followed by every leader's own `decide`."""
    noisy = {"decisions.temperature": 0.3}
    for tick in (1, 5, 12, 30):
        together, in_turn = (
            CrisisModel("agents/ukraine_2022.toml", rng=4, collect_series=False, **noisy)
            for _ in range(2)
        )
        for m in (together, in_turn):
            for _ in range(tick - 1):
                m.step()
            m.world.tick += 1
            outlook.refresh(m.world)
        decide_together(together.world, together.leaders, together.random)
        cohesion.value_commitments(in_turn.world, in_turn.random)
        for leader in in_turn.leaders:
            leader.decide()
        assert [(a.choice, a.threat) for a in together.leaders] == [
            (b.choice, b.threat) for b in in_turn.leaders
        ]
        assert together.random.getstate() == in_turn.random.getstate()
