"""The results folder of an experiment: part files, resume, consolidation and the manifest.

Layout of ``results/<name>/``::

    manifest.json      the spec as run, hashes, versions, times, counts
    parts/             finished runs while a sweep is under way, one Parquet file per flush,
                       each written to a temporary name and made visible with os.replace
    runs.parquet       one row per run (consolidated from the parts when a sweep stops)
    series.parquet     per-tick series, long format (when the spec collects them)
    summary.csv        outcome statistics per parameter point
    sensitivity.csv    sensitivity indices (sobol and morris specs)
    .lock              while a sweep writes: the lock that keeps a second sweep out

A series part is always written before the runs part of the same flush; a run counts as done
only when its row is in a runs part, so a kill between the two leaves no half-recorded run.
Every file is written under a temporary name and renamed into place (`negsim.files`); a
temporary file left by a kill is removed when the sweep resumes. A run recorded as failed is
run again by the next sweep of the same spec, unless it is told to keep failed runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import typing
import uuid
from collections.abc import Callable, Iterator
from dataclasses import fields
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import ValidationError

from negsim.cast import canonical_path, schema_field, validation_problems
from negsim.errors import InputError, OutputError
from negsim.experiment.spec import ExperimentSpec
from negsim.files import is_temporary, reason, write_atomic
from negsim.outcomes import EVENT_KINDS, RunRecord

RUN_KEYS = [
    pa.field("run_id", pa.int64(), nullable=False),
    pa.field("point", pa.int64(), nullable=False),
    pa.field("replication", pa.int64(), nullable=False),
    pa.field("seed", pa.int64(), nullable=False),
    pa.field("status", pa.string(), nullable=False),
    pa.field("error", pa.string()),
]
SERIES_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.int64(), nullable=False),
        pa.field("tick", pa.int64(), nullable=False),
        pa.field("variable", pa.string(), nullable=False),
        pa.field("value", pa.float64()),
    ]
)
LOCK_NAME = ".lock"
_ARROW = {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}


def column_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a column holding values of a schema annotation.

    Text and enum parameters (``regime``, ``role``) are strings, so a sweep may vary them.
    """
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    kind = args[0] if args else annotation
    if isinstance(kind, type) and issubclass(kind, str | Enum) and kind is not bool:
        return pa.string()
    return _ARROW.get(kind, pa.float64())


def _parameter_type(path: str) -> pa.DataType:
    field = schema_field(canonical_path(path))
    return column_type(field.annotation) if field is not None else pa.float64()


def core_runs_schema(varied: list[str], ensemble: bool = False) -> pa.Schema:
    """The columns every runs part has, whatever the cast: keys (with, for an ensemble of
    generated crises, the crisis each run played), parameters, the run record."""
    columns = list(RUN_KEYS)
    if ensemble:
        columns.append(pa.field("crisis", pa.int64()))
    columns += [pa.field(path, _parameter_type(path)) for path in varied]
    hints = typing.get_type_hints(RunRecord)
    for f in fields(RunRecord):
        if f.name in ("seed", "events", "economic_cost"):
            continue
        columns.append(pa.field(f.name, column_type(hints[f.name])))
    columns += [pa.field(f"n_{kind}", pa.int64()) for kind in EVENT_KINDS]
    return pa.schema(columns)


def runs_schema(spec: ExperimentSpec) -> pa.Schema:
    """The explicit schema of every runs part: the core columns (and, for an ensemble, the
    crisis each run played), then a cost per state."""
    core = core_runs_schema(spec.parameters, spec.generated)
    costs = [pa.field(f"cost_{sid}", pa.float64()) for sid in spec.state_ids]
    return pa.schema([*core, *costs])


def _schema_problem(schema: pa.Schema, core: pa.Schema) -> str | None:
    """Why a runs file's schema is not one this experiment writes, or None."""
    missing = [f.name for f in core if f.name not in schema.names]
    if missing:
        return f"no column {missing[0]!r}"
    for field in core:
        found = schema.field(field.name)
        if not found.equals(field):
            return f"column {field.name!r} is {_describe_field(found)}, expected {_describe_field(field)}"
    extra = [n for n in schema.names if n not in core.names]
    odd = [n for n in extra if not n.startswith("cost_") or schema.field(n).type != pa.float64()]
    if odd:
        return f"unexpected column {odd[0]!r}"
    return None


