"""M9: domestic politics (preferred policy, support, approval, elections, unrest)."""

from __future__ import annotations

import math

import numpy as np


def preferred_policy(
    stance: np.ndarray,
    rally: np.ndarray,
    pain_sensitivity: np.ndarray,
    weariness: np.ndarray,
    risk_tolerance: np.ndarray,
    rung_share: float,
    shift: np.ndarray,
    fear: float,
) -> np.ndarray:
    """The policy (0 dovish .. 1 hawkish) each constituency wants this week.

    Its stance, raised by a rally after enemy threats, lowered by accumulated war weariness
    (as it is sensitive to pain), by fear of escalation (as it is risk-averse) and by the
    disinformation it absorbed.
    """
    want = (
        stance + rally - pain_sensitivity * weariness - fear * (1.0 - risk_tolerance) * rung_share
    )
    want -= shift
    np.maximum(want, 0.0, out=want)
    return np.minimum(want, 1.0, out=want)  # np.clip, without its per-call overhead


def support_target(preferred: np.ndarray, policy: np.ndarray) -> np.ndarray:
    """Support a constituency would give a policy: one minus the distance to what it wants."""
    return 1.0 - np.abs(preferred - policy)


def election_win_probability(approval: float, noise: float) -> float:
    """Chance an incumbent is re-elected: a logistic in approval around one half."""
    return 1.0 / (1.0 + math.exp(-(approval - 0.5) / noise))


def unrest_hazard(approval: float, threshold: float, rate: float) -> float:
    """Weekly chance an autocrat falls: zero above the threshold, ``rate`` at zero approval."""
    if approval >= threshold or threshold <= 0.0:
        return 0.0
    return rate * (threshold - approval) / threshold
