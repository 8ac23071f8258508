"""M5: sanctions, exposure, reserves and burden sharing.

Sanctions are imposed by the states of one side on the other side's principal. Each
sanctioner's leverage is its economy relative to the sanctioned economy; independent
sanctioners compound (``1 - prod(1 - level * leverage)``), so a marginal member still matters
in a large coalition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import Instrument, RungId
from negsim.compiled import jitable
from negsim.world import CHALLENGER, DEFENDER, other

if TYPE_CHECKING:
    from negsim.world import World


def leverage(economy: float, target_economy: float) -> float:
    """Share of a target's outside economic ties a sanctioner of that size controls."""
    return economy / (economy + target_economy)


def sanction_reach(levels: Sequence[float], leverages: Sequence[float]) -> float:
    """The combined reach (0..1) of several sanctioners' levels."""
    spared = 1.0
    for level, lev in zip(levels, leverages, strict=True):
        spared *= 1.0 - level * lev
    return 1.0 - spared


def sanction_pressure(
    reach: float, cohesion: float, leakage: float, efficacy: float, effect_floor: float
) -> float:
    """Weekly loss (share of GDP) sanctions of a given reach inflict, before reserves.

    Low cohesion blunts them (loopholes, slow enforcement); neutral trade leaks around them.
    """
    cohesion_factor = effect_floor + (1.0 - effect_floor) * cohesion
    return efficacy * reach * cohesion_factor * (1.0 - leakage)


def neutral_leakage(
    trades: Sequence[float], economies: Sequence[float], sanctioners_economy: float, leakage: float
) -> float:
    """Share of the sanctions' effect undone by neutrals trading with the sanctioned state."""
    total = sanctioners_economy + sum(economies)
    if total <= 0.0:
        return 0.0
    return leakage * sum(t * e for t, e in zip(trades, economies, strict=True)) / total


@jitable
def buffered_loss(pressure: float, reserves: float, buffer: float) -> float:
    """The part of a sanction loss that reaches the economy after reserves absorb the rest."""
    return pressure / (1.0 + buffer * reserves)


def sanctioner_costs(
    levels: Sequence[float],
    exposures: Sequence[float],
    economies: Sequence[float],
    burden_sharing: float,
    self_cost: float,
) -> list[float]:
    """Weekly loss (share of GDP) of each sanctioner from the sanctions it imposes.

    A sanctioner loses in proportion to its sanctions and its exposure to the sanctioned
    state. Burden sharing pools that fraction of the losses (re-routed supply, transfers), so
    that every sanctioner bears the group's economy-weighted average instead.
    """
    own = [self_cost * x * e for x, e in zip(levels, exposures, strict=True)]
    total = sum(economies)
    if not own or total <= 0.0:
        return own
    pooled = sum(o * e for o, e in zip(own, economies, strict=True)) / total
    return [(1.0 - burden_sharing) * o + burden_sharing * pooled for o in own]


# --- on the world ------------------------------------------------------------------------------


def pressure_on(world: World, side: int) -> float:
    """The sanctions pressure on a side's principal, before reserves; records the reach of
    the sanctions on it in ``world.reach``."""
    p = world.params
    s = world.states
    target = world.sides.principal[side]
    enemy = other(side)
    sanctioners = [
        j
        for j in world.sides.members[enemy]
        if Instrument.SANCTIONS in s.instruments[j] and not s.defected[j]
    ]
    reach = sanction_reach(
        [s.sanctions[j] for j in sanctioners],
        [leverage(s.economy[j], s.economy[target]) for j in sanctioners],
    )
    world.reach[side] = reach
    leak = 0.0
    if side == CHALLENGER and world.neutrals:
        leak = neutral_leakage(
            [s.trade[j] for j in world.neutrals],
            [s.economy[j] for j in world.neutrals],
            sum(s.economy[j] for j in sanctioners),
            p.sanctions.leakage,
        )
    cohesion = world.cohesion[enemy] if world.sides.partners[enemy] else 1.0
    return sanction_pressure(reach, cohesion, leak, p.sanctions.efficacy, p.cohesion.effect_floor)


def spared_by_easing(world: World, side: int, j: int, eased: float) -> float:
    """Weekly pressure the sanctions on a side's principal would lose if sanctioner ``j``
    eased to ``eased``, the others unchanged: its factor ``1 - level * leverage`` in the
    compound reach changes, and the pressure is proportional to the reach."""
    s = world.states
    reach = world.reach[side]
    if reach <= 0.0 or Instrument.SANCTIONS not in s.instruments[j] or s.defected[j]:
        return 0.0
    lev = leverage(s.economy[j], s.economy[world.sides.principal[side]])
    kept = 1.0 - s.sanctions[j] * lev
    if kept <= 0.0:
        return world.pressure[side]
    reach_after = 1.0 - (1.0 - reach) * (1.0 - eased * lev) / kept
    return world.pressure[side] * (reach - reach_after) / reach


def refresh(world: World) -> None:
    """Recompute the sanctions pressure on each principal and the loss that gets through."""
    p = world.params
    for side in (CHALLENGER, DEFENDER):
        pressure = pressure_on(world, side)
        world.pressure[side] = pressure
        world.sanction_loss[side] = buffered_loss(
            pressure,
            world.states.reserves[world.sides.principal[side]],
            p.sanctions.reserves_buffer,
        )


def pay_costs(world: World) -> None:
    """Every state's loss this tick; economic health, cumulative costs, pain and reserves."""
    from negsim.mechanisms.outlook import weekly_loss  # the principals' losses are valued there

    p = world.params
    s = world.states
    clock = world.clock
    rungs = world.rungs
    weekly = np.zeros(len(s.ids))
    for side in (CHALLENGER, DEFENDER):
        principal = world.sides.principal[side]
        weekly[principal] = weekly_loss(world, side)
        enemy_principal = world.sides.principal[other(side)]
        sanctioners = [
            j
            for j in world.sides.partners[side]
            if Instrument.SANCTIONS in s.instruments[j] and not s.defected[j]
        ]
        own = sanctioner_costs(
            [s.sanctions[j] for j in sanctioners],
            [s.exposure[j, enemy_principal] for j in sanctioners],
            [s.economy[j] for j in sanctioners],
            p.sanctions.burden_sharing,
            p.sanctions.self_cost,
        )
        for j, cost in zip(sanctioners, own, strict=True):
            weekly[j] += cost
        posture = world.sides.posture[side]
        for j in world.sides.partners[side]:
            if s.defected[j]:
                continue
            weekly[j] += p.sanctions.aid_cost * s.aid[j]
            if s.force_projection[j] > 0 and posture >= RungId.LIMITED_FORCE:
                weekly[j] += rungs.cost[posture] * s.force_projection[j] / s.military[j]
        lead = world.sides.lead[side]
        weekly[lead] += p.disinformation.cost * world.sides.disinformation[side]
    weekly += p.disinformation.counter_cost * s.counter
    for side in (CHALLENGER, DEFENDER):
        i = world.sides.principal[side]
        drain = p.sanctions.reserve_drain * clock.amount(world.pressure[side])
        s.reserves[i] = max(0.0, s.reserves[i] - drain)
    tick_cost = weekly * clock.weeks
    recovery = clock.rate(p.sanctions.recovery)
    np.clip(s.health - tick_cost + recovery * (1.0 - s.health), 0.0, 1.0, out=s.health)
    s.cost[:] = weekly
    s.cumulative_cost += tick_cost * s.economy
    s.pain[:] = p.domestic.pain_scale * weekly
    casualties = p.domestic.casualty_pain * world.intensity
    for i in world.sides.principal:
        s.pain[i] += casualties
