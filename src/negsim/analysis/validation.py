"""The tables of docs/VALIDATION.md: the record beside version 1, the calibration's posterior
predictive check and a fresh ensemble at the calibrated defaults.

`negsim validation` (re)writes the part of docs/VALIDATION.md between its ``results`` markers
from two results folders: the calibration's (``results/calibration``: posterior, diagnostics,
predictive check) and an ensemble sweep at the adopted defaults (``results/validation``, from
``experiments/validation.toml``), and from a third when it is there: the same crises with a
calibrated set held fixed that is not adopted (``results/validation_calibrated``, from
``experiments/validation_calibrated.toml``). The prose around them is written by hand.
"""

from __future__ import annotations

import argparse
import json
import math
import tomllib
from pathlib import Path

import pandas as pd

from negsim.analysis.patterns import PATTERNS, format_value, pattern_table
from negsim.errors import InputError
from negsim.files import write_text

BEGIN, END = "<!-- results:begin -->\n", "<!-- results:end -->"

# Version 1's values, as measured on it: the ICB shares and the duration on 400 random dyads
# (per actor, through the mirror mapping), the threat, sanctions and nuclear figures on the
# Ukraine 2022 cast (1,000 runs). Patterns it was not measured on are left out.
VERSION_1 = {
    "decisive": (0.14, "random dyads"),
    "compromise": (0.71, "random dyads"),
    "stalemate": (0.15, "random dyads"),
    "agreement": (0.71, "random dyads"),
    "median_days": (98.0, "random dyads"),
    "nuclear_use": (0.06, "Ukraine 2022"),
    "threat_success": (0.001, "Ukraine 2022, the coalition's threats"),
    "sanction_success": (0.0, "Ukraine 2022"),
}


def _interval(value: float, lo: float, hi: float, kind: str) -> str:
    if math.isnan(value):
        return "-"
    if kind == "days":
        return f"{value:.0f} [{lo:.0f}, {hi:.0f}] days"
    return f"{100 * value:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]"


def _candidate_text(manifest: dict, calibrated: dict) -> str:
    """What the candidate column is: its sweep, and whether the values it held fixed are this
    calibration's posterior medians."""
    fixed = {
        k.removeprefix("parameters."): v
        for k, v in manifest.get("spec", {}).get("fixed", {}).items()
    }
    medians = {
        k.removeprefix("parameters."): q[1]
        for k, q in calibrated.get("calibration", {}).get("posterior", {}).items()
    }
    same = medians and all(
        isinstance(fixed.get(k), int | float) and math.isclose(fixed[k], v, rel_tol=1e-5)
        for k, v in medians.items()
    )
    whose = (
        "this calibration's posterior medians held fixed"
        if same
        else "the parameters its spec holds fixed, which are NOT this calibration's medians"
    )
    return f" Candidate: `{manifest['name']}`, with {whose} (not adopted)."


