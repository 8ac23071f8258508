"""Leaders: one per state (replaceable); each decides by expected utility and carries out its
own choice through the mechanisms (M11).

Utilities are in *issue units* (the whole contested issue is worth 1). Every leader first
`decide`s from the same information, then `act`s, so the order of acting does not change
what was chosen. A leader that leads its side also decides whether to threaten (M1); offers
are made in the negotiation phase (`negsim.mechanisms.bargaining`).
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

import mesa
import numpy as np

from negsim.cast import Instrument, RungId
from negsim.compiled import jitable, kernel
from negsim.mechanisms import cohesion, escalation, outlook, threats
from negsim.mechanisms.decisions import clip01, logit_choice, pick
from negsim.mechanisms.escalation import hawkishness
from negsim.world import CHALLENGER, DEFENDER

if TYPE_CHECKING:
    from negsim.world import World


class Leader(mesa.Agent):
    """A head of government: a view of its row of the world's leader arrays.

    Attributes:
        index: its state's index in the world.
        side: its state's side: 0 challenger, 1 defender, 2 neutral.
        leads: whether it leads its side's offers and threats.
        choice: what it decided this tick (carried out by `act`).
        threat: the threat it decided to issue this tick, if it leads its side.
    """

    def __init__(self, model: mesa.Model, world: World, index: int):
        super().__init__(model)
        self.world = world
        self.index = index
        self.side = int(world.states.side[index])
        self.leads = self.side <= DEFENDER and world.sides.lead[self.side] == index
        self.choice: Enum | None = None
        self.threat: threats.Option | None = None

    def _value(self, name: str) -> float:
        return float(getattr(self.world.leaders, name)[self.index])

    name = property(lambda self: self.world.leaders.names[self.index], doc="display name")
    resolve = property(lambda self: self._value("resolve"), doc="private tolerance of costs")
    risk_preference = property(lambda self: self._value("risk_preference"), doc="0 averse")
    face_sensitivity = property(lambda self: self._value("face_sensitivity"), doc="0..1")
    approval = property(lambda self: self._value("approval"), doc="weighted support")
    humiliation = property(lambda self: self._value("humiliation"), doc="0..1")

    @property
    def temperature(self) -> float:
        """Its logit temperature (relative to its stake; 0 = best response)."""
        scale = self.world.params.decisions.temperature_scale
        return float(self.world.leaders.temperature[self.index]) * scale

    @property
    def stake(self) -> float:
        """What the crisis is worth to it: the issue for a principal, less for others."""
        return (
            1.0 if self.index in self.world.sides.principal else self.world.params.decisions.stake
        )

    def choose(self, utilities: list[float]) -> int:
        """Pick an option by logit choice at this leader's temperature."""
        return logit_choice(utilities, self.temperature, self.stake, self.model.random)

    def decide(self) -> None:
        """Choose this tick's action (and, for a lead, whether to threaten)."""
        at_war = self.world.deal is None
        self.choice = self.policy_choice() if at_war else None
        self.threat = None
        if self.leads and at_war:
            self.threat = threats.choose(self.world, self.side, self.model.random)

    def act(self) -> None:
        """Carry out what was decided."""
        if self.choice is not None:
            self.carry_out(self.choice)
        if self.threat is not None:
            threats.issue(self.world, self.side, self.threat)

    def policy_choice(self) -> Enum | None:
        """The leader's own policy choice this tick."""
        raise NotImplementedError

    def carry_out(self, choice: Enum) -> None:
        """Apply a policy choice to the world."""
        raise NotImplementedError


class Posture(Enum):
    HOLD = "hold"
    CLIMB = "climb"
    DESCEND = "descend"
    QUIT = "quit"


POSTURES = tuple(Posture)
QUITTING = np.array([kind is Posture.QUIT for kind in POSTURES])


