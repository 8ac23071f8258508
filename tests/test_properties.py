"""The properties the model must hold (docs/MODEL.md §4), on the dyad and on the Ukraine cast.

The properties, their arms and their verdicts are `negsim.analysis.properties` (what
`negsim properties` prints): each compares arms over the same seeds by the mean of their paired
differences with its 95% interval, so a test fails when the arms are separated in the wrong
direction or, where the model separates them clearly, when they are no longer separated. The
effects measured are listed in docs/MODEL.md ("Properties"). Every property of a cast is
measured in one check (arms shared between properties run once), spread over two processes.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from negsim.analysis import properties
from negsim.analysis.stats import paired_difference
from tests.conftest import DYAD, UKRAINE

pytestmark = pytest.mark.slow

# seeds per arm: enough to separate every arm the model separates (see docs/MODEL.md)
SEEDS = {"dyad": 60, "ukraine": 40}
CASTS = {"dyad": DYAD, "ukraine": UKRAINE}
PARTNERS = {"dyad": "ALY", "ukraine": "DEU"}  # the exposed partner whose exposure is varied


@functools.cache
def verdicts(cast: str) -> dict[str, properties.Verdict]:
    """Every property's verdict on a cast, by name."""
    result = properties.check([CASTS[cast]], seeds=SEEDS[cast], partner=PARTNERS[cast], workers=2)
    return {v.name: v for v in result.verdicts}


CONTRASTS = [p.name for p in properties.PROPERTIES if isinstance(p, properties.Contrast)]
CONDITIONS = [p.name for p in properties.PROPERTIES if isinstance(p, properties.Condition)]


@pytest.mark.parametrize("name", CONTRASTS)
@pytest.mark.parametrize("cast", ["dyad", "ukraine"])
def test_the_property_holds(cast, name):
    verdict = verdicts(cast)[name]
    assert verdict.holds, verdict.effects


@pytest.mark.parametrize("name", CONDITIONS)
def test_the_causes_of_war_on_the_dyad(name):
    verdict = verdicts("dyad")[name]
    assert verdict.holds, verdict.effects


def test_the_causes_of_war_are_checked_on_the_dyad_only():
    assert all(verdicts("ukraine")[name].holds is None for name in CONDITIONS)


# --- the table of docs/MODEL.md ----------------------------------------------------------------

# (label, measures, low arm, high arm), each arm as overrides with {c}, {d}, {p} the cast's
# challenger, defender and exposed partner (`negsim.analysis.properties`); a `Scaled` value
# multiplies the cast's own.
TABLE = [
    (
        "challenger military x1.5",
        ["share", "end_days"],
        {},
        {"states.{c}.military": properties.Scaled(1.5)},
    ),
    (
        "defender military x2",
        ["share", "end_days"],
        {},
        {"states.{d}.military": properties.Scaled(2.0)},
    ),
    (
        "challenger reserves 0.05 -> 1",
        ["share", "end_days"],
        {"states.{c}.reserves": 0.05},
        {"states.{c}.reserves": 1.0},
    ),
    (
        "a partner's exposure 0.1 -> 0.9",
        ["cohesion"],
        {"states.{p}.exposure.{c}": 0.1},
        {"states.{p}.exposure.{c}": 0.9},
    ),
    (
        "disinformation 0.6 -> 0",
        ["cohesion"],
        {"disinformation.capacity": 0.6},
        {"disinformation.capacity": 0.0},
    ),
    (
        "counter-messaging 0 -> 0.6",
        ["cohesion"],
        {"disinformation.counter_capacity": 0.0},
        {"disinformation.counter_capacity": 0.6},
    ),
    (
        "challenger risk preference 0.2 -> 0.9",
        ["peak", "nuclear"],
        {"leaders.{c}.risk_preference": 0.2},
        {"leaders.{c}.risk_preference": 0.9},
    ),
    (
        "personal sanctions 0 -> 1",
        ["nuclear"],
        {"humiliation.personal_sanctions": 0.0},
        {"humiliation.personal_sanctions": 1.0},
    ),
    (
        "back channel 0 -> 1 (its hazard cut off)",
        ["misperception", "settled"],
        {"bargaining.back_channel": 0.0, "escalation.back_channel_cut": 0.0},
        {"bargaining.back_channel": 1.0, "escalation.back_channel_cut": 0.0},
    ),
    (
        "temperature default -> 0",
        ["settled", "nuclear"],
        {},
        {"decisions.temperature": 0.0},
    ),
]


def _arms(cast: str, seeds: int) -> list[dict[str, np.ndarray]]:
    arms = [arm for _, _, low, high in TABLE for arm in (low, high)]
    return properties.measure_arms(CASTS[cast], arms, seeds, partner=PARTNERS[cast])


def property_table(seeds: dict[str, int]) -> str:
    """The effects of TABLE on both casts as Markdown: paired differences with 95% intervals."""
    lines = [
        "| change (low -> high) | measure | dyad | Ukraine 2022 |",
        "| --- | --- | --- | --- |",
    ]
    measured = {cast: iter(_arms(cast, seeds[cast])) for cast in ("dyad", "ukraine")}
    for label, measures, _, _ in TABLE:
        pairs = {cast: (next(arms), next(arms)) for cast, arms in measured.items()}
        for i, key in enumerate(measures):
            cells = []
            for lo, hi in pairs.values():
                e = paired_difference(hi[key], lo[key])
                cells.append(f"{e.value:+.3f} [{e.lo:+.3f}, {e.hi:+.3f}]")
            lines.append(f"| {label if i == 0 else ''} | {key} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


if __name__ == "__main__":  # PYTHONPATH=. python tests/test_properties.py: docs/MODEL.md table
    print(property_table({"dyad": 120, "ukraine": 80}))
