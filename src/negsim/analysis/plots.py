"""Figures of a sweep's results: outcome shares, distributions, fan charts, sensitivity.

Every function takes a results folder (a path), a `Results` or a runs DataFrame and returns a
`plotly.graph_objects.Figure`, for the report and for notebooks::

    from negsim.analysis import plots
    plots.outcome_shares("results/face_saving", "bargaining.face_offer").show()
    plots.fan_chart("results/face_saving", "cohesion", "bargaining.face_offer").show()

Colors come from `negsim.analysis.colors`: one fixed Okabe-Ito color per outcome everywhere.
A parameter with more distinct values than a figure can show (random, Latin hypercube, Sobol
and Morris samples) is cut into quantile bins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import hex_to_rgb, sample_colorscale, unlabel_rgb
from plotly.subplots import make_subplots

from negsim.analysis.colors import OUTCOME_COLORS
from negsim.analysis.stats import OUTCOMES, Z95, sensitivity, summary_table, wilson
from negsim.cast import RungId
from negsim.errors import InputError
from negsim.outcomes import RunRecord

type Source = str | Path | Results | pd.DataFrame  # what every figure function takes

# Axis titles with units for record fields the report knows; any other field is shown under
# its own name. The fields themselves are read from the data (`record_fields`).
FIELD_LABELS: dict[str, str] = {
    "end_tick": "end (ticks)",
    "end_days": "end (days)",
    "deal_x": "deal x: challenger's share of the issue (0-1)",
    "face_public": "face given in public (0-1)",
    "face_private": "face given in private (0-1)",
    "min_cohesion": "minimum defenders' cohesion (0-1)",
    "peak_rung": "peak escalation rung",
    "nuclear_threat_share": "share of ticks at nuclear threats",
    "misperception": "misperception of the other's resolve",
}
DISCRETE_MAX = 12  # a field with at most this many distinct values is drawn as bars
FAMILY_MIN = 5  # columns sharing a prefix ("n_...") that form a family, drawn together
_KEYS = {"run_id", "point", "replication", "seed", "status", "error", "outcome"}
# Per-tick series: variable -> axis title with units ("approval" stands for every approval_<id>).
SERIES: dict[str, str] = {
    "cohesion": "defenders' coalition cohesion (0-1)",
    "control": "challenger's control of the contested ground (0-1)",
    "rung": "escalation rung (0-5)",
    "approval": "leader approval (0-1)",
}
SENSITIVITY_COLORS = {"first": "#56B4E9", "total": "#CC79A7"}  # sky blue, reddish purple
_NOT_PARAMETERS = _KEYS | {f.name for f in fields(RunRecord)}
_BAND_ALPHA = (0.15, 0.3)  # 90% and 50% bands of a fan chart


@dataclass
class Results:
    """A sweep's results in memory: the runs table, the manifest and the series if collected."""

    runs: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    series: pd.DataFrame | None = None
    root: Path | None = None
    parameters: list[str] = field(default_factory=list)

    @property
    def spec(self) -> dict[str, Any]:
        """The spec as plain data (empty when the runs came without a manifest)."""
        return self.manifest.get("spec", {})

    @property
    def sampler(self) -> str:
        """The spec's sampler ("grid" when unknown)."""
        return self.spec.get("experiment", {}).get("sampler", "grid")

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished (failed runs have no outcome)."""
        if "status" not in self.runs:
            return self.runs
        return self.runs[self.runs["status"] == "ok"]


def load(source: Source, series: bool = True) -> Results:
    """A `Results` from a results folder, a runs DataFrame or a `Results` (returned as is).

    Raises:
        InputError: the folder does not exist or is not a results folder.
    """
    if isinstance(source, Results):
        return source
    if isinstance(source, pd.DataFrame):
        params = [c for c in source.columns if c not in _NOT_PARAMETERS and not _derived(c)]
        return Results(runs=source, parameters=params)
    from negsim.experiment.store import load_results, load_series

    root = Path(source)
    if not root.is_dir():
        raise InputError(f"{root}: no such results folder (run `negsim sweep SPEC` first)")
    runs, manifest = load_results(root)
    found = None
    if series and manifest.get("spec", {}).get("experiment", {}).get("collect_series"):
        try:
            found = load_series(root)
        except InputError:
            found = None
    return Results(runs, manifest, found, root, list(manifest.get("spec", {}).get("vary", {})))


def _derived(column: str) -> bool:
    return column.startswith(("n_", "cost_"))


# --- helpers -----------------------------------------------------------------------------------


def outcome_label(outcome: str) -> str:
    """An outcome as words: "aggressor withdrawal"."""
    return outcome.replace("_", " ")


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.3g}"
    return str(value)


def groups(runs: pd.DataFrame, parameter: str | None, max_groups: int) -> pd.Series:
    """An ordered categorical label per run: the parameter's value, or its quantile bin when
    it takes more than ``max_groups`` values; "all runs" without a parameter."""
    if parameter is None:
        return pd.Series(pd.Categorical(["all runs"] * len(runs)), index=runs.index)
    if parameter not in runs:
        raise InputError(f"{parameter}: not a varied parameter of these results")
    values = runs[parameter]
    distinct = np.sort(values.dropna().unique())
    if len(distinct) <= max_groups or not pd.api.types.is_numeric_dtype(values):
        labels = [_fmt(v) for v in distinct]
        mapped = values.map(dict(zip(distinct, labels, strict=True)))
        return pd.Series(pd.Categorical(mapped, categories=labels, ordered=True), index=runs.index)
    bins = pd.qcut(values, max_groups, duplicates="drop")
    names = [f"{_fmt(i.left)}-{_fmt(i.right)}" for i in bins.cat.categories]
    return pd.Series(bins.cat.rename_categories(names), index=runs.index)


def group_colors(n: int) -> list[str]:
    """Ordered colors for n parameter values (Viridis without its pale yellow end)."""
    if n == 1:
        return ["#404040"]
    return sample_colorscale("Viridis", list(np.linspace(0.0, 0.85, n)))


def _rgba(color: str, alpha: float) -> str:
    rgb = hex_to_rgb(color) if color.startswith("#") else unlabel_rgb(color)
    return f"rgba({int(rgb[0])}, {int(rgb[1])}, {int(rgb[2])}, {alpha})"


def _thin(values: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` values with the same distribution (evenly spaced quantiles)."""
    if len(values) <= most:
        return np.sort(values)
    return np.quantile(values, np.linspace(0, 1, most))


