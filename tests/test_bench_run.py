"""The model benchmark builds the casts it claims to measure (its timings are not tested)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import run as bench

from negsim.model import CrisisModel


def test_bigger_casts_replicate_partners_that_neither_lead_nor_guarantee():
    cast = bench.replicated_cast(32)
    assert len(cast.states) == 32
    copies = [sid for sid in cast.states if sid not in bench.read_cast().states]
    assert len(copies) == 21
    assert all(cast.states[sid].side == "defender" for sid in copies)
    assert not any(cast.states[sid].guarantor for sid in copies)
    assert set(copies) <= set(cast.leaders) and set(copies) <= set(cast.constituencies)


def test_sized_casts_have_about_the_number_of_constituency_agents_asked_for():
    model = CrisisModel(bench.sized_cast(2_000), rng=0, max_ticks=2, collect_series=False)
    assert 1_900 <= len(model.constituency_agents) <= 2_000


def test_the_full_length_seed_runs_the_whole_horizon_and_the_empty_model_steps():
    cast = bench.read_cast()
    seed = bench.full_length_seed(cast)
    assert bench.per_tick(cast, seed, 5, 1)["ticks"] == 4  # the first tick is left out
    bench.empty_model(10, 3)
