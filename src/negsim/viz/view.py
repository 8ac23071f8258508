"""What the browser view reads from a crisis model: the only module of the viz that does.

Each function turns a model into the plain numbers, texts and tables one part of the page
draws (no plotly, no Solara here). When the model's internals change, this module is the one
to adapt; the figures (`negsim.viz.components`) and the page (`negsim.viz.app`) read nothing
else.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from negsim.analysis.colors import ROLE_COLORS
from negsim.cast import RungId
from negsim.model import CrisisModel
from negsim.world import CHALLENGER, DEFENDER

SIDES: tuple[str, ...] = tuple(ROLE_COLORS)
"""A state's place in the crisis (its side, and whether it is the side's principal), in
legend order."""

SIDE_COLORS: dict[str, str] = dict(ROLE_COLORS)

RUNG_NAMES: tuple[str, ...] = tuple(r.label for r in RungId)
"""The escalation ladder, bottom first."""


@dataclass(frozen=True)
class Status:
    """Where the crisis stands this week."""

    week: int
    weeks: int  # the tick limit
    rung: int
    control: float  # share of the contested ground the challenger holds
    cohesion: float  # of the defenders' coalition
    humiliation: float  # of the challenger's leader
    outcome: str | None  # None while the crisis runs
    deal: tuple[float, float] | None  # (x, face given) of a settlement


@dataclass(frozen=True)
class StateView:
    """One state as the network draws it."""

    sid: str
    name: str
    side: str  # one of SIDES
    military: float
    approval: float  # of its leader
    broken: bool  # has left its side's line (a defected partner)
    details: tuple[str, ...]  # lines of text about it, its name and side first


@dataclass(frozen=True)
class Tie:
    """How closely two partners of a coalition hold together, in [0, 1]."""

    a: str
    b: str
    cohesion: float
    broken: bool  # one of the two has defected


@dataclass(frozen=True)
class Public:
    """One constituency group of a state."""

    group: str
    weight: float  # share of the state's political weight
    support: float  # weighted mean support for the leader's policy


@dataclass(frozen=True)
class Series:
    """Per-week series from week 0 to now."""

    weeks: list[int]
    lines: dict[str, list[float]]  # cohesion, control, humiliation
    rung: list[int]
    approval: dict[str, list[float]]  # state id -> its leader's approval


@dataclass(frozen=True)
class EventView:
    """One line of the event log."""

    week: int
    kind: str
    text: str


def title(model: CrisisModel) -> str:
    """The crisis' name (the cast's)."""
    return model.cast.cast.name


def status(model: CrisisModel) -> Status:
    """Where the crisis stands this week, and how it ended once it has."""
    outcome = model.outcome.value if model.outcome is not None else None
    deal = None
    if outcome == "settlement" and model.deal is not None:
        deal = (float(model.deal.x), float(model.deal.face_public + model.deal.face_private))
    challenger = model.states[model.world.sides.principal[CHALLENGER]]
    return Status(
        week=model.tick,
        weeks=model.max_ticks,
        rung=int(model.rung),
        control=float(model.control),
        cohesion=float(model.cohesion),
        humiliation=float(challenger.leader.humiliation),
        outcome=outcome,
        deal=deal,
    )


def role(state) -> str:
    """A state's place in the crisis: one of `SIDES`."""
    return state.model.cast.role(state.sid)


def warnings(model: CrisisModel) -> list[str]:
    """Problems with what the user asked for (a bad seed, an override ignored)."""
    return list(getattr(model, "viz_warnings", []))


def states(model: CrisisModel) -> list[StateView]:
    """Every state, in the cast's order."""
    return [
        StateView(
            sid=s.sid,
            name=s.name,
            side=role(s),
            military=float(s.military),
            approval=float(s.leader.approval),
            broken=bool(s.defected),
            details=_details(s),
        )
        for s in model.states
    ]


