"""M8: coalition cohesion, trust, defection and collapse.

Coalitions have a handful of members, so these work on plain sequences of floats (lists or
arrays): for a few numbers, Python arithmetic is faster than numpy's per-call overhead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from negsim.mechanisms.decisions import clip01


def cohesion(
    commitments: Sequence[float], shares: Sequence[float], trust: Sequence[float]
) -> float:
    """Cohesion in [0, 1]: mean commitment, discounted by its dispersion and by mistrust.

    ``mean * (1 - 2 * sd) * mean_trust`` weighted by the members' ``shares`` of the coalition's
    economy (they sum to one): a coalition whose members all commit fully and trust each other
    has cohesion 1; one split down the middle has 0.
    """
    mean = sum([c * x for c, x in zip(commitments, shares, strict=True)])
    sd = math.sqrt(sum([(c - mean) ** 2 * x for c, x in zip(commitments, shares, strict=True)]))
    mean_trust = sum([t * x for t, x in zip(trust, shares, strict=True)])
    return max(0.0, min(1.0, mean * (1.0 - 2.0 * sd) * mean_trust))


def trust_target(pains: Sequence[float]) -> list[float]:
    """Trust each member would settle at given how unevenly the coalition's pain falls.

    A member bearing more than the average pain trusts its partners less (in proportion to
    its excess over the mean, relative to the mean); one bearing less is not rewarded.
    """
    mean = sum(pains) / len(pains)
    if mean <= 0.0:
        return [1.0] * len(pains)
    return [clip01(1.0 - max(0.0, x - mean) / mean) for x in pains]


def update_trust(
    trust: Sequence[float], pains: Sequence[float], wedge: Sequence[float], p
) -> list[float]:
    """Next week's trust: toward the level uneven pain allows, less what disinformation wedged."""
    return [
        clip01(t + p.trust_rate * ((1.0 - p.unevenness * (1.0 - a)) - t) - w)
        for t, a, w in zip(trust, trust_target(pains), wedge, strict=True)
    ]
