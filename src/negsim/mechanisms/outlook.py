"""M10, M11: what fighting on is worth to a side, as its leadership sees it.

Every decision of a principal's leader, and every offer made to it, rests on one valuation:
for each posture the side could hold, the expected share of the issue by the planning horizon
(Fearon's ``p``, from the military balance as the side perceives it), the weekly loss of
holding that posture, and the chance of catastrophe. As a function of the leader's resolve
``r`` (private) the value is linear: ``a - b * (1 - resolve_effect * r)``, where ``b`` is the
cost of fighting in issue units for a leader of no resolve. A side's **reservation** is the
best of its postures' values, or of quitting.

The prospects of every posture, for both sides as each side sees the battlefield, are computed
together by a compiled kernel (`prospect_table`) at the points of a tick where the world has
changed (`refresh`), and read from that table by every decision until the next refresh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import Instrument
from negsim.compiled import jitable, kernel
from negsim.mechanisms.battlefield import balance, drift, side_effort
from negsim.mechanisms.decisions import (
    certainty_equivalent,
    clip01,
    cost_in_issue_units,
    effective_risk_preference,
    python_sum,
)
from negsim.mechanisms.escalation import (
    LIMITED_FORCE,
    catastrophe_chance,
    climb_down_cost,
    weekly_hazard,
)
from negsim.mechanisms.sanctions import buffered_loss
from negsim.world import CHALLENGER, DEFENDER, other

if TYPE_CHECKING:
    from negsim.world import World

A, B, SHARE = 0, 1, 2  # the columns of a prospect


@dataclass(slots=True)
class Prospect:
    """A side's view of fighting on at one posture: value ``a - b * (1 - e * resolve)``."""

    posture: int
    a: float
    b: float
    share: float  # expected share of the issue by the planning horizon

    def value(self, resolve: float | np.ndarray, resolve_effect: float) -> float | np.ndarray:
        """The prospect's worth to a leader of the given resolve."""
        return self.a - self.b * (1.0 - resolve_effect * resolve)


@dataclass
class Assessment:
    """Every posture's prospect for each side, as each side sees it, at one moment.

    ``table[side, viewer, posture, enemy_posture]`` holds ``(a, b, share)`` (NaN beyond
    either side's reach); ``later[side]`` the side's prospect at the current postures once a
    deal's implementation would be over (the commitment problem). From the table: ``quit``,
    what quitting is worth to each side; ``own``, each side's best value of fighting on at
    its leader's true resolve; ``seen[side]``, the side's best value of fighting on for each
    resolve the other side thinks it may have, as the other side sees the battlefield.
    """

    table: np.ndarray
    later: np.ndarray
    quit: np.ndarray
    own: np.ndarray
    seen: np.ndarray


@jitable
def war_value(
    share: float,
    share_sd: float,
    cost: float,
    catastrophe_chance: float,
    catastrophe_penalty: float,
    risk_preference: float,
    risk_weight: float,
) -> float:
    """Certainty equivalent (issue units) of fighting on, for one side.

    ``share`` is the side's expected share of the issue by the planning horizon and ``share_sd``
    its spread, valued by mean and spread signed by the risk preference; ``cost`` is the cost
    until then in issue units. A catastrophe (chance ``catastrophe_chance``) costs
    ``catastrophe_penalty``, weighed up to ``1 + risk_weight`` times by a risk-averse leader
    and down to ``1 - risk_weight`` times by a risk-acceptant one: never welcome.
    """
    dread = max(0.0, 1.0 + risk_weight * (1.0 - 2.0 * risk_preference))
    fighting = certainty_equivalent(share, share_sd, risk_preference, risk_weight)
    return fighting - cost - catastrophe_chance * catastrophe_penalty * dread


