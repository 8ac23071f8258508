"""M8: coalition cohesion, trust, collapse, and partners' decisions (defection is a choice).

A side's coalition is its partners (its states other than the principal). Cohesion is derived
each tick from their commitments and trust, never stored as a free number. Coalitions have a
handful of members, so the formulas work on plain sequences of floats.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import Instrument
from negsim.compiled import kernel
from negsim.mechanisms.decisions import clip01, cost_in_issue_units, pick
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
            [s.standing(j) for j in partners],
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
    if world.low_cohesion_ticks >= clock.ticks(p.collapse_days) or out >= p.collapse_share * total:
        world.collapsed_at = world.tick
        world.log("collapse", "the defenders' coalition collapses", "collapses")


# --- partners' decisions: tighten, hold, ease, break ranks, rejoin -----------------------------

HOLD, TIGHTEN, EASE, LEAVE, REJOIN = range(5)
(
    STEP,
    STAKE,
    WEEKS_COST,
    RESOLVE_EFFECT,
    SELF_COST,
    AID_COST,
    APPROVAL_WEIGHT,
    SOLIDARITY,
    COERCION,
    ALLY_REPUTATION,
    CONCESSION_BIAS,
    DAMAGE,
    EASE_STEP,
) = range(13)


@kernel
def commitment_values(
    side: np.ndarray,
    now: np.ndarray,
    defected: np.ndarray,
    resolve: np.ndarray,
    risk: np.ndarray,
    loss_aversion: np.ndarray,
    trust: np.ndarray,
    exposure: np.ndarray,
    security: np.ndarray,
    instruments: np.ndarray,
    economy: np.ndarray,
    enemy_fear: np.ndarray,
    starts: np.ndarray,
    stops: np.ndarray,
    preferred: np.ndarray,
    weight: np.ndarray,
    threat_target: np.ndarray,
    threat_threshold: np.ndarray,
    threat_credibility: np.ndarray,
    scalars: np.ndarray,
    levels: np.ndarray,
    values: np.ndarray,
) -> None:
    """Every partner's options and their utilities, one partner a row (NaN: not open to it).

    Options: hold, tighten, ease (a step of commitment), break ranks (to none) or, once out,
    rejoin (at a step). Utility of a commitment level ``l``: the cause's value
    ``stake * resolve * l``, less what sanctions and aid cost (``exposure`` is after burden
    sharing), plus the approval its publics would give ``l``, less the pull of solidarity
    toward its partners' economy-weighted commitment (scaled by trust), less fear of the
    enemy's posture (as risk-averse, and more with a security exposure); an open threat
    demanding that it ease adds the concession bias if obeyed and, if not, costs its
    credibility times the damage feared, times the share of the demanded step still to go.
    Breaking ranks costs its name as an ally.
    """
    levels[:] = np.nan
    values[:] = np.nan
    n = len(now)
    step = scalars[STEP]
    for i in range(n):
        if defected[i]:
            levels[i, HOLD] = 0.0
            levels[i, REJOIN] = step
        else:
            levels[i, HOLD] = now[i]
            levels[i, TIGHTEN] = min(1.0, now[i] + step)
            levels[i, EASE] = max(0.0, now[i] - step)
            levels[i, LEAVE] = 0.0
        total = mean = 0.0
        for j in range(n):
            if j != i and side[j] == side[i]:
                total += economy[j]
                mean += economy[j] * (0.0 if defected[j] else now[j])
        partners = mean / total if total > 0.0 else now[i]
        units = cost_in_issue_units(
            1.0, scalars[WEEKS_COST], 1.0, loss_aversion[i], resolve[i], scalars[RESOLVE_EFFECT]
        )
        weekly = scalars[SELF_COST] * exposure[i] * instruments[i, 0]
        weekly += scalars[AID_COST] * instruments[i, 1]
        dread = (1.0 - risk[i]) * (1.0 + security[i])
        fear = scalars[COERCION] * enemy_fear[side[i]] * dread
        for k in range(5):
            level = levels[i, k]
            if np.isnan(level):
                continue
            approval = 0.0
            for row in range(starts[i], stops[i]):
                approval += weight[row] * (1.0 - abs(preferred[row] - level))
            u = scalars[STAKE] * resolve[i] * level - units * weekly * level
            u += scalars[APPROVAL_WEIGHT] * approval - fear * level
            if k == LEAVE:
                u -= scalars[ALLY_REPUTATION]
            elif not defected[i] or k == REJOIN:
                u -= scalars[SOLIDARITY] * trust[i] * abs(level - partners)
            for t in range(len(threat_target)):
                if threat_target[t] != i:
                    continue
                short = (level - threat_threshold[t]) / scalars[EASE_STEP]
                if k == LEAVE or short <= 1e-9:
                    u += scalars[CONCESSION_BIAS]
                else:  # the expected penalty shrinks with the distance still to go
                    u -= threat_credibility[t] * scalars[DAMAGE] * dread * min(1.0, short)
            values[i, k] = u


def _partner_constants(world: World) -> tuple:
    """What does not change during a run about the partners, as the kernel's arrays."""
    found = world.cache.get("partners")
    if found is not None:
        return found
    p = world.params
    s = world.states
    partners = world.sides.partners[CHALLENGER] + world.sides.partners[DEFENDER]
    sides = np.array([int(s.side[j]) for j in partners], dtype=np.int64)
    enemies = [world.sides.principal[1 - k] for k in sides]
    share = p.sanctions.burden_sharing
    exposure = []
    for j, k, enemy in zip(partners, sides, enemies, strict=True):
        sanctioners = [
            m for m in world.sides.partners[k] if Instrument.SANCTIONS in s.instruments[m]
        ]
        total = sum(s.economy[m] for m in sanctioners)
        pooled = (
            sum(s.exposure[m, enemy] * s.economy[m] for m in sanctioners) / total if total else 0.0
        )
        exposure.append((1.0 - share) * s.exposure[j, enemy] + share * pooled)
    found = (
        partners,
        sides,
        world.leaders.loss_aversion[partners],
        np.array(exposure),
        np.array([s.security[j, e] for j, e in zip(partners, enemies, strict=True)]),
        np.array(
            [
                [Instrument.SANCTIONS in s.instruments[j], Instrument.AID in s.instruments[j]]
                for j in partners
            ],
            dtype=float,
        ),
        s.economy[partners],
        np.array([s.rows[j].start for j in partners], dtype=np.int64),
        np.array([s.rows[j].stop for j in partners], dtype=np.int64),
        {j: r for r, j in enumerate(partners)},
    )
    world.cache["partners"] = found
    return found