def _axis_title(parameter: str | None, n: int) -> str:
    return parameter if parameter else f"all runs (n = {n})"


# The parts of plotly_white that these figures use; the whole template adds 7 kB to each.
_WHITE = pio.templates["plotly_white"].layout
_TEMPLATE = go.layout.Template(
    layout={
        k: _WHITE[k]
        for k in ("font", "paper_bgcolor", "plot_bgcolor", "hovermode", "xaxis", "yaxis")
    }
)


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template=_TEMPLATE,
        height=height,
        margin={"l": 70, "r": 30, "t": 80, "b": 60, **fig.layout.margin.to_plotly_json()},
        font={"size": 13},
    )
    return fig


def _empty(fig: go.Figure, text: str) -> None:
    fig.add_annotation(
        text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 15}
    )


def _rung_axis() -> dict[str, Any]:
    return {
        "tickvals": [int(r) for r in RungId],
        "ticktext": [f"{int(r)} {r.label}" for r in RungId],
    }


# --- outcome shares ----------------------------------------------------------------------------


def outcome_shares(source: Source, parameter: str | None = None) -> go.Figure:
    """Outcome shares per parameter value: stacked bars above, each share with its Wilson 95%
    interval below (intervals drawn on stacked segments would sit at cumulative heights).

    Two traces per outcome that occurs, in the order of `Outcome`: its bar, then its interval.
    """
    res = load(source, series=False)
    ok = res.ok
    label = groups(ok, parameter, 10)
    counts = pd.crosstab(label, ok["outcome"]).reindex(label.cat.categories, fill_value=0)
    n = counts.sum(axis=1).to_numpy()
    names = [str(c) for c in counts.index]
    x = np.arange(len(names), dtype=float)
    present = [o for o in OUTCOMES if o in counts.columns]
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.09
    )
    width = 0.8 / max(1, len(present))
    for j, outcome in enumerate(present):
        k = counts[outcome].to_numpy()
        share = np.divide(k, n, out=np.full(len(n), np.nan), where=n > 0)
        bounds = np.array([wilson(int(a), int(b)) for a, b in zip(k, n, strict=True)])
        lo, hi = bounds[:, 0], bounds[:, 1]
        common = {
            "name": outcome_label(outcome),
            "legendgroup": outcome,
            "customdata": np.column_stack([lo, hi, k, n, names]),
            "hovertemplate": (
                f"{outcome_label(outcome)}: %{{y:.1%}} [%{{customdata[0]:.1%}}, "
                "%{customdata[1]:.1%}]<br>%{customdata[2]} of %{customdata[3]} runs"
                "<extra>%{customdata[4]}</extra>"
            ),
        }
        color = OUTCOME_COLORS[outcome]
        fig.add_bar(
            x=x,
            y=share,
            marker_color=color,
            marker_line={"color": "white", "width": 0.5},
            **common,
            row=1,
            col=1,
        )
        fig.add_scatter(
            x=x + (j - (len(present) - 1) / 2) * width,
            y=share,
            mode="markers",
            marker={"color": color, "size": 8, "line": {"color": "white", "width": 0.5}},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": hi - share,
                "arrayminus": share - lo,
                "color": color,
                "thickness": 1.5,
                "width": 3,
            },
            showlegend=False,
            **common,
            row=2,
            col=1,
        )
    if not len(ok):
        _empty(fig, "no finished runs")
    fig.update_layout(barmode="stack", legend={"traceorder": "reversed"}, bargap=0.15)
    fig.update_yaxes(title="share of runs", tickformat=".0%", range=[0, 1.0001], row=1, col=1)
    fig.update_yaxes(title="share, 95% Wilson interval", tickformat=".0%", row=2, col=1)
    fig.update_yaxes(range=[-0.02, 1.02], row=2, col=1)
    fig.update_xaxes(tickvals=x, ticktext=names, range=[-0.5, len(names) - 0.5])
    fig.update_xaxes(title=_axis_title(parameter, len(ok)), row=2, col=1)
    what = f"by {parameter}" if parameter else f"{len(ok)} runs"
    return _layout(fig, f"Outcome shares, {what}", height=620)


