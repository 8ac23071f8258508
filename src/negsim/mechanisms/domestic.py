"""M9: domestic politics (preferred policy, support, approval, elections, unrest)."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

import numpy as np

from negsim.compiled import jitable, kernel
from negsim.mechanisms import beliefs
from negsim.mechanisms.decisions import clip01
from negsim.mechanisms.escalation import hawkishness
from negsim.world import CHALLENGER, DEFENDER, other

if TYPE_CHECKING:
    from negsim.world import World


@jitable
def preferred_policy(
    stance: float,
    rally: float,
    pain_sensitivity: float,
    weariness: float,
    risk_tolerance: float,
    fear: float,
    shift: float,
) -> float:
    """The policy (0 dovish .. 1 hawkish) a constituency wants this tick.

    Its stance, raised by a rally after enemy threats, lowered by accumulated war weariness
    (as it is sensitive to pain), by fear of the enemy's posture (as it is risk-averse) and by
    the disinformation it absorbed.
    """
    want = stance + rally - pain_sensitivity * weariness - fear * (1.0 - risk_tolerance) - shift
    return min(1.0, max(0.0, want))


def election_win_probability(approval: float, noise: float) -> float:
    """Chance an incumbent is re-elected: a logistic in approval around one half."""
    return 1.0 / (1.0 + math.exp(-(approval - 0.5) / noise))


def unrest_hazard(approval: float, threshold: float, rate: float) -> float:
    """Weekly chance an autocrat falls: zero above the threshold, ``rate`` at zero approval."""
    if approval >= threshold or threshold <= 0.0:
        return 0.0
    return rate * (threshold - approval) / threshold


# --- on the world ------------------------------------------------------------------------------


def policies(world: World) -> np.ndarray:
    """How hawkish each state's current policy is (0..1), as its publics judge it.

    A principal's posture on the ladder; a partner's commitment; a neutral's distance from
    the challenger (one minus its trade) (`policy_levels`).
    """
    s = world.states
    out = np.empty(len(s.ids))
    policy_levels(
        s.trade,
        s.defected,
        s.commitments(),
        world.coalition(CHALLENGER),
        world.coalition(DEFENDER),
        world.sides.principal[CHALLENGER],
        world.sides.principal[DEFENDER],
        world.sides.posture[CHALLENGER],
        world.sides.posture[DEFENDER],
        out,
    )
    return out


@kernel
def policy_levels(
    trade: np.ndarray,
    defected: np.ndarray,
    commitment: np.ndarray,
    challenger_partners: np.ndarray,
    defender_partners: np.ndarray,
    challenger: int,
    defender: int,
    challenger_posture: int,
    defender_posture: int,
    out: np.ndarray,
) -> None:
    """Each state's policy into ``out``: one minus its trade, a partner's commitment (none
    once it has broken ranks), a principal's posture's `hawkishness`."""
    for i in range(len(trade)):
        out[i] = 1.0 - trade[i]
    out[challenger] = hawkishness(challenger_posture)
    out[defender] = hawkishness(defender_posture)
    for partners in (challenger_partners, defender_partners):
        for j in partners:
            out[j] = 0.0 if defected[j] else commitment[j]


@kernel
def publics_step(
    stance: np.ndarray,
    pain_sensitivity: np.ndarray,
    risk_tolerance: np.ndarray,
    weight: np.ndarray,
    state_of: np.ndarray,
    like_minded: np.ndarray,
    like_minded_mass: np.ndarray,
    rally: np.ndarray,
    pain: np.ndarray,
    fear: np.ndarray,
    policy: np.ndarray,
    weariness: np.ndarray,
    shift: np.ndarray,
    support: np.ndarray,
    preferred: np.ndarray,
    weariness_rate: float,
    influence: float,
    support_rate: float,
) -> None:
    """A tick of every constituency (rates per tick; ``rally``, ``pain``, ``fear`` and
    ``policy`` per state): weariness tracks pain; the preferred policy (`preferred_policy`) is
    pulled by ``influence`` toward the weighted mean of like-minded constituencies; support
    moves toward one minus the distance to the state's policy."""
    n = len(stance)
    want = np.empty(n)
    for k in range(n):
        i = state_of[k]
        weariness[k] += weariness_rate * (pain[i] - weariness[k])
        want[k] = min(
            1.0,
            max(
                0.0,
                stance[k]
                + rally[i]
                - pain_sensitivity[k] * weariness[k]
                - fear[i] * (1.0 - risk_tolerance[k])
                - shift[k],
            ),
        )
    if influence > 0.0:
        mean = np.zeros(len(like_minded_mass))
        for k in range(n):
            mean[like_minded[k]] += weight[k] * want[k]
        for k in range(n):
            g = like_minded[k]
            want[k] += influence * (mean[g] / like_minded_mass[g] - want[k])
    for k in range(n):
        preferred[k] = want[k]
        support[k] += support_rate * ((1.0 - abs(want[k] - policy[state_of[k]])) - support[k])


def update_publics(world: World) -> None:
    """Constituencies weigh costs, fear, rallies, disinformation and like-minded peers
    (`publics_step`); rallies fade."""
    d = world.params.domestic
    clock = world.clock
    pub = world.publics
    s = world.states
    fear = np.full(len(s.ids), world.rungs.fear[world.rung])  # neutrals fear the crisis itself
    for side in (CHALLENGER, DEFENDER):
        fear[world.sides.members[side]] = world.rungs.fear[world.sides.posture[other(side)]]
    publics_step(
        pub.stance,
        pub.pain_sensitivity,
        pub.risk_tolerance,
        pub.weight,
        pub.state_of,
        pub.like_minded,
        pub.like_minded_mass,
        s.rally,
        s.pain,
        d.fear * fear,
        policies(world),
        pub.weariness,
        pub.shift,
        pub.support,
        pub.preferred,
        clock.rate(d.weariness_rate),
        clock.rate(d.influence),
        clock.rate(d.support_rate),
    )
    s.rally *= 1.0 - clock.rate(d.rally_decay)


