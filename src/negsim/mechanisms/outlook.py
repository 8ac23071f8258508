"""M10, M11: what fighting on is worth to a side, as its leadership sees it.

Every decision of a principal's leader, and every offer made to it, rests on one valuation:
for each posture the side could hold next, the expected share of the issue by the planning
horizon (Fearon's ``p``, from the military balance as the side perceives it), the weekly loss
of holding that posture, and the chance of catastrophe. As a function of the leader's resolve
``r`` (private) the value is linear: ``a - b * (1 - resolve_effect * r)``, where ``b`` is the
cost of fighting in issue units for a leader of no resolve. A side's **reservation** is the
best of its postures' values, or of quitting.

The valuations of every posture, for both sides as each side sees the battlefield, are
computed together (`refresh`) at the points of a tick where the world has changed, and read
from that table by every decision until the next refresh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import Instrument, RungId
from negsim.mechanisms import escalation
from negsim.mechanisms.decisions import (
    certainty_equivalent,
    clip01,
    cost_in_issue_units,
    effective_risk_preference,
)
from negsim.world import CHALLENGER, DEFENDER, other

if TYPE_CHECKING:
    from negsim.world import World


@dataclass(frozen=True)
class Prospect:
    """A side's view of fighting on at one posture: value ``a - b * (1 - e * resolve)``."""

    posture: int
    a: float
    b: float
    share: float  # expected share of the issue by the planning horizon

    def value(self, resolve: float | np.ndarray, resolve_effect: float) -> float | np.ndarray:
        """The prospect's worth to a leader of the given resolve."""
        return self.a - self.b * (1.0 - resolve_effect * resolve)


@dataclass(frozen=True)
class Forces:
    """What a side fights with: its principal's engaged strength, the strength its partners
    project when the side fights, the aid they deliver, and that aid as an economy-weighted
    share of full aid."""

    own: float
    projected: float
    aid: float
    aid_share: float


@dataclass
class Assessment:
    """Every posture's prospect for each side, as each side sees it, at one moment.

    ``table[side][viewer][posture]``; ``later[side]``: the side's prospect at its current
    posture once a deal's implementation would be over (the commitment problem).
    """

    table: list[list[list[Prospect]]]
    later: list[Prospect]


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


def plan_weeks(world: World) -> float:
    """How far ahead leaders look, in weeks."""
    return world.params.decisions.plan_days / 7.0


def forces(world: World) -> list[Forces]:
    """Both sides' forces, from their principals' health and their partners' policies."""
    p = world.params
    s = world.states
    out = []
    for k in (CHALLENGER, DEFENDER):
        i = world.sides.principal[k]
        own = s.military[i] * s.health[i]
        if k == DEFENDER:
            own *= p.battlefield.defender_advantage
        projected = aid = aid_economy = economy = 0.0
        for j in world.sides.partners[k]:
            if Instrument.AID in s.instruments[j]:
                economy += s.economy[j]
            if s.defected[j]:
                continue
            if Instrument.FORCE in s.instruments[j]:
                projected += s.force_projection[j] * s.health[j]
            if Instrument.AID in s.instruments[j]:
                aid += s.aid[j] * s.aid_capacity[j]
                aid_economy += s.aid[j] * s.economy[j]
        out.append(Forces(own, projected, aid, aid_economy / economy if economy else 0.0))
    return out


def efforts(world: World, postures: tuple[int, int] | list[int]) -> tuple[float, float]:
    """Both sides' fighting efforts if the sides held ``postures``."""
    rungs = world.rungs
    crisis = rungs.intensity[max(postures)]
    efficiency = world.params.battlefield.aid_efficiency
    out = []
    for k in (CHALLENGER, DEFENDER):
        f = world.forces[k]
        posture = postures[k]
        projecting = rungs.intensity[posture] if posture >= RungId.LIMITED_FORCE else 0.0
        out.append(crisis * (f.own + efficiency * f.aid) + projecting * f.projected)
    return out[0], out[1]


def risk_of(world: World, i: int) -> float:
    """State ``i``'s leader's risk preference after humiliation and losses (prospect theory)."""
    p = world.params
    if i == world.sides.principal[CHALLENGER]:
        frame = clip01(5.0 * (world.peak_control - world.control))
    elif i == world.sides.principal[DEFENDER]:
        frame = clip01(5.0 * (world.control - world.least_control))
    else:
        frame = 0.0
    return effective_risk_preference(
        world.leaders.risk_preference[i],
        world.leaders.humiliation[i],
        frame,
        p.humiliation.risk_shift,
        p.decisions.loss_risk,
    )


