"""Leaders: one per state; each role's leader decides by expected utility (M11).

Utilities are in *issue units*: the value of the whole contested issue is 1. Costs enter as
cumulative losses (share of GDP) over the leader's horizon, weighted by loss aversion; risk
enters through the spread of the outcome, signed by the leader's (effective) risk preference.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import TYPE_CHECKING

import mesa

from negsim.cast import LeaderSpec
from negsim.mechanisms.battlefield import INTENSITY, aggressor_effort, control_drift
from negsim.mechanisms.decisions import (
    certainty_equivalent,
    clip01,
    effective_risk_preference,
    logit_choice,
)
from negsim.mechanisms.escalation import escalation_hazard, hawkishness
from negsim.mechanisms.threats import beta_mean, threat_value

if TYPE_CHECKING:
    from negsim.actors.state import State
    from negsim.model import CrisisModel


class Leader(mesa.Agent):
    """A head of government: traits, beliefs, memories and approval.

    Attributes:
        approval: weighted support of its constituencies for its policy (0..1).
        humiliation: personal humiliation (0..1); it matters for the aggressor's leader.
        belief_resolve: its estimate of each opponent's resolve, learned from their actions.
        belief_cohesion: its estimate of the coalition's cohesion.
        memory: for each opponent, how often it conceded to / stood firm against its threats.
        record: how often it carried out / bluffed on its own threats (its reputation).
    """

    model: CrisisModel

    def __init__(
        self,
        model: CrisisModel,
        state: State,
        spec: LeaderSpec,
        name: str | None = None,
        resolve: float | None = None,
        risk_preference: float | None = None,
    ):
        super().__init__(model)
        self.state = state
        self.spec = spec
        self.name = name or spec.name
        self.risk_preference = spec.risk_preference if risk_preference is None else risk_preference
        self.resolve = spec.resolve if resolve is None else resolve
        self.loss_aversion = spec.loss_aversion
        self.face_sensitivity = spec.face_sensitivity
        self.approval = 0.5
        self.humiliation = 0.0
        self.belief_resolve: dict[str, float] = {}
        self.belief_cohesion = 1.0
        self.memory: dict[str, list[float]] = {}
        self.record = [0.0, 0.0]
        self.since = model.tick
        state.leader = self

    @property
    def temperature(self) -> float:
        """Logit choice temperature (0 = best response)."""
        return self.spec.temperature * self.model.params.decisions.temperature_scale

    def policies(self) -> list[float]:
        """The policies (0 dovish .. 1 hawkish) of this tick's options, in `decide`'s order.

        The model prices them all in approval, for every leader at once
        (`CrisisModel.approvals`), and hands the approvals to `decide`.
        """
        raise NotImplementedError

    def risk_now(self, loss_frame: float) -> float:
        """Risk preference after humiliation and losses (prospect theory)."""
        p = self.model.params
        return effective_risk_preference(
            self.risk_preference,
            self.humiliation,
            loss_frame,
            p.humiliation.risk_shift,
            p.decisions.loss_risk,
        )

    def cost_in_issue_units(self, weekly_loss: float) -> float:
        """What a weekly loss (share of GDP) sustained over the horizon is worth, in issue units."""
        d = self.model.params.decisions
        return (
            self.loss_aversion
            * d.cost_weight
            * (1.0 - 0.5 * self.resolve)
            * d.horizon
            * weekly_loss
        )

    def success_belief(self, opponent: str) -> float:
        """Expected chance that ``opponent`` gives in to a threat: memory and perceived resolve."""
        conceded, stood = self.memory.get(opponent, (0.0, 0.0))
        remembered = beta_mean(conceded, stood, self.model.params.threats.prior)
        return 0.5 * remembered + 0.5 * (1.0 - self.belief_resolve.get(opponent, 0.5))

    def remember_answer(self, opponent: str, conceded: bool) -> None:
        """M2: note how an opponent answered a threat (shapes the value of the next one)."""
        counts = self.memory.setdefault(opponent, [0.0, 0.0])
        counts[0 if conceded else 1] += 1.0

    def reputation(self) -> float:
        """Share of its threats carried out, as others read its record."""
        return beta_mean(self.record[0], self.record[1], self.model.params.threats.prior)

    def choose(self, utilities: list[float]) -> int:
        """Pick an option by logit choice at this leader's temperature."""
        return logit_choice(utilities, self.temperature, self.model.random)

    def decide(self, approvals: list[float]) -> Enum:
        """Choose this tick's action, given the approval expected under each of `policies`."""
        raise NotImplementedError


class AggressorAction(Enum):
    HOLD = "hold"
    ESCALATE = "escalate"
    DEESCALATE = "de-escalate"
    THREATEN = "threaten"
    WITHDRAW = "withdraw"


