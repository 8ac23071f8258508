"""States: the parties to the crisis, as views of the world's per-state arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from negsim.cast import Instrument, Side

if TYPE_CHECKING:
    from negsim.actors.leader import Leader
    from negsim.world import World

SIDES = (Side.CHALLENGER, Side.DEFENDER, Side.NEUTRAL)


class State(mesa.Agent):
    """A state: its strength, its economy, its policy and its slice of the public.

    Every attribute reads row ``index`` of the world's arrays, so it is always current.
    """

    def __init__(self, model: mesa.Model, world: World, index: int):
        super().__init__(model)
        self.world = world
        self.index = index
        self.sid = world.states.ids[index]
        self.name = world.states.names[index]
        self.side: Side = SIDES[int(world.states.side[index])]
        self.leader: Leader | None = None

    @property
    def principal(self) -> bool:
        """Whether it is its side's principal."""
        return self.index in self.world.sides.principal

    @property
    def lead(self) -> bool:
        """Whether it leads its side's offers and threats."""
        return self.index in self.world.sides.lead

    @property
    def instruments(self) -> frozenset[Instrument]:
        """What it may use."""
        return self.world.states.instruments[self.index]

    def _value(self, name: str) -> float:
        return float(getattr(self.world.states, name)[self.index])

    military = property(lambda self: self._value("military"), doc="military strength")
    economy = property(lambda self: self._value("economy"), doc="GDP, trillion USD")
    reserves = property(lambda self: self._value("reserves"), doc="share of annual GDP")
    sanctions = property(lambda self: self._value("sanctions"), doc="sanctions imposed (0..1)")
    aid = property(lambda self: self._value("aid"), doc="share of aid capacity delivered")
    trade = property(lambda self: self._value("trade"), doc="neutrals: trade kept (0..1)")
    health = property(lambda self: self._value("health"), doc="economic health, 1 = undamaged")
    cost = property(lambda self: self._value("cost"), doc="weekly loss, share of GDP")
    cumulative_cost = property(lambda self: self._value("cumulative_cost"), doc="trillion USD")
    trust = property(lambda self: self._value("trust"), doc="trust in its partners")
    defected = property(
        lambda self: bool(self.world.states.defected[self.index]), doc="whether it has broken ranks"
    )

    @property
    def commitment(self) -> float:
        """A partner's commitment to its side: the mean of the levels of its instruments."""
        return self.world.states.commitment(self.index)

    @property
    def posture(self) -> int | None:
        """Its side's rung, if it is a principal."""
        for side, principal in enumerate(self.world.sides.principal):
            if principal == self.index:
                return self.world.sides.posture[side]
        return None