def _describe_field(field: pa.Field) -> str:
    return f"{field.type}{'' if field.nullable else ' (never null)'}"


def versions() -> dict[str, str]:
    """Versions of the software a sweep ran with."""
    found = {"python": sys.version.split()[0]}
    for package in ("negsim", "mesa", "numpy", "pandas", "pyarrow", "SALib"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def _write_atomic(table: pa.Table, path: Path) -> None:
    write_atomic(path, lambda tmp: pq.write_table(table, tmp), sync=True)


def _write_json_atomic(data: dict, path: Path) -> None:
    text = json.dumps(data, indent=2, default=str) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), sync=True)


def check_manifest(data: Any, path: Path) -> dict:
    """The manifest read from ``path``, checked for what negsim reads from it.

    Raises:
        InputError: not an object, or its spec, name, cast or counts are missing or malformed.
    """
    where = f"{path}: not a negsim manifest"
    if not isinstance(data, dict):
        raise InputError(f"{where} (expected a JSON object, got {type(data).__name__})")
    for key, kind in (("name", str), ("spec", dict), ("cast", dict), ("sessions", list)):
        if not isinstance(data.get(key), kind):
            raise InputError(f"{where} ({key}: expected {kind.__name__})")
    if not isinstance(data["cast"].get("path"), str):
        raise InputError(f"{where} (cast.path: expected str)")
    counts = data.get("counts", {})
    if not isinstance(counts, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in counts.values()
    ):
        raise InputError(f"{where} (counts: expected whole numbers)")
    try:
        ExperimentSpec.model_validate(data["spec"])
    except ValidationError as exc:
        problem = validation_problems("spec", exc)[0]
        raise InputError(f"{where} ({problem})") from None
    return data


