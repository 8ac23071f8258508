"""The calibration spec: an ensemble experiment plus a ``[calibration]`` table.

::

    [experiment]
    name = "calibration"       # results go to results/calibration/
    replications = 120         # generated crises run for each particle
    seed = 2026                # master seed: the whole calibration is a function of it

    [generate]                 # the ensemble (negsim.generator)
    max_states = 12

    [calibration]
    population = 100           # particles per generation
    generations = 6            # ABC-SMC generations at most
    min_acceptance = 0.02      # stop earlier when a generation accepts less than this
    predictive_draws = 20      # posterior draws of the predictive check
    predictive_runs = 200      # generated crises run for each draw

    [calibration.priors]       # uniform on [low, high] (or on the log scale) within the schema
    "decisions.cost_weight" = { low = 0.2, high = 20.0, scale = "log" }

Every prior must lie within its parameter's schema range; policy levers (facts of a crisis,
drawn by the generator) cannot be calibrated.
"""

from __future__ import annotations

import copy
import math
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from negsim.cast import (
    Section,
    canonical_path,
    read_toml,
    schema_bounds,
    schema_field,
    validation_problems,
)
from negsim.errors import InputError, shown
from negsim.experiment.spec import ExperimentSpec, parse_spec


class Scale(StrEnum):
    """How a prior spreads its mass over ``[low, high]``."""

    LINEAR = "linear"
    LOG = "log"


class Prior(Section):
    """A uniform prior over ``[low, high]``, on the linear or the log scale."""

    low: float
    high: float
    scale: Scale = Scale.LINEAR

    @model_validator(mode="after")
    def _ordered(self) -> Prior:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(
                f"expected finite low < high, got low = {self.low}, high = {self.high}"
            )
        if self.scale is Scale.LOG and self.low <= 0:
            raise ValueError(f"a log-scale prior needs low > 0, got {self.low}")
        return self


class CalibrationSettings(Section):
    """The ``[calibration]`` table."""

    population: int = Field(100, ge=5, le=100_000, description="particles per generation")
    generations: int = Field(6, ge=1, le=100, description="ABC-SMC generations at most")
    min_acceptance: float = Field(
        0.02, ge=0, le=1, description="stop when a generation's acceptance rate is below this"
    )
    predictive_draws: int = Field(
        20, ge=1, le=10_000, description="posterior draws of the predictive check"
    )
    predictive_runs: int = Field(
        200, ge=10, le=1_000_000, description="generated crises run for each draw"
    )
    priors: dict[str, Prior] = Field(description="the calibrated parameters and their priors")


class CalibrationSpec:
    """A validated calibration spec: the ensemble experiment and the calibration settings."""

    def __init__(self, experiment: ExperimentSpec, settings: CalibrationSettings, source: str):
        self.experiment = experiment
        self.settings = settings
        self.source = source

    @property
    def name(self) -> str:
        """The calibration's name (its results folder)."""
        return self.experiment.name

    @property
    def parameters(self) -> list[str]:
        """The calibrated parameters' canonical paths (``parameters.<section>.<name>``)."""
        return [canonical_path(p) for p in self.settings.priors]

    def canonical(self) -> dict[str, Any]:
        """The whole spec as plain data (what the results folder records)."""
        return {
            **self.experiment.canonical(),
            "calibration": self.settings.model_dump(mode="json"),
        }

    def history_key(self) -> dict[str, Any]:
        """What the generations' history depends on: the spec without its stopping rule and
        its predictive check, so a calibration can be extended by more generations."""
        key = self.canonical()
        for name in ("generations", "min_acceptance", "predictive_draws", "predictive_runs"):
            key["calibration"].pop(name)
        return key


def is_lever(path: str) -> bool:
    """A policy lever is a fact of a crisis (its schema meaning says so), not of the model."""
    field = schema_field(canonical_path(path))
    return field is not None and "lever" in (field.description or "")


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Read and validate a calibration spec file; raise InputError listing every problem."""
    path = Path(path)
    doc = read_toml(path)
    source = str(path)
    if "calibration" not in doc:
        if "states" in doc:
            raise InputError(
                f"{source}: this is a cast, not a calibration spec: run it with `negsim run {path}`"
            )
        raise InputError(
            f"{source}: expected a [calibration] table (this looks like an experiment spec: "
            f"run it with `negsim sweep {path}`)"
        )
    experiment_doc = copy.deepcopy(doc)
    table = experiment_doc.pop("calibration")
    try:
        settings = CalibrationSettings.model_validate(table)
    except ValidationError as exc:
        problems = [
            line.replace(f"{source}: ", f"{source}: calibration.", 1)
            for line in validation_problems(source, exc)
        ]
        raise InputError(problems) from None
    experiment = parse_spec(experiment_doc, source, base_dir=path.resolve().parent)
    problems = _check(experiment, settings, source)
    if problems:
        raise InputError(problems)
    return CalibrationSpec(experiment, settings, source)


def _check(experiment: ExperimentSpec, settings: CalibrationSettings, source: str) -> list[str]:
    problems = []
    if not experiment.generated:
        problems.append(
            f"{source}: experiment.cast: a calibration fits the record with an ensemble of "
            "generated crises; replace the cast by a [generate] table"
        )
    if experiment.vary:
        problems.append(f"{source}: vary: a calibration varies its priors' parameters only")
    if not settings.priors:
        problems.append(f"{source}: calibration.priors: expected at least one parameter")
    fixed = {canonical_path(p) for p in experiment.fixed}
    for path, prior in settings.priors.items():
        where = f"{source}: calibration.priors.{path}"
        canon = canonical_path(path)
        field = schema_field(canon)
        if not canon.startswith("parameters.") or field is None:
            problems.append(f"{where}: no such model parameter (e.g. decisions.cost_weight)")
            continue
        if field.annotation not in (int, float):
            problems.append(f"{where}: a prior needs a numeric parameter")
            continue
        if is_lever(canon):
            problems.append(
                f"{where}: a policy lever is a fact of each crisis (the generator draws it), "
                "not a model parameter to calibrate"
            )
        if canon in fixed:
            problems.append(f"{where}: also held fixed in [fixed]; remove one")
        lo, hi = schema_bounds(field)
        if lo is not None and prior.low < lo:
            problems.append(f"{where}: low = {shown(prior.low)} is below the schema's minimum {lo}")
        if hi is not None and prior.high > hi:
            problems.append(
                f"{where}: high = {shown(prior.high)} is above the schema's maximum {hi}"
            )
    return problems
