"""Leaders: one per state (replaceable); each decides by expected utility and carries out its
own choice through the mechanisms (M11).

Utilities are in *issue units* (the whole contested issue is worth 1). Every leader first
`decide`s from the same information, then `act`s, so the order of acting does not change
what was chosen. A leader that leads its side also decides whether to threaten (M1); offers
are made in the negotiation phase (`negsim.mechanisms.bargaining`).
"""

from __future__ import annotations

import random
from enum import Enum
from typing import TYPE_CHECKING

import mesa
import numpy as np

from negsim.cast import Instrument, RungId
from negsim.compiled import jitable, kernel
from negsim.mechanisms import cohesion, escalation, threats
from negsim.mechanisms.decisions import clip01, logit_choice, logit_index, pick
from negsim.mechanisms.escalation import climb_down_cost, hawkishness
from negsim.world import CHALLENGER, DEFENDER

if TYPE_CHECKING:
    from negsim.world import World


PRINCIPAL, PARTNER, NEUTRAL = range(3)  # the kinds of leader (`Leader.KIND`)


class Leader(mesa.Agent):
    """A head of government: a view of its row of the world's leader arrays.

    Attributes:
        index: its state's index in the world.
        side: its state's side: 0 challenger, 1 defender, 2 neutral.
        leads: whether it leads its side's offers and threats.
        choice: what it decided this tick (carried out by `act`).
        threat: the threat it decided to issue this tick, if it leads its side.
    """

    KIND: int  # `PRINCIPAL`, `PARTNER` or `NEUTRAL`
    OPTIONS: tuple[Enum, ...]  # what it may choose, as its choices index them

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


@kernel
def principal_values(
    table: np.ndarray,
    postures: np.ndarray,
    principals: np.ndarray,
    highest: np.ndarray,
    resolve: np.ndarray,
    face_sensitivity: np.ndarray,
    humiliation: np.ndarray,
    face_on_table: float,
    starts: np.ndarray,
    stops: np.ndarray,
    weight: np.ndarray,
    preferred: np.ndarray,
    backlash: np.ndarray,
    quit: np.ndarray,
    params: np.ndarray,
    out: np.ndarray,
) -> None:
    """Both principals' `posture_values` into ``out[side]``, from the assessment's ``table``
    and ``quit`` values: stepping down costs the face of `climb_down_cost` (the face on the
    table eases the challenger's). ``params``: resolve effect, approval weight, climb-down
    face, off-ramp."""
    for k in range(2):
        i = principals[k]
        step_down = climb_down_cost(
            params[2],
            face_sensitivity[i],
            humiliation[i],
            face_on_table if k == 0 else 0.0,
            params[3],
        )
        posture_values(
            table[k, k, :, postures[1 - k]],
            postures[k],
            highest[i],
            resolve[i],
            params[0],
            weight[starts[k] : stops[k]],
            preferred[starts[k] : stops[k]],
            params[1],
            backlash,
            step_down,
            quit[k],
            out[k],
        )


def principal_inputs(world: World) -> tuple:
    """What `principal_values` reads of the world, in its order."""
    principals = world.roles()[0]
    found = world.cache.get("principal inputs")
    if found is None:
        p = world.params
        rows = [world.states.rows[i] for i in principals]
        found = world.cache["principal inputs"] = (
            np.array([r.start for r in rows], dtype=np.int64),
            np.array([r.stop for r in rows], dtype=np.int64),
            np.array(
                [
                    p.decisions.resolve_effect,
                    p.domestic.approval_weight,
                    p.escalation.climb_down_face,
                    p.escalation.offramp,
                ]
            ),
        )
    starts, stops, params = found
    leaders = world.leaders
    return (
        world.assessment.table,
        np.array(world.sides.posture, dtype=np.int64),
        principals,
        world.states.highest,
        leaders.resolve,
        leaders.face_sensitivity,
        leaders.humiliation,
        world.sides.face_on_table,
        starts,
        stops,
        world.publics.weight,
        world.publics.preferred,
        world.rungs.ladder_backlash,
        world.assessment.quit,
        params,
    )


class PrincipalLeader(Leader):
    """The leader of a side's principal: holds, climbs or descends the ladder, or quits
    (the challenger withdraws, the defender capitulates)."""

    KIND = PRINCIPAL
    OPTIONS = POSTURES

    def values(self) -> np.ndarray:
        """Utilities of hold, climb, descend and quit (NaN: out of reach) (`principal_values`)."""
        out = np.empty((2, 4))
        principal_values(*principal_inputs(self.world), out)
        return out[self.side]

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

    KIND = PARTNER
    OPTIONS = COMMITMENTS

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


