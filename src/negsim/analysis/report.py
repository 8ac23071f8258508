"""The HTML report of a results folder: spec and cast at the top, then every figure.

One self-contained page (plotly.js is embedded, so it opens offline), optionally with a PNG of
every figure, written through kaleido and a local Chromium in one batch::

    from negsim.analysis.report import write_report
    report = write_report("results/face_saving", png=True)
    report.path, report.pngs, report.png_problem
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from negsim.analysis import compare, discovery, plots
from negsim.analysis.colors import ROLE_COLORS
from negsim.analysis.stats import sensitivity_warning
from negsim.errors import InputError, OutputError
from negsim.files import reason, write_text

PNG_FOLDER = "report_png"
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FAMILY_LABELS = {"n": "events of each kind", "cost": "economic cost of each state"}
_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"scale": 2}}


@dataclass
class Section:
    """A heading, a sentence on how to read it, and its figures (keyed by a file-safe name)."""

    title: str
    intro: str
    figures: dict[str, go.Figure] = field(default_factory=dict)
    note: str = ""
    half_width: bool = False  # figures side by side (distribution, ECDF) rather than full width


@dataclass
class Report:
    """What `write_report` wrote."""

    path: Path
    figures: int
    seconds: float
    pngs: list[Path] = field(default_factory=list)
    png_problem: str | None = None


def _key(*parts: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join(p for p in parts if p)).strip("-")


def sections(res: plots.Results) -> list[Section]:
    """The report's figures, chosen by what the sweep varied and what it collected."""
    params: list[str | None] = list(res.parameters) or [None]
    shares = Section(
        "Outcomes",
        "Share of finished runs ending in each outcome (stacked), and each share with its "
        "Wilson 95% interval (below); hover for the counts.",
    )
    for p in params:
        shares.figures[_key("outcome-shares", p)] = plots.outcome_shares(res, p)
    if len(res.parameters) == 2:
        x, y = res.parameters
        shares.figures["outcome-heatmap"] = plots.outcome_heatmap(res, x, y)
    ends = Section(
        "End times",
        "When runs end, each outcome in its color: a crisis that ends early and one that runs "
        "to the horizon are different stories even when they end the same way.",
    )
    ends.figures["end-times"] = plots.end_times(res)
    single, families = plots.record_fields(res)
    dists = Section(
        "Distributions",
        "Every per-run field of the record that varies. A field with few distinct values (a "
        "rung, a face offered, a flag) shows the share of runs at each value, as bars; any "
        "other shows histograms or violins (with box: median and quartiles) on the left and "
        "empirical cumulative distributions on the right. Fields without a value in some runs "
        "(deal terms without a deal) are shown over the runs that have one.",
        half_width=True,
    )
    ok = res.ok
    for name in single:
        discrete = plots.is_discrete(ok[name].dropna())
        for p in params:
            dists.figures[_key(name, "distribution", p)] = plots.distribution(res, name, p)
            if not discrete:
                dists.figures[_key(name, "ecdf", p)] = plots.ecdf(res, name, p)
    for prefix, members in families.items():
        label = FAMILY_LABELS.get(prefix, prefix)
        dists.figures[_key("family", prefix)] = plots.family(res, members, label)
    found = [shares, ends, dists]
    if res.series is not None:
        fans = Section(
            "Over time",
            "Median (line), 50% and 90% bands (shaded) of each per-tick series over the runs "
            "still under way at each week.",
        )
        for variable in plots.SERIES:
            if not plots.series_variables(res, variable):
                continue
            for p in params:
                fans.figures[_key("fan", variable, p)] = plots.fan_chart(res, variable, p)
        found.append(fans)
    found.append(_discovery_section(res))
    if res.sampler in ("sobol", "morris"):
        sens = Section(
            "Sensitivity",
            "First-order and total Sobol indices with 95% confidence bars, per output"
            if res.sampler == "sobol"
            else "Morris mu* (mean absolute elementary effect, with 95% confidence bars) and "
            "sigma, per output",
        )
        try:
            sens.figures["sensitivity"] = plots.sensitivity_indices(res)
            sens.note = sensitivity_warning(plots.sensitivity_table(res), res.sampler)
        except InputError as exc:
            sens.note = str(exc)
        found.append(sens)
    return found


_DISCOVERY_INTRO = (
    "Under which parameter values does the crisis end a given way? PRIM peels the space of "
    "the varied parameters towards the box where those runs are densest. Left: every box of "
    "the peeling trajectory by its coverage (share of the runs of interest inside it) and "
    "density (share of its runs that are of interest), the reported box ringed (the densest "
    "that keeps half the runs of interest); right: that box's range of each parameter, most "
    "telling first (grey: not restricted). Feature scores (extra trees) rank the parameters "
    "by how much they tell the runs of interest apart. For other conditions: negsim discover."
)