# The kernel's inputs: scalars, per-side values and the ladder, each a row of an array.
(
    CONTROL,
    WEEKS,
    SPEED,
    NOISE,
    AID_EFFICIENCY,
    RISK_WEIGHT,
    PENALTY,
    COERCION,
    CHANNEL,
    CHANNEL_CUT,
    WAR_DAMAGE,
    STRIKE_DAMAGE,
    AID_BUFFER,
    RESERVES_BUFFER,
    RESERVE_DRAIN,
) = range(15)
(
    OWN,
    PROJECTED,
    AID,
    AID_SHARE,
    POSTURE,
    MISJUDGMENT,
    RISK,
    WAVERING,
    BASE_COST,
    SANCTION_LOSS,
    PRESSURE,
    RESERVES,
) = range(12)
INTENSITY, COST, FEAR, HAZARD = range(4)


@kernel
def prospect(
    side: int,
    viewer: int,
    posture: int,
    enemy_posture: int,
    ahead: float,
    scalars: np.ndarray,
    by_side: np.ndarray,
    ladder: np.ndarray,
    exposure: np.ndarray,
) -> tuple[float, float, float]:
    """One side's prospect ``(a, b, share)`` at ``posture`` against ``enemy_posture``, as
    ``viewer`` sees the battlefield, ``ahead`` weeks from now.

    Efforts: each principal fights at the crisis intensity (the higher posture's) with its
    own strength and its partners' aid; partners project force while their side's posture is
    at limited force or above. The viewer sees the enemy's effort scaled by
    ``exp(-misjudgment)``. Control drifts by ``speed * intensity * balance`` a week over the
    planning horizon (and ``ahead`` weeks more); its spread grows as ``noise * sqrt(weeks)``.
    Catastrophe is possible at the nuclear-threat rung (leaders see its base hazard, not the
    extra hazard of a humiliated leader's miscalculation). Coercion: the change of the fear
    the posture causes, valued by how likely the enemy is to buckle. Open threats: the
    expected cost of defying them. Costs: sanctions (buffered by reserves, drained ``ahead``),
    the posture's own cost, damage from the enemy's posture, for a leader of no resolve.
    """
    intensity = ladder[INTENSITY]
    postures = (posture, enemy_posture) if side == 0 else (enemy_posture, posture)
    crisis = max(postures[0], postures[1])
    level = intensity[crisis]
    efforts = (
        _effort(0, postures[0], level, intensity, by_side, scalars[AID_EFFICIENCY]),
        _effort(1, postures[1], level, intensity, by_side, scalars[AID_EFFICIENCY]),
    )
    seen = math.exp(-by_side[MISJUDGMENT, viewer])  # the enemy's effort, as the viewer sees it
    challenger = efforts[0] * seen if viewer == 1 else efforts[0]
    defender = efforts[1] * seen if viewer == 0 else efforts[1]
    weeks = scalars[WEEKS]
    horizon = weeks + ahead
    shift = horizon * drift(balance(challenger, defender), level, scalars[SPEED])
    expected = clip01(scalars[CONTROL] + shift)
    share = expected if side == 0 else 1.0 - expected
    hazard = weekly_hazard(ladder[HAZARD, crisis], 0.0, scalars[CHANNEL], 0.0, scalars[CHANNEL_CUT])
    chance = catastrophe_chance(crisis, hazard, weeks)
    sd = scalars[NOISE] * level * math.sqrt(horizon)
    a = war_value(
        share, sd, 0.0, chance, scalars[PENALTY], by_side[RISK, side], scalars[RISK_WEIGHT]
    )
    current = int(by_side[POSTURE, side])
    fear = ladder[FEAR]
    a += scalars[COERCION] * (fear[posture] - fear[current]) * by_side[WAVERING, side]
    a -= exposure[side, posture]
    sanctions = by_side[SANCTION_LOSS, side]
    pressure = by_side[PRESSURE, side]
    if ahead > 0.0 and pressure > 0.0:
        left = max(0.0, by_side[RESERVES, side] - scalars[RESERVE_DRAIN] * pressure * ahead)
        sanctions = buffered_loss(pressure, left, scalars[RESERVES_BUFFER])
    damage = war_damage_to(
        side,
        intensity[enemy_posture],
        scalars[WAR_DAMAGE],
        scalars[STRIKE_DAMAGE],
        scalars[AID_BUFFER],
        by_side[AID_SHARE, 1],
    )
    b = by_side[BASE_COST, side] * (sanctions + ladder[COST, posture] + damage)
    return a, b, share


