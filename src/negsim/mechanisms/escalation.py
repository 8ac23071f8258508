"""M4: humiliation and the hazard of inadvertent escalation."""

from __future__ import annotations

from negsim.mechanisms.decisions import clip01

RUNGS = (
    "diplomatic",
    "economic",
    "limited conventional",
    "major conventional",
    "nuclear threats",
    "nuclear use",
)
TOP_RUNG = len(RUNGS) - 1


def hawkishness(rung: int) -> float:
    """How hawkish the aggressor's posture looks to its own publics (0..1).

    Fighting all-out is as hawkish as a policy gets; nuclear signalling adds no approval, only
    the fear that the publics' risk aversion attaches to high rungs.
    """
    return min(rung, 3) / 3.0


def escalation_hazard(rung: int, humiliation: float, back_channel: float, p) -> float:
    """Weekly chance that the crisis climbs one rung nobody chose.

    Zero below fighting; grows geometrically with the rung, with the aggressor leader's
    humiliation, and is cut by a working back channel (less misperception).
    """
    if rung < 2 or rung >= TOP_RUNG:
        return 0.0
    h = p.base_hazard * p.rung_growth ** (rung - 2) * (1.0 + p.humiliation_hazard * humiliation)
    return min(1.0, h * (1.0 - p.back_channel_cut * back_channel))


def update_humiliation(
    humiliation: float,
    personal_sanctions: float,
    public_demands: float,
    control_lost: float,
    face_offered: float,
    p,
) -> float:
    """Next week's humiliation of the aggressor leader.

    Personal sanctions on the inner circle, public demands for total capitulation and losses on
    the battlefield add to it; face-saving offers relieve it; it fades with time.
    """
    h = humiliation * (1.0 - p.decay)
    h += p.personal_weight * personal_sanctions + p.demand_weight * public_demands
    h += p.loss_weight * max(0.0, control_lost)
    h -= p.face_relief * face_offered
    return clip01(h)
