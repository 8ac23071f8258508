"""Two sets of runs side by side: a baseline (A) against an intervention or another cast (B).

Each outcome's share in A and in B with its Wilson 95% interval, and the difference B - A with
Newcombe's 95% interval; the mean end day likewise (normal interval; in days, not ticks, so
that crises of different tick lengths compare). These are the statistics of the hypothesis
experiments (`negsim.analysis.stats`)::

    from negsim.analysis.compare import compare, format_comparison
    table = compare("results/baseline", "results/h08_back_channel",
                    where_b="bargaining.back_channel == 1")
    print(format_comparison(table))
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from negsim.analysis import plots
from negsim.analysis.colors import OUTCOME_COLORS
from negsim.analysis.conditions import evaluate
from negsim.analysis.stats import OUTCOMES, difference_of_means, difference_of_shares, wilson
from negsim.errors import InputError

SIDE_COLORS = {"A": "#999999", "B": "#0072B2"}  # grey baseline, blue intervention


@dataclass
class Comparison:
    """The two sides' names, their run counts and one row per outcome (and end tick)."""

    a: str
    b: str
    n_a: int
    n_b: int
    points_a: int
    points_b: int
    table: pd.DataFrame


def _side(source: plots.Source, where: str | None) -> tuple[str, pd.DataFrame, int]:
    res = plots.load(source, series=False)
    name = res.manifest.get("name") or (res.root.name if res.root else "runs")
    ok = res.ok
    if where:
        ok = ok[evaluate(ok, where)]
        name = f"{name} [{where}]"
    points = int(ok["point"].nunique()) if "point" in ok else 1
    return name, ok, points


def compare(
    a: plots.Source,
    b: plots.Source,
    outcomes: list[str] | None = None,
    where_a: str | None = None,
    where_b: str | None = None,
) -> Comparison:
    """Outcome shares (and mean end day) of A and B, with the difference B - A.

    Args:
        a, b: results folders, loaded results or runs tables.
        outcomes: the outcomes to compare (default: every outcome that occurs on either side).
        where_a, where_b: keep only the runs meeting this condition on that side (for instance
            two points of one sweep).

    Raises:
        InputError: an unknown outcome, or a side with no finished run.
    """
    name_a, runs_a, points_a = _side(a, where_a)
    name_b, runs_b, points_b = _side(b, where_b)
    for name, runs in ((name_a, runs_a), (name_b, runs_b)):
        if runs.empty:
            raise InputError(f"{name}: no finished runs to compare")
    unknown = [o for o in outcomes or [] if o not in OUTCOMES]
    if unknown:
        raise InputError(f"--outcome {unknown[0]}: expected one of {', '.join(OUTCOMES)}")
    present = set(runs_a["outcome"]) | set(runs_b["outcome"])
    chosen = outcomes or [o for o in OUTCOMES if o in present]
    n_a, n_b = len(runs_a), len(runs_b)
    rows = []
    for outcome in chosen:
        k_a = int((runs_a["outcome"] == outcome).sum())
        k_b = int((runs_b["outcome"] == outcome).sum())
        est = difference_of_shares(k_b, n_b, k_a, n_a)
        rows.append(
            {
                "measure": f"share {outcome}",
                "outcome": outcome,
                "a": k_a / n_a,
                "a_lo": wilson(k_a, n_a)[0],
                "a_hi": wilson(k_a, n_a)[1],
                "k_a": k_a,
                "b": k_b / n_b,
                "b_lo": wilson(k_b, n_b)[0],
                "b_hi": wilson(k_b, n_b)[1],
                "k_b": k_b,
                "difference": est.value,
                "difference_lo": est.lo,
                "difference_hi": est.hi,
                "verdict": est.verdict,
            }
        )
    ends = difference_of_means(
        runs_b["end_days"].to_numpy(dtype=float), runs_a["end_days"].to_numpy(dtype=float)
    )
    rows.append(
        {
            "measure": "mean end day",
            "outcome": None,
            "a": ends.low,
            "b": ends.high,
            "difference": ends.value,
            "difference_lo": ends.lo,
            "difference_hi": ends.hi,
            "verdict": ends.verdict,
        }
    )
    table = pd.DataFrame(rows)
    return Comparison(name_a, name_b, n_a, n_b, points_a, points_b, table)


def _pct(v: float) -> str:
    return "-" if math.isnan(v) else f"{100 * v:.1f}%"