def _discovery_section(res: plots.Results) -> Section:
    """PRIM for each outcome that neither almost never nor almost always happens."""
    section = Section("Scenario discovery", _DISCOVERY_INTRO)
    if not res.parameters:
        section.note = "Nothing was varied: there are no parameter ranges to discover."
        return section
    outcomes = discovery.outcomes_to_discover(res)
    if not outcomes:
        section.note = "No outcome is met by at least 5 runs and missed by at least 5."
        return section
    scores = {}
    try:
        for outcome in outcomes:
            found = discovery.discover(res, f"outcome == {outcome}")
            section.figures[_key("prim", outcome)] = discovery.prim_figure(found)
            scores[plots.outcome_label(outcome)] = found.scores
    except InputError as exc:  # EMA Workbench is not installed
        section.note = str(exc)
        section.figures.clear()
        return section
    boxed = discovery.numeric_parameters(res.ok, res.parameters)
    table = pd.DataFrame(scores).reindex(boxed)
    section.figures["feature-scores"] = discovery.feature_score_figure(table)
    text = [p for p in res.parameters if p not in boxed]
    if text:
        section.note = f"Text-valued parameters are not boxed: {', '.join(text)}."
    return section


# --- the page ----------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1400px; padding: 1em 2em;
       color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px; text-align: left; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(600px, 1fr)); gap: 1em; }
