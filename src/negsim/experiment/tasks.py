"""The unit of work sent to a worker: a chunk of runs, and what comes back.

Everything here is plain data and module-level functions, so chunks pickle to any executor
(a local process pool, a Dask cluster) and run the same there.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from negsim.cast import Cast, apply_overrides, build_cast, canonical_path
from negsim.generator import GeneratorSettings, crisis_seed, generate_cast

RunFn = Callable[..., tuple[Any, Any]]


@dataclass(frozen=True)
class RunSpec:
    """One run: its id, its place in the design and its seed."""

    run_id: int
    point: int
    replication: int
    seed: int


@dataclass(frozen=True)
class Ensemble:
    """Where a chunk's casts come from when they are generated crises (`negsim.generator`)."""

    settings: dict[str, Any]  # the spec's [generate] table
    master: int  # the crises' master seed
    fixed: dict[str, Any]  # the spec's [fixed] overrides (canonical paths)

    def crisis(self, replication: int) -> int:
        """The crisis a run of this replication plays."""
        return replication // self.settings["runs_per_crisis"]

    def cast_doc(self, crisis: int) -> dict:
        """The crisis as a cast document, with the fixed overrides."""
        settings = GeneratorSettings.model_validate(self.settings)
        doc = generate_cast(crisis_seed(self.master, crisis), settings)
        return apply_overrides(doc, self.fixed) if self.fixed else doc


@dataclass
class Chunk:
    """Runs that share the experiment's settings; consecutive runs mostly share a point."""

    cast_key: str  # hash of ``cast_doc``: workers build each point's cast once
    cast_doc: dict | None  # None: the casts are the ensemble's generated crises
    source: str
    max_ticks: int | None  # None: the cast's horizon
    collect_series: bool
    points: dict[int, dict[str, Any]]  # point index -> {path: value}
    runs: list[RunSpec]
    run_fn: RunFn | None = None  # None: negsim.model.run
    ensemble: Ensemble | None = None


@dataclass
class ChunkResult:
    """A finished chunk: one row per run (failed runs included) and the long-format series."""

    rows: list[dict[str, Any]]
    series: dict[str, list] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        """How many runs of the chunk raised."""
        return sum(row["status"] == "failed" for row in self.rows)


_CAST_CACHE: dict[tuple, Cast] = {}
_CACHE_SIZE = 64


def _point_cast(chunk: Chunk, point: int, crisis: int | None) -> Cast:
    values = chunk.points[point]
    key = (chunk.cast_key, crisis, tuple(sorted(values.items())))
    cast = _CAST_CACHE.get(key)
    if cast is None:
        overrides = {canonical_path(p): v for p, v in values.items()}
        if chunk.ensemble is None:
            doc, source = chunk.cast_doc, chunk.source
        else:
            doc, source = chunk.ensemble.cast_doc(crisis), f"generated crisis {crisis}"
        cast = build_cast(apply_overrides(doc, overrides), source)
        if len(_CAST_CACHE) >= _CACHE_SIZE:
            _CAST_CACHE.pop(next(iter(_CAST_CACHE)))
        _CAST_CACHE[key] = cast
    return cast


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run every run of a chunk; a run that raises becomes a failed row, the others go on."""
    if chunk.run_fn is None:
        from negsim.model import run as run_fn
    else:
        run_fn = chunk.run_fn
    result = ChunkResult(rows=[])
    series: dict[str, list] = {"run_id": [], "tick": [], "variable": [], "value": []}
    for spec in chunk.runs:
        crisis = None if chunk.ensemble is None else chunk.ensemble.crisis(spec.replication)
        base = _keys(chunk, spec)
        try:
            cast = _point_cast(chunk, spec.point, crisis)
            record, model = run_fn(
                cast, seed=spec.seed, max_ticks=chunk.max_ticks, collect_series=chunk.collect_series
            )
            row = record.flat()
            if chunk.collect_series:
                _append_series(series, spec.run_id, model)
        except Exception as exc:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            error = f"{type(exc).__name__}: {exc} (at {last.filename}:{last.lineno})"
            result.rows.append(_failed_row(chunk, spec, error))
            continue
        result.rows.append({**base, "status": "ok", "error": None, **row, "seed": spec.seed})
    if chunk.collect_series:
        result.series = series
    return result


def _keys(chunk: Chunk, spec: RunSpec) -> dict[str, Any]:
    """A run's place in the design: ids, its crisis in an ensemble, the point's values."""
    keys: dict[str, Any] = {
        "run_id": spec.run_id,
        "point": spec.point,
        "replication": spec.replication,
    }
    if chunk.ensemble is not None:
        keys["crisis"] = chunk.ensemble.crisis(spec.replication)
    return keys | chunk.points[spec.point]


def _failed_row(chunk: Chunk, spec: RunSpec, error: str) -> dict[str, Any]:
    return _keys(chunk, spec) | {"seed": spec.seed, "status": "failed", "error": error}


def lost_chunk(chunk: Chunk, error: str) -> ChunkResult:
    """A chunk given up on (its worker died every time it ran it): every run recorded failed."""
    return ChunkResult(rows=[_failed_row(chunk, spec, error) for spec in chunk.runs])


def _append_series(series: dict[str, list], run_id: int, model: Any) -> None:
    frame = model.datacollector.get_model_vars_dataframe()
    ticks = list(range(len(frame)))
    for column in frame.columns:
        series["run_id"] += [run_id] * len(ticks)
        series["tick"] += ticks
        series["variable"] += [column] * len(ticks)
        series["value"] += frame[column].astype(float).tolist()
