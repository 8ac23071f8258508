"""Runs per second of negsim's sweep runner against `mesa.batch_run`, on the same sweep.

The comparison is fair by construction, and the script checks it:

- same model: both arms run `negsim.model.CrisisModel` from the same cast file, built as
  `negsim.model.run` builds it (no per-tick series), the cast loaded once per process;
- same seeds and tick limit: the runner's plan of the sweep;
- same data: each run's record, collected once, when the run ends. The batch_run model has no
  DataCollector until then (`CrisisModel.step` collects whenever one is set), and refuses to
  start if the model made one; the records of the two arms are compared run for run;
- same processes: on 1 worker both run in this process; on N workers both start a pool of N
  spawned processes, and the wall time includes starting them.

The arms alternate (who goes first too) and each figure is the median of ``--repeat`` sweeps.
The script also prints the sweep's fixed cost: starting a Python process and importing what a
worker imports (measured in fresh processes), and the wall time of a 2-run sweep.

    .venv/bin/python benchmarks/bench_runner.py              # 1,000 runs, 1 and 2 workers, x3
    .venv/bin/python benchmarks/bench_runner.py --runs 200 --repeat 1    # a quick look

The model is only touched through `CrisisModel(cast, rng=..., max_ticks=..., collect_series=...)`,
its ``running``, ``step()`` and ``record().flat()``: the functions under "the model" below.
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import mesa

from negsim.cast import load_cast
from negsim.model import CrisisModel

ROOT = Path(__file__).resolve().parents[1]
CAST = ROOT / "agents" / "ukraine_2022.toml"
RUNS = 1000
MAX_TICKS = 104
MASTER_SEED = 20220224  # the baseline experiment's
WORKER_IMPORTS = {  # what a worker process imports before its first run
    "interpreter alone": "pass",
    "runner worker": "import negsim.experiment.tasks, negsim.model",
    "batch_run worker": "import mesa.batchrunner, negsim.model",
}


# --- the model: everything the benchmark needs from it ------------------------------------


@functools.cache
def _cast(path: str):
    """The cast, loaded once per process (the runner's workers cache theirs too)."""
    return load_cast(path)


def _record(model: CrisisModel) -> dict[str, Any]:
    return model.record().flat()


class EndOnlyModel(CrisisModel):
    """The crisis model as `negsim.model.run` builds it, recording the run once, at its end."""

    def __init__(self, cast: str, rng: int, max_ticks: int):
        super().__init__(_cast(cast), rng=rng, max_ticks=max_ticks, collect_series=False)
        if getattr(self, "datacollector", None) is not None:
            raise RuntimeError("the model collects every tick: the comparison would not be fair")

    def step(self) -> None:
        """One tick; when the run has ended, its record is collected (once)."""
        super().step()
        if not self.running:
            self.datacollector = mesa.DataCollector(model_reporters={"record": _record})
            self.datacollector.collect(self)


# --- the two arms ------------------------------------------------------------------------------


def _spec(runs: int | None = None, cast: Path = CAST, max_ticks: int = MAX_TICKS):
    """The sweep: ``runs`` (default 1,000) seeded runs of the cast as it is (one point)."""
    from negsim.experiment import parse_spec

    runs = runs or RUNS
    doc = {
        "experiment": {
            "name": f"bench_{runs}",
            "cast": str(cast),
            "replications": runs,
            "max_ticks": max_ticks,
            "collect_series": False,
            "seed": MASTER_SEED,
        }
    }
    return parse_spec(doc, "bench_runner.py", cast.parent)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (worker pools) so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _key(record: dict[str, Any]) -> tuple:
    """What two arms must agree on for one run."""
    return (
        int(record["seed"]),
        record["outcome"],
        int(record["end_tick"]),
        round(float(record["final_control"]), 9),
        round(float(record["min_cohesion"]), 9),
    )


def bench_negsim(spec, workers: int, results: Path) -> tuple[float, list, float]:
    """Wall seconds for the sweep through negsim's runner on ``workers`` processes, its runs,
    and the CPU seconds it took (this process and the workers)."""
    from negsim.experiment import run_experiment

    cpu, start = _cpu(), time.perf_counter()
    result = run_experiment(spec, results=results, workers=workers, force=True, progress=False)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    return elapsed, sorted(_key(row) for row in result.runs().to_dict("records")), cpu


def bench_batch_run(spec, workers: int) -> tuple[float, list, float]:
    """The same for the same sweep through `mesa.batch_run`."""
    from negsim.experiment import plan

    seeds = [run.seed for run in plan(spec)[1]]
    cpu, start = _cpu(), time.perf_counter()
    rows = mesa.batch_run(
        EndOnlyModel,
        parameters={"cast": str(spec.cast_path), "max_ticks": spec.experiment.max_ticks},
        number_processes=workers,
        max_steps=spec.experiment.max_ticks + 1,
        data_collection_period=-1,
        display_progress=False,
        rng=seeds,
    )
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    return elapsed, sorted(_key(row["record"]) for row in rows), cpu


def compare(runs: int, workers: list[int], repeat: int) -> dict[str, Any]:
    """Both arms on the same sweep, side by side: each repeat runs every worker count and both
    arms (who goes first alternates), so a change in the machine's load hits all of them."""
    spec = _spec(runs)
    arms = {"negsim": bench_negsim, "batch_run": bench_batch_run}
    wall: dict[tuple[str, int], list[float]] = {(a, w): [] for a in arms for w in workers}
    cpu: dict[tuple[str, int], list[float]] = {(a, w): [] for a in arms for w in workers}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            for w in workers:
                records = {}
                for arm in list(arms) if i % 2 == 0 else list(arms)[::-1]:
                    args = (spec, w, Path(tmp)) if arm == "negsim" else (spec, w)
                    seconds, records[arm], cpu_seconds = arms[arm](*args)
                    wall[arm, w].append(seconds)
                    cpu[arm, w].append(cpu_seconds)
                assert records["negsim"] == records["batch_run"], "the arms disagree on a run"
    out: dict[str, Any] = {"runs": runs, "repeat": repeat, "workers": {}}
    for w in workers:
        row: dict[str, Any] = {}
        for arm in arms:
            row[f"{arm}_s"] = wall[arm, w]
            row[f"{arm}_runs_per_s"] = runs / statistics.median(wall[arm, w])
            row[f"{arm}_cpu_ms_per_run"] = 1e3 * statistics.median(cpu[arm, w]) / runs
        row["ratio"] = row["negsim_runs_per_s"] / row["batch_run_runs_per_s"]
        out["workers"][w] = row
    return out


# --- fixed cost --------------------------------------------------------------------------------


def process_start(code: str, repeat: int) -> dict[str, float]:
    """Median wall and CPU seconds of a fresh interpreter running ``code``."""
    wall, cpu = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        wall.append(time.perf_counter() - start)
        del proc
    for _ in range(repeat):  # CPU apart: rusage of children accumulates
        code_cpu = f"import time; {code}; print(time.process_time())"
        out = subprocess.run([sys.executable, "-c", code_cpu], check=True, capture_output=True)
        cpu.append(float(out.stdout.split()[-1]))
    return {"wall_s": statistics.median(wall), "cpu_s": statistics.median(cpu)}


def fixed_cost(workers: list[int], repeat: int) -> dict[str, Any]:
    """Process start and imports, and the wall time of a 2-run sweep through the runner."""
    out: dict[str, Any] = {
        name: process_start(code, repeat) for name, code in WORKER_IMPORTS.items()
    }
    spec = _spec(2)
    with tempfile.TemporaryDirectory() as tmp:
        out["two_run_sweep_s"] = {
            w: statistics.median(bench_negsim(spec, w, Path(tmp))[0] for _ in range(repeat))
            for w in workers
        }
    return out


# --- report ------------------------------------------------------------------------------------


def print_report(sweep: dict[str, Any], fixed: dict[str, Any]) -> None:
    """The figures as a table."""
    n = sweep["runs"]
    print(
        f"sweep: {CAST.name}, {n} runs of up to {MAX_TICKS} ticks, end-of-run record only; "
        f"median of {sweep['repeat']}"
    )
    print(
        f"{'workers':>7}  {'negsim runs/s':>13}  {'batch_run runs/s':>16}  {'ratio':>5}"
        f"  {'CPU ms/run: negsim':>18}  {'batch_run':>9}"
    )
    rows = sweep["workers"]
    for w, row in rows.items():
        print(
            f"{w:>7}  {row['negsim_runs_per_s']:>13.1f}  {row['batch_run_runs_per_s']:>16.1f}"
            f"  {row['ratio']:>5.2f}  {row['negsim_cpu_ms_per_run']:>18.1f}"
            f"  {row['batch_run_cpu_ms_per_run']:>9.1f}"
        )
    if 1 in rows and 2 in rows:
        for arm in ("negsim", "batch_run"):
            key = f"{arm}_runs_per_s"
            print(f"speed-up of {arm} from 1 to 2 workers: {rows[2][key] / rows[1][key]:.2f}")
    print("fixed cost of a sweep (median of fresh processes):")
    for name in WORKER_IMPORTS:
        print(
            f"  {name:<18} start + imports: {fixed[name]['wall_s']:.2f} s wall, "
            f"{fixed[name]['cpu_s']:.2f} s CPU"
        )
    for w, seconds in fixed["two_run_sweep_s"].items():
        print(f"  a 2-run sweep through the runner on {w} worker(s): {seconds:.2f} s wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs (default {RUNS})")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3, help="sweeps per arm (median)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    sweep = compare(args.runs, args.workers, args.repeat)
    fixed = fixed_cost(args.workers, args.repeat)
    print_report(sweep, fixed)
    if args.json:
        args.json.write_text(json.dumps({"sweep": sweep, "fixed_cost": fixed}, indent=2) + "\n")


if __name__ == "__main__":
    main()
