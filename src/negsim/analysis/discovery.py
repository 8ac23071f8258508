"""Scenario discovery: under which parameter values does a sweep's crisis end a given way?

PRIM (the patient rule induction method; Friedman and Fisher 1999, as used for scenario
discovery by Bryant and Lempert 2010) peels the space of the varied parameters towards a box
where the runs of interest are dense; feature scoring (extra trees) ranks the parameters by how
much they tell these runs apart. Both come from EMA Workbench (``pip install
'negsim[analysis]'``), imported only here, so sweeps never pay for it::

    from negsim.analysis.discovery import discover
    found = discover("results/discovery_dyad", "outcome == catastrophe")
    found.trajectory        # coverage, density, mass, restricted dimensions of each box
    found.limits            # the chosen box: low and high of each restricted parameter
    found.scores            # feature scores, summing to 1
    print(format_discovery(found))

Coverage is the share of the runs of interest that fall in the box; density the share of the
box's runs that are of interest; mass the share of all runs in the box.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from negsim.analysis import plots
from negsim.analysis.colors import OUTCOME_COLORS
from negsim.analysis.conditions import evaluate
from negsim.errors import InputError

INTEREST_COLOR = "#CC79A7"  # reddish purple: runs of interest that are not one outcome
TRAJECTORY_ROWS = 12  # rows of the peeling trajectory shown as text


@dataclass
class Discovery:
    """PRIM's first box and the feature scores for one condition on the runs."""

    condition: str
    runs: int
    hits: int
    trajectory: pd.DataFrame  # one row per box on the peeling and pasting trajectory
    chosen: int  # the row of the trajectory whose box is reported
    limits: pd.DataFrame  # per parameter: box and full range, restricted, quasi-p values
    scores: pd.Series  # per parameter, descending; sums to 1

    @property
    def base_rate(self) -> float:
        """Share of all runs that meet the condition."""
        return self.hits / self.runs

    @property
    def box(self) -> pd.Series:
        """The chosen box's coverage, density, mass, restricted dimensions and run counts."""
        return self.trajectory.iloc[self.chosen]

    @property
    def color(self) -> str:
        """The outcome's color when the condition is one outcome, else a neutral accent."""
        outcome = self.condition.removeprefix("outcome == ").strip()
        return OUTCOME_COLORS.get(outcome, INTEREST_COLOR)


def ema() -> tuple[Any, Any, Any]:
    """EMA Workbench's prim and feature_scoring modules and its classification mode.

    Raises:
        InputError: EMA Workbench is not installed.
    """
    try:
        with warnings.catch_warnings():  # it warns that ipyparallel (unused here) is missing
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import feature_scoring, prim
            from ema_workbench.analysis.scenario_discovery_util import RuleInductionType
    except ModuleNotFoundError:
        raise InputError(
            "scenario discovery needs EMA Workbench: pip install 'negsim[analysis]'"
        ) from None
    return prim, feature_scoring, RuleInductionType.CLASSIFICATION


def discover(
    source: plots.Source,
    condition: str,
    *,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_coverage: float = 0.5,
    seed: int = 0,
) -> Discovery:
    """Find the box of parameter values where runs meeting ``condition`` are densest.

    Args:
        source: a results folder (or its runs) with at least one varied parameter.
        condition: which runs are of interest (see `negsim.analysis.conditions`).
        peel_alpha: share of the box's runs peeled off at each step.
        mass_min: the smallest box, as a share of all runs.
        min_coverage: the reported box is the densest on the trajectory that still holds at
            least this share of the runs of interest.
        seed: seed of the extra trees of the feature scores.

    Raises:
        InputError: nothing was varied, no run or every run meets the condition, or EMA
            Workbench is missing.
    """
    res = plots.load(source, series=False)
    if not res.parameters:
        where = source if isinstance(source, str | Path) else "these runs"
        raise InputError(
            f"{where}: scenario discovery needs a sweep that varies at least one parameter "
            "(a [vary] table; an ensemble of generated crises varies none unless it has one)"
        )
    ok = res.ok.reset_index(drop=True)
    params = numeric_parameters(ok, res.parameters)
    if not params:
        raise InputError(
            "scenario discovery boxes numeric parameters; this sweep varies only text "
            f"values ({', '.join(res.parameters)}): compare its points with negsim compare"
        )
    y = evaluate(ok, condition).to_numpy(dtype=int)
    hits = int(y.sum())
    if hits == 0 or hits == len(y):
        which = "no run" if hits == 0 else "every run"
        raise InputError(f"{which} of {len(y)} meets '{condition}': nothing to tell apart")
    x = ok[params].astype(float)
    prim, feature_scoring, classification = ema()
    with warnings.catch_warnings():  # EMA's pandas calls warn of deprecations, not of results
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, peel_alpha=peel_alpha, paste_alpha=peel_alpha, mass_min=mass_min)
        found = box.find_box()
    trajectory = found.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]]
    trajectory = trajectory.astype({"res_dim": int, "n": int, "k": int}).reset_index(drop=True)
    chosen = _choose(trajectory, min_coverage)
    limits = _limits(found, chosen, params)
    scores, _ = feature_scoring.get_ex_feature_scores(
        x, y, mode=classification, max_features=max(1, round(len(params) / 3)), random_state=seed
    )
    scores = scores.iloc[:, 0].rename("score").sort_values(ascending=False)
    scores.index.name = "parameter"
    return Discovery(condition, len(y), hits, trajectory, chosen, limits, scores)


