"""M1 threats and M2 learning from how threats were answered: the life of a threat.

A side's lead may threaten a state of the other side: a demand, a consequence and a deadline.

- The challenger can demand that a defender partner **ease** its sanctions and aid (a wedge),
  or that the defender principal **concede** the terms it last offered; its consequence is to
  climb a rung.
- The defender side can demand that the challenger **step down** (stop fighting, or come a
  rung down, e.g. from nuclear threats) or **withdraw**; its consequence is to tighten sanctions or to climb a rung (strikes,
  blockade, war), whichever it can carry out and values more.

A threat's credibility is zero if its consequence cannot be carried out (no rung left, no
force, sanctions at their maximum); otherwise it rises with the threatener's unity and record
and falls with what carrying it out would cost it. The lead issues a threat when its expected
value (success times gain, less failure times the cheaper of carrying it out and bluffing)
beats not threatening. Targets weigh open threats in their own decisions (partners' levels,
the challenger's posture, the defender's acceptance), so compliance is a choice, and token
compliance (too small a step, or the wrong rung) is not compliance. At the deadline the
threatener carries the threat out or is caught bluffing, and both sides learn from it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import Instrument, RungId
from negsim.compiled import jitable, kernel
from negsim.mechanisms import beliefs, escalation, outlook
from negsim.mechanisms.beliefs import expected_choice
from negsim.mechanisms.decisions import (
    clip01,
    cost_in_issue_units,
    logistic,
    logit_choice,
)
from negsim.mechanisms.escalation import (
    DIPLOMATIC,
    FULL_WAR,
    LIMITED_FORCE,
    SHOW_OF_FORCE,
    climb_down_cost,
)
from negsim.mechanisms.outlook import sanctions_felt
from negsim.mechanisms.sanctions import easing_relief, leverage
from negsim.world import (
    CHALLENGER,
    CLIMB,
    CONCEDE,
    CONSEQUENCES,
    DEFENDER,
    DEMANDS,
    EASE,
    SANCTIONS,
    STEP_DOWN,
    T_DEMAND,
    T_LEVEL,
    T_SIDE,
    T_TARGET,
    WITHDRAW,
    Threat,
    other,
)

if TYPE_CHECKING:
    from negsim.world import World


@jitable
def beta_mean(successes: float, failures: float, prior: float) -> float:
    """Mean of a Beta(prior/2 + successes, prior/2 + failures): a smoothed share."""
    return (successes + prior / 2.0) / (successes + failures + prior)


@jitable
def credibility(
    capable: bool,
    unity: float,
    record: float,
    carry_cost: float,
    base: float,
    unity_weight: float,
    record_weight: float,
    cost_weight: float,
) -> float:
    """Chance the threatened party assigns to a threat being carried out.

    None if it cannot be carried out; else it rises with the threatener's unity (cohesion or
    approval) and its record of carried-out threats, and falls with what carrying it out would
    cost the threatener (issue units).
    """
    if not capable:
        return 0.0
    return clip01(base + unity_weight * unity + record_weight * record - cost_weight * carry_cost)


@kernel
def step_down_values(
    rows: np.ndarray, level: int, posture: int, tolerance: np.ndarray, step_face: float
) -> np.ndarray:
    """Each type's best value of complying with a demand to step down to ``level`` from
    ``posture``: the best calm posture's prospect ``(a, b)`` in ``rows`` for the type's
    cost ``tolerance``, paying a rung's ``step_face`` for every rung down."""
    out = np.full(len(tolerance), -np.inf)
    for calm in range(level + 1):
        for t in range(len(tolerance)):
            value = rows[calm, 0] - rows[calm, 1] * tolerance[t] - step_face * (posture - calm)
            out[t] = max(out[t], value)
    return out


@jitable
def threat_value(success: float, gain: float, failure_cost: float) -> float:
    """Expected value of issuing a threat: the gain if obeyed, the cost of a showdown if not.

    ``success`` includes the threatener's memory of how this opponent answered its threats,
    so conceding to a threat raises the next threat's value (M2) and standing firm lowers it.
    """
    return success * gain - (1.0 - success) * failure_cost


@jitable
def option_value(
    memory: float,
    memory_weight: float,
    comply: float,
    gain: float,
    carry_cost: float,
    reputation_value: float,
) -> float:
    """Expected value of issuing a threat: success is the lead's memory of the target's answers
    (weighted ``memory_weight``) and its model of the target's choice (``comply``), together;
    a showdown costs the cheaper of carrying it out and the reputation lost bluffing."""
    success = memory_weight * memory + (1.0 - memory_weight) * comply
    return threat_value(success, gain, min(carry_cost, reputation_value))