def _details(state) -> tuple[str, ...]:
    leader = state.leader
    lines = [
        f"{state.name} ({role(state)}{', leads its side' if state.lead else ''})",
        f"leader {leader.name}: approval {leader.approval:.2f}",
        f"military {state.military:.2f}, economy {state.economy:.1f}",
    ]
    if state.posture is not None:
        lines.append(f"posture: {RUNG_NAMES[state.posture]}")
    elif state.side.value != "neutral":
        lines.append(
            f"sanctions {state.sanctions:.2f}, aid {state.aid:.2f}, trust {state.trust:.2f}"
            + (" (defected)" if state.defected else "")
        )
    if state.index == state.world.sides.principal[CHALLENGER]:
        lines.append(f"humiliation {leader.humiliation:.2f}")
    return tuple(lines)


def positions(model: CrisisModel) -> dict[str, tuple[float, float]]:
    """Fixed places: the challenger left with its partners on an arc behind it, the defender
    in the centre with its partners on an arc to the right, neutrals below."""
    sides = model.world.sides
    pos = {
        model.states[sides.principal[CHALLENGER]].sid: (-1.4, 0.0),
        model.states[sides.principal[DEFENDER]].sid: (0.0, 0.0),
    }
    for k, (x0, reach, flip) in ((CHALLENGER, (-1.6, 0.8, -1.0)), (DEFENDER, (0.2, 1.3, 1.0))):
        partners = [model.states[j] for j in sides.partners[k]]
        n = len(partners)
        for i, state in enumerate(partners):
            angle = math.pi * (0.5 - (i + 0.5) / n) * 0.9 if n > 1 else 0.0
            pos[state.sid] = (x0 + flip * reach * math.cos(angle), reach * math.sin(angle))
    for i, j in enumerate(sides.neutrals):
        pos[model.states[j].sid] = (-1.6 + 0.75 * i, -1.25)
    return pos


def front(model: CrisisModel) -> tuple[str, str]:
    """The two states the fighting is between: (challenger, defender)."""
    principal = model.world.sides.principal
    return model.states[principal[CHALLENGER]].sid, model.states[principal[DEFENDER]].sid


def aid_lines(model: CrisisModel) -> list[tuple[str, str]]:
    """(giver, receiver) for every partner still sending aid to its side's principal."""
    sides = model.world.sides
    lines = []
    for k in (CHALLENGER, DEFENDER):
        receiver = model.states[sides.principal[k]].sid
        lines += [
            (model.states[j].sid, receiver)
            for j in sides.partners[k]
            if model.states[j].aid > 0 and not model.states[j].defected
        ]
    return lines


def ties(model: CrisisModel) -> list[Tie]:
    """Every pair of partners of a side: shared trust times closeness of their commitments."""
    found = []
    for k in (CHALLENGER, DEFENDER):
        members = [model.states[j] for j in model.world.sides.partners[k]]
        found += [
            Tie(
                a.sid,
                b.sid,
                0.5 * (a.trust + b.trust) * (1.0 - abs(a.commitment - b.commitment)),
                bool(a.defected or b.defected),
            )
            for i, a in enumerate(members)
            for b in members[i + 1 :]
        ]
    return found


def publics(model: CrisisModel) -> dict[str, list[Public]]:
    """For each state, its constituency groups with their weight and mean support."""
    weight, support = model.world.publics.weight, model.world.publics.support
    acc: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for agent in model.constituency_agents:
        w = float(weight[agent.index])
        totals = acc[agent.state_id, agent.group]
        totals[0] += w
        totals[1] += w * float(support[agent.index])
    groups: dict[str, list[Public]] = defaultdict(list)
    for (sid, group), (w, ws) in acc.items():
        groups[sid].append(Public(group, w, ws / w if w else 0.0))
    return dict(groups)


def series(model: CrisisModel) -> Series:
    """Cohesion, control, humiliation, the rung and every leader's approval, week by week."""
    data = model.datacollector.model_vars
    return Series(
        weeks=list(range(len(data["cohesion"]))),
        lines={
            name: [float(v) for v in data[name]] for name in ("cohesion", "control", "humiliation")
        },
        rung=[int(r) for r in data["rung"]],
        approval={s.sid: [float(v) for v in data[f"approval_{s.sid}"]] for s in model.states},
    )


def events(model: CrisisModel, limit: int) -> list[EventView]:
    """The latest events (the outcome excluded: the status shows it), newest first."""
    return [
        EventView(e.tick, e.kind, e.text)
        for e in reversed(model.events[-limit:])
        if e.kind != "outcome"
    ]
