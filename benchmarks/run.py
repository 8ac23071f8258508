"""Performance of the crisis model: one run, its phases, sweeps, scaling and memory.

Prints a table and JSON, and writes benchmarks/results.json:

- CPU per run of the baseline cast, at a seed that runs all 104 ticks (the cast loaded once),
  beside an empty 104-tick `mesa.Model` holding the same agents (the floor Mesa sets), and
  their ratio; medians of repeated warm runs (time.process_time, so other work on the machine
  counts less);
- the split of a run's time by tick phase, and by module (a cProfile summary);
- sweep throughput: runs/s of the 1,000-run baseline sweep on one worker, and on 1 and 2
  workers negsim's runner against `mesa.batch_run` on the identical sweep
  (benchmarks/bench_runner.py);
- CPU per tick as the cast grows to 11, 32, 116 and 500 states (partner states of the baseline
  replicated), and to 10^3 ... 10^6 constituency agents (its publics' ``count`` scaled), with
  the peak memory of the 10^6-agent model (built in a fresh process);
- peak memory of a 100,000-row results table (built, written to and read from parquet) and
  of a sweep process (and of its largest worker).

    .venv/bin/python benchmarks/run.py            # about 5 minutes
    .venv/bin/python benchmarks/run.py --quick    # about a minute, rougher figures

Times of single runs and ticks are CPU medians; sweeps are wall-clock (they include starting
worker processes).
"""

from __future__ import annotations

import argparse
import copy
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

import mesa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_runner, also in workers

import bench_runner  # noqa: E402
import pandas as pd  # noqa: E402

from negsim import limits  # noqa: E402
from negsim import model as model_module  # noqa: E402
from negsim.cast import Cast, apply_overrides, build_cast, read_toml  # noqa: E402
from negsim.model import CrisisModel, run  # noqa: E402

CAST = ROOT / "agents" / "ukraine_2022.toml"
RESULTS = Path(__file__).resolve().parent / "results.json"
PHASES = (  # a tick's phases, in the order `CrisisModel.step` runs them
    "inform",
    "update_publics",
    "update_leaders",
    "assess",
    "decide",
    "resolve",
    "negotiate",
    "check_outcome",
)
TICKS = 104  # the baseline's horizon: two years of weeks
PUBLIC_GROUP = "public"  # the groups scaled to vary the number of constituency agents
STATES = (11, 32, 116, 500)
AGENTS = (1_000, 10_000, 100_000, 1_000_000)


