"""Pinned results: seeded runs must give exactly the records they gave when the pins were made.

Guards refactoring and optimization of the model: any change to a run's record (or to its
event log or per-tick series) fails here. When a change of results is intended, regenerate
the pins in the same commit and say why in its message:

    .venv/bin/python tests/test_pinned_records.py
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest

from negsim.model import run

ROOT = Path(__file__).resolve().parents[1]
PINS = Path(__file__).resolve().parent / "data" / "pinned_records.json"
SEEDS = range(6)
MAX_TICKS = 104
REL_TOL = 1e-12

# name -> (cast file, overrides). The REACHING-like configurations exercise threats,
# catastrophes, conquest, withdrawal and capitulation, which the default casts rarely reach.
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "ukraine": ("agents/ukraine_2022.toml", {}),
    "dyad": ("agents/dyad.toml", {}),
    "dyad_catastrophe": (
        "agents/dyad.toml",
        {
            "escalation.initial_rung": 4,
            "escalation.base_hazard": 0.05,
            "bargaining.start_tick": 1000,
            "leaders.ARG.resolve": 1.0,
            "leaders.ARG.face_sensitivity": 1.0,
        },
    ),
    "dyad_conquest": (
        "agents/dyad.toml",
        {"states.ARG.military": 4.0, "bargaining.start_tick": 1000, "leaders.TGT.resolve": 1.0},
    ),
    "dyad_withdrawal": (
        "agents/dyad.toml",
        {
            "states.ARG.military": 0.3,
            "leaders.ARG.resolve": 0.0,
            "leaders.ARG.face_sensitivity": 0.0,
            "bargaining.start_tick": 1000,
            "states.ALY.sanctions": 1.0,
        },
    ),
    "ukraine_no_talks": ("agents/ukraine_2022.toml", {"bargaining.start_tick": 1000}),
    "ukraine_many_publics": (
        "agents/ukraine_2022.toml",
        {"constituencies.RUS.public.count": 50, "constituencies.DEU.public.count": 20},
    ),
}


def _observe(cast: str, overrides: dict[str, Any], seed: int, series: bool) -> dict[str, Any]:
    record, model = run(
        ROOT / cast, seed=seed, max_ticks=MAX_TICKS, overrides=overrides, collect_series=series
    )
    log = "\n".join(f"{e.tick}|{e.kind}|{e.text}" for e in model.events)
    observed = {
        "record": dataclasses.asdict(record),
        "events_sha256": hashlib.sha256(log.encode()).hexdigest(),
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


@pytest.mark.parametrize(("name", "seed"), _runs(), ids=lambda v: str(v))
def test_a_seeded_run_reproduces_its_pinned_record(pins, name, seed):
    key = f"{name}/{seed}"
    expected = pins[key]
    actual = json.loads(json.dumps(_observe(*CASES[name], seed, series="series" in expected)))
    _assert_same(actual, expected, key)


if __name__ == "__main__":
    PINS.write_text(json.dumps(generate(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {PINS}")