@kernel
def neutral_values(
    neutrals: np.ndarray,
    trade: np.ndarray,
    exposure: np.ndarray,
    challenger: int,
    cohesion: float,
    starts: np.ndarray,
    stops: np.ndarray,
    weight: np.ndarray,
    preferred: np.ndarray,
    params: np.ndarray,
    out: np.ndarray,
) -> None:
    """Every neutral's `trade_values` into ``out``, one of ``neutrals`` a row: a unit of trade
    is worth its exposure to the challenger less the coalition's ``cohesion``, at its stake.
    ``params``: the step of trade, the stake, the approval weight."""
    for r in range(len(neutrals)):
        i = neutrals[r]
        trade_values(
            trade[i],
            params[0],
            params[1] * (exposure[i, challenger] - cohesion),
            params[2],
            weight[starts[r] : stops[r]],
            preferred[starts[r] : stops[r]],
            out[r],
        )


def neutral_inputs(world: World) -> tuple:
    """What `neutral_values` reads of the world, in its order."""
    found = world.cache.get("neutral inputs")
    if found is None:
        p = world.params
        rows = [world.states.rows[i] for i in world.sides.neutrals]
        found = world.cache["neutral inputs"] = (
            np.array([r.start for r in rows], dtype=np.int64),
            np.array([r.stop for r in rows], dtype=np.int64),
            np.array(
                [
                    world.clock.amount(p.decisions.step),
                    p.decisions.stake,
                    p.domestic.approval_weight,
                ]
            ),
        )
    starts, stops, params = found
    return (
        world.neutral_states(),
        world.states.trade,
        world.states.exposure,
        world.sides.principal[CHALLENGER],
        world.cohesion[DEFENDER],
        starts,
        stops,
        world.publics.weight,
        world.publics.preferred,
        params,
    )


class NeutralLeader(Leader):
    """A neutral state's leader: keeps, widens or narrows trade with the challenger."""

    KIND = NEUTRAL
    OPTIONS = TRADES

    def trades(self) -> list[float]:
        """The trade each option (hold, more, less: `TRADES`) would leave it at."""
        w = self.world
        return list(
            trade_options(
                float(w.states.trade[self.index]), w.clock.amount(w.params.decisions.step)
            )
        )

    def policy_choice(self) -> Trade:
        """Its choice (`neutral_values`)."""
        out = np.empty((len(self.world.sides.neutrals), 3))
        neutral_values(*neutral_inputs(self.world), out)
        return TRADES[self.choose(out[self.world.sides.neutrals.index(self.index)].tolist())]

    def carry_out(self, choice: Trade) -> None:
        self.world.states.trade[self.index] = self.trades()[TRADES.index(choice)]


# --- every leader at once ------------------------------------------------------------------


@kernel
def leader_options(
    principals: tuple, neutrals: tuple, partners: tuple, threatening: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple]:
    """Every leader's options, valued from the same information: the principals' postures
    (`principal_values`), the neutrals' trade (`neutral_values`), the partners' commitments
    (`cohesion.commitment_values`: levels and values), and each lead's threats
    (`threats.option_tables`), each from its inputs."""
    postures = np.empty((2, 4))
    principal_values(*principals, postures)
    trades = np.empty((len(neutrals[0]), 3))
    neutral_values(*neutrals, trades)
    levels = np.empty((len(partners[0]), 5))
    values = np.empty((len(partners[0]), 5))
    cohesion.commitment_values(*partners, levels, values)
    return postures, trades, levels, values, threats.option_tables(*threatening)


