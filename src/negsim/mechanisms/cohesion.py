"""M8: coalition cohesion, trust, defection and collapse."""

from __future__ import annotations

import numpy as np


def cohesion(commitments: np.ndarray, weights: np.ndarray, trust: np.ndarray) -> float:
    """Cohesion in [0, 1]: mean commitment, discounted by its dispersion and by mistrust.

    ``mean * (1 - 2 * sd) * mean_trust`` with economy weights: a coalition whose members all
    commit fully and trust each other has cohesion 1; one split down the middle has 0.
    """
    w = weights / weights.sum()
    mean = float(commitments @ w)
    sd = float(np.sqrt(((commitments - mean) ** 2) @ w))
    return max(0.0, min(1.0, mean * (1.0 - 2.0 * sd) * float(trust @ w)))


def trust_target(pains: np.ndarray) -> np.ndarray:
    """Trust each member would settle at given how unevenly the coalition's pain falls.

    A member bearing more than the average pain trusts its partners less (in proportion to
    its excess over the mean, relative to the mean); one bearing less is not rewarded.
    """
    mean = float(pains.mean())
    if mean <= 0.0:
        return np.ones_like(pains)
    return np.clip(1.0 - np.maximum(0.0, pains - mean) / mean, 0.0, 1.0)


def update_trust(trust: np.ndarray, pains: np.ndarray, wedge: np.ndarray, p) -> np.ndarray:
    """Next week's trust: toward the level uneven pain allows, less what disinformation wedged."""
    target = 1.0 - p.unevenness * (1.0 - trust_target(pains))
    return np.clip(trust + p.trust_rate * (target - trust) - wedge, 0.0, 1.0)
