"""States: the parties to the crisis and their policies."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from negsim.cast import Regime, Role, StateSpec
from negsim.mechanisms.decisions import clip01
from negsim.mechanisms.escalation import hawkishness

if TYPE_CHECKING:
    from negsim.actors.leader import Leader


class State(mesa.Agent):
    """A state: its strength, its economy, its policy and its slice of the public.

    Policy variables: ``sanctions`` (on the aggressor) and ``aid`` (share of aid capacity
    delivered) for coalition members, ``trade`` kept with the aggressor for neutrals,
    ``resistance`` for the target. The aggressor's policy is the model's escalation rung.
    """

    def __init__(self, model: mesa.Model, sid: str, spec: StateSpec, index: int, rows: slice):
        super().__init__(model)
        self.sid = sid
        self.spec = spec
        self.index = index
        self.name = spec.name
        self.role: Role = spec.role
        self.military = spec.military
        self.economy = spec.economy
        self.regime: Regime = spec.regime
        self.reserves = spec.reserves
        self.sanctions = spec.sanctions
        self.aid = spec.aid
        self.trade = spec.trade
        self.resistance = 1.0
        self.health = 1.0  # economic health, 1 = undamaged
        self.cost = 0.0  # loss this tick, share of GDP
        self.pain = 0.0  # what its publics felt this tick
        self.cumulative_cost = 0.0  # trillion USD
        self.trust = 1.0  # in its coalition partners
        self.rally = 0.0
        self.defected = False
        self.rows = rows  # its constituencies' rows in the model's Publics
        self.leader: Leader | None = None

    @property
    def commitment(self) -> float:
        """Commitment to the coalition: the mean of its sanction and aid levels."""
        return 0.5 * (self.sanctions + self.aid)

    @property
    def policy(self) -> float:
        """How hawkish its current policy is (0..1), as its constituencies judge it."""
        if self.role is Role.COALITION:
            return self.commitment
        if self.role is Role.AGGRESSOR:
            return hawkishness(self.model.rung)
        if self.role is Role.TARGET:
            return self.resistance
        return 1.0 - self.trade

    def adjust_commitment(self, step: float) -> None:
        """Raise (or lower) sanctions and aid together by ``step``."""
        self.sanctions = clip01(self.sanctions + step)
        self.aid = clip01(self.aid + step)