def outcome_heatmap(source: Source, x: str, y: str, max_groups: int = 8) -> go.Figure:
    """One heat map per outcome of its share over two parameters, each on its own scale (white
    at 0%, the outcome's color at its highest share), so that rare outcomes show."""
    res = load(source, series=False)
    ok = res.ok
    gx, gy = groups(ok, x, max_groups), groups(ok, y, max_groups)
    present = [o for o in OUTCOMES if (ok["outcome"] == o).any()] or OUTCOMES[:1]
    cols = min(3, len(present))
    rows = math.ceil(len(present) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[outcome_label(o) for o in present],
        horizontal_spacing=0.08,
        vertical_spacing=0.16,
    )
    n = pd.crosstab(gy, gx).reindex(
        index=gy.cat.categories, columns=gx.cat.categories, fill_value=0
    )
    for i, outcome in enumerate(present):
        hit = (ok["outcome"] == outcome).astype(int)
        k = pd.crosstab(gy, gx, values=hit, aggfunc="sum").reindex_like(n).fillna(0)
        share = k / n.where(n > 0)
        bounds = np.array(
            [
                wilson(int(a), int(b))
                for a, b in zip(k.to_numpy().ravel(), n.to_numpy().ravel(), strict=True)
            ]
        ).reshape(*n.shape, 2)
        row, col = divmod(i, cols)
        top = float(np.nanmax(share.to_numpy())) if np.isfinite(share.to_numpy()).any() else 1.0
        fig.add_heatmap(
            x=[str(c) for c in n.columns],
            y=[str(r) for r in n.index],
            z=share.to_numpy(),
            colorscale=[[0.0, "#FFFFFF"], [1.0, OUTCOME_COLORS[outcome]]],
            zmin=0,
            zmax=top or 1.0,
            showscale=False,
            texttemplate="%{z:.0%}",
            customdata=np.dstack([bounds, n.to_numpy()[..., None]]),
            hovertemplate=(
                f"{x} = %{{x}}<br>{y} = %{{y}}<br>{outcome_label(outcome)}: %{{z:.1%}} "
                "[%{customdata[0]:.1%}, %{customdata[1]:.1%}] of %{customdata[2]} runs"
                "<extra></extra>"
            ),
            name=outcome_label(outcome),
            row=row + 1,
            col=col + 1,
        )
        fig.update_xaxes(title=x, type="category", row=row + 1, col=col + 1)
        fig.update_yaxes(title=y, type="category", row=row + 1, col=col + 1)
    for annotation, outcome in zip(fig.layout.annotations, present, strict=True):
        annotation.font = {"color": OUTCOME_COLORS[outcome], "size": 14}
        top = (ok["outcome"] == outcome).groupby([gy, gx], observed=True).mean().max()
        annotation.text = f"{outcome_label(outcome)} (white 0% .. full {top:.0%})"
    return _layout(fig, f"Outcome shares over {x} and {y}", height=330 * rows + 60)


