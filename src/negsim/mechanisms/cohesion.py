"""M8: coalition cohesion, trust, collapse, and partners' decisions (defection is a choice).

A side's coalition is its partners (its states other than the principal). Cohesion is derived
each tick from their commitments and trust, never stored as a free number. Coalitions have a
handful of members, so the formulas work on plain sequences of floats.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import Instrument
from negsim.compiled import jitable, kernel
from negsim.mechanisms.decisions import clip01, cost_in_issue_units, pick
from negsim.world import CHALLENGER, DEFENDER, standing_levels

if TYPE_CHECKING:
    from negsim.world import World


@jitable
def cohesion(
    commitments: Sequence[float], shares: Sequence[float], trust: Sequence[float]
) -> float:
    """Cohesion in [0, 1]: mean commitment, discounted by its dispersion and by mistrust.

    ``mean * (1 - 2 * sd) * mean_trust`` weighted by the members' ``shares`` of the coalition's
    economy (they sum to one): a coalition whose members all commit fully and trust each other
    has cohesion 1; one split down the middle has 0.
    """
    mean = 0.0
    for k in range(len(commitments)):
        mean += commitments[k] * shares[k]
    variance = 0.0
    mean_trust = 0.0
    for k in range(len(commitments)):
        variance += (commitments[k] - mean) ** 2 * shares[k]
        mean_trust += trust[k] * shares[k]
    sd = math.sqrt(variance)
    return max(0.0, min(1.0, mean * (1.0 - 2.0 * sd) * mean_trust))


@jitable
def trust_target(pains: Sequence[float]) -> np.ndarray:
    """Trust each member would settle at given how unevenly the coalition's pain falls.

    A member bearing more than the average pain trusts its partners less (in proportion to
    its excess over the mean, relative to the mean); one bearing less is not rewarded.
    """
    total = 0.0
    for pain in pains:
        total += pain
    mean = total / len(pains)
    out = np.ones(len(pains))
    if mean > 0.0:
        for k in range(len(pains)):
            out[k] = clip01(1.0 - max(0.0, pains[k] - mean) / mean)
    return out


@jitable
def update_trust(
    trust: Sequence[float],
    pains: Sequence[float],
    wedge: Sequence[float],
    rate: float,
    unevenness: float,
) -> np.ndarray:
    """Next tick's trust: toward the level uneven pain allows, less what disinformation wedged.

    ``rate`` is per tick.
    """
    target = trust_target(pains)
    out = np.empty(len(trust))
    for k in range(len(trust)):
        t = trust[k]
        out[k] = clip01(t + rate * ((1.0 - unevenness * (1.0 - target[k])) - t) - wedge[k])
    return out


@kernel
def coalition_cohesion(
    partners: np.ndarray, standing: np.ndarray, economy: np.ndarray, trust: np.ndarray
) -> float:
    """A coalition's `cohesion`: its ``partners``' standing and trust, weighted by their
    shares of the coalition's economy."""
    total = 0.0
    for j in partners:
        total += economy[j]
    return cohesion(standing[partners], economy[partners] / total, trust[partners])


@kernel
def update_coalition_trust(
    partners: np.ndarray,
    trust: np.ndarray,
    cost: np.ndarray,
    wedge: np.ndarray,
    rate: float,
    unevenness: float,
) -> None:
    """`update_trust` of a coalition's ``partners``, in place (``cost``: their pain)."""
    trust[partners] = update_trust(
        trust[partners], cost[partners], wedge[partners], rate, unevenness
    )


@kernel
def economy_of(partners: np.ndarray, economy: np.ndarray, counted: np.ndarray) -> float:
    """The economy of those of ``partners`` ``counted``, added in their order."""
    total = 0.0
    for j in partners:
        if counted[j]:
            total += economy[j]
    return total


# --- on the world ------------------------------------------------------------------------------


def refresh(world: World) -> None:
    """Each side's cohesion from its partners' commitments and trust (1 with no partners)."""
    _update(world, None)


def update(world: World, wedge: np.ndarray) -> None:
    """Trust moves with how evenly the costs fall and what disinformation wedged; cohesion
    follows; a coalition failing for long enough collapses (an event, once).

    ``wedge`` is this tick's trust lost by each state to disinformation.
    """
    p = world.params.cohesion
    clock = world.clock
    s = world.states
    out = _update(world, wedge)
    partners = world.sides.partners[DEFENDER]
    if not partners or world.collapsed_at is not None:
        return
    failing = world.cohesion[DEFENDER] < p.collapse_threshold
    world.low_cohesion_ticks = world.low_cohesion_ticks + 1 if failing else 0
    total = world.cache.get("coalition economy")
    if total is None:
        everyone = np.ones(len(s.ids), dtype=np.bool_)
        coalition = world.coalition(DEFENDER)
        total = world.cache["coalition economy"] = economy_of(coalition, s.economy, everyone)
    if world.low_cohesion_ticks >= clock.ticks(p.collapse_days) or out >= p.collapse_share * total:
        world.collapsed_at = world.tick
        world.log("collapse", "the defenders' coalition collapses", "collapses")


