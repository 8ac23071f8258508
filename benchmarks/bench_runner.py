"""Runs per second of negsim's sweep runner on the baseline, against `mesa.batch_run`.

Both run the identical sweep: the baseline cast, the same seeds, the same tick limit, results
collected at the end of each run only; wall time includes starting the worker processes.
The records of both are checked to be the same run for run.

    .venv/bin/python benchmarks/bench_runner.py               # the whole baseline (1,000 runs)
    .venv/bin/python benchmarks/bench_runner.py --runs 300    # a quicker look

On a busy machine the figures move by 10-20% from one run to the next: use ``--repeat``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import mesa

from negsim.experiment import load_spec, parse_spec, plan, run_experiment
from negsim.experiment.spec import ExperimentSpec
from negsim.model import CrisisModel

BASELINE = Path(__file__).resolve().parents[1] / "experiments" / "baseline.toml"


class EndOnlyModel(CrisisModel):
    """The crisis model with a DataCollector that collects the run's record once, at the end."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, collect_series=False, **kwargs)
        self.datacollector = mesa.DataCollector(model_reporters={"record": _record})

    def step(self) -> None:
        """One tick; the record is collected when the run ends."""
        super().step()
        if not self.running:
            self.datacollector.collect(self)


def _record(model: CrisisModel) -> dict:
    return model.record().flat()


def _spec(runs: int | None) -> ExperimentSpec:
    spec = load_spec(BASELINE)
    if runs is None:
        return spec
    doc = spec.canonical()
    doc["experiment"].update(replications=runs, name=f"bench_{runs}")
    return parse_spec(doc, str(BASELINE), BASELINE.parent)


def bench_negsim(spec: ExperimentSpec, workers: int, results: Path) -> tuple[float, list]:
    """Seconds for the sweep on ``workers`` processes, and its (seed, outcome, end tick)."""
    start = time.perf_counter()
    result = run_experiment(spec, results=results, workers=workers, force=True, progress=False)
    elapsed = time.perf_counter() - start
    runs = result.runs()
    return elapsed, sorted(zip(runs["seed"], runs["outcome"], runs["end_tick"], strict=True))


def bench_batch_run(spec: ExperimentSpec, workers: int) -> tuple[float, list]:
    """The same sweep with `mesa.batch_run`."""
    seeds = [r.seed for r in plan(spec)[1]]
    info = spec.experiment
    start = time.perf_counter()
    rows = mesa.batch_run(
        EndOnlyModel,
        parameters={"cast": [spec.base_cast], "max_ticks": info.max_ticks},
        number_processes=workers,
        max_steps=info.max_ticks + 1,
        data_collection_period=-1,
        display_progress=False,
        rng=seeds,
    )
    elapsed = time.perf_counter() - start
    records = [row["record"] for row in rows]
    return elapsed, sorted((r["seed"], r["outcome"], r["end_tick"]) for r in records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="runs (default: the baseline's)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternate the two runners this often; best time"
    )
    args = parser.parse_args()
    spec = _spec(args.runs)
    n = spec.experiment.replications
    print(
        f"baseline sweep: cast {spec.cast_path.name}, {n} runs, {spec.experiment.max_ticks} ticks"
    )
    print(f"{'workers':>7}  {'negsim runs/s':>13}  {'batch_run runs/s':>16}  {'ratio':>5}")
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            ours = theirs = float("inf")
            for i in range(args.repeat):  # alternate who goes first: load varies over time
                if i % 2:
                    seconds_theirs, their_records = bench_batch_run(spec, workers)
                seconds_ours, ours_records = bench_negsim(spec, workers, Path(tmp))
                if not i % 2:
                    seconds_theirs, their_records = bench_batch_run(spec, workers)
                ours, theirs = min(ours, seconds_ours), min(theirs, seconds_theirs)
                assert ours_records == their_records, "negsim and batch_run disagree on a run"
            rates[workers] = n / ours
            print(f"{workers:>7}  {n / ours:>13.1f}  {n / theirs:>16.1f}  {theirs / ours:>5.2f}")
    if 1 in rates and 2 in rates:
        print(f"speed-up of the runner from 1 to 2 workers: {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
