"""The `negsim report`, `export`, `compare`, `discover`, `patterns`, `cases` and `properties`
commands."""

from __future__ import annotations

import argparse
import sys

from negsim.cli_types import positive_int
from negsim.errors import InputError


def cmd_report(args: argparse.Namespace) -> int:
    """Write the HTML report of a results folder (and with --png every figure as PNG)."""
    from negsim.analysis.report import write_report

    report = write_report(args.results_dir, output=args.output, png=args.png)
    size = report.path.stat().st_size / 1e6
    print(
        f"report written to {report.path} ({report.figures} figures, {size:.1f} MB, "
        f"{report.seconds:.1f} s)"
    )
    if report.pngs:
        print(f"{len(report.pngs)} PNGs written to {report.pngs[0].parent}")
    if report.png_problem:
        print(f"error: {report.png_problem}", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a results folder's runs, series and summary as CSV or Parquet files."""
    from negsim.analysis.tables import export_results

    done = export_results(args.results_dir, args.format, args.out, series=not args.no_series)
    print(f"exported to {done.folder}:")
    for path, rows in done.files.items():
        print(f"  {path.name:<20} {rows:>9} rows  {path.stat().st_size / 1e6:8.2f} MB")
    return 0


def cmd_patterns(args: argparse.Namespace) -> int:
    """Print a results folder's empirical patterns beside the record (and write them as CSV)."""
    from negsim.analysis.patterns import format_patterns, pattern_table
    from negsim.experiment.store import load_results
    from negsim.files import write_text

    runs, manifest = load_results(args.results_dir)
    if args.sensitivity:
        from negsim.analysis.patterns import pattern_sensitivity

        key = "mu_star" if manifest["spec"]["experiment"]["sampler"] == "morris" else "ST"
        indices = pattern_sensitivity(runs, manifest["spec"])
        pivot = indices.pivot(index="parameter", columns="output", values=key)
        print(f"{key} of each pattern (columns) by parameter (rows):")
        print(pivot.round(3).to_string())
        return 0
    table = pattern_table(runs)
    print(format_patterns(table))
    if args.csv:
        write_text(args.csv, table.to_csv(index=False), "--csv")
        print(f"\npatterns written to {args.csv}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Print outcome shares of two results side by side with their differences; write a page."""
    from negsim.analysis.compare import compare, default_page, format_comparison
    from negsim.analysis.report import write_comparison

    found = compare(args.a, args.b, args.outcome, args.where_a, args.where_b)
    print(format_comparison(found))
    if not args.no_page:
        path = write_comparison(
            found, args.output or default_page(args.a, args.b, args.where_a, args.where_b)
        )
        print(f"\npage written to {path}")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    """Find the parameter box where the runs of interest are densest (PRIM), score features."""
    from negsim.analysis.conditions import outcome_condition
    from negsim.analysis.discovery import discover, format_discovery

    if bool(args.outcome) == bool(args.where):
        raise InputError("discover: give --outcome OUTCOME or --where CONDITION (one of them)")
    condition = args.where or outcome_condition(args.outcome)
    found = discover(
        args.results_dir,
        condition,
        peel_alpha=args.peel_alpha,
        mass_min=args.mass_min,
        min_coverage=args.min_coverage,
    )
    print(format_discovery(found))
    if args.output:
        from negsim.analysis.report import write_discovery

        print(f"\npage written to {write_discovery(found, args.output)}")
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    """Run every historical cast's experiment (resuming) and write docs/CASES.md."""
    from pathlib import Path

    from negsim.analysis.cases import Candidate, apart_tag, format_summary, write_cases
    from negsim.analysis.properties import read_parameters

    candidate = None
    if args.parameters is not None:
        path = Path(args.parameters)
        candidate = Candidate(path, read_parameters(path))
    experiments, out = Path("experiments/cases"), Path("docs/CASES.md")
    tag = apart_tag(candidate, args.runs)
    if tag is not None:  # another table than docs/CASES.md's: kept apart
        experiments = Path(args.results) / f"cases_{tag}"
        out = experiments / "CASES.md"
    report = write_cases(
        agents=Path(args.agents),
        experiments=Path(args.experiments or experiments),
        results=Path(args.results),
        out=Path(args.out or out),
        runs=args.runs,
        workers=args.workers,
        force=args.force,
        progress=not args.quiet,
        candidate=candidate,
    )
    print(format_summary(report))
    print(
        f"\n{report.path} written: the whole table took {report.seconds:.1f} s "
        f"({report.ran} of {report.planned} runs computed now; computing all of them took "
        f"{report.compute_seconds:.0f} s)"
    )
    failed = sum(r.failed for r in report.results)
    if failed:
        print(f"error: {failed} runs failed; rerun the command to run them again", file=sys.stderr)
        return 1
    return 0


def cmd_properties(args: argparse.Namespace) -> int:
    """Check the properties of docs/MODEL.md §4 on casts; exit 1 if any fails."""
    from pathlib import Path

    from negsim.analysis.properties import (
        SHIPPED,
        check,
        format_check,
        installed_source,
        read_parameters,
    )
    from negsim.files import write_text

    casts = [Path(c) for c in args.casts] or list(SHIPPED)
    parameters = None
    source = installed_source()
    if args.parameters:
        parameters = read_parameters(Path(args.parameters))
        source = f"with the parameter set of {args.parameters} as the calibrated defaults"
    result = check(
        casts,
        seeds=args.seeds,
        parameters=parameters,
        partner=args.partner,
        workers=args.workers,
        scheduler=args.scheduler,
    )
    text = format_check(result, source)
    print(text)
    if args.output:
        write_text(Path(args.output), text + "\n")
        print(f"\n{args.output} written")
    for v in result.failed:
        if v.broken:
            print(
                f"error: {v.cast}: {v.name} is measured the wrong way ({v.effects})",
                file=sys.stderr,
            )
        else:
            print(
                f"note: {v.cast}: {v.name} is not shown by these seeds ({v.effects}); "
                "more seeds may separate the arms",
                file=sys.stderr,
            )
    return 1 if result.failed else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `report`, `export`, `compare`, `discover`, `patterns`, `cases` and `properties` to
    `negsim`."""
    patterns = subparsers.add_parser(
        "patterns",
        help="the empirical patterns of a results folder beside the record",
        description="Measure RESULTS_DIR's runs against the record (docs/VALIDATION.md): ICB "
        "outcome shares and form of outcome, violence, duration, threat and sanctions "
        "success, honoured alliances, nuclear use; each with its 95% interval.",
    )
    patterns.add_argument("results_dir", help="e.g. results/validation")
    patterns.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    patterns.add_argument(
        "--sensitivity",
        action="store_true",
        help="of a sobol or morris sweep: each pattern's sensitivity to each parameter",
    )
    patterns.set_defaults(handler=cmd_patterns)

    report = subparsers.add_parser(
        "report",
        help="write the HTML report of a results folder (figures of outcomes and distributions)",
        description="Write RESULTS_DIR/report.html: one self-contained page (opens offline) "
        "with the spec and the cast, outcome shares with Wilson intervals, distributions, "
        "fan charts of the series and sensitivity indices, chosen by what the sweep varied.",
    )
    report.add_argument("results_dir", help="e.g. results/baseline")
    report.add_argument(
        "--png",
        action="store_true",
        help="also write every figure as PNG into RESULTS_DIR/report_png/ (needs kaleido "
        "and a Chromium)",
    )
    report.add_argument(
        "--output", "-o", default=None, help="where to write the page (default: in the folder)"
    )
    report.set_defaults(handler=cmd_report)

    export = subparsers.add_parser(
        "export",
        help="write a results folder's runs, series and summary as CSV or Parquet",
        description="Write RESULTS_DIR's tables for other tools (R, Excel, Stata): runs (one "
        "row per run), series (long: run_id, tick, variable, value; when collected), summary "
        "(one row per parameter point) and, for sobol and morris sweeps, sensitivity.",
    )
    export.add_argument("results_dir", help="e.g. results/face_saving")
    export.add_argument("--format", choices=("csv", "parquet"), default="csv")
    export.add_argument(
        "--out", default=None, help="folder to write into (default: RESULTS_DIR/export)"
    )
    export.add_argument("--no-series", action="store_true", help="leave the series out")
    export.set_defaults(handler=cmd_export)

    compare = subparsers.add_parser(
        "compare",
        help="outcome shares of two results folders side by side, with differences",
        description="Compare the finished runs of A (a baseline) and B (an intervention, "
        "another cast): each outcome's share with its Wilson 95% interval, and B - A with "
        "Newcombe's 95% interval, as text and as an HTML page.",
    )
    compare.add_argument("a", help="results folder A, e.g. results/baseline")
    compare.add_argument("b", help="results folder B (may be A again, with --where-b)")
    compare.add_argument(
        "--outcome",
        action="append",
        metavar="OUTCOME",
        help="compare only this outcome (repeat for more; default: every outcome seen)",
    )
    compare.add_argument(
        "--where-a", metavar="CONDITION", help="keep A's runs meeting it, e.g. 'x == 0.3'"
    )
    compare.add_argument("--where-b", metavar="CONDITION", help="keep B's runs meeting it")
    compare.add_argument(
        "--output", "-o", default=None, help="the page (default: compare-A-vs-B.html beside A)"
    )
    compare.add_argument("--no-page", action="store_true", help="print only, write no page")
    compare.set_defaults(handler=cmd_compare)

    discover = subparsers.add_parser(
        "discover",
        help="scenario discovery: the parameter ranges where runs end a given way (PRIM)",
        description="Which varied parameter values lead to the runs of interest? PRIM boxes "
        "(coverage, density, peeling trajectory) and feature scores, by EMA Workbench "
        "(pip install 'negsim[analysis]').",
    )
    discover.add_argument("results_dir", help="a sweep that varied parameters")
    discover.add_argument(
        "--outcome",
        action="append",
        metavar="OUTCOME",
        help="runs of interest: those ending in this outcome (repeat: any of them)",
    )
    discover.add_argument(
        "--where",
        metavar="CONDITION",
        help="runs of interest by a condition on any field, e.g. 'end_tick <= 4' or "
        "'outcome == settlement and deal_x < 0.3'",
    )
    discover.add_argument(
        "--min-coverage",
        type=float,
        default=0.5,
        help="report the densest box keeping this share of the runs of interest (default 0.5)",
    )
    discover.add_argument(
        "--peel-alpha", type=float, default=0.05, help="share peeled per step (default 0.05)"
    )
    discover.add_argument(
        "--mass-min", type=float, default=0.05, help="smallest box, share of runs (default 0.05)"
    )
    discover.add_argument("--output", "-o", default=None, help="also write an HTML page")
    discover.set_defaults(handler=cmd_discover)

    cases = subparsers.add_parser(
        "cases",
        help="compare the historical casts with what happened: docs/CASES.md",
        description="For every cast in AGENTS with a [cast.history] table: write the experiment "
        "spec EXPERIMENTS/<cast>.toml (nothing varied, N seeded runs), run it into "
        "RESULTS/cases_<cast>/ (resuming), and write one page with the real outcome and "
        "duration beside the model's outcome shares (Wilson 95% intervals), median duration "
        "and the share of runs ending as the crisis did.",
    )
    cases.add_argument(
        "--runs",
        type=positive_int,
        default=1000,
        help="seeded runs per cast (default 1000, docs/CASES.md's table; another number keeps "
        "its table apart, in RESULTS/cases_runs<N>/)",
    )
    cases.add_argument(
        "--workers",
        "-j",
        type=positive_int,
        default=None,
        help="worker processes (default: all cores)",
    )
    cases.add_argument("--agents", default="agents", help="folder of casts (default: agents)")
    cases.add_argument(
        "--experiments",
        default=None,
        help="where the specs are written (default: experiments/cases; with --parameters or "
        "another --runs, RESULTS/cases_<tag>/)",
    )
    cases.add_argument(
        "--results", default="results", help="folder of results folders (default: results)"
    )
    cases.add_argument(
        "--out",
        "-o",
        default=None,
        help="the page to write (default: docs/CASES.md; with --parameters or another --runs, "
        "RESULTS/cases_<tag>/CASES.md)",
    )
    cases.add_argument(
        "--parameters",
        metavar="FILE",
        default=None,
        help="run the cases under this candidate parameter set instead of the defaults "
        "([parameters] tables, as in a calibration's calibrated.toml; a value a cast sets "
        "itself keeps the cast's); its specs and page go to RESULTS/cases_<tag>/, its runs to "
        "RESULTS/cases_<cast>_<tag>/",
    )
    cases.add_argument(
        "--force",
        action="store_true",
        help="discard the cases' earlier results and run them again (after a model change)",
    )
    cases.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    cases.set_defaults(handler=cmd_cases)

    properties = subparsers.add_parser(
        "properties",
        help="check the properties that must hold (docs/MODEL.md §4) on casts",
        description="Run the paired arms of every property the model must hold "
        "(docs/MODEL.md §4) on each cast, over the same seeds in every arm, and print each "
        "property's effects (95% intervals) and whether it holds, is not shown by these seeds, "
        "or is measured the wrong way. Exit status 1 unless all hold. With --parameters, a candidate parameter set (the calibrated.toml a "
        "calibration writes) stands in for the installed calibrated defaults: check it "
        "before `negsim calibrate --adopt`.",
    )
    properties.add_argument(
        "casts",
        nargs="*",
        help="cast files (default: the shipped agents/dyad.toml and agents/ukraine_2022.toml)",
    )
    properties.add_argument(
        "--seeds", type=positive_int, default=60, help="seeded runs per arm (default 60)"
    )
    properties.add_argument(
        "--parameters",
        metavar="FILE",
        help="a candidate parameter set, e.g. results/calibration/calibrated.toml",
    )
    properties.add_argument(
        "--partner",
        metavar="ID",
        help="the defender's partner whose exposure is varied (default: the largest economy)",
    )
    properties.add_argument(
        "--workers", "-j", type=positive_int, default=None, help="worker processes"
    )
    properties.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler")
    properties.add_argument("--output", "-o", metavar="FILE", help="also write the table")
    properties.set_defaults(handler=cmd_properties)
