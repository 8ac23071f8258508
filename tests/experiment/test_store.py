"""The results folder under misuse: corrupt, foreign, read-only or full; two sweeps at once."""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from negsim.cli import main
from negsim.errors import InputError
from negsim.experiment import load_results, load_spec, run_experiment
from negsim.experiment.store import ResultStore
from tests.experiment.helpers import (
    ROOT,
    failing_at_face_02,
    write_spec,
)


def _sweep(spec: Path, results: Path, **kwargs):
    return run_experiment(spec, results=results, workers=1, progress=False, **kwargs)


def _finished(tmp_path: Path, **kwargs) -> tuple[Path, Path]:
    """A finished small sweep: its spec and its results folder."""
    spec = write_spec(tmp_path, replications=3, max_ticks=5, **kwargs)
    return spec, _sweep(spec, tmp_path / "results").root


def _negsim(*args: str, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "negsim.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


# --- 1: text-valued parameters ------------------------------------------------------------------


def test_a_text_valued_parameter_can_be_varied(tmp_path, capsys):
    # the aggressor, an autocracy with no elections scheduled, governed as a democracy
    _, root = _finished(tmp_path, vary='"states.ARG.regime" = ["autocracy", "democracy"]')
    runs = load_results(root)[0]
    assert runs["states.ARG.regime"].tolist() == ["autocracy"] * 3 + ["democracy"] * 3
    assert (runs["status"] == "ok").all()
    assert json.loads((root / "manifest.json").read_text())["status"] == "complete"
    assert main(["summary", str(root)]) == 0
    assert "democracy" in capsys.readouterr().out
    # the report writes (PRIM boxes numbers only, and says so); discovery says why it cannot
    assert main(["report", str(root)]) == 0
    assert (root / "report.html").is_file()
    assert main(["discover", str(root), "--outcome", "stalemate"]) == 2
    assert "boxes numeric parameters" in capsys.readouterr().err


# --- 3: a corrupt manifest ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "corrupt (not valid JSON"),  # truncated half-way
        (b"\xff\xfe\x00", "cannot read: not UTF-8 text"),
        (b"[1, 2]", "not a negsim manifest (expected a JSON object, got list)"),
        (b'{"name": 3}', "not a negsim manifest (name: expected str)"),
        (
            b'{"name": "t", "spec": {}, "cast": {"path": "x"}, "sessions": []}',
            "not a negsim manifest (spec: experiment: required field is missing)",
        ),
        (b"[" * 100_000, "corrupt (not valid JSON"),
    ],
)
def test_a_corrupt_manifest_is_a_clear_error_for_every_command(tmp_path, capsys, content, expected):
    spec, root = _finished(tmp_path)
    manifest = root / "manifest.json"
    text = manifest.read_bytes()
    manifest.write_bytes(text[: len(text) // 2] if content is None else content)
    for args in (
        ["summary", str(root)],
        ["report", str(root)],
        ["sweep", str(spec), "-j", "1", "-q", "--results", str(tmp_path / "results")],
    ):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert f"{manifest}: " in err and expected in err, err
    forced = ["sweep", str(spec), "-j", "1", "-q", "--results", str(tmp_path / "results")]
    assert main([*forced, "--force"]) == 0
    assert json.loads(manifest.read_text())["status"] == "complete"


# --- 4: read-only folders -----------------------------------------------------------------------


@functools.cache
def _can_remount() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[list[str]]:
    """A command prefix under which ``path`` (and all it holds) cannot be written.

    Not root: the write permissions are taken away. Root ignores them, so a private mount
    namespace remounts the folder read-only for the command alone.
    """
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            yield []
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
    elif _can_remount():
        script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
        yield ["unshare", "-m", "sh", "-c", script, str(path)]
    else:
        pytest.skip("cannot make a folder read-only for root here (no unshare)")


def test_a_finished_sweep_in_a_read_only_folder_can_be_summarized_and_reported(tmp_path):
    spec, root = _finished(tmp_path)
    elsewhere = tmp_path / "elsewhere.html"
    with read_only(root) as prefix:
        summary = _negsim("summary", str(root), prefix=prefix)
        report = _negsim("report", str(root), prefix=prefix)
        report_elsewhere = _negsim("report", str(root), "-o", str(elsewhere), prefix=prefix)
        again = _negsim("sweep", str(spec), "-j", "1", "-q", "--results", str(root.parent))
    for result in (summary, report, report_elsewhere, again):
        _no_traceback(result)
    assert summary.returncode == 1 and "experiment t: 6 of 6 runs (complete)" in summary.stdout
    assert f"warning: {root / 'summary.csv'}: cannot write" in summary.stderr
    assert report.returncode == 2
    assert f"{root / 'report.html'}: cannot write" in report.stderr and "-o FILE" in report.stderr
    assert report_elsewhere.returncode == 0 and elsewhere.stat().st_size > 1_000_000
    assert again.returncode == 0 and "6 of 6 runs recorded" in again.stdout
    assert not list(root.glob(".*.tmp"))


def test_exporting_a_read_only_folder_is_a_clear_error_and_elsewhere_works(tmp_path):
    _, root = _finished(tmp_path)
    elsewhere = tmp_path / "tables"
    with read_only(root) as prefix:
        inside = _negsim("export", str(root), prefix=prefix)
        outside = _negsim("export", str(root), "--out", str(elsewhere), prefix=prefix)
    for result in (inside, outside):
        _no_traceback(result)
    assert inside.returncode == 2 and "cannot create the folder" in inside.stderr
    assert outside.returncode == 0 and (elsewhere / "runs.csv").is_file()
    missing = _negsim("export", str(root), "--out", str(tmp_path / "no" / "such"))
    _no_traceback(missing)
    assert missing.returncode == 2


def test_a_sweep_into_a_read_only_results_root_is_a_clear_error(tmp_path):
    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    results = tmp_path / "results"
    results.mkdir()
    with read_only(results) as prefix:
        result = _negsim(
            "sweep", str(spec), "-j", "1", "-q", "--results", str(results), prefix=prefix
        )
    _no_traceback(result)
    assert result.returncode == 2
    assert f"{results / 't'}: cannot create the results folder" in result.stderr


def test_an_unfinished_sweep_in_a_read_only_folder_is_a_clear_error(tmp_path):
    spec, root = _finished(tmp_path)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["status"] = "interrupted"
    (root / "manifest.json").write_text(json.dumps(manifest))
    with read_only(root) as prefix:
        args = ("sweep", str(spec), "-j", "1", "-q", "--results", str(root.parent))
        result = _negsim(*args, prefix=prefix)
    _no_traceback(result)
    assert result.returncode == 2 and f"{root}" in result.stderr and "cannot write" in result.stderr


# --- 5: a full disk -----------------------------------------------------------------------------


def test_a_full_disk_during_consolidation_loses_no_run_and_a_rerun_finishes(
    tmp_path, monkeypatch, capsys
):
    spec = write_spec(tmp_path, replications=3, max_ticks=5, extra="collect_series = true")
    results = tmp_path / "results"
    real_write = pq.write_table

    def disk_full_for_consolidated_files(table, where, **kwargs):
        if Path(where).name.startswith((".runs.parquet", ".series.parquet")):
            real_write(table, where, **kwargs)  # what got onto the disk before it filled up
            Path(where).write_bytes(Path(where).read_bytes()[:100])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", disk_full_for_consolidated_files)
    args = ["sweep", str(spec), "-j", "1", "-q", "--results", str(results), "--flush-every", "0"]
    assert main(args) == 2
    err = capsys.readouterr().err
    root = results / "t"
    assert "No space left on device" in err and "rerun the same command to finish" in err
    assert not list(root.rglob(".*.tmp"))
    assert json.loads((root / "manifest.json").read_text())["status"] == "interrupted"
    assert len(list((root / "parts").glob("runs-*.parquet"))) == 6

    monkeypatch.setattr(pq, "write_table", real_write)
    assert main(args) == 0
    reference = _sweep(spec, tmp_path / "reference")
    pd.testing.assert_frame_equal(load_results(root)[0], load_results(reference.root)[0])
    assert json.loads((root / "manifest.json").read_text())["status"] == "complete"


# --- 7: what a kill leaves behind ---------------------------------------------------------------


def test_a_temporary_file_left_by_a_kill_is_removed_by_the_rerun(tmp_path):
    spec, root = _finished(tmp_path)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["status"] = "running"  # killed before the final manifest was written
    (root / "manifest.json").write_text(json.dumps(manifest))
    leftover = root / ".runs.parquet.0badc0de.tmp"
    leftover.write_bytes(b"PAR1 cut short")
    again = _sweep(spec, root.parent)
    assert again.complete and again.ran == 0
    assert not leftover.exists()
    assert json.loads((root / "manifest.json").read_text())["status"] == "complete"


def test_a_kill_during_the_first_manifest_write_does_not_block_the_rerun(tmp_path):
    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    root = tmp_path / "results" / "t"
    root.mkdir(parents=True)
    (root / ".manifest.json.1234abcd.tmp").write_text('{"name": "t", "sp')
    result = _sweep(spec, root.parent)
    assert result.complete and result.ran == 4
    assert not list(root.glob(".*.tmp"))


# --- 8: two sweeps, one folder ------------------------------------------------------------------


def test_the_results_folder_is_locked_while_a_sweep_writes(tmp_path):
    spec = load_spec(write_spec(tmp_path))
    first, second = ResultStore(tmp_path / "t", spec), ResultStore(tmp_path / "t", spec)
    with first.lock():
        pid = (tmp_path / "t" / ".lock").read_text().strip()
        assert pid == str(os.getpid())
        with (
            pytest.raises(InputError, match=rf"another negsim sweep \(pid {pid}\).*--wait"),
            second.lock(),
        ):
            pass
    with second.lock():  # free again, and the lock file goes with its holder
        pass
    assert not (tmp_path / "t" / ".lock").exists()


def test_a_second_sweep_into_a_busy_folder_exits_2_and_writes_nothing(tmp_path):
    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    results = tmp_path / "results"
    with ResultStore(results / "t", load_spec(spec)).lock():
        refused = _negsim("sweep", str(spec), "-j", "1", "-q", "--results", str(results))
        assert [p.name for p in (results / "t").iterdir()] == [".lock"]
    _no_traceback(refused)
    assert refused.returncode == 2
    expected = f"{results / 't'}: another negsim sweep (pid {os.getpid()}) is writing here"
    assert expected in refused.stderr and "--wait" in refused.stderr


def test_a_sweep_told_to_wait_runs_once_the_folder_is_free(tmp_path, capsys):
    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    results = tmp_path / "results"
    done = []
    sweep = threading.Thread(target=lambda: done.append(_sweep(spec, results, wait=True)))
    with ResultStore(results / "t", load_spec(spec)).lock():
        sweep.start()
        sweep.join(timeout=2)
        assert sweep.is_alive() and not (results / "t" / "manifest.json").exists()
    sweep.join(timeout=60)
    assert done and done[0].complete and done[0].ran == 4
    assert "is writing here; waiting for it to end" in capsys.readouterr().err


def test_two_sweeps_started_together_share_the_work_and_keep_both_sessions(tmp_path):
    spec = write_spec(tmp_path, replications=10, max_ticks=20)
    results = tmp_path / "results"
    args = [sys.executable, "-m", "negsim.cli", "sweep", str(spec), "-j", "1", "-q"]
    both = [
        subprocess.Popen(
            [*args, "--results", str(results), "--wait"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=240) for proc in both]
    for proc, (_, err) in zip(both, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    manifest = json.loads((results / "t" / "manifest.json").read_text())
    assert [s["status"] for s in manifest["sessions"]] == ["complete", "complete"]
    assert sorted(s["ran"] for s in manifest["sessions"]) == [0, 20]
    reference = _sweep(spec, tmp_path / "reference")
    pd.testing.assert_frame_equal(load_results(results / "t")[0], load_results(reference.root)[0])


# --- 9: failed runs are retried -----------------------------------------------------------------


def test_a_rerun_retries_the_runs_recorded_as_failed(tmp_path):
    spec = write_spec(tmp_path, replications=3, max_ticks=5)
    first = _sweep(spec, tmp_path / "results", run_fn=failing_at_face_02)
    assert first.failed == 3
    again = _sweep(spec, tmp_path / "results")
    assert again.ran == 3 and again.failed == 0 and again.complete
    reference = _sweep(spec, tmp_path / "reference")
    pd.testing.assert_frame_equal(load_results(again.root)[0], load_results(reference.root)[0])


def test_keep_failed_keeps_the_runs_recorded_as_failed(tmp_path, capsys):
    spec = write_spec(tmp_path, replications=3, max_ticks=5)
    _sweep(spec, tmp_path / "results", run_fn=failing_at_face_02)
    args = ["sweep", str(spec), "-j", "1", "-q", "--results", str(tmp_path / "results")]
    assert main([*args, "--keep-failed"]) == 1
    captured = capsys.readouterr()
    assert "(0 run now)" in captured.out and "3 runs failed" in captured.err
    assert main(args) == 0
    assert "(3 run now)" in capsys.readouterr().out


# --- 10: a foreign Parquet file -----------------------------------------------------------------


def test_a_parquet_file_of_another_schema_is_reported_then_set_aside(tmp_path, capsys):
    spec, root = _finished(tmp_path)
    (root / "parts").mkdir()
    foreign = root / "parts" / "runs-zzz-000001.parquet"
    pq.write_table(pa.table({"run_id": [0, 1], "colour": ["red", "blue"]}), foreign)
    assert main(["summary", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"{foreign}: not a runs file of this experiment (no column 'point')" in err
    again = _sweep(spec, root.parent)
    assert again.complete and again.ran == 0
    assert (root / "parts" / f"{foreign.name}.corrupt").exists()
    assert main(["summary", str(root)]) == 0


# --- 11: odd output paths -----------------------------------------------------------------------


def test_force_into_a_symlinked_results_folder_starts_over_in_its_target(tmp_path):
    spec = write_spec(tmp_path, replications=2, max_ticks=5)
    target = tmp_path / "big_disk" / "t"
    target.mkdir(parents=True)
    (target / "stale.txt").write_text("from an older sweep")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "t").symlink_to(target)
    result = _sweep(spec, tmp_path / "results", force=True)
    assert result.complete and (tmp_path / "results" / "t").is_symlink()
    assert not (target / "stale.txt").exists() and (target / "runs.parquet").exists()


def test_report_into_an_existing_folder_writes_report_html_in_it(tmp_path, capsys):
    _, root = _finished(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["report", str(root), "-o", str(out)]) == 0
    assert (out / "report.html").stat().st_size > 1_000_000
    assert [p.name for p in out.iterdir()] == ["report.html"]


def test_report_into_a_missing_folder_is_a_clear_error_and_leaves_nothing(tmp_path, capsys):
    _, root = _finished(tmp_path)
    assert main(["report", str(root), "-o", str(tmp_path / "no" / "r.html")]) == 2
    assert f"--output {tmp_path / 'no' / 'r.html'}: no such folder" in capsys.readouterr().err
    assert not (tmp_path / "no").exists() and not list(tmp_path.rglob(".*.tmp"))


# --- 19: a closed pipe --------------------------------------------------------------------------


def test_a_summary_into_a_closed_pipe_ends_quietly(tmp_path):
    # like `negsim summary DIR | head -4`: the reader has gone before the table is written
    _, root = _finished(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "negsim.cli", "summary", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait() == 141
    assert err == ""
