"""M5: sanctions, exposure, reserves and burden sharing.

Sanctions are imposed by the states of one side on the other side's principal. Each
sanctioner's leverage is its economy relative to the sanctioned economy; independent
sanctioners compound (``1 - prod(1 - level * leverage)``), so a marginal member still matters
in a large coalition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import Instrument, RungId
from negsim.compiled import jitable, kernel
from negsim.world import CHALLENGER, DEFENDER, other

if TYPE_CHECKING:
    from negsim.world import World


@jitable
def leverage(economy: float, target_economy: float) -> float:
    """Share of a target's outside economic ties a sanctioner of that size controls."""
    return economy / (economy + target_economy)


@jitable
def sanction_reach(levels: Sequence[float], leverages: Sequence[float]) -> float:
    """The combined reach (0..1) of several sanctioners' levels."""
    spared = 1.0
    for k in range(len(levels)):
        spared *= 1.0 - levels[k] * leverages[k]
    return 1.0 - spared


@jitable
def sanction_pressure(
    reach: float, cohesion: float, leakage: float, efficacy: float, effect_floor: float
) -> float:
    """Weekly loss (share of GDP) sanctions of a given reach inflict, before reserves.

    Low cohesion blunts them (loopholes, slow enforcement); neutral trade leaks around them.
    """
    cohesion_factor = effect_floor + (1.0 - effect_floor) * cohesion
    return efficacy * reach * cohesion_factor * (1.0 - leakage)


@jitable
def neutral_leakage(
    trades: Sequence[float], economies: Sequence[float], sanctioners_economy: float, leakage: float
) -> float:
    """Share of the sanctions' effect undone by neutrals trading with the sanctioned state."""
    neutral = traded = 0.0
    for k in range(len(economies)):
        neutral += economies[k]
        traded += trades[k] * economies[k]
    total = sanctioners_economy + neutral
    if total <= 0.0:
        return 0.0
    return leakage * traded / total


@kernel
def sanctions_on(
    members: np.ndarray,
    target: int,
    holding: np.ndarray,
    defected: np.ndarray,
    sanctions: np.ndarray,
    economy: np.ndarray,
    neutrals: np.ndarray,
    trade: np.ndarray,
    cohesion: float,
    leakage: float,
    efficacy: float,
    effect_floor: float,
) -> tuple[float, float]:
    """The compound reach (`sanction_reach`) of the sanctions that ``members`` holding them
    and still in line impose on ``target``, and the pressure it puts on it
    (`sanction_pressure`), less what ``neutrals`` trading with it leak (`neutral_leakage`)."""
    levels = np.empty(len(members))
    leverages = np.empty(len(members))
    n = 0
    imposing = 0.0  # their economy
    for j in members:
        if holding[j] and not defected[j]:
            levels[n] = sanctions[j]
            leverages[n] = leverage(economy[j], economy[target])
            imposing += economy[j]
            n += 1
    reach = sanction_reach(levels[:n], leverages[:n])
    leak = 0.0
    if len(neutrals):
        leak = neutral_leakage(trade[neutrals], economy[neutrals], imposing, leakage)
    return reach, sanction_pressure(reach, cohesion, leak, efficacy, effect_floor)


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


def _pressure_inputs(world: World) -> tuple:
    """What `pressures` reads of the world, in its order."""
    p = world.params
    s = world.states
    sides = world.sides
    return (
        (world.side_states(CHALLENGER), world.side_states(DEFENDER)),
        world.roles()[0],
        world.neutral_states(),
        s.holding(Instrument.SANCTIONS),
        s.defected,
        s.sanctions,
        s.economy,
        s.trade,
        s.reserves,
        np.array(
            [
                world.cohesion[enemy] if sides.partners[enemy] else 1.0
                for enemy in (DEFENDER, CHALLENGER)
            ]
        ),
        p.sanctions.leakage,
        p.sanctions.efficacy,
        p.cohesion.effect_floor,
        p.sanctions.reserves_buffer,
    )


