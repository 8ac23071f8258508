"""Outcomes, their terms in the International Crisis Behavior (ICB) project, and the tidy
per-run record."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from negsim.cast import RungId
from negsim.world import Event

__all__ = [
    "EVENT_KINDS",
    "ICB_FORM",
    "ICB_OUTCOME",
    "PRECEDENCE",
    "Event",
    "Outcome",
    "RunRecord",
    "icb_form",
]


class Outcome(StrEnum):
    """How a run ends; exactly one per run (see docs/MODEL.md for the precise definitions)."""

    SETTLEMENT = "settlement"
    AGGRESSOR_WITHDRAWAL = "aggressor_withdrawal"
    TARGET_CAPITULATION = "target_capitulation"
    CONQUEST = "conquest"
    CATASTROPHE = "catastrophe"
    STALEMATE = "stalemate"


# Which terminal condition wins when several occur in the same tick.
PRECEDENCE = (
    Outcome.CATASTROPHE,
    Outcome.CONQUEST,
    Outcome.TARGET_CAPITULATION,
    Outcome.AGGRESSOR_WITHDRAWAL,
    Outcome.SETTLEMENT,
)

# The outcome for the challenger in ICB's terms (the defender's is the mirror).
ICB_OUTCOME = {
    Outcome.CONQUEST: "victory",
    Outcome.TARGET_CAPITULATION: "victory",
    Outcome.SETTLEMENT: "compromise",
    Outcome.STALEMATE: "stalemate",
    Outcome.AGGRESSOR_WITHDRAWAL: "defeat",
    Outcome.CATASTROPHE: "other",
}

# ICB's form of outcome at the crisis level (a stalemate's form depends on how it ends:
# `icb_form`).
ICB_FORM = {
    Outcome.SETTLEMENT: "agreement",
    Outcome.TARGET_CAPITULATION: "unilateral",
    Outcome.CONQUEST: "imposed",
    Outcome.AGGRESSOR_WITHDRAWAL: "unilateral",
    Outcome.STALEMATE: "faded",
    Outcome.CATASTROPHE: "other",
}
CALM_RUNG = RungId.SHOW_OF_FORCE  # a crisis at or below it has stood down from fighting


def icb_form(outcome: Outcome, final_rung: int) -> str:
    """ICB's form of outcome of a run's end: a stalemate that ends calm (neither side above a
    show of force) is a tacit understanding, one still fought at the horizon faded."""
    if outcome is Outcome.STALEMATE and final_rung <= CALM_RUNG:
        return "tacit understanding"
    return ICB_FORM[outcome]


# Event kinds counted in the record (one counter each).
EVENT_KINDS = (
    "threats_by_challenger",
    "threats_by_defender",
    "threats_complied_challenger",
    "threats_complied_defender",
    "threats_carried_out",
    "bluffs_called",
    "offers_public",
    "offers_private",
    "offers_mediated",
    "offers_rejected",
    "ratifications_failed",
    "deals_broken",
    "leaks",
    "payers_refused",
    "escalations",
    "inadvertent_escalations",
    "de_escalations",
    "defections",
    "rejoins",
    "collapses",
    "elections",
    "legislative_elections",
    "leader_changes",
    "disinformation_ticks",
)


@dataclass
class RunRecord:
    """One run's tidy record: plain values only, one row of a results table."""

    seed: int
    outcome: str
    end_tick: int
    end_days: float
    deal_x: float | None
    face_public: float | None
    face_private: float | None
    deal_mediated: bool | None
    final_control: float
    challenger_share: float
    peak_rung: int
    final_rung: int
    peak_posture_challenger: int
    peak_posture_defender: int
    nuclear_threat_share: float
    fighting_share: float
    min_cohesion: float
    mean_cohesion: float
    final_cohesion: float
    coalition_collapsed: bool
    collapse_tick: int | None
    sanction_pressure_peak: float
    humanitarian_cost: float
    misperception: float
    partners: int
    partners_defected: int
    events: dict[str, int] = field(default_factory=dict)
    economic_cost: dict[str, float] = field(default_factory=dict)

    def flat(self) -> dict[str, object]:
        """The record as one flat row: events and per-state costs become their own columns."""
        row = asdict(self)
        events = row.pop("events")
        costs = row.pop("economic_cost")
        row.update({f"n_{k}": events.get(k, 0) for k in EVENT_KINDS})
        row.update({f"cost_{sid}": v for sid, v in costs.items()})
        return row