@jitable
def _effort(
    side: int,
    posture: int,
    crisis_intensity: float,
    intensity: np.ndarray,
    by_side: np.ndarray,
    aid_efficiency: float,
) -> float:
    """A side's fighting effort at ``posture`` in a crisis of ``crisis_intensity`` (`side_effort`):
    its partners project force from limited force up."""
    projecting = intensity[posture] if posture >= LIMITED_FORCE else 0.0
    return side_effort(
        by_side[OWN, side],
        by_side[AID, side],
        by_side[PROJECTED, side],
        aid_efficiency,
        crisis_intensity,
        projecting,
    )


@kernel
def prospect_table(
    ahead: float,
    highest: np.ndarray,
    scalars: np.ndarray,
    by_side: np.ndarray,
    ladder: np.ndarray,
    exposure: np.ndarray,
    table: np.ndarray,
    later: np.ndarray,
) -> None:
    """Fill ``table[side, viewer, posture, enemy_posture]`` with `prospect` values, and
    ``later[side]`` with each side's prospect ``ahead`` weeks on at the current postures."""
    table[:] = np.nan
    for side in range(2):
        for viewer in range(2):
            for posture in range(highest[side] + 1):
                for enemy_posture in range(highest[1 - side] + 1):
                    table[side, viewer, posture, enemy_posture] = prospect(
                        side,
                        viewer,
                        posture,
                        enemy_posture,
                        0.0,
                        scalars,
                        by_side,
                        ladder,
                        exposure,
                    )
        now, enemy_now = int(by_side[POSTURE, side]), int(by_side[POSTURE, 1 - side])
        later[side] = prospect(
            side, side, now, enemy_now, ahead, scalars, by_side, ladder, exposure
        )


@jitable
def war_damage_to(
    side: int,
    enemy_intensity: float,
    war_damage: float,
    strike_damage: float,
    aid_buffer: float,
    defender_aid_share: float,
) -> float:
    """Weekly damage (share of GDP) a principal's economy takes from the enemy's fighting.

    The war is fought on the defender's ground: it takes ``war_damage`` at full intensity,
    offset by its partners' aid; the challenger takes ``strike_damage``.
    """
    if side == DEFENDER:
        return war_damage * enemy_intensity * (1.0 - aid_buffer * defender_aid_share)
    return strike_damage * enemy_intensity


def weekly_loss(world: World, side: int) -> float:
    """A principal's weekly loss (share of GDP) at the current postures."""
    s = world.params.sanctions
    posture = world.sides.posture[side]
    damage = war_damage_to(
        side,
        world.rungs.intensity[world.sides.posture[other(side)]],
        s.war_damage,
        s.strike_damage,
        s.aid_buffer,
        world.forces[AID_SHARE, DEFENDER],
    )
    return world.sanction_loss[side] + world.rungs.cost[posture] + damage


def plan_weeks(world: World) -> float:
    """How far ahead leaders look, in weeks."""
    return world.params.decisions.plan_days / 7.0


