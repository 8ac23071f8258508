"""The runner-vs-batch_run benchmark compares like with like (its timings are not tested)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_runner


def test_the_batch_run_model_records_the_run_once_at_its_end(dyad_path):
    model = bench_runner.EndOnlyModel(str(dyad_path), rng=3, max_ticks=30)
    ticks = 0
    while model.running:
        assert model.datacollector is None  # nothing is collected while the run goes on
        model.step()
        ticks += 1
    assert len(model.datacollector.model_vars["record"]) == 1
    assert ticks == model.world.tick
    # a deal ends the crisis; the run goes on while it is implemented, then stops
    assert model.datacollector.model_vars["record"][0]["end_tick"] <= ticks


def test_both_arms_run_the_same_sweep_and_agree_run_for_run(tmp_path, dyad_path):
    spec = bench_runner._spec(4, cast=dyad_path, max_ticks=30)
    _, ours, _ = bench_runner.bench_negsim(spec, 1, tmp_path)
    _, theirs, _ = bench_runner.bench_batch_run(spec, 1)
    assert len(ours) == 4
    assert ours == theirs


def test_a_model_that_collects_every_tick_is_refused(monkeypatch, dyad_path):
    init = bench_runner.CrisisModel.__init__

    def collecting(self, *args, **kwargs):
        init(self, *args, **{**kwargs, "collect_series": True})

    monkeypatch.setattr(bench_runner.CrisisModel, "__init__", collecting)
    with pytest.raises(RuntimeError, match="not be fair"):
        bench_runner.EndOnlyModel(str(dyad_path), rng=0, max_ticks=5)