def format_comparison(c: Comparison) -> str:
    """The comparison as a text table."""
    pooled = [
        f"{side} pooled over {p} parameter points"
        for side, p in (("A", c.points_a), ("B", c.points_b))
        if p > 1
    ]
    lines = [
        f"A: {c.a} ({c.n_a} runs)",
        f"B: {c.b} ({c.n_b} runs)",
        *(f"note: {p}" for p in pooled),
        "",
        f"{'':<30} {'A [95% CI]':>24} {'B [95% CI]':>24} {'B - A [95% CI]':>30}  answer",
    ]
    for _, r in c.table.iterrows():
        if pd.isna(r["outcome"]):
            a, b = f"{r['a']:.1f}", f"{r['b']:.1f}"
            d = f"{r['difference']:+.2f} [{r['difference_lo']:+.2f}, {r['difference_hi']:+.2f}]"
        else:
            a = f"{_pct(r['a'])} [{_pct(r['a_lo'])}, {_pct(r['a_hi'])}]"
            b = f"{_pct(r['b'])} [{_pct(r['b_lo'])}, {_pct(r['b_hi'])}]"
            d = (
                f"{100 * r['difference']:+.1f} pp [{100 * r['difference_lo']:+.1f}, "
                f"{100 * r['difference_hi']:+.1f}]"
            )
        lines.append(f"{r['measure']:<30} {a:>24} {b:>24} {d:>30}  {r['verdict']}")
    lines += [
        "",
        "Shares: Wilson 95% intervals; differences: Newcombe's hybrid score 95% interval. "
        "Mean end day: normal (Welch) 95% interval. 'higher'/'lower': B's interval of the "
        "difference excludes zero.",
    ]
    return "\n".join(lines)


def comparison_figure(c: Comparison) -> go.Figure:
    """Each outcome's share in A and B with Wilson intervals (left) and B - A with Newcombe
    intervals (right)."""
    shares = c.table[c.table["outcome"].notna()]
    labels = [plots.outcome_label(o) for o in shares["outcome"]]
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=["share of runs, Wilson 95% interval", "difference B - A, Newcombe 95%"],
    )
    y = np.arange(len(labels), dtype=float)
    for offset, side, name, n in ((-0.15, "a", c.a, c.n_a), (0.15, "b", c.b, c.n_b)):
        color = SIDE_COLORS[side.upper()]
        values = shares[side].to_numpy(dtype=float)
        fig.add_scatter(
            x=values,
            y=y + offset,
            mode="markers",
            marker={"color": color, "size": 10},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": shares[f"{side}_hi"] - values,
                "arrayminus": values - shares[f"{side}_lo"],
                "color": color,
            },
            name=f"{side.upper()}: {name} ({n} runs)",
            customdata=shares[f"k_{side}"],
            hovertemplate=f"{side.upper()}: %{{x:.1%}} (%{{customdata}} of {n} runs)<extra></extra>",
            row=1,
            col=1,
        )
    diff = shares["difference"].to_numpy(dtype=float)
    fig.add_scatter(
        x=diff,
        y=y,
        mode="markers",
        marker={
            "color": [OUTCOME_COLORS[o] for o in shares["outcome"]],
            "size": 11,
            "symbol": "diamond",
        },
        error_x={
            "type": "data",
            "symmetric": False,
            "array": shares["difference_hi"] - diff,
            "arrayminus": diff - shares["difference_lo"],
            "color": "#333333",
        },
        customdata=np.column_stack([shares["difference_lo"], shares["difference_hi"]]),
        hovertemplate="B - A: %{x:+.1%} [%{customdata[0]:+.1%}, %{customdata[1]:+.1%}]"
        "<extra></extra>",
        showlegend=False,
        row=1,
        col=2,
    )
    fig.add_vline(x=0, line={"color": "#666666", "dash": "dot"}, row=1, col=2)
    fig.update_yaxes(tickvals=y, ticktext=labels, autorange="reversed", row=1, col=1)
    fig.update_yaxes(title="outcome", row=1, col=1)
    fig.update_xaxes(title="share of runs", tickformat=".0%", row=1, col=1)
    fig.update_xaxes(title="B - A (percentage points)", tickformat="+.0%", row=1, col=2)
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return plots._layout(fig, f"{c.b} (B) against {c.a} (A)", height=200 + 55 * len(labels))


def default_page(
    a: str | Path, b: str | Path, where_a: str | None = None, where_b: str | None = None
) -> Path:
    """Where `negsim compare` writes its page: beside folder A, named after both (and after
    the conditions, so comparisons of one folder under different conditions keep apart)."""
    a, b = Path(a), Path(b)
    tag = ""
    if where_a or where_b:
        digest = hashlib.sha256(f"{where_a}|{where_b}".encode()).hexdigest()[:8]
        tag = f"-where-{digest}"
    return a.parent / f"compare-{a.name}-vs-{b.name}{tag}.html"
