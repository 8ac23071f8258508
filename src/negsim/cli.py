"""The `negsim` command: run, validate (and the commands of the experiment, report and viz)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from negsim.cast import (
    RungId,
    canonical_path,
    load_cast,
    parse_assignment,
    read_toml,
    schema_bounds,
)
from negsim.cli_types import non_negative_int, positive_int
from negsim.errors import InputError
from negsim.files import check_writable_target, write_text

Handler = Callable[[argparse.Namespace], int]


def _overrides(assignments: list[str]) -> dict[str, object]:
    pairs = (parse_assignment(a) for a in assignments or [])
    return {canonical_path(path): value for path, value in pairs}


def cmd_run(args: argparse.Namespace) -> int:
    """Run one crisis and print its story (and write its record, series and events)."""
    from negsim.analysis.tables import run_events, run_series, table_format, write_table
    from negsim.model import run

    for path in (args.series, args.events):
        if path:
            table_format(path)  # a bad file name fails before the run, not after
    cast = load_cast(args.cast, _overrides(args.set))
    for option, path in (
        ("--json", args.json),
        ("--series", args.series),
        ("--events", args.events),
    ):
        if path:
            check_writable_target(Path(path), option)  # before the run, not after it
    record, model = run(cast, seed=args.seed, max_ticks=args.ticks, collect_series=True)
    print(summarize(model, record))
    written = []
    if args.json:
        write_text(args.json, json.dumps(record.flat(), indent=2) + "\n", "--json")
        written.append(f"record written to {args.json}")
    if args.series:
        series = run_series(model)
        write_table(series, args.series, "--series")
        written.append(f"series written to {args.series} ({len(series)} ticks)")
    if args.events:
        events = run_events(model)
        write_table(events, args.events, "--events")
        written.append(f"events written to {args.events} ({len(events)} events)")
    if written:
        print("\n" + "\n".join(written))
    return 0


def summarize(model, record) -> str:
    """A readable story of one run: outcome, deal, trajectory, main events."""
    days = model.world.clock.tick_days
    lines = [
        f"negsim: {model.cast.cast.name}, seed {record.seed}",
        f"outcome: {record.outcome.replace('_', ' ')} at tick {record.end_tick} "
        f"(day {record.end_days:g}; {days:g} days a tick)",
    ]
    if record.deal_x is not None:
        lines.append(
            f"deal: the challenger gets x = {record.deal_x:.2f} of the issue, with face "
            f"{record.face_public:.2f} in public and {record.face_private:.2f} in private"
            f" (signed at tick {record.end_tick}; the run ends once it is implemented, at tick "
            f"{model.world.tick})"
        )
    series = model.datacollector.get_model_vars_dataframe()
    marks = sorted({0, len(series) // 4, len(series) // 2, 3 * len(series) // 4, len(series) - 1})
    lines.append("\n tick  control  cohesion  rung")
    for i in marks:
        row = series.iloc[i]
        rung = RungId(int(row["rung"])).label
        lines.append(f"{i:>5}  {row['control']:>7.2f}  {row['cohesion']:>8.2f}  {rung}")
    lines.append(
        f"\npeak rung: {RungId(record.peak_rung).label}; cohesion min {record.min_cohesion:.2f}, "
        f"mean {record.mean_cohesion:.2f}; coalition collapsed: "
        + (f"tick {record.collapse_tick}" if record.coalition_collapsed else "no")
    )
    counts = record.events
    lines.append(
        "events: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(counts.items()))
    )
    shown = [e for e in model.events if e.kind != "offer"][-12:]
    lines.append("\nlast events:")
    lines += [f"  tick {e.tick:>4}  {e.text}" for e in shown]
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a cast or an experiment spec; print what is wrong, line by line."""
    path = Path(args.file)
    doc = read_toml(path)
    if "calibration" in doc:
        from negsim.calibration.spec import load_calibration

        spec = load_calibration(path)
        print(f"{path}: a valid calibration spec ({len(spec.parameters)} parameters)")
    elif "experiment" in doc:
        from negsim.experiment.spec import load_spec

        load_spec(path)
        print(f"{path}: a valid experiment spec")
    else:
        cast = load_cast(path)
        print(f"{path}: a valid cast ({len(cast.states)} states, {len(cast.leaders)} leaders)")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """Draw one crisis and write it as an ordinary cast file (or print it)."""
    from negsim.cast import build_cast
    from negsim.generator import GENERATOR_VERSION, GeneratorSettings, cast_toml, generate_cast

    settings = _generator_settings(args, GeneratorSettings)
    if args.output:
        check_writable_target(Path(args.output), "-o")
    doc = generate_cast(args.seed, settings)
    cast = build_cast(doc, f"generated crisis (seed {args.seed})")
    header = (
        f"A generated crisis: `negsim generate --seed {args.seed}` (generator version "
        f"{GENERATOR_VERSION}).\nEvery number was drawn from the distributions of "
        "docs/VALIDATION.md ('The crisis generator');\nedit it like any cast and run it with "
        "`negsim run FILE`."
    )
    text = cast_toml(doc, header)
    if not args.output:
        print(text)
        return 0
    write_text(args.output, text, "-o")
    print(
        f"{args.output}: a generated crisis of {len(cast.states)} states "
        f"({', '.join(cast.states)}), {cast.cast.tick_days:g} days a tick"
    )
    return 0