@kernel
def side_forces(
    principals: np.ndarray,
    partner_of: np.ndarray,
    military: np.ndarray,
    health: np.ndarray,
    aid: np.ndarray,
    aid_capacity: np.ndarray,
    force_projection: np.ndarray,
    economy: np.ndarray,
    defected: np.ndarray,
    has_aid: np.ndarray,
    has_force: np.ndarray,
    defender_advantage: float,
    out: np.ndarray,
) -> None:
    """Each side's forces into ``out[row, side]`` (rows OWN, PROJECTED, AID, AID_SHARE): its
    principal's strength and health (times the defender's advantage on home ground); its
    partners' projected force and delivered aid; that aid as an economy-weighted share of full
    aid. ``partner_of[i]`` is the side state ``i`` is a partner of, or -1."""
    for k in range(2):
        i = principals[k]
        out[OWN, k] = military[i] * health[i] * (defender_advantage if k == 1 else 1.0)
        projected = given = aid_economy = total = 0.0
        for j in range(len(partner_of)):
            if partner_of[j] != k:
                continue
            if has_aid[j]:
                total += economy[j]
            if defected[j]:
                continue
            if has_force[j]:
                projected += force_projection[j] * health[j]
            if has_aid[j]:
                given += aid[j] * aid_capacity[j]
                aid_economy += aid[j] * economy[j]
        out[PROJECTED, k] = projected
        out[AID, k] = given
        out[AID_SHARE, k] = aid_economy / total if total > 0.0 else 0.0


def efforts(world: World, postures: tuple[int, int] | list[int]) -> tuple[float, float]:
    """Both sides' fighting efforts if the sides held ``postures`` (see `prospect`)."""
    rungs = world.rungs
    crisis = rungs.intensity[max(postures)]
    efficiency = world.params.battlefield.aid_efficiency
    f = world.forces
    out = []
    for k in (CHALLENGER, DEFENDER):
        posture = postures[k]
        projecting = rungs.intensity[posture] if posture >= LIMITED_FORCE else 0.0
        out.append(
            side_effort(f[OWN, k], f[AID, k], f[PROJECTED, k], efficiency, crisis, projecting)
        )
    return out[0], out[1]


@jitable
def principal_risk(
    side: int,
    risk_preference: float,
    humiliation: float,
    control: float,
    peak_control: float,
    least_control: float,
    loss_frame: float,
    risk_shift: float,
    loss_risk: float,
) -> float:
    """A principal's leader's risk preference after humiliation and losses (prospect theory):
    the challenger counts the ground lost since its peak as a loss, the defender the ground
    lost since its best moment, times ``loss_frame``."""
    lost = peak_control - control if side == CHALLENGER else control - least_control
    frame = clip01(loss_frame * lost)
    return effective_risk_preference(risk_preference, humiliation, frame, risk_shift, loss_risk)


@dataclass(frozen=True)
class Constants:
    """What the assessment needs that does not change during a run (cached on the world)."""

    principals: np.ndarray  # (2,) each side's principal
    partner_of: np.ndarray  # (n,) the side a state is a partner of, -1 if none
    has_aid: np.ndarray
    has_force: np.ndarray
    highest: np.ndarray  # (2,) each principal's highest posture
    base_cost: np.ndarray  # (2,) cost of a weekly loss of 1 over the plan, resolve 0
    scalars: np.ndarray  # the prospect's scalars; CONTROL and CHANNEL are set each refresh
    judgment: np.ndarray  # the leaders' parameters: JUDGMENT_* below
    unthreatened: np.ndarray  # `threat_exposures` with no threat open (zeros; read only)


# the leaders' parameters of the assessment (`Constants.judgment`)
(
    DEFENDER_ADVANTAGE,
    LOSS_FRAME,
    RISK_SHIFT,
    LOSS_RISK,
    CLIMB_DOWN_FACE,
    OFFRAMP,
    RESOLVE_EFFECT,
    IMPLEMENTATION_WEEKS,
) = range(8)
# the moment's values the assessment reads (`refresh`), scalars then pairs (one per side)
M_CONTROL, M_CHANNEL, M_PEAK, M_LEAST, M_FACE_ON_TABLE = range(5)
M_POSTURE, M_MISJUDGMENT, M_DOUBT, M_SANCTION_LOSS, M_PRESSURE = range(5, 15, 2)


