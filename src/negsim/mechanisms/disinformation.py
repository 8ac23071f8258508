"""M6 disinformation and counter-messaging; M7 transparency (acoustic separation).

Disinformation and counter-messaging are choices: every ``replan_days`` a side's lead with the
disinformation instrument picks its effort (none, half or all of ``capacity``), and each state
with counter-messaging picks its countering (none, half or all of ``counter_capacity``), by
expected value as the crisis stands then (how exposed and susceptible the enemy's publics are,
how much the other side counters or pushes, what it costs).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import Instrument
from negsim.compiled import kernel
from negsim.mechanisms.decisions import cost_in_issue_units, logit_choice
from negsim.world import CHALLENGER, DEFENDER, other

if TYPE_CHECKING:
    from negsim.world import World


def allocate_effort(
    effort: float,
    susceptibility: np.ndarray,
    exposure: np.ndarray,
    weight: np.ndarray,
    focus: float,
) -> np.ndarray:
    """Split a weekly effort across audiences.

    Audiences score by susceptibility times their state's exposure to the campaigning side
    times their political weight; ``focus`` sharpens the split (0 spreads evenly, large aims at
    the top).
    """
    score = (susceptibility * exposure * weight) ** focus if focus > 0 else np.ones_like(weight)
    total = score.sum()
    if total <= 0.0:
        return np.zeros_like(score)
    return effort * score / total


def disinformation_shift(
    allocation: np.ndarray,
    susceptibility: np.ndarray,
    blunted: np.ndarray,
    efficacy: float,
) -> np.ndarray:
    """Dovish shift each audience's preferred policy takes (against its side's policy).

    Scaled by the number of audiences so that the same effort means the same total push
    whether a public is modelled as ten agents or ten thousand; ``blunted`` is the share left
    after countering.
    """
    return efficacy * allocation * len(allocation) * susceptibility * blunted


@kernel
def message_effects(
    stances: np.ndarray,
    audiences: np.ndarray,
    transparency: float,
    gain: float,
    tolerance: float,
) -> np.ndarray:
    """Change of support everywhere from tailored messages, one aimed at each of ``audiences``.

    Each audience gains ``gain`` from its own message. With transparency t every message also
    reaches every other audience with strength t, as alignment
    ``clip(1 - distance / tolerance, -1, 1)`` of their stances: close audiences are reassured,
    audiences farther than ``tolerance`` are put off. The effects add up.

    Sorted prefix sums make this O((n + m) log m) for n audiences and m messages.
    """
    n = len(stances)
    m = len(audiences)
    effect = np.zeros(n)
    if m == 0:
        return effect
    aimed = np.sort(stances[audiences])
    prefix = np.zeros(m + 1)
    prefix[1:] = np.cumsum(aimed)
    reach = 2.0 * tolerance  # beyond this distance the alignment is -1
    lo = np.searchsorted(aimed, stances - reach, side="left")
    mid = np.searchsorted(aimed, stances, side="left")
    hi = np.searchsorted(aimed, stances + reach, side="right")
    for k in range(n):
        below = (mid[k] - lo[k]) * stances[k] - (prefix[mid[k]] - prefix[lo[k]])
        above = (prefix[hi[k]] - prefix[mid[k]]) - (hi[k] - mid[k]) * stances[k]
        inside = hi[k] - lo[k]
        alignment = inside - (below + above) / tolerance - (m - inside)
        effect[k] = transparency * gain * alignment
    for a in audiences:
        effect[a] += (1.0 - transparency) * gain  # its own message reaches it fully
    return effect


@kernel
def tailor_messages(
    support: np.ndarray,
    stance: np.ndarray,
    rows: np.ndarray,
    offsets: np.ndarray,
    transparency: float,
    gain: float,
    tolerance: float,
) -> None:
    """Each state's leader aims a message at its least supportive audience (the first of
    equals); every audience in ``rows`` hears every message (`message_effects`). ``offsets``
    mark where each state's rows begin in ``rows`` (and end, last)."""
    heard = support[rows]
    audiences = np.empty(len(offsets) - 1, dtype=np.int64)
    for m in range(len(offsets) - 1):
        audiences[m] = offsets[m] + np.argmin(heard[offsets[m] : offsets[m + 1]])
    effect = message_effects(stance[rows], audiences, transparency, gain, tolerance)
    for k in range(len(rows)):
        support[rows[k]] = min(1.0, max(0.0, heard[k] + effect[k]))


# --- on the world ------------------------------------------------------------------------------