@kernel
def posture_values(
    table: np.ndarray,
    current: int,
    highest: int,
    resolve: float,
    resolve_effect: float,
    weight: np.ndarray,
    preferred: np.ndarray,
    approval_weight: float,
    backlash: np.ndarray,
    step_down: float,
    quit_value: float,
    out: np.ndarray,
) -> None:
    """A principal's utilities of hold, climb, descend and quit (NaN: out of reach): the
    prospect at the posture (``table`` rows ``(a, b, share)``) for its resolve, plus the approval
    its publics would give the posture's hawkishness, less the rung's backlash when climbing and
    ``step_down`` when descending; quitting: its value and the approval of giving up."""
    out[:] = np.nan
    for n, posture in enumerate((current, current + 1, current - 1)):
        if posture < 0 or posture > highest:
            continue
        u = table[posture, 0] - table[posture, 1] * (1.0 - resolve_effect * resolve)
        stance = hawkishness(posture)
        approval = 0.0
        for row in range(len(weight)):
            approval += weight[row] * (1.0 - abs(preferred[row] - stance))
        u += approval_weight * approval
        if posture > current:
            u -= backlash[posture]
        elif posture < current:
            u -= step_down
        out[n] = u
    approval = 0.0
    for row in range(len(weight)):
        approval += weight[row] * (1.0 - preferred[row])
    out[3] = quit_value + approval_weight * approval


class PrincipalLeader(Leader):
    """The leader of a side's principal: holds, climbs or descends the ladder, or quits
    (the challenger withdraws, the defender capitulates)."""

    def values(self) -> np.ndarray:
        """Utilities of hold, climb, descend and quit (NaN: out of reach) (`posture_values`)."""
        w = self.world
        p = w.params
        side = self.side
        rows = w.states.rows[self.index]
        out = np.empty(4)
        posture_values(
            outlook.rows(w, side),
            w.sides.posture[side],
            int(w.states.highest[self.index]),
            self.resolve,
            p.decisions.resolve_effect,
            w.publics.weight[rows],
            w.publics.preferred[rows],
            p.domestic.approval_weight,
            w.rungs.ladder_backlash,
            outlook.climb_down_face(w, side),
            outlook.quit_value(w, side),
            out,
        )
        return out

    def utilities(self) -> dict[Posture, float]:
        """Each option's utility: the side's prospect at that posture for this leader's
        resolve, with the approval it would bring, the backlash of climbing and the face lost
        stepping down; quitting is worth nothing of the issue, and more face."""
        return {
            kind: float(u)
            for kind, u in zip(POSTURES, self.values(), strict=True)
            if not np.isnan(u)
        }

    def policy_choice(self) -> Posture:
        """Its choice (`decisions.pick`): quitting only as a best response."""
        scale = self.temperature * self.stake
        uniform = self.model.random.random() if scale > 0.0 else 0.0
        return POSTURES[pick(self.values(), QUITTING, scale, uniform)]

    def carry_out(self, choice: Posture) -> None:
        w = self.world
        side = self.side
        if choice is Posture.CLIMB:
            escalation.climb(w, side, "escalates")
        elif choice is Posture.DESCEND:
            escalation.descend(w, side)
        elif choice is Posture.QUIT:
            if side == CHALLENGER:
                w.withdrawn = True
                w.log("withdrawal", f"{self.name} orders a withdrawal")
            else:
                w.capitulated = True
                w.log("capitulation", f"{self.name} capitulates")


class Commitment(Enum):
    HOLD = "hold"
    TIGHTEN = "tighten"
    EASE = "ease"
    LEAVE = "leave"
    REJOIN = "rejoin"


COMMITMENTS = tuple(Commitment)