# the columns of a table of options, one option a row (demands and consequences as indices)
TARGET, DEMAND, CONSEQUENCE, CREDIBILITY, GAIN, COMPLY, CARRY_COST, TERMS, LEVEL = range(9)


@dataclass(slots=True)
class Option:
    """A threat a lead could issue now, as the lead values it."""

    target: int
    demand: str
    consequence: str
    credibility: float
    gain: float
    comply: float  # the lead's estimate of the chance the target complies
    carry_cost: float
    terms: float = 0.0
    level: float = 0.0

    @classmethod
    def of(cls, row: list[float]) -> Option:
        """The option in a row of an options table."""
        return cls(
            int(row[TARGET]),
            DEMANDS[int(row[DEMAND])],
            CONSEQUENCES[int(row[CONSEQUENCE])],
            *row[CREDIBILITY:],
        )

    def value(self, memory: float, memory_weight: float, reputation_value: float) -> float:
        """Expected value of issuing it (`option_value`)."""
        return option_value(
            memory, memory_weight, self.comply, self.gain, self.carry_cost, reputation_value
        )


@kernel
def best_option(
    table: np.ndarray,
    memory: np.ndarray,
    prior: float,
    memory_weight: float,
    reputation_value: float,
) -> tuple[int, float]:
    """The row of the options table worth most (`option_value`; the first of equals) and its
    value, from the lead's ``memory`` of how each target answered its threats (conceded,
    stood; smoothed by ``prior``, `beta_mean`)."""
    best_row, best = 0, -np.inf
    for r in range(len(table)):
        target = int(table[r, TARGET])
        value = option_value(
            beta_mean(memory[target, 0], memory[target, 1], prior),
            memory_weight,
            table[r, COMPLY],
            table[r, GAIN],
            table[r, CARRY_COST],
            reputation_value,
        )
        if np.isnan(value):
            return r, value
        if r == 0 or value > best:
            best_row, best = r, value
    return best_row, best


# --- consequences --------------------------------------------------------------------------


@jitable
def climbable(
    posture: int,
    highest: int,
    partners: np.ndarray,
    has_force: np.ndarray,
    force_projection: np.ndarray,
    defected: np.ndarray,
) -> bool:
    """Whether a side at ``posture`` can climb a rung: its principal below its ``highest``
    posture, or partners in line with force to bring in, below full-scale war."""
    if posture < highest:
        return True
    for j in partners:
        if has_force[j] and force_projection[j] > 0 and not defected[j]:
            return posture < FULL_WAR
    return False


def can_climb(world: World, side: int) -> bool:
    """Whether a side can climb a rung: its principal below its highest posture, or (for the
    defenders) partners with force to bring in (`climbable`)."""
    s = world.states
    return climbable(
        world.sides.posture[side],
        s.highest[world.sides.principal[side]],
        world.coalition(side),
        s.holding(Instrument.FORCE),
        s.force_projection,
        s.defected,
    )


def can_sanction(world: World, side: int) -> bool:
    """Whether a side can tighten sanctions: a sanctioner below its maximum."""
    s = world.states
    return tightening(
        world.side_states(side), s.holding(Instrument.SANCTIONS), s.defected, s.sanctions
    )


@kernel
def tightening(
    members: np.ndarray, holding: np.ndarray, defected: np.ndarray, sanctions: np.ndarray
) -> bool:
    """Whether any of ``members`` holding sanctions and in line is below the maximum."""
    for j in members:  # noqa: SIM110 (a loop compiles; a generator may not)
        if holding[j] and not defected[j] and sanctions[j] < 1.0:
            return True
    return False


@jitable
def climb_cost(rows: np.ndarray, posture: int, tolerance: float, backlash: np.ndarray) -> float:
    """What climbing a rung from ``posture`` would cost a side's lead, in issue units: the
    value its principal (of cost ``tolerance``) loses between the posture's prospect and the
    next one's (``rows`` ``(a, b, share)``; nothing if it gains), and the next rung's
    ``backlash``."""
    now = rows[posture, 0] - rows[posture, 1] * tolerance
    up = rows[posture + 1, 0] - rows[posture + 1, 1] * tolerance
    return max(0.0, now - up) + backlash[posture + 1]


