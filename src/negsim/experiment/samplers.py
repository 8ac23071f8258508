"""The points of an experiment: grid, random, Latin hypercube, Sobol and Morris designs."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from negsim.experiment.seeds import sampler_seed
from negsim.experiment.spec import ExperimentSpec, Range, Sampler, typed_value


def salib_problem(spec: ExperimentSpec) -> dict[str, Any]:
    """The SALib problem description of a spec's ranges."""
    ranges = [how for how in spec.vary.values() if isinstance(how, Range)]
    return {
        "num_vars": len(ranges),
        "names": list(spec.vary),
        "bounds": [[r.low, r.high] for r in ranges],
    }


def sample_matrix(spec: ExperimentSpec) -> np.ndarray:
    """The design matrix (points x parameters) of a range sampler, before integer rounding."""
    info = spec.experiment
    problem = salib_problem(spec)
    seed = sampler_seed(info.seed)
    n = info.samples
    match info.sampler:
        case Sampler.RANDOM:
            bounds = np.array(problem["bounds"])
            u = np.random.default_rng(seed).random((n, problem["num_vars"]))
            return bounds[:, 0] + u * (bounds[:, 1] - bounds[:, 0])
        case Sampler.LATIN_HYPERCUBE:
            from SALib.sample import latin

            return latin.sample(problem, n, seed=seed)
        case Sampler.SOBOL:
            from SALib.sample import sobol

            return sobol.sample(problem, n, calc_second_order=info.second_order, seed=seed)
        case Sampler.MORRIS:
            from SALib.sample import morris

            return morris.sample(problem, n, num_levels=info.levels, seed=seed)
    raise ValueError(f"not a range sampler: {info.sampler}")


def sample_points(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """Every parameter point of the experiment, in order; keys are the spec's paths.

    A grid with nothing to vary is a single point (the cast as it is).
    """
    paths = list(spec.vary)
    if spec.experiment.sampler is Sampler.GRID:
        combos = itertools.product(*(spec.vary[p] for p in paths))
        return [
            {p: typed_value(p, v) for p, v in zip(paths, combo, strict=True)} for combo in combos
        ]
    return [
        {p: typed_value(p, v) for p, v in zip(paths, row, strict=True)}
        for row in sample_matrix(spec).tolist()
    ]