# --- distributions -----------------------------------------------------------------------------


def _family(column: str) -> str | None:
    """The family of a column: ``n`` for ``n_offers``, ``cost`` for ``cost_RUS`` (a per-state
    suffix in capitals), else None."""
    prefix, _, rest = column.partition("_")
    return prefix if rest and (rest.isupper() or len(prefix) == 1) else None


def record_fields(source: Source) -> tuple[list[str], dict[str, list[str]]]:
    """The per-run numeric fields of the record that vary, read from the runs table.

    Returns:
        The single fields (``end_tick`` first), and the families of related columns (per-state
        costs, event counts) with at least `FAMILY_MIN` members or per-state suffixes, each
        drawn as one figure.
    """
    res = load(source, series=False)
    ok = res.ok
    numeric = [
        c
        for c in ok.columns
        if c not in _KEYS
        and c not in res.parameters
        and (pd.api.types.is_numeric_dtype(ok[c]) or pd.api.types.is_bool_dtype(ok[c]))
        and ok[c].nunique(dropna=True) > 1
    ]
    families: dict[str, list[str]] = {}
    for c in numeric:
        if (f := _family(c)) is not None:
            families.setdefault(f, []).append(c)
    families = {
        f: cs
        for f, cs in families.items()
        if len(cs) >= FAMILY_MIN or cs[0].split("_", 1)[1].isupper()
    }
    grouped = {c for cs in families.values() for c in cs}
    single = sorted((c for c in numeric if c not in grouped), key=lambda c: c != "end_tick")
    return single, families


def is_discrete(values: pd.Series) -> bool:
    """A field is discrete when it is boolean or takes at most `DISCRETE_MAX` distinct values."""
    return pd.api.types.is_bool_dtype(values) or values.nunique(dropna=True) <= DISCRETE_MAX


def field_label(field: str) -> str:
    """An axis title for a record field."""
    return FIELD_LABELS.get(field, field.replace("_", " "))


def _field_values(res: Results, field: str) -> tuple[pd.DataFrame, str, str]:
    ok = res.ok
    if field not in ok:
        raise InputError(f"{field}: not a field of these runs")
    defined = ok[ok[field].notna()]
    whose = "runs" if len(defined) == len(ok) else f"runs with a {field.replace('_', ' ')}"
    return defined, field_label(field), whose


