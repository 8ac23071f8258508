"""Performance of the crisis model: one run, its phases, sweeps, scaling and memory.

Prints a table and JSON, and writes benchmarks/results.json:

- ms per run of the baseline cast (seed 0 runs all 104 ticks): median of repeated runs;
- the split of a run's time by tick phase, and by module (a cProfile summary);
- sweep throughput (runs/s) on 1 and 2 workers, and negsim's runner against
  `mesa.batch_run` on the identical sweep (benchmarks/bench_runner.py);
- ms per tick, and model construction, against the number of constituency agents;
- peak memory of a 100,000-row results table (built, written to and read from parquet) and
  of a sweep process (and of its largest worker).

    .venv/bin/python benchmarks/run.py            # about 2-3 minutes
    .venv/bin/python benchmarks/run.py --quick    # about 30 seconds, rougher figures

Times are wall-clock medians; on a machine shared with other work, CPU time is also given
for single runs (it is what the model costs, whatever else runs).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_runner, also in workers

import bench_runner  # noqa: E402
import pandas as pd  # noqa: E402

from negsim.cast import load_cast  # noqa: E402
from negsim.model import CrisisModel, run  # noqa: E402

CAST = ROOT / "agents" / "ukraine_2022.toml"
RESULTS = Path(__file__).resolve().parent / "results.json"
PHASES = (
    "inform",
    "update_publics",
    "update_leaders",
    "decide",
    "resolve",
    "negotiate",
    "check_outcome",
)
FULL_RUN_SEED = 0  # a stalemate: the baseline's seed 0 runs all 104 ticks
PUBLIC_GROUP = "public"  # the groups scaled to vary the number of constituency agents


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def bench_run(repeat: int) -> dict[str, Any]:
    """ms per run of the baseline cast (cast loaded once), and per tick."""
    cast = load_cast(CAST)
    record, _ = run(cast, seed=FULL_RUN_SEED)
    wall, cpu = _timed(lambda: run(cast, seed=FULL_RUN_SEED), repeat)
    build_wall, _ = _timed(lambda: CrisisModel(cast, rng=FULL_RUN_SEED, collect_series=False), 20)
    series_wall, _ = _timed(
        lambda: run(cast, seed=FULL_RUN_SEED, collect_series=True), max(3, repeat // 4)
    )
    return {
        "ticks": record.end_tick,
        "ms_per_run": 1e3 * wall,
        "cpu_ms_per_run": 1e3 * cpu,
        "ms_per_tick": 1e3 * wall / record.end_tick,
        "ms_construction": 1e3 * build_wall,
        "ms_per_run_with_series": 1e3 * series_wall,
    }


def bench_phases(runs: int) -> dict[str, float]:
    """Share of a run's time spent in each tick phase (construction excluded), in %."""
    cast = load_cast(CAST)
    spent: dict[str, float] = defaultdict(float)
    for _ in range(runs):
        model = CrisisModel(cast, rng=FULL_RUN_SEED, collect_series=False)
        for phase in PHASES:
            setattr(model, phase, _clocked(getattr(model, phase), phase, spent))
        model.run()
    total = sum(spent.values())
    return {phase: 100.0 * spent[phase] / total for phase in PHASES}


def _clocked(method: Callable[[], None], name: str, spent: dict[str, float]) -> Callable[[], None]:
    def clocked() -> None:
        start = time.perf_counter()
        method()
        spent[name] += time.perf_counter() - start

    return clocked


def bench_profile(runs: int) -> dict[str, float]:
    """Share of a run's own time (cProfile tottime) by module, in %: where the time goes."""
    cast = load_cast(CAST)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        run(cast, seed=FULL_RUN_SEED)
    profile.disable()
    by_module: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, tottime, _, _) in pstats.Stats(profile).stats.items():
        by_module[_module(filename)] += tottime
    total = sum(by_module.values())
    ranked = sorted(by_module.items(), key=lambda kv: -kv[1])
    return {module: 100.0 * t / total for module, t in ranked}


def _module(filename: str) -> str:
    path = Path(filename)
    if "negsim" in path.parts:
        parts = path.parts[path.parts.index("negsim") :]
        return "/".join(parts).removesuffix(".py")
    for library in ("numpy", "mesa", "random"):
        if library in path.parts or path.stem == library:
            return library
    return "python builtins" if filename == "~" else "other"


def bench_sweep(runs: int) -> dict[str, Any]:
    """Sweep runs/s on 1 and 2 workers, negsim's runner against `mesa.batch_run` (fair: see
    bench_runner.py), and the sweep's fixed cost."""
    sweep = bench_runner.compare(runs, [1, 2], repeat=1)
    out: dict[str, Any] = {"runs": runs}
    for workers, row in sweep["workers"].items():
        out[f"runs_per_s_{workers}_workers"] = row["negsim_runs_per_s"]
        out[f"batch_run_runs_per_s_{workers}_workers"] = row["batch_run_runs_per_s"]
        out[f"negsim_vs_batch_run_{workers}_workers"] = row["ratio"]
    out["speedup_2_vs_1_workers"] = out["runs_per_s_2_workers"] / out["runs_per_s_1_workers"]
    out["fixed_cost"] = bench_runner.fixed_cost([1, 2], repeat=3)
    return out


