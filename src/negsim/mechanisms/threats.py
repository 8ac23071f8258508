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
from negsim.mechanisms.sanctions import easing_relief, leverage
from negsim.world import CHALLENGER, DEFENDER, Threat, other

if TYPE_CHECKING:
    from negsim.world import World


@jitable
def beta_mean(successes: float, failures: float, prior: float) -> float:
    """Mean of a Beta(prior/2 + successes, prior/2 + failures): a smoothed share."""
    return (successes + prior / 2.0) / (successes + failures + prior)


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


DEMANDS = ("ease", "step_down", "withdraw", "concede")
EASE, STEP_DOWN, WITHDRAW, CONCEDE = range(4)  # as indices into DEMANDS, for kernels
CONSEQUENCES = ("climb", "sanctions")
CLIMB, SANCTIONS = range(2)
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


def can_climb(world: World, side: int) -> bool:
    """Whether a side can climb a rung: its principal below its highest posture, or (for the
    defenders) partners with force to bring in."""
    posture = world.sides.posture[side]
    principal = world.sides.principal[side]
    if posture < world.states.highest[principal]:
        return True
    s = world.states
    forces = any(
        Instrument.FORCE in s.instruments[j] and s.force_projection[j] > 0 and not s.defected[j]
        for j in world.sides.partners[side]
    )
    return forces and posture < RungId.FULL_WAR


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
    posture = world.sides.posture[side]
    effect = p.decisions.resolve_effect
    resolve = leaders.resolve[world.sides.principal[side]]
    (a, b, _), (a_up, b_up, _) = outlook.rows(world, side)[posture : posture + 2].tolist()
    tolerance = 1.0 - effect * resolve
    backlash = world.rungs.backlash[posture + 1]
    return max(0.0, float((a - b * tolerance) - (a_up - b_up * tolerance))) + backlash


def unity(world: World, side: int) -> float:
    """A threatener's unity: its coalition's cohesion, or its leader's approval if alone."""
    if world.sides.partners[side]:
        return world.cohesion[side]
    return float(world.leaders.approval[world.sides.lead[side]])


def threat_credibility(world: World, side: int, consequence: str, cost: float) -> float:
    """Credibility of a threat by ``side`` with this consequence."""
    t = world.params.threats
    lead = world.sides.lead[side]
    capable = can_climb(world, side) if consequence == "climb" else can_sanction(world, side)
    record = beta_mean(*world.leaders.record[lead], t.prior)
    return credibility(
        capable,
        unity(world, side),
        record,
        cost,
        t.base_credibility,
        t.unity_weight,
        t.record_weight,
        t.cost_weight,
    )


# --- the options of each side's lead -------------------------------------------------------


def options(world: World, side: int) -> list[Option]:
    """The threats the side's lead could issue now (none beyond ``threats.max_open``)."""
    return [Option.of(row) for row in option_table(world, side).tolist()]


def option_table(world: World, side: int) -> np.ndarray:
    """`options` as a table, one option a row (columns ``TARGET`` ... ``LEVEL``)."""
    t = world.params.threats
    open_now = [th for th in world.threats if th.side == side]
    if len(open_now) >= t.max_open or world.deal is not None:
        return np.empty((0, LEVEL + 1))
    found = _challenger_options(world) if side == CHALLENGER else _defender_options(world)
    if open_now:
        taken = {(th.target, DEMANDS.index(th.demand), th.level) for th in open_now}
        kept = [(r[TARGET], r[DEMAND], r[LEVEL]) not in taken for r in found.tolist()]
        found = found[np.array(kept, dtype=bool)]
    return found