def carry_cost(world: World, side: int, consequence: str) -> float:
    """What carrying out a consequence would cost the side's lead, in issue units."""
    p = world.params
    lead = world.sides.lead[side]
    leaders = world.leaders
    if consequence == "sanctions":
        enemy = world.sides.principal[other(side)]
        exposure = world.states.exposure[lead, enemy]
        return cost_in_issue_units(
            p.sanctions.self_cost * p.threats.sanction_step * exposure,
            outlook.plan_weeks(world),
            p.decisions.cost_weight,
            leaders.loss_aversion[lead],
            leaders.resolve[lead],
            p.decisions.resolve_effect,
        )
    resolve = leaders.resolve[world.sides.principal[side]]
    return climb_cost(
        outlook.rows(world, side),
        world.sides.posture[side],
        1.0 - p.decisions.resolve_effect * resolve,
        world.rungs.ladder_backlash,
    )


# --- the options of each side's lead -------------------------------------------------------

# the parameters the options are valued with, as an array for kernels (`_parameters`)
(
    P_BASE_CREDIBILITY,
    P_UNITY_WEIGHT,
    P_RECORD_WEIGHT,
    P_CREDIBILITY_COST,
    P_PRIOR,
    P_MAX_OPEN,
    P_EASE_STEP,
    P_DAMAGE,
    P_SANCTION_STEP,
    P_STAKE,
    P_PLAN_WEEKS,
    P_COST_WEIGHT,
    P_RESOLVE_EFFECT,
    P_TEMPERATURE_SCALE,
    P_TREMBLE,
    P_SELF_COST,
    P_EFFICACY,
    P_RESERVES_BUFFER,
    P_ROLLBACK,
    P_CLIMB_DOWN_FACE,
    P_OFFRAMP,
    P_MEMORY_WEIGHT,
    P_REPUTATION_VALUE,
) = range(23)


def _parameters(world: World) -> np.ndarray:
    found = world.cache.get("threat parameters")
    if found is None:
        p = world.params
        t, d = p.threats, p.decisions
        found = world.cache["threat parameters"] = np.array(
            [
                t.base_credibility,
                t.unity_weight,
                t.record_weight,
                t.cost_weight,
                t.prior,
                t.max_open,
                t.ease_step,
                t.damage,
                t.sanction_step,
                d.stake,
                outlook.plan_weeks(world),
                d.cost_weight,
                d.resolve_effect,
                d.temperature_scale,
                p.beliefs.tremble,
                p.sanctions.self_cost,
                p.sanctions.efficacy,
                p.sanctions.reserves_buffer,
                p.battlefield.rollback,
                p.escalation.climb_down_face,
                p.escalation.offramp,
                t.memory_weight,
                t.reputation_value,
            ]
        )
    return found


def options(world: World, side: int) -> list[Option]:
    """The threats the side's lead could issue now (none beyond ``threats.max_open``)."""
    return [Option.of(row) for row in option_table(world, side).tolist()]


def option_table(world: World, side: int) -> np.ndarray:
    """`options` as a table, one option a row (columns ``TARGET`` ... ``LEVEL``)."""
    tables, counts, _, _ = option_tables(*option_inputs(world))
    return tables[side, : counts[side]]


def option_inputs(world: World) -> tuple:
    """What `option_tables` reads of the world, in its order."""
    s = world.states
    sides = world.sides
    a = world.assessment
    terms = sides.last_terms[CHALLENGER]
    offered = terms is not None and world.talks_open()
    return (
        world.deal is None,
        world.threat_rows(),
        sides.posture[CHALLENGER],
        sides.posture[DEFENDER],
        world.control,
        terms if offered else np.nan,
        sides.face_on_table,
        world.cohesion[CHALLENGER],
        world.cohesion[DEFENDER],
        world.reach[CHALLENGER],
        world.pressure[CHALLENGER],
        *world.roles(),
        world.coalition(CHALLENGER),
        world.coalition(DEFENDER),
        world.side_states(DEFENDER),
        s.highest,
        s.holding(Instrument.FORCE),
        s.holding(Instrument.SANCTIONS),
        s.force_projection,
        s.defected,
        s.sanctions,
        s.commitments(),
        s.economy,
        s.reserves,
        s.exposure,
        s.security,
        world.leaders.resolve,
        world.leaders.risk_preference,
        world.leaders.loss_aversion,
        world.leaders.face_sensitivity,
        world.leaders.humiliation,
        world.leaders.approval,
        world.leaders.record,
        world.leaders.memory,
        world.leaders.temperature,
        sides.partner_resolve,
        a.table,
        a.own,
        a.quit,
        a.seen,
        sides.type_values[DEFENDER],
        sides.type_probs[CHALLENGER],
        sides.type_probs[DEFENDER],
        _parameters(world),
        world.rungs.ladder_backlash,
    )


