import math
import random

import numpy as np
import pytest

from negsim.mechanisms import bargaining, outlook
from negsim.mechanisms.bargaining import (
    deal_value,
    offer_values,
    public_demand,
    ratification_chance,
    sort_from,
    winset_edge,
)
from negsim.world import CHALLENGER, DEFENDER
from tests.helpers import dyad_world

COMPLETE = {
    "beliefs.type_spread": 0.0,
    "beliefs.military_uncertainty": 0.0,
    "beliefs.optimism": 0.0,
    "bargaining.misperception": 0.0,
    "commitment.breach_scale": 0.0,
}


def _best_offer(side, edge_sides, edge_reads, fighting, private=False):
    """`offer_values` on a grid of 101 terms, one shape without face, no breach, both leaders
    with loss aversion 1, a receiver reservation of 0.3 read with certainty (tremble 0.001),
    no audience cost beyond 0.03; the required states' edges read exactly."""
    return offer_values(
        np.linspace(0, 1, 101),
        np.zeros(1),
        np.zeros(1),
        np.full(1, private, dtype=np.bool_),
        np.zeros(101),
        np.zeros(101),
        side,
        0.0,
        np.array([1.0, 0.0, 0.0]),
        np.array([1.0, 0.0, 0.0]),
        np.array([0.3]),
        np.array([1.0]),
        0.001,
        np.array(edge_sides, dtype=np.int64),
        np.array(edge_reads, dtype=float),
        np.zeros(len(edge_sides)),
        np.array([1.0, 0.0]),
        fighting,
        0.03,
    )


def test_ceding_held_ground_weighs_more_than_not_gaining_it():
    """With control 0.3, a deal at x = 0.2 costs the challenger 0.1 of held ground, weighed by
    loss aversion; x = 0.4 is a plain gain."""
    assert deal_value(0, 0.2, 0.0, 0.3, 2.0, 0.0) == pytest.approx(0.2 - 0.1)
    assert deal_value(0, 0.4, 0.0, 0.3, 2.0, 0.0) == pytest.approx(0.4)
    assert deal_value(1, 0.4, 0.0, 0.3, 2.0, 0.0) == pytest.approx(0.6 - 0.1)


def test_face_adds_to_the_receiver_and_costs_the_payer():
    assert deal_value(0, 0.3, 0.5, 0.3, 2.0, 0.2) > deal_value(0, 0.3, 0.0, 0.3, 2.0, 0.2)
    assert deal_value(1, 0.3, 0.5, 0.3, 2.0, -0.1) < deal_value(1, 0.3, 0.0, 0.3, 2.0, -0.1)


def test_publics_demand_more_when_hawkish_winning_or_spared_and_less_when_hurt():
    base = public_demand(0.5, 0.2, 0.5, 0.5, 0.4)
    assert public_demand(0.5, 0.2, 0.9, 0.5, 0.4) > base  # hawkish
    assert public_demand(0.7, 0.2, 0.5, 0.5, 0.4) > base  # fighting goes its way
    assert public_demand(0.5, 0.4, 0.5, 0.5, 0.4) < base  # costs felt


def test_no_public_demands_more_than_the_whole_issue():
    # winning outright, spared any cost and fully hawkish: total victory would do
    assert public_demand(1.0, 0.0, 1.0, 0.0, 0.4) == 1.0


def test_the_winset_edge_is_the_weighted_quantile_of_demands():
    demands = np.array([0.1, 0.5, 0.3])
    weights = np.array([0.2, 0.5, 0.3])
    assert winset_edge(demands, weights, 0.5) == pytest.approx(0.3)  # 0.2 + 0.3 of the weight
    assert winset_edge(demands, weights, 0.6) == pytest.approx(0.5)
    assert winset_edge(demands, weights, 0.2) == pytest.approx(0.1)
    assert winset_edge(demands, weights, 0.0) == -math.inf


def test_ratification_is_certain_when_read_exactly_and_graded_when_not():
    assert ratification_chance(0.01, 0.0) == 1.0
    assert ratification_chance(-0.01, 0.0) == 0.0
    assert ratification_chance(0.0, 0.1) == pytest.approx(0.5)


def test_with_complete_information_the_proposer_offers_the_receivers_reservation():
    """No uncertainty, no breach, no publics: the defender offers exactly what the challenger
    needs (at the grid's resolution) and the offer beats fighting on."""
    xs = np.linspace(0, 1, 101)
    g, _o, value = _best_offer(1, [], [], 0.5)
    assert xs[g] == pytest.approx(0.31, abs=0.011)
    assert value > 0.5