def weekly_loss(
    world: World, side: int, postures: tuple[int, int] | list[int], ahead: float = 0.0
) -> float:
    """A principal's weekly loss (share of GDP) if the sides held ``postures``.

    ``ahead`` weeks from now, its reserves drained meanwhile at today's pace.
    """
    s = world.params.sanctions
    rungs = world.rungs
    enemy = rungs.intensity[postures[other(side)]]
    if side == DEFENDER:
        damage = s.war_damage * enemy * (1.0 - s.aid_buffer * world.forces[DEFENDER].aid_share)
    else:
        damage = s.strike_damage * enemy
    sanctions = world.sanction_loss[side]
    if ahead > 0.0 and world.pressure[side] > 0.0:
        reserves = world.states.reserves[world.sides.principal[side]]
        left = max(0.0, reserves - s.reserve_drain * world.pressure[side] * ahead)
        sanctions = world.pressure[side] / (1.0 + s.reserves_buffer * left)
    return sanctions + rungs.cost[postures[side]] + damage


def evaluate(
    world: World,
    side: int,
    viewer: int,
    posture: int,
    enemy_posture: int | None = None,
    ahead: float = 0.0,
) -> Prospect:
    """The side's prospect at ``posture``, as ``viewer`` sees the battlefield.

    ``ahead`` weeks from now (the commitment problem) the battlefield's trend has run on and
    reserves have drained; a prospect always covers the planning horizon from then.
    """
    return evaluate_postures(world, side, viewer, [posture], enemy_posture, ahead)[0]


def evaluate_postures(
    world: World,
    side: int,
    viewer: int,
    postures: list[int],
    enemy_posture: int | None = None,
    ahead: float = 0.0,
) -> list[Prospect]:
    """The side's prospects at each of ``postures`` (see `evaluate`)."""
    p = world.params
    d = p.decisions
    e = p.escalation
    rungs = world.rungs
    weeks = d.plan_days / 7.0
    horizon = weeks + ahead
    sides = world.sides
    q = sides.posture[other(side)] if enemy_posture is None else enemy_posture
    current = sides.posture[side]
    principal = sides.principal[side]
    seen = math.exp(-sides.misjudgment[viewer])  # the enemy's effort as the viewer sees it
    risk = risk_of(world, principal)
    spread_weight = d.risk_weight * (2.0 * risk - 1.0)
    dread = max(0.0, 1.0 + d.risk_weight * (1.0 - 2.0 * risk)) * e.catastrophe_penalty
    coercion = e.coercion * wavering(world, side)
    humiliation = world.leaders.humiliation[sides.principal[CHALLENGER]]
    channel = world.back_channel()
    base = cost_in_issue_units(
        1.0, weeks, d.cost_weight, world.leaders.loss_aversion[principal], 0.0, 0.0
    )
    control = world.control
    speed, noise = p.battlefield.speed, p.battlefield.noise
    root = math.sqrt(horizon)
    out = []
    for r in postures:
        pair = (r, q) if side == CHALLENGER else (q, r)
        crisis = r if r > q else q
        intensity = rungs.intensity[crisis]
        e_c, e_d = efforts(world, pair)
        if viewer == CHALLENGER:
            e_d *= seen
        else:
            e_c *= seen
        total = e_c + e_d
        bal = (e_c - e_d) / total if total > 0.0 else 0.0
        expected = clip01(control + horizon * speed * intensity * bal)
        share = expected if side == CHALLENGER else 1.0 - expected
        a = share + spread_weight * noise * intensity * root
        if crisis == RungId.NUCLEAR_THREATS:
            hazard = escalation.weekly_hazard(
                rungs.hazard[crisis],
                humiliation,
                channel,
                e.humiliation_hazard,
                e.back_channel_cut,
            )
            a -= escalation.catastrophe_chance(crisis, hazard, weeks) * dread
        a += coercion * (rungs.fear[r] - rungs.fear[current])
        if world.threats:
            a -= threat_exposure(world, side, r)
        b = base * weekly_loss(world, side, pair, ahead)
        out.append(Prospect(r, a, b, share))
    return out