@kernel
def ease_options(
    partners: np.ndarray,
    commitment: np.ndarray,
    defected: np.ndarray,
    sanctions: np.ndarray,
    has_sanctions: np.ndarray,
    economy: np.ndarray,
    risk_preference: np.ndarray,
    security: np.ndarray,
    partner_resolve: np.ndarray,
    principal: int,
    reach: float,
    pressure: float,
    credibility: float,
    carry_cost: float,
    scale: float,
    scalars: np.ndarray,
    out: np.ndarray,
) -> int:
    """The challenger's demands that defender partners ease, as rows of an options table
    (``out``); returns how many rows were filled.

    A partner still in line and committed at least ``ease_step`` may be asked to ease by a
    step. The challenger gains the relief (`sanctions.easing_relief`, buffered by its
    reserves, as a cost in issue units); the partner complies as its fear of the climb (the
    threat's damage, as risk-averse, more with a security exposure) outweighs what it keeps
    (its seen resolve, at the partners' stake), by logit at ``scale``. ``scalars``:
    ease_step, damage, stake, reserves factor, plan weeks, cost weight, loss aversion,
    resolve and resolve effect of the challenger's principal.
    """
    ease_step, damage, stake, reserves_factor = scalars[0], scalars[1], scalars[2], scalars[3]
    n = 0
    for j in partners:
        level = commitment[j]
        if defected[j] or level < ease_step:
            continue
        spared = 0.0
        if reach > 0.0 and has_sanctions[j]:
            eased = max(0.0, sanctions[j] - ease_step)
            lev = leverage(economy[j], economy[principal])
            spared = easing_relief(reach, pressure, sanctions[j], eased, lev)
        spared /= reserves_factor
        relief = cost_in_issue_units(
            max(0.0, spared), scalars[4], scalars[5], scalars[6], scalars[7], scalars[8]
        )
        fear = credibility * damage * (1.0 - risk_preference[j])
        fear *= 1.0 + security[j, principal]
        keep = stake * partner_resolve[j] * ease_step
        out[n, :] = 0.0
        out[n, TARGET] = j
        out[n, DEMAND] = EASE
        out[n, CREDIBILITY] = credibility
        out[n, GAIN] = relief
        out[n, COMPLY] = logistic((fear - keep) / scale)
        out[n, CARRY_COST] = carry_cost
        out[n, LEVEL] = level
        n += 1
    return n


@kernel
def demand_options(
    demands: np.ndarray,
    levels: np.ndarray,
    consequences: np.ndarray,
    credibilities: np.ndarray,
    carry_costs: np.ndarray,
    penalties: np.ndarray,
    target: int,
    gains: np.ndarray,
    seen: np.ndarray,
    posture: int,
    tolerance: np.ndarray,
    step_face: float,
    quit_value: float,
    fight: np.ndarray,
    probs: np.ndarray,
    scale: float,
    out: np.ndarray,
) -> None:
    """The defender lead's demands on the challenger, one row of an options table (``out``)
    for each demand (``demands``, ``levels``, ``gains``) and consequence (``consequences``,
    their ``credibilities``, ``carry_costs`` and ``penalties`` to the challenger).

    The challenger complies, as the lead models it over its belief ``probs``, when complying
    (withdrawing: ``quit_value``; stepping down: `step_down_values` of ``seen``, its prospects
    as the lead sees them, for each type's cost ``tolerance``) beats defying (its best
    ``fight`` value for each type, less the penalty), by logit at ``scale``.
    """
    row = 0
    for d in range(len(demands)):
        if demands[d] == WITHDRAW:
            comply_value = np.full(len(tolerance), quit_value)
        else:
            comply_value = step_down_values(seen, levels[d], posture, tolerance, step_face)
        for c in range(len(consequences)):
            gaps = comply_value - (fight - penalties[c])
            out[row, TARGET] = target
            out[row, DEMAND] = demands[d]
            out[row, CONSEQUENCE] = consequences[c]
            out[row, CREDIBILITY] = credibilities[c]
            out[row, GAIN] = gains[d]
            out[row, COMPLY] = expected_choice(gaps, scale, probs)
            out[row, CARRY_COST] = carry_costs[c]
            out[row, TERMS] = 0.0
            out[row, LEVEL] = levels[d]
            row += 1


