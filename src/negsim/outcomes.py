"""Outcomes, events and the tidy per-run record."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


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

# Event kinds counted in the record (one counter each).
EVENT_KINDS = (
    "threats_by_aggressor",
    "threats_by_coalition",
    "threats_carried_out",
    "bluffs_called",
    "concessions",
    "offers_public",
    "offers_private",
    "offers_rejected",
    "ratifications_failed",
    "escalations",
    "inadvertent_escalations",
    "de_escalations",
    "defections",
    "elections",
    "leader_changes",
    "disinformation_pushes",
)


@dataclass(frozen=True)
class Event:
    """Something that happened, for the event log of a run."""

    tick: int
    kind: str
    text: str


@dataclass
class RunRecord:
    """One run's tidy record: plain values only, one row of a results table."""

    seed: int
    outcome: str
    end_tick: int
    deal_x: float | None
    deal_face: float | None
    final_control: float
    peak_rung: int
    min_cohesion: float
    mean_cohesion: float
    final_cohesion: float
    humanitarian_cost: float
    coalition_collapsed: bool
    collapse_tick: int | None
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
