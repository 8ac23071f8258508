"""The empirical patterns of docs/VALIDATION.md, measured on a results folder.

Each pattern is a number the model can be held against: a share of runs (with its Wilson 95%
interval), a share of threats or of partners (pooled over runs, with a bootstrap interval over
runs, since one run holds several), or a duration (the median, with a bootstrap interval).
`pattern_table` gives each beside the record's value and its source; `pattern_values` gives
the fitted ones as the summary statistics of the calibration (`negsim.calibration`).

How a run's end maps to the record's terms (docs/VALIDATION.md):
- ICB outcome per crisis actor, for the two principals (`negsim.outcomes.ICB_OUTCOME`):
  conquest or capitulation is the challenger's victory and the defender's defeat, a withdrawal
  the reverse, a settlement a compromise and a stalemate a stalemate for both. Counted per
  actor this mapping mirrors the two principals, so it gives as many victories as defeats:
  the record's asymmetry (34.8% victory, 19.5% defeat) comes from how actors perceive one
  ending and from crises with a single actor, which it does not model. It is compared through
  the decisive share, victory plus defeat (54.3%).
- ICB form of outcome, per crisis (`negsim.outcomes.icb_form`): a settlement is a formal
  agreement and a stalemate that ends calm (no side above a show of force) a tacit
  understanding, both counted as agreement; a withdrawal or a capitulation is a unilateral
  act, a conquest imposed, a stalemate still fought at the horizon faded.
- Violence, from the crisis's peak rung: none below limited force, clashes at limited force,
  full-scale war at full war or above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negsim.analysis.stats import wilson
from negsim.cast import RungId
from negsim.outcomes import ICB_OUTCOME, Outcome, icb_form

BOOTSTRAP = 400  # resamples of runs for pooled shares and medians


@dataclass(frozen=True)
class Pattern:
    """One empirical pattern: what is measured, the record's value and where it comes from.

    ``role`` is ``fitted`` (a summary statistic of the calibration), ``held out`` (an
    out-of-sample check) or ``context`` (reported, not comparable term for term). ``scale``
    is how far from the record counts as one unit of distance in the calibration.
    """

    key: str
    label: str
    record: float
    source: str
    role: str
    scale: float
    kind: str = "share"  # share | days


PATTERNS = (
    Pattern(
        "decisive",
        "ICB outcome per actor: victory or defeat",
        0.543,
        "ICB v14, 1,078 crisis actors 1918-2017: victory 34.8%, defeat 19.5%",
        "fitted",
        0.05,
    ),
    Pattern(
        "compromise",
        "ICB outcome per actor: compromise",
        0.222,
        "ICB v14 crisis actors",
        "fitted",
        0.05,
    ),
    Pattern(
        "stalemate",
        "ICB outcome per actor: stalemate",
        0.223,
        "ICB v14 crisis actors",
        "fitted",
        0.05,
    ),
    Pattern(
        "agreement",
        "ICB form of outcome: agreement (formal, semi-formal, tacit)",
        0.39,
        "ICB v14, 487 crises",
        "fitted",
        0.10,
    ),
    Pattern(
        "unilateral",
        "ICB form of outcome: unilateral act",
        0.40,
        "ICB v14, 487 crises",
        "context",
        0.10,
    ),
    Pattern(
        "imposed",
        "ICB form of outcome: imposed",
        0.07,
        "ICB v14, 487 crises",
        "context",
        0.10,
    ),
    Pattern("faded", "ICB form of outcome: faded", 0.06, "ICB v14, 487 crises", "context", 0.10),
    Pattern(
        "violence_none",
        "violence: none (peak below limited force)",
        0.39,
        "ICB v14 crises: none 39%, minor clashes 16%, serious clashes 26%, full-scale war 19%",
        "fitted",
        0.10,
    ),
    Pattern(
        "violence_war",
        "violence: full-scale war (peak at full war or above)",
        0.19,
        "ICB v14 crises",
        "fitted",
        0.10,
    ),
    Pattern(
        "median_days",
        "duration, trigger to termination: median days",
        81.0,
        "ICB v14 crises (per actor: median about 71, interquartile range 22-178)",
        "fitted",
        math.log(1.5),
        "days",
    ),
    Pattern(
        "nuclear_use",
        "nuclear use",
        0.0,
        "no nuclear use in a crisis since 1945",
        "fitted",
        0.005,
    ),
    Pattern(
        "threat_success",
        "militarized compellent threats that succeed",
        0.30,
        "Sechser (2011), Sechser & Fuhrmann (2017): about 30% of 210 threats 1918-2001",
        "held out",
        0.10,
    ),
    Pattern(
        "sanction_success",
        "sanctions episodes that succeed",
        0.34,
        "Hufbauer, Schott & Elliott (2007): 34% of 204 episodes",
        "held out",
        0.10,
    ),
    Pattern(
        "alliances_honoured",
        "alliance commitments honoured",
        0.75,
        "Leeds, Long & Mitchell (2000): about 75% of commitments invoked",
        "held out",
        0.10,
    ),
    Pattern(
        "mid_stalemate",
        "disputes ending without a settlement (stalemate)",
        0.65,
        "MID 4: stalemate in about 63-67% of disputes (lower-level disputes than ICB crises)",
        "context",
        0.10,
    ),
)
BY_KEY = {p.key: p for p in PATTERNS}
FITTED = tuple(p.key for p in PATTERNS if p.role == "fitted")
HELD_OUT = tuple(p.key for p in PATTERNS if p.role == "held out")


def _ok(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs["status"] == "ok"] if "status" in runs else runs


def run_terms(runs: pd.DataFrame) -> pd.DataFrame:
    """Per run, the record's terms of its end (one boolean column each; see the module doc)."""
    runs = _ok(runs)
    outcome = runs["outcome"].to_numpy()
    x = runs["deal_x"].astype(float).to_numpy()
    content = np.array([ICB_OUTCOME[Outcome(o)] for o in outcome], dtype=object)
    form = np.array(
        [icb_form(Outcome(o), int(r)) for o, r in zip(outcome, runs["final_rung"], strict=True)],
        dtype=object,
    )
    settled = outcome == Outcome.SETTLEMENT.value
    peak = runs["peak_rung"].to_numpy()
    stalemate = content == "stalemate"
    withdrawal = outcome == Outcome.AGGRESSOR_WITHDRAWAL.value
    sanctioned = runs["sanction_pressure_peak"].to_numpy() > 0.0
    held = (x <= 0.5) & settled
    return pd.DataFrame(
        {
            "decisive": np.isin(content, ["victory", "defeat"]),
            "compromise": content == "compromise",
            "stalemate": stalemate,
            "agreement": np.isin(form, ["agreement", "tacit understanding"]),
            "unilateral": form == "unilateral",
            "imposed": form == "imposed",
            "faded": form == "faded",
            "violence_none": peak < RungId.LIMITED_FORCE,
            "violence_war": peak >= RungId.FULL_WAR,
            "nuclear_use": outcome == Outcome.CATASTROPHE.value,
            "mid_stalemate": stalemate,
            "sanctioned": sanctioned,
            "sanction_success": sanctioned & (withdrawal | held),
        },
        index=runs.index,
    )