def _cpu_median(fn: Callable[[], Any], repeat: int) -> float:
    """Median CPU seconds of ``repeat`` calls (after one to warm up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def _wall_median(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def full_length_seed(cast: Cast) -> int:
    """The first seed whose run of the cast lasts all its ticks (a stalemate)."""
    for seed in range(100):
        record, model = run(cast, seed=seed)
        if model.tick == TICKS and record.outcome == "stalemate":
            return seed
    raise RuntimeError("no seed below 100 runs the whole horizon")


def empty_model(agents: int, ticks: int) -> None:
    """A Mesa model holding ``agents`` agents and doing nothing for ``ticks`` ticks."""

    class Empty(mesa.Model):
        def step(self) -> None:
            pass

    model = Empty(rng=0)
    for _ in range(agents):
        mesa.Agent(model)
    for _ in range(ticks):
        model.step()


def bench_run(cast: Cast, seed: int, repeat: int) -> dict[str, Any]:
    """CPU ms of a full-length run (construction included), per tick, beside an empty 104-tick
    Mesa model holding the same agents; wall ms of a run with per-tick series."""
    record, model = run(cast, seed=seed)
    agents = len(model.agents)
    cpu = _cpu_median(lambda: run(cast, seed=seed), repeat)
    empty = _cpu_median(lambda: empty_model(agents, TICKS), repeat)
    build = _cpu_median(lambda: CrisisModel(cast, rng=seed, collect_series=False), 20)
    series = _wall_median(lambda: run(cast, seed=seed, collect_series=True), max(3, repeat // 4))
    return {
        "seed": seed,
        "outcome": record.outcome,
        "ticks": model.tick,
        "agents": agents,
        "cpu_ms_per_run": 1e3 * cpu,
        "cpu_us_per_tick": 1e6 * (cpu - build) / model.tick,
        "cpu_ms_construction": 1e3 * build,
        "cpu_ms_empty_mesa_model": 1e3 * empty,
        "ratio_to_empty_model": cpu / empty,
        "ms_per_run_with_series": 1e3 * series,
    }


def bench_phases(cast: Cast, seed: int, runs: int) -> dict[str, float]:
    """Share of a run's time spent in each tick phase (construction excluded), in %: the
    model's phase methods, and the mechanisms `CrisisModel.step` calls itself (the outlook's
    refresh counts as ``assess`` when the step calls it, as part of the phase that calls it
    otherwise)."""
    spent: dict[str, float] = defaultdict(float)
    active: list[str] = []
    functions = {
        "update_publics": (model_module.domestic, "update_publics"),
        "assess": (model_module.outlook, "refresh"),
        "negotiate": (model_module.bargaining, "negotiate"),
    }
    originals = {phase: getattr(owner, name) for phase, (owner, name) in functions.items()}
    try:
        for phase, (owner, name) in functions.items():
            setattr(owner, name, _clocked(originals[phase], phase, spent, active))
        for _ in range(runs):
            model = CrisisModel(cast, rng=seed, collect_series=False)
            for phase in PHASES:
                if phase not in functions:
                    setattr(model, phase, _clocked(getattr(model, phase), phase, spent, active))
            model.run()
    finally:
        for phase, (owner, name) in functions.items():
            setattr(owner, name, originals[phase])
    total = sum(spent.values())
    return {phase: 100.0 * spent[phase] / total for phase in PHASES}


def _clocked(
    function: Callable[..., None], name: str, spent: dict[str, float], active: list[str]
) -> Callable[..., None]:
    """``function``, adding its CPU time to ``spent[name]`` unless another phase is running."""

    def clocked(*args: Any) -> None:
        if active:
            function(*args)
            return
        active.append(name)
        start = time.process_time()
        try:
            function(*args)
        finally:
            spent[name] += time.process_time() - start
            active.pop()

    return clocked


def bench_profile(cast: Cast, seed: int, runs: int) -> dict[str, float]:
    """Share of a run's own time (cProfile tottime) by module, in %: where the time goes."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        run(cast, seed=seed)
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


def bench_sweep(runs: int, baseline_runs: int) -> dict[str, Any]:
    """Runs/s of the baseline sweep on one worker; on 1 and 2 workers, negsim's runner against
    `mesa.batch_run` (fair: see bench_runner.py); the sweep's fixed cost."""
    out: dict[str, Any] = {"baseline_runs": baseline_runs}
    spec = bench_runner._spec(baseline_runs)
    with tempfile.TemporaryDirectory() as tmp:
        seconds, _, cpu = bench_runner.bench_negsim(spec, 1, Path(tmp))
    out["baseline_runs_per_s_1_worker"] = baseline_runs / seconds
    out["baseline_cpu_ms_per_run_1_worker"] = 1e3 * cpu / baseline_runs
    sweep = bench_runner.compare(runs, [1, 2], repeat=1)
    out["runs"] = runs
    for workers, row in sweep["workers"].items():
        out[f"runs_per_s_{workers}_workers"] = row["negsim_runs_per_s"]
        out[f"batch_run_runs_per_s_{workers}_workers"] = row["batch_run_runs_per_s"]
        out[f"negsim_vs_batch_run_{workers}_workers"] = row["ratio"]
    out["speedup_2_vs_1_workers"] = out["runs_per_s_2_workers"] / out["runs_per_s_1_workers"]
    out["fixed_cost"] = bench_runner.fixed_cost([1, 2], repeat=3)
    return out


# --- bigger casts --------------------------------------------------------------------------


