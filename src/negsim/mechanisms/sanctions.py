"""M5: sanctions, exposure, reserves and burden sharing."""

from __future__ import annotations

import numpy as np


def sanction_pressure(
    levels: np.ndarray, economies: np.ndarray, cohesion: float, leakage: float, p
) -> float:
    """Weekly loss (share of GDP) the coalition's sanctions would inflict on the aggressor.

    Each member's sanctions count by its share of the coalition's economy; low cohesion blunts
    them (loopholes, slow enforcement) and neutral trade leaks around them.
    """
    weight = economies / economies.sum()
    cohesion_factor = p.cohesion.effect_floor + (1.0 - p.cohesion.effect_floor) * cohesion
    return p.sanctions.efficacy * float(levels @ weight) * cohesion_factor * (1.0 - leakage)


def buffered_loss(pressure: float, reserves: float, buffer: float) -> float:
    """The part of a sanction loss that reaches the economy after reserves absorb the rest."""
    return pressure / (1.0 + buffer * reserves)


def sanctioner_costs(
    levels: np.ndarray, exposures: np.ndarray, economies: np.ndarray, burden_sharing: float, p
) -> np.ndarray:
    """Weekly loss (share of GDP) of each coalition member from the sanctions it imposes.

    A member loses in proportion to its sanctions and its exposure to the aggressor. Burden
    sharing pools that fraction of the losses (re-routed supply, transfers), so that every
    member bears the coalition's economy-weighted average instead.
    """
    own = p.self_cost * levels * exposures
    pooled = float(own @ economies) / float(economies.sum())
    return (1.0 - burden_sharing) * own + burden_sharing * pooled