class AggressorLeader(Leader):
    """The aggressor's leader: climbs or descends the ladder, threatens, or withdraws."""

    def loss_frame(self) -> float:
        """How far the aggressor is below its best control so far (its reference point)."""
        return min(1.0, 5.0 * max(0.0, self.model.peak_control - self.model.control))

    def outlook(self, rung: int) -> float:
        """Certainty equivalent (issue units) of fighting on at ``rung`` over the horizon (M10)."""
        return self.outlooks([rung])[0]

    def outlooks(self, rungs: list[int]) -> list[float]:
        """Certainty equivalent (issue units) of fighting on at each of ``rungs`` (M10).

        Projected control, minus the weighted cost of sanctions, war and readiness, minus the
        expected catastrophe, plus the coercion expected from frightening a divided coalition,
        minus the expected cost of defying the coalition's open threats.
        """
        m = self.model
        p = m.params
        state = self.state
        h = p.decisions.horizon
        threats = m.threats_against(state.sid)
        step_loss = m.sanction_step_loss() if threats else 0.0
        cost_weight = self.cost_in_issue_units(1.0)
        coercion = p.escalation.coercion * (1.0 - self.belief_cohesion)
        aims = p.decisions.aims * self.resolve
        noise = p.battlefield.noise * math.sqrt(h)
        risk = self.risk_now(self.loss_frame())
        values = []
        for rung in rungs:
            effort = aggressor_effort(state.military, state.health, rung)
            drift = control_drift(effort, m.target_effort, p.battlefield.speed, rung)
            projected = clip01(m.control + h * drift)
            weekly = m.sanction_loss + p.sanctions.war_cost * INTENSITY[rung]
            weekly += p.sanctions.readiness_cost if rung >= 1 else 0.0
            for threat in threats:
                if rung >= threat.rung:
                    weekly += threat.credibility * step_loss
            hazard = escalation_hazard(rung, self.humiliation, m.back_channel, p.escalation)
            catastrophe = h * hazard * p.escalation.catastrophe_penalty
            mean = (
                projected
                + aims * (1.0 - projected)
                - cost_weight * weekly
                - catastrophe
                + coercion * (rung - m.rung)
            )
            spread = noise * (INTENSITY[rung] > 0) + catastrophe
            values.append(certainty_equivalent(mean, spread, risk, p.decisions.risk_weight))
        return values

    def reservation(self) -> float:
        """The least share of the issue it would settle for now: the value of fighting on."""
        return self.outlook(self.model.rung)

    def face_cost(self) -> float:
        """Face lost by backing down in public, larger when already humiliated."""
        return (
            self.model.params.decisions.face_weight
            * self.face_sensitivity
            * (1.0 + self.humiliation)
        )

    def policies(self) -> list[float]:
        """Hold, escalate, de-escalate, withdraw."""
        rung = self.model.rung
        return [
            hawkishness(rung),
            hawkishness(min(rung + 1, 4)),
            hawkishness(max(rung - 1, 0)),
            0.0,
        ]

    def decide(self, approval: list[float]) -> AggressorAction:
        m = self.model
        p = m.params
        aw = p.domestic.approval_weight
        rungs = [m.rung, *(r for r in (m.rung + 1, m.rung - 1) if 0 <= r <= 4)]
        outlook = dict(zip(rungs, self.outlooks(rungs), strict=True))
        face = self.face_cost()
        hold = outlook[m.rung] + aw * approval[0]
        options = {AggressorAction.HOLD: hold}
        if m.rung < 4:
            options[AggressorAction.ESCALATE] = outlook[m.rung + 1] + aw * approval[1]
        if m.rung > 0:
            options[AggressorAction.DEESCALATE] = outlook[m.rung - 1] + aw * approval[2] - face
        target = None if m.threats_by(self.state.sid) else m.threat_target()
        if target is not None:
            relief = self.cost_in_issue_units(m.sanction_relief(target, p.threats.ease_step))
            options[AggressorAction.THREATEN] = hold + threat_value(
                self.success_belief(target.sid), relief, 0.5 * face
            )
        options[AggressorAction.WITHDRAW] = aw * approval[3] - 2.0 * face
        actions = list(options)
        return actions[self.choose(list(options.values()))]


class TargetAction(Enum):
    RESIST = "resist"
    CAPITULATE = "capitulate"


class TargetLeader(Leader):
    """The target's leader: resists, negotiates, or capitulates."""

    def loss_frame(self) -> float:
        """How far the aggressor has advanced beyond the least control seen (target's reference)."""
        return min(1.0, 5.0 * max(0.0, self.model.control - self.model.least_control))

    def reservation(self) -> float:
        """Certainty equivalent of resisting on: the share of the issue it expects to keep, less costs."""
        m = self.model
        p = m.params
        h = p.decisions.horizon
        drift = control_drift(m.aggressor_effort, m.target_effort, p.battlefield.speed, m.rung)
        projected = clip01(m.control + h * drift)
        aims = p.decisions.aims * self.resolve * projected
        mean = 1.0 - projected + aims - self.cost_in_issue_units(self.state.cost)
        spread = p.battlefield.noise * math.sqrt(h) * (INTENSITY[m.rung] > 0)
        return certainty_equivalent(
            mean, spread, self.risk_now(self.loss_frame()), p.decisions.risk_weight
        )

    def policies(self) -> list[float]:
        """Resist, capitulate."""
        return [1.0, 0.0]

    def decide(self, approvals: list[float]) -> TargetAction:
        p = self.model.params
        aw = p.domestic.approval_weight
        face = p.decisions.face_weight * self.face_sensitivity
        resist, capitulate = approvals
        utilities = [self.reservation() + aw * resist, -face + aw * capitulate]
        return TARGET_ACTIONS[self.choose(utilities)]