def distribution(source: Source, field: str, parameter: str | None = None) -> go.Figure:
    """The distribution of a per-run field: bars of each value's share when it is discrete;
    otherwise a histogram (one group) or violins by parameter value. Runs where the field has
    no value (``deal_x`` of a run without a deal) are left out."""
    res = load(source, series=False)
    runs, title, whose = _field_values(res, field)
    if len(runs) and is_discrete(runs[field]):
        return _bars(runs, field, parameter, title, whose)
    label = groups(runs, parameter, 8)
    cats = list(label.cat.categories)
    colors = group_colors(len(cats))
    fig = go.Figure()
    if parameter is None or len(cats) <= 1:
        counts, edges = np.histogram(runs[field].to_numpy(dtype=float), bins=40)
        fig.add_bar(  # counted here: the page carries 40 bars, not every run's value
            x=(edges[:-1] + edges[1:]) / 2,
            y=counts,
            width=np.diff(edges),
            name=cats[0] if cats else "all runs",
            marker_color=colors[0] if colors else "#404040",
            customdata=np.column_stack([edges[:-1], edges[1:]]),
            hovertemplate=f"{title}: %{{customdata[0]:.3g}} to %{{customdata[1]:.3g}}<br>"
            f"%{{y}} {whose}<extra></extra>",
        )
        fig.update_xaxes(title=title)
        fig.update_yaxes(title=f"{whose} (count)")
    else:
        for cat, color in zip(cats, colors, strict=True):
            values = _thin(runs.loc[label == cat, field].to_numpy(dtype=float), 200)
            fig.add_violin(
                x0=cat,
                y=values.astype(np.float32),
                name=cat,
                line_color=color,
                fillcolor=_rgba(color, 0.35),
                box_visible=True,
                meanline_visible=False,
                points=False,
                spanmode="hard",
                hoverinfo="y",
            )
        fig.update_xaxes(title=parameter, type="category")
        fig.update_yaxes(title=title)
        fig.update_layout(showlegend=False)
    if not len(runs):
        _empty(fig, f"no {whose} in these runs")
    by = f" by {parameter}" if parameter else ""
    return _layout(fig, f"{title.split(' (')[0].capitalize()}{by} ({len(runs)} {whose})")


def _bars(
    runs: pd.DataFrame, field: str, parameter: str | None, title: str, whose: str
) -> go.Figure:
    """Share of runs at each value of a discrete field, one bar per parameter value."""
    label = groups(runs, parameter, 8)
    cats = list(label.cat.categories)
    values = runs[field]
    levels = sorted(values.dropna().unique())
    names = [_fmt(v) for v in levels]
    fig = go.Figure()
    for cat, color in zip(cats, group_colors(len(cats)), strict=True):
        counts = values[label == cat].value_counts().reindex(levels, fill_value=0).to_numpy()
        n = int(counts.sum())
        fig.add_bar(
            x=names,
            y=counts / max(n, 1),
            name=cat,
            marker_color=color,
            customdata=np.column_stack([counts, np.full(len(counts), n)]),
            hovertemplate=f"{cat}: %{{y:.1%}} of {whose} at {field} = %{{x}}"
            "<br>%{customdata[0]} of %{customdata[1]}<extra></extra>",
        )
    fig.update_xaxes(title=title, type="category")
    fig.update_yaxes(title=f"share of {whose}", tickformat=".0%")
    fig.update_layout(
        barmode="group",
        legend={"title": {"text": parameter or ""}},
        showlegend=parameter is not None,
    )
    by = f" by {parameter}" if parameter else ""
    return _layout(fig, f"{title.split(' (')[0].capitalize()}{by} ({len(runs)} {whose})")