def results_block(calibration: Path, ensemble: Path, candidate: Path | None = None) -> str:
    """The Markdown of the results: budget, posterior, and the pattern table (with a column
    for the ``candidate`` ensemble, a calibrated set tried without adopting it, if given)."""
    from negsim.calibration.report import predictive_summary
    from negsim.experiment.store import load_results

    for path in (calibration / "calibration.json", calibration / "predictive.csv"):
        if not path.is_file():
            raise InputError(f"{path}: missing; run `negsim calibrate` first")
    state = json.loads((calibration / "calibration.json").read_text(encoding="utf-8"))
    diagnostics = pd.read_csv(calibration / "diagnostics.csv")
    calibrated = tomllib.loads((calibration / "calibrated.toml").read_text(encoding="utf-8"))
    predictive = predictive_summary(pd.read_csv(calibration / "predictive.csv")).set_index(
        "pattern"
    )
    from negsim.cast import calibrated_file

    runs, manifest = load_results(ensemble)
    fresh = pattern_table(runs).set_index("pattern")
    n_ensemble = int((runs["status"] == "ok").sum())
    tried = None
    if candidate is not None:
        candidate_runs, candidate_manifest = load_results(candidate)
        tried = pattern_table(candidate_runs).set_index("pattern")
        n_tried = int((candidate_runs["status"] == "ok").sum())
    adopted = calibrated_file().get("calibration", {}).get("version")
    defaults = (
        f"the adopted calibrated defaults (version {adopted})"
        if adopted
        else "the schema's defaults (no calibrated set adopted)"
    )
    spec_of = manifest.get("spec", {})
    what = (
        "fresh generated crises"
        if spec_of.get("generate") is not None
        else f"runs of `{spec_of.get('experiment', {}).get('cast', '?')}` (not generated crises)"
    )
    spec = state["spec"]
    lines = [
        f"Calibration: `{state['command']}` (master seed {spec['experiment']['seed']}): "
        f"{state['generations']} generations of {spec['calibration']['population']} particles, "
        f"{state['simulations']:,} simulations of {spec['experiment']['replications']} "
        f"generated crises each, {state['runs']:,} runs with the predictive check, "
        f"{state['wall_seconds'] / 60:.0f} minutes on 2 cores. The acceptance threshold fell "
        f"from {diagnostics['epsilon'].iloc[1]:.2f} (generation 1) to "
        f"{diagnostics['epsilon'].iloc[-1]:.2f}; the last generation accepted "
        f"{diagnostics['acceptance'].iloc[-1]:.0%} of its proposals (effective sample size "
        f"{diagnostics['ess'].iloc[-1]:.0f}). Ensemble: `{manifest['name']}`, "
        f"{n_ensemble:,} {what} at {defaults}."
        + (_candidate_text(candidate_manifest, calibrated) if tried is not None else ""),
        "",
        "| parameter | prior | posterior median | 90% interval |",
        "| --- | --- | --- | --- |",
    ]
    priors = spec["calibration"]["priors"]
    for path, quantiles in calibrated["calibration"]["posterior"].items():
        prior = priors.get(path) or priors.get(f"parameters.{path}")
        scale = " (log)" if prior.get("scale") == "log" else ""
        lines.append(
            f"| `{path}` | {prior['low']:g} .. {prior['high']:g}{scale} | {quantiles[1]:.4g} | "
            f"{quantiles[0]:.4g} .. {quantiles[2]:.4g} |"
        )
    tried_head = "" if tried is None else f" calibrated set: {n_tried:,} crises [95% CI] |"
    lines += [
        "",
        "| pattern | role | record | version 1 | calibrated: posterior predictive [95%] |"
        f"{tried_head} shipped defaults: {n_ensemble:,} crises [95% CI] | source |",
        "| --- " * (7 if tried is None else 8) + "|",
    ]
    for p in PATTERNS:
        v1, where = VERSION_1.get(p.key, (math.nan, ""))
        v1_text = "-" if math.isnan(v1) else f"{format_value(v1, p.kind)} ({where})"
        pred = predictive.loc[p.key]
        row = fresh.loc[p.key]
        tried_cell = ""
        if tried is not None:
            t = tried.loc[p.key]
            tried_cell = f"{_interval(t['model'], t['low'], t['high'], p.kind)} | "
        lines.append(
            f"| {p.label} | {p.role} | {format_value(p.record, p.kind)} | {v1_text} | "
            f"{_interval(pred['median'], pred['low'], pred['high'], p.kind)} | {tried_cell}"
            f"{_interval(row['model'], row['low'], row['high'], p.kind)} | {p.source} |"
        )
    return "\n".join(lines) + "\n"


CANDIDATE = Path("results/validation_calibrated")


def write_validation(
    calibration: Path = Path("results/calibration"),
    ensemble: Path = Path("results/validation"),
    doc: Path = Path("docs/VALIDATION.md"),
    candidate: Path | None = None,
) -> Path:
    """Replace the results block of docs/VALIDATION.md (between its markers)."""
    if not doc.is_file():
        raise InputError(f"--doc {doc}: no such file (the page whose results block to fill)")
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise InputError(f"{doc}: no '{BEGIN.strip()}' ... '{END}' block to fill")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return write_text(
        doc, head + BEGIN + results_block(calibration, ensemble, candidate) + END + tail
    )


def cmd_validation(args: argparse.Namespace) -> int:
    """Write the results tables of docs/VALIDATION.md."""
    candidate = Path(args.candidate) if args.candidate else None
    if candidate is None and CANDIDATE.is_dir():
        candidate = CANDIDATE
    out = write_validation(Path(args.calibration), Path(args.ensemble), Path(args.doc), candidate)
    print(f"validation tables written to {out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `validation` to the `negsim` command."""
    parser = subparsers.add_parser(
        "validation",
        help="write docs/VALIDATION.md's tables from a calibration and an ensemble sweep",
    )
    parser.add_argument(
        "--calibration",
        default="results/calibration",
        help="the calibration's results folder (default: results/calibration)",
    )
    parser.add_argument(
        "--ensemble",
        default="results/validation",
        help="an ensemble sweep at the shipped defaults (default: results/validation)",
    )
    parser.add_argument(
        "--doc",
        default="docs/VALIDATION.md",
        help="the page whose results block is rewritten (default: docs/VALIDATION.md)",
    )
    parser.add_argument(
        "--candidate",
        help="an ensemble at a calibrated set not adopted, reported beside the defaults "
        f"(default: {CANDIDATE} if it is there)",
    )
    parser.set_defaults(handler=cmd_validation)
