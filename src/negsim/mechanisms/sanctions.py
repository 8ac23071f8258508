"""M5: sanctions, exposure, reserves and burden sharing.

Levels, economies and exposures are per coalition member: plain sequences of a few floats.
"""

from __future__ import annotations

from collections.abc import Sequence


def sanction_pressure(
    levels: Sequence[float], shares: Sequence[float], cohesion: float, leakage: float, p
) -> float:
    """Weekly loss (share of GDP) the coalition's sanctions would inflict on the aggressor.

    Each member's sanctions count by its share of the coalition's economy (``shares`` sum to
    one); low cohesion blunts them (loopholes, slow enforcement) and neutral trade leaks
    around them.
    """
    level = sum([x * share for x, share in zip(levels, shares, strict=True)])
    cohesion_factor = p.cohesion.effect_floor + (1.0 - p.cohesion.effect_floor) * cohesion
    return p.sanctions.efficacy * level * cohesion_factor * (1.0 - leakage)


def buffered_loss(pressure: float, reserves: float, buffer: float) -> float:
    """The part of a sanction loss that reaches the economy after reserves absorb the rest."""
    return pressure / (1.0 + buffer * reserves)


def sanctioner_costs(
    levels: Sequence[float],
    exposures: Sequence[float],
    economies: Sequence[float],
    burden_sharing: float,
    p,
) -> list[float]:
    """Weekly loss (share of GDP) of each coalition member from the sanctions it imposes.

    A member loses in proportion to its sanctions and its exposure to the aggressor. Burden
    sharing pools that fraction of the losses (re-routed supply, transfers), so that every
    member bears the coalition's economy-weighted average instead.
    """
    own = [p.self_cost * x * e for x, e in zip(levels, exposures, strict=True)]
    pooled = sum(o * e for o, e in zip(own, economies, strict=True)) / sum(economies)
    return [(1.0 - burden_sharing) * o + burden_sharing * pooled for o in own]
