"""M4: the escalation ladder, humiliation and the hazard of inadvertent escalation.

Each side holds a posture on the ladder (`negsim.cast.RungId`); the crisis rung is the higher
of the two. A rung has its own fighting intensity, weekly cost, fear it causes the other
side, hazard of an inadvertent climb and backlash for climbing to it (`negsim.cast.Rung`).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from negsim.cast import TOP_RUNG, RungId
from negsim.compiled import jitable
from negsim.mechanisms.decisions import clip01
from negsim.world import CHALLENGER, DEFENDER

if TYPE_CHECKING:
    from negsim.world import World

# the rungs as plain ints, for compiled code
DIPLOMATIC, SHOW_OF_FORCE, LIMITED_FORCE = (int(r) for r in RungId if r < RungId.FULL_WAR)
FULL_WAR = int(RungId.FULL_WAR)
NUCLEAR_THREATS = int(RungId.NUCLEAR_THREATS)


@jitable
def hawkishness(posture: int) -> float:
    """How hawkish a posture looks to the side's own publics (0..1).

    Fighting all-out is as hawkish as a policy gets; nuclear signalling adds no approval, only
    the fear that the publics' risk aversion attaches to high rungs.
    """
    return min(posture, FULL_WAR) / FULL_WAR


@jitable
def weekly_hazard(
    base: float,
    humiliation: float,
    back_channel: float,
    humiliation_hazard: float,
    back_channel_cut: float,
) -> float:
    """Weekly chance the crisis climbs one rung nobody chose, at a rung of ``base`` hazard.

    Grows with the challenger leader's humiliation and is cut by an open back channel (less
    misperception).
    """
    h = base * (1.0 + humiliation_hazard * humiliation)
    return clip01(h * (1.0 - back_channel_cut * back_channel))


@jitable
def catastrophe_chance(crisis_rung: int, weekly: float, weeks: float) -> float:
    """Chance of reaching nuclear use within ``weeks`` at a crisis rung, with weekly hazard."""
    if crisis_rung != NUCLEAR_THREATS:
        return 0.0
    return 1.0 - (1.0 - weekly) ** weeks


def update_humiliation(
    humiliation: float,
    decay: float,
    personal_sanctions: float,
    public_demands: float,
    control_lost: float,
    face_offered: float,
    loss_weight: float,
    face_relief: float,
) -> float:
    """Next tick's humiliation of the challenger's leader.

    ``decay`` and the two pressures (``personal_sanctions``, ``public_demands``, already
    weighted) are per tick. Losses on the battlefield add to it; face-saving offers relieve it.
    """
    h = humiliation * (1.0 - decay) + personal_sanctions + public_demands
    h += loss_weight * max(0.0, control_lost)
    h -= face_relief * face_offered
    return clip01(h)


@jitable
def climb_down_cost(
    face_weight: float,
    face_sensitivity: float,
    humiliation: float,
    face_on_table: float,
    offramp: float,
) -> float:
    """Face a leader loses by stepping down a rung: larger when humiliated, smaller when an
    offer on the table gives it face (the off-ramp)."""
    relief = offramp * clip01(face_on_table)
    return face_weight * face_sensitivity * (1.0 + humiliation) * (1.0 - relief)


# --- on the world ------------------------------------------------------------------------------


def climb(world: World, side: int, text: str, inadvertent: bool = False) -> None:
    """A side climbs one rung (within reach of its forces)."""
    s = world.sides
    s.posture[side] += 1
    s.peak_posture[side] = max(s.peak_posture[side], s.posture[side])
    world.peak_rung = max(world.peak_rung, world.rung)
    if world.rung >= TOP_RUNG:
        world.catastrophe = True
    rung = RungId(s.posture[side])
    who = world.name(s.lead[side] if not inadvertent else s.principal[side])
    kind = "inadvertent_escalations" if inadvertent else "escalations"
    world.log("escalation", f"{who} {text} to {rung.label}", kind)


def descend(world: World, side: int) -> None:
    """A side steps down one rung."""
    s = world.sides
    s.posture[side] -= 1
    who = world.name(s.principal[side])
    world.log(
        "de-escalation", f"{who} steps down to {RungId(s.posture[side]).label}", "de_escalations"
    )


def slip(world: World, rng: random.Random) -> None:
    """The hazard of the crisis climbing a rung nobody chose, at the crisis rung.

    The side holding the crisis rung climbs, if its forces can: a nuclear rung needs a
    nuclear-armed principal.
    """
    p = world.params.escalation
    crisis = world.rung
    if crisis >= TOP_RUNG:
        return
    hazard = weekly_hazard(
        world.rungs.hazard[crisis],
        world.leaders.humiliation[world.sides.principal[CHALLENGER]],
        world.channel(),
        p.humiliation_hazard,
        p.back_channel_cut,
    )
    hazard = world.clock.rate(hazard)
    if hazard <= 0.0 or rng.random() >= hazard:
        return
    holders = [k for k in (CHALLENGER, DEFENDER) if world.sides.posture[k] == crisis]
    side = holders[0] if len(holders) == 1 else holders[int(rng.random() * 2)]
    reach = world.states.highest[world.sides.principal[side]]
    if crisis + 1 == TOP_RUNG and crisis == reach:
        reach = TOP_RUNG  # at nuclear threats, an accident can go all the way
    if crisis + 1 > reach:
        return
    climb(world, side, "slips", inadvertent=True)


def humiliate(world: World, control_lost: float, face_offered: float) -> None:
    """The challenger leader's humiliation after this tick (personal sanctions, public demands
    for capitulation, lost ground; relieved by face offered)."""
    p = world.params.humiliation
    clock = world.clock
    i = world.sides.principal[CHALLENGER]
    partners = world.coalition(DEFENDER)
    s = world.states
    levels = s.commitments()[partners[~s.defected[partners]]].tolist()  # of those still in line
    commitment = sum(levels) / len(levels) if levels else 0.0
    world.leaders.humiliation[i] = update_humiliation(
        world.leaders.humiliation[i],
        clock.rate(p.decay),
        clock.amount(p.personal_weight * p.personal_sanctions * commitment),
        clock.amount(p.demand_weight * p.capitulation_demand),
        control_lost,
        face_offered,
        p.loss_weight,
        p.face_relief,
    )