def bench_scaling(sizes: list[int], ticks: int) -> list[dict[str, Any]]:
    """ms per tick and construction time as the baseline's publics grow to ``sizes`` agents."""
    cast = load_cast(CAST)
    scaled = [sid for sid, groups in cast.constituencies.items() if PUBLIC_GROUP in groups]
    fixed = sum(
        spec.count
        for sid, groups in cast.constituencies.items()
        for group, spec in groups.items()
        if not (group == PUBLIC_GROUP and sid in scaled)
    )
    rows = []
    for size in sizes:
        count = max(1, (size - fixed) // len(scaled))
        overrides = {f"constituencies.{sid}.{PUBLIC_GROUP}.count": count for sid in scaled}
        overrides["parameters.bargaining.start_tick"] = 1000  # no settlement: every run lasts
        sized = load_cast(CAST, overrides)
        start = time.perf_counter()
        model = CrisisModel(sized, rng=FULL_RUN_SEED, max_ticks=ticks, collect_series=False)
        built = time.perf_counter() - start
        start = time.perf_counter()
        model.run()
        elapsed = time.perf_counter() - start
        rows.append(
            {
                "agents": len(model.constituency_agents),
                "ms_construction": 1e3 * built,
                "ticks": model.tick,
                "ms_per_tick": 1e3 * elapsed / model.tick,
                "ticks_per_s": model.tick / elapsed,
            }
        )
    return rows


def _table_memory(rows: int, queue: Any) -> None:
    """In a fresh process: peak RSS of a ``rows``-row results table through parquet."""
    before = _peak_rss_mb()
    cast = load_cast(CAST)
    records = [run(cast, seed=s)[0].flat() for s in range(50)]
    frame = pd.DataFrame([records[i % len(records)] | {"seed": i} for i in range(rows)])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "runs.parquet"
        frame.to_parquet(path)
        size = path.stat().st_size
        del frame
        back = pd.read_parquet(path)
        assert len(back) == rows
    queue.put(
        {
            "rows": rows,
            "columns": len(back.columns),
            "parquet_mb": size / 2**20,
            "peak_rss_mb": _peak_rss_mb(),
            "rss_before_mb": before,
        }
    )


def _sweep_memory(runs: int, queue: Any) -> None:
    """In a fresh process: peak RSS of a 2-worker baseline sweep (parent and largest worker)."""
    spec = bench_runner._spec(runs)
    with tempfile.TemporaryDirectory() as tmp:
        bench_runner.bench_negsim(spec, 2, Path(tmp))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    queue.put({"runs": runs, "peak_rss_mb": _peak_rss_mb(), "largest_worker_rss_mb": children})


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def in_fresh_process(target: Callable[..., None], *args: Any) -> dict[str, Any]:
    """Run ``target(*args, queue)`` in a spawned process and return what it put."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and runs (~30 s)")
    args = parser.parse_args()
    quick = args.quick
    results: dict[str, Any] = {"quick": quick}
    results["run"] = bench_run(repeat=7 if quick else 31)
    results["phases_pct"] = bench_phases(runs=3 if quick else 10)
    results["profile_pct"] = bench_profile(runs=3 if quick else 10)
    results["sweep"] = bench_sweep(runs=40 if quick else 300)
    results["scaling"] = bench_scaling([10, 100, 1000, 10_000], ticks=20 if quick else 104)
    results["memory_table"] = in_fresh_process(_table_memory, 100_000)
    results["memory_sweep"] = in_fresh_process(_sweep_memory, 40 if quick else 300)
    print_table(results)
    text = json.dumps(results, indent=2)
    RESULTS.write_text(text + "\n")
    print(text)


def print_table(r: dict[str, Any]) -> None:
    """The results as a readable table."""
    run_ = r["run"]
    print(f"baseline cast, seed {FULL_RUN_SEED}, {run_['ticks']} ticks (cast loaded once)")
    print(
        f"  ms per run (median)        {run_['ms_per_run']:8.1f}   CPU {run_['cpu_ms_per_run']:.1f}"
    )
    print(f"  ms per tick                {run_['ms_per_tick']:8.3f}")
    print(f"  ms construction            {run_['ms_construction']:8.2f}")
    print(f"  ms per run, with series    {run_['ms_per_run_with_series']:8.1f}")
    print("time by phase (% of the ticks' time)")
    for phase, pct in r["phases_pct"].items():
        print(f"  {phase:<26} {pct:7.1f}")
    print("time by module (cProfile own time, %; top 15)")
    for module, pct in list(r["profile_pct"].items())[:15]:
        print(f"  {module:<40} {pct:7.1f}")
    s = r["sweep"]
    print(f"baseline sweep, {s['runs']} runs      negsim runs/s  batch_run runs/s  ratio")
    for w in (1, 2):
        print(
            f"  {w} worker{'s' if w > 1 else ' '}                  "
            f"{s[f'runs_per_s_{w}_workers']:13.1f}  {s[f'batch_run_runs_per_s_{w}_workers']:16.1f}"
            f"  {s[f'negsim_vs_batch_run_{w}_workers']:5.2f}"
        )
    print(f"  speed-up 2 vs 1 workers    {s['speedup_2_vs_1_workers']:8.2f}")
    worker = s["fixed_cost"]["runner worker"]
    print(
        f"  a worker's start + imports {worker['wall_s']:8.2f} s wall, {worker['cpu_s']:.2f} s CPU"
    )
    print("constituency agents   construction ms   ms per tick   ticks/s")
    for row in r["scaling"]:
        print(
            f"  {row['agents']:>7}          {row['ms_construction']:10.1f}"
            f"   {row['ms_per_tick']:11.3f}   {row['ticks_per_s']:7.0f}"
        )
    t, m = r["memory_table"], r["memory_sweep"]
    print(
        f"peak RSS, {t['rows']:,}-row table ({t['columns']} columns) via parquet: "
        f"{t['peak_rss_mb']:.0f} MB (interpreter alone {t['rss_before_mb']:.0f} MB; "
        f"file {t['parquet_mb']:.1f} MB)"
    )
    print(
        f"peak RSS, {m['runs']}-run sweep on 2 workers: parent {m['peak_rss_mb']:.0f} MB, "
        f"largest worker {m['largest_worker_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
