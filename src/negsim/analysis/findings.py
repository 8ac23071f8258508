"""Findings: run the hypothesis experiments and write what the model answers (docs/FINDINGS.md).

Each `experiments/hNN_*.toml` spec carries a `[hypothesis]` table (see
`negsim.experiment.hypothesis`). For each, three sweeps run (resuming what is done): the spec
on its cast, the same on the robustness cast, and the same with a noisier decision rule. Each
effect is a difference (of shares or of means) between the runs at its ``high`` and ``low``
conditions, with a 95% interval: Newcombe's hybrid score interval for shares, a normal (Welch)
interval for means. Nothing here knows which way an answer should come out.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.analysis.colors import OUTCOME_COLORS
from negsim.analysis.stats import Estimate, difference_of_means, difference_of_shares
from negsim.cast import read_toml
from negsim.errors import InputError, OutputError
from negsim.experiment.hypothesis import Effect, Hypothesis, variant_documents
from negsim.experiment.spec import ExperimentSpec, parse_spec
from negsim.files import reason, write_text
from negsim.outcomes import Outcome

VARIANTS = ("main", "second cast", "hot")
OUTCOMES = {o.value for o in Outcome}


def _select(runs: pd.DataFrame, conditions: dict[str, Any]) -> pd.DataFrame:
    mask = np.ones(len(runs), dtype=bool)
    for path, value in conditions.items():
        column = runs[path]
        if isinstance(value, bool) or not isinstance(value, int | float):
            mask &= (column == value).to_numpy()
        else:
            mask &= np.isclose(column.astype(float).to_numpy(), float(value))
    return runs[mask]


def estimate(runs: pd.DataFrame, effect: Effect, rename: dict[str, str] | None = None) -> Estimate:
    """The effect measured on a runs table (failed runs left out)."""
    rename = rename or {}
    if "status" in runs:
        runs = runs[runs["status"] == "ok"]
    high = _select(runs, {rename.get(k, k): v for k, v in effect.high.items()})
    low = _select(runs, {rename.get(k, k): v for k, v in effect.low.items()})
    kind, column = effect.metric.split(":")
    if kind == "share":
        hit = (
            (lambda d: d["outcome"] == column)
            if column in OUTCOMES
            else (lambda d: d[column].astype(bool))
        )
        return difference_of_shares(int(hit(high).sum()), len(high), int(hit(low).sum()), len(low))
    return difference_of_means(
        high[column].astype(float).to_numpy(), low[column].astype(float).to_numpy()
    )


def variant_specs(path: str | Path) -> tuple[Hypothesis, dict[str, ExperimentSpec]]:
    """The hypothesis of a spec file and its three sweeps: main, second cast, hot."""
    path = Path(path)
    doc = read_toml(path)
    main = parse_spec(doc, str(path), base_dir=path.resolve().parent)
    if main.hypothesis is None:
        raise InputError(f"{path}: expected a [hypothesis] table")
    folder = path.resolve().parent
    variants = variant_documents(doc, main.hypothesis)
    return main.hypothesis, {
        "main": main,
        **{
            label: parse_spec(variant, f"{path} ({label})", base_dir=folder)
            for label, variant in variants.items()
        },
    }


def _fmt(e: Estimate, share: bool) -> str:
    if math.isnan(e.value):
        return "n/a (no runs on one side)"
    if share:
        return f"{e.value * 100:+.1f} pp [{e.lo * 100:+.1f}, {e.hi * 100:+.1f}]"
    return f"{e.value:+.3f} [{e.lo:+.3f}, {e.hi:+.3f}]"


def _metric_name(metric: str) -> str:
    kind, column = metric.split(":")
    column = column.replace("_", " ").removeprefix("n ")
    return f"share of {column}" if kind == "share" else f"mean {column}"


def _agreement(e: Estimate, expects: str) -> str:
    if e.verdict == "no clear effect":
        return "inconclusive"
    return "agrees with the source" if e.verdict == expects else "against the source"


def section(
    hyp: Hypothesis,
    spec: ExperimentSpec,
    estimates: dict[str, list[Estimate]],
    figure: str | None,
) -> str:
    """The Markdown section of one hypothesis."""
    varied = "; ".join(f"`{p}` in {v}" for p, v in spec.vary.items())
    lines = [
        f"## {hyp.id}: {hyp.title}",
        "",
        f"**Question.** {hyp.question}  ",
        f"**Source.** {hyp.source}  ",
        f"**Varied.** {varied}; {spec.experiment.replications} seeded runs per point on "
        f"`{Path(spec.experiment.cast).name}`; robustness sweeps with "
        f"{hyp.robustness.replications} runs per point.",
        "",
        "| effect (high - low) | metric | main cast: effect [95% CI] | runs (high / low) | answer | second cast | higher temperature |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for i, effect in enumerate(hyp.effects):
        share = effect.metric.startswith("share:")
        main = estimates["main"][i]
        metric = _metric_name(effect.metric)
        robust = [estimates[v][i] for v in ("second cast", "hot")]
        lines.append(
            f"| {effect.label} | {metric} | {_fmt(main, share)} | {main.n_high} / {main.n_low} | "
            f"{main.verdict}: {_agreement(main, effect.source_expects)} | "
            + " | ".join(f"{_fmt(r, share)} ({r.verdict})" for r in robust)
            + " |"
        )
    lines.append("")
    held = [
        all(estimates[v][i].verdict == estimates["main"][i].verdict for v in ("second cast", "hot"))
        for i in range(len(hyp.effects))
    ]
    lines.append(
        "**Robustness.** "
        + (
            "Every effect keeps its direction (or its absence) on the second cast and under a "
            "higher decision temperature."
            if all(held)
            else "Not every effect holds: "
            + "; ".join(
                f"'{e.label}' ({_metric_name(e.metric)}) is {estimates['second cast'][i].verdict} "
                "on the second cast and "
                f"{estimates['hot'][i].verdict} at a higher temperature"
                for i, e in enumerate(hyp.effects)
                if not held[i]
            )
            + "."
        )
    )
    if figure:
        lines += ["", f"![{hyp.id}]({figure})"]
    if hyp.mechanism:
        lines += ["", f"**Mechanism.** {hyp.mechanism.strip()}"]
    return "\n".join(lines) + "\n"


def effect_figure(hyp: Hypothesis, estimates: dict[str, list[Estimate]]) -> Any:
    """Each effect's metric at its low and high condition, per sweep, with 95% intervals."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1, cols=len(hyp.effects), subplot_titles=[e.label for e in hyp.effects]
    )
    for col, effect in enumerate(hyp.effects, start=1):
        kind, column = effect.metric.split(":")
        color = OUTCOME_COLORS.get(column, "#0072B2")
        for side, opacity in (("low", 0.45), ("high", 1.0)):
            values = [getattr(estimates[v][col - 1], side) for v in VARIANTS]
            fig.add_trace(
                go.Bar(
                    x=list(VARIANTS),
                    y=values,
                    name=side,
                    marker_color=color,
                    opacity=opacity,
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
        title = _metric_name(effect.metric) + (" (share of runs)" if kind == "share" else "")
        fig.update_yaxes(title_text=title, title_standoff=4, row=1, col=col)
        fig.update_xaxes(title_text="sweep", row=1, col=col)
    fig.update_layout(
        barmode="group",
        title=f"{hyp.id}: {hyp.title} (low vs high condition)",
        height=380,
        width=max(520, 460 * len(hyp.effects)),
        template="plotly_white",
    )
    return fig


def write_findings(
    specs: list[Path],
    results: Path = Path("results"),
    out: Path = Path("docs/FINDINGS.md"),
    workers: int | None = None,
    progress: bool = True,
) -> Path:
    """Run (or resume) every hypothesis experiment and write the findings report."""
    from negsim.experiment.runner import run_experiment
    from negsim.experiment.store import load_results

    figures_dir = out.parent / "findings"
    try:
        figures_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{figures_dir}: cannot create: {reason(exc)}") from None
    sections, figures = [], []
    for path in specs:
        hyp, variants = variant_specs(path)
        estimates: dict[str, list[Estimate]] = {}
        for label, spec in variants.items():
            sweep = run_experiment(spec, results=results, workers=workers, progress=progress)
            if progress and not sweep.ran:  # a finished sweep shows no bar: one line instead
                print(f"{spec.name}: {sweep.done} runs already recorded")
            runs, _ = load_results(results / spec.name)
            rename = hyp.robustness.rename if label == "second cast" else None
            estimates[label] = [estimate(runs, e, rename) for e in hyp.effects]
        figures.append((figures_dir / f"{path.stem}", effect_figure(hyp, estimates)))
        sections.append((hyp, variants["main"], estimates, path.stem))
    written = _export(figures)
    body = [
        "# Findings: what negsim answers to the sources' hypotheses",
        "",
        "Written by `negsim findings` from the experiments `experiments/h*.toml`; rerun it to "
        "regenerate (finished sweeps are reused). Each effect is the difference, high minus "
        "low condition, of the named metric: percentage points (pp) for shares, with Newcombe "
        "95% intervals; the metric's own units for means, with normal 95% intervals. An answer "
        "is *higher* or *lower* when the interval excludes zero; the model is not tuned to "
        "agree with the sources, and where it disagrees the mechanism paragraph says why.",
        "",
    ]
    for hyp, spec, estimates, stem in sections:
        figure = written.get(stem)
        rel = figure.relative_to(out.parent).as_posix() if figure else None
        body.append(section(hyp, spec, estimates, rel))
    write_text(out, "\n".join(body))
    return out


def _export(figures: list[tuple[Path, Any]]) -> dict[str, Path]:
    """PNGs in one kaleido call where a Chromium is present; else HTML sharing one plotly.js."""
    import plotly.io as pio

    try:
        paths = [p.with_suffix(".png") for p, _ in figures]
        figs = [f for _, f in figures]
        pio.write_images(
            figs,
            paths,
            width=[f.layout.width for f in figs],
            height=[f.layout.height for f in figs],
        )
    except Exception as exc:  # kaleido missing or no browser: say so, fall back to HTML
        print(f"note: PNG export unavailable ({type(exc).__name__}); writing HTML figures")
        paths = [p.with_suffix(".html") for p, _ in figures]
        for (_, fig), target in zip(figures, paths, strict=True):
            fig.write_html(target, include_plotlyjs="directory")
    return {p.stem: p for p in paths}


def cmd_findings(args: argparse.Namespace) -> int:
    """Run the hypothesis experiments (resuming) and write docs/FINDINGS.md."""
    specs = sorted(Path(args.experiments).glob("h[0-9][0-9]_*.toml"))
    if not specs:
        raise InputError(f"{args.experiments}: no hypothesis specs (hNN_*.toml)")
    out = write_findings(specs, Path(args.results), Path(args.out), args.workers)
    print(f"findings written to {out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `findings` subcommand."""
    parser = subparsers.add_parser(
        "findings", help="run the hypothesis experiments H1-H10 and write docs/FINDINGS.md"
    )
    parser.add_argument("--experiments", default="experiments", help="folder of hNN_*.toml specs")
    parser.add_argument("--results", default="results", help="results folder (default results/)")
    parser.add_argument("--out", default="docs/FINDINGS.md", help="the report to write")
    parser.add_argument(
        "--workers", type=int, default=None, help="local processes (default: all cores)"
    )
    parser.set_defaults(handler=cmd_findings)
