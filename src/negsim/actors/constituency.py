"""Constituencies: Mesa agents whose traits live in shared arrays, updated as vectors.

A public may be modelled as thousands of agents; updating them one Python object at a time
would dominate a run. Each Constituency agent is a view onto row ``index`` of the model's
`Publics` arrays, so the data collector and the visualization read agents as usual while
the model updates every row at once.
"""

from __future__ import annotations

import mesa
import numpy as np

TRAITS = ("weight", "stance", "risk_tolerance", "pain_sensitivity", "susceptibility", "support")


class Publics:
    """Every constituency's traits and state as arrays (one row per agent, grouped by state)."""

    def __init__(self, rows: dict[str, np.ndarray], state_of: np.ndarray):
        self.weight = rows["weight"]
        self.stance = rows["stance"]
        self.risk_tolerance = rows["risk_tolerance"]
        self.pain_sensitivity = rows["pain_sensitivity"]
        self.susceptibility = rows["susceptibility"]
        self.support = rows["support"]
        self.state_of = state_of
        n = len(state_of)
        self.shift = np.zeros(n)  # accumulated disinformation
        self.weariness = np.zeros(n)  # moving average of pain felt
        self.preferred = self.stance.copy()  # policy wanted this tick


class Constituency(mesa.Agent):
    """A domestic constituency: hawks, doves, industry, nationalists, the public...

    Attributes are read from the model's `Publics` arrays (see the module docstring).
    """

    def __init__(self, model: mesa.Model, state_id: str, group: str, index: int):
        super().__init__(model)
        self.state_id = state_id
        self.group = group
        self.index = index

    def _row(self, name: str) -> float:
        return float(getattr(self.model.publics, name)[self.index])

    @property
    def weight(self) -> float:
        """Share of its state's political power."""
        return self._row("weight")

    @property
    def stance(self) -> float:
        """Preferred policy before costs, fear and disinformation: 0 dovish .. 1 hawkish."""
        return self._row("stance")

    @property
    def preferred(self) -> float:
        """Policy it wants this tick."""
        return self._row("preferred")

    @property
    def support(self) -> float:
        """Support for its leader's current policy (0..1)."""
        return self._row("support")

    @property
    def susceptibility(self) -> float:
        """Susceptibility to disinformation."""
        return self._row("susceptibility")
