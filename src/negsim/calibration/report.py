"""What a calibration leaves in its results folder, and its page.

``results/<name>/``: ``abc.db`` (pyabc's history), ``calibration.json`` (the spec as run and
its hash, the budget spent), ``posterior.csv`` (the last generation's particles and weights),
``diagnostics.csv`` (per generation), ``predictive.csv`` (the patterns of each posterior draw),
``calibrated.toml`` (the parameter set `--adopt` installs) and ``calibration.html``.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from negsim.analysis.patterns import BY_KEY, PATTERNS, format_value
from negsim.analysis.report import Section, render_page, table_html, write_page
from negsim.calibration.inference import weighted_quantiles

PRIOR_COLOR = "#BBBBBB"
POSTERIOR_COLOR = "#0072B2"
RECORD_COLOR = "#D55E00"


def predictive_summary(predictive: pd.DataFrame) -> pd.DataFrame:
    """Per pattern, the median and 95% interval of its value across the posterior draws (each
    draw with its own crises and seeds: parametric and run-to-run uncertainty together)."""
    rows = []
    for key, group in predictive.groupby("pattern", sort=False):
        values = group["value"].dropna().to_numpy()
        lo, mid, hi = np.quantile(values, [0.025, 0.5, 0.975]) if len(values) else [math.nan] * 3
        pattern = BY_KEY[key]
        rows.append(
            {
                "pattern": key,
                "label": pattern.label,
                "role": pattern.role,
                "median": mid,
                "low": lo,
                "high": hi,
                "record": pattern.record,
                "kind": pattern.kind,
                "source": pattern.source,
            }
        )
    order = {p.key: i for i, p in enumerate(PATTERNS)}
    return pd.DataFrame(rows).sort_values("pattern", key=lambda s: s.map(order))


def marginals_figure(
    posterior: pd.DataFrame, first: pd.DataFrame, priors: dict[str, tuple[float, float]]
) -> go.Figure:
    """Each parameter's weighted histogram: the first generation (the prior's draws) in grey,
    the posterior in blue, on the prior's range."""
    names = [c for c in posterior.columns if c != "weight"]
    cols = 2
    rows = math.ceil(len(names) / cols)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=[n.removeprefix("parameters.") for n in names]
    )
    for i, name in enumerate(names):
        r, c = i // cols + 1, i % cols + 1
        lo, hi = priors[name]
        bins = {"start": lo, "end": hi, "size": (hi - lo) / 20}
        for frame, color, label in (
            (first, PRIOR_COLOR, "prior draws (generation 0)"),
            (posterior, POSTERIOR_COLOR, "posterior"),
        ):
            fig.add_trace(
                go.Histogram(
                    x=frame[name],
                    y=frame["weight"] / frame["weight"].sum(),
                    histfunc="sum",
                    xbins=bins,
                    marker_color=color,
                    opacity=0.75,
                    name=label,
                    legendgroup=label,
                    showlegend=i == 0,
                ),
                row=r,
                col=c,
            )
        fig.update_xaxes(range=[lo, hi], row=r, col=c)
    fig.update_layout(
        barmode="overlay",
        height=240 * rows,
        margin={"t": 40, "b": 30},
        legend={"orientation": "h", "y": -0.05},
    )
    return fig