def replicated_cast(states: int) -> Cast:
    """The baseline cast with ``states`` states: copies of its defender partners (neither the
    lead nor a guarantor, so the copies add members, not ratifiers) join the coalition, each
    with the leader, constituencies and exposures of the state it copies."""
    doc = read_toml(CAST)
    lead = doc["sides"]["defender"]["lead"]
    principal = doc["sides"]["defender"]["principal"]
    models = [
        sid
        for sid, spec in doc["states"].items()
        if spec["side"] == "defender"
        and sid not in (lead, principal)
        and not spec.get("guarantor", False)
    ]
    extra = states - len(doc["states"])
    if extra < 0:
        raise ValueError(f"the baseline has {len(doc['states'])} states, more than {states}")
    for k in range(extra):
        model = models[k % len(models)]
        sid = f"{model}{k // len(models) + 2}"
        doc["states"][sid] = copy.deepcopy(doc["states"][model])
        doc["states"][sid]["name"] = f"{doc['states'][model]['name']} {k // len(models) + 2}"
        doc["leaders"][sid] = copy.deepcopy(doc["leaders"][model])
        doc["constituencies"][sid] = copy.deepcopy(doc["constituencies"][model])
    return build_cast(doc, f"{CAST.stem}_{states}_states")


def sized_cast(agents: int) -> Cast:
    """The baseline cast with about ``agents`` constituency agents: its ``public`` groups'
    ``count`` scaled (beyond `negsim.limits.MAX_AGENTS` if asked: set the limit higher first)."""
    doc = read_toml(CAST)
    groups = doc["constituencies"]
    scaled = [sid for sid, entries in groups.items() if PUBLIC_GROUP in entries]
    fixed = sum(
        entry.get("count", 1)
        for sid, entries in groups.items()
        for name, entry in entries.items()
        if not (name == PUBLIC_GROUP and sid in scaled)
    )
    count = max(1, (agents - fixed) // len(scaled))
    paths = {f"constituencies.{sid}.{PUBLIC_GROUP}.count": count for sid in scaled}
    return build_cast(apply_overrides(doc, paths), f"{CAST.stem}_{agents}_agents")


def per_tick(cast: Cast, seed: int, ticks: int, repeat: int) -> dict[str, Any]:
    """CPU per tick of a run of the cast: ticks 2 to ``ticks`` (or the end), construction and
    the first tick (which fills the world's caches) apart."""
    times, built, stepped = [], [], 0
    for _ in range(repeat):
        start = time.process_time()
        model = CrisisModel(cast, rng=seed, max_ticks=ticks, collect_series=False)
        built.append(time.process_time() - start)
        model.step()
        start = time.process_time()
        while model.running:
            model.step()
        times.append((time.process_time() - start) / max(1, model.tick - 1))
        stepped = model.tick - 1
    return {
        "states": len(model.states),
        "agents": len(model.constituency_agents),
        "ticks": stepped,
        "cpu_ms_construction": 1e3 * statistics.median(built),
        "cpu_us_per_tick": 1e6 * statistics.median(times),
    }


def bench_states(seed: int, ticks: int, repeat: int) -> list[dict[str, Any]]:
    """Per-tick CPU as the coalition grows (`replicated_cast`)."""
    rows = []
    for states in STATES:
        cast = replicated_cast(states)
        per_tick(cast, seed, min(ticks, 5), 1)  # warm up: compile for new shapes
        rows.append(per_tick(cast, seed, ticks, repeat))
    return rows


def bench_agents(seed: int, ticks: int, repeat: int) -> list[dict[str, Any]]:
    """Per-tick CPU as the publics grow (`sized_cast`); the largest model's peak memory is
    measured apart, in a fresh process (`bench_agents_memory`)."""
    limits.MAX_AGENTS = max(limits.MAX_AGENTS, 2 * max(AGENTS))
    rows = []
    for agents in AGENTS:
        cast = sized_cast(agents)
        scale = max(1, agents // 10_000)  # fewer ticks and repeats for the big ones
        rows.append(per_tick(cast, seed, max(6, ticks // scale), max(1, repeat // scale)))
    return rows


def _agents_memory(agents: int, seed: int, ticks: int, queue: Any) -> None:
    """In a fresh process: peak RSS of building and running the ``agents``-agent model."""
    before = _peak_rss_mb()
    limits.MAX_AGENTS = max(limits.MAX_AGENTS, 2 * agents)
    cast = sized_cast(agents)
    model = CrisisModel(cast, rng=seed, max_ticks=ticks, collect_series=False)
    while model.running:
        model.step()
    queue.put(
        {
            "agents": len(model.constituency_agents),
            "ticks": model.tick,
            "peak_rss_mb": _peak_rss_mb(),
            "rss_before_mb": before,
        }
    )


def _table_memory(rows: int, queue: Any) -> None:
    """In a fresh process: peak RSS of a ``rows``-row results table through parquet."""
    before = _peak_rss_mb()
    cast = read_cast()
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
    """This process's peak resident memory. On Linux from /proc (the high-water mark of this
    program), since getrusage's survives exec: a fresh process would report its parent's."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
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


def read_cast() -> Cast:
    """The baseline cast."""
    return build_cast(read_toml(CAST), CAST.stem)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and runs (~1 min)")
    args = parser.parse_args()
    quick = args.quick
    cast = read_cast()
    seed = full_length_seed(cast)
    results: dict[str, Any] = {"quick": quick}
    results["run"] = bench_run(cast, seed, repeat=7 if quick else 31)
    results["phases_pct"] = bench_phases(cast, seed, runs=3 if quick else 10)
    results["profile_pct"] = bench_profile(cast, seed, runs=3 if quick else 10)
    results["sweep"] = bench_sweep(runs=40 if quick else 300, baseline_runs=100 if quick else 1000)
    results["memory_agents"] = in_fresh_process(_agents_memory, max(AGENTS), seed, 3)
    results["memory_table"] = in_fresh_process(_table_memory, 100_000)
    results["memory_sweep"] = in_fresh_process(_sweep_memory, 40 if quick else 300)
    ticks = 20 if quick else TICKS
    results["states"] = bench_states(seed, ticks, repeat=1 if quick else 3)
    results["agents"] = bench_agents(seed, ticks, repeat=1 if quick else 3)
    print_table(results)
    text = json.dumps(results, indent=2)
    RESULTS.write_text(text + "\n")
    print(text)


def print_table(r: dict[str, Any]) -> None:
    """The results as a readable table."""
    run_ = r["run"]
    print(
        f"baseline cast, seed {run_['seed']} ({run_['outcome']}, {run_['ticks']} ticks, "
        f"{run_['agents']} agents; cast loaded once), CPU medians"
    )
    print(f"  ms per run                 {run_['cpu_ms_per_run']:8.1f}")
    print(f"  us per tick                {run_['cpu_us_per_tick']:8.0f}")
    print(f"  ms construction            {run_['cpu_ms_construction']:8.2f}")
    print(
        f"  empty {TICKS}-tick Mesa model, same agents {run_['cpu_ms_empty_mesa_model']:6.2f} ms"
        f"   ratio {run_['ratio_to_empty_model']:.1f}"
    )
    print(f"  ms per run, with series (wall) {run_['ms_per_run_with_series']:6.1f}")
    print("time by phase (% of the ticks' time)")
    for phase, pct in r["phases_pct"].items():
        print(f"  {phase:<26} {pct:7.1f}")
    print("time by module (cProfile own time, %; top 15)")
    for module, pct in list(r["profile_pct"].items())[:15]:
        print(f"  {module:<40} {pct:7.1f}")
    s = r["sweep"]
    print(
        f"baseline sweep, {s['baseline_runs']:,} runs, 1 worker: "
        f"{s['baseline_runs_per_s_1_worker']:.1f} runs/s "
        f"({s['baseline_cpu_ms_per_run_1_worker']:.1f} ms CPU per run)"
    )
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
    print("states   constituency agents   ticks   construction ms CPU   us per tick CPU")
    for row in r["states"]:
        print(
            f"  {row['states']:>5}   {row['agents']:>19,}   {row['ticks']:>5}"
            f"   {row['cpu_ms_construction']:>19.1f}   {row['cpu_us_per_tick']:>15.0f}"
        )
    print("constituency agents   ticks   construction ms CPU   us per tick CPU")
    for row in r["agents"]:
        print(
            f"  {row['agents']:>17,}   {row['ticks']:>5}   {row['cpu_ms_construction']:>19.1f}"
            f"   {row['cpu_us_per_tick']:>15.0f}"
        )
    a, t, m = r["memory_agents"], r["memory_table"], r["memory_sweep"]
    print(
        f"peak RSS, the {a['agents']:,}-agent model ({a['ticks']} ticks): "
        f"{a['peak_rss_mb']:.0f} MB (interpreter alone {a['rss_before_mb']:.0f} MB)"
    )
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