@kernel
def leader_choices(
    kinds: np.ndarray,
    rows: np.ndarray,
    postures: np.ndarray,
    trades: np.ndarray,
    values: np.ndarray,
    counts: np.ndarray,
    worth: np.ndarray,
    scales: np.ndarray,
    uniforms: np.ndarray,
    partner_scales: np.ndarray,
    partner_uniforms: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every leader's choice among its options valued by `leader_options`, as an index into
    its `Leader.OPTIONS` (``kinds``: `PRINCIPAL`, `PARTNER` or `NEUTRAL`; ``rows``: its row
    of its kind's options): the principals' postures (`decisions.pick`, quitting as a best
    response only), the partners' commitments (`cohesion.choose_commitments`, also returned
    by partner), the neutrals' trade (`decisions.logit_index`); and whether each lead
    threatens, its best threat against none (`decisions.logit_index`). ``scales`` and
    ``uniforms``: logit scales and random numbers of the principals' postures, the leads'
    threats, then the neutrals' trade (see `_draws`)."""
    commitment = cohesion.choose_commitments(values, partner_scales, partner_uniforms)
    choice = np.empty(len(kinds), dtype=np.int64)
    for i in range(len(kinds)):
        r = rows[i]
        if kinds[i] == PRINCIPAL:
            choice[i] = pick(postures[r], QUITTING, scales[r], uniforms[r])
        elif kinds[i] == PARTNER:
            choice[i] = commitment[r]
        else:
            choice[i] = logit_index(trades[r], scales[4 + r], uniforms[4 + r])
    threatens = np.zeros(2, dtype=np.bool_)
    for k in range(2):
        if counts[k]:
            against = np.array([0.0, worth[k]])
            threatens[k] = logit_index(against, scales[2 + k], uniforms[2 + k]) == 1
    return choice, commitment, threatens


def decide_together(world: World, leaders: list[Leader], rng: random.Random) -> None:
    """Every leader's `Leader.decide` at once, as each would make it from the same
    information and with the same random numbers in the same order (the partners' first,
    then each leader's in cast order): their options valued in one kernel
    (`leader_options`) and chosen in another (`leader_choices`)."""
    partner_uniforms, partner_scales = cohesion.commitment_draws(world, rng)
    postures, trades, levels, values, (tables, counts, best, worth) = leader_options(
        principal_inputs(world),
        neutral_inputs(world),
        cohesion.commitment_inputs(world),
        threats.option_inputs(world),
    )
    kinds, rows, order, scales = _draws(world)
    at_war = world.deal is None
    uniforms = np.zeros(len(scales))
    if at_war:
        threatening = counts.tolist()
        for slot in order:
            if slot < 2 or slot >= 4 or threatening[slot - 2]:
                uniforms[slot] = rng.random()
    choice, commitment, threatens = leader_choices(
        kinds,
        rows,
        postures,
        trades,
        values,
        counts,
        worth,
        scales,
        uniforms,
        partner_scales,
        partner_uniforms,
    )
    world.commitments = (world.tick, cohesion.partner_states(world), levels, values, commitment)
    chosen = choice.tolist() if at_war else [None] * len(leaders)
    for leader, option in zip(leaders, chosen, strict=True):
        leader.choice = None if option is None else leader.OPTIONS[option]
        leader.threat = None
    if at_war:
        for side, lead in enumerate(world.sides.lead):
            if threatens[side]:
                leaders[lead].threat = threats.Option.of(tables[side, best[side]].tolist())


def _draws(world: World) -> tuple[np.ndarray, np.ndarray, list[int], np.ndarray]:
    """Each state's kind of leader and its row of its kind's options (`leader_choices`); the
    slots of ``uniforms`` its leader draws, in cast order (its own policy, then its side's
    threat if it leads: a draw only when noisy); their logit scales (cached: fixed in a run).
    """
    found = world.cache.get("leader draws")
    if found is not None:
        return found
    d = world.params.decisions
    sides = world.sides
    principals = list(sides.principal)
    kinds, rows, order = [], [], []
    scales = [0.0] * (4 + len(sides.neutrals))
    for i in range(len(world.states.ids)):
        kind = leader_class(world, i).KIND
        temperature = float(world.leaders.temperature[i]) * d.temperature_scale
        stake = 1.0 if i in principals else d.stake
        if kind == PRINCIPAL:
            row = principals.index(i)
        elif kind == PARTNER:
            row = cohesion.partner_row(world, i)
        else:
            row = sides.neutrals.index(i)
        kinds.append(kind)
        rows.append(row)
        slots = [row if kind == PRINCIPAL else 4 + row if kind == NEUTRAL else -1]
        slots += [2 + k for k in (CHALLENGER, DEFENDER) if sides.lead[k] == i]
        for slot in slots:
            if slot >= 0:
                scales[slot] = temperature * stake
                if scales[slot] > 0.0:
                    order.append(slot)
    found = world.cache["leader draws"] = (
        np.array(kinds, dtype=np.int64),
        np.array(rows, dtype=np.int64),
        order,
        np.array(scales),
    )
    return found


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
