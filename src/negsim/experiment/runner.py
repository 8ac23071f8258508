"""Running an experiment: plan its runs, skip those already recorded, compute the rest in chunks.

Notebook use::

    from negsim.experiment import load_spec, run_experiment, load_results
    result = run_experiment(load_spec("experiments/baseline.toml"), workers=4)
    runs = result.runs()                       # a pandas DataFrame, one row per run
    runs, manifest = load_results("results/baseline")
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from negsim.cast import canonical_path
from negsim.errors import InputError, OutputError
from negsim.experiment.executors import Executor, make_executor
from negsim.experiment.samplers import sample_points
from negsim.experiment.seeds import run_seed
from negsim.experiment.spec import ExperimentSpec, load_spec
from negsim.experiment.store import ResultStore, load_results, versions
from negsim.experiment.tasks import Chunk, Ensemble, RunFn, RunSpec

FLUSH_ROWS = 5000  # finished runs buffered at most before a part is written
FLUSH_SECONDS = 2.0  # ... or seconds since the last part


@dataclass
class SweepResult:
    """What a sweep left in its results folder."""

    root: Path
    planned: int
    done: int
    failed: int
    ran: int
    interrupted: bool = False

    @property
    def complete(self) -> bool:
        """Every planned run is recorded."""
        return self.done == self.planned

    def runs(self) -> Any:
        """The runs table as a pandas DataFrame."""
        return load_results(self.root)[0]


def plan(spec: ExperimentSpec) -> tuple[list[dict[str, Any]], list[RunSpec]]:
    """The parameter points and every run of the experiment, with its derived seed."""
    points = sample_points(spec)
    reps = spec.experiment.replications
    master = spec.experiment.seed
    runs = [
        RunSpec(p * reps + r, p, r, run_seed(master, p, r))
        for p in range(len(points))
        for r in range(reps)
    ]
    return points, runs


def _chunks(
    spec: ExperimentSpec,
    points: list[dict[str, Any]],
    todo: list[RunSpec],
    size: int,
    run_fn: RunFn | None,
) -> Iterator[Chunk]:
    ensemble = ensemble_of(spec)
    cast_doc = None if ensemble else spec.base_cast.model_dump(mode="json")
    key = spec.cast_hash()
    info = spec.experiment
    for start in range(0, len(todo), size):
        runs = todo[start : start + size]
        yield Chunk(
            cast_key=key,
            cast_doc=cast_doc,
            source=spec.cast_source,
            max_ticks=info.max_ticks,
            collect_series=info.collect_series,
            points={r.point: points[r.point] for r in runs},
            runs=runs,
            run_fn=run_fn,
            ensemble=ensemble,
        )


def ensemble_of(spec: ExperimentSpec) -> Ensemble | None:
    """Where the runs of an ensemble spec get their generated crises (None for a cast)."""
    if spec.generate is None:
        return None
    return Ensemble(
        settings=spec.generate.model_dump(mode="json"),
        master=spec.crisis_master,
        fixed={canonical_path(p): v for p, v in spec.fixed.items()},
    )


def auto_chunk_size(n_runs: int, workers: int) -> int:
    """Enough chunks per worker to balance the load and move the progress bar; at most 64 runs."""
    return max(1, min(64, math.ceil(n_runs / (workers * 16))))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_experiment(
    spec: ExperimentSpec | str | Path,
    *,
    results: str | Path = "results",
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = True,
    chunk_size: int | None = None,
    executor: Executor | None = None,
    run_fn: RunFn | None = None,
    flush_seconds: float = FLUSH_SECONDS,
    keep_failed: bool = False,
    wait: bool = False,
) -> SweepResult:
    """Run (or resume) an experiment into ``results/<name>/``.

    Args:
        spec: a spec, or the path of a spec file.
        results: the folder that holds one folder per experiment.
        workers: local processes (default: all cores; 1 runs in this process).
        scheduler: address of a Dask scheduler to run on instead (``tcp://HOST:PORT``).
        force: empty an existing results folder instead of resuming it.
        progress: show a progress bar (runs done, rate, ETA).
        chunk_size: runs per task sent to a worker (default: automatic).
        executor: where to compute (default: the Dask cluster at ``scheduler``, else a local
            process pool of ``workers``).
        run_fn: the function computing one run (default `negsim.model.run`).
        flush_seconds: write finished runs to a new part at least this often.
        keep_failed: keep runs recorded as failed instead of running them again.
        wait: when another sweep is writing into the folder, wait for it to end instead of
            failing.

    Raises:
        InputError: the folder holds a different experiment (and ``force`` is off), another
            sweep is writing into it (and ``wait`` is off), or the scheduler is unreachable
            (then nothing is written).
        OutputError: the folder cannot be written; finished runs are kept for a resume.
        KeyboardInterrupt: after every finished run has been written.
    """
    if not isinstance(spec, ExperimentSpec):
        spec = load_spec(spec)
    store = ResultStore(Path(results) / spec.name, spec)
    finished = None if force else _already_complete(store, spec, keep_failed)
    if finished is not None:  # nothing to run, so nothing is written: a read-only folder is fine
        return finished
    owned = executor is None
    if owned and scheduler is not None:
        from negsim.experiment.cluster import DaskExecutor

        executor = DaskExecutor(scheduler)  # first: an unreachable scheduler writes nothing
    try:
        with store.lock(wait=wait, notify=_note):
            old = store.check_compatible(force)
            notes = store.recover()
            points, runs = plan(spec)
            done = store.done_ids(keep_failed) if old else set()
            todo = [r for r in runs if r.run_id not in done]
            for note in notes:
                print(f"note: {note}")
            manifest, session = _open_session(store, spec, old, len(points), len(runs), len(done))
            if not todo:
                _finish(store, spec, manifest, session, "complete", 0)
            else:
                executor = executor or make_executor(workers)
                size = chunk_size or auto_chunk_size(len(todo), max(1, executor.workers))
                chunks = _chunks(spec, points, todo, size, run_fn)
                bar = tqdm(
                    total=len(runs),
                    initial=len(done),
                    unit="run",
                    desc=spec.name,
                    disable=not progress,
                    smoothing=0.1,
                )
                session["workers"] = executor.workers
                _compute(store, spec, manifest, session, executor, chunks, bar, flush_seconds)
    finally:
        if owned and executor is not None:
            executor.close()
    counts = manifest["counts"]
    return SweepResult(store.root, len(runs), counts["done"], counts["failed"], session["ran"])


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr, flush=True)


def _already_complete(
    store: ResultStore, spec: ExperimentSpec, keep_failed: bool
) -> SweepResult | None:
    """The result of a finished sweep of this very spec with nothing left to run, else None."""
    try:
        old = store.manifest()
    except InputError:
        return None  # reported under the lock, where --force may also start over
    if old is None or old.get("status") != "complete":
        return None
    if old.get("spec_hash") != spec.spec_hash() or old["cast"].get("sha256") != spec.cast_hash():
        return None
    counts = old.get("counts", {})
    planned, done, failed = (counts.get(k) for k in ("planned", "done", "failed"))
    if done != planned or (failed and not keep_failed):
        return None
    if not (store.root / "runs.parquet").is_file() or store.parts.exists():
        return None
    return SweepResult(store.root, planned, done, failed or 0, 0)


def _cast_entry(spec: ExperimentSpec) -> dict[str, Any]:
    """The manifest's record of where the casts came from."""
    if spec.generate is None:
        return {"path": str(spec.cast_path), "sha256": spec.cast_hash()}
    return {
        "path": "",
        "generated": spec.cast_source,
        "generate": spec.generate.model_dump(mode="json"),
        "sha256": spec.cast_hash(),
    }


def _open_session(
    store: ResultStore,
    spec: ExperimentSpec,
    old: dict | None,
    points: int,
    planned: int,
    done: int,
) -> tuple[dict, dict]:
    """Write the manifest of a sweep that starts (a new session of an old one, or the first)."""
    started = _now()
    session = {"started": started, "finished": None, "ran": 0, "status": "running"}
    manifest = old or {
        "name": spec.name,
        "source": spec.source,
        "spec": spec.canonical(),
        "spec_hash": spec.spec_hash(),
        "cast": _cast_entry(spec),
        "created": started,
        "sessions": [],
    }
    manifest.update(
        versions=versions(),
        status="running",
        started=started,
        finished=None,
        counts={
            "points": points,
            "replications": spec.experiment.replications,
            "planned": planned,
            "done": done,
        },
    )
    manifest["sessions"].append(session)
    store.write_manifest(manifest)
    return manifest, session


def _compute(
    store: ResultStore,
    spec: ExperimentSpec,
    manifest: dict,
    session: dict,
    executor: Executor,
    chunks: Iterator[Chunk],
    bar: tqdm,
    flush_seconds: float,
) -> None:
    """Run the chunks, writing finished runs as parts; close the session whatever happens."""
    rows: list[dict[str, Any]] = []
    series: dict[str, list] = {}
    last_flush = time.monotonic()
    failed = ran = 0
    status = "complete"

    def flush() -> None:
        nonlocal rows, series, last_flush, ran
        store.write_part(rows, series)
        ran += len(rows)
        rows, series, last_flush = [], {}, time.monotonic()

    try:
        for result in executor.map_chunks(chunks):
            rows += result.rows
            for key, values in result.series.items():
                series.setdefault(key, []).extend(values)
            bar.update(len(result.rows))
            if result.failed:
                failed += result.failed
                bar.set_postfix(failed=failed)
            if len(rows) >= FLUSH_ROWS or time.monotonic() - last_flush >= flush_seconds:
                flush()
        flush()
    except (KeyboardInterrupt, OutputError):
        status = "interrupted"
        raise
    except BaseException:
        status = "crashed"
        raise
    finally:
        if status != "complete":
            with contextlib.suppress(OutputError):  # the disk may still be full
                flush()
            executor.close()
        bar.close()
        _finish(store, spec, manifest, session, status, ran)


def _finish(
    store: ResultStore,
    spec: ExperimentSpec,
    manifest: dict,
    session: dict,
    status: str,
    ran: int,
) -> None:
    """Consolidate the parts, write the summary and close the manifest.

    Raises:
        OutputError: only for a sweep that ended well (another error is already on its way):
            a file could not be written; the parts stay, so rerunning the command finishes.
    """
    from negsim.analysis.stats import write_summaries

    session.update(ran=ran)
    try:
        store.consolidate()
        has_runs = (store.root / "runs.parquet").exists()
        runs = load_results(store.root)[0] if has_runs else None
        done = 0 if runs is None else len(runs)
        failed = 0 if runs is None else int((runs["status"] == "failed").sum())
        if status == "complete" and done < manifest["counts"]["planned"]:
            status = "incomplete"
        if runs is not None:
            write_summaries(runs, spec, store.root, complete=status == "complete")
        manifest["counts"].update(done=done, failed=failed)
    except OutputError as exc:
        session.update(status="interrupted", finished=_now(), error=exc.problems[0])
        manifest.update(status="interrupted", finished=session["finished"])
        with contextlib.suppress(OutputError):
            store.write_manifest(manifest)
        if status != "complete":
            return
        raise OutputError(
            [
                *exc.problems,
                f"{store.root}: the finished runs are kept; rerun the same command to finish",
            ]
        ) from None
    finished = _now()
    session.update(finished=finished, status=status)
    manifest.update(status=status, finished=finished)
    if status == "complete":
        store.write_manifest(manifest)
    else:
        with contextlib.suppress(OutputError):
            store.write_manifest(manifest)