class PartnerLeader(Leader):
    """A partner's leader: tightens, holds or eases its sanctions and aid, or breaks ranks
    (weighing its exposure, its publics and its name as an ally), and may rejoin."""

    def utilities(self) -> dict[Commitment, float]:
        """Each open option's utility (`negsim.mechanisms.cohesion.commitment_values`): the
        cause's value, less sanction and aid costs (pooled under burden sharing), plus expected
        approval, less distance from its partners (solidarity, scaled by trust), less fear of
        the enemy's posture, plus the terms of open threats; breaking ranks costs its name as
        an ally."""
        values = self._commitments()[3]
        row = values[cohesion.partner_row(self.world, self.index)]
        return {kind: float(row[k]) for k, kind in enumerate(Commitment) if not np.isnan(row[k])}

    def _commitments(self) -> tuple:
        w = self.world
        if not w.commitments or w.commitments[0] != w.tick:
            cohesion.value_commitments(w, self.model.random)
        return w.commitments

    def policy_choice(self) -> Commitment:
        """Its choice, made with every partner's (`cohesion.choose_commitments`)."""
        choices = self._commitments()[4]
        return COMMITMENTS[choices[cohesion.partner_row(self.world, self.index)]]

    def carry_out(self, choice: Commitment) -> None:
        w = self.world
        s = w.states
        i = self.index
        if choice is Commitment.LEAVE:
            s.defected[i] = True
            s.sanctions[i] = s.aid[i] = 0.0
            w.log("defection", f"{s.names[i]} breaks ranks (sanctions and aid cut)", "defections")
            return
        if choice is Commitment.REJOIN:
            s.defected[i] = False
            w.log("rejoin", f"{s.names[i]} rejoins its side's line", "rejoins")
        if choice is Commitment.HOLD:
            return
        step = w.clock.amount(w.params.decisions.step)
        delta = -step if choice is Commitment.EASE else step
        if Instrument.SANCTIONS in s.instruments[i]:
            s.sanctions[i] = clip01(s.sanctions[i] + delta)
        if Instrument.AID in s.instruments[i]:
            s.aid[i] = clip01(s.aid[i] + delta)


class Trade(Enum):
    HOLD = "hold"
    MORE = "trade more"
    LESS = "trade less"


TRADES = tuple(Trade)


@jitable
def trade_options(now: float, step: float) -> tuple[float, float, float]:
    """The trade each option (hold, more, less: `TRADES`) would leave a neutral at."""
    return now, clip01(now + step), clip01(now - step)


@kernel
def trade_values(
    now: float,
    step: float,
    worth: float,
    approval_weight: float,
    weight: np.ndarray,
    preferred: np.ndarray,
    out: np.ndarray,
) -> None:
    """A neutral's utilities of its `trade_options`: the trade kept, ``worth`` a unit, plus
    the approval its publics would give the policy it makes (one minus the trade)."""
    for k, trade in enumerate(trade_options(now, step)):
        closeness = 1.0 - np.abs(preferred - (1.0 - trade))
        out[k] = worth * trade + approval_weight * np.dot(weight, closeness)


class NeutralLeader(Leader):
    """A neutral state's leader: keeps, widens or narrows trade with the challenger."""

    def trades(self) -> list[float]:
        """The trade each option (hold, more, less: `TRADES`) would leave it at."""
        w = self.world
        return list(
            trade_options(
                float(w.states.trade[self.index]), w.clock.amount(w.params.decisions.step)
            )
        )

    def policy_choice(self) -> Trade:
        """Its choice (`trade_values`): a unit of trade is worth its exposure to the challenger
        less the coalition's cohesion, at its stake."""
        w = self.world
        p = w.params
        i = self.index
        rows = w.states.rows[i]
        exposure = w.states.exposure[i, w.sides.principal[CHALLENGER]]
        utilities = np.empty(3)
        trade_values(
            float(w.states.trade[i]),
            w.clock.amount(p.decisions.step),
            p.decisions.stake * (exposure - w.cohesion[DEFENDER]),
            p.domestic.approval_weight,
            w.publics.weight[rows],
            w.publics.preferred[rows],
            utilities,
        )
        return TRADES[self.choose(utilities.tolist())]

    def carry_out(self, choice: Trade) -> None:
        self.world.states.trade[self.index] = self.trades()[TRADES.index(choice)]


def leader_class(world: World, i: int) -> type[Leader]:
    """The kind of leader state ``i`` has."""
    if i in world.sides.principal:
        return PrincipalLeader
    if int(world.states.side[i]) <= DEFENDER:
        return PartnerLeader
    return NeutralLeader


__all__ = [
    "Commitment",
    "Leader",
    "NeutralLeader",
    "PartnerLeader",
    "Posture",
    "PrincipalLeader",
    "RungId",
    "Trade",
    "leader_class",
]