class ResultStore:
    """One experiment's results folder.

    Args:
        root: the folder (``results/<name>``).
        spec: the spec being run into it (None: read-only access to finished results).
    """

    def __init__(self, root: str | Path, spec: ExperimentSpec | None = None):
        self.root = Path(root)
        self.parts = self.root / "parts"
        self.spec = spec
        self.schema = runs_schema(spec) if spec is not None else None
        self._seq = 0
        self._tag = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"

    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.root / "manifest.json"

    def manifest(self) -> dict | None:
        """The manifest, or None for a folder no sweep has written to.

        Raises:
            InputError: the manifest is unreadable, truncated or not a negsim manifest.
        """
        path = self.manifest_path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            cause = reason(exc) if isinstance(exc, OSError) else "not UTF-8 text"
            raise InputError(f"{path}: cannot read: {cause}") from None
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = f": {exc}" if isinstance(exc, json.JSONDecodeError) else ""
            raise InputError(
                f"{path}: corrupt (not valid JSON{detail}); restore it, or rerun the sweep with "
                "--force to start over"
            ) from None
        return check_manifest(data, path)

    def write_manifest(self, manifest: dict) -> None:
        """Replace the manifest atomically."""
        _write_json_atomic(manifest, self.manifest_path)

    # --- the lock ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(
        self, wait: bool = False, notify: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        """Hold the folder's lock: one sweep at a time writes into a results folder.

        Args:
            wait: when another sweep holds the lock, wait for it instead of failing.
            notify: told once when the wait begins.

        Raises:
            InputError: another process holds the lock and ``wait`` is off.
            OutputError: the folder cannot be created or written.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{self.root}: cannot create the results folder: {reason(exc)}"
            ) from None
        path = self.root / LOCK_NAME
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(
                    f"{self.root}: cannot write in this folder: {reason(exc)}"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
                message = f"{self.root}: another negsim sweep (pid {holder or '?'}) is writing here"
                if not wait:
                    os.close(fd)
                    raise InputError(
                        f"{message}; wait for it to end, or rerun with --wait"
                    ) from None
                if notify is not None:
                    notify(f"{message}; waiting for it to end")
                    notify = None
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:  # the holder we waited for removes the file: lock the one now at the path
                if os.path.samestat(os.fstat(fd), os.stat(path)):
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
            os.close(fd)

    # --- starting ------------------------------------------------------------------------------

    def _leftovers(self) -> list[Path]:
        """What the folder holds besides the lock and temporary files."""
        if not self.root.is_dir():
            return []
        return [p for p in self.root.iterdir() if p.name != LOCK_NAME and not is_temporary(p)]

    def _empty(self) -> None:
        """Remove everything in the folder but the lock (the folder may be a symlink)."""
        for path in self.root.iterdir():
            if path.name == LOCK_NAME:
                continue
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError as exc:
                raise OutputError(
                    f"{path}: cannot remove it to start over: {reason(exc)}"
                ) from None

    def check_compatible(self, force: bool) -> dict | None:
        """Refuse to run a changed spec into the folder; with ``force``, empty the folder.

        Call it holding the lock. Returns the existing manifest when the sweep can resume, else
        None.
        """
        if force:
            if self.root.is_dir():
                self._empty()
            return None
        old = self.manifest()
        if old is None:
            if self._leftovers():
                raise InputError(
                    f"{self.root}: exists but holds no manifest.json; "
                    "use --force to start over in it, or choose another experiment name"
                )
            return None
        changed = []
        if old.get("spec_hash") != self.spec.spec_hash():
            changed.append("the spec")
        if old.get("cast", {}).get("sha256") != self.spec.cast_hash():
            changed.append("the cast (file, defaults or fixed overrides)")
        if changed:
            raise InputError(
                f"{self.root}: holds results of a different experiment ({' and '.join(changed)}"
                " changed since it was run); use --force to start over, or give the "
                "experiment a new name"
            )
        return old

    # --- writing -------------------------------------------------------------------------------

    def write_part(self, rows: list[dict[str, Any]], series: dict[str, list] | None) -> None:
        """Make a batch of finished runs durable: series part first, then runs part."""
        if not rows:
            return
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.parts}: cannot create: {reason(exc)}") from None
        self._seq += 1
        stem = f"{self._tag}-{self._seq:06d}"
        if series and series.get("run_id"):
            table = pa.Table.from_pydict(series, schema=SERIES_SCHEMA)
            _write_atomic(table, self.parts / f"series-{stem}.parquet")
        table = pa.Table.from_pylist(rows, schema=self.schema)
        _write_atomic(table, self.parts / f"runs-{stem}.parquet")

    # --- reading and resuming ------------------------------------------------------------------

    def _files(self, kind: str) -> list[Path]:
        consolidated = self.root / f"{kind}.parquet"
        parts = sorted(self.parts.glob(f"{kind}-*.parquet")) if self.parts.exists() else []
        return ([consolidated] if consolidated.exists() else []) + parts

    def recover(self) -> list[str]:
        """Remove temporary files; set aside unreadable (truncated) parts and parts of another
        schema; say what was set aside. Call it holding the lock."""
        notes = []
        for folder in (self.root, self.parts):
            if folder.is_dir():
                for path in folder.iterdir():
                    if is_temporary(path):
                        path.unlink()
        expected = {"runs": self.schema, "series": SERIES_SCHEMA}
        for kind in ("runs", "series"):
            for path in self._files(kind):
                try:
                    schema = pq.read_schema(path)
                    pq.read_table(path, columns=["run_id"])
                except (pa.ArrowException, OSError) as exc:
                    problem = f"unreadable ({exc})"
                else:
                    if schema.equals(expected[kind], check_metadata=False):
                        continue
                    problem = f"not a {kind} part of this experiment (its columns differ)"
                bad = path.with_name(path.name + ".corrupt")
                os.replace(path, bad)
                notes.append(f"{path}: {problem}; moved to {bad.name}, its runs rerun")
        return notes

    def done_ids(self, keep_failed: bool = False) -> set[int]:
        """Run ids already recorded: those that finished, and with ``keep_failed`` those that
        failed (else a failed run is run again)."""
        ids: set[int] = set()
        for path in self._files("runs"):
            table = pq.read_table(path, columns=["run_id", "status"])
            if not keep_failed:
                table = table.filter(pc.equal(table.column("status"), "ok"))
            ids.update(table.column("run_id").to_pylist())
        return ids

    def consolidate(self) -> int:
        """Merge the parts into runs.parquet (and series.parquet); return the number of runs.

        Raises:
            OutputError: a file cannot be written (e.g. the disk is full); the parts are kept,
                so the next sweep finishes the job.
        """
        run_files = self._files("runs")
        if not run_files:
            return 0
        runs = _read_runs(run_files, self.schema)
        series_files = self._files("series")
        if series_files:
            series = _read_series(series_files, runs.column("run_id"))
            _write_atomic(series, self.root / "series.parquet")
        _write_atomic(runs, self.root / "runs.parquet")
        for path in series_files + run_files:
            if path.parent == self.parts:
                path.unlink()
        if self.parts.exists() and not any(self.parts.iterdir()):
            self.parts.rmdir()
        return runs.num_rows


def _read_runs(files: list[Path], schema: pa.Schema | None = None) -> pa.Table:
    """All runs of the files, each run once, sorted by run id.

    A run recorded more than once (it failed, then was run again) keeps a finished row if it
    has one; otherwise the row of the first file that has it.
    """
    runs = pa.concat_tables([pq.read_table(p, schema=schema) for p in files])
    ids = runs.column("run_id").to_numpy()
    ok = pc.equal(runs.column("status"), "ok").to_numpy(zero_copy_only=False)
    order = np.lexsort((~ok, ids))  # by run id, a finished row first; stable otherwise
    ordered = ids[order]
    first = order[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ids) else order
    return runs.take(first)


def _read_series(files: list[Path], run_ids: pa.Array) -> pa.Table:
    """The series of the given runs, sorted by run; a run's rows come from the first file
    that has it."""
    keep = set(run_ids.to_pylist())
    tables = []
    for path in files:
        table = pq.read_table(path, schema=SERIES_SCHEMA)
        ids = table.column("run_id")
        table = table.filter(pc.is_in(ids, value_set=pa.array(sorted(keep), pa.int64())))
        keep -= set(pc.unique(table.column("run_id")).to_pylist())
        tables.append(table)
    # Arrow's sort is stable: each run keeps the order its worker wrote.
    return pa.concat_tables(tables).sort_by("run_id")


def _readable_runs(root: Path, files: list[Path], manifest: dict) -> pa.Table:
    """The runs of a finished folder's files, after checking each is a runs file of it."""
    spec = manifest["spec"]
    core = core_runs_schema(list(spec["vary"]), spec.get("generate") is not None)
    first: pa.Schema | None = None
    for path in files:
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(
                f"{path}: unreadable ({exc}); rerun the sweep to set it aside and redo its runs"
            ) from None
        problem = _schema_problem(schema, core)
        if problem is None and first is not None and not schema.equals(first, check_metadata=False):
            problem = "its columns differ from the other runs files"
        if problem:
            raise InputError(
                f"{path}: not a runs file of this experiment ({problem}); rerun the sweep to "
                "set it aside and redo its runs"
            )
        first = first or schema
    return _read_runs(files)


def load_results(root: str | Path) -> tuple[Any, dict]:
    """The runs table (a pandas DataFrame) and the manifest of a results folder.

    Raises:
        InputError: not a results folder, no finished runs, or a corrupt manifest or part.
    """
    store = ResultStore(root)
    manifest = store.manifest()
    if manifest is None:
        raise InputError(f"{root}: not a results folder (no manifest.json)")
    for attempt in range(3):  # a sweep may consolidate its parts while they are read
        files = store._files("runs")
        if not files:
            raise InputError(f"{root}: no finished runs yet")
        try:
            return _readable_runs(store.root, files, manifest).to_pandas(), manifest
        except FileNotFoundError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def load_series(root: str | Path) -> Any:
    """The per-tick series of a results folder, long format (run_id, tick, variable, value)."""
    store = ResultStore(root)
    files = store._files("series")
    if not files:
        raise InputError(f"{root}: no per-tick series (set collect_series = true in the spec)")
    runs = _read_runs(store._files("runs"))
    return _read_series(files, runs.column("run_id")).to_pandas()
