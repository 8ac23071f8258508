"""Experiment specs: which cast, what to hold fixed, what to vary and how, how many seeds.

A spec is a TOML file with an ``[experiment]`` table, an optional ``[fixed]`` table of
overrides and a ``[vary]`` table of parameter paths (any dotted cast path; parameter paths may
omit their ``parameters.`` prefix)::

    [experiment]
    name = "face"                 # results go to results/face/
    cast = "../agents/dyad.toml"  # relative to this file (else to the working directory)
    sampler = "grid"              # grid | random | latin_hypercube | sobol | morris
    replications = 100            # seeded runs per parameter point
    max_ticks = 104               # optional: the tick limit (default: the cast's horizon)
    collect_series = false
    seed = 1                      # master seed: every run's seed derives from it

    [fixed]
    "bargaining.back_channel" = 0.5

    [vary]
    "bargaining.face_offer" = [0.0, 0.3, 0.6]                 # grid: listed values
    # "leaders.ARG.resolve" = { low = 0.2, high = 0.9 }       # other samplers: ranges

Instead of a cast, a ``[generate]`` table runs an ensemble of generated crises
(`negsim.generator`): run ``r`` of every point plays crisis ``r // runs_per_crisis``, so
``replications`` is the number of runs per point and every point sees the same crises::

    [generate]
    min_states = 2
    max_states = 12
    runs_per_crisis = 1

Every problem is found before any run starts and reported as one line per problem.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from negsim.cast import (
    Cast,
    Section,
    apply_overrides,
    build_cast,
    canonical_path,
    read_toml,
    schema_bounds,
    schema_field,
    validation_problems,
)
from negsim.errors import InputError, shown
from negsim.experiment.hypothesis import Hypothesis, variant_documents
from negsim.generator import (
    CHALLENGER,
    DEFENDER,
    GENERATOR_VERSION,
    GeneratorSettings,
    crisis_seed,
    generate_cast,
    possible_state_ids,
)
from negsim.limits import nesting_problem


class Sampler(StrEnum):
    """How the points of the parameter space are chosen."""

    GRID = "grid"
    RANDOM = "random"
    LATIN_HYPERCUBE = "latin_hypercube"
    SOBOL = "sobol"
    MORRIS = "morris"


RANGE_SAMPLERS = (Sampler.RANDOM, Sampler.LATIN_HYPERCUBE, Sampler.SOBOL, Sampler.MORRIS)
SENSITIVITY_SAMPLERS = (Sampler.SOBOL, Sampler.MORRIS)


class ExperimentInfo(Section):
    """The ``[experiment]`` table."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="results folder name")
    description: str = ""
    cast: str | None = Field(
        None, description="cast file, relative to the spec (else to the working dir)"
    )
    sampler: Sampler = Sampler.GRID
    replications: int = Field(1, ge=1, le=10_000_000, description="seeded runs per point")
    max_ticks: int | None = Field(
        None, ge=1, le=100_000, description="tick limit of every run (default: the cast's horizon)"
    )
    collect_series: bool = Field(False, description="collect per-tick series")
    seed: int = Field(0, ge=0, description="master seed")
    samples: int | None = Field(
        None,
        ge=1,
        le=10_000_000,
        description="random/latin_hypercube: points; sobol: base sample N; morris: trajectories",
    )
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels")
    second_order: bool = Field(False, description="sobol: also second-order indices")


class Range(Section):
    """A continuous range ``[low, high]`` for the random, LHS, Sobol and Morris samplers."""

    low: float
    high: float