def _pooled(hits: np.ndarray, totals: np.ndarray, rng: np.random.Generator) -> tuple:
    """A ratio of sums over runs, with a 95% bootstrap interval that resamples runs."""
    n = len(totals)
    if totals.sum() <= 0:
        return math.nan, math.nan, math.nan, 0
    value = hits.sum() / totals.sum()
    picks = rng.integers(0, n, size=(BOOTSTRAP, n))
    ratios = hits[picks].sum(axis=1) / np.maximum(totals[picks].sum(axis=1), 1e-12)
    lo, hi = np.quantile(ratios, [0.025, 0.975])
    return float(value), float(lo), float(hi), int(totals.sum())


def _median(days: np.ndarray, rng: np.random.Generator) -> tuple:
    if len(days) == 0:
        return math.nan, math.nan, math.nan, 0
    picks = rng.integers(0, len(days), size=(BOOTSTRAP, len(days)))
    lo, hi = np.quantile(np.median(days[picks], axis=1), [0.025, 0.975])
    return float(np.median(days)), float(lo), float(hi), len(days)


def measure(runs: pd.DataFrame, seed: int = 0) -> dict[str, tuple[float, float, float, int]]:
    """Every pattern's ``(value, low, high, n)`` on a runs table (failed runs left out)."""
    runs = _ok(runs)
    terms = run_terms(runs)
    rng = np.random.default_rng(seed)
    found: dict[str, tuple[float, float, float, int]] = {}
    n = len(runs)
    for key in (
        "decisive",
        "compromise",
        "stalemate",
        "agreement",
        "unilateral",
        "imposed",
        "faded",
        "violence_none",
        "violence_war",
        "nuclear_use",
        "mid_stalemate",
    ):
        k = int(terms[key].sum())
        lo, hi = wilson(k, n)
        found[key] = (k / n if n else math.nan, lo, hi, n)
    found["median_days"] = _median(runs["end_days"].astype(float).to_numpy(), rng)
    threats = (runs["n_threats_by_challenger"] + runs["n_threats_by_defender"]).to_numpy()
    complied = (
        runs["n_threats_complied_challenger"] + runs["n_threats_complied_defender"]
    ).to_numpy()
    found["threat_success"] = _pooled(complied.astype(float), threats.astype(float), rng)
    sanctioned = terms["sanctioned"].to_numpy()
    k = int(terms["sanction_success"].sum())
    lo, hi = wilson(k, int(sanctioned.sum()))
    found["sanction_success"] = (
        k / sanctioned.sum() if sanctioned.sum() else math.nan,
        lo,
        hi,
        int(sanctioned.sum()),
    )
    partners = runs["partners"].to_numpy().astype(float)
    honoured = partners - runs["partners_defected"].to_numpy().astype(float)
    found["alliances_honoured"] = _pooled(honoured, partners, rng)
    return found


