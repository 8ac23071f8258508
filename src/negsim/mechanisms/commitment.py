"""M14: commitment problems and enforcement.

A deal freezes the front, but power keeps shifting: a side whose war value is expected to
rise after the deal (the battlefield trending its way, its reserves lasting, the other side's
aid arriving or leaving) may break the deal later. Each side's **breach motive** is how much
more fighting later would bring it than the deal; the chance the deal breaks during its
implementation grows with the motives and falls with the strength of its guarantors. Each
side discounts a deal by the chance the other breaks it, so a side expecting to lose leverage
may prefer to fight now (preventive war), even under complete information.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negsim.compiled import jitable, kernel
from negsim.mechanisms import outlook
from negsim.world import CHALLENGER, DEFENDER

if TYPE_CHECKING:
    from negsim.world import World


@jitable
def breach_chance(
    deal_value: float,
    later_war_value: float,
    scale: float,
    guarantee: float,
    guarantee_effect: float,
) -> float:
    """Chance a side breaks a deal during its implementation.

    The motive is how much more the side expects from fighting later than from keeping the
    deal; ``guarantee`` (0..1) is the guarantors' strength relative to both principals.
    """
    motive = max(0.0, later_war_value - deal_value)
    return min(1.0, scale * motive) * (1.0 - guarantee_effect * min(1.0, guarantee))


@kernel
def breach_grid(
    xs: np.ndarray,
    later_challenger: float,
    later_defender: float,
    scale: float,
    guarantee: float,
    guarantee_effect: float,
) -> tuple[np.ndarray, np.ndarray]:
    """`breach_chance` of each side at each deal ``x`` (none at ``scale`` 0: no motive
    counts)."""
    q_c = np.zeros(len(xs))
    q_d = np.zeros(len(xs))
    if scale <= 0.0:
        return q_c, q_d
    for g in range(len(xs)):
        q_c[g] = breach_chance(xs[g], later_challenger, scale, guarantee, guarantee_effect)
        q_d[g] = breach_chance(1.0 - xs[g], later_defender, scale, guarantee, guarantee_effect)
    return q_c, q_d


def discounted_deal_value(
    deal_value: float, other_breaks: float, value_after_breach: float
) -> float:
    """A deal's worth to a side when the other may break it, leaving the side at war again."""
    return (1.0 - other_breaks) * deal_value + other_breaks * value_after_breach


def breach_hazard(chance: float, ticks: int) -> float:
    """Per-tick hazard that gives ``chance`` of a breach over ``ticks`` ticks."""
    if chance >= 1.0:
        return 1.0
    return 1.0 - (1.0 - chance) ** (1.0 / max(1, ticks))


# --- on the world ------------------------------------------------------------------------------


def later_values(world: World) -> list[float]:
    """Each side's war value once a deal's implementation is over, at its public resolve."""
    principals = world.sides.principal
    return [
        outlook.later_value(world, k, world.leaders.prior_resolve[principals[k]])
        for k in (CHALLENGER, DEFENDER)
    ]


def guarantee(world: World) -> float:
    """The guarantors' military strength relative to both principals together (cached)."""
    found = world.cache.get("guarantee")
    if found is None:
        s = world.states
        principals = world.sides.principal
        strength = sum(
            s.military[i] for i in range(len(s.ids)) if s.guarantor[i] and i not in principals
        )
        found = world.cache["guarantee"] = strength / max(
            1e-9, sum(s.military[i] for i in principals)
        )
    return found


def breach_chances(
    world: World, x: np.ndarray, later: list[float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The chance each side would break a deal at each ``x`` during its implementation.

    ``later`` are the sides' war values after the implementation (default: `later_values`).
    """
    c = world.params.commitment
    later = later_values(world) if later is None else later
    return breach_grid(
        x, later[CHALLENGER], later[DEFENDER], c.breach_scale, guarantee(world), c.guarantee_effect
    )