def _constants(world: World) -> Constants:
    found = world.cache.get("outlook")
    if found is not None:
        return found
    p = world.params
    d, e, sc = p.decisions, p.escalation, p.sanctions
    s = world.states
    sides = world.sides
    principals = np.array(sides.principal, dtype=np.int64)
    partner_of = np.full(len(s.ids), -1, dtype=np.int64)
    for k in (CHALLENGER, DEFENDER):
        partner_of[sides.partners[k]] = k
    weeks = d.plan_days / 7.0
    found = Constants(
        principals=principals,
        partner_of=partner_of,
        has_aid=np.array([Instrument.AID in ins for ins in s.instruments]),
        has_force=np.array([Instrument.FORCE in ins for ins in s.instruments]),
        highest=s.highest[principals].astype(np.int64),
        base_cost=np.array(
            [
                cost_in_issue_units(
                    1.0, weeks, d.cost_weight, world.leaders.loss_aversion[i], 0.0, 0.0
                )
                for i in principals
            ]
        ),
        scalars=np.array(
            [
                0.0,
                weeks,
                p.battlefield.speed,
                p.battlefield.noise,
                p.battlefield.aid_efficiency,
                d.risk_weight,
                e.catastrophe_penalty,
                e.coercion,
                0.0,
                e.back_channel_cut,
                sc.war_damage,
                sc.strike_damage,
                sc.aid_buffer,
                sc.reserves_buffer,
                sc.reserve_drain,
            ]
        ),
        judgment=np.array(
            [
                p.battlefield.defender_advantage,
                d.loss_frame,
                p.humiliation.risk_shift,
                d.loss_risk,
                e.climb_down_face,
                e.offramp,
                d.resolve_effect,
                p.commitment.implementation_days / 7.0,
            ]
        ),
        unthreatened=np.zeros((2, len(world.rungs.intensity))),
    )
    world.cache["outlook"] = found
    return found


@kernel
def assess(
    moment: np.ndarray,
    military: np.ndarray,
    health: np.ndarray,
    aid: np.ndarray,
    defected: np.ndarray,
    reserves: np.ndarray,
    risk_preference: np.ndarray,
    humiliation: np.ndarray,
    face_sensitivity: np.ndarray,
    resolve: np.ndarray,
    challenger_types: np.ndarray,
    defender_types: np.ndarray,
    exposure: np.ndarray,
    principals: np.ndarray,
    partner_of: np.ndarray,
    has_aid: np.ndarray,
    has_force: np.ndarray,
    aid_capacity: np.ndarray,
    force_projection: np.ndarray,
    economy: np.ndarray,
    highest: np.ndarray,
    base_cost: np.ndarray,
    constants: np.ndarray,
    judgment: np.ndarray,
    ladder: np.ndarray,
    forces: np.ndarray,
    table: np.ndarray,
    later: np.ndarray,
    quits: np.ndarray,
    own: np.ndarray,
    seen: np.ndarray,
) -> None:
    """The whole assessment from the world's arrays and the ``moment``'s values (``M_*``):
    both sides' ``forces`` (`side_forces`), the prospect table (`prospect_table`), what
    quitting is worth to each side (`quit_worth`), each principal's best fighting value at its
    true resolve (``own``) and, for each resolve on the other side's belief grid (the
    challenger's grid of the defender's types, the defender's of the challenger's), as the
    other side sees it (``seen``)."""
    side_forces(
        principals,
        partner_of,
        military,
        health,
        aid,
        aid_capacity,
        force_projection,
        economy,
        defected,
        has_aid,
        has_force,
        judgment[DEFENDER_ADVANTAGE],
        forces,
    )
    control = moment[M_CONTROL]
    scalars = constants.copy()
    scalars[CONTROL] = control
    scalars[CHANNEL] = moment[M_CHANNEL]
    posture = np.empty(2, dtype=np.int64)
    by_side = np.empty((12, 2))
    enemies = (fearful(1, principals, partner_of), fearful(0, principals, partner_of))
    for k in range(2):
        i = principals[k]
        posture[k] = int(moment[M_POSTURE + k])
        by_side[OWN, k] = forces[OWN, k]
        by_side[PROJECTED, k] = forces[PROJECTED, k]
        by_side[AID, k] = forces[AID, k]
        by_side[AID_SHARE, k] = forces[AID_SHARE, k]
        by_side[POSTURE, k] = posture[k]
        by_side[MISJUDGMENT, k] = moment[M_MISJUDGMENT + k]
        by_side[RISK, k] = principal_risk(
            k,
            risk_preference[i],
            humiliation[i],
            control,
            moment[M_PEAK],
            moment[M_LEAST],
            judgment[LOSS_FRAME],
            judgment[RISK_SHIFT],
            judgment[LOSS_RISK],
        )
        by_side[WAVERING, k] = wavering(moment[M_DOUBT + k], risk_preference, enemies[k])
        by_side[BASE_COST, k] = base_cost[k]
        by_side[SANCTION_LOSS, k] = moment[M_SANCTION_LOSS + k]
        by_side[PRESSURE, k] = moment[M_PRESSURE + k]
        by_side[RESERVES, k] = reserves[i]
        offered = moment[M_FACE_ON_TABLE] if k == CHALLENGER else 0.0
        step_face = climb_down_cost(
            judgment[CLIMB_DOWN_FACE],
            face_sensitivity[i],
            humiliation[i],
            offered,
            judgment[OFFRAMP],
        )
        quits[k] = quit_worth(step_face)
    ahead = judgment[IMPLEMENTATION_WEEKS]
    prospect_table(ahead, highest, scalars, by_side, ladder, exposure, table, later)
    effect = judgment[RESOLVE_EFFECT]
    for k in range(2):
        reach = np.empty(3, dtype=np.int64)
        count = 0
        for r in (posture[k], posture[k] + 1, posture[k] - 1):
            if 0 <= r <= highest[k]:
                reach[count] = r
                count += 1
        now = table[k, k, :, posture[1 - k]]
        own[k] = best_fight(now, reach[:count], resolve[principals[k] : principals[k] + 1], effect)[
            0
        ]
        types = defender_types if k == CHALLENGER else challenger_types
        seen[k] = best_fight(table[k, 1 - k, :, posture[1 - k]], reach[:count], types, effect)


