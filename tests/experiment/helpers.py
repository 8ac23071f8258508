"""Spec files for the runner tests: the small dyad cast, few ticks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from negsim.model import run

ROOT = Path(__file__).resolve().parents[2]
DYAD = ROOT / "agents" / "dyad.toml"


def write_spec(
    folder: Path,
    name: str = "t",
    *,
    replications: int = 3,
    max_ticks: int = 20,
    vary: str = '"bargaining.face_offer" = [0.1, 0.2]',
    extra: str = "",
    sampler: str = "grid",
) -> Path:
    """Write a spec on the dyad cast and return its path."""
    path = folder / f"{name}.toml"
    path.write_text(
        f"""
[experiment]
name = "{name}"
cast = "{DYAD}"
sampler = "{sampler}"
replications = {replications}
max_ticks = {max_ticks}
seed = 11
{extra}

[vary]
{vary}
"""
    )
    return path


def failing_at_face_02(cast, seed, max_ticks, overrides=None, collect_series=False):
    """Like `negsim.model.run`, but raises for every run with face_offer = 0.2."""
    if cast.parameters.bargaining.face_offer == 0.2:
        raise RuntimeError("boom")
    return run(cast, seed=seed, max_ticks=max_ticks, collect_series=collect_series)


def assert_failed_at_face_02(result) -> None:
    """A sweep run with `failing_at_face_02` finished and recorded exactly those runs as failed."""
    from negsim.experiment import load_results

    assert result.complete and result.failed == 3
    runs = load_results(result.root)[0]
    failed = runs[runs["status"] == "failed"]
    assert (failed["bargaining.face_offer"] == 0.2).all()
    assert failed["error"].str.contains("RuntimeError: boom").all()
    assert failed["seed"].gt(0).all()
    assert runs[runs["status"] == "ok"]["outcome"].notna().all()


def kill_worker_once(cast, seed, max_ticks, overrides=None, collect_series=False, *, marker):
    """Like `negsim.model.run`, but the first call anywhere SIGKILLs its own worker process.

    ``marker`` is a file path: created by the call that kills, so only one call does.
    """
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return run(cast, seed=seed, max_ticks=max_ticks, collect_series=collect_series)
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def start_sweep(spec: Path, results: Path, *args: str) -> subprocess.Popen:
    """`negsim sweep` in its own process group, writing a part per chunk of 2 runs."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "negsim.cli", "sweep", str(spec), "-q", "--chunk-size", "2"),
            *("--flush-every", "0", "--results", str(results), *args),
        ],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for_parts(folder: Path, proc: subprocess.Popen, n: int = 2, timeout: float = 60) -> None:
    """Wait until ``folder`` holds ``n`` runs parts while ``proc`` still runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if folder.exists() and len(list(folder.glob("runs-*.parquet"))) >= n:
            return
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError("no part written in time")