def pattern_values(runs: pd.DataFrame) -> dict[str, float]:
    """The fitted patterns' values on a runs table: the calibration's summary statistics.
    The median duration is given as its logarithm (distances use a factor, not days)."""
    runs = _ok(runs)
    terms = run_terms(runs)
    values = {key: float(terms[key].mean()) for key in FITTED if key != "median_days"}
    values["median_days"] = math.log(max(1.0, float(runs["end_days"].median())))
    return values


def observed_values() -> dict[str, float]:
    """The record's values of the fitted patterns, in the terms of `pattern_values`."""
    return {
        key: math.log(BY_KEY[key].record) if key == "median_days" else BY_KEY[key].record
        for key in FITTED
    }


def pattern_table(runs: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Every pattern measured on a runs table beside the record: one row per pattern."""
    measured = measure(runs, seed)
    rows = []
    for p in PATTERNS:
        value, lo, hi, n = measured[p.key]
        rows.append(
            {
                "pattern": p.key,
                "label": p.label,
                "role": p.role,
                "model": value,
                "low": lo,
                "high": hi,
                "n": n,
                "record": p.record,
                "kind": p.kind,
                "source": p.source,
            }
        )
    return pd.DataFrame(rows)


def pattern_sensitivity(runs: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """Sobol or Morris indices of every pattern over the points of a sensitivity sweep: which
    parameter moves which pattern (the calibration's choice of parameters rests on it).

    Raises:
        InputError: the sweep is not a Sobol or Morris sweep.
    """
    from negsim.analysis.stats import sensitivity
    from negsim.errors import InputError

    if spec["experiment"]["sampler"] not in ("sobol", "morris"):
        raise InputError("--sensitivity: needs a sobol or morris sweep")
    params = list(spec["vary"])
    rows = []
    for _, group in _ok(runs).groupby("point", sort=True):
        found = {key: value for key, (value, _, _, _) in measure(group).items()}
        rows.append({**group[params].iloc[0].to_dict(), **found, "runs": len(group)})
    table = pd.DataFrame(rows)
    keys = [p.key for p in PATTERNS if p.role != "context"]
    table[keys] = table[keys].fillna(table[keys].mean())
    return sensitivity(table, spec, keys)


def format_value(value: float, kind: str) -> str:
    """A pattern's value as text: a percentage, or days."""
    if math.isnan(value):
        return "-"
    return f"{value:.0f} days" if kind == "days" else f"{100 * value:.1f}%"


def format_patterns(table: pd.DataFrame) -> str:
    """The pattern table as aligned text."""
    width = max(len(p.label) for p in PATTERNS)
    lines = [f"{'pattern':{width}s} {'model [95% CI]':>30s} {'record':>10s}  role"]
    for row in table.itertuples():
        if math.isnan(row.model):
            shown = "-"
        elif row.kind == "days":
            shown = f"{row.model:.0f} [{row.low:.0f}, {row.high:.0f}] days"
        else:
            shown = f"{100 * row.model:.1f}% [{100 * row.low:.1f}, {100 * row.high:.1f}]"
        lines.append(
            f"{row.label:{width}s} {shown:>30s} {format_value(row.record, row.kind):>10s}  "
            f"{row.role}"
        )
    return "\n".join(lines)