def _update(world: World, wedge: np.ndarray | None) -> float:
    """`coalition_update` on the world, trust moving first unless ``wedge`` is None: each
    side's cohesion set (a numpy number, as before compiling: the run record sums them, and
    Python's sum adds plain floats with compensation but numpy's naively); returns the
    economy of the defenders' partners out of line."""
    p = world.params.cohesion
    s = world.states
    partners = (world.coalition(CHALLENGER), world.coalition(DEFENDER))
    learn = wedge is not None
    values, out = coalition_update(
        partners,
        s.trust,
        s.cost,
        wedge if learn else s.cost,  # not read without learning
        world.clock.rate(p.trust_rate),
        p.unevenness,
        learn,
        s.commitment_inputs(),
        s.defected,
        s.economy,
    )
    for side in (CHALLENGER, DEFENDER):
        world.cohesion[side] = values[side] if len(partners[side]) else 1.0
    return out


@kernel
def coalition_update(
    partners: tuple,
    trust: np.ndarray,
    cost: np.ndarray,
    wedge: np.ndarray,
    rate: float,
    unevenness: float,
    learn: bool,
    levels: tuple,
    defected: np.ndarray,
    economy: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Both coalitions (``partners`` of each side): their trust updated in place if
    ``learn`` (`update_coalition_trust`), then their cohesion (`coalition_cohesion` of the
    states' standing, `world.standing_levels` of ``levels`` and ``defected``; 1 with no
    partners), and the economy of the defenders' partners out of line (`economy_of`)."""
    values = np.ones(2)
    for k in range(2):
        if learn and len(partners[k]):
            update_coalition_trust(partners[k], trust, cost, wedge, rate, unevenness)
    standing = standing_levels(*levels, defected)
    for k in range(2):
        if len(partners[k]):
            values[k] = coalition_cohesion(partners[k], standing, economy, trust)
    return values, economy_of(partners[1], economy, defected)


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
    partners: np.ndarray,
    side: np.ndarray,
    commitment: np.ndarray,
    defected: np.ndarray,
    resolve: np.ndarray,
    risk_preference: np.ndarray,
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
    """Every partner's options and their utilities, one of ``partners`` a row (NaN: not open
    to it); ``commitment``, ``defected``, ``resolve``, ``risk_preference`` and ``trust`` are
    per state, the other arrays per partner.

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
    n = len(partners)
    step = scalars[STEP]
    economy_of = np.zeros(2)  # each side's partners' economy, and its commitment
    committed_of = np.zeros(2)
    held = np.empty(n)
    for r in range(n):
        j = partners[r]
        held[r] = 0.0 if defected[j] else commitment[j]
        economy_of[side[r]] += economy[r]
        committed_of[side[r]] += economy[r] * held[r]
    for i in range(n):
        me = partners[i]
        now = commitment[me]
        if defected[me]:
            levels[i, HOLD] = 0.0
            levels[i, REJOIN] = step
        else:
            levels[i, HOLD] = now
            levels[i, TIGHTEN] = min(1.0, now + step)
            levels[i, EASE] = max(0.0, now - step)
            levels[i, LEAVE] = 0.0
        total = economy_of[side[i]] - economy[i]  # the other partners of its side
        mean = committed_of[side[i]] - economy[i] * held[i]
        others = mean / total if total > 0.0 else now
        units = cost_in_issue_units(
            1.0, scalars[WEEKS_COST], 1.0, loss_aversion[i], resolve[me], scalars[RESOLVE_EFFECT]
        )
        weekly = scalars[SELF_COST] * exposure[i] * instruments[i, 0]
        weekly += scalars[AID_COST] * instruments[i, 1]
        dread = (1.0 - risk_preference[me]) * (1.0 + security[i])
        fear = scalars[COERCION] * enemy_fear[side[i]] * dread
        for k in range(5):
            level = levels[i, k]
            if np.isnan(level):
                continue
            approval = 0.0
            for row in range(starts[i], stops[i]):
                approval += weight[row] * (1.0 - abs(preferred[row] - level))
            u = scalars[STAKE] * resolve[me] * level - units * weekly * level
            u += scalars[APPROVAL_WEIGHT] * approval - fear * level
            if k == LEAVE:
                u -= scalars[ALLY_REPUTATION]
            elif not defected[me] or k == REJOIN:
                u -= scalars[SOLIDARITY] * trust[me] * abs(level - others)
            for t in range(len(threat_target)):
                if threat_target[t] != i:
                    continue
                short = (level - threat_threshold[t]) / scalars[EASE_STEP]
                if k == LEAVE or short <= 1e-9:
                    u += scalars[CONCESSION_BIAS]
                else:  # the expected penalty shrinks with the distance still to go
                    u -= threat_credibility[t] * scalars[DAMAGE] * dread * min(1.0, short)
            values[i, k] = u


@dataclass(frozen=True)
class Partners:
    """What does not change during a run about the partners, as the kernels' arrays (one
    partner a row, both sides' partners; cached on the world)."""

    states: list[int]
    index: np.ndarray  # their states, as an array
    row_of: dict[int, int]  # state -> row
    sides: np.ndarray
    loss_aversion: np.ndarray
    exposure: np.ndarray  # to the enemy principal, after burden sharing
    security: np.ndarray  # security exposure to the enemy principal
    instruments: np.ndarray  # (n, 2): holds sanctions, aid
    economy: np.ndarray
    starts: np.ndarray  # their publics' rows
    stops: np.ndarray
    scales: np.ndarray  # logit temperature times stake
    noisy: list[bool]  # whether each chooses with noise (draws a random number)
    scalars: np.ndarray  # `commitment_values`' parameters (STEP ... EASE_STEP)


def _partners(world: World) -> Partners:
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
    temperature = world.leaders.temperature[partners] * p.decisions.temperature_scale
    found = Partners(
        states=partners,
        index=np.array(partners, dtype=np.int64),
        row_of={j: r for r, j in enumerate(partners)},
        sides=sides,
        loss_aversion=world.leaders.loss_aversion[partners],
        exposure=np.array(exposure),
        security=np.array([s.security[j, e] for j, e in zip(partners, enemies, strict=True)]),
        instruments=np.array(
            [
                [Instrument.SANCTIONS in s.instruments[j], Instrument.AID in s.instruments[j]]
                for j in partners
            ],
            dtype=float,
        ).reshape(-1, 2),
        economy=s.economy[partners],
        starts=np.array([s.rows[j].start for j in partners], dtype=np.int64),
        stops=np.array([s.rows[j].stop for j in partners], dtype=np.int64),
        scales=temperature * p.decisions.stake,
        noisy=[bool(t > 0) for t in temperature],
        scalars=np.array(
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
        ),
    )
    world.cache["partners"] = found
    return found


def partner_row(world: World, i: int) -> int:
    """The row of partner ``i`` in ``world.commitments`` (see `value_commitments`)."""
    return _partners(world).row_of[i]


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


def commitment_inputs(world: World) -> tuple:
    """What `commitment_values` reads of the world, in its order."""
    c = _partners(world)
    s = world.states
    leaders = world.leaders
    ease = world.params.threats.ease_step
    threats = [t for t in world.threats if t.demand == "ease" and t.target in c.row_of]
    fear = world.rungs.fear
    posture = world.sides.posture
    return (
        c.index,
        c.sides,
        s.commitments(),
        s.defected,
        leaders.resolve,
        leaders.risk_preference,
        c.loss_aversion,
        s.trust,
        c.exposure,
        c.security,
        c.instruments,
        c.economy,
        np.array([fear[posture[DEFENDER]], fear[posture[CHALLENGER]]]),
        c.starts,
        c.stops,
        world.publics.preferred,
        world.publics.weight,
        np.array([c.row_of[t.target] for t in threats], dtype=np.int64),
        np.array([t.level - ease for t in threats]),
        np.array([t.credibility for t in threats]),
        c.scalars,
    )


def commitment_draws(world: World, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """The random numbers of this tick's partners' choices (none for a best response), and
    their logit scales, for `choose_commitments`."""
    c = _partners(world)
    return np.array([rng.random() if noisy else 0.0 for noisy in c.noisy]), c.scales


def value_commitments(world: World, rng: random.Random) -> None:
    """Value and choose every partner's options this tick (`commitment_values`,
    `choose_commitments`), for their leaders: ``world.commitments`` becomes
    ``(tick, partners, levels, values, choices)``."""
    states = partner_states(world)
    levels = np.empty((len(states), 5))
    values = np.empty((len(states), 5))
    commitment_values(*commitment_inputs(world), levels, values)
    uniforms, scales = commitment_draws(world, rng)
    choices = choose_commitments(values, scales, uniforms)
    world.commitments = (world.tick, states, levels, values, choices)


def partner_states(world: World) -> list[int]:
    """Both sides' partners, one a row of ``world.commitments``: the challenger's first."""
    return _partners(world).states