def diagnostics_figure(diagnostics: pd.DataFrame) -> go.Figure:
    """Epsilon, acceptance rate, effective sample size and distances by generation."""
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=[
            "distance: threshold and accepted",
            "acceptance rate",
            "effective sample size",
        ],
    )
    g = diagnostics["generation"]
    finite = diagnostics["epsilon"].replace([np.inf, -np.inf], np.nan)
    fig.add_trace(go.Scatter(x=g, y=finite, name="threshold (epsilon)", mode="lines+markers"), 1, 1)
    fig.add_trace(
        go.Scatter(
            x=g, y=diagnostics["distance_median"], name="median distance", mode="lines+markers"
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=g, y=diagnostics["distance_max"], name="largest distance", mode="lines+markers"
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(x=g, y=diagnostics["acceptance"], name="acceptance", mode="lines+markers"), 1, 2
    )
    fig.add_trace(go.Scatter(x=g, y=diagnostics["ess"], name="ESS", mode="lines+markers"), 1, 3)
    fig.update_xaxes(title_text="generation", dtick=1)
    fig.update_layout(height=330, margin={"t": 40, "b": 40}, legend={"orientation": "h", "y": -0.3})
    return fig


def fit_figure(summary: pd.DataFrame) -> go.Figure:
    """Each share pattern: the record beside the posterior predictive median and interval."""
    shares = summary[summary["kind"] == "share"]
    labels = [f"{r.label} ({r.role})" for r in shares.itertuples()]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=100 * shares["median"],
            y=labels,
            mode="markers",
            marker={"color": POSTERIOR_COLOR, "size": 9},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": 100 * (shares["high"] - shares["median"]),
                "arrayminus": 100 * (shares["median"] - shares["low"]),
            },
            name="model: posterior predictive median, 95% interval",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=100 * shares["record"],
            y=labels,
            mode="markers",
            marker={"color": RECORD_COLOR, "symbol": "diamond", "size": 10},
            name="record",
        )
    )
    fig.update_layout(
        height=60 + 34 * len(labels),
        xaxis={"title": "% of crises (actors, threats, episodes, partners)", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
        margin={"l": 20, "t": 20},
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def _cell(value: float, kind: str) -> str:
    return html.escape(format_value(value, kind))


def write_calibration_page(
    root: Path,
    title: str,
    facts: list[str],
    posterior: pd.DataFrame,
    first: pd.DataFrame,
    priors: dict[str, tuple[float, float]],
    diagnostics: pd.DataFrame,
    summary: pd.DataFrame,
    estimate: dict[str, float],
) -> Path:
    """The calibration's page: budget, posterior, diagnostics and fit to the record."""
    quantiles = []
    for name in estimate:
        lo, hi = weighted_quantiles(posterior, name, [0.05, 0.95])
        quantiles.append(
            [
                f"<code>{html.escape(name.removeprefix('parameters.'))}</code>",
                html.escape(f"{priors[name][0]:g} .. {priors[name][1]:g}"),
                f"{estimate[name]:.4g}",
                html.escape(f"{lo:.4g} .. {hi:.4g}"),
            ]
        )
    fit_rows = [
        [
            html.escape(r.label),
            html.escape(r.role),
            _cell(r.record, r.kind),
            html.escape(
                f"{format_value(r.median, r.kind)} [{format_value(r.low, r.kind)}, "
                f"{format_value(r.high, r.kind)}]"
            ),
            html.escape(r.source),
        ]
        for r in summary.itertuples()
    ]
    head = [
        "<ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in facts) + "</ul>",
        "<h2>Posterior</h2>",
        table_html(
            ["parameter", "prior range", "estimate (weighted median)", "90% interval"], quantiles
        ),
        "<h2>Fit to the record</h2>",
        table_html(
            ["pattern", "role", "record", "model: posterior predictive [95% interval]", "source"],
            fit_rows,
        ),
    ]
    sections = [
        Section(
            "Pattern fit",
            "The record (diamonds) beside the model's posterior predictive median and 95% "
            "interval (each draw of the posterior run on its own generated crises).",
            {"fit": fit_figure(summary)},
        ),
        Section(
            "Posterior marginals",
            "Weighted histograms of each calibrated parameter: the first generation's draws "
            "from the prior (grey) and the last generation (blue).",
            {"marginals": marginals_figure(posterior, first, priors)},
        ),
        Section(
            "Diagnostics",
            "By generation: the acceptance threshold and the accepted particles' distances "
            "(in units of each pattern's scale), the acceptance rate, and the effective sample "
            "size of the weights.",
            {"diagnostics": diagnostics_figure(diagnostics)},
        ),
    ]
    return write_page(render_page(title, head, sections), root / "calibration.html")