def update_approvals(world: World) -> None:
    """Each leader's approval: the weighted support of its constituencies."""
    pub = world.publics
    world.leaders.approval[:] = np.bincount(
        pub.state_of, weights=pub.support * pub.weight, minlength=len(world.states.ids)
    )


def due(tick: int, first: int, every: int) -> bool:
    """Whether a calendar starting at tick ``first`` (-1: none) and repeating every ``every``
    ticks falls on ``tick``."""
    return first >= 0 and tick >= first and (tick - first) % every == 0


def _calendars(world: World) -> list[tuple[int, int, int, int, int]]:
    """Each democracy's calendars of elections: ``(state, first and every tick of executive
    elections, of legislative ones)`` (cached: fixed in a run)."""
    found = world.cache.get("calendars")
    if found is None:
        s = world.states
        found = world.cache["calendars"] = [
            (
                i,
                *map(int, (s.next_election[i], s.election_every[i])),
                *map(int, (s.next_legislature[i], s.legislature_every[i])),
            )
            for i in np.flatnonzero(s.democracy).tolist()
        ]
    return found


def reseat(seats: np.ndarray, weight: np.ndarray, support: np.ndarray, swing: float) -> None:
    """A legislative election: seats go to each constituency in proportion to its political
    weight, more to the government's dissatisfied (``1 + swing * (1 - support)``), normalised
    to one. Where the dissatisfied are hawks, the ratifying body turns hawkish."""
    seats[:] = weight * (1.0 + swing * (1.0 - support))
    seats /= seats.sum()


def legislatures(world: World) -> None:
    """Scheduled legislative elections: the ratifying body changes, the leader stays."""
    d = world.params.domestic
    s = world.states
    if not d.elections:
        return
    pub = world.publics
    for i, _, _, first, every in _calendars(world):
        if not due(world.tick, first, every):
            continue
        rows = s.rows[i]
        seats = pub.seats[rows]
        reseat(seats, pub.weight[rows], pub.support[rows], d.legislative_swing)
        pub.seats[rows] = seats
        world.log(
            "legislative election",
            f"{s.names[i]} elects a new legislature",
            "legislative_elections",
        )


def falls(world: World, rng: random.Random) -> list[tuple[int, str]]:
    """The leaders who lose office this tick: scheduled elections, unrest in autocracies."""
    d = world.params.domestic
    s = world.states
    fallen = []
    for i in _candidates(world):
        approval = float(world.leaders.approval[i])
        if s.democracy[i]:
            world.counts["elections"] += 1
            if rng.random() < election_win_probability(approval, d.election_noise):
                world.log("election", f"{world.leaders.names[i]} re-elected in {s.names[i]}")
            else:
                fallen.append((i, "lost the election"))
        else:
            hazard = world.clock.rate(unrest_hazard(approval, d.unrest_threshold, d.unrest_rate))
            if hazard > 0.0 and rng.random() < hazard:
                fallen.append((i, "fell to domestic unrest"))
    return fallen


def _candidates(world: World) -> list[int]:
    """The states whose leaders could fall this tick, in order: democracies holding an
    executive election, autocracies whose leaders' approval is below the unrest threshold."""
    d = world.params.domestic
    tick = world.tick
    electing = {
        i for i, first, every, _, _ in _calendars(world) if d.elections and due(tick, first, every)
    }
    approval = world.leaders.approval.tolist()
    democracy = world.states.democracy.tolist()
    return [
        i
        for i in range(len(approval))
        if i in electing or (not democracy[i] and approval[i] < d.unrest_threshold)
    ]


def replace_leader(world: World, i: int, cause: str, rng: random.Random) -> str:
    """A new leader takes office in state ``i``: the public mood sets its resolve, its risk
    preference is drawn around the cast's; memories start afresh; the other side's belief
    about a new principal returns to the prior. Returns the new leader's name."""
    leaders = world.leaders
    pub = world.publics
    rows = world.states.rows[i]
    mood = float(pub.preferred[rows] @ pub.weight[rows])
    spec = world.cast.leaders[world.states.ids[i]]
    old = leaders.names[i]
    leaders.successions[i] += 1
    name = f"{world.states.names[i]}'s leader #{leaders.successions[i] + 1}"
    leaders.names[i] = name
    spread = world.params.domestic.successor_spread
    leaders.resolve[i] = clip01(rng.gauss(mood, spread))
    leaders.risk_preference[i] = clip01(rng.gauss(spec.risk_preference, spread))
    leaders.humiliation[i] = 0.0
    leaders.record[i] = 0.0
    leaders.memory[i] = 0.0
    leaders.since[i] = world.tick
    for side in (CHALLENGER, DEFENDER):
        if world.sides.principal[other(side)] == i:
            b = world.params.beliefs
            world.sides.type_values[side] = beliefs.type_grid(mood, b.type_spread, b.types)
            world.sides.type_probs[side] = beliefs.uniform(b.types)
    world.log("leader change", f"{old} of {world.states.names[i]} {cause}", "leader_changes")
    return name
