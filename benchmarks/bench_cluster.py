"""Runs per second of the baseline on the local pool and on a loopback Dask cluster.

Starts a scheduler and two single-threaded workers (``dask scheduler`` / ``dask worker``, as a
user would; their start-up is not timed, the local pool's is), then runs the same sweep:

- in this process (1 worker: what a run costs);
- on the local pool of 2 processes, default chunk size;
- on the Dask cluster, default chunk size, and one run per task (no chunking).

The per-task cost of Dask is estimated from the last two; the records of the pool and of the
cluster are checked to be identical.

    .venv/bin/python benchmarks/bench_cluster.py              # the whole baseline (1,000 runs)
    .venv/bin/python benchmarks/bench_cluster.py --runs 300   # a quicker look
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_runner import _spec

from negsim.experiment import run_experiment
from negsim.experiment.cluster import DaskExecutor
from negsim.experiment.runner import auto_chunk_size
from negsim.experiment.tasks import Chunk

DASK = Path(sys.executable).with_name("dask")


def start_cluster(folder: Path, workers: int = 2) -> tuple[str, list[subprocess.Popen]]:
    """A loopback scheduler with single-threaded workers; returns its address and processes."""
    from distributed import Client

    info = folder / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    scheduler = ["scheduler", *common, "--port", "0", "--scheduler-file", str(info)]
    procs = [_start(scheduler)]
    while not info.exists():
        time.sleep(0.05)
    address = json.loads(info.read_text())["address"]
    worker = ["worker", address, *common, "--nthreads", "1", "--memory-limit", "0"]
    procs += [_start(worker) for _ in range(workers)]
    with Client(address, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=60)
    return address, procs


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([str(DASK), *args], start_new_session=True, stderr=subprocess.DEVNULL)


def timed(spec, folder: Path, **kwargs) -> tuple[float, pd.DataFrame]:
    """Wall seconds of a fresh sweep, and its runs."""
    started = time.perf_counter()
    result = run_experiment(spec, results=folder, force=True, progress=False, **kwargs)
    seconds = time.perf_counter() - started
    assert result.complete and result.failed == 0
    return seconds, result.runs()


def dispatch_seconds(address: str, tasks: int = 2000) -> float:
    """Wall seconds per task of empty chunks through the Dask executor: the cost of a task."""
    empty = Chunk("", {}, "", 1, False, {}, [])
    executor = DaskExecutor(address)
    try:
        started = time.perf_counter()
        for _ in executor.map_chunks(empty for _ in range(tasks)):
            pass
        return (time.perf_counter() - started) / tasks
    finally:
        executor.close()


def main() -> None:
    """Print runs/s of each configuration and the per-task cost of Dask."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="first N runs of the baseline")
    args = parser.parse_args()
    spec = _spec(args.runs)
    n = spec.experiment.replications
    default = auto_chunk_size(n, 2)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        address, procs = start_cluster(folder)
        try:
            serial, _ = timed(spec, folder / "serial", workers=1)
            pool, pool_runs = timed(spec, folder / "pool", workers=2)
            dask, dask_runs = timed(spec, folder / "dask", scheduler=address)
            single, _ = timed(spec, folder / "dask1", scheduler=address, chunk_size=1)
            per_task = dispatch_seconds(address)
        finally:
            for proc in procs:
                os.killpg(proc.pid, signal.SIGKILL)
    pd.testing.assert_frame_equal(pool_runs, dask_runs)
    ms_per_run = 1000 * serial / n
    rows = [
        ("1 process (serial)", serial, "-"),
        ("local pool, 2 processes", pool, default),
        ("Dask, 2 workers x 1 thread", dask, default),
        ("Dask, 2 workers x 1 thread", single, 1),
    ]
    print(f"baseline, {n} runs; records of the pool and of Dask identical")
    print(f"{'where':30} {'chunk':>6} {'seconds':>8} {'runs/s':>7}")
    for name, seconds, chunk in rows:
        print(f"{name:30} {chunk!s:>6} {seconds:8.1f} {n / seconds:7.1f}")
    work = default * ms_per_run / 1000
    print(
        f"Dask wall time per task (empty chunks, 2 workers): {1000 * per_task:.2f} ms; against "
        f"the {1000 * work:.0f} ms of work in a default chunk of {default} runs on one of 2 "
        f"workers: {100 * 2 * per_task / work:.2f}% overhead"
    )


if __name__ == "__main__":
    main()