TARGET_ACTIONS = tuple(TargetAction)


class CoalitionAction(Enum):
    HOLD = "hold"
    TIGHTEN = "tighten"
    EASE = "ease"


COALITION_ACTIONS = tuple(CoalitionAction)
STEP = 0.1  # policy change of one tightening or easing


class CoalitionLeader(Leader):
    """A coalition member's leader: tightens, holds or eases sanctions and aid."""

    def policies(self) -> list[float]:
        """Commitment under hold, tighten, ease (kept for this tick's `decide`)."""
        current = self.state.commitment
        self._options = [clip01(current), clip01(current + STEP), clip01(current - STEP)]
        return self._options

    def values_of_commitment(
        self, levels: list[float], current: float, partners: float, approvals: list[float]
    ) -> list[float]:
        """Utility of moving the state's commitment from ``current`` to each of ``levels``.

        ``partners`` is the partners' mean commitment (`CrisisModel.partners_commitments`) and
        ``approvals`` the approval the leader expects at each level.

        The cause's value, minus sanction and aid costs (pooled under burden sharing), plus
        expected approval, minus distance from partners (solidarity, scaled by trust), minus
        fear of an escalating aggressor (as risk-averse), plus the terms of open threats.
        """
        m = self.model
        p = m.params
        state = self.state
        exposure = m.effective_exposure(state)
        self_cost, aid_cost = p.sanctions.self_cost, p.sanctions.aid_cost
        stake = p.decisions.stake * self.resolve
        cost_weight = self.cost_in_issue_units(1.0)
        approval_weight = p.domestic.approval_weight
        solidarity = p.cohesion.solidarity * state.trust
        fear = p.escalation.coercion * (1.0 - self.risk_preference) * max(0, m.rung - 2)
        values = [
            stake * level
            - cost_weight * (self_cost * level * exposure + aid_cost * level)
            + approval_weight * approval
            - solidarity * abs(level - partners)
            - fear * level
            for level, approval in zip(levels, approvals, strict=True)
        ]
        for threat in m.threats_against(state.sid) if m.threats else ():
            defiance = threat.credibility * p.threats.damage * (1.0 - self.risk_preference)
            for i, level in enumerate(levels):
                if level >= current:
                    values[i] -= defiance
                else:
                    values[i] += p.threats.concession_bias
        return values

    def decide(self, approvals: list[float], partners: float) -> CoalitionAction:
        """Choose, given the approvals of `policies` and the partners' mean commitment."""
        current = self.state.commitment
        utilities = self.values_of_commitment(self._options, current, partners, approvals)
        return COALITION_ACTIONS[self.choose(utilities)]

    def consider_threat(self) -> bool:
        """Whether the coalition's lead issues a threat: de-escalate, or sanctions tighten."""
        m = self.model
        p = m.params
        aggressor = m.aggressor.sid
        cost = self.cost_in_issue_units(
            p.sanctions.self_cost * p.threats.sanction_step * m.effective_exposure(self.state)
        )
        gain = p.decisions.stake * self.resolve * 0.25
        value = threat_value(self.success_belief(aggressor), gain, cost)
        return self.choose([0.0, value]) == 1


class NeutralAction(Enum):
    HOLD = "hold"
    TRADE_MORE = "trade more"
    TRADE_LESS = "trade less"


NEUTRAL_ACTIONS = tuple(NeutralAction)


class NeutralLeader(Leader):
    """A neutral state's leader: keeps, widens or narrows trade with the aggressor."""

    def _trades(self) -> list[float]:
        """Trade kept with the aggressor under hold, trade more, trade less."""
        trade = self.state.trade
        return [clip01(trade), clip01(trade + STEP), clip01(trade - STEP)]

    def policies(self) -> list[float]:
        return [1.0 - trade for trade in self._trades()]

    def decide(self, approvals: list[float]) -> NeutralAction:
        m = self.model
        p = m.params
        exposure = self.state.spec.exposure.get(m.aggressor.sid, 0.0)
        trades = self._trades()
        utilities = [
            p.decisions.stake * (exposure - m.cohesion) * trade + p.domestic.approval_weight * a
            for trade, a in zip(trades, approvals, strict=True)
        ]
        return NEUTRAL_ACTIONS[self.choose(utilities)]


LEADER_CLASSES = {
    "aggressor": AggressorLeader,
    "target": TargetLeader,
    "coalition": CoalitionLeader,
    "neutral": NeutralLeader,
}