def refresh(world: World) -> None:
    """Recompute the forces and the assessment (every prospect, each side's best fighting
    values and quitting) from the world as it now is (`assess`), in place after the first."""
    c = _constants(world)
    s = world.states
    sides = world.sides
    leaders = world.leaders
    a = world.assessment
    if a is None:
        size = len(world.rungs.intensity)
        world.forces = np.empty((4, 2))
        a = world.assessment = Assessment(
            table=np.empty((2, 2, size, size, 3)),
            later=np.empty((2, 3)),
            quit=np.empty(2),
            own=np.empty(2),
            seen=np.empty((2, world.params.beliefs.types)),
        )
    moment = np.array(
        [
            world.control,
            world.channel(),
            world.peak_control,
            world.least_control,
            sides.face_on_table,
            *sides.posture,
            *sides.misjudgment,
            doubt(world, CHALLENGER),
            doubt(world, DEFENDER),
            *world.sanction_loss,
            *world.pressure,
        ]
    )
    assess(
        moment,
        s.military,
        s.health,
        s.aid,
        s.defected,
        s.reserves,
        leaders.risk_preference,
        leaders.humiliation,
        leaders.face_sensitivity,
        leaders.resolve,
        sides.type_values[CHALLENGER],
        sides.type_values[DEFENDER],
        threat_exposures(world) if world.threats else c.unthreatened,
        c.principals,
        c.partner_of,
        c.has_aid,
        c.has_force,
        s.aid_capacity,
        s.force_projection,
        s.economy,
        c.highest,
        c.base_cost * world.cost_belief,  # the share of its costs each side foresees (M13)
        c.scalars,
        c.judgment,
        world.rungs.ladder,
        world.forces,
        a.table,
        a.later,
        a.quit,
        a.own,
        a.seen,
    )