@kernel
def option_tables(
    at_war: bool,
    open_threats: np.ndarray,
    posture: int,
    defender_posture: int,
    control: float,
    terms: float,
    face_on_table: float,
    cohesion: float,
    defender_cohesion: float,
    reach: float,
    pressure: float,
    principals: np.ndarray,
    leads: np.ndarray,
    partners: np.ndarray,
    defender_partners: np.ndarray,
    defenders: np.ndarray,
    highest: np.ndarray,
    has_force: np.ndarray,
    has_sanctions: np.ndarray,
    force_projection: np.ndarray,
    defected: np.ndarray,
    sanctions: np.ndarray,
    commitment: np.ndarray,
    economy: np.ndarray,
    reserves: np.ndarray,
    exposure: np.ndarray,
    security: np.ndarray,
    resolve: np.ndarray,
    risk_preference: np.ndarray,
    loss_aversion: np.ndarray,
    face_sensitivity: np.ndarray,
    humiliation: np.ndarray,
    approval: np.ndarray,
    record: np.ndarray,
    memory: np.ndarray,
    temperature: np.ndarray,
    partner_resolve: np.ndarray,
    table: np.ndarray,
    own: np.ndarray,
    quit: np.ndarray,
    seen: np.ndarray,
    defender_types: np.ndarray,
    probs: np.ndarray,
    defender_probs: np.ndarray,
    params: np.ndarray,
    backlash: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The threats each side's lead could issue now: an options table per side (``tables[side,
    :counts[side]]``, one option a row), none while a deal holds, none for a side with
    ``threats.max_open`` threats open (``open_threats``: `World.threat_rows`), and none that
    is open already; and each side's best option (`best_option`,
    from its lead's ``memory``) and its value (0 for none).

    The challenger, if it can climb, may demand that a defender partner ease
    (`ease_options`) or, once talks are open, that the defender accept the ``terms`` the
    challenger last offered (NaN: none): the defender principal complies, as the challenger
    models it over its belief ``probs``, when the terms beat its reservations as the
    challenger sees them, less the climb's damage. The defender side may demand that the
    challenger step down (to a show of force; also a rung down, from above full-scale war)
    or, if it fights no more but holds ground beyond the rollback line, withdraw, with each
    consequence it can carry out (`demand_options`). Credibility (`credibility`) from the
    side's unity (cohesion, or its lead's approval without partners), its lead's ``record``
    and the cost of carrying the threat out (`climb_cost`, or tighter sanctions at its
    lead's exposure); ``table``, ``own``, ``quit`` and ``seen`` are the assessment's.
    """
    size = max(len(defender_partners) + 1, 4)
    tables = np.zeros((2, size, LEVEL + 1))
    counts = np.zeros(2, dtype=np.int64)
    best = np.zeros(2, dtype=np.int64)
    worth = np.zeros(2)
    if not at_war:
        return tables, counts, best, worth
    effect = params[P_RESOLVE_EFFECT]
    weeks = params[P_PLAN_WEEKS]
    cost_weight = params[P_COST_WEIGHT]
    damage = params[P_DAMAGE]
    challenger, defender = principals[0], principals[1]
    unity = (cohesion, defender_cohesion)
    postures = (posture, defender_posture)
    threatening = np.zeros(2, dtype=np.int64)
    for r in range(len(open_threats)):
        threatening[int(open_threats[r, T_SIDE])] += 1
    for k in range(2):
        if threatening[k] >= params[P_MAX_OPEN]:
            continue
        lead = leads[k]
        credible = (
            params[P_BASE_CREDIBILITY],
            params[P_UNITY_WEIGHT],
            params[P_RECORD_WEIGHT],
            params[P_CREDIBILITY_COST],
        )
        shown = beta_mean(record[lead, 0], record[lead, 1], params[P_PRIOR])
        standing = unity[k] if len(partners if k == 0 else defender_partners) else approval[lead]
        scale = max(temperature[lead] * params[P_TEMPERATURE_SCALE], params[P_TREMBLE])
        climb_now = climbable(
            postures[k],
            highest[principals[k]],
            partners if k == 0 else defender_partners,
            has_force,
            force_projection,
            defected,
        )
        climb = 0.0
        if climb_now:
            climb = climb_cost(
                table[k, k, :, postures[1 - k]],
                postures[k],
                1.0 - effect * resolve[principals[k]],
                backlash,
            )
        climb_credibility = credibility(True, standing, shown, climb, *credible)
        out = tables[k]
        if k == 0:
            if not climb_now:
                continue
            scalars = np.array(
                [
                    params[P_EASE_STEP],
                    damage,
                    params[P_STAKE],
                    1.0 + params[P_RESERVES_BUFFER] * reserves[challenger],
                    weeks,
                    cost_weight,
                    loss_aversion[challenger],
                    resolve[challenger],
                    effect,
                ]
            )
            n = ease_options(
                defender_partners,
                commitment,
                defected,
                sanctions,
                has_sanctions,
                economy,
                risk_preference,
                security,
                partner_resolve,
                challenger,
                reach,
                pressure,
                climb_credibility,
                climb,
                scale,
                scalars,
                out,
            )
            if not np.isnan(terms):
                mine = max(own[0], quit[0])
                their = np.maximum(seen[1], quit[1])
                gaps = (1.0 - terms) - (their - climb_credibility * damage)
                out[n, TARGET] = defender
                out[n, DEMAND] = CONCEDE
                out[n, CONSEQUENCE] = CLIMB
                out[n, CREDIBILITY] = climb_credibility
                out[n, GAIN] = max(0.0, terms - mine)
                out[n, COMPLY] = expected_choice(gaps, scale, probs)
                out[n, CARRY_COST] = climb
                out[n, TERMS] = terms
                n += 1
        else:
            demands = np.empty(2, dtype=np.int64)
            levels = np.empty(2, dtype=np.int64)
            gains = np.empty(2)
            mine = max(own[1], quit[1])
            tolerance = 1.0 - effect * resolve[defender]
            nd = 0
            if posture >= LIMITED_FORCE:
                demands[0], levels[0] = STEP_DOWN, SHOW_OF_FORCE  # stop fighting
                nd = 1
                if posture - 1 > SHOW_OF_FORCE:  # a rung down: e.g. no nuclear threats
                    demands[1], levels[1] = STEP_DOWN, posture - 1
                    nd = 2
            elif control > params[P_ROLLBACK]:
                demands[0], levels[0] = WITHDRAW, DIPLOMATIC
                nd = 1
            for d in range(nd):
                if demands[d] == WITHDRAW:
                    gains[d] = max(0.0, 1.0 - mine)
                    continue
                rows = table[1, 1, :, levels[d]]  # its prospects were the enemy at the level
                top, first = 0.0, True
                for r in (defender_posture, defender_posture + 1, defender_posture - 1):
                    if 0 <= r <= highest[defender]:
                        value = rows[r, 0] - rows[r, 1] * tolerance
                        if first or value > top:
                            top, first = value, False
                gains[d] = max(0.0, top - mine)
            consequences = np.empty(2, dtype=np.int64)
            costs = np.empty(2)
            credibilities = np.empty(2)
            penalties = np.empty(2)
            nc = 0
            if tightening(defenders, has_sanctions, defected, sanctions):
                consequences[nc] = SANCTIONS
                costs[nc] = cost_in_issue_units(
                    params[P_SELF_COST] * params[P_SANCTION_STEP] * exposure[lead, challenger],
                    weeks,
                    cost_weight,
                    loss_aversion[lead],
                    resolve[lead],
                    effect,
                )
                credibilities[nc] = credibility(True, standing, shown, costs[nc], *credible)
                felt = sanctions_felt(
                    params[P_SANCTION_STEP],
                    params[P_EFFICACY],
                    params[P_RESERVES_BUFFER],
                    reserves[challenger],
                    weeks,
                    cost_weight,
                    loss_aversion[challenger],
                    resolve[challenger],
                    effect,
                )
                penalties[nc] = credibilities[nc] * felt
                nc += 1
            if climb_now:
                consequences[nc] = CLIMB
                costs[nc] = climb
                credibilities[nc] = climb_credibility
                penalties[nc] = climb_credibility * damage
                nc += 1
            if not nd or not nc:
                continue
            demand_options(
                demands[:nd],
                levels[:nd],
                consequences[:nc],
                credibilities[:nc],
                costs[:nc],
                penalties[:nc],
                challenger,
                gains[:nd],
                table[0, 1, :, defender_posture],
                posture,
                1.0 - effect * defender_types,
                climb_down_cost(
                    params[P_CLIMB_DOWN_FACE],
                    face_sensitivity[challenger],
                    humiliation[challenger],
                    face_on_table,
                    params[P_OFFRAMP],
                ),
                quit[0],
                seen[0],
                defender_probs,
                scale,
                out,
            )
            n = nd * nc
        kept = 0
        for r in range(n):
            taken = False
            for t in range(len(open_threats)):
                taken = taken or (
                    open_threats[t, T_SIDE] == k
                    and open_threats[t, T_TARGET] == out[r, TARGET]
                    and open_threats[t, T_DEMAND] == out[r, DEMAND]
                    and open_threats[t, T_LEVEL] == out[r, LEVEL]
                )
            if not taken:
                out[kept] = out[r]
                kept += 1
        counts[k] = kept
        if kept:
            best[k], worth[k] = best_option(
                out[:kept],
                memory[lead],
                params[P_PRIOR],
                params[P_MEMORY_WEIGHT],
                params[P_REPUTATION_VALUE],
            )
    return tables, counts, best, worth


def choose(world: World, side: int, rng: random.Random) -> Option | None:
    """The lead's choice: its best threat if it beats not threatening (logit), else none."""
    tables, counts, best, worth = option_tables(*option_inputs(world))
    if not counts[side]:
        return None
    lead = world.sides.lead[side]
    temperature = world.leaders.temperature[lead] * world.params.decisions.temperature_scale
    pick = logit_choice([0.0, worth[side]], temperature, _stake(world, lead), rng)
    return Option.of(tables[side, best[side]].tolist()) if pick == 1 else None


def _stake(world: World, i: int) -> float:
    return 1.0 if i in world.sides.principal else world.params.decisions.stake


# --- issuing and resolving -----------------------------------------------------------------


def issue(world: World, side: int, option: Option) -> Threat:
    """Put a threat on the record: it rallies the target side's publics."""
    p = world.params
    deadline = world.tick + world.clock.ticks(p.threats.deadline_days)
    threat = Threat(
        side=side,
        threatener=world.sides.lead[side],
        target=option.target,
        demand=option.demand,
        consequence=option.consequence,
        issued=world.tick,
        deadline=deadline,
        credibility=option.credibility,
        level=option.level,
        terms=option.terms,
    )
    world.threats.append(threat)
    for j in world.sides.members[other(side)]:
        world.states.rally[j] += p.domestic.rally
    what = {
        "ease": "ease sanctions and aid",
        "concede": f"accept x = {option.terms:.2f}",
        "step_down": f"step down to {RungId(int(option.level)).label}",
        "withdraw": "withdraw",
    }[option.demand]
    means = "escalation" if option.consequence == "climb" else "tighter sanctions"
    days = p.threats.deadline_days
    world.log(
        "threat",
        f"{world.name(threat.threatener)} to {world.name(threat.target)}: {what} "
        f"within {days} days or face {means}",
        f"threats_by_{'challenger' if side == CHALLENGER else 'defender'}",
    )
    return threat


def complied(world: World, threat: Threat) -> bool:
    """Whether the target did what was demanded (token steps do not count)."""
    s = world.states
    if threat.demand == "ease":
        step = world.params.threats.ease_step
        return (
            s.defected[threat.target] or s.commitment(threat.target) <= threat.level - step + 1e-9
        )
    if threat.demand == "step_down":
        return world.sides.posture[CHALLENGER] <= threat.level
    if threat.demand == "withdraw":
        return world.withdrawn
    deal = world.deal
    return world.capitulated or (deal is not None and deal.x >= threat.terms - 1e-9)


def resolve_deadlines(world: World, rng: random.Random) -> list[tuple[int, str]]:
    """Threats whose deadline has come, and threats under watch.

    A target that complies by the deadline is watched for as long again: holding the line to
    the end is a concession; going back on it meanwhile is defiance. Defied, the threatener
    carries the threat out or is caught bluffing. Returns the consequences to carry out, each once, as
    ``(side, consequence)``.
    """
    p = world.params
    period = world.clock.ticks(p.threats.deadline_days)
    carried, still_open = [], []
    for threat in world.threats:
        obeying = complied(world, threat)
        if threat.watched and not obeying:
            defied = True
        elif threat.deadline > world.tick:
            still_open.append(threat)
            continue
        elif obeying and not threat.watched:
            threat.watched = True
            threat.deadline = world.tick + period
            still_open.append(threat)
            continue
        else:
            defied = not obeying
        side = threat.side
        threatener, target = threat.threatener, threat.target
        memory = world.leaders.memory[threatener, target]
        if not defied:
            memory[0] += 1.0
            _concession(world, threat)
            continue
        memory[1] += 1.0
        if _carried(world, threat, rng):
            carried.append((side, threat.consequence))
    world.threats = still_open
    # threats of one side with the same consequence are carried out together: one rung climbed
    # (each was judged within reach before any was carried out), one sanctions step
    return list(dict.fromkeys(carried))


def close_open(world: World, when: str) -> None:
    """The open threats lapse (a deal is signed, or the crisis ends): each whose demand is met
    at that moment (the challenger withdrew or stands down, the target capitulated, the deal
    gives the terms demanded, a partner eased) is a concession, counted as one; the rest were
    not complied with. Without this a threat answered by the deal or the ending itself, before
    its deadline came, would count as failed. Nothing is carried out any more, so nothing but
    the counts changes; ``when`` ends the log line ("as the crisis ends")."""
    for threat in world.threats:
        if complied(world, threat):
            _concession(world, threat, f" {when}")
    world.threats.clear()


def _concession(world: World, threat: Threat, when: str = "") -> None:
    """Log and count a threat complied with (``when`` ends the log line)."""
    world.log(
        "concession",
        f"{world.name(threat.target)} gives in to {world.name(threat.threatener)}'s threat{when}",
        f"threats_complied_{'challenger' if threat.side == CHALLENGER else 'defender'}",
    )


def _carried(world: World, threat: Threat, rng: random.Random) -> bool:
    """The threatener of a defied threat carries it out, or is caught bluffing."""
    p = world.params
    side, threatener = threat.side, threat.threatener
    capable = can_climb(world, side) if threat.consequence == "climb" else can_sanction(world, side)
    cost = carry_cost(world, side, threat.consequence) if capable else float("inf")
    temperature = world.leaders.temperature[threatener] * p.decisions.temperature_scale
    carry = capable and (
        logit_choice(
            [0.0, p.threats.reputation_value - cost], temperature, _stake(world, threatener), rng
        )
        == 1
    )
    _learn_from_deadline(world, side, carry, cost)
    if not carry:
        world.leaders.record[threatener, 1] += 1.0
        world.log(
            "bluff",
            f"{world.name(threatener)}'s threat to {world.name(threat.target)} was a bluff",
            "bluffs_called",
        )
        return False
    world.leaders.record[threatener, 0] += 1.0
    world.counts["threats_carried_out"] += 1
    return True


def _learn_from_deadline(world: World, side: int, carried: bool, cost: float) -> None:
    """The threatened side updates its belief about the threatening principal's resolve."""
    if world.sides.lead[side] != world.sides.principal[side] or not np.isfinite(cost):
        return
    p = world.params
    observer = other(side)
    resolves = world.sides.type_values[observer]
    principal = world.sides.principal[side]
    # the cost scales with the threatener's tolerance of costs: (1 - e r) / (1 - e r_true)
    e = p.decisions.resolve_effect
    true_tolerance = max(1e-9, 1.0 - e * world.leaders.resolve[principal])
    costs = cost * (1.0 - e * resolves) / true_tolerance
    gaps = p.threats.reputation_value - costs
    world.sides.type_probs[observer] = beliefs.learn_from_choice(
        world.sides.type_probs[observer], gaps if carried else -gaps, p.beliefs.tremble
    )


def carry_out(world: World, side: int, consequence: str) -> None:
    """Apply a carried-out threat's consequence."""
    p = world.params
    if consequence == "climb":
        escalation.climb(world, side, "carries out its threat and escalates")
        return
    s = world.states
    for j in world.sides.members[side]:
        if Instrument.SANCTIONS in s.instruments[j] and not s.defected[j]:
            s.sanctions[j] = min(1.0, s.sanctions[j] + p.threats.sanction_step)
    world.log(
        "threat carried out",
        f"{world.name(world.sides.lead[side])}'s side tightens sanctions as threatened",
    )