def member_rows(world: World, side: int, active: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The rows of a side's states (only those still in line if ``active``), and where each
    state's rows begin (and end, last) in that array. Cached: membership rarely changes."""
    s = world.states
    key = ("rows", side, s.defected.tobytes() if active else None)
    found = world.cache.get(key)
    if found is None:
        members = [j for j in world.sides.members[side] if not (active and s.defected[j])]
        rows = np.concatenate([np.arange(s.rows[j].start, s.rows[j].stop) for j in members])
        sizes = [s.rows[j].stop - s.rows[j].start for j in members]
        found = (rows, np.cumsum([0, *sizes]).astype(np.int64))
        world.cache[key] = found
    return found


def _audience(world: World, side: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The rows a side's campaign aims at (the enemy's states), their exposure to the side,
    and how many states they belong to."""
    key = ("audience", side)
    found = world.cache.get(key)
    if found is None:
        s = world.states
        principal = world.sides.principal[side]
        rows, offsets = member_rows(world, other(side))
        members = world.sides.members[other(side)]
        exposure = np.repeat([s.exposure[j, principal] for j in members], np.diff(offsets))
        states = int(np.count_nonzero(np.diff(offsets)))
        found = world.cache[key] = (rows, exposure, states)
    return found


def _reach(world: World, rows: np.ndarray, exposure: np.ndarray, states: int) -> float:
    """How movable a set of audiences of ``states`` states is: weighted susceptibility times
    exposure, per state."""
    pub = world.publics
    return float((pub.weight[rows] * pub.susceptibility[rows] * exposure).sum()) / max(1, states)


def plan(world: World, rng: random.Random) -> None:
    """Every ``replan_days``: each side's campaign effort and each state's countering."""
    p = world.params
    d = p.disinformation
    period = world.clock.ticks(d.replan_days)
    if (world.tick - 1) % period:
        return
    weeks = p.decisions.plan_days / 7.0
    s = world.states
    leaders = world.leaders
    for side in (CHALLENGER, DEFENDER):
        lead = world.sides.lead[side]
        members = world.sides.members[side]
        if d.capacity <= 0.0 or not any(
            Instrument.DISINFORMATION in s.instruments[j] for j in members
        ):
            world.sides.disinformation[side] = 0.0
            continue
        rows, exposure, states = _audience(world, side)
        countered = max((s.counter[j] for j in world.sides.members[other(side)]), default=0.0)
        blunt = 1.0 - d.counter_efficacy * countered
        gain = d.value * d.efficacy * _reach(world, rows, exposure, states) * blunt * weeks
        cost = cost_in_issue_units(
            d.cost,
            weeks,
            p.decisions.cost_weight,
            leaders.loss_aversion[lead],
            leaders.resolve[lead],
            p.decisions.resolve_effect,
        )
        levels = [0.0, 0.5 * d.capacity, d.capacity]
        utilities = [level * (gain - cost) for level in levels]
        pick = _choose(world, lead, utilities, rng)
        before = world.sides.disinformation[side]
        world.sides.disinformation[side] = levels[pick]
        if levels[pick] != before:
            world.log(
                "disinformation",
                f"{world.name(lead)} sets its disinformation effort to {levels[pick]:.2f}",
            )
    for j in range(len(s.ids)):
        if Instrument.COUNTER_MESSAGING not in s.instruments[j] or d.counter_capacity <= 0.0:
            s.counter[j] = 0.0
            continue
        side = int(s.side[j])
        enemy_effort = world.sides.disinformation[other(side)] if side <= DEFENDER else 0.0
        principal = world.sides.principal[other(side)] if side <= DEFENDER else -1
        rows = np.arange(s.rows[j].start, s.rows[j].stop)
        exposure = np.full(len(rows), s.exposure[j, principal] if principal >= 0 else 0.0)
        gain = d.value * d.efficacy * enemy_effort * _reach(world, rows, exposure, 1) * weeks
        gain *= d.counter_efficacy
        cost = cost_in_issue_units(
            d.counter_cost,
            weeks,
            p.decisions.cost_weight,
            leaders.loss_aversion[j],
            leaders.resolve[j],
            p.decisions.resolve_effect,
        )
        levels = [0.0, 0.5 * d.counter_capacity, d.counter_capacity]
        s.counter[j] = levels[_choose(world, j, [lv * (gain - cost) for lv in levels], rng)]


def _choose(world: World, i: int, utilities: list[float], rng: random.Random) -> int:
    temperature = world.leaders.temperature[i] * world.params.decisions.temperature_scale
    stake = 1.0 if i in world.sides.principal else world.params.decisions.stake
    return logit_choice(utilities, temperature, stake, rng)


def spread(world: World) -> np.ndarray:
    """This tick's campaigns reach the enemy's publics; returns the trust each state loses."""
    p = world.params.disinformation
    clock = world.clock
    pub = world.publics
    s = world.states
    pub.shift *= 1.0 - clock.rate(p.decay)
    wedge = np.zeros(len(s.ids))
    for side in (CHALLENGER, DEFENDER):
        effort = world.sides.disinformation[side]
        if effort <= 0.0:
            continue
        rows, exposure, _ = _audience(world, side)
        alloc = allocate_effort(
            effort, pub.susceptibility[rows], exposure, pub.weight[rows], p.focus
        )
        blunted = 1.0 - p.counter_efficacy * s.counter[pub.state_of[rows]]
        push = disinformation_shift(alloc, pub.susceptibility[rows], blunted, p.efficacy)
        pub.shift[rows] += clock.amount(1.0) * push
        by_state = np.bincount(pub.state_of[rows], weights=alloc * blunted, minlength=len(s.ids))
        wedge += clock.amount(p.wedge) * by_state
        world.counts["disinformation_ticks"] += 1
    return wedge


def send_messages(world: World) -> None:
    """M7: each leader of a side still in line reassures its least supportive audience; every
    audience of those states hears every message, in proportion to transparency."""
    p = world.params.messaging
    pub = world.publics
    for side in (CHALLENGER, DEFENDER):
        rows, offsets = member_rows(world, side, active=True)
        if len(offsets) > 1:
            tailor_messages(
                pub.support,
                pub.stance,
                rows,
                offsets,
                p.transparency,
                world.clock.amount(p.gain),
                p.tolerance,
            )