@kernel
def choose_commitments(values: np.ndarray, scales: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Each partner's choice among its options (`decisions.pick`): breaking ranks only as a
    best response."""
    irreversible = np.zeros(values.shape[1], dtype=np.bool_)
    irreversible[LEAVE] = True
    out = np.empty(len(values), dtype=np.int64)
    for i in range(len(values)):
        out[i] = pick(values[i], irreversible, scales[i], uniforms[i])
    return out


def value_commitments(world: World, rng: random.Random) -> None:
    """Value and choose every partner's options this tick (`commitment_values`,
    `choose_commitments`), for their leaders: ``world.commitments`` becomes
    ``(tick, partners, levels, values, choices)``."""
    p = world.params
    s = world.states
    leaders = world.leaders
    (
        partners,
        sides,
        loss_aversion,
        exposure,
        security,
        instruments,
        economy,
        starts,
        stops,
        row_of,
    ) = _partner_constants(world)
    if not partners:
        world.commitments = (world.tick, partners, np.empty((0, 5)), np.empty((0, 5)), [])
        return
    threats = [t for t in world.threats if t.demand == "ease" and t.target in row_of]
    scalars = np.array(
        [
            world.clock.amount(p.decisions.step),
            p.decisions.stake,
            p.decisions.plan_days / 7.0 * p.decisions.cost_weight,
            p.decisions.resolve_effect,
            p.sanctions.self_cost,
            p.sanctions.aid_cost,
            p.domestic.approval_weight,
            p.cohesion.solidarity,
            p.escalation.coercion,
            p.cohesion.ally_reputation,
            p.threats.concession_bias,
            p.threats.damage,
            p.threats.ease_step,
        ]
    )
    levels = np.empty((len(partners), 5))
    values = np.empty((len(partners), 5))
    commitment_values(
        sides,
        np.array([s.commitment(j) for j in partners]),
        s.defected[partners],
        leaders.resolve[partners],
        leaders.risk_preference[partners],
        loss_aversion,
        s.trust[partners],
        exposure,
        security,
        instruments,
        economy,
        np.array([world.rungs.fear[world.sides.posture[1 - k]] for k in (0, 1)]),
        starts,
        stops,
        world.publics.preferred,
        world.publics.weight,
        np.array([row_of[t.target] for t in threats], dtype=np.int64),
        np.array([t.level - p.threats.ease_step for t in threats]),
        np.array([t.credibility for t in threats]),
        scalars,
        levels,
        values,
    )
    temperature = world.leaders.temperature[partners] * p.decisions.temperature_scale
    uniforms = np.array([rng.random() if t > 0 else 0.0 for t in temperature])
    choices = choose_commitments(values, temperature * p.decisions.stake, uniforms)
    world.commitments = (world.tick, partners, levels, values, choices)