def reachable(world: World, side: int) -> list[int]:
    """The postures a side could hold next: its current one, and one rung either way."""
    current = world.sides.posture[side]
    highest = int(world.states.highest[world.sides.principal[side]])
    return [r for r in (current, current + 1, current - 1) if 0 <= r <= highest]


def rows(
    world: World, side: int, viewer: int | None = None, enemy_posture: int | None = None
) -> np.ndarray:
    """The side's prospects ``(a, b, share)`` at every posture, as ``viewer`` (default: the
    side itself) sees the battlefield, against ``enemy_posture`` (default: the enemy's)."""
    q = world.sides.posture[other(side)] if enemy_posture is None else enemy_posture
    return world.assessment.table[side, side if viewer is None else viewer, :, q]


def prospects(
    world: World,
    side: int,
    viewer: int | None = None,
    postures: list[int] | None = None,
    enemy_posture: int | None = None,
) -> list[Prospect]:
    """The side's prospects at each posture it could hold next (`reachable`), or at
    ``postures``, as ``viewer`` sees the battlefield, against ``enemy_posture`` (see `rows`)."""
    table = rows(world, side, viewer, enemy_posture)
    if postures is None:
        postures = reachable(world, side)
    return [Prospect(r, table[r, A], table[r, B], table[r, SHARE]) for r in postures]


def doubt(world: World, side: int) -> float:
    """How unsure ``side`` is that its enemy holds firm (0..1): its estimate of the enemy
    coalition's lack of cohesion if the enemy has partners, else the enemy principal's
    expected lack of resolve."""
    sides = world.sides
    if sides.partners[other(side)]:
        return 1.0 - sides.belief_cohesion[side]
    return 1.0 - float(sides.type_values[side] @ sides.type_probs[side])


@jitable
def fearful(side: int, principals: np.ndarray, partner_of: np.ndarray) -> np.ndarray:
    """The leaders of a side whom fear may make buckle: its partners (in order) if it has
    any, else its principal."""
    found = np.flatnonzero(partner_of == side)
    return found if len(found) else principals[side : side + 1]


@jitable
def wavering(doubt: float, risk_preference: np.ndarray, leaders: np.ndarray) -> float:
    """How likely an enemy is to buckle under fear, as a side believes (0..1): the side's
    ``doubt`` (`doubt`) times the enemy ``leaders``' mean risk aversion (fear works on the
    risk-averse; added as Python adds, `python_sum`)."""
    return doubt * (1.0 - python_sum(risk_preference[leaders]) / len(leaders))


def threat_exposure(world: World, side: int, posture: int) -> float:
    """Expected cost (issue units) of holding ``posture`` against the open threats on the side.

    A threat demanding that the side step down is defied by any posture above the rung
    demanded, one demanding withdrawal by any posture; defying costs the threat's credibility
    times its consequence.
    """
    return float(threat_exposures(world)[side, posture])


def threat_exposures(world: World) -> np.ndarray:
    """`threat_exposure` of both sides at every posture, ``[side, posture]``, in one pass."""
    out = np.zeros((2, len(world.rungs.intensity)))
    principals = world.sides.principal
    costs: dict[tuple[int, str], float] = {}  # the same for every threat of a consequence
    for threat in world.threats:
        if threat.demand not in ("step_down", "withdraw"):
            continue
        for side in (CHALLENGER, DEFENDER):
            if threat.target == principals[side]:
                first = int(threat.level) + 1 if threat.demand == "step_down" else 0
                key = (side, threat.consequence)
                cost = costs.get(key)
                if cost is None:
                    cost = costs[key] = consequence_cost(world, side, threat.consequence)
                out[side, first:] += threat.credibility * cost
    return out


def consequence_cost(world: World, side: int, consequence: str) -> float:
    """What a carried-out threat would cost the threatened side's principal, in issue units."""
    p = world.params
    if consequence == "sanctions":
        principal = world.sides.principal[side]
        return sanctions_felt(
            p.threats.sanction_step,
            p.sanctions.efficacy,
            p.sanctions.reserves_buffer,
            world.states.reserves[principal],
            plan_weeks(world),
            p.decisions.cost_weight,
            world.leaders.loss_aversion[principal],
            world.leaders.resolve[principal],
            p.decisions.resolve_effect,
        )
    return p.threats.damage


