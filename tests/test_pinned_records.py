"""Pinned results: seeded runs must give exactly the records they gave when the pins were made.

Guards refactoring and optimization of the model: any change to a run's record, to the
sequence of its events (tick and kind; a change names the first event that differs) or to its
per-tick series fails here. When a change of results is intended, regenerate
the pins in the same commit and say why in its message:

    .venv/bin/python tests/test_pinned_records.py
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest

from negsim.model import run

ROOT = Path(__file__).resolve().parents[1]
PINS = Path(__file__).resolve().parent / "data" / "pinned_records.json"
SEEDS = range(6)
REL_TOL = 1e-12

# name -> (cast file, overrides). The configurations beyond the shipped casts exercise
# catastrophe, conquest, withdrawal, capitulation and a crisis of one-day ticks.
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "ukraine": ("agents/ukraine_2022.toml", {}),
    "dyad": ("agents/dyad.toml", {}),
    "dyad_best_response": ("agents/dyad.toml", {"decisions.temperature": 0.0}),
    "dyad_catastrophe": (
        "agents/dyad.toml",
        {
            "bargaining.start_days": 10_000,
            "sides.challenger.posture": 4,
            "escalation.catastrophe_penalty": 0.0,
            "escalation.ladder.nuclear_threats.hazard": 0.5,
        },
    ),
    "dyad_conquest": (
        "agents/dyad.toml",
        {
            "bargaining.start_days": 10_000,
            "states.ARG.military": 6.0,
            "leaders.TGT.resolve": 1.0,
            "states.ALY.aid": 0.0,
        },
    ),
    "dyad_capitulation": (
        "agents/dyad.toml",
        {
            "bargaining.start_days": 10_000,
            "states.ARG.military": 3.0,
            "leaders.TGT.resolve": 0.0,
            "leaders.TGT.face_sensitivity": 0.0,
            "constituencies.TGT.army.stance": 0.2,
            "constituencies.TGT.public.stance": 0.2,
            "states.ALY.aid": 0.0,
        },
    ),
    "ukraine_many_publics": (
        "agents/ukraine_2022.toml",
        {"constituencies.RUS.public.count": 50, "constituencies.DEU.public.count": 20},
    ),
    "border_flash": ("tests/data/casts/border_flash.toml", {}),
}


def _observe(cast: str, overrides: dict[str, Any], seed: int, series: bool) -> dict[str, Any]:
    record, model = run(ROOT / cast, seed=seed, overrides=overrides, collect_series=series)
    observed = {
        "record": dataclasses.asdict(record),
        "events": [[e.tick, e.kind] for e in model.events],
    }
    if series:
        frame = model.datacollector.get_model_vars_dataframe()
        observed["series"] = {c: [float(v) for v in frame[c]] for c in frame.columns}
    return observed


def _runs() -> list[tuple[str, int]]:
    return [(name, seed) for name in CASES for seed in SEEDS]


def generate() -> dict[str, Any]:
    """Every pinned observation, keyed by ``case/seed``; seed 0 also pins the series."""
    return {
        f"{name}/{seed}": _observe(*CASES[name], seed, series=seed == 0) for name, seed in _runs()
    }


def _assert_same(actual: Any, expected: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), where
        for key in expected:
            _assert_same(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _assert_same(a, e, f"{where}[{i}]")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert isinstance(actual, int | float), where
        assert math.isclose(actual, expected, rel_tol=REL_TOL, abs_tol=0.0) or actual == expected, (
            f"{where}: {actual!r} != {expected!r}"
        )
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


@pytest.fixture(scope="module")
def pins() -> dict[str, Any]:
    return json.loads(PINS.read_text())


def first_difference(actual: list, expected: list) -> str | None:
    """The first event (tick, kind) where two event sequences part, or None."""
    for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
        if a != e:
            return f"event {i}: got tick {a[0]} '{a[1]}', pinned tick {e[0]} '{e[1]}'"
    if len(actual) != len(expected):
        shorter = min(len(actual), len(expected))
        return f"event {shorter}: {len(actual)} events, {len(expected)} pinned"
    return None


@pytest.mark.parametrize(("name", "seed"), _runs(), ids=lambda v: str(v))
def test_a_seeded_run_reproduces_its_pinned_record(pins, name, seed):
    key = f"{name}/{seed}"
    expected = pins[key]
    actual = json.loads(json.dumps(_observe(*CASES[name], seed, series="series" in expected)))
    differs = first_difference(actual.pop("events"), expected.pop("events"))
    assert differs is None, f"{key}: {differs}"
    _assert_same(actual, expected, key)


def test_the_first_differing_event_is_named():
    assert first_difference([[1, "threat"], [2, "offer"]], [[1, "threat"], [3, "offer"]]) == (
        "event 1: got tick 2 'offer', pinned tick 3 'offer'"
    )
    assert first_difference([[1, "threat"]], [[1, "threat"]]) is None


if __name__ == "__main__":
    PINS.write_text(json.dumps(generate(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {PINS}")
