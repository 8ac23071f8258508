"""Constituencies: Mesa agents whose traits live in the world's `Publics` arrays.

A public may be modelled as thousands of agents; updating them one Python object at a time
would dominate a run. Each Constituency agent is a view onto row ``index`` of the arrays, so
the data collector and the visualization read agents as usual while the mechanisms update
every row at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from negsim.world import World


class Constituency(mesa.Agent):
    """A domestic constituency: hawks, doves, industry, nationalists, the public..."""

    def __init__(self, model: mesa.Model, world: World, state: int, group: str, index: int):
        super().__init__(model)
        self.world = world
        self.state_id = world.states.ids[state]
        self.group = group
        self.index = index

    def _row(self, name: str) -> float:
        return float(getattr(self.world.publics, name)[self.index])

    weight = property(lambda self: self._row("weight"), doc="share of its state's power")
    stance = property(lambda self: self._row("stance"), doc="0 dovish .. 1 hawkish")
    preferred = property(lambda self: self._row("preferred"), doc="policy it wants now")
    support = property(lambda self: self._row("support"), doc="support for its leader (0..1)")
    susceptibility = property(lambda self: self._row("susceptibility"), doc="to disinformation")
