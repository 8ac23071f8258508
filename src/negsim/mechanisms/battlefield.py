"""M10 and M12 (conquest path): military effort, the movement of control, the fighting outlook.

Control ``c`` is the challenger's share of the contested ground. Each principal's own forces
fight at the crisis intensity (the intensity of the higher of the two sides' postures); a
partner with the force instrument adds the strength it projects while its own side's posture
is at limited force or above; aid adds effort in proportion to what is delivered.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from negsim.compiled import jitable
from negsim.mechanisms.decisions import clip01

if TYPE_CHECKING:
    from negsim.world import World


@jitable
def side_effort(
    own: float,
    aid: float,
    projected: float,
    aid_efficiency: float,
    crisis_intensity: float,
    posture_intensity: float,
) -> float:
    """A side's fighting effort: its principal's strength and the aid it receives, engaged at
    the crisis intensity, plus the force its partners project at the side's own posture's
    intensity (zero below limited force)."""
    return crisis_intensity * (own + aid_efficiency * aid) + posture_intensity * projected


@jitable
def balance(challenger: float, defender: float) -> float:
    """The relative balance of efforts in [-1, 1]: +1 when only the challenger fights."""
    total = challenger + defender
    return 0.0 if total <= 0.0 else (challenger - defender) / total


@jitable
def drift(balance_now: float, intensity: float, speed: float) -> float:
    """Expected change of control per unit of time at ``speed``: faster as fighting intensifies."""
    return speed * intensity * balance_now


def outlook(
    control: float, drift_per_week: float, weeks: float, noise: float, intensity: float
) -> tuple[float, float]:
    """The expected control ``weeks`` ahead if fighting goes on, and its spread.

    Returns ``(p, sd)``: ``p`` is the share of the issue fighting on is expected to bring the
    challenger (Fearon's ``p``), ``sd`` the standard deviation of that forecast.
    """
    p = clip01(control + weeks * drift_per_week)
    return p, noise * intensity * math.sqrt(weeks)


# --- on the world ------------------------------------------------------------------------------


def fight(world: World, rng: np.random.Generator) -> float:
    """A tick of fighting at the crisis intensity: control drifts with the balance of efforts
    and a shock. Returns the ground the challenger lost (negative if it gained)."""
    from negsim.mechanisms.outlook import efforts  # efforts are valued there too

    p = world.params.battlefield
    clock = world.clock
    e_c, e_d = efforts(world, world.sides.posture)
    world.sides.effort[:] = [e_c, e_d]
    intensity = world.intensity
    before = world.control
    if intensity > 0.0:
        step = clock.amount(drift(balance(e_c, e_d), intensity, p.speed))
        step += rng.normal(0.0, clock.sd(p.noise) * intensity) if p.noise > 0 else 0.0
        world.control = clip01(world.control + step)
    world.peak_control = max(world.peak_control, world.control)
    world.least_control = min(world.least_control, world.control)
    return before - world.control