def refresh(world: World) -> None:
    """Recompute the forces and the table of prospects from the world as it now is."""
    world.forces = forces(world)
    ahead = world.params.commitment.implementation_days / 7.0
    table, later = [], []
    for k in (CHALLENGER, DEFENDER):
        postures = list(range(int(world.states.highest[world.sides.principal[k]]) + 1))
        table.append([evaluate_postures(world, k, v, postures) for v in (0, 1)])
        later.append(evaluate(world, k, k, world.sides.posture[k], ahead=ahead))
    world.assessment = Assessment(table, later)


def prospects(
    world: World, side: int, viewer: int | None = None, postures: list[int] | None = None
) -> list[Prospect]:
    """The side's prospects at each posture it could hold next (one rung either way), or at
    ``postures``, as ``viewer`` (default: the side itself) sees the battlefield."""
    row = world.assessment.table[side][side if viewer is None else viewer]
    if postures is None:
        current = world.sides.posture[side]
        postures = [r for r in (current, current + 1, current - 1) if 0 <= r < len(row)]
    return [row[r] for r in postures]


def wavering(world: World, side: int) -> float:
    """How likely the enemy of ``side`` is to buckle under fear, as ``side`` believes (0..1).

    Its coalition's estimated lack of cohesion if it has partners, else its principal's
    expected lack of resolve.
    """
    sides = world.sides
    if sides.partners[other(side)]:
        return 1.0 - sides.belief_cohesion[side]
    return 1.0 - float(sides.type_values[side] @ sides.type_probs[side])


def threat_exposure(world: World, side: int, posture: int) -> float:
    """Expected cost (issue units) of holding ``posture`` against the open threats on the side.

    A threat demanding that the side step down is defied by any posture above the rung
    demanded, one demanding withdrawal by any posture; defying costs the threat's credibility
    times its consequence.
    """
    cost = 0.0
    principal = world.sides.principal[side]
    for threat in world.threats:
        if threat.target != principal or threat.demand not in ("step_down", "withdraw"):
            continue
        if threat.demand == "step_down" and posture <= threat.level:
            continue
        cost += threat.credibility * consequence_cost(world, side, threat.consequence)
    return cost


def consequence_cost(world: World, side: int, consequence: str) -> float:
    """What a carried-out threat would cost the threatened side's principal, in issue units."""
    p = world.params
    if consequence == "sanctions":
        principal = world.sides.principal[side]
        extra = p.sanctions.efficacy * p.threats.sanction_step
        extra /= 1.0 + p.sanctions.reserves_buffer * world.states.reserves[principal]
        return cost_in_issue_units(
            extra,
            plan_weeks(world),
            p.decisions.cost_weight,
            world.leaders.loss_aversion[principal],
            world.leaders.resolve[principal],
            p.decisions.resolve_effect,
        )
    return p.threats.damage


def quit_value(world: World, side: int) -> float:
    """What quitting is worth to a side's principal: nothing of the issue, and its face."""
    p = world.params
    i = world.sides.principal[side]
    return -2.0 * escalation.climb_down_cost(
        p.escalation.climb_down_face,
        world.leaders.face_sensitivity[i],
        world.leaders.humiliation[i],
        world.sides.face_on_table if side == CHALLENGER else 0.0,
        p.escalation.offramp,
    )


def reservations(
    world: World, side: int, resolves: np.ndarray, viewer: int | None = None
) -> np.ndarray:
    """The least share of the issue a side's principal would settle for, per possible resolve.

    The best of fighting on at any posture within reach and of quitting; ``viewer`` is whose
    perception of the battlefield is used.
    """
    effect = world.params.decisions.resolve_effect
    best = np.full(len(resolves), quit_value(world, side))
    for prospect in prospects(world, side, viewer):
        np.maximum(best, prospect.value(resolves, effect), out=best)
    return best


def reservation(world: World, side: int) -> float:
    """A side's principal's own reservation, from its true resolve and its own perception."""
    effect = world.params.decisions.resolve_effect
    resolve = world.leaders.resolve[world.sides.principal[side]]
    best = quit_value(world, side)
    for prospect in prospects(world, side):
        best = max(best, float(prospect.value(resolve, effect)))
    return best


def later_value(world: World, side: int, resolve: float) -> float:
    """What fighting would be worth to a side once a deal's implementation is over: the same
    posture, the battlefield's trend run on, reserves drained meanwhile (the commitment
    problem)."""
    return float(world.assessment.later[side].value(resolve, world.params.decisions.resolve_effect))
