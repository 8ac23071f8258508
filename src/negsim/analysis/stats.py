"""Outcome statistics of a sweep: shares with Wilson intervals, per-point tables, sensitivity.

Everything here works on the runs table (one row per run, as in ``runs.parquet``) and on the
spec as plain data (as stored in ``manifest.json``), so a results folder can be summarized
without the cast or the model.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Estimate:
    """A difference high - low with its 95% interval and the runs behind each side."""

    value: float
    lo: float
    hi: float
    n_high: int
    n_low: int
    high: float
    low: float

    @property
    def verdict(self) -> str:
        """'higher', 'lower' or 'no clear effect' (the interval includes 0, or no runs)."""
        if math.isnan(self.lo) or self.lo <= 0.0 <= self.hi:
            return "no clear effect"
        return "higher" if self.value > 0 else "lower"


def difference_of_shares(k1: int, n1: int, k0: int, n0: int) -> Estimate:
    """p1 - p0 with Newcombe's hybrid score interval (method 10), built on Wilson intervals."""
    if n1 == 0 or n0 == 0:
        return Estimate(math.nan, math.nan, math.nan, n1, n0, math.nan, math.nan)
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson(k1, n1)
    l0, u0 = wilson(k0, n0)
    d = p1 - p0
    lo = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return Estimate(d, lo, hi, n1, n0, p1, p0)


def difference_of_means(x1: np.ndarray, x0: np.ndarray) -> Estimate:
    """mean(x1) - mean(x0) with a normal 95% interval (unequal variances); NaNs are dropped."""
    x1, x0 = x1[~np.isnan(x1)], x0[~np.isnan(x0)]
    n1, n0 = len(x1), len(x0)
    if n1 < 2 or n0 < 2:
        return Estimate(math.nan, math.nan, math.nan, n1, n0, math.nan, math.nan)
    m1, m0 = float(x1.mean()), float(x0.mean())
    se = math.sqrt(x1.var(ddof=1) / n1 + x0.var(ddof=1) / n0)
    d = m1 - m0
    return Estimate(d, d - Z95 * se, d + Z95 * se, n1, n0, m1, m0)


def paired_difference(x1: np.ndarray, x0: np.ndarray) -> Estimate:
    """mean(x1 - x0) over runs paired by seed, with a normal 95% interval.

    Two arms run over the same seeds share their draws of traits and private types, so their
    difference varies less than two independent samples would: the interval is narrower than
    `difference_of_means`'s for the same runs. Pairs with a NaN on either side are dropped.
    """
    if len(x1) != len(x0):
        raise ValueError(f"paired arms differ in length: {len(x1)} and {len(x0)}")
    keep = ~(np.isnan(x1) | np.isnan(x0))
    x1, x0 = x1[keep], x0[keep]
    n = len(x1)
    if n < 2:
        return Estimate(math.nan, math.nan, math.nan, n, n, math.nan, math.nan)
    d = x1 - x0
    value = float(d.mean())
    se = float(d.std(ddof=1)) / math.sqrt(n)
    return Estimate(
        value, value - Z95 * se, value + Z95 * se, n, n, float(x1.mean()), float(x0.mean())
    )


@dataclass(frozen=True)
class Pooled:
    """An effect combined over posterior draws (Rubin's rules): its value, 95% interval,
    two-sided p-value, degrees of freedom and the share of its variance between draws."""

    value: float
    lo: float
    hi: float
    p: float
    df: float
    between: float
    draws: int
    n_high: int
    n_low: int
    high: float
    low: float


def pool_draws(estimates: list[Estimate]) -> Pooled:
    """Combine one effect measured under each of several posterior draws (Rubin 1987).

    Each draw's estimate carries its run-to-run uncertainty (its 95% interval, read as
    1.96 standard errors each way); the spread of the estimates across draws is the
    parametric uncertainty. The total variance is ``W + (1 + 1/m) B`` (W the mean within-draw
    variance, B the variance between draws, m draws), with Barnard and Rubin's degrees of
    freedom for a t interval. With one draw it is that draw's estimate.
    """
    from scipy import stats as scipy_stats

    usable = [e for e in estimates if not math.isnan(e.value)]
    m = len(usable)
    n_high = sum(e.n_high for e in usable)
    n_low = sum(e.n_low for e in usable)
    if m == 0:
        return Pooled(
            math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, 0, 0, 0, math.nan, math.nan
        )
    values = np.array([e.value for e in usable])
    within = np.array([((e.hi - e.lo) / (2 * Z95)) ** 2 for e in usable])
    value = float(values.mean())
    w = float(within.mean())
    b = float(values.var(ddof=1)) if m > 1 else 0.0
    total = w + (1.0 + 1.0 / m) * b
    if total <= 0.0:
        p = 0.0 if value != 0.0 else 1.0
        return Pooled(value, value, value, p, math.inf, 0.0, m, n_high, n_low, math.nan, math.nan)
    if b > 0.0:
        r = (1.0 + 1.0 / m) * b / total
        df = (m - 1) / r**2
    else:
        df = math.inf
    t = scipy_stats.t.ppf(0.975, df) if math.isfinite(df) else Z95
    half = t * math.sqrt(total)
    stat = abs(value) / math.sqrt(total)
    p = float(2 * (scipy_stats.t.sf(stat, df) if math.isfinite(df) else scipy_stats.norm.sf(stat)))
    high = float(np.mean([e.high for e in usable]))
    low = float(np.mean([e.low for e in usable]))
    between = (1.0 + 1.0 / m) * b / total
    return Pooled(value, value - half, value + half, p, df, between, m, n_high, n_low, high, low)


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjustment of p-values (family-wise error), in the given order."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted = [math.nan] * len(pvalues)
    running = 0.0
    m = len(pvalues)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