def _generator_settings(args: argparse.Namespace, settings: type) -> object:
    from pydantic import ValidationError

    from negsim.cast import validation_problems

    try:
        return settings(min_states=args.min_states, max_states=args.max_states)
    except ValidationError as exc:
        raise InputError(validation_problems("negsim generate", exc)) from None


def parameter_fields() -> list[tuple[str, object]]:
    """Every model parameter as ``(dotted path, pydantic field)``, nested tables flattened."""
    from pydantic import BaseModel

    from negsim.cast import Parameters

    found = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            kind = field.annotation
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                walk(kind, f"{prefix}{name}.")
            else:
                found.append((f"{prefix}{name}", field))

    walk(Parameters, "")
    return found


def parameter_table() -> str:
    """Every model parameter as a Markdown table, read from the schema (its single home), with
    the value the calibrated parameter set gives it, if any."""
    from negsim.cast import Ladder, calibrated_parameters

    ladder = Ladder()
    calibrated = calibrated_parameters()
    lines = [
        "| parameter | default | calibrated | range | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for path, field in parameter_fields():
        lo, hi = schema_bounds(field)
        span = "true / false" if lo is None else f"{lo} .. {hi}"
        default = field.default
        if path.startswith("escalation.ladder."):
            rung, name = path.split(".")[2:]
            default = getattr(getattr(ladder, rung), name)
            meaning = f"{Ladder.model_fields[rung].description}: {field.description}"
        else:
            meaning = field.description
        value: object = calibrated
        for key in path.split("."):
            value = value.get(key, {}) if isinstance(value, dict) else {}
        shown = "" if isinstance(value, dict) else f"{value:.4g}"
        lines.append(f"| `{path}` | {default} | {shown} | {span} | {meaning} |")
    return "\n".join(lines)


def cmd_params(args: argparse.Namespace) -> int:
    """Print every model parameter with its default, range and meaning."""
    print(parameter_table())
    return 0


def version_line() -> str:
    """negsim's version, with the Mesa and Python it runs on."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        mesa = version("mesa")
    except PackageNotFoundError:
        mesa = "not installed"
    return f"negsim {version('negsim')} (Mesa {mesa}, Python {sys.version.split()[0]})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="negsim",
        description="Agent-based simulation of coercive, multi-party crisis negotiation.",
    )
    parser.add_argument("--version", action="version", version=version_line())
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one crisis and print its story")
    run.add_argument("cast", help="cast file, e.g. agents/ukraine_2022.toml")
    run.add_argument(
        "--seed", type=non_negative_int, default=0, help="random seed, 0 or more (default 0)"
    )
    run.add_argument(
        "--ticks",
        type=positive_int,
        default=None,
        help="tick limit (default: the cast's horizon)",
    )
    run.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="override a cast value, e.g. leaders.RUS.resolve=0.5",
    )
    run.add_argument("--json", metavar="FILE", help="also write the run's record as JSON")
    run.add_argument(
        "--series",
        metavar="FILE",
        help="also write the per-tick series (one row per tick), as .csv or .parquet",
    )
    run.add_argument(
        "--events",
        metavar="FILE",
        help="also write the event log (tick, kind, text), as .csv or .parquet",
    )
    run.set_defaults(handler=cmd_run)

    validate = sub.add_parser("validate", help="check a cast or an experiment spec")
    validate.add_argument("file")
    validate.set_defaults(handler=cmd_validate)

    params = sub.add_parser("params", help="list every model parameter (Markdown table)")
    params.set_defaults(handler=cmd_params)

    generate = sub.add_parser("generate", help="draw a crisis and write it as a cast file")
    generate.add_argument(
        "--seed", type=non_negative_int, default=0, help="the crisis's seed (default 0)"
    )
    generate.add_argument("-o", "--output", metavar="FILE", help="cast file to write")
    generate.add_argument(
        "--min-states", type=positive_int, default=2, help="fewest states (2..12, default 2)"
    )
    generate.add_argument(
        "--max-states", type=positive_int, default=12, help="most states (2..12, default 12)"
    )
    generate.set_defaults(handler=cmd_generate)

    for register in _extensions():
        register(sub)
    return parser


def _extensions() -> list[Callable]:
    """Subcommands owned by other packages (experiments, reports, the browser view)."""
    found = []
    modules = (
        "negsim.experiment.commands",
        "negsim.analysis.commands",
        "negsim.analysis.findings",
        "negsim.analysis.validation",
        "negsim.calibration.commands",
        "negsim.viz.commands",
    )
    for module in modules:
        try:
            found.append(__import__(module, fromlist=["register"]).register)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return found


MAX_PROBLEMS = 50  # problem lines printed at most; the rest are counted
BROKEN_PIPE = 141  # the status of a process stopped by SIGPIPE (128 + 13), as `| head` expects


def main(argv: list[str] | None = None) -> int:
    """Run the `negsim` command; return its exit status.

    0 done; 1 done, with failed runs or a file not written (said on stderr); 2 bad input, or a
    file or folder that cannot be written, reported in one line per problem; 130 interrupted;
    141 the output pipe was closed (e.g. by `| head`).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage error (status 2) or --help (status 0)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        status = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return status
    except InputError as exc:
        _print_problems(exc.problems)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Nothing more can reach the reader; keep the interpreter's final flush quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE


def _print_problems(problems: list[str]) -> None:
    for line in problems[:MAX_PROBLEMS]:
        print(f"error: {line}", file=sys.stderr)
    if len(problems) > MAX_PROBLEMS:
        print(f"error: ... and {len(problems) - MAX_PROBLEMS} more problems", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