.wide { grid-column: 1 / -1; } .note { color: #8a4b00; } .muted { color: #666; }
.dot { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%;
       margin-right: 0.3em; vertical-align: -0.05em; }
code { background: #f4f4f4; padding: 0 3px; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def table_html(header: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    """An HTML table: text cells come escaped, ``numeric`` columns are escaped and
    right-aligned here."""
    numeric = numeric or set()
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{_e(c)}</td>" if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _meaning(path: str) -> str:
    from negsim.cast import canonical_path, schema_field

    try:
        return schema_field(canonical_path(path)).description or ""
    except Exception:  # any dotted cast path may be varied; not every one has a description
        return ""


def _spec_html(res: plots.Results) -> str:
    spec, manifest = res.spec, res.manifest
    info = spec.get("experiment", {})
    counts = manifest.get("counts", {})
    runs = res.runs
    failed = int((runs["status"] == "failed").sum()) if "status" in runs else 0
    facts = [
        ["description", _e(info.get("description") or "-")],
        ["spec file", f"<code>{_e(manifest.get('source', '?'))}</code>"],
        ["sampler", _e(info.get("sampler", "?"))],
        ["parameter points", _e(counts.get("points", runs["point"].nunique()))],
        ["replications per point", _e(info.get("replications", "?"))],
        ["runs", _e(f"{len(runs)} of {counts.get('planned', '?')} ({manifest.get('status')})")],
        ["failed runs", _e(failed)],
        ["tick limit", _e(f"{info.get('max_ticks') or 'the cast horizon'} ticks")],
        ["per-tick series", "collected" if info.get("collect_series") else "not collected"],
        ["master seed", _e(info.get("seed", "?"))],
        ["finished", _e(manifest.get("finished") or "-")],
        [
            "software",
            _e(", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items())),
        ],
    ]
    parts = ["<h2 id='spec'>Experiment</h2>", table_html(["", ""], facts)]
    if failed:
        errors = runs.loc[runs["status"] == "failed", "error"].value_counts().head(5)
        listed = "".join(f"<li>{n} x <code>{_e(err)}</code></li>" for err, n in errors.items())
        parts.append(
            f"<p class='note'>{failed} runs failed and are left out of every figure; "
            f"most frequent errors:</p><ul>{listed}</ul>"
        )
    vary = spec.get("vary", {})
    if vary:
        rows = []
        for path, how in vary.items():
            values = (
                ", ".join(map(str, how))
                if isinstance(how, list)
                else f"{how['low']} .. {how['high']}"
            )
            rows.append([f"<code>{_e(path)}</code>", _e(values), _e(_meaning(path))])
        parts += ["<h3>Varied</h3>", table_html(["parameter", "values", "meaning"], rows)]
    else:
        parts.append("<p>Nothing varied: every run uses the same parameters.</p>")
    fixed = spec.get("fixed", {})
    if fixed:
        rows = [[f"<code>{_e(p)}</code>", _e(v), _e(_meaning(p))] for p, v in fixed.items()]
        parts += ["<h3>Held fixed</h3>", table_html(["parameter", "value", "meaning"], rows)]
    return "\n".join(parts)


def _cast_html(res: plots.Results) -> str:
    from negsim.cast import canonical_path, load_cast

    where = res.manifest.get("cast", {}).get("path")
    if not where:
        return ""
    fixed = {canonical_path(p): v for p, v in res.spec.get("fixed", {}).items()}
    try:
        cast = load_cast(where, fixed)
    except (InputError, OSError) as exc:
        return (
            f"<h2 id='cast'>Cast</h2><p class='note'>{_e(where)} could not be read: {_e(exc)}</p>"
        )
    dump = json.dumps(cast.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    changed = hashlib.sha256(dump.encode()).hexdigest() != res.manifest["cast"].get("sha256")
    parts = [
        f"<h2 id='cast'>Cast: {_e(cast.cast.name)}</h2>",
        f"<p><code>{_e(where)}</code>{' - ' + _e(cast.cast.description) if cast.cast.description else ''}</p>",
    ]
    if changed:
        parts.append(
            "<p class='note'>The cast file has changed since the sweep ran; "
            "this summary shows it as it is now.</p>"
        )
    rows = []
    for sid, state in cast.states.items():
        leader = cast.leaders[sid]
        publics = cast.constituencies.get(sid, {})
        role = cast.role(sid)
        dot = f"<span class='dot' style='background:{ROLE_COLORS[role]}'></span>"
        rows.append(
            [
                f"<b>{_e(sid)}</b> {_e(state.name)}",
                dot + _e(role),
                _e(state.regime.value),
                state.military,
                state.economy,
                _e(leader.name),
                leader.risk_preference,
                leader.resolve,
                leader.face_sensitivity,
                _e(f"{len(publics)} ({sum(c.count for c in publics.values())} agents)"),
            ]
        )
    header = [
        "state",
        "role",
        "regime",
        "military",
        "GDP (trillion USD)",
        "leader",
        "risk preference",
        "resolve",
        "face sensitivity",
        "constituencies",
    ]
    parts.append(table_html(header, rows, numeric={3, 4, 6, 7, 8}))
    return "\n".join(parts)


def _sections_html(found: list[Section]) -> list[str]:
    body = []
    for section in found:
        body.append(f"<h2 id='{_key(section.title.lower())}'>{_e(section.title)}</h2>")
        body.append(f"<p>{_e(section.intro)}</p>")
        if section.note:
            body.append(f"<p class='note'>{_e(section.note)}</p>")
        cells = []
        for key, fig in section.figures.items():
            wide = "" if section.half_width else " wide"
            div = pio.to_html(
                fig, full_html=False, include_plotlyjs=False, div_id=key, config=_CONFIG
            )
            cells.append(f"<div class='figure{wide}'>{div}</div>")
        body.append(f"<div class='grid'>{''.join(cells)}</div>")
    return body


def render_page(title: str, head: list[str], found: list[Section]) -> str:
    """A whole page: a title, HTML parts, then the sections' figures; plotly.js inlined once."""
    body = [f"<h1>{_e(title)}</h1>", *head, *_sections_html(found)]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{_CSS}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def render_html(res: plots.Results, found: list[Section]) -> str:
    """The report of a results folder as one page."""
    name = res.manifest.get("name") or (res.root.name if res.root else "results")
    toc = " · ".join(f"<a href='#{_key(s.title.lower())}'>{_e(s.title)}</a>" for s in found)
    head = [
        f"<p class='muted'>{_e(res.root or '')} · <a href='#spec'>Experiment</a> · "
        f"<a href='#cast'>Cast</a> · {toc}</p>",
        _spec_html(res),
        _cast_html(res),
    ]
    return render_page(f"negsim report: {name}", head, found)


def write_page(text: str, path: str | Path) -> Path:
    """Write a page atomically (a reader never sees half of it)."""
    return write_text(path, text, "--output")


def write_comparison(found: compare.Comparison, path: str | Path) -> Path:
    """The page of `negsim compare`: the two sides, the table, the figure."""
    rows = []
    for _, r in found.table.iterrows():
        share = not pd.isna(r["outcome"])

        def fmt(v: float, share: bool = share) -> str:
            return f"{100 * v:.1f}%" if share else f"{v:.2f}"

        interval = (
            f" [{fmt(r['a_lo'])}, {fmt(r['a_hi'])}]" if share else "",
            f" [{fmt(r['b_lo'])}, {fmt(r['b_hi'])}]" if share else "",
        )
        scale = 100 if share else 1
        unit = " pp" if share else ""
        rows.append(
            [
                _e(r["measure"]),
                _e(fmt(r["a"]) + interval[0]),
                _e(fmt(r["b"]) + interval[1]),
                _e(
                    f"{scale * r['difference']:+.1f}{unit} [{scale * r['difference_lo']:+.1f}, "
                    f"{scale * r['difference_hi']:+.1f}]"
                ),
                _e(r["verdict"]),
            ]
        )
    head = [
        f"<p><b>A</b>: {_e(found.a)} ({found.n_a} runs, {found.points_a} parameter points)<br>"
        f"<b>B</b>: {_e(found.b)} ({found.n_b} runs, {found.points_b} parameter points)</p>",
        table_html(["measure", "A [95% CI]", "B [95% CI]", "B - A [95% CI]", "answer"], rows),
        "<p class='muted'>Shares with Wilson 95% intervals; differences of shares with "
        "Newcombe's hybrid score 95% interval (as the hypothesis experiments); the mean end "
        "tick with a normal (Welch) interval. Runs of a side with several parameter points are "
        "pooled.</p>",
    ]
    figures = Section("Outcome shares", "Left: each side's share; right: the difference B - A.")
    figures.figures["comparison"] = compare.comparison_figure(found)
    return write_page(render_page(f"negsim compare: {found.b} vs {found.a}", head, [figures]), path)


def write_discovery(found: discovery.Discovery, path: str | Path) -> Path:
    """The page of `negsim discover`: the PRIM box and trajectory, the feature scores."""
    head = [f"<pre>{_e(discovery.format_discovery(found))}</pre>"]
    section = Section("Scenario discovery", _DISCOVERY_INTRO)
    section.figures["prim"] = discovery.prim_figure(found)
    scores = found.scores.to_frame(found.condition)
    section.figures["feature-scores"] = discovery.feature_score_figure(scores)
    return write_page(render_page(f"negsim discover: {found.condition}", head, [section]), path)


# --- PNG export --------------------------------------------------------------------------------


def find_chromium() -> str | None:
    """A Chromium or Chrome for kaleido: $BROWSER_PATH, else the first one on the PATH."""
    given = os.environ.get("BROWSER_PATH")
    if given and Path(given).is_file():
        return given
    return next((found for b in _BROWSERS if (found := shutil.which(b))), None)


def export_pngs(figures: dict[str, go.Figure], folder: Path) -> list[Path]:
    """Write every figure as ``folder/<key>.png`` in one kaleido call (one browser start).

    Raises:
        RuntimeError: kaleido or a Chromium is missing; the message says which.
    """
    try:
        import kaleido  # noqa: F401
    except ImportError:
        raise RuntimeError(
            "PNGs not written: kaleido is not installed (pip install 'negsim[png]')"
        ) from None
    browser = find_chromium()
    if browser is None:
        raise RuntimeError(
            "PNGs not written: no Chromium or Chrome found for kaleido "
            "(install Debian's chromium, or set BROWSER_PATH to a Chrome executable)"
        )
    os.environ["BROWSER_PATH"] = browser
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RuntimeError(f"PNGs not written: cannot create {folder}: {reason(exc)}") from None
    paths = [folder / f"{i:02d}-{key}.png" for i, key in enumerate(figures, 1)]
    try:
        figs = list(figures.values())
        heights = [fig.layout.height or 500 for fig in figs]  # kaleido ignores layout.height
        pio.write_images(figs, paths, width=1000, height=heights, scale=2)
    except Exception as exc:  # kaleido reports a browser that fails to start in several ways
        raise RuntimeError(f"PNGs not written: kaleido failed with {browser}: {exc}") from exc
    return paths


def write_report(
    source: str | Path | plots.Results, output: str | Path | None = None, png: bool = False
) -> Report:
    """Write ``report.html`` (and with ``png`` every figure as PNG) into the results folder.

    Args:
        source: a results folder, or loaded `plots.Results` with a ``root``.
        output: where to write the page (default ``<results folder>/report.html``).
        png: also write ``<results folder>/report_png/*.png``.

    Raises:
        InputError: the folder is missing or is not a results folder.
        OutputError: the page cannot be written (no such folder, read-only, disk full).
    """
    started = time.perf_counter()
    res = plots.load(source)
    root = res.root or Path(".")
    found = sections(res)
    path = Path(output) if output else root / "report.html"
    if output and path.is_dir():
        path = path / "report.html"
    try:
        write_text(path, render_html(res, found), "--output" if output else "")
    except OutputError as exc:
        hint = "" if output else "; write it elsewhere with -o FILE"
        raise OutputError(f"{exc.problems[0]}{hint}") from None
    figures = {k: f for s in found for k, f in s.figures.items()}
    report = Report(path, len(figures), 0.0)
    if png:
        try:
            report.pngs = export_pngs(figures, root / PNG_FOLDER)
        except RuntimeError as exc:
            report.png_problem = str(exc)
    report.seconds = time.perf_counter() - started
    return report
