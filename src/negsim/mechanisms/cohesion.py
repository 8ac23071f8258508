"""M8: coalition cohesion, trust and collapse.

A side's coalition is its partners (its states other than the principal). Cohesion is derived
each tick from their commitments and trust, never stored as a free number. Coalitions have a
handful of members, so the formulas work on plain sequences of floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from negsim.mechanisms.decisions import clip01
from negsim.world import CHALLENGER, DEFENDER

if TYPE_CHECKING:
    from negsim.world import World


def cohesion(
    commitments: Sequence[float], shares: Sequence[float], trust: Sequence[float]
) -> float:
    """Cohesion in [0, 1]: mean commitment, discounted by its dispersion and by mistrust.

    ``mean * (1 - 2 * sd) * mean_trust`` weighted by the members' ``shares`` of the coalition's
    economy (they sum to one): a coalition whose members all commit fully and trust each other
    has cohesion 1; one split down the middle has 0.
    """
    mean = sum([c * x for c, x in zip(commitments, shares, strict=True)])
    sd = math.sqrt(sum([(c - mean) ** 2 * x for c, x in zip(commitments, shares, strict=True)]))
    mean_trust = sum([t * x for t, x in zip(trust, shares, strict=True)])
    return max(0.0, min(1.0, mean * (1.0 - 2.0 * sd) * mean_trust))


def trust_target(pains: Sequence[float]) -> list[float]:
    """Trust each member would settle at given how unevenly the coalition's pain falls.

    A member bearing more than the average pain trusts its partners less (in proportion to
    its excess over the mean, relative to the mean); one bearing less is not rewarded.
    """
    mean = sum(pains) / len(pains)
    if mean <= 0.0:
        return [1.0] * len(pains)
    return [clip01(1.0 - max(0.0, x - mean) / mean) for x in pains]


def update_trust(
    trust: Sequence[float],
    pains: Sequence[float],
    wedge: Sequence[float],
    rate: float,
    unevenness: float,
) -> list[float]:
    """Next tick's trust: toward the level uneven pain allows, less what disinformation wedged.

    ``rate`` is per tick.
    """
    return [
        clip01(t + rate * ((1.0 - unevenness * (1.0 - a)) - t) - w)
        for t, a, w in zip(trust, trust_target(pains), wedge, strict=True)
    ]


# --- on the world ------------------------------------------------------------------------------


def refresh(world: World) -> None:
    """Each side's cohesion from its partners' commitments and trust (1 with no partners)."""
    s = world.states
    for side in (CHALLENGER, DEFENDER):
        partners = world.sides.partners[side]
        if not partners:
            world.cohesion[side] = 1.0
            continue
        total = sum(s.economy[j] for j in partners)
        world.cohesion[side] = cohesion(
            [0.0 if s.defected[j] else s.commitment(j) for j in partners],
            [s.economy[j] / total for j in partners],
            [s.trust[j] for j in partners],
        )


def update(world: World, wedge: Sequence[float]) -> None:
    """Trust moves with how evenly the costs fall and what disinformation wedged; cohesion
    follows; a coalition failing for long enough collapses (an event, once).

    ``wedge`` is this tick's trust lost by each state to disinformation.
    """
    p = world.params.cohesion
    clock = world.clock
    s = world.states
    for side in (CHALLENGER, DEFENDER):
        partners = world.sides.partners[side]
        if not partners:
            continue
        new = update_trust(
            [s.trust[j] for j in partners],
            [s.cost[j] for j in partners],
            [wedge[j] for j in partners],
            clock.rate(p.trust_rate),
            p.unevenness,
        )
        for j, value in zip(partners, new, strict=True):
            s.trust[j] = value
    refresh(world)
    partners = world.sides.partners[DEFENDER]
    if not partners or world.collapsed_at is not None:
        return
    failing = world.cohesion[DEFENDER] < p.collapse_threshold
    world.low_cohesion_ticks = world.low_cohesion_ticks + 1 if failing else 0
    out = sum(s.economy[j] for j in partners if s.defected[j])
    total = sum(s.economy[j] for j in partners)
    if world.low_cohesion_ticks >= clock.ticks(p.collapse_days) or out >= 0.5 * total:
        world.collapsed_at = world.tick
        world.log("collapse", "the defenders' coalition collapses", "collapses")