class ExperimentSpec(Section):
    """A validated experiment spec. Build it with `load_spec`."""

    experiment: ExperimentInfo
    fixed: dict[str, Any] = Field(default_factory=dict)
    vary: dict[str, list[Any] | Range] = Field(default_factory=dict)
    generate: GeneratorSettings | None = None
    hypothesis: Hypothesis | None = None

    @model_validator(mode="before")
    @classmethod
    def _list_or_range(cls, data: Any) -> Any:
        vary = data.get("vary") if isinstance(data, dict) else None
        if not isinstance(vary, dict):
            return data
        problems = []
        for path, how in vary.items():
            if isinstance(how, list):
                continue
            numbers = isinstance(how, dict) and all(
                isinstance(how.get(k), int | float) and not isinstance(how.get(k), bool)
                for k in ("low", "high")
            )
            if not numbers or set(how) != {"low", "high"}:
                problems.append(
                    f"vary.{path}: expected a list of values (grid) or a range "
                    f"{{ low = <number>, high = <number> }}, got {shown(how)}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return data

    _source: str = PrivateAttr("")
    _cast_path: Path | None = PrivateAttr(None)
    _cast: Cast | None = PrivateAttr(None)

    @property
    def name(self) -> str:
        """The experiment's name (its results folder)."""
        return self.experiment.name

    @property
    def source(self) -> str:
        """The file the spec was read from."""
        return self._source

    @property
    def generated(self) -> bool:
        """The spec runs an ensemble of generated crises instead of one cast."""
        return self.generate is not None

    @property
    def cast_path(self) -> Path | None:
        """The resolved cast file (None for an ensemble of generated crises)."""
        assert self._cast is not None, "use load_spec or parse_spec"
        return self._cast_path

    @property
    def cast_source(self) -> str:
        """What the runs' casts come from, for messages and the manifest."""
        if self.generate is not None:
            return f"generated crises (generator version {GENERATOR_VERSION})"
        return str(self.cast_path)

    @property
    def base_cast(self) -> Cast:
        """The cast with the fixed overrides applied (before any varied parameter); for an
        ensemble, its first generated crisis."""
        assert self._cast is not None, "use load_spec or parse_spec"
        return self._cast

    @property
    def crisis_master(self) -> int:
        """The master seed of an ensemble's crises."""
        assert self.generate is not None, "not an ensemble of generated crises"
        return self.experiment.seed if self.generate.seed is None else self.generate.seed

    def crisis_doc(self, crisis: int) -> dict:
        """Crisis number ``crisis`` of the ensemble, as a cast document (no overrides)."""
        return generate_cast(crisis_seed(self.crisis_master, crisis), self.generate)

    @property
    def state_ids(self) -> list[str]:
        """Every state id a run of this spec may have (one cost column each)."""
        if self.generate is not None:
            return possible_state_ids(self.generate)
        return list(self.base_cast.states)

    @property
    def parameters(self) -> list[str]:
        """The varied parameter paths, as written in the spec."""
        return list(self.vary)

    def canonical(self) -> dict[str, Any]:
        """The spec as plain JSON-able data (what the manifest stores and the hash covers)."""
        return self.model_dump(mode="json", exclude={"hypothesis"})

    def spec_hash(self) -> str:
        """A hash of the spec's content: a changed spec never resumes an old results folder."""
        return _sha256(self.canonical())

    def cast_hash(self) -> str:
        """A hash of the effective cast (file, defaults and fixed overrides); for an ensemble,
        of the generator's version and its first crisis with the fixed overrides."""
        dump = self.base_cast.model_dump(mode="json")
        if self.generate is not None:
            return _sha256({"generator": GENERATOR_VERSION, "first_crisis": dump})
        return _sha256(dump)


def _sha256(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment spec file; raise InputError listing every problem."""
    path = Path(path)
    doc = read_toml(path)
    if "experiment" not in doc and "states" in doc:
        raise InputError(
            f"{path}: this is a cast, not an experiment spec: run it with `negsim run {path}`"
        )
    if "calibration" in doc:
        raise InputError(
            f"{path}: this is a calibration spec: run it with `negsim calibrate {path}`"
        )
    return parse_spec(doc, str(path), base_dir=path.resolve().parent)


def parse_spec(doc: dict, source: str, base_dir: Path | None = None) -> ExperimentSpec:
    """Validate a spec document (from TOML or built in a notebook).

    Args:
        doc: the document, with ``experiment``, ``fixed`` and ``vary`` tables.
        source: the name used in error messages.
        base_dir: where a relative cast path is looked up first.
    """
    problem = nesting_problem(doc)
    if problem:
        raise InputError(f"{source}: {problem}")
    try:
        spec = ExperimentSpec.model_validate(doc)
    except ValidationError as exc:
        raise InputError(validation_problems(source, exc, model=ExperimentSpec)) from None
    spec._source = source
    if spec.generate is None:
        if spec.experiment.cast is None:
            raise InputError(
                f"{source}: experiment.cast: required field is missing (a cast file, or a "
                "[generate] table for an ensemble of generated crises)"
            )
        spec._cast_path = _resolve_cast_path(spec.experiment.cast, source, base_dir)
        doc_cast = read_toml(spec._cast_path)
    else:
        if spec.experiment.cast is not None:
            raise InputError(
                f"{source}: experiment.cast: a spec runs one cast or a [generate]d ensemble, "
                "not both; remove one"
            )
        if problems := _check_generated_paths(spec, source):
            raise InputError(problems)
        doc_cast = spec.crisis_doc(0)
    problems, base = _check_parameters(spec, doc_cast, source)
    problems += _check_sampler(spec, source)
    problems += _check_hypothesis(spec, source)
    if not problems and spec.hypothesis is not None:
        problems += _check_robustness(doc, spec.hypothesis, source, base_dir)
    if problems:
        raise InputError(problems)
    spec._cast = base
    return spec


def _check_generated_paths(spec: ExperimentSpec, source: str) -> list[str]:
    """Paths into states, leaders or constituencies of a generated ensemble must name a
    principal: only ``CH`` and ``DF`` are in every generated crisis."""
    problems = []
    for table, paths in (("fixed", spec.fixed), ("vary", spec.vary)):
        for path in paths:
            keys = canonical_path(path).split(".")
            if keys[0] in ("states", "leaders", "constituencies") and (
                len(keys) < 2 or keys[1] not in (CHALLENGER, DEFENDER)
            ):
                problems.append(
                    f"{source}: {table}.{path}: a generated crisis has its own states; only "
                    f"the principals {CHALLENGER} and {DEFENDER} are in every one"
                )
            elif keys[0] == "sides":
                problems.append(
                    f"{source}: {table}.{path}: a generated crisis draws its sides; "
                    "vary parameters, cast.* or the principals instead"
                )
    return problems


def _resolve_cast_path(cast: str, source: str, base_dir: Path | None) -> Path:
    path = Path(cast)
    candidates = [path] if path.is_absolute() else [(base_dir or Path.cwd()) / path, path]
    for candidate in candidates:
        try:
            if candidate.is_file():
                return candidate.resolve()
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte ...
            reason = getattr(exc, "strerror", None) or exc
            raise InputError(
                f"{source}: experiment.cast: cannot use {shown(cast)} as a file name ({reason})"
            ) from None
    tried = ", ".join(shown(str(c), 120) for c in candidates)
    raise InputError(f"{source}: experiment.cast: no such cast file (looked for {tried})")


def _check_parameters(
    spec: ExperimentSpec, doc: dict, source: str
) -> tuple[list[str], Cast | None]:
    """Unknown paths, duplicated paths, values and ranges outside the schema."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for table, paths in (("fixed", spec.fixed), ("vary", spec.vary)):
        for path in paths:
            canon = canonical_path(path)
            if canon in seen:
                problems.append(f"{source}: {table}.{path}: the same parameter as {seen[canon]}")
            seen[canon] = f"{table}.{path}"
            if schema_field(canon) is None:
                problems.append(
                    f"{source}: {table}.{path}: no such parameter (expected a dotted cast path "
                    "such as bargaining.face_offer, leaders.<ID>.resolve or "
                    "constituencies.<ID>.<group>.stance)"
                )
    if problems:
        return problems, None
    fixed = {canonical_path(p): v for p, v in spec.fixed.items()}
    try:
        base_doc = apply_overrides(doc, fixed, f"{source}: fixed")
        what = spec.experiment.cast or "generated crisis 0"
        base = build_cast(base_doc, f"{source} (cast {what} with [fixed])")
    except InputError as exc:
        return exc.problems, None
    for path, how in spec.vary.items():
        problems += _check_varied(path, how, base_doc, source)
    return problems, base


def typed_value(path: str, value: Any) -> Any:
    """A sampled number as its parameter's type: rounded for an integer parameter."""
    kind = schema_field(canonical_path(path)).annotation
    if kind is int:
        return round(value)
    if kind is float or kind is None:
        return float(value)
    return value


def _check_varied(path: str, how: list[Any] | Range, doc: dict, source: str) -> list[str]:
    canon = canonical_path(path)
    field = schema_field(canon)
    where = f"{source}: vary.{path}"
    if isinstance(how, Range):
        if field.annotation not in (int, float, None):
            return [f"{where}: a range needs a numeric parameter; list the values instead"]
        if not how.low < how.high:
            return [f"{where}: expected low < high, got low = {how.low}, high = {how.high}"]
        lo, hi = schema_bounds(field)
        bad = []
        if lo is not None and how.low < lo:
            bad.append(f"{where}: low = {how.low} is below the schema's minimum {lo}")
        if hi is not None and how.high > hi:
            bad.append(f"{where}: high = {how.high} is above the schema's maximum {hi}")
        if bad:
            return bad
        values = [typed_value(path, how.low), typed_value(path, how.high)]
    else:
        if not how:
            return [f"{where}: an empty list of values (a grid needs at least one)"]
        values = how
    problems = []
    for value in values:
        try:
            build_cast(apply_overrides(doc, {canon: value}, where), where)
        except InputError as exc:
            problems += [
                f"{where}: value {shown(value)}: {line.split(': ', 2)[-1]}" for line in exc.problems
            ]
    return problems


def _check_sampler(spec: ExperimentSpec, source: str) -> list[str]:
    info = spec.experiment
    where = f"{source}: experiment.sampler"
    ranges = [p for p, how in spec.vary.items() if isinstance(how, Range)]
    lists = [p for p, how in spec.vary.items() if not isinstance(how, Range)]
    if info.sampler is Sampler.GRID:
        if ranges:
            return [
                f"{source}: vary.{p}: the grid sampler needs a list of values, got a range"
                for p in ranges
            ]
        if info.samples is not None:
            return [f"{source}: experiment.samples: not used by the grid sampler; remove it"]
        return []
    problems = [
        f"{source}: vary.{p}: the {info.sampler} sampler needs a range {{ low = ..., high = ... }}"
        for p in lists
    ]
    if not spec.vary:
        problems.append(f"{where}: '{info.sampler}' needs at least one parameter in [vary]")
    if info.samples is None:
        problems.append(f"{source}: experiment.samples: required by the {info.sampler} sampler")
    elif info.sampler is Sampler.SOBOL and info.samples & (info.samples - 1):
        problems.append(
            f"{source}: experiment.samples: the sobol sampler needs a power of two, "
            f"got {info.samples}"
        )
    return problems


def _check_hypothesis(spec: ExperimentSpec, source: str) -> list[str]:
    """Every condition of a hypothesis's effects names a varied parameter and a listed value."""
    if spec.hypothesis is None:
        return []
    problems = []
    for i, effect in enumerate(spec.hypothesis.effects):
        for side in ("high", "low"):
            for path, value in getattr(effect, side).items():
                where = f"{source}: hypothesis.effects[{i}].{side}.{path}"
                values = spec.vary.get(path)
                if not isinstance(values, list):
                    problems.append(f"{where}: expected a parameter varied as a grid list")
                elif value not in values:
                    problems.append(
                        f"{where}: expected one of the varied values {shown(values)}, "
                        f"got {shown(value)}"
                    )
    return problems


def _check_robustness(
    doc: dict, hypothesis: Hypothesis, source: str, base_dir: Path | None
) -> list[str]:
    """The robustness sweeps of a hypothesis (second cast, hot) are valid specs too."""
    problems = []
    for label, variant in variant_documents(doc, hypothesis).items():
        try:
            parse_spec(variant, f"{source} (hypothesis.robustness: {label})", base_dir)
        except InputError as exc:
            problems += exc.problems
    return problems