def _scale(world: World, i: int) -> float:
    return max(
        world.leaders.temperature[i] * world.params.decisions.temperature_scale,
        world.params.beliefs.tremble,
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


def _challenger_options(world: World) -> np.ndarray:
    p = world.params
    t = p.threats
    s = world.states
    if not can_climb(world, CHALLENGER):
        return np.empty((0, LEVEL + 1))
    cost = carry_cost(world, CHALLENGER, "climb")
    cred = threat_credibility(world, CHALLENGER, "climb", cost)
    lead = world.sides.lead[CHALLENGER]
    scale = _scale(world, lead)
    principal = world.sides.principal[CHALLENGER]
    d = p.decisions
    partners = world.coalition(DEFENDER)
    found = np.empty((len(partners) + 1, LEVEL + 1))
    count = ease_options(
        partners,
        s.commitments(),
        s.defected,
        s.sanctions,
        s.holding(Instrument.SANCTIONS),
        s.economy,
        world.leaders.risk_preference,
        s.security,
        world.sides.partner_resolve,
        principal,
        world.reach[CHALLENGER],
        world.pressure[CHALLENGER],
        cred,
        cost,
        scale,
        np.array(
            [
                t.ease_step,
                t.damage,
                d.stake,
                1.0 + p.sanctions.reserves_buffer * s.reserves[principal],
                outlook.plan_weeks(world),
                d.cost_weight,
                world.leaders.loss_aversion[principal],
                world.leaders.resolve[principal],
                d.resolve_effect,
            ]
        ),
        found,
    )
    terms = world.sides.last_terms[CHALLENGER]
    if terms is None or not world.talks_open():
        return found[:count]
    mine = outlook.reservation(world, CHALLENGER)
    their = _reservations_seen(world, CHALLENGER)
    cost_to_them = t.damage
    gaps = (1.0 - terms) - (their - cred * cost_to_them)
    comply = beliefs.expected_choice(gaps, scale, world.sides.type_probs[CHALLENGER])
    target = world.sides.principal[DEFENDER]
    gain = max(0.0, terms - mine)
    found[count] = (target, CONCEDE, CLIMB, cred, gain, comply, cost, terms, 0.0)
    return found[: count + 1]


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


def _defender_options(world: World) -> np.ndarray:
    p = world.params
    lead = world.sides.lead[DEFENDER]
    posture = world.sides.posture[CHALLENGER]
    demands: list[tuple[int, int]] = []
    if posture >= RungId.LIMITED_FORCE:
        demands.append((STEP_DOWN, RungId.SHOW_OF_FORCE))  # stop fighting
        if posture - 1 > RungId.SHOW_OF_FORCE:
            demands.append((STEP_DOWN, posture - 1))  # a rung down: e.g. no nuclear threats
    elif world.control > p.battlefield.rollback:
        demands.append((WITHDRAW, RungId.DIPLOMATIC))
    consequences = [
        c
        for c, able in (
            (SANCTIONS, can_sanction(world, DEFENDER)),
            (CLIMB, can_climb(world, DEFENDER)),
        )
        if able
    ]
    if not demands or not consequences:
        return np.empty((0, LEVEL + 1))
    mine = outlook.reservation(world, DEFENDER)
    resolve = world.leaders.resolve[world.sides.principal[DEFENDER]]
    terms = []
    for consequence in consequences:
        cost = carry_cost(world, DEFENDER, CONSEQUENCES[consequence])
        cred = threat_credibility(world, DEFENDER, CONSEQUENCES[consequence], cost)
        penalty = cred * outlook.consequence_cost(world, CHALLENGER, CONSEQUENCES[consequence])
        terms.append((cred, cost, penalty))
    gains = [
        max(0.0, 1.0 - mine)
        if demand == WITHDRAW
        else max(0.0, _value_if_enemy_at(world, DEFENDER, level, resolve) - mine)
        for demand, level in demands
    ]
    credibilities, carry_costs, penalties = zip(*terms, strict=True)
    found = np.empty((len(demands) * len(consequences), LEVEL + 1))
    demand_options(
        np.array([demand for demand, _ in demands], dtype=np.int64),
        np.array([int(level) for _, level in demands], dtype=np.int64),
        np.array(consequences, dtype=np.int64),
        np.array(credibilities),
        np.array(carry_costs),
        np.array(penalties),
        world.sides.principal[CHALLENGER],
        np.array(gains),
        outlook.rows(world, CHALLENGER, viewer=DEFENDER),
        posture,
        1.0 - p.decisions.resolve_effect * world.sides.type_values[DEFENDER],
        outlook.climb_down_face(world, CHALLENGER),
        outlook.quit_value(world, CHALLENGER),
        outlook.seen_fight_values(world, CHALLENGER),
        world.sides.type_probs[DEFENDER],
        _scale(world, lead),
        found,
    )
    return found


def _reservations_seen(world: World, viewer: int) -> np.ndarray:
    """The other principal's reservations (its share of the issue) over the viewer's belief."""
    return outlook.seen_reservations(world, other(viewer))


def _value_if_enemy_at(world: World, side: int, enemy_posture: int, resolve: float) -> float:
    """A side's best war value if the enemy held ``enemy_posture`` instead."""
    table = outlook.rows(world, side, enemy_posture=enemy_posture)
    tolerance = 1.0 - world.params.decisions.resolve_effect * resolve
    return float(
        max(
            table[r, outlook.A] - table[r, outlook.B] * tolerance
            for r in outlook.reachable(world, side)
        )
    )


def choose(world: World, side: int, rng: random.Random) -> Option | None:
    """The lead's choice: its best threat if it beats not threatening (logit), else none."""
    found = option_table(world, side)
    if not len(found):
        return None
    t = world.params.threats
    lead = world.sides.lead[side]
    best, value = best_option(
        found, world.leaders.memory[lead], t.prior, t.memory_weight, t.reputation_value
    )
    temperature = world.leaders.temperature[lead] * world.params.decisions.temperature_scale
    pick = logit_choice([0.0, value], temperature, _stake(world, lead), rng)
    return Option.of(found[best].tolist()) if pick == 1 else None


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
            world.log(
                "concession",
                f"{world.name(target)} gives in to {world.name(threatener)}'s threat",
                f"threats_complied_{'challenger' if side == CHALLENGER else 'defender'}",
            )
            continue
        memory[1] += 1.0
        if _carried(world, threat, rng):
            carried.append((side, threat.consequence))
    world.threats = still_open
    # threats of one side with the same consequence are carried out together: one rung climbed
    # (each was judged within reach before any was carried out), one sanctions step
    return list(dict.fromkeys(carried))


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
