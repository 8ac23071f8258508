"""M15: mediators, secret terms and who pays for them; legislatures."""

import random
import statistics

import numpy as np

from negsim.mechanisms import bargaining, domestic, mediation
from negsim.model import run
from negsim.world import Deal
from tests.helpers import ROOT, dyad_world

FLASH = ROOT / "tests" / "data" / "casts" / "border_flash.toml"
MEDIATOR = {"states.MED.instruments": ["mediation"], "states.MED.mediation_credibility": 0.9}


def test_a_mediator_lowers_misperception():
    def misperception(overrides):
        return statistics.mean(
            run(FLASH, seed=s, overrides={"bargaining.back_channel": 0.0, **overrides})[
                0
            ].misperception
            for s in range(12)
        )

    assert misperception(MEDIATOR) < misperception({})


def _flash_world(**overrides):
    from negsim.cast import load_cast
    from negsim.mechanisms import cohesion, outlook, sanctions
    from negsim.world import build_world

    cast = load_cast(FLASH, overrides)
    world = build_world(cast, random.Random(0))
    sanctions.refresh(world)
    cohesion.refresh(world)
    outlook.refresh(world)
    world.tick = 5
    return world


def test_a_mediator_reads_as_a_channel_of_its_credibility_once_talks_open():
    world = _flash_world(
        **{
            "states.MED.instruments": ["mediation"],
            "states.MED.mediation_credibility": 0.9,
            "parameters.bargaining.back_channel": 0.2,
        }
    )
    assert world.channel() == 0.9
    world.tick = 0
    assert world.channel() == 0.0


def test_a_mediators_lean_tilts_its_proposals_and_what_it_relays():
    def proposal(bias):
        world = _flash_world(
            **{
                "states.MED.instruments": ["mediation"],
                "states.MED.mediation_bias": bias,
                "states.MED.mediation_credibility": 0.9,
                "parameters.mediation.noise": 0.0,
            }
        )
        now = bargaining.open_round(world)
        return mediation.propose(world, now, random.Random(0)), world.relay_bias()

    toward_challenger, relay_up = proposal(1.0)
    toward_defender, relay_down = proposal(-1.0)
    assert toward_challenger.x >= toward_defender.x
    assert relay_up > 0 > relay_down
    assert toward_challenger.face_private > 0 and toward_challenger.private


def test_a_third_state_that_pays_for_face_must_accept():
    world = dyad_world(**{"bargaining.face_price": 1.0, "leaders.ALY.resolve": 0.05})
    ally = world.states.ids.index("ALY")
    assert mediation.refusing_payers(world, 0.5, 0.5) == [ally]
    assert mediation.refusing_payers(world, 0.5, 0.0) == []


def test_a_leaked_secret_costs_the_denier_its_hawks_support():
    world = dyad_world(**{"bargaining.leak_rate": 1.0})
    ally = world.states.ids.index("ALY")
    world.deal = Deal(0.2, 0.0, 0.4, 1, 9, (0.0, 0.0), (3, 2), payers=(ally,))
    before = world.publics.support[world.states.rows[ally]].copy()
    mediation.leak(world, random.Random(0))
    after = world.publics.support[world.states.rows[ally]]
    assert world.deal.leaked and world.counts["leaks"] == 1
    assert (after < before).all()


def test_a_legislative_election_that_brings_in_hawks_narrows_the_win_set():
    """The hawks are dissatisfied with a dovish government: they gain seats, and the state's
    publics then demand more of the issue before they ratify."""
    world = dyad_world()
    tgt = world.states.ids.index("TGT")
    rows = world.states.rows[tgt]
    pub = world.publics
    hawkish = pub.stance[rows] > 0.9  # the army
    pub.support[rows] = np.where(hawkish, 0.1, 0.9)
    before = bargaining.winset_edges(world)[tgt]
    seats = pub.seats[rows]
    domestic.reseat(seats, pub.weight[rows], pub.support[rows], 2.0)
    pub.seats[rows] = seats
    assert seats[hawkish].sum() > pub.weight[rows][hawkish].sum()
    assert bargaining.winset_edges(world)[tgt] >= before


def test_a_legislative_election_on_its_calendar_reseats_the_ratifying_body():
    world = dyad_world(**{"states.TGT.next_legislature_day": 14})
    world.tick = 2
    domestic.legislatures(world)
    assert world.counts["legislative_elections"] == 1
    tgt = world.states.rows[world.states.ids.index("TGT")]
    assert not np.allclose(world.publics.seats[tgt], world.publics.weight[tgt])
    assert np.isclose(world.publics.seats[tgt].sum(), 1.0)