def ecdf(source: Source, field: str, parameter: str | None = None) -> go.Figure:
    """Empirical cumulative distribution of a per-run field, one line per parameter value."""
    res = load(source, series=False)
    runs, title, whose = _field_values(res, field)
    label = groups(runs, parameter, 8)
    cats = list(label.cat.categories)
    fig = go.Figure()
    for cat, color in zip(cats, group_colors(len(cats)), strict=True):
        values = runs.loc[label == cat, field].to_numpy(dtype=float)
        if not len(values):
            continue
        xs = np.sort(values)
        ys = np.arange(1, len(xs) + 1) / len(xs)
        if len(xs) > 100:  # the curve at 100 evenly spaced levels
            keep = np.unique(np.searchsorted(ys, np.linspace(0, 1, 100)).clip(0, len(xs) - 1))
            xs, ys = xs[keep], ys[keep]
        fig.add_scatter(
            x=xs.astype(np.float32),
            y=ys.astype(np.float32),
            mode="lines",
            line={"shape": "hv", "color": color, "width": 2},
            name=cat,
            hovertemplate=f"{cat}: %{{y:.1%}} of {whose} at or below %{{x:.3g}}<extra></extra>",
        )
    if not len(runs):
        _empty(fig, f"no {whose} in these runs")
    fig.update_xaxes(title=title)
    fig.update_yaxes(
        title=f"share of {whose} at or below (ECDF)", tickformat=".0%", range=[0, 1.02]
    )
    fig.update_layout(legend={"title": {"text": parameter or ""}}, showlegend=parameter is not None)
    by = f" by {parameter}" if parameter else ""
    return _layout(fig, f"ECDF of {title.split(' (')[0]}{by}")