# Statistics per point: (name, record field, pandas method, over "runs" or "deals").
_POINT_STATS = [
    ("end_tick_mean", "end_tick", "mean", "runs"),
    ("end_tick_median", "end_tick", "median", "runs"),
    ("deal_x_mean", "deal_x", "mean", "deals"),
    ("deal_x_median", "deal_x", "median", "deals"),
    ("face_public_mean", "face_public", "mean", "deals"),
    ("face_private_mean", "face_private", "mean", "deals"),
    ("min_cohesion_mean", "min_cohesion", "mean", "runs"),
    ("min_cohesion_min", "min_cohesion", "min", "runs"),
    ("mean_cohesion_mean", "mean_cohesion", "mean", "runs"),
    ("coalition_collapse_share", "coalition_collapsed", "mean", "runs"),
    ("peak_rung_mean", "peak_rung", "mean", "runs"),
    ("peak_rung_max", "peak_rung", "max", "runs"),
    ("humanitarian_cost_mean", "humanitarian_cost", "mean", "runs"),
]


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
    for name, column, how, runs in _POINT_STATS:
        if column in ok:  # the record's fields may change with the model: skip what is absent
            values = (deals if runs == "deals" else ok)[column]
            row[name] = getattr(values.astype(float), how)()
    row["economic_cost_total_mean"] = ok[costs].sum(axis=1).mean() if costs else math.nan
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