@jitable
def sanctions_felt(
    step: float,
    efficacy: float,
    reserves_buffer: float,
    reserves: float,
    weeks: float,
    cost_weight: float,
    loss_aversion: float,
    resolve: float,
    resolve_effect: float,
) -> float:
    """What a ``step`` of tighter sanctions would cost a principal over ``weeks``, in issue
    units: the pressure it adds, buffered by the principal's reserves."""
    extra = efficacy * step
    extra /= 1.0 + reserves_buffer * reserves
    return cost_in_issue_units(extra, weeks, cost_weight, loss_aversion, resolve, resolve_effect)


def quit_value(world: World, side: int) -> float:
    """What quitting is worth to a side's principal: nothing of the issue, and its face."""
    return world.assessment.quit[side]


def climb_down_face(world: World, side: int) -> float:
    """The face a side's principal's leader loses stepping down a rung (see
    `escalation.climb_down_cost`): the off-ramp of face on the table helps the challenger."""
    p = world.params
    i = world.sides.principal[side]
    return climb_down_cost(
        p.escalation.climb_down_face,
        world.leaders.face_sensitivity[i],
        world.leaders.humiliation[i],
        world.sides.face_on_table if side == CHALLENGER else 0.0,
        p.escalation.offramp,
    )


@jitable
def quit_worth(step_face: float) -> float:
    """What quitting is worth: the whole issue given up, and the face of climbing all the way
    down, counted as two rungs' worth of ``step_face``."""
    return -2.0 * step_face


@kernel
def best_fight(
    table: np.ndarray, postures: np.ndarray, resolves: np.ndarray, resolve_effect: float
) -> np.ndarray:
    """For each resolve, the best of ``table``'s prospects (rows ``(a, b, share)``) at
    ``postures``."""
    best = np.full(len(resolves), -np.inf)
    for r in postures:
        for t in range(len(resolves)):
            value = table[r, A] - table[r, B] * (1.0 - resolve_effect * resolves[t])
            if value > best[t]:
                best[t] = value
    return best


def fight_values(
    world: World, side: int, resolves: np.ndarray, viewer: int | None = None
) -> np.ndarray:
    """The best value of fighting on within reach, for each possible resolve of the side's
    principal, as ``viewer`` sees the battlefield."""
    return best_fight(
        rows(world, side, viewer),
        np.array(reachable(world, side), dtype=np.int64),
        np.asarray(resolves, dtype=float),
        world.params.decisions.resolve_effect,
    )


def reservations(
    world: World, side: int, resolves: np.ndarray, viewer: int | None = None
) -> np.ndarray:
    """The least share of the issue a side's principal would settle for, per possible resolve:
    the best of fighting on within reach and of quitting."""
    return np.maximum(fight_values(world, side, resolves, viewer), quit_value(world, side))


def reservation(world: World, side: int) -> float:
    """A side's principal's own reservation, from its true resolve and its own perception."""
    a = world.assessment
    return max(a.own[side], a.quit[side])


def seen_fight_values(world: World, side: int) -> np.ndarray:
    """The side's best value of fighting on for each resolve the other side thinks it may
    have (the other side's belief grid), as the other side sees the battlefield."""
    return world.assessment.seen[side]


def seen_reservations(world: World, side: int) -> np.ndarray:
    """The side's reservations over the other side's belief grid, as the other side sees
    them."""
    a = world.assessment
    return np.maximum(a.seen[side], a.quit[side])


def later_value(world: World, side: int, resolve: float) -> float:
    """What fighting would be worth to a side once a deal's implementation is over: the same
    posture, the battlefield's trend run on, reserves drained meanwhile (the commitment
    problem)."""
    a, b, _ = world.assessment.later[side]
    return float(a - b * (1.0 - world.params.decisions.resolve_effect * resolve))
