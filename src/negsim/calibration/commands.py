"""`negsim calibrate SPEC`: infer the model's global parameters from the record.

Runs (or resumes) the ABC-SMC generations, then writes the posterior, the diagnostics, a
posterior predictive check, the calibrated parameter set and the page into
``results/<name>/``; ``--adopt`` installs that parameter set as the defaults every cast uses
(`negsim.cast.CALIBRATED`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.cli_types import positive_int
from negsim.errors import InputError, OutputError
from negsim.files import reason, write_text

STATE_NAME = "calibration.json"
PREDICTIVE_KEY = 0x9D  # spawn key of the predictive check's draws
FINDINGS_DRAWS = 10  # posterior draws the calibrated set carries for the findings


@dataclass
class CalibrationResult:
    """What a calibration left in its folder."""

    root: Path
    generations: int
    estimate: dict[str, float]
    summary: pd.DataFrame
    calibrated: Path


def _hash(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _read_state(root: Path) -> dict | None:
    path = root / STATE_NAME
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable ({exc}); use --force to start over") from None
    if not isinstance(data, dict) or not isinstance(data.get("spec_hash"), str):
        raise InputError(f"{path}: not a negsim calibration record; use --force to start over")
    return data


def _write_state(root: Path, state: dict) -> None:
    write_text(root / STATE_NAME, json.dumps(state, indent=2) + "\n")


def _start_over(root: Path) -> None:
    for path in root.iterdir():
        if path.name == ".lock":
            continue
        try:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        except OSError as exc:
            raise OutputError(f"{path}: cannot remove it to start over: {reason(exc)}") from None


def predictive_check(spec: Any, posterior: pd.DataFrame, executor: Any) -> pd.DataFrame:
    """Each of ``predictive_draws`` posterior draws run on its own ``predictive_runs``
    generated crises: one row per draw and pattern (value, interval, runs)."""
    from negsim.analysis.patterns import measure
    from negsim.calibration.inference import EnsembleSimulator, overrides_of, posterior_draws

    settings = spec.settings
    master = spec.experiment.experiment.seed
    draws = posterior_draws(posterior, settings.predictive_draws, master)
    simulator = EnsembleSimulator(spec, executor)
    rows = []
    for d, values in enumerate(draws):
        seed = np.random.SeedSequence(master, spawn_key=(PREDICTIVE_KEY, d)).generate_state(1)[0]
        runs = simulator.runs(
            overrides_of(values), settings.predictive_runs, np.random.RandomState(seed)
        )
        for key, (value, lo, hi, n) in measure(runs, seed=d).items():
            rows.append({"draw": d, "pattern": key, "value": value, "low": lo, "high": hi, "n": n})
    return pd.DataFrame(rows)


def calibrated_toml(
    spec: Any, estimate: dict[str, float], posterior: pd.DataFrame, state: dict, version: int
) -> str:
    """The calibrated parameter set as a TOML file: its provenance, then its parameters."""
    from negsim.calibration.inference import overrides_of, weighted_quantiles
    from negsim.generator import toml_value as value

    lines = [
        "# The calibrated parameter set: the defaults of every model parameter it names, for",
        "# every cast that does not set that parameter itself (a cast opts out with",
        "# `calibrated = false` in its [cast] table). Each value is the weighted median of the",
        "# posterior of an approximate Bayesian computation (ABC-SMC, pyabc) against the",
        "# empirical patterns of docs/VALIDATION.md, on an ensemble of generated crises.",
        f"# Reproduce it with: {state['command']}",
        "",
        "[calibration]",
        f"version = {version}",
        f"spec = {value(state['spec_file'])}",
        f"spec_sha256 = {value(state['spec_hash'])}",
        f"command = {value(state['command'])}",
        f"created = {value(datetime.now(UTC).isoformat(timespec='seconds'))}",
        f"generations = {state['generations']}",
        f"population = {spec.settings.population}",
        f"simulations = {state['simulations']}",
        f"runs = {state['runs']}",
        f"wall_seconds = {round(state['wall_seconds'], 1)}",
        "",
        "[calibration.posterior]  # weighted 5%, 50%, 95% quantiles",
    ]
    for name in estimate:
        q = weighted_quantiles(posterior, name, [0.05, 0.5, 0.95])
        lines.append(f'"{name.removeprefix("parameters.")}" = {value([round(v, 6) for v in q])}')
    from negsim.calibration.inference import posterior_draws

    lines += [
        "",
        f"[calibration.draws]  # {FINDINGS_DRAWS} particles drawn by weight: the findings run "
        "under each",
    ]
    draws = [
        overrides_of(d)
        for d in posterior_draws(posterior, FINDINGS_DRAWS, spec.experiment.experiment.seed + 1)
    ]
    for name in estimate:
        column = [d[name] if isinstance(d[name], int) else round(d[name], 6) for d in draws]
        lines.append(f'"{name.removeprefix("parameters.")}" = {value(column)}')
    tables: dict[str, list[str]] = {}
    for path, v in overrides_of(estimate).items():
        *section, key = path.removeprefix("parameters.").split(".")
        shown = v if isinstance(v, int) else round(v, 6)
        tables.setdefault(".".join(section), []).append(f"{key} = {value(shown)}")
    for section, entries in tables.items():
        lines += ["", f"[parameters.{section}]", *entries]
    return "\n".join(lines) + "\n"


def run_calibration(
    spec_path: str | Path,
    *,
    results: str | Path = "results",
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    command: str = "",
    echo: Any = print,
) -> CalibrationResult:
    """Run (or resume) a calibration into ``results/<name>/``; see the module docstring."""
    from negsim.calibration import inference
    from negsim.calibration.report import predictive_summary, write_calibration_page
    from negsim.calibration.spec import load_calibration
    from negsim.experiment.store import ResultStore

    spec = load_calibration(spec_path)
    root = Path(results) / spec.name
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{root}: cannot create: {reason(exc)}") from None
    from negsim.experiment.executors import executor_for

    executor = executor_for(workers, scheduler)
    started = time.perf_counter()
    try:
        with ResultStore(root).lock(wait=False):
            canonical = spec.canonical()
            spec_hash = _hash(spec.history_key())
            state = None if force else _read_state(root)
            if force or (state is None and any(p.name != ".lock" for p in root.iterdir())):
                if not force:
                    raise InputError(
                        f"{root}: holds files but no {STATE_NAME}; use --force to start over"
                    )
                _start_over(root)
            if state is not None and state["spec_hash"] != spec_hash:
                raise InputError(
                    f"{root}: holds a calibration of a different spec (only generations, "
                    "min_acceptance and the predictive check may change between runs); use "
                    "--force to start over, or give the experiment a new name"
                )
            state = state or {
                "spec_file": str(spec_path),
                "spec": canonical,
                "spec_hash": spec_hash,
                "command": command or f"negsim calibrate {spec_path}",
                "wall_seconds": 0.0,
                "sessions": [],
            }
            state["spec"] = canonical
            _write_state(root, state)

            def report(t: int, epsilon: float, acceptance: float) -> None:
                minutes = (time.perf_counter() - started) / 60
                echo(
                    f"generation {t}: threshold {epsilon:.3g}, acceptance {acceptance:.1%} "
                    f"({minutes:.1f} min elapsed)"
                )

            done = inference.run_generations(spec, root, executor, report)
            posterior = inference.posterior(root)
            diagnostics = inference.diagnostics(root)
            posterior.to_csv(root / "posterior.csv", index=False)
            diagnostics.to_csv(root / "diagnostics.csv", index=False)
            predictive_path = root / "predictive.csv"
            check = [done, spec.settings.predictive_draws, spec.settings.predictive_runs]
            if state.get("predictive_for") != check or not predictive_path.is_file():
                echo(
                    f"posterior predictive check: {spec.settings.predictive_draws} draws x "
                    f"{spec.settings.predictive_runs} generated crises"
                )
                predictive = predictive_check(spec, posterior, executor)
                predictive.to_csv(predictive_path, index=False)
                state["predictive_for"] = check
            predictive = pd.read_csv(predictive_path)
            summary = predictive_summary(predictive)
            estimate = inference.point_estimate(posterior)
            state["wall_seconds"] += time.perf_counter() - started
            state["sessions"].append({"finished": datetime.now(UTC).isoformat(timespec="seconds")})
            state["generations"] = done
            state["simulations"] = int(diagnostics["simulations"].sum())
            state["runs"] = (
                state["simulations"] * spec.experiment.experiment.replications
                + spec.settings.predictive_draws * spec.settings.predictive_runs
            )
            _write_state(root, state)
            calibrated = root / "calibrated.toml"
            write_text(calibrated, calibrated_toml(spec, estimate, posterior, state, 0))
            first = _first_generation(root)
            priors = {
                f"parameters.{p.removeprefix('parameters.')}": (q.low, q.high)
                for p, q in spec.settings.priors.items()
            }
            facts = [
                f"spec {spec.source} (sha256 {spec_hash[:12]}), master seed "
                f"{spec.experiment.experiment.seed}",
                f"{done} generations of {spec.settings.population} particles; "
                f"{state['simulations']} simulations of {spec.experiment.experiment.replications} "
                f"generated crises each; {state['runs']} runs with the predictive check",
                f"wall time {state['wall_seconds'] / 60:.1f} min in all",
                f"reproduce: {state['command']}",
            ]
            write_calibration_page(
                root,
                f"negsim calibration: {spec.name}",
                facts,
                posterior,
                first,
                priors,
                diagnostics,
                summary,
                estimate,
            )
    finally:
        executor.close()
    return CalibrationResult(root, done, estimate, summary, calibrated)


def _first_generation(root: Path) -> pd.DataFrame:
    import pyabc

    from negsim.calibration.inference import _path, db_url

    history = pyabc.History(db_url(root), _id=1)
    frame, weights = history.get_distribution(m=0, t=0)
    frame = frame.rename(columns=_path)
    frame["weight"] = weights
    return frame


def adopt(root: Path) -> Path:
    """Install a calibration's parameter set as the casts' defaults (one more version)."""
    from negsim.cast import CALIBRATED, calibrated_file

    source = root / "calibrated.toml"
    if not source.is_file():
        raise InputError(f"{source}: no calibrated parameter set; run the calibration first")
    version = int(calibrated_file().get("calibration", {}).get("version", 0)) + 1
    text = source.read_text(encoding="utf-8").replace("version = 0", f"version = {version}", 1)
    write_text(CALIBRATED, text)
    calibrated_file.cache_clear()
    return CALIBRATED


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Infer the model's global parameters from the record (ABC-SMC)."""
    from negsim.analysis.patterns import format_value

    if args.scheduler is not None and args.workers is not None:
        raise InputError(
            "--workers: the Dask cluster's workers run the calibration; drop --workers"
        )
    command = "negsim calibrate " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["calibrate"] else ""
    result = run_calibration(
        args.spec,
        results=args.results,
        workers=args.workers,
        scheduler=args.scheduler,
        force=args.force,
        command=command.replace(" --adopt", "").replace(" --force", ""),
    )
    print(f"\n{result.generations} generations in {result.root}; estimate (weighted median):")
    for name, value in result.estimate.items():
        print(f"  {name.removeprefix('parameters.'):45s} {value:.4g}")
    print("\nposterior predictive check (median [95% interval]) against the record:")
    width = max(len(label) for label in result.summary["label"])
    for r in result.summary.itertuples():
        shown = (
            f"{format_value(r.median, r.kind)} [{format_value(r.low, r.kind)}, "
            f"{format_value(r.high, r.kind)}]"
        )
        print(
            f"  {r.label:{width}s} {shown:>28s}  record {format_value(r.record, r.kind)} ({r.role})"
        )
    print(f"\npage: {result.root / 'calibration.html'}")
    if not args.adopt:
        print(f"parameter set: {result.calibrated} (install it with --adopt)")
        return 0
    if not args.skip_properties and not _keeps_properties(result.calibrated, args):
        return 1
    print(f"adopted: {adopt(result.root)} (the casts' defaults from now on)")
    return 0