@kernel
def pressures(
    members: tuple,
    principals: np.ndarray,
    neutrals: np.ndarray,
    holding: np.ndarray,
    defected: np.ndarray,
    sanctions: np.ndarray,
    economy: np.ndarray,
    trade: np.ndarray,
    reserves: np.ndarray,
    cohesion: np.ndarray,
    leakage: float,
    efficacy: float,
    effect_floor: float,
    reserves_buffer: float,
) -> tuple[float, float, float, float, float, float]:
    """The sanctions on each side's principal (`sanctions_on`: imposed by the other side's
    ``members``, weakened by its ``cohesion``; neutral trade leaks around those on the
    challenger): their reach, their pressure and the loss that gets through its reserves
    (`buffered_loss`), the challenger's then the defender's of each."""
    reach = np.empty(2)
    pressure = np.empty(2)
    loss = np.empty(2)
    for k in range(2):
        reach[k], pressure[k] = sanctions_on(
            members[1 - k],
            principals[k],
            holding,
            defected,
            sanctions,
            economy,
            neutrals if k == CHALLENGER else neutrals[:0],
            trade,
            cohesion[k],
            leakage,
            efficacy,
            effect_floor,
        )
        loss[k] = buffered_loss(pressure[k], reserves[principals[k]], reserves_buffer)
    return reach[0], reach[1], pressure[0], pressure[1], loss[0], loss[1]


def spared_by_easing(world: World, side: int, j: int, eased: float) -> float:
    """Weekly pressure the sanctions on a side's principal would lose if sanctioner ``j``
    eased to ``eased``, the others unchanged (`easing_relief`)."""
    s = world.states
    reach = world.reach[side]
    if reach <= 0.0 or Instrument.SANCTIONS not in s.instruments[j] or s.defected[j]:
        return 0.0
    lev = leverage(s.economy[j], s.economy[world.sides.principal[side]])
    return easing_relief(reach, world.pressure[side], s.sanctions[j], eased, lev)


@jitable
def easing_relief(
    reach: float, pressure: float, level: float, eased: float, leverage: float
) -> float:
    """Weekly pressure lost when one sanctioner of the given ``leverage`` eases from ``level``
    to ``eased``, of sanctions of compound ``reach`` inflicting ``pressure``: its factor
    ``1 - level * leverage`` in the reach changes, and the pressure is proportional to the
    reach."""
    kept = 1.0 - level * leverage
    if kept <= 0.0:
        return pressure
    reach_after = 1.0 - (1.0 - reach) * (1.0 - eased * leverage) / kept
    return pressure * (reach - reach_after) / reach


def refresh(world: World) -> None:
    """Recompute the sanctions pressure on each principal and the loss that gets through
    (`pressures`)."""
    found = pressures(*_pressure_inputs(world))
    world.reach[:] = found[:2]
    world.pressure[:] = found[2:4]
    world.sanction_loss[:] = found[4:]


@kernel
def pay(
    weekly: np.ndarray,
    partner_of: np.ndarray,
    has_sanctions: np.ndarray,
    defected: np.ndarray,
    sanctions: np.ndarray,
    exposure: np.ndarray,
    economy: np.ndarray,
    aid: np.ndarray,
    force_projection: np.ndarray,
    military: np.ndarray,
    posture_cost: np.ndarray,
    projecting: np.ndarray,
    burden_sharing: float,
    self_cost: float,
    aid_cost: float,
) -> None:
    """Add each partner's weekly loss to ``weekly``: sanctions by its exposure to the enemy
    principal (pooled by burden sharing among its side's sanctioners, `sanctioner_costs`), aid
    delivered, and the force it projects while its side fights (``projecting[side]``) at its
    side's posture's cost."""
    for k in range(2):
        own_total = economy_total = 0.0
        for j in range(len(partner_of)):
            if partner_of[j] == k and has_sanctions[j] and not defected[j]:
                own_total += self_cost * sanctions[j] * exposure[j] * economy[j]
                economy_total += economy[j]
        pooled = own_total / economy_total if economy_total > 0.0 else 0.0
        for j in range(len(partner_of)):
            if partner_of[j] != k or defected[j]:
                continue
            if has_sanctions[j]:
                own = self_cost * sanctions[j] * exposure[j]
                weekly[j] += (1.0 - burden_sharing) * own + burden_sharing * pooled
            weekly[j] += aid_cost * aid[j]
            if force_projection[j] > 0.0 and projecting[k]:
                weekly[j] += posture_cost[k] * force_projection[j] / military[j]


