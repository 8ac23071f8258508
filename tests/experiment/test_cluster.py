"""Sweeps on a real loopback Dask cluster: same records as locally, faults survived.

One scheduler and two single-threaded workers (each under a nanny, which restarts a killed
worker) serve the whole module; they are `dask` processes, started as a user would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from negsim.cli import main
from negsim.errors import InputError
from negsim.experiment import load_results, load_series, run_experiment
from tests.experiment.helpers import (
    ROOT,
    assert_failed_at_face_02,
    failing_at_face_02,
    kill_worker_once,
    start_sweep,
    wait_for_parts,
    write_spec,
)

pytest.importorskip("distributed")
DASK = ROOT / ".venv" / "bin" / "dask"


def _start(args: list[str], log: Path) -> subprocess.Popen:
    # PYTHONPATH: workers unpickle the test helpers' run functions by reference.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [str(DASK), *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> Iterator[str]:
    """The address of a loopback scheduler with two single-threaded workers."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    info = folder / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    procs = [
        _start(["scheduler", *common, "--port", "0", "--scheduler-file", str(info)], folder / "s")
    ]
    try:
        deadline = time.monotonic() + 30
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        address = json.loads(info.read_text())["address"]
        worker = ["worker", address, *common, "--nthreads", "1", "--memory-limit", "0"]
        procs += [_start(worker, folder / f"w{i}") for i in range(2)]
        with Client(address, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _records(root: Path) -> pd.DataFrame:
    return load_results(root)[0]


def _reference(spec: Path, tmp_path: Path) -> Path:
    return run_experiment(spec, results=tmp_path / "reference", workers=1, progress=False).root


@pytest.mark.cluster
def test_the_sweep_command_on_a_cluster_records_what_the_local_pool_records(
    scheduler, tmp_path, capsys
):
    spec = write_spec(tmp_path, replications=5, max_ticks=15, extra="collect_series = true")
    args = ["sweep", str(spec), "-q", "--chunk-size", "3", "--results", str(tmp_path / "dask")]
    assert main([*args, "--scheduler", scheduler]) == 0
    assert "10 of 10 runs recorded" in capsys.readouterr().out
    root, reference = tmp_path / "dask" / "t", _reference(spec, tmp_path)
    pd.testing.assert_frame_equal(_records(root), _records(reference))
    pd.testing.assert_frame_equal(load_series(root), load_series(reference))
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["sessions"][-1]["workers"] == 2


@pytest.mark.cluster
def test_a_worker_killed_part_way_loses_no_run(scheduler, tmp_path):
    spec = write_spec(tmp_path, replications=8, max_ticks=10)
    run_fn = partial(kill_worker_once, marker=str(tmp_path / "killed"))
    result = run_experiment(
        spec,
        results=tmp_path / "dask",
        scheduler=scheduler,
        chunk_size=2,
        progress=False,
        run_fn=run_fn,
    )
    assert (tmp_path / "killed").exists()  # a worker did die part way
    assert result.complete and result.failed == 0
    got = _records(result.root)
    assert got["run_id"].is_unique and len(got) == 16
    pd.testing.assert_frame_equal(got, _records(_reference(spec, tmp_path)))


@pytest.mark.cluster
def test_a_run_raising_on_a_worker_is_recorded_failed_and_the_rest_complete(scheduler, tmp_path):
    spec = write_spec(tmp_path, replications=3, max_ticks=5)
    result = run_experiment(
        spec, results=tmp_path, scheduler=scheduler, progress=False, run_fn=failing_at_face_02
    )
    assert_failed_at_face_02(result)


@pytest.mark.cluster
def test_code_the_workers_cannot_import_stops_the_sweep_with_a_clear_error(
    scheduler, tmp_path, monkeypatch
):
    (tmp_path / "client_only.py").write_text("def run(*args, **kwargs):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from client_only import run  # importable here, not on the workers

    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    with pytest.raises(InputError, match="is the same negsim installed on every worker"):
        run_experiment(spec, results=tmp_path, scheduler=scheduler, progress=False, run_fn=run)
    assert json.loads((tmp_path / "t" / "manifest.json").read_text())["status"] == "crashed"


@pytest.mark.cluster
@pytest.mark.parametrize("how", ["kill", "ctrl-c"])
def test_an_interrupted_cluster_sweep_resumes_to_the_same_records(scheduler, tmp_path, how):
    spec = write_spec(tmp_path, replications=40, max_ticks=40)
    results = tmp_path / "dask"
    proc = start_sweep(spec, results, "--scheduler", scheduler)
    parts = results / "t" / "parts"
    try:
        wait_for_parts(parts, proc)
        os.killpg(proc.pid, signal.SIGKILL if how == "kill" else signal.SIGINT)
        status = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert status == (-signal.SIGKILL if how == "kill" else 130), proc.stderr.read()
    if how == "kill":  # the last part cut short on disk, as by a crash while writing it
        part = sorted(parts.glob("runs-*.parquet"))[-1]
        part.write_bytes(part.read_bytes()[:200])
    args = ["sweep", str(spec), "-q", "--results", str(results), "--scheduler", scheduler]
    assert main(args) == 0
    got = _records(results / "t")
    assert got["run_id"].is_unique
    pd.testing.assert_frame_equal(got, _records(_reference(spec, tmp_path)))
    sessions = json.loads((results / "t" / "manifest.json").read_text())["sessions"]
    assert [s["status"] for s in sessions] == [
        "running" if how == "kill" else "interrupted",
        "complete",
    ]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("tcp://127.0.0.1:1", "cannot connect"),
        ("tcp://no-such-host.invalid:8786", "cannot connect"),
        ("udp://127.0.0.1:8786", "expected SCHEME://HOST:PORT"),
        ("127.0.0.1:99999", "expected SCHEME://HOST:PORT"),
        ("tcp://127.0.0.1", "expected SCHEME://HOST:PORT"),
        ("tcp://:8786", "expected SCHEME://HOST:PORT"),
    ],
)
def test_a_bad_scheduler_address_is_a_quick_clear_error_and_writes_nothing(
    tmp_path, capsys, address, expected
):
    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    results = tmp_path / "results"
    started = time.monotonic()
    status = main(["sweep", str(spec), "-q", "--results", str(results), "--scheduler", address])
    assert time.monotonic() - started < 5
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --scheduler") and expected in err
    assert not results.exists()


def test_workers_and_a_scheduler_together_are_refused(tmp_path, capsys):
    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    args = ["sweep", str(spec), "-q", "--results", str(tmp_path / "r")]
    assert main([*args, "--scheduler", "tcp://127.0.0.1:1", "-j", "2"]) == 2
    assert "drop --workers" in capsys.readouterr().err
    assert main([*args, "--chunk-size", "0"]) == 2
    assert "--chunk-size: expected a positive number" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