def end_times(source: Source) -> go.Figure:
    """When runs end, split by outcome: a histogram of the end tick stacked by outcome."""
    res = load(source, series=False)
    ok = res.ok
    fig = go.Figure()
    top = int(ok["end_tick"].max()) if len(ok) else 1
    size = max(1, math.ceil((top + 1) / 60))
    starts = np.arange(0, top + 1, size)
    for outcome in OUTCOMES:
        ends = ok.loc[ok["outcome"] == outcome, "end_tick"].to_numpy(dtype=int)
        if not len(ends):
            continue
        counts = np.bincount(ends // size, minlength=len(starts))[: len(starts)]
        fig.add_bar(
            x=starts + (size - 1) / 2,
            y=counts,
            width=size,
            name=outcome_label(outcome),
            marker_color=OUTCOME_COLORS[outcome],
            customdata=np.column_stack([starts, starts + size - 1]),
            hovertemplate=f"{outcome_label(outcome)}: %{{y}} runs ending in weeks "
            "%{customdata[0]}-%{customdata[1]}<extra></extra>",
        )
    if not len(ok):
        _empty(fig, "no finished runs")
    fig.update_layout(barmode="stack", bargap=0.05)
    fig.update_xaxes(title=field_label("end_tick"))
    fig.update_yaxes(title="runs (count)")
    return _layout(fig, f"When runs end, by outcome ({len(ok)} runs)")


def family(source: Source, members: list[str], name: str) -> go.Figure:
    """The mean per run of each column of a family (event counts, per-state costs), with its
    normal 95% interval."""
    ok = load(source, series=False).ok
    values = ok[members].astype(float)
    mean = values.mean().to_numpy()
    half = Z95 * (values.std(ddof=1) / np.sqrt(values.count().clip(lower=1))).to_numpy()
    labels = [m.split("_", 1)[1].replace("_", " ") for m in members]
    fig = go.Figure(
        go.Bar(
            x=mean,
            y=labels,
            orientation="h",
            marker_color="#0072B2",
            error_x={"type": "data", "array": np.nan_to_num(half), "color": "#333333"},
            hovertemplate="%{y}: mean %{x:.3g} per run<extra></extra>",
        )
    )
    fig.update_xaxes(title=f"mean per run, 95% interval ({len(ok)} runs)")
    fig.update_yaxes(title=name, autorange="reversed")
    return _layout(fig, f"{name.capitalize()}: mean per run", height=140 + 24 * len(members))


# --- fan charts --------------------------------------------------------------------------------


def series_variables(source: Source, variable: str) -> list[str]:
    """The series variables a fan chart of ``variable`` draws ("approval": every approval_<id>)."""
    res = load(source)
    if res.series is None:
        return []
    names = list(pd.unique(res.series["variable"]))
    if variable == "approval":
        return [v for v in names if v.startswith("approval_")]
    return [variable] if variable in names else []


def fan_chart(
    source: Source,
    variable: str,
    parameter: str | None = None,
    series: pd.DataFrame | None = None,
) -> go.Figure:
    """Median with 50% and 90% bands over ticks of a per-tick series, per parameter value.

    ``variable`` is ``cohesion``, ``control``, ``rung``, ``approval`` (one panel per state) or
    any series variable. A band at a tick covers the runs still under way at that tick. Each
    group draws five traces: the 90% band (two), the 50% band (two) and the median.

    Args:
        source: results (with series), or a runs DataFrame together with ``series``.
        variable: what to draw.
        parameter: one group of lines per value (at most four; more are binned).
        series: the long series table, when ``source`` is a DataFrame.
    """
    res = load(source)
    if series is not None:
        res = Results(res.runs, res.manifest, series, res.root, res.parameters)
    if res.series is None:
        raise InputError(
            f"{res.root or 'these results'}: no per-tick series "
            "(set collect_series = true in the spec)"
        )
    wanted = series_variables(res, variable)
    if not wanted:
        raise InputError(f"{variable}: not a series variable of these results")
    ok = res.ok
    label = groups(ok, parameter, 4)
    cats = list(label.cat.categories)
    colors = dict(zip(cats, group_colors(len(cats)), strict=True))
    data = res.series[res.series["variable"].isin(wanted)]
    data = data.merge(pd.DataFrame({"run_id": ok["run_id"], "group": label}), on="run_id")
    quantiles = (
        data.groupby(["variable", "group", "tick"], observed=True)["value"]
        .quantile([0.05, 0.25, 0.5, 0.75, 0.95])
        .unstack()
    )
    counts = data.groupby(["variable", "group", "tick"], observed=True)["value"].size()
    cols = min(3, len(wanted))
    rows = math.ceil(len(wanted) / cols)
    unit = SERIES.get(variable, SERIES["approval"] if variable.startswith("approval") else variable)
    titles = [w.replace("approval_", "approval of ") for w in wanted] if len(wanted) > 1 else None
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=titles, shared_yaxes=True, vertical_spacing=0.12
    )
    for i, var in enumerate(wanted):
        row, col = divmod(i, cols)
        for cat in cats:
            if (var, cat) not in quantiles.index.droplevel("tick"):
                continue
            q = quantiles.loc[(var, cat)]
            n = counts.loc[(var, cat)].to_numpy()
            ticks = q.index.to_numpy()
            for (lo, hi), alpha, band in zip(
                [(0.05, 0.95), (0.25, 0.75)], _BAND_ALPHA, ("90%", "50%"), strict=True
            ):
                common = {"legendgroup": cat, "showlegend": False, "hoverinfo": "skip"}
                fig.add_scatter(
                    x=ticks, y=q[hi], mode="lines", line={"width": 0}, name=f"{cat} {band}",
                    **common, row=row + 1, col=col + 1,
                )  # fmt: skip
                fig.add_scatter(
                    x=ticks, y=q[lo], mode="lines", line={"width": 0}, fill="tonexty",
                    fillcolor=_rgba(colors[cat], alpha), name=f"{cat} {band} band",
                    **common, row=row + 1, col=col + 1,
                )  # fmt: skip
            fig.add_scatter(
                x=ticks,
                y=q[0.5],
                mode="lines",
                line={"color": colors[cat], "width": 2},
                name=cat,
                legendgroup=cat,
                showlegend=i == 0,
                customdata=n,
                hovertemplate=(
                    f"{cat}, week %{{x}}: median %{{y:.3g}} over %{{customdata}} runs under way"
                    "<extra></extra>"
                ),
                row=row + 1,
                col=col + 1,
            )
        fig.update_xaxes(title="week (tick)", row=row + 1, col=col + 1)
        fig.update_yaxes(title=unit if col == 0 else None, row=row + 1, col=col + 1)
    if variable == "rung":
        fig.update_yaxes(**_rung_axis())
    fig.update_layout(legend={"title": {"text": parameter or ""}})
    by = f" by {parameter}" if parameter else ""
    name = unit.split(" (")[0]
    return _layout(
        fig,
        f"{name.capitalize()} over time{by}: median, 50% and 90% bands",
        height=max(420, 300 * rows + 80),
    )