def sensitivity(
    table: pd.DataFrame, spec: dict[str, Any], outputs: list[str] | None = None
) -> pd.DataFrame:
    """Sobol or Morris indices of each outcome share and of the mean end tick (or of the
    table's columns named in ``outputs``).

    Args:
        table: the summary table of a complete sweep (every point, in order).
        spec: the spec as plain data (``manifest["spec"]``).
        outputs: the columns to analyse (default: the outcome shares and the mean end tick).

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
    columns = outputs or [*(f"share_{o}" for o in OUTCOMES), "end_tick_mean"]
    samples = base_samples(info, len(names), len(table))
    rows = []
    for output in columns:
        y = table[output].to_numpy(dtype=float)
        if np.isnan(y).any():
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            indices = _analyze(info, problem, table[names].to_numpy(dtype=float), y)
        noise = _noise_share(y, table["runs"].to_numpy(dtype=float)) if "runs" in table else None
        for i, name in enumerate(names):
            row = {"output": output, "parameter": name, **{k: v[i] for k, v in indices.items()}}
            if output.startswith("share_") and noise is not None:
                row["noise_share"] = noise
            rows.append(row)
    found = pd.DataFrame(rows)
    if len(found):
        found[["flag", "samples_needed"]] = _flags(found, info["sampler"], samples)
    return found


SOBOL_PRECISION = 0.05  # half-width of the 95% interval a Sobol index should reach
MORRIS_PRECISION = 0.1  # ... and a Morris mu*, as a share of the output's largest mu*


def base_samples(info: dict[str, Any], parameters: int, points: int) -> int:
    """The base samples N of a sobol sweep (or the trajectories r of a morris one), read from
    the number of points: N (D + 2) points for Sobol (N (2D + 2) with second order), r (D + 1)
    for Morris."""
    if info["sampler"] == "sobol":
        per = 2 * parameters + 2 if info.get("second_order") else parameters + 2
    else:
        per = parameters + 1
    return max(1, points // per)


def _noise_share(shares: np.ndarray, runs: np.ndarray) -> float:
    """Share of the variance of an outcome share across points that is binomial noise from the
    finite replications at each point (mean p(1 - p)/R over the variance of p)."""
    spread = float(np.var(shares, ddof=1)) if len(shares) > 1 else 0.0
    noise = float(np.mean(shares * (1 - shares) / np.maximum(runs, 1)))
    return min(1.0, noise / spread) if spread > 0 else math.nan


def _flags(indices: pd.DataFrame, sampler: str, samples: int) -> pd.DataFrame:
    """Why each index is unreliable ('' when it is not), and the base samples that would bring
    the widest interval of a flagged row down to the target precision.

    A bootstrap interval shrinks as 1/sqrt(N), so an interval of half-width c at N samples
    needs about N (c / h)^2 samples to reach half-width h: h = `SOBOL_PRECISION` for Sobol
    (rounded up to a power of two, as the sampler needs), and `MORRIS_PRECISION` times the
    output's largest mu* for Morris.
    """
    flags, needed = [], []
    if sampler == "sobol":
        keys, target = ("S1", "ST"), pd.Series(SOBOL_PRECISION, index=indices.index)
    else:
        keys = ("mu_star",)
        top = indices.groupby("output")["mu_star"].transform("max")
        target = (MORRIS_PRECISION * top).where(top > 0, math.nan)
    for i, row in indices.iterrows():
        reasons, widest = [], 0.0
        if sampler == "sobol" and row["S1"] < 0:
            reasons.append("S1 < 0")
            widest = max(widest, row["S1_conf"])
        if sampler == "sobol" and row["ST"] - row.get("ST_conf", 0.0) > 1:
            reasons.append("ST > 1")  # beyond its interval: a share of variance cannot be
            widest = max(widest, row["ST"] - 1, row.get("ST_conf", 0.0))
        for key in keys:
            value, conf = row[key], row.get(f"{key}_conf", math.nan)
            if not (np.isnan(value) or np.isnan(conf)) and conf > abs(value):
                reasons.append(f"{key} interval wider than {key}")
                widest = max(widest, conf)
        flags.append("; ".join(reasons))
        if reasons and widest > 0 and target[i] > 0:
            n = samples * (widest / target[i]) ** 2
            if sampler == "sobol":
                n = 2 ** math.ceil(math.log2(max(n, 1)))
            needed.append(max(samples, math.ceil(n)))
        else:
            needed.append(samples)
    return pd.DataFrame({"flag": flags, "samples_needed": needed}, index=indices.index)


def sensitivity_warning(indices: pd.DataFrame, sampler: str) -> str:
    """One paragraph on the flagged indices: how many, why, and how many samples would do."""
    if indices.empty or "flag" not in indices:
        return ""
    flagged = indices[indices["flag"] != ""]
    if flagged.empty:
        return ""
    samples = int(indices["samples_needed"].min())  # an unflagged row needs what it has
    what = "base samples N" if sampler == "sobol" else "trajectories r"
    goal = (
        f"within +/-{SOBOL_PRECISION}"
        if sampler == "sobol"
        else f"within +/-{MORRIS_PRECISION:.0%} of the output's largest mu*"
    )
    text = (
        f"{len(flagged)} of {len(indices)} indices are unreliable (a 95% interval wider than "
        f"the index, S1 < 0 or ST > 1): read them as 'not distinguishable from zero', not as values. "
        f"This sweep has {what} = {samples}; bringing every flagged interval {goal} would take "
        f"about {int(flagged['samples_needed'].max())} (intervals shrink as 1/sqrt({what[-1]}))."
    )
    if "noise_share" in indices:
        noisy = indices.dropna(subset=["noise_share"]).groupby("output")["noise_share"].first()
        noisy = noisy[noisy > 0.25]
        if len(noisy):
            listed = ", ".join(f"{o} {v:.0%}" for o, v in noisy.items())
            text += (
                f" Part of the variance of some outputs is noise from the replications at each "
                f"point ({listed}); more replications per point reduce it, more samples do not."
            )
    return text


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


def _number(value: float) -> str:
    """A count as an int ("1000", not "1000.0"); any other number as it is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
    columns = ["runs", "failed", *(name for name, *_ in _POINT_STATS if name in shown)]
    if "deal_x_median" in columns:  # the text keeps to the means of the deal terms
        columns = [c for c in columns if c not in ("deal_x_median",)]
    stats = shown[[*columns, "economic_cost_total_mean"]].round(3)
    lines = []
    if len(shown) == 1:
        lines.append("outcome shares, Wilson 95% intervals:")
        lines += [f"  {o:<22} {shares[o].iloc[0]}" for o in OUTCOMES]
        lines.append("")
        lines += [f"  {k:<26} {_number(v)}" for k, v in stats.iloc[0].items()]
    else:
        lines.append("outcome shares per point, Wilson 95% intervals:")
        lines.append(pd.concat([label, shares], axis=1).to_string(index=False))
        lines.append("")
        lines.append(pd.concat([label, stats], axis=1).to_string(index=False))
    if len(table) > max_points:
        lines.append(f"... {len(table) - max_points} more points in summary.csv")
    return "\n".join(lines)


def format_sensitivity(indices: pd.DataFrame, spec: dict[str, Any] | None = None) -> str:
    """Sensitivity indices as text, one block per output, then the warning on flagged ones."""
    if indices.empty:
        return "sensitivity: no output varies"
    shown = indices.drop(columns=["noise_share"], errors="ignore").round(4)
    text = "sensitivity indices:\n" + shown.to_string(index=False)
    if spec is not None:
        warning = sensitivity_warning(indices, spec["experiment"]["sampler"])
        if warning:
            text += "\n\nwarning: " + warning
    return text
