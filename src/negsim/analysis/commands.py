"""The `negsim report` command."""

from __future__ import annotations

import argparse
import sys


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


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `report` to the `negsim` command."""
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
