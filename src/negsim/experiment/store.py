"""The results folder of an experiment: part files, resume, consolidation and the manifest.

Layout of ``results/<name>/``::

    manifest.json      the spec as run, hashes, versions, times, counts
    parts/             finished runs while a sweep is under way, one Parquet file per flush,
                       each written to a temporary name and made visible with os.replace
    runs.parquet       one row per run (consolidated from the parts when a sweep stops)
    series.parquet     per-tick series, long format (when the spec collects them)
    summary.csv        outcome statistics per parameter point
    sensitivity.csv    sensitivity indices (sobol and morris specs)

A series part is always written before the runs part of the same flush; a run counts as done
only when its row is in a runs part, so a kill between the two leaves no half-recorded run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import typing
import uuid
from dataclasses import fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from negsim.cast import canonical_path, schema_field
from negsim.errors import InputError
from negsim.experiment.spec import ExperimentSpec
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
_ARROW = {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}


def _arrow_type(annotation: Any) -> pa.DataType:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return _ARROW[args[0] if args else annotation]


def runs_schema(spec: ExperimentSpec) -> pa.Schema:
    """The explicit schema of every runs part: keys, varied parameters, the run record."""
    columns = list(RUN_KEYS)
    for path in spec.vary:
        kind = schema_field(canonical_path(path)).annotation
        columns.append(pa.field(path, _ARROW.get(kind, pa.float64())))
    hints = typing.get_type_hints(RunRecord)
    for f in fields(RunRecord):
        if f.name in ("seed", "events", "economic_cost"):
            continue
        columns.append(pa.field(f.name, _arrow_type(hints[f.name])))
    columns += [pa.field(f"n_{kind}", pa.int64()) for kind in EVENT_KINDS]
    columns += [pa.field(f"cost_{sid}", pa.float64()) for sid in spec.base_cast.states]
    return pa.schema(columns)


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
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    pq.write_table(table, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_json_atomic(data: dict, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    os.replace(tmp, path)


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
        """The manifest, or None for a folder no sweep has written to."""
        if not self.manifest_path.exists():
            return None
        return json.loads(self.manifest_path.read_text())

    def write_manifest(self, manifest: dict) -> None:
        """Replace the manifest atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        _write_json_atomic(manifest, self.manifest_path)

    def check_compatible(self, force: bool) -> dict | None:
        """Refuse to run a changed spec into the folder; with ``force``, empty the folder.

        Returns the existing manifest when the sweep can resume, else None.
        """
        old = self.manifest()
        if old is None and self.root.exists() and any(self.root.iterdir()) and not force:
            raise InputError(
                f"{self.root}: exists but holds no manifest.json; "
                "use --force to start over in it, or choose another experiment name"
            )
        if old is not None and not force:
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
        if self.root.exists() and force:
            shutil.rmtree(self.root)
        return None

    # --- writing -------------------------------------------------------------------------------

    def write_part(self, rows: list[dict[str, Any]], series: dict[str, list] | None) -> None:
        """Make a batch of finished runs durable: series part first, then runs part."""
        if not rows:
            return
        self.parts.mkdir(parents=True, exist_ok=True)
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
        """Remove temporary files and unreadable (truncated) parts; say what was removed."""
        notes = []
        if self.parts.exists():
            for tmp in self.parts.glob(".*.tmp"):
                tmp.unlink()
        for kind in ("runs", "series"):
            for path in self._files(kind):
                try:
                    pq.read_metadata(path)
                    pq.read_table(path, columns=["run_id"])
                except (pa.ArrowException, OSError) as exc:
                    bad = path.with_name(path.name + ".corrupt")
                    os.replace(path, bad)
                    notes.append(f"{path}: unreadable ({exc}); moved to {bad.name}, its runs rerun")
        return notes

    def done_ids(self) -> set[int]:
        """Run ids already recorded (finished or failed)."""
        ids: set[int] = set()
        for path in self._files("runs"):
            ids.update(pq.read_table(path, columns=["run_id"]).column(0).to_pylist())
        return ids

    def consolidate(self) -> int:
        """Merge the parts into runs.parquet (and series.parquet); return the number of runs."""
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
    """All runs of the files, each run once, sorted by run id."""
    runs = pa.concat_tables([pq.read_table(p, schema=schema) for p in files])
    _, first = np.unique(runs.column("run_id").to_numpy(), return_index=True)
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


def load_results(root: str | Path) -> tuple[Any, dict]:
    """The runs table (a pandas DataFrame) and the manifest of a results folder."""
    store = ResultStore(root)
    manifest = store.manifest()
    if manifest is None:
        raise InputError(f"{root}: not a results folder (no manifest.json)")
    files = store._files("runs")
    if not files:
        raise InputError(f"{root}: no finished runs yet")
    return _read_runs(files).to_pandas(), manifest


def load_series(root: str | Path) -> Any:
    """The per-tick series of a results folder, long format (run_id, tick, variable, value)."""
    store = ResultStore(root)
    files = store._files("series")
    if not files:
        raise InputError(f"{root}: no per-tick series (set collect_series = true in the spec)")
    runs = _read_runs(store._files("runs"))
    return _read_series(files, runs.column("run_id")).to_pandas()