def numeric_parameters(runs: pd.DataFrame, parameters: list[str]) -> list[str]:
    """The varied parameters PRIM can box: numbers and booleans, not text values."""
    return [
        p
        for p in parameters
        if pd.api.types.is_numeric_dtype(runs[p]) or pd.api.types.is_bool_dtype(runs[p])
    ]


def _choose(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The densest box that keeps ``min_coverage`` (ties: the larger one)."""
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    if eligible.empty:
        return 0
    best = eligible["density"].max()
    return int(eligible.index[np.isclose(eligible["density"], best)][0])


def _limits(found: Any, i: int, params: list[str]) -> pd.DataFrame:
    box, full = found.box_lims[i], found.box_lims[0]
    qp = found.p_values[i]
    rows = []
    for p in params:
        lo, hi = float(box[p].iloc[0]), float(box[p].iloc[1])
        full_lo, full_hi = float(full[p].iloc[0]), float(full[p].iloc[1])
        q = qp.get(p, [-1.0, -1.0])
        rows.append(
            {
                "parameter": p,
                "low": lo,
                "high": hi,
                "full_low": full_lo,
                "full_high": full_hi,
                "restricted": not (math.isclose(lo, full_lo) and math.isclose(hi, full_hi)),
                "qp_low": float(q[0]) if q[0] >= 0 else math.nan,
                "qp_high": float(q[1]) if q[1] >= 0 else math.nan,
            }
        )
    return pd.DataFrame(rows).set_index("parameter")


# --- text --------------------------------------------------------------------------------------


def _rows_shown(n: int) -> list[int]:
    if n <= TRAJECTORY_ROWS:
        return list(range(n))
    return sorted({round(float(i)) for i in np.linspace(0, n - 1, TRAJECTORY_ROWS)})


def format_discovery(found: Discovery) -> str:
    """The discovery as text: the condition, the box, the trajectory, the feature scores."""
    box = found.box
    lines = [
        f"runs of interest: {found.hits} of {found.runs} ({found.base_rate:.1%}) meet "
        f"'{found.condition}'",
        "",
        f"PRIM box {found.chosen} of the peeling trajectory: coverage {box['coverage']:.1%} "
        f"(of the runs of interest, {int(box['k'])} are in the box), density "
        f"{box['density']:.1%} (x{box['density'] / found.base_rate:.1f} the base rate), mass "
        f"{box['mass']:.1%} ({int(box['n'])} runs)",
    ]
    restricted = found.limits[found.limits["restricted"]]
    if restricted.empty:
        lines.append("  no parameter restricted: the runs of interest are spread evenly")
    for p, row in restricted.iterrows():
        qp = [f"{v:.2g}" for v in (row["qp_low"], row["qp_high"]) if not math.isnan(v)]
        lines.append(
            f"  {p:<36} {row['low']:.4g} .. {row['high']:.4g}   (of {row['full_low']:.4g} .. "
            f"{row['full_high']:.4g}; quasi-p {', '.join(qp)})"
        )
    lines += ["", "peeling trajectory (box, coverage, density, mass, restricted parameters):"]
    for i in _rows_shown(len(found.trajectory)):
        r = found.trajectory.iloc[i]
        mark = "  <- reported" if i == found.chosen else ""
        lines.append(
            f"  {i:>3}  {r['coverage']:6.1%}  {r['density']:6.1%}  {r['mass']:6.1%}  "
            f"{int(r['res_dim'])}{mark}"
        )
    lines += ["", "feature scores (extra trees; higher = tells the runs of interest apart more):"]
    lines += [f"  {p:<36} {s:.3f}" for p, s in found.scores.items()]
    return "\n".join(lines)


# --- figures -----------------------------------------------------------------------------------


def prim_figure(found: Discovery) -> go.Figure:
    """The peeling trajectory (coverage against density) and the reported box, side by side."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.4, 0.6],
        horizontal_spacing=0.3,
        subplot_titles=[
            "peeling trajectory",
            f"box {found.chosen}: parameter ranges",
        ],
    )
    t = found.trajectory
    fig.add_scatter(
        x=t["coverage"],
        y=t["density"],
        mode="lines+markers",
        line={"color": "#BBBBBB", "width": 1},
        marker={
            "color": t["res_dim"],
            "colorscale": "Viridis",
            "size": 8,
            "cmin": 0,
            "cmax": len(found.limits),
        },
        customdata=np.column_stack([t.index, t["mass"], t["res_dim"]]),
        hovertemplate="box %{customdata[0]}: coverage %{x:.1%}, density %{y:.1%}, "
        "mass %{customdata[1]:.1%}, %{customdata[2]} restricted<extra></extra>",
        showlegend=False,
        row=1,
        col=1,
    )
    box = found.box
    fig.add_scatter(
        x=[box["coverage"]],
        y=[box["density"]],
        mode="markers",
        marker={"size": 16, "color": "rgba(0,0,0,0)", "line": {"color": found.color, "width": 3}},
        name=f"reported box {found.chosen}",
        hoverinfo="skip",
        row=1,
        col=1,
    )
    fig.add_hline(
        y=found.base_rate,
        line={"dash": "dot", "color": "#666666"},
        annotation_text=f"base rate {found.base_rate:.1%}",
        annotation_position="bottom right",
        row=1,
        col=1,
    )
    fig.update_xaxes(
        title="coverage (share of runs of interest in the box)",
        tickformat=".0%",
        range=[0, 1.05],
        row=1,
        col=1,
    )
    fine = t["density"].max() < 0.2  # rare outcomes: whole percents would repeat
    fig.update_yaxes(
        title="density (share of the box's runs of interest)",
        tickformat=".1%" if fine else ".0%",
        row=1,
        col=1,
    )
    limits = found.limits.loc[list(found.scores.index)]  # most telling parameter first
    span = (limits["full_high"] - limits["full_low"]).replace(0, 1)
    lo = (limits["low"] - limits["full_low"]) / span
    hi = (limits["high"] - limits["full_low"]) / span
    names = list(limits.index)
    fig.add_bar(
        x=[1.0] * len(names),
        y=names,
        orientation="h",
        marker_color="#EEEEEE",
        name="range sampled",
        hoverinfo="skip",
        row=1,
        col=2,
    )
    fig.add_bar(
        x=hi - lo,
        base=lo,
        y=names,
        orientation="h",
        marker_color=[found.color if r else "#BBBBBB" for r in limits["restricted"]],
        name="the box",
        text=[f"{a:.3g} .. {b:.3g}" for a, b in zip(limits["low"], limits["high"], strict=True)],
        textposition="inside",
        insidetextanchor="middle",
        customdata=np.column_stack([limits["low"], limits["high"], found.scores[names]]),
        hovertemplate="%{y}: %{customdata[0]:.3g} .. %{customdata[1]:.3g} "
        "(feature score %{customdata[2]:.2f})<extra></extra>",
        row=1,
        col=2,
    )
    fig.update_layout(barmode="overlay", legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(
        title="share of the sampled range", tickformat=".0%", range=[0, 1], row=1, col=2
    )
    fig.update_yaxes(title=None, autorange="reversed", tickformat="", row=1, col=2)
    title = (
        f"Scenario discovery: {found.condition} ({found.hits} of {found.runs} runs); box "
        f"coverage {box['coverage']:.0%}, density {box['density']:.0%}"
    )
    return plots._layout(fig, title, height=max(420, 140 + 40 * len(names)))


def feature_score_figure(scores: pd.DataFrame) -> go.Figure:
    """Feature scores of every parameter (rows) for each condition (columns), as a heat map."""
    fig = go.Figure(
        go.Heatmap(
            z=scores.to_numpy(),
            x=[str(c) for c in scores.columns],
            y=list(scores.index),
            colorscale="Blues",
            zmin=0,
            zmax=1,
            texttemplate="%{z:.2f}",
            colorbar={"title": {"text": "feature score"}},
            hovertemplate="%{y} for %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="runs of interest", type="category")
    fig.update_yaxes(title="parameter", autorange="reversed")
    return plots._layout(
        fig,
        "Feature scores (extra trees): how much each parameter tells the runs apart",
        height=160 + 40 * len(scores.index),
    )


def outcomes_to_discover(source: plots.Source, least: int = 5) -> list[str]:
    """Outcomes worth a PRIM box: met by at least ``least`` runs and not by all but a few."""
    ok = plots.load(source, series=False).ok
    counts = ok["outcome"].value_counts()
    return [o for o in plots.OUTCOMES if least <= counts.get(o, 0) <= len(ok) - least]
