"""M11: choosing among actions by expected utility with bounded rationality."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence


def clip01(value: float) -> float:
    """``value`` clamped to [0, 1], exactly as ``min(1.0, max(0.0, value))`` but cheaper."""
    if not value > 0.0:  # also NaN, as max(0.0, nan) gives
        return 0.0
    return 1.0 if value > 1.0 else value


def certainty_equivalent(
    mean: float, spread: float, risk_preference: float, weight: float
) -> float:
    """Value of a lottery with a given mean and spread to a leader with a risk preference.

    A risk-neutral leader (0.5) values it at its mean; a risk-averse one (0) subtracts
    ``weight * spread``; a risk-acceptant one (1) adds it (mean-spread utility).
    """
    return mean + weight * (2.0 * risk_preference - 1.0) * spread


def effective_risk_preference(
    base: float, humiliation: float, loss_frame: float, humiliation_shift: float, loss_shift: float
) -> float:
    """Risk preference after humiliation and losses push a leader toward gambling (prospect theory)."""
    return clip01(base + humiliation_shift * humiliation + loss_shift * loss_frame)


def logit_choice(utilities: Sequence[float], temperature: float, rng: random.Random) -> int:
    """Index of the chosen action: softmax over utilities / temperature; 0 is a best response.

    Ties in a best response go to the first action listed, so callers list the status quo first.
    """
    best = max(utilities)
    if temperature <= 0.0:
        return utilities.index(best)
    weights = [math.exp((u - best) / temperature) for u in utilities]
    pick = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        pick -= w
        if pick < 0.0:
            return i
    return len(weights) - 1


def accept_probability(value: float, reservation: float, temperature: float) -> float:
    """Chance a leader takes a sure ``value`` over continuing, worth ``reservation`` to it."""
    gap = value - reservation
    if temperature <= 0.0:
        return 1.0 if gap >= 0.0 else 0.0
    z = max(-50.0, min(50.0, gap / temperature))
    return 1.0 / (1.0 + math.exp(-z))