# --- sensitivity -------------------------------------------------------------------------------


def sensitivity_table(source: Source) -> pd.DataFrame:
    """The sensitivity indices of a complete sobol or morris sweep (as `stats.sensitivity`)."""
    res = load(source, series=False)
    if res.sampler not in ("sobol", "morris"):
        raise InputError(f"sensitivity indices need a sobol or morris spec, not {res.sampler}")
    planned = res.manifest.get("counts", {}).get("planned")
    if planned != len(res.runs):
        raise InputError(
            f"{res.root}: sensitivity indices need every run ({len(res.runs)} of {planned}); "
            "resume the sweep first"
        )
    return sensitivity(summary_table(res.runs, res.parameters), res.spec)


def sensitivity_indices(source: Source) -> go.Figure:
    """Sobol first-order and total indices (or Morris mu* and sigma) with confidence bars,
    one panel per output (outcome shares and mean end tick)."""
    res = load(source, series=False)
    table = sensitivity_table(res)
    sobol = res.sampler == "sobol"
    first, total = ("S1", "ST") if sobol else ("mu_star", "sigma")
    usable = table.dropna(subset=[first]) if len(table) else table
    outputs = list(pd.unique(usable["output"])) if len(usable) else []
    rows = max(1, len(outputs))
    titles = [_output_label(o) for o in outputs]
    panel = 70 + 36 * len(res.parameters)
    height = (panel + 100) * rows + 120
    fig = make_subplots(
        rows=rows, cols=1, subplot_titles=titles or None, vertical_spacing=100 / height
    )
    names = {
        "S1": "first order S1 (95% conf.)",
        "ST": "total ST (95% conf.)",
        "mu_star": "mu* (95% conf.)",
        "sigma": "sigma",
    }
    axis = "index (share of variance)" if sobol else "elementary effect (output units)"
    for i, output in enumerate(outputs):
        part = usable[usable["output"] == output]
        for key, color in zip((first, total), SENSITIVITY_COLORS.values(), strict=True):
            conf = f"{key}_conf"
            error = (
                {"type": "data", "array": part[conf], "color": "#333333"} if conf in part else None
            )
            flagged = part["flag"] != "" if "flag" in part else pd.Series(False, index=part.index)
            fig.add_bar(
                x=part[key],
                y=part["parameter"],
                orientation="h",
                name=names[key],
                marker_color=color,
                marker_pattern_shape=["/" if f else "" for f in flagged],
                error_x=error,
                legendgroup=key,
                showlegend=i == 0,
                hovertemplate=f"%{{y}}: {key} = %{{x:.3f}}<extra>{_output_label(output)}</extra>",
                row=i + 1,
                col=1,
            )
        fig.update_xaxes(title=axis, row=i + 1, col=1)
        fig.update_yaxes(title="parameter", autorange="reversed", row=i + 1, col=1)
    for annotation, output in zip(fig.layout.annotations, outputs, strict=False):
        outcome = output.removeprefix("share_")
        if outcome in OUTCOME_COLORS:
            annotation.font = {"color": OUTCOME_COLORS[outcome], "size": 14}
    flat = sorted(set(table["output"]) - set(outputs)) if len(table) else []
    notes = [f"no variation, left out: {', '.join(map(_output_label, flat))}"] if flat else []
    if len(usable) and "flag" in usable and (usable["flag"] != "").any():
        notes.append("hatched: unreliable (95% interval wider than the index, or S1 < 0)")
    if not outputs:
        _empty(fig, "no output varies")
    fig.update_layout(barmode="group", margin={"l": 220})
    kind = "Sobol indices" if sobol else "Morris screening"
    title = f"{kind} per output" + "".join(f"<br><sup>{n}</sup>" for n in notes)
    return _layout(fig, title, height=height)


def _output_label(output: str) -> str:
    if output.startswith("share_"):
        return f"share of {outcome_label(output.removeprefix('share_'))}"
    return "mean end tick (weeks)" if output == "end_tick_mean" else output