def pay_costs(world: World) -> list[float]:
    """Every state's loss this tick (`pay`; the principals' from `outlook.weekly_loss`; the
    disinformation campaigns and countering); economic health, cumulative costs, pain and
    reserves. Returns each side's principal's weekly loss from the crisis (``felt``)."""
    from negsim.mechanisms.outlook import weekly_loss  # the principals' losses are valued there

    p = world.params
    s = world.states
    clock = world.clock
    rungs = world.rungs
    c = _constants(world)
    weekly = p.disinformation.counter_cost * s.counter
    felt = [0.0, 0.0]
    for side in (CHALLENGER, DEFENDER):
        felt[side] = weekly_loss(world, side)
        weekly[world.sides.principal[side]] += felt[side]
        weekly[world.sides.lead[side]] += p.disinformation.cost * world.sides.disinformation[side]
    postures = world.sides.posture
    pay(
        weekly,
        c.partner_of,
        c.has_sanctions,
        s.defected,
        s.sanctions,
        c.exposure,
        s.economy,
        s.aid,
        s.force_projection,
        s.military,
        np.array([rungs.cost[r] for r in postures]),
        np.array([r >= RungId.LIMITED_FORCE for r in postures]),
        p.sanctions.burden_sharing,
        p.sanctions.self_cost,
        p.sanctions.aid_cost,
    )
    for side in (CHALLENGER, DEFENDER):
        i = world.sides.principal[side]
        drain = p.sanctions.reserve_drain * clock.amount(world.pressure[side])
        s.reserves[i] = max(0.0, s.reserves[i] - drain)
    settle(
        weekly,
        clock.weeks,
        clock.rate(p.sanctions.recovery),
        p.domestic.pain_scale,
        p.domestic.casualty_pain * world.intensity,
        c.principals,
        s.economy,
        s.health,
        s.cost,
        s.cumulative_cost,
        s.pain,
    )
    return felt


@kernel
def settle(
    weekly: np.ndarray,
    weeks: float,
    recovery: float,
    pain_scale: float,
    casualties: float,
    principals: np.ndarray,
    economy: np.ndarray,
    health: np.ndarray,
    cost: np.ndarray,
    cumulative_cost: np.ndarray,
    pain: np.ndarray,
) -> None:
    """Every state's ``weekly`` loss (share of GDP) takes its toll this tick of ``weeks``:
    economic health falls by it and recovers at ``recovery`` toward 1; the cost and the pain
    its publics feel (``pain_scale`` per unit, and the ``casualties`` of the principals) are
    this tick's; the cumulative cost (trillion USD) grows."""
    for i in range(len(weekly)):
        tick_cost = weekly[i] * weeks
        health[i] = min(1.0, max(0.0, health[i] - tick_cost + recovery * (1.0 - health[i])))
        cost[i] = weekly[i]
        cumulative_cost[i] += tick_cost * economy[i]
        pain[i] = pain_scale * weekly[i]
    for i in principals:
        pain[i] += casualties


@dataclass(frozen=True)
class Constants:
    """What paying the costs needs that does not change during a run (cached on the world)."""

    partner_of: np.ndarray  # the side a state is a partner of, -1 if none
    has_sanctions: np.ndarray
    exposure: np.ndarray  # each state's exposure to the enemy principal
    principals: np.ndarray


def _constants(world: World) -> Constants:
    found = world.cache.get("sanctions")
    if found is None:
        s = world.states
        partner_of = np.full(len(s.ids), -1, dtype=np.int64)
        exposure = np.zeros(len(s.ids))
        for k in (CHALLENGER, DEFENDER):
            partner_of[world.sides.partners[k]] = k
            enemy = world.sides.principal[other(k)]
            for j in world.sides.members[k]:
                exposure[j] = s.exposure[j, enemy]
        found = world.cache["sanctions"] = Constants(
            partner_of,
            s.holding(Instrument.SANCTIONS),
            exposure,
            np.array(world.sides.principal, dtype=np.int64),
        )
    return found
