"""M10 and M12 (conquest path): military effort and the movement of control."""

from __future__ import annotations

# Share of conventional strength committed at each rung: 0 diplomatic, 1 economic,
# 2 limited conventional, 3 major conventional, 4 nuclear threats, 5 nuclear use.
INTENSITY = (0.0, 0.0, 0.5, 1.0, 1.0, 1.0)


def aggressor_effort(military: float, health: float, rung: int) -> float:
    """Fighting effort of the aggressor: strength, worn by economic damage, times rung intensity."""
    return military * health * INTENSITY[rung]


def target_effort(
    military: float,
    health: float,
    resistance: float,
    aid_delivered: float,
    aid_efficiency: float,
    defender_advantage: float,
) -> float:
    """Fighting effort of the target: its own strength plus the coalition's aid."""
    return defender_advantage * military * health * resistance + aid_efficiency * aid_delivered


def control_drift(aggressor: float, target: float, speed: float, rung: int) -> float:
    """Expected weekly change of control: the relative effort balance, when there is fighting."""
    if INTENSITY[rung] == 0.0:
        return 0.0
    total = aggressor + target
    return 0.0 if total <= 0.0 else speed * (aggressor - target) / total
