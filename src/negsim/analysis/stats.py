"""Outcome statistics of a sweep: shares with Wilson intervals, per-point tables, sensitivity.

Everything here works on the runs table (one row per run, as in ``runs.parquet``) and on the
spec as plain data (as stored in ``manifest.json``), so a results folder can be summarized
without the cast or the model.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from negsim.files import write_atomic
from negsim.outcomes import Outcome

Z95 = NormalDist().inv_cdf(0.975)
OUTCOMES = [o.value for o in Outcome]


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95% by default); (nan, nan) when n = 0."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1.0 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if successes == 0 else max(0.0, center - half)
    hi = 1.0 if successes == n else min(1.0, center + half)
    return lo, hi


def _point_stats(group: pd.DataFrame) -> dict[str, float]:
    ok = group[group["status"] == "ok"]
    n = len(ok)
    row: dict[str, float] = {"runs": n, "failed": int((group["status"] == "failed").sum())}
    for outcome in OUTCOMES:
        k = int((ok["outcome"] == outcome).sum())
        lo, hi = wilson(k, n)
        row[f"share_{outcome}"] = k / n if n else math.nan
        row[f"share_{outcome}_lo"] = lo
        row[f"share_{outcome}_hi"] = hi
    deals = ok[ok["outcome"] == Outcome.SETTLEMENT.value]
    costs = [c for c in ok.columns if c.startswith("cost_")]
    row.update(
        end_tick_mean=ok["end_tick"].mean(),
        end_tick_median=ok["end_tick"].median(),
        deal_x_mean=deals["deal_x"].mean(),
        deal_x_median=deals["deal_x"].median(),
        deal_face_mean=deals["deal_face"].mean(),
        deal_face_median=deals["deal_face"].median(),
        min_cohesion_mean=ok["min_cohesion"].mean(),
        min_cohesion_min=ok["min_cohesion"].min(),
        mean_cohesion_mean=ok["mean_cohesion"].mean(),
        coalition_collapse_share=ok["coalition_collapsed"].astype(float).mean(),
        peak_rung_mean=ok["peak_rung"].mean(),
        peak_rung_max=ok["peak_rung"].max(),
        humanitarian_cost_mean=ok["humanitarian_cost"].mean(),
        economic_cost_total_mean=ok[costs].sum(axis=1).mean() if costs else math.nan,
    )
    row.update({f"{c}_mean": ok[c].mean() for c in costs})
    return row


def summary_table(runs: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """One row per parameter point: its values, outcome shares with Wilson 95% intervals,
    end tick, deal terms of settlements, cohesion, peak rung and costs."""
    rows = []
    for point, group in runs.groupby("point", sort=True):
        values = {p: group[p].iloc[0] for p in parameters}
        rows.append({"point": point, **values, **_point_stats(group)})
    return pd.DataFrame(rows)


def sensitivity(table: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    """Sobol or Morris indices of each outcome share and of the mean end tick.

    Args:
        table: the summary table of a complete sweep (every point, in order).
        spec: the spec as plain data (``manifest["spec"]``).

    Returns:
        One row per (output, parameter); an output with no variation gets NaN indices.
    """
    info = spec["experiment"]
    names = list(spec["vary"])
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[spec["vary"][p]["low"], spec["vary"][p]["high"]] for p in names],
    }
    outputs = {f"share_{o}": table[f"share_{o}"] for o in OUTCOMES}
    outputs["end_tick_mean"] = table["end_tick_mean"]
    rows = []
    for output, values in outputs.items():
        y = values.to_numpy(dtype=float)
        if np.isnan(y).any():
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            indices = _analyze(info, problem, table[names].to_numpy(dtype=float), y)
        for i, name in enumerate(names):
            rows.append(
                {"output": output, "parameter": name, **{k: v[i] for k, v in indices.items()}}
            )
    return pd.DataFrame(rows)


def _analyze(
    info: dict[str, Any], problem: dict, x: np.ndarray, y: np.ndarray
) -> dict[str, np.ndarray]:
    seed = info["seed"]
    if np.ptp(y) == 0:
        keys = ("S1", "S1_conf", "ST", "ST_conf") if info["sampler"] == "sobol" else ("mu_star",)
        return {k: np.full(problem["num_vars"], np.nan) for k in keys}
    if info["sampler"] == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=info["second_order"], seed=seed)
        return {k: np.asarray(res[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    from SALib.analyze import morris

    res = morris.analyze(problem, x, y, num_levels=info["levels"], seed=seed)
    return {k: np.asarray(res[k], dtype=float) for k in ("mu", "mu_star", "mu_star_conf", "sigma")}


def write_summaries(runs: pd.DataFrame, spec: Any, root: Path, complete: bool) -> None:
    """Write summary.csv (and sensitivity.csv for a complete sobol/morris sweep) into ``root``.

    Raises:
        OutputError: a file cannot be written (a read-only folder, a full disk).
    """
    data = spec if isinstance(spec, dict) else spec.canonical()
    table = summary_table(runs, list(data["vary"]))
    write_atomic(root / "summary.csv", lambda tmp: table.to_csv(tmp, index=False))
    if complete and data["experiment"]["sampler"] in ("sobol", "morris"):
        indices = sensitivity(table, data)
        write_atomic(root / "sensitivity.csv", lambda tmp: indices.to_csv(tmp, index=False))


def _pct(share: float, lo: float, hi: float) -> str:
    if math.isnan(share):
        return "-"
    return f"{100 * share:5.1f}% [{100 * lo:4.1f}, {100 * hi:4.1f}]"


def format_summary(table: pd.DataFrame, parameters: list[str], max_points: int = 40) -> str:
    """The summary table as text: outcome shares with 95% intervals, then the other statistics."""
    shown = table.head(max_points)
    label = shown[["point", *parameters]].copy()
    shares = pd.DataFrame(
        {
            o: [
                _pct(r[f"share_{o}"], r[f"share_{o}_lo"], r[f"share_{o}_hi"])
                for _, r in shown.iterrows()
            ]
            for o in OUTCOMES
        }
    )
    stats = shown[
        [
            "runs",
            "failed",
            "end_tick_mean",
            "end_tick_median",
            "deal_x_mean",
            "deal_face_mean",
            "min_cohesion_mean",
            "mean_cohesion_mean",
            "peak_rung_mean",
            "peak_rung_max",
            "humanitarian_cost_mean",
            "economic_cost_total_mean",
        ]
    ].round(3)
    lines = []
    if len(shown) == 1:
        lines.append("outcome shares, Wilson 95% intervals:")
        lines += [f"  {o:<22} {shares[o].iloc[0]}" for o in OUTCOMES]
        lines.append("")
        lines += [f"  {k:<26} {v}" for k, v in stats.iloc[0].items()]
    else:
        lines.append("outcome shares per point, Wilson 95% intervals:")
        lines.append(pd.concat([label, shares], axis=1).to_string(index=False))
        lines.append("")
        lines.append(pd.concat([label, stats], axis=1).to_string(index=False))
    if len(table) > max_points:
        lines.append(f"... {len(table) - max_points} more points in summary.csv")
    return "\n".join(lines)


def format_sensitivity(indices: pd.DataFrame) -> str:
    """Sensitivity indices as text, one block per output."""
    if indices.empty:
        return "sensitivity: no output varies"
    return "sensitivity indices:\n" + indices.round(4).to_string(index=False)
