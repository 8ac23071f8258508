"""M11: choosing among actions by expected utility with bounded rationality.

Utilities are in issue units (the whole contested issue is worth 1). The logit temperature is
relative to the chooser's stakes: utility differences are divided by ``temperature * stake``,
so a leader with a small stake in the crisis is not made noisier by it, and choice noise is
never as large as the differences a leader's situation creates between its options.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np

from negsim.compiled import jitable, kernel


@jitable
def clip01(value: float) -> float:
    """``value`` clamped to [0, 1], exactly as ``min(1.0, max(0.0, value))`` but cheaper."""
    if not value > 0.0:  # also NaN, as max(0.0, nan) gives
        return 0.0
    return 1.0 if value > 1.0 else value


@jitable
def logistic(z: float) -> float:
    """The logistic function, safe for large arguments."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-min(z, 700.0)))
    e = math.exp(max(z, -700.0))
    return e / (1.0 + e)


@jitable
def certainty_equivalent(
    mean: float, spread: float, risk_preference: float, weight: float
) -> float:
    """Value of a lottery with a given mean and spread to a leader with a risk preference.

    A risk-neutral leader (0.5) values it at its mean; a risk-averse one (0) subtracts
    ``weight * spread``; a risk-acceptant one (1) adds it (mean-spread utility).
    """
    return mean + weight * (2.0 * risk_preference - 1.0) * spread


@jitable
def effective_risk_preference(
    base: float, humiliation: float, loss_frame: float, humiliation_shift: float, loss_shift: float
) -> float:
    """Risk preference after humiliation and losses push a leader toward gambling (prospect theory)."""
    return clip01(base + humiliation_shift * humiliation + loss_shift * loss_frame)


def logit_choice(
    utilities: Sequence[float], temperature: float, stake: float, rng: random.Random
) -> int:
    """Index of the chosen option: softmax of utilities over ``temperature * stake``.

    Temperature 0 is a best response, ties going to the first option listed, so callers list
    the status quo first. A random number is drawn only when the temperature is positive.
    """
    scale = temperature * stake
    return logit_index(utilities, scale, 0.0 if scale <= 0.0 else rng.random())


@jitable
def logit_index(utilities: Sequence[float], scale: float, uniform: float) -> int:
    """The option a logit choice at ``scale`` picks with the random number ``uniform``
    (`logit_choice`): at ``scale`` 0 the best, the first of equals (`logit_pick` else)."""
    if scale <= 0.0:
        best = 0
        for k in range(len(utilities)):
            if utilities[k] > utilities[best]:
                best = k
        return best
    return logit_pick(utilities, scale, uniform)


@jitable
def logit_pick(utilities: Sequence[float], scale: float, uniform: float) -> int:
    """The option a logit choice at ``scale`` (positive) picks with the random number
    ``uniform`` (`logit_choice`). The weights are summed as Python's `sum` adds floats
    (`python_sum`), so a kernel picks exactly as plain Python does."""
    best = utilities[0]
    for u in utilities:
        if u > best:
            best = u
    weights = [math.exp((u - best) / scale) for u in utilities]
    target = uniform * python_sum(weights)
    for k in range(len(weights)):
        target -= weights[k]
        if target < 0.0:
            return k
    return len(weights) - 1


@jitable
def python_sum(values: Sequence[float]) -> float:
    """The sum of ``values`` as Python's built-in `sum` adds floats (Neumaier's compensated
    summation, since Python 3.12), for kernels that must add exactly as plain Python."""
    total = compensation = 0.0
    for value in values:
        added = total + value
        if abs(total) >= abs(value):
            compensation += (total - added) + value
        else:
            compensation += (value - added) + total
        total = added
    if compensation != 0.0 and math.isfinite(compensation):
        total += compensation
    return total


@kernel
def pick(utilities: np.ndarray, irreversible: np.ndarray, scale: float, uniform: float) -> int:
    """Index of the chosen option among ``utilities`` (NaN: not open; the status quo first).

    An irreversible option (quitting, breaking ranks) is taken only as a best response: a
    repeated noisy choice would otherwise take it sooner or later whenever it is close, so
    noise alone would end crises. The others are chosen by logit at ``scale`` (temperature
    times stake; 0 is a best response, ties to the first) with the random number ``uniform``.
    """
    best = -np.inf
    best_routine = -np.inf
    first_best = -1
    for k in range(len(utilities)):
        u = utilities[k]
        if np.isnan(u):
            continue
        if u > best:
            best = u
        if not irreversible[k] and u > best_routine:
            best_routine = u
            first_best = k
    for k in range(len(utilities)):
        u = utilities[k]
        if irreversible[k] and not np.isnan(u) and u >= best and u > best_routine:
            return k
    if scale <= 0.0:
        return first_best
    total = 0.0
    for k in range(len(utilities)):
        if not irreversible[k] and not np.isnan(utilities[k]):
            total += math.exp((utilities[k] - best_routine) / scale)
    target = uniform * total
    last = first_best
    for k in range(len(utilities)):
        if irreversible[k] or np.isnan(utilities[k]):
            continue
        target -= math.exp((utilities[k] - best_routine) / scale)
        last = k
        if target < 0.0:
            return k
    return last


def accept_probability(value: float, reservation: float, scale: float) -> float:
    """Chance a leader takes a sure ``value`` over continuing, worth ``reservation`` to it.

    ``scale`` is the leader's temperature times its stake; 0 is a best response (a tie accepts).
    """
    gap = value - reservation
    if scale <= 0.0:
        return 1.0 if gap >= 0.0 else 0.0
    return logistic(gap / scale)


@jitable
def cost_in_issue_units(
    weekly_loss: float,
    weeks: float,
    cost_weight: float,
    loss_aversion: float,
    resolve: float,
    resolve_effect: float,
) -> float:
    """What a weekly loss (share of GDP) sustained for ``weeks`` is worth, in issue units.

    Losses weigh by loss aversion relative to the typical 2.25 of prospect theory; a resolved
    leader tolerates a share ``resolve_effect * resolve`` of them.
    """
    tolerance = 1.0 - resolve_effect * resolve
    return cost_weight * (loss_aversion / 2.25) * tolerance * weeks * weekly_loss
