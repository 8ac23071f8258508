"""The sweep runner: same records whatever the workers or interruptions; failures recorded."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from negsim.cli import main
from negsim.errors import InputError
from negsim.experiment import load_results, load_series, load_spec, run_experiment
from tests.experiment.helpers import (
    assert_failed_at_face_02,
    failing_at_face_02,
    kill_worker_once,
    start_sweep,
    wait_for_parts,
    write_spec,
)


def _records(root) -> pd.DataFrame:
    return load_results(root)[0]


def test_records_are_identical_on_one_and_two_workers(tmp_path):
    spec = write_spec(tmp_path, replications=4, extra="collect_series = true", max_ticks=15)
    one = run_experiment(spec, results=tmp_path / "one", workers=1, progress=False)
    two = run_experiment(spec, results=tmp_path / "two", workers=2, progress=False, chunk_size=1)
    assert one.complete and two.complete and one.done == 8
    pd.testing.assert_frame_equal(_records(one.root), _records(two.root))
    pd.testing.assert_frame_equal(load_series(one.root), load_series(two.root))
    assert set(load_series(one.root)["variable"]) >= {"cohesion", "control", "rung"}
    for name in ("summary.csv", "manifest.json"):
        assert (one.root / name).exists()
    manifest = json.loads((one.root / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["versions"]["mesa"].startswith("3.")
    assert manifest["counts"] == {
        "points": 2,
        "replications": 4,
        "planned": 8,
        "done": 8,
        "failed": 0,
    }


def test_rerunning_a_finished_sweep_runs_nothing(tmp_path):
    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    run_experiment(spec, results=tmp_path, workers=1, progress=False)
    again = run_experiment(spec, results=tmp_path, workers=1, progress=False)
    assert again.ran == 0 and again.done == 4


def test_a_changed_spec_is_refused_unless_forced(tmp_path):
    run_experiment(
        write_spec(tmp_path, replications=2, max_ticks=5),
        results=tmp_path,
        workers=1,
        progress=False,
    )
    changed = write_spec(tmp_path, replications=3, max_ticks=5)
    with pytest.raises(InputError, match=r"different experiment.*--force"):
        run_experiment(changed, results=tmp_path, workers=1, progress=False)
    forced = run_experiment(changed, results=tmp_path, workers=1, progress=False, force=True)
    assert forced.done == 6 and forced.ran == 6


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, workers):
    spec = write_spec(tmp_path, replications=3, max_ticks=5)
    result = run_experiment(
        spec, results=tmp_path, workers=workers, progress=False, run_fn=failing_at_face_02
    )
    assert_failed_at_face_02(result)
    summary = pd.read_csv(result.root / "summary.csv")
    assert summary["failed"].tolist() == [0, 3]


def test_the_sweep_command_ends_non_zero_with_a_count_of_failures(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("negsim.model.run", _raise_at_02)
    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    status = main(["sweep", str(spec), "-j", "1", "-q", "--results", str(tmp_path)])
    assert status == 1
    assert "2 runs failed" in capsys.readouterr().err


def _raise_at_02(cast, seed, max_ticks, overrides=None, collect_series=False):
    from negsim.model import CrisisModel

    if cast.parameters.bargaining.face_offer == 0.2:
        raise ValueError("bad point")
    model = CrisisModel(cast, rng=seed, max_ticks=max_ticks, collect_series=collect_series)
    return model.run(), model


@pytest.mark.parametrize("how", ["kill", "ctrl-c"])
def test_an_interrupted_sweep_resumes_to_the_same_records(tmp_path, how):
    spec = write_spec(tmp_path, replications=60, max_ticks=40, extra="collect_series = true")
    results = tmp_path / "interrupted"
    proc = start_sweep(spec, results, "-j", "2")
    parts = results / "t" / "parts"
    try:
        wait_for_parts(parts, proc)
        if how == "kill":  # the driver and its workers die at once
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        status = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    manifest = json.loads((results / "t" / "manifest.json").read_text())
    if how == "kill":
        assert status == -signal.SIGKILL
        assert manifest["status"] == "running"
        part = sorted(parts.glob("runs-*.parquet"))[-1]  # a part cut short on disk
        part.write_bytes(part.read_bytes()[:200])
    else:
        assert status == 130, proc.stderr.read()
        assert manifest["status"] == "interrupted"
        assert 0 < manifest["counts"]["done"] < 120

    resumed = run_experiment(spec, results=results, workers=1, progress=False)
    assert resumed.complete and 0 < resumed.ran < 120
    reference = run_experiment(spec, results=tmp_path / "reference", workers=1, progress=False)
    got, want = _records(resumed.root), _records(reference.root)
    assert got["run_id"].is_unique
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(load_series(resumed.root), load_series(reference.root))
    assert not list(parts.glob("*.parquet"))  # only a part set aside as corrupt may stay
    sessions = json.loads((results / "t" / "manifest.json").read_text())["sessions"]
    assert len(sessions) == 2 and sessions[-1]["status"] == "complete"


def test_a_killed_pool_worker_is_replaced_and_its_chunks_are_rerun(tmp_path):
    spec = write_spec(tmp_path, replications=6, max_ticks=10, extra="collect_series = true")
    run_fn = partial(kill_worker_once, marker=str(tmp_path / "killed"))
    result = run_experiment(
        spec, results=tmp_path / "pool", workers=2, chunk_size=2, progress=False, run_fn=run_fn
    )
    assert (tmp_path / "killed").exists()  # a worker did die part way
    assert result.complete and result.failed == 0 and result.ran == 12
    reference = run_experiment(spec, results=tmp_path / "reference", workers=1, progress=False)
    got = _records(result.root)
    assert got["run_id"].is_unique
    pd.testing.assert_frame_equal(got, _records(reference.root))
    pd.testing.assert_frame_equal(load_series(result.root), load_series(reference.root))


def test_results_hold_no_pickle_only_parquet_json_and_csv(tmp_path):
    spec = write_spec(tmp_path, replications=2, max_ticks=5, extra="collect_series = true")
    root = run_experiment(spec, results=tmp_path / "r", workers=1, progress=False).root
    files = [p for p in root.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".parquet", ".json", ".csv"}
    for path in files:
        head = path.read_bytes()[:2]
        assert head[:1] != b"\x80", f"{path} looks like a pickle"
        if path.suffix == ".parquet":
            assert path.read_bytes()[:4] == b"PAR1"


def test_a_spec_can_be_run_from_a_notebook(tmp_path):
    spec = load_spec(write_spec(tmp_path, replications=2, max_ticks=5))
    frame = run_experiment(spec, results=tmp_path, workers=1, progress=False).runs()
    assert len(frame) == 4
    assert {"run_id", "seed", "outcome", "end_tick", "bargaining.face_offer"} <= set(frame)


def test_negsim_summary_prints_shares_with_intervals(tmp_path, capsys):
    spec = write_spec(tmp_path, replications=3, max_ticks=5)
    assert main(["sweep", str(spec), "-j", "1", "-q", "--results", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["summary", str(tmp_path / "t")]) == 0
    out = capsys.readouterr().out
    assert "experiment t: 6 of 6 runs (complete)" in out
    assert "Wilson 95% intervals" in out and "stalemate" in out


def _session_members(session: int) -> list[str]:
    """The live processes of a session (a process group led by `start_sweep`'s driver)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{entry}/cmdline").read_text().replace("\0", " ")
        except OSError:
            continue
        if int(stat[3]) == session and stat[0] != "Z":  # fields: state, ppid, pgrp, session
            found.append(f"{entry}: {cmdline}")
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_killing_the_driver_leaves_no_worker_alive(tmp_path):
    spec = write_spec(tmp_path, replications=200, max_ticks=40)
    results = tmp_path / "results"
    proc = start_sweep(spec, results, "-j", "2")
    try:
        wait_for_parts(results / "t" / "parts", proc)
        assert len(_session_members(proc.pid)) >= 3  # the driver, its workers, their tracker
        os.kill(proc.pid, signal.SIGKILL)  # the driver alone
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _session_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_members(proc.pid) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    resumed = run_experiment(spec, results=results, workers=1, progress=False)
    assert resumed.complete
