"""M3 face-saving offers and back channels, M10 leverage, and two-level ratification."""

from __future__ import annotations

import numpy as np


def aggressor_deal_value(
    x: float, face: float, face_sensitivity: float, face_value: float
) -> float:
    """What a deal (x, face) is worth to the aggressor's leader, in issue units."""
    return x + face_value * face_sensitivity * face


def target_deal_value(x: float) -> float:
    """What a deal is worth to the target's side: the share of the issue it keeps."""
    return 1.0 - x


def offer_humiliation(public: bool, x: float, p) -> float:
    """Humiliation a rejected offer inflicts on the aggressor leader.

    A private offer (back channel) inflicts none; a public one, in proportion to how far it
    falls below splitting the issue.
    """
    return p.public_insult * max(0.0, 0.5 - x) * 2.0 if public else 0.0


def constituency_verdicts(
    deal_value: float | np.ndarray, preferred: np.ndarray, demand: float, softness: float
) -> np.ndarray:
    """Each constituency's approval of a deal worth ``deal_value`` to its side.

    ``deal_value`` is one number, or one per constituency when several states judge at once.
    A constituency wanting policy ``preferred`` (0 dovish .. 1 hawkish) insists on
    ``preferred * demand`` of the issue; approval is a logistic around that bar.
    """
    z = (deal_value - preferred * demand) / softness
    np.maximum(z, -50.0, out=z)  # np.clip, without its per-call overhead
    np.minimum(z, 50.0, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    return np.divide(1.0, z, out=z)


def ratifications(
    weights: np.ndarray, verdicts: np.ndarray, starts: np.ndarray, threshold: float
) -> list[bool]:
    """Which states ratify: those whose constituencies' weighted approval reaches the threshold.

    The rows of several states are judged at once; each state's rows begin at ``starts``.
    """
    approval = np.add.reduceat(verdicts * weights, starts) / np.add.reduceat(weights, starts)
    return (approval >= threshold).tolist()
