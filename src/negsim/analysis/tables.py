"""One run or one results folder as tables: pandas DataFrames, and CSV or Parquet files.

For R, Excel or Stata users, and for notebooks::

    from negsim.model import run
    from negsim.analysis.tables import run_events, run_series, write_table

    record, model = run("agents/dyad.toml", seed=7, collect_series=True)
    series = run_series(model)        # one row per tick: tick, cohesion, control, rung, ...
    events = run_events(model)        # one row per event: tick, kind, text
    write_table(series, "series.csv") # CSV or Parquet, by the file's extension

    from negsim.analysis.tables import export_results
    export_results("results/face_saving", "csv")  # runs, series (if collected) and summary
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from negsim.errors import InputError, OutputError
from negsim.files import reason, write_atomic

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
EXPORT_FOLDER = "export"


def run_series(model: Any) -> pd.DataFrame:
    """The per-tick series of a finished run: one row per tick (0 = the start), one column per
    variable the model collects.

    Raises:
        InputError: the model was run without collecting series (``collect_series=False``).
    """
    collector = getattr(model, "datacollector", None)
    if collector is None:
        raise InputError("this run collected no series: run it with collect_series=True")
    frame = collector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "tick", range(len(frame)))
    return frame


def run_events(model: Any) -> pd.DataFrame:
    """The event log of a run: one row per event (tick, kind, text), in the order they happened."""
    rows = [{"tick": e.tick, "kind": e.kind, "text": e.text} for e in model.events]
    return pd.DataFrame(rows, columns=["tick", "kind", "text"])


def table_format(path: str | Path) -> str:
    """``csv`` or ``parquet``, from the file's extension.

    Raises:
        InputError: any other extension.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: expected a .csv or .parquet file name")
    return FORMATS[suffix]


def write_table(frame: pd.DataFrame, path: str | Path, what: str = "") -> Path:
    """Write a table as CSV or Parquet, chosen by the extension of ``path``, atomically.

    Raises:
        InputError: the extension is neither.
        OutputError: the folder is missing or not writable, the path is a folder, or the disk
            is full (nothing is left half-written).
    """
    path = Path(path)
    kind = table_format(path)
    if kind == "csv":
        return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False), what)
    return write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False), what)


@dataclass
class Export:
    """What `export_results` wrote."""

    folder: Path
    files: dict[Path, int] = field(default_factory=dict)  # each file written and its rows


def export_results(
    root: str | Path, fmt: str = "csv", out: str | Path | None = None, series: bool = True
) -> Export:
    """Write a results folder's runs, series (if collected) and summary tables as CSV or Parquet.

    Args:
        root: a results folder (``results/<name>``).
        fmt: ``csv`` or ``parquet``.
        out: the folder to write into (default ``<root>/export``).
        series: also export the per-tick series when the sweep collected them.

    Raises:
        InputError: not a results folder, or an unknown format.
    """
    from negsim.analysis.stats import sensitivity, summary_table
    from negsim.experiment.store import load_results, load_series

    if fmt not in ("csv", "parquet"):
        raise InputError(f"--format: expected csv or parquet, got {fmt!r}")
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: no such results folder")
    runs, manifest = load_results(root)
    spec = manifest.get("spec", {})
    params = list(spec.get("vary", {}))
    folder = Path(out) if out else root / EXPORT_FOLDER
    done = Export(folder)
    tables: dict[str, pd.DataFrame] = {"runs": runs}
    if series and spec.get("experiment", {}).get("collect_series"):
        tables["series"] = load_series(root)
    summary = summary_table(runs, params)
    tables["summary"] = summary
    sampler = spec.get("experiment", {}).get("sampler")
    complete = len(runs) == manifest.get("counts", {}).get("planned")
    if sampler in ("sobol", "morris") and complete:
        tables["sensitivity"] = sensitivity(summary, spec)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {folder}: cannot create the folder: {reason(exc)}") from None
    for name, frame in tables.items():
        done.files[write_table(frame, folder / f"{name}.{fmt}")] = len(frame)
    return done
