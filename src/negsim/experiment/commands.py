"""The `negsim sweep` and `negsim summary` commands."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from negsim.cli_types import non_negative_float, positive_int
from negsim.errors import InputError, OutputError


def _stop_on_sigterm() -> None:
    """A plain `kill` stops the sweep like Ctrl-C: finished runs are written first."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run (or resume) an experiment spec, then print its summary."""
    from negsim.experiment.runner import run_experiment
    from negsim.experiment.spec import load_spec

    if args.scheduler is not None and args.workers is not None:
        raise InputError("--workers: the Dask cluster's workers run the sweep; drop --workers")
    spec = load_spec(args.spec)
    _stop_on_sigterm()
    root = Path(args.results) / spec.name
    try:
        result = run_experiment(
            spec,
            results=args.results,
            workers=args.workers,
            scheduler=args.scheduler,
            force=args.force,
            progress=not args.quiet,
            chunk_size=args.chunk_size,
            flush_seconds=args.flush_every,
            keep_failed=args.keep_failed,
            wait=args.wait,
        )
    except KeyboardInterrupt:
        print(
            f"interrupted: finished runs are kept in {root}; rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    print(f"{result.done} of {result.planned} runs recorded in {root} ({result.ran} run now)")
    if not (args.quiet or args.no_summary):
        print()
        print(render_summary(root))
    if result.failed:
        print(
            f"error: {result.failed} runs failed (status 'failed', with their error and seed, "
            f"in {root / 'runs.parquet'}); the next sweep runs them again "
            "(unless --keep-failed)",
            file=sys.stderr,
        )
        return 1
    return 0


def render_summary(root: Path) -> str:
    """The text summary of a results folder."""
    from negsim.analysis.stats import format_sensitivity, format_summary, sensitivity, summary_table
    from negsim.experiment.store import load_results

    runs, manifest = load_results(root)
    spec = manifest["spec"]
    params = list(spec["vary"])
    table = summary_table(runs, params)
    counts = manifest.get("counts", {})
    cast = manifest["cast"]
    source = f"cast {Path(cast['path']).name}" if cast["path"] else cast.get("generated", "")
    head = (
        f"experiment {manifest['name']}: {len(runs)} of {counts.get('planned', '?')} runs "
        f"({manifest.get('status', '?')}), {source}, "
        f"sampler {spec['experiment']['sampler']}, seed {spec['experiment']['seed']}"
    )
    parts = [head, "", format_summary(table, params)]
    complete = len(runs) == counts.get("planned")
    if spec["experiment"]["sampler"] in ("sobol", "morris"):
        if complete:
            parts += ["", format_sensitivity(sensitivity(table, spec), spec)]
        else:
            parts += ["", "sensitivity: needs every point; resume the sweep first"]
    return "\n".join(parts)


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the outcome statistics of a results folder (and rewrite its summary.csv)."""
    from negsim.analysis.stats import write_summaries
    from negsim.experiment.store import load_results

    root = Path(args.results_dir)
    print(render_summary(root), flush=True)
    runs, manifest = load_results(root)
    complete = len(runs) == manifest.get("counts", {}).get("planned")
    try:
        write_summaries(runs, manifest["spec"], root, complete)
    except OutputError as exc:
        print(f"warning: {exc.problems[0]} (the summary above is complete)", file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sweep` and `summary` to the `negsim` command."""
    sweep = subparsers.add_parser(
        "sweep",
        help="run an experiment spec (resumes an interrupted sweep)",
        description="Run the runs of an experiment spec that are not recorded yet, on local "
        "processes or on a Dask cluster, into RESULTS/<experiment name>/.",
    )
    sweep.add_argument("spec", help="experiment spec, e.g. experiments/baseline.toml")
    sweep.add_argument(
        "--workers",
        "-j",
        type=positive_int,
        default=None,
        help="worker processes (default: all cores)",
    )
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on the Dask cluster of this scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default: local processes)",
    )
    sweep.add_argument(
        "--results", default="results", help="folder of results folders (default: results)"
    )
    sweep.add_argument(
        "--force", action="store_true", help="discard existing results of the experiment"
    )
    sweep.add_argument(
        "--chunk-size",
        type=positive_int,
        default=None,
        help="runs per task sent to a worker (default: about 16 tasks per worker, at most 64 runs)",
    )
    sweep.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")
    sweep.add_argument(
        "--flush-every",
        type=non_negative_float,
        default=2.0,
        metavar="SECONDS",
        help="write finished runs to disk at least this often (default 2)",
    )
    sweep.add_argument(
        "--no-summary", action="store_true", help="do not print the summary at the end"
    )
    sweep.add_argument(
        "--keep-failed",
        action="store_true",
        help="keep runs recorded as failed (default: a rerun runs them again)",
    )
    sweep.add_argument(
        "--wait",
        action="store_true",
        help="if another sweep is writing into the results folder, wait for it to end "
        "(default: exit with status 2)",
    )
    sweep.set_defaults(handler=cmd_sweep)

    summary = subparsers.add_parser(
        "summary", help="outcome statistics of a results folder", description=cmd_summary.__doc__
    )
    summary.add_argument("results_dir", help="e.g. results/baseline")
    summary.set_defaults(handler=cmd_summary)
