"""M6 disinformation and M7 transparency (acoustic separation)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def allocate_effort(
    effort: float,
    susceptibility: np.ndarray,
    exposure: np.ndarray,
    weight: np.ndarray,
    focus: float,
) -> np.ndarray:
    """Split the aggressor's weekly effort across audiences.

    Audiences score by susceptibility times their state's exposure to the aggressor times their
    political weight; ``focus`` sharpens the split (0 spreads evenly, large aims at the top).
    """
    score = (susceptibility * exposure * weight) ** focus if focus > 0 else np.ones_like(weight)
    total = score.sum()
    if total <= 0.0:
        return np.zeros_like(score)
    return effort * score / total


def disinformation_shift(
    allocation: np.ndarray, susceptibility: np.ndarray, counter: float, p
) -> np.ndarray:
    """Dovish shift each audience's preferred policy takes this week (against sanctions and aid).

    Scaled by the number of audiences so that the same effort means the same total push
    whether a public is modelled as ten agents or ten thousand.
    """
    blunted = 1.0 - p.counter_efficacy * counter
    return p.efficacy * allocation * len(allocation) * susceptibility * blunted


def message_effects(
    stances: np.ndarray, audiences: Sequence[int], transparency: float, gain: float
) -> np.ndarray:
    """Change of support everywhere from tailored messages, one aimed at each of ``audiences``.

    Each audience gains ``gain`` from its own message. With transparency t every message also
    reaches every other audience with strength t: like-minded ones (close stance) are reassured
    too, opposed ones are put off (alignment runs from +1 at the same stance to -1 at the
    opposite). The effects of the messages add up.
    """
    audiences = np.asarray(audiences, dtype=np.intp)
    alignment = 1.0 - 2.0 * np.abs(stances[None, :] - stances[audiences][:, None])
    effect = transparency * gain * alignment  # one row per message
    effect[np.arange(len(audiences)), audiences] = gain
    return effect.sum(axis=0)
