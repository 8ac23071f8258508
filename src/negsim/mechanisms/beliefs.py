"""M13: private information and signalling.

A leader's resolve (its tolerance of costs) is private. Nature draws it around the cast's
value, which is also everyone's prior. Each principal's leadership holds a belief about the
other principal's resolve on a grid of types and updates it by Bayes' rule from what it sees
the other do, using the same logit choice the other decides by (with at least a ``tremble``
of noise, since it cannot know everything the other weighs). Costly acts move beliefs; cheap
talk does not. A back channel adds a noisy direct reading each week.

The military balance is misjudged too: each side starts with a log-misjudgment of the
enemy's strength, which fighting corrects.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from negsim.compiled import kernel

if TYPE_CHECKING:
    from negsim.world import World

_NORMAL = NormalDist()


def type_grid(mean: float, spread: float, points: int) -> np.ndarray:
    """Equally likely types around a prior mean: quantiles of Normal(mean, spread), in [0, 1].

    With ``spread`` 0 every point is the mean: complete information.
    """
    z = np.array([_NORMAL.inv_cdf((k + 0.5) / points) for k in range(points)])
    return np.clip(mean + spread * z, 0.0, 1.0)


def uniform(points: int) -> np.ndarray:
    """A flat belief over ``points`` types."""
    return np.full(points, 1.0 / points)


@kernel
def bayes(probs: np.ndarray, likelihood: np.ndarray) -> np.ndarray:
    """Posterior over types: prior times likelihood, normalised; unchanged if nothing fits."""
    posterior = probs * likelihood
    total = posterior.sum()
    if not total > 1e-300:
        return probs.copy()
    return posterior / total


@kernel
def choice_likelihood(gaps: np.ndarray, scale: float) -> np.ndarray:
    """Chance each type makes a choice worth ``gaps`` more to it than the alternative."""
    out = np.empty(len(gaps))
    for t in range(len(gaps)):
        z = min(50.0, max(-50.0, gaps[t] / scale))
        out[t] = 1.0 / (1.0 + math.exp(-z))
    return out


@kernel
def signal_likelihood(values: np.ndarray, signal: float, sd: float) -> np.ndarray:
    """Likelihood of a noisy reading ``signal`` of the type, for each type."""
    return np.exp(-0.5 * ((values - signal) / sd) ** 2)


@kernel
def learn_from_signal(
    probs: np.ndarray, values: np.ndarray, signal: float, sd: float
) -> np.ndarray:
    """The posterior after a noisy reading ``signal`` of the type (`signal_likelihood`)."""
    return bayes(probs, signal_likelihood(values, signal, sd))


@kernel
def learn_from_choice(probs: np.ndarray, gaps: np.ndarray, scale: float) -> np.ndarray:
    """The posterior after seeing a choice worth ``gaps`` more to each type than the
    alternative (`choice_likelihood`)."""
    return bayes(probs, choice_likelihood(gaps, scale))


@kernel
def learn_resolve(
    probs: np.ndarray,
    values: np.ndarray,
    reading: float,
    sd: float,
    fight: np.ndarray,
    quit_value: float,
    tremble: float,
    truth: float,
) -> float:
    """A belief over the enemy principal's resolve (``probs`` on the grid ``values``), in
    place: from a noisy ``reading`` of it (`learn_from_signal`; none if ``sd`` is 0), then
    from seeing it fight on, each type's best ``fight`` value against ``quit_value``
    (`learn_from_choice`; none if ``fight`` is empty). Returns how far the belief's mean now
    is from the ``truth``."""
    posterior = probs
    if sd > 0.0:
        posterior = learn_from_signal(posterior, values, reading, sd)
    if len(fight):
        posterior = learn_from_choice(posterior, fight - quit_value, tremble)
    probs[:] = posterior
    return abs(np.dot(values, probs) - truth)


_NO_VALUES = np.empty(0)  # `learn_resolve`'s ``fight`` when nobody fights


@kernel
def follow_partners(
    believed: np.ndarray,
    partners: np.ndarray,
    defected: np.ndarray,
    commitment: np.ndarray,
    rate: float,
) -> None:
    """The belief in each of ``partners``' resolve moves at ``rate`` toward the commitment it
    shows (none once it has broken ranks), in place."""
    for j in partners:
        shown = 0.0 if defected[j] else commitment[j]
        believed[j] += rate * (shown - believed[j])


@kernel
def expected_choice(gaps: np.ndarray, scale: float, probs: np.ndarray) -> float:
    """The chance a party of unknown type makes a choice worth ``gaps`` more to each type than
    the alternative, averaged over a belief ``probs``."""
    chance = 0.0
    for t in range(len(gaps)):
        z = min(50.0, max(-50.0, gaps[t] / scale))
        chance += probs[t] / (1.0 + math.exp(-z))
    return chance


def expected(values: np.ndarray, probs: np.ndarray) -> float:
    """The mean type under a belief."""
    return float(values @ probs)


def corrected_misjudgment(misjudgment: float, intensity: float, rate: float) -> float:
    """A side's misjudgment of the enemy after a tick of fighting at ``intensity``.

    ``rate`` is the per-tick share corrected by full-scale fighting.
    """
    return misjudgment * (1.0 - rate * intensity)


# --- on the world ------------------------------------------------------------------------------


def update(world: World, rng: random.Random) -> None:
    """What each side learns this tick about the other (phase 1).

    Its estimate of the enemy coalition's cohesion and of each enemy partner's resolve move
    toward what it observes (with misperception a back channel reduces); a back channel gives
    a noisy reading of the enemy principal's resolve; fighting on instead of quitting is a
    costly signal of resolve; fighting corrects the misjudgment of the enemy's strength.
    """
    from negsim.mechanisms import outlook  # outlook values prospects; it imports this module

    p = world.params
    b = p.beliefs
    clock = world.clock
    channel = world.channel()
    noise = p.bargaining.misperception * (1.0 - channel)
    rate = clock.rate(b.cohesion_rate)
    s = world.states
    sides = world.sides
    commitments = s.commitments()
    for k in (0, 1):
        enemy = 1 - k
        seen = world.cohesion[enemy] + (rng.gauss(0.0, noise) if noise > 0 else 0.0)
        sides.belief_cohesion[k] += rate * (seen - sides.belief_cohesion[k])
        partners = world.coalition(enemy)
        if len(partners):
            follow_partners(sides.partner_resolve, partners, s.defected, commitments, rate)
    fighting = world.intensity > 0.0 and world.deal is None
    for k in (0, 1):
        enemy = 1 - k
        truth = world.leaders.resolve[sides.principal[enemy]]
        reading = sd = 0.0
        if channel > 0.0:
            sd = b.channel_signal / channel
            reading = truth + rng.gauss(0.0, sd)
        error = learn_resolve(
            sides.type_probs[k],
            sides.type_values[k],
            reading,
            sd,
            outlook.seen_fight_values(world, enemy) if fighting else _NO_VALUES,
            outlook.quit_value(world, enemy),
            b.tremble,
            truth,
        )
        world.misperception_sum += np.float64(error)  # a numpy number, as in the record before
        sides.misjudgment[k] *= 1.0 - clock.rate(b.military_learning) * world.intensity
    world.misperception_ticks += 2


def learn_costs(world: World, felt: list[float]) -> None:
    """Costs learned as they are felt: a side whose principal bears a loss this tick (``felt``,
    `sanctions.pay_costs`) closes ``cost_learning`` a week of the gap between the share of its
    costs of fighting on its leadership foresees (``world.cost_belief``, from
    ``1 - cost_optimism``) and all of them."""
    rate = world.clock.rate(world.params.beliefs.cost_learning)
    for side in range(2):  # challenger, defender
        belief = world.cost_belief[side]
        if felt[side] > 0.0 and belief < 1.0:
            world.cost_belief[side] = belief + rate * (1.0 - belief)
