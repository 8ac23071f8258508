"""Findings: run the hypothesis experiments and write what the model answers (docs/FINDINGS.md).

Each `experiments/hNN_*.toml` spec carries a `[hypothesis]` table (see
`negsim.experiment.hypothesis`). For each, three sweeps run (resuming what is done): the spec
on its cast, the same on the robustness cast, and the same with a noisier decision rule; each
of them once under every posterior draw the calibrated parameter set carries
(`negsim.cast.calibrated_draws`), with the spec's runs per point shared among the draws.

Each effect is a difference (of shares or of means) between the runs at its ``high`` and
``low`` conditions: under each draw with a 95% interval (Newcombe's hybrid score interval for
shares, a normal (Welch) interval for means), then combined across the draws by Rubin's rules
(`negsim.analysis.stats.pool_draws`), so the interval holds the parametric uncertainty of the
calibration as well as the seeds'. The main effects of all hypotheses are one family: their
p-values are adjusted by Holm's method, and an answer is *higher* or *lower* only when its
adjusted p-value is below 0.05. Nothing here knows which way an answer should come out.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.analysis.colors import OUTCOME_COLORS
from negsim.analysis.stats import (
    Estimate,
    Pooled,
    difference_of_means,
    difference_of_shares,
    holm,
    pool_draws,
)
from negsim.cast import calibrated_draws, canonical_path, read_toml
from negsim.errors import InputError, OutputError
from negsim.experiment.hypothesis import Effect, Hypothesis, variant_documents
from negsim.experiment.spec import ExperimentSpec, parse_spec
from negsim.files import reason, write_text
from negsim.outcomes import Outcome

VARIANTS = ("main", "second cast", "hot")
ALPHA = 0.05  # family-wise error rate of the main effects (Holm)
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


def draw_specs(
    spec: ExperimentSpec, draws: list[dict[str, Any]], base_dir: Path
) -> list[ExperimentSpec]:
    """One sweep of ``spec`` under each posterior draw: the draw's values held fixed (a value
    the spec itself fixes or varies stands), the spec's runs per point shared among the draws.
    With no draw, the spec itself."""
    if not draws:
        return [spec]
    doc = spec.canonical()
    own = {canonical_path(p) for p in (*spec.fixed, *spec.vary)}
    replications = math.ceil(spec.experiment.replications / len(draws))
    found = []
    for d, draw in enumerate(draws):
        variant = {**doc, "experiment": dict(doc["experiment"]), "fixed": dict(doc["fixed"])}
        variant["experiment"]["name"] = f"{spec.name}_draw{d:02d}"
        variant["experiment"]["replications"] = replications
        variant["experiment"]["cast"] = str(spec.cast_path)
        variant["fixed"].update({k: v for k, v in draw.items() if k not in own})
        variant = {k: v for k, v in variant.items() if v is not None}
        found.append(parse_spec(variant, f"{spec.source} (posterior draw {d})", base_dir))
    return found


def _fmt(e: Estimate | Pooled, share: bool) -> str:
    if math.isnan(e.value):
        return "n/a (no runs on one side)"
    if share:
        return f"{e.value * 100:+.1f} pp [{e.lo * 100:+.1f}, {e.hi * 100:+.1f}]"
    return f"{e.value:+.3f} [{e.lo:+.3f}, {e.hi:+.3f}]"


def _metric_name(metric: str) -> str:
    kind, column = metric.split(":")
    column = column.replace("_", " ").removeprefix("n ")
    return f"share of {column}" if kind == "share" else f"mean {column}"


def interval_verdict(e: Estimate | Pooled) -> str:
    """'higher', 'lower' or 'no clear effect' (the 95% interval includes 0, or no runs)."""
    if math.isnan(e.lo) or e.lo <= 0.0 <= e.hi:
        return "no clear effect"
    return "higher" if e.value > 0 else "lower"


def holm_verdict(e: Pooled, adjusted_p: float) -> str:
    """'higher' or 'lower' when the Holm-adjusted p-value is below `ALPHA`, else no effect."""
    if math.isnan(adjusted_p) or adjusted_p >= ALPHA:
        return "no clear effect"
    return "higher" if e.value > 0 else "lower"


def _agreement(verdict: str, expects: str) -> str:
    if verdict == "no clear effect":
        return "inconclusive"
    return "agrees with the source" if verdict == expects else "against the source"


def section(
    hyp: Hypothesis,
    spec: ExperimentSpec,
    pooled: dict[str, list[Pooled]],
    adjusted: list[float],
    figure: str | None,
    draws: int,
) -> str:
    """The Markdown section of one hypothesis."""
    varied = "; ".join(f"`{p}` in {v}" for p, v in spec.vary.items())
    under = (
        f"split over {draws} posterior draws of the calibrated parameters"
        if draws > 1
        else "at the model's defaults"
    )
    lines = [
        f"## {hyp.id}: {hyp.title}",
        "",
        f"**Question.** {hyp.question}  ",
        f"**Source.** {hyp.source}  ",
        f"**Varied.** {varied}; {spec.experiment.replications} seeded runs per point on "
        f"`{Path(spec.experiment.cast).name}`, {under}; robustness sweeps with "
        f"{hyp.robustness.replications} runs per point.",
        "",
        "| effect (high - low) | metric | main cast: effect [95% CI] | runs (high / low) "
        "| variance between draws | Holm p | answer | version 1 | second cast | higher "
        "temperature |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    verdicts = []
    for i, effect in enumerate(hyp.effects):
        share = effect.metric.startswith("share:")
        main = pooled["main"][i]
        verdict = holm_verdict(main, adjusted[i])
        verdicts.append(verdict)
        robust = [pooled[v][i] for v in ("second cast", "hot")]
        single = draws <= 1 or math.isnan(main.between)
        between = "-" if single else f"{100 * main.between:.0f}%"
        shown_p = "-" if math.isnan(adjusted[i]) else f"{adjusted[i]:.3g}"
        lines.append(
            f"| {effect.label} | {_metric_name(effect.metric)} | {_fmt(main, share)} | "
            f"{main.n_high} / {main.n_low} | {between} | {shown_p} | "
            f"{verdict}: {_agreement(verdict, effect.source_expects)} | "
            f"{effect.version_1 or '-'} | "
            + " | ".join(f"{_fmt(r, share)} ({interval_verdict(r)})" for r in robust)
            + " |"
        )
    lines.append("")
    held = [
        all(interval_verdict(pooled[v][i]) == verdicts[i] for v in ("second cast", "hot"))
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
                f"'{e.label}' ({_metric_name(e.metric)}) is "
                f"{interval_verdict(pooled['second cast'][i])} on the second cast and "
                f"{interval_verdict(pooled['hot'][i])} at a higher temperature"
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


def effect_figure(hyp: Hypothesis, estimates: dict[str, list[Pooled]]) -> Any:
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
    draws: list[dict[str, Any]] | None = None,
) -> Path:
    """Run (or resume) every hypothesis experiment under each posterior draw and write the
    findings report. ``draws`` defaults to those of the calibrated parameter set."""
    from negsim.experiment.runner import run_experiment
    from negsim.experiment.store import load_results

    draws = calibrated_draws() if draws is None else draws
    figures_dir = out.parent / "findings"
    try:
        figures_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{figures_dir}: cannot create: {reason(exc)}") from None
    sections, figures = [], []
    for path in specs:
        hyp, variants = variant_specs(path)
        pooled: dict[str, list[Pooled]] = {}
        for label, spec in variants.items():
            per_draw: list[list[Estimate]] = []
            for sweep_spec in draw_specs(spec, draws, path.resolve().parent):
                sweep = run_experiment(
                    sweep_spec, results=results, workers=workers, progress=progress
                )
                if progress and not sweep.ran:  # a finished sweep shows no bar: one line
                    print(f"{sweep_spec.name}: {sweep.done} runs already recorded")
                runs, _ = load_results(results / sweep_spec.name)
                rename = hyp.robustness.rename if label == "second cast" else None
                per_draw.append([estimate(runs, e, rename) for e in hyp.effects])
            pooled[label] = [pool_draws(list(column)) for column in zip(*per_draw, strict=True)]
        figures.append((figures_dir / f"{path.stem}", effect_figure(hyp, pooled)))
        sections.append((hyp, variants["main"], pooled, path.stem))
    adjusted = iter(holm([e.p for _, _, pooled, _ in sections for e in pooled["main"]]))
    written = _export(figures)
    body = [
        "# Findings: what negsim answers to the sources' hypotheses",
        "",
        "Written by `negsim findings` from the experiments `experiments/h*.toml`; rerun it to "
        "regenerate (finished sweeps are reused). Each effect is the difference, high minus "
        "low condition, of the named metric: percentage points (pp) for shares, the metric's "
        "own units for means. "
        + (
            f"Every sweep runs under each of the {len(draws)} posterior draws the calibrated "
            "parameter set carries (`src/negsim/calibrated.toml`, docs/VALIDATION.md), the "
            "spec's runs per point shared among them; "
            if len(draws) > 1
            else "There is no calibrated posterior, so the sweeps run at the defaults; "
        )
        + "within a draw an effect has a Newcombe (shares) or normal (means) 95% interval, "
        "and the draws are combined by Rubin's rules, so the interval holds the calibration's "
        "parametric uncertainty as well as the seeds' ('variance between draws' is the share "
        "of the parametric part). The main effects of all ten hypotheses form one family: "
        "an answer is *higher* or *lower* only when its Holm-adjusted p-value is below "
        f"{ALPHA}. Robustness checks (the second cast, a three times higher decision "
        "temperature) are read from their 95% intervals. The model is not tuned to agree with "
        "the sources; where it disagrees the mechanism paragraph says why, and the 'version "
        "1' column gives the earlier model's answer on the main cast.",
        "",
    ]
    for hyp, spec, pooled, stem in sections:
        figure = written.get(stem)
        rel = figure.relative_to(out.parent).as_posix() if figure else None
        hyp_adjusted = [next(adjusted) for _ in hyp.effects]
        body.append(section(hyp, spec, pooled, hyp_adjusted, rel, max(1, len(draws))))
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