def test_the_proposer_avoids_terms_the_other_sides_publics_would_refuse():
    xs = np.linspace(0, 1, 101)
    free, _, _ = _best_offer(1, [], [], 0.2)
    edge, _, _ = _best_offer(1, [0], [0.5], 0.2)
    assert xs[free] < 0.35
    assert xs[edge] >= 0.5


def test_when_no_terms_can_pass_the_proposer_offers_those_that_miss_the_win_sets_least():
    """Read with certainty, the challenger's publics want at least 0.6 and the defender's
    cede at most 0.4: every offer is worth fighting on. The challenger offers terms between
    the two edges, not the first of the grid (x = 0: the whole issue to its enemy)."""
    xs = np.linspace(0, 1, 101)
    # the challenger's publics: x >= 0.6; the defender's: 1 - x >= 0.6; a private offer
    g, _o, value = _best_offer(0, [0, 1], [0.6, 0.6], 0.2, private=True)
    assert value == 0.2  # worth exactly fighting on
    assert xs[g] == pytest.approx(0.5)


def test_a_sides_win_set_moves_with_the_battlefield():
    weak = dyad_world(**{"states.ARG.military": 0.6})
    strong = dyad_world(**{"states.ARG.military": 2.0})
    arg = weak.states.ids.index("ARG")
    assert bargaining.winset_edges(strong)[arg] > bargaining.winset_edges(weak)[arg]


def test_an_offer_both_leaders_take_and_every_public_ratifies_is_signed():
    world = dyad_world(**COMPLETE, **{"ratification.enabled": False})
    world.tick = 3
    offer = bargaining.choose_offer(world, DEFENDER, random.Random(0))
    assert offer is not None
    assert bargaining.answer(world, offer, random.Random(0))
    assert world.deal is not None and world.deal.x == offer.x
    assert world.sides.posture == [0, 0]  # a ceasefire while it is implemented


def test_a_public_rejection_costs_the_proposers_hawks_support():
    world = dyad_world()
    world.tick = 3
    tgt = world.states.rows[world.states.ids.index("TGT")]
    before = world.publics.support[tgt].copy()
    offer = bargaining.Offer(DEFENDER, 0.0, private=False)
    bargaining.answer(world, offer, random.Random(0))
    if world.deal is None:
        assert (world.publics.support[tgt] <= before).all()
        assert (world.publics.support[tgt] < before).any()


def test_reservations_are_the_best_of_fighting_and_quitting():
    world = dyad_world()
    resolves = np.array([0.0, 1.0])
    fight = outlook.fight_values(world, CHALLENGER, resolves)
    assert np.allclose(
        outlook.reservations(world, CHALLENGER, resolves),
        np.maximum(fight, outlook.quit_value(world, CHALLENGER)),
    )
    assert fight[1] >= fight[0]  # resolve tolerates the costs


def test_a_rebuff_costs_the_support_of_hawks_most():
    support = np.array([0.5, 0.5, 0.05, 0.9])
    stance = np.array([0.0, 1.0, 1.0, 0.5])
    bargaining.lose_hawks(support, stance, np.array([0, 1, 2]), 0.1)
    assert support.tolist() == [0.5, 0.4, 0.0, 0.9]  # the last row is not among them


def test_demands_sorted_from_any_earlier_order_come_out_as_a_stable_sort_orders_them():
    """The win-set's demands are sorted from last tick's order: whatever order that was,
    equal demands end in the order of their rows, as a stable sort leaves them."""
    rng = np.random.default_rng(2)
    for size in (1, 2, 7, 60):
        keys = np.round(rng.random(size), 1)  # many equal keys
        expected = np.argsort(keys, kind="mergesort")
        for start in (np.arange(size), expected[::-1].copy(), rng.permutation(size)):
            order = start.copy()
            sort_from(keys, order)
            assert order.tolist() == expected.tolist()


def test_a_best_response_lead_tries_a_private_offer_it_expects_to_be_refused():
    # On Iran 2013 most private offers are worth exactly fighting on to their proposer (it
    # expects a refusal); a best response tries them, as the logit does half the time.
    from negsim.model import run
    from tests.conftest import ROOT

    iran = ROOT / "agents" / "iran_2013.toml"
    best = [run(iran, seed=s, overrides={"decisions.temperature": 0.0})[0] for s in range(4)]
    noisy = [run(iran, seed=s)[0] for s in range(4)]
    tried = sum(r.events.get("offers_private", 0) for r in best)
    assert tried >= 0.5 * sum(r.events.get("offers_private", 0) for r in noisy) > 0