def _keeps_properties(calibrated: Path, args: argparse.Namespace) -> bool:
    """Whether every property of docs/MODEL.md §4 holds under a parameter set on the dyad and
    Ukraine 2022, with 60 seeds an arm (`negsim properties`); says which do not if not."""
    from negsim.analysis.properties import SHIPPED, check, read_parameters

    print(f"\nchecking the properties (docs/MODEL.md §4) under {calibrated} ...")
    result = check(
        list(SHIPPED),
        parameters=read_parameters(calibrated),
        workers=args.workers,
        scheduler=args.scheduler,
    )
    if not result.failed:
        print(f"all hold ({result.runs} runs)")
        return True
    for v in result.failed:
        how = "is measured the wrong way" if v.broken else "is not shown (arms not separated)"
        print(f"error: {v.cast}: {v.name} {how} ({v.effects})", file=sys.stderr)
    print(
        f"error: not adopted: {len(result.failed)} of the properties do not hold under the set "
        f"(`negsim properties --parameters {calibrated}` shows them all); "
        "--skip-properties adopts it anyway",
        file=sys.stderr,
    )
    return False


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `calibrate` to the `negsim` command."""
    calibrate = subparsers.add_parser(
        "calibrate",
        help="infer the model's global parameters from the record (ABC-SMC; resumable)",
        description=cmd_calibrate.__doc__,
    )
    calibrate.add_argument("spec", help="calibration spec, e.g. experiments/calibration.toml")
    calibrate.add_argument(
        "--workers",
        "-j",
        type=positive_int,
        default=None,
        help="worker processes (default: all cores)",
    )
    calibrate.add_argument(
        "--scheduler", metavar="ADDRESS", default=None, help="run on this Dask scheduler"
    )
    calibrate.add_argument(
        "--results", default="results", help="folder of results folders (default: results)"
    )
    calibrate.add_argument("--force", action="store_true", help="discard an earlier calibration")
    calibrate.add_argument(
        "--adopt",
        action="store_true",
        help="install the result as the calibrated defaults of every cast, if every property "
        "of docs/MODEL.md §4 holds under it on the dyad and Ukraine 2022 (`negsim properties`)",
    )
    calibrate.add_argument(
        "--skip-properties",
        action="store_true",
        help="with --adopt: adopt without checking the properties",
    )
    calibrate.set_defaults(handler=cmd_calibrate)
