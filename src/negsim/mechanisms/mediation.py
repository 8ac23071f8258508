"""M15: mediation and secret terms.

A neutral with the mediation instrument, once talks are open, does two things:

- it **relays**: the sides read each other through it, so it lowers misperception as a back
  channel of its credibility would (`World.channel`), and it tilts what each side hears toward
  its favourite by ``mediation_bias * mediation.lean`` issue units (`World.relay_bias`);
- it **proposes**: from its own noisy reading of both leaders' limits and both sides' win-sets,
  terms in the middle of the range it sees, shifted by its bias, with all the face the defender
  side can give in private (a secret concession, as in 1962). Both principals must accept and
  every required state ratify.

Secret terms: a deal's private face raises the challenger leader's value but not its publics'
ratification; every tick of the implementation it may leak (``bargaining.leak_rate``), which
costs the states that denied it the support of their hawks (``leak_cost``) and puts the face
before the defender's publics, who may then refuse the deal (it breaks). A state other than the
defender principal that pays for the face must accept the deal.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

from negsim.mechanisms import outlook
from negsim.mechanisms.decisions import clip01
from negsim.world import CHALLENGER, DEFENDER

if TYPE_CHECKING:
    from negsim.mechanisms.bargaining import Offer, Round
    from negsim.world import World

MEDIATOR = 2  # the proposer of a mediated offer: neither side


def range_seen(world: World, now: Round, rng: random.Random, noise: float) -> tuple[float, float]:
    """The range of terms ``(low, high)`` a reader with ``noise`` sees both sides accepting:
    the challenger's leader and publics need at least ``low``, the defender's at most ``high``."""

    def read(value: float) -> float:
        return value + (rng.gauss(0.0, noise) if noise > 0 else 0.0)

    low = read(outlook.reservation(world, CHALLENGER))
    high = 1.0 - read(outlook.reservation(world, DEFENDER))
    for i, edge in now.edges.items():
        if not np.isfinite(edge):
            continue
        if world.states.side[i] == CHALLENGER:
            low = max(low, read(edge))
        else:
            high = min(high, 1.0 - read(edge))
    return low, high


def propose(world: World, now: Round, rng: random.Random) -> Offer | None:
    """The mediator's proposal, if one is at work: the middle of the range it sees, shifted by
    its lean, with the defender side's face in private."""
    from negsim.mechanisms.bargaining import Offer, face_to_give

    mediator = world.mediator()
    if mediator is None:
        return None
    p = world.params.mediation
    low, high = range_seen(world, now, rng, p.noise)
    middle = 0.5 * (low + high)
    half = 0.5 * abs(high - low)
    x = clip01(middle + world.states.mediation_bias[mediator] * p.lean * half)
    step = 1.0 / (world.params.bargaining.grid - 1)
    return Offer(MEDIATOR, round(x / step) * step, 0.0, face_to_give(world), True)


def payers(world: World, face: float) -> list[tuple[int, float]]:
    """Who pays a deal's face and how much: the defender side's states with face to give,
    in proportion to their capacity."""
    s = world.states
    givers = [
        j for j in world.sides.members[DEFENDER] if s.face_capacity[j] > 0 and not s.defected[j]
    ]
    total = sum(s.face_capacity[j] for j in givers)
    if face <= 0.0 or total <= 0.0:
        return []
    return [(j, face * s.face_capacity[j] / total) for j in givers]


def refusing_payers(world: World, x: float, face: float) -> list[int]:
    """Third states that would pay part of the face but refuse: a partner pays if its part's
    price is no more than what the deal is worth to its cause (``stake * resolve * (1 - x)``)."""
    p = world.params
    principal = world.sides.principal[DEFENDER]
    return [
        j
        for j, part in payers(world, face)
        if j != principal
        and p.bargaining.face_price * part
        > p.decisions.stake * world.leaders.resolve[j] * (1.0 - x)
    ]


def leak(world: World, rng: random.Random) -> bool:
    """The private part of the deal under implementation may leak this tick. A leak costs the
    deniers' hawks' support and puts the face before the defender's publics; returns whether the
    deal then falls (a defender-side state no longer ratifies it)."""
    from negsim.mechanisms.bargaining import lose_hawks, public_value, winset_edges

    deal = world.deal
    p = world.params.bargaining
    if deal is None or deal.leaked or deal.face_private <= 0.0:
        return False
    if rng.random() >= world.clock.rate(p.leak_rate):
        return False
    deal.leaked = True
    pub = world.publics
    for j in deal.payers:
        rows = world.states.rows[j]
        lose_hawks(pub.support, pub.stance, np.arange(rows.start, rows.stop), p.leak_cost)
    names = ", ".join(world.name(j) for j in deal.payers) or "the defenders"
    world.log("leak", f"the secret part of the deal leaks; {names} had denied it", "leaks")
    face = deal.face_public + deal.face_private
    refusing = [
        i
        for i, edge in winset_edges(world).items()
        if world.states.side[i] == DEFENDER and public_value(world, DEFENDER, deal.x, face) < edge
    ]
    return bool(refusing)
