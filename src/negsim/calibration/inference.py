"""ABC-SMC of the model's global parameters with pyabc, evaluated on the project's executors.

A particle is a set of values of the calibrated parameters. Its simulation runs
``replications`` generated crises (a fresh draw of crises and seeds each time) with those
values on an executor (local processes or a Dask cluster) and returns the fitted patterns
(`negsim.analysis.patterns.pattern_values`); its distance to the record is the Euclidean norm
of the differences, each divided by its pattern's scale (5 points for the ICB outcome shares,
a factor of 1.5 for the median duration, ...).

Reproducible: every generation starts from a seed derived from the master seed and the
generation's number, and particles are drawn and simulated one after the other in this
process (their runs in parallel), so the history is the same whatever the number of workers,
and a calibration interrupted between generations resumes to the same result (an
interrupted generation is redone from its start). pyabc keeps the history in SQLite
(``abc.db``).
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.analysis.patterns import BY_KEY, FITTED, observed_values, pattern_values
from negsim.calibration.spec import CalibrationSpec, Scale
from negsim.cast import canonical_path
from negsim.errors import InputError
from negsim.experiment.executors import Executor
from negsim.experiment.runner import ensemble_of
from negsim.experiment.tasks import Chunk, RunSpec

DB_NAME = "abc.db"
RUNS_PER_CHUNK = 8
MAX_FAILED_SHARE = 0.05  # a particle whose runs fail more often than this is an error
SEED_KEY = 0xABC  # spawn key of the generations' seeds


def _name(path: str) -> str:
    """A parameter's name in pyabc's history (no dots)."""
    return path.removeprefix("parameters.").replace(".", "__")


def _path(name: str) -> str:
    return "parameters." + name.replace("__", ".")


def prior_distribution(spec: CalibrationSpec) -> Any:
    """The priors as a pyabc Distribution (uniform, or log-uniform, on each range)."""
    import pyabc

    variables = {}
    for path, prior in spec.settings.priors.items():
        name = _name(canonical_path(path))
        if prior.scale is Scale.LOG:
            variables[name] = pyabc.RV("loguniform", prior.low, prior.high)
        else:
            variables[name] = pyabc.RV("uniform", prior.low, prior.high - prior.low)
    return pyabc.Distribution(**variables)


def generation_seed(master: int, generation: int) -> int:
    """The seed numpy's and Python's global generators get before a generation."""
    return int(
        np.random.SeedSequence(master, spawn_key=(SEED_KEY, generation)).generate_state(1)[0]
    )


def overrides_of(values: dict[str, float]) -> dict[str, Any]:
    """Parameter values keyed by canonical path as cast overrides (integers rounded)."""
    from negsim.cast import schema_field

    return {
        path: round(float(v)) if schema_field(path).annotation is int else float(v)
        for path, v in values.items()
    }


class EnsembleSimulator:
    """Runs a particle's generated crises on an executor and measures its patterns.

    Args:
        spec: the calibration spec.
        executor: where the runs are computed.
        calibrated: cast defaults of the runs: False (the schema's defaults, so a calibration
            does not depend on an earlier one) or True (the adopted calibrated set).
        on_runs: called with each simulation's runs table (for the predictive check).
    """

    def __init__(
        self,
        spec: CalibrationSpec,
        executor: Executor,
        calibrated: bool = False,
        on_runs: Callable[[pd.DataFrame], None] | None = None,
    ):
        self.spec = spec
        self.executor = executor
        self.calibrated = calibrated
        self.on_runs = on_runs
        self.runs_done = 0
        self.seconds = 0.0

    def runs(self, values: dict[str, Any], n: int, rng: np.random.RandomState) -> pd.DataFrame:
        """``n`` runs of fresh generated crises with ``values`` held fixed."""
        ensemble = ensemble_of(self.spec.experiment)
        ensemble = replace(ensemble, fixed={**ensemble.fixed, "cast.calibrated": self.calibrated})
        crises = rng.randint(0, 2**31 - 1, size=n)
        seeds = rng.randint(0, 2**31 - 1, size=n)
        per = ensemble.settings["runs_per_crisis"]
        specs = [
            RunSpec(i, 0, int(c) * per, int(s))
            for i, (c, s) in enumerate(zip(crises, seeds, strict=True))
        ]
        chunks = [
            Chunk(
                cast_key=f"calibration:{sorted(values.items())}",
                cast_doc=None,
                source="generated crises",
                max_ticks=self.spec.experiment.experiment.max_ticks,
                collect_series=False,
                points={0: values},
                runs=specs[start : start + RUNS_PER_CHUNK],
                ensemble=ensemble,
            )
            for start in range(0, n, RUNS_PER_CHUNK)
        ]
        started = time.perf_counter()
        rows = [row for result in self.executor.map_chunks(chunks) for row in result.rows]
        self.seconds += time.perf_counter() - started
        self.runs_done += n
        table = pd.DataFrame(rows).sort_values("run_id", kind="stable")
        failed = table[table["status"] == "failed"]
        if len(failed) > MAX_FAILED_SHARE * n:
            raise RuntimeError(
                f"{len(failed)} of {n} runs failed with {values}; first error: "
                f"{failed['error'].iloc[0]}"
            )
        return table[table["status"] == "ok"]

    def __call__(self, parameters: Any) -> dict[str, float]:
        """pyabc's model: a particle's parameters in, its fitted patterns out."""
        values = overrides_of({_path(k): v for k, v in dict(parameters).items()})
        table = self.runs(values, self.spec.experiment.experiment.replications, np.random)
        if self.on_runs is not None:
            self.on_runs(table)
        return pattern_values(table)


def distance_function() -> Any:
    """The Euclidean distance in units of each fitted pattern's scale."""
    import pyabc

    return pyabc.PNormDistance(p=2, fixed_weights={k: 1.0 / BY_KEY[k].scale for k in FITTED})


def _abc(spec: CalibrationSpec, simulator: EnsembleSimulator, generation: int) -> Any:
    import pyabc

    return pyabc.ABCSMC(
        models=simulator,
        parameter_priors=prior_distribution(spec),
        distance_function=distance_function(),
        population_size=spec.settings.population,
        sampler=pyabc.sampler.SingleCoreSampler(),
        # The first generation accepts every draw of the prior (no extra calibration sample);
        # each later one the better half of the previous generation's weighted distances, read
        # from the history as a continuous pyabc run would compute it.
        eps=pyabc.QuantileEpsilon(
            initial_epsilon=math.inf if generation == 0 else "from_sample", alpha=0.5
        ),
    )


def db_url(root: Path) -> str:
    """The SQLAlchemy address of a calibration's pyabc history."""
    return f"sqlite:///{(root / DB_NAME).resolve()}"


def generations_done(root: Path) -> int:
    """How many generations the history in ``root`` holds (0 when it has none)."""
    if not (root / DB_NAME).is_file():
        return 0
    import pyabc

    history = pyabc.History(db_url(root), _id=1)
    return int(history.max_t) + 1 if history.n_populations else 0


def last_acceptance(root: Path) -> float:
    """The acceptance rate of the history's last generation."""
    import pyabc

    history = pyabc.History(db_url(root), _id=1)
    populations = history.get_all_populations()
    last = populations[populations["t"] >= 0].iloc[-1]
    return float(history.get_nr_particles_per_population().iloc[-1] / last["samples"])


def run_generations(
    spec: CalibrationSpec,
    root: Path,
    executor: Executor,
    report: Callable[[int, float, float], None] | None = None,
) -> int:
    """Run the generations still to do (resuming the history in ``root``); return how many
    generations the history holds. ``report(t, epsilon, acceptance)`` after each."""
    import pyabc  # noqa: F401  (it sets its loggers' levels when first imported)

    logging.getLogger("ABC").setLevel(logging.WARNING)  # the caller reports each generation
    simulator = EnsembleSimulator(spec, executor)
    done = generations_done(root)
    settings = spec.settings
    while done < settings.generations:
        if done and last_acceptance(root) < settings.min_acceptance:
            break
        seed = generation_seed(spec.experiment.experiment.seed, done)
        np.random.seed(seed % 2**32)
        random.seed(seed)
        abc = _abc(spec, simulator, done)
        if done == 0:
            abc.new(db_url(root), observed_values())
        else:
            abc.load(db_url(root), 1)
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                history = abc.run(max_nr_populations=1)
        except AssertionError as exc:  # pyabc's check that the weights sum to 1
            if "not normalized" not in str(exc):
                raise
            raise InputError(
                f"{spec.source}: generation {done}: the particles' weights collapsed (too few "
                f"particles near the threshold); raise calibration.population (now "
                f"{settings.population}) and rerun with --force, or keep the "
                f"{done} generation{'s' if done != 1 else ''} done by lowering calibration.generations"
            ) from None
        done = int(history.max_t) + 1
        if report is not None:
            populations = history.get_all_populations()
            last = populations.iloc[-1]
            report(done - 1, float(last["epsilon"]), last_acceptance(root))
    return done


def posterior(root: Path) -> pd.DataFrame:
    """The last generation's particles: one column per parameter (canonical path), and
    ``weight``."""
    import pyabc

    history = pyabc.History(db_url(root), _id=1)
    if not history.n_populations:
        raise InputError(f"{root}: the calibration has no generation yet")
    frame, weights = history.get_distribution(m=0)
    frame = frame.rename(columns=_path)
    frame = frame[sorted(frame.columns)]
    frame["weight"] = weights
    return frame.reset_index(drop=True)


def diagnostics(root: Path) -> pd.DataFrame:
    """One row per generation: epsilon, particles, simulations, acceptance rate, effective
    sample size, and the accepted particles' distances (weighted mean, median, max)."""
    import pyabc
    from pyabc.weighted_statistics import effective_sample_size, weighted_median

    history = pyabc.History(db_url(root), _id=1)
    populations = history.get_all_populations()
    particles = history.get_nr_particles_per_population()
    rows = []
    for row in populations[populations["t"] >= 0].itertuples():
        t = int(row.t)
        distances = history.get_weighted_distances(t)
        w = distances["w"].to_numpy()
        d = distances["distance"].to_numpy()
        w = w / w.sum()
        rows.append(
            {
                "generation": t,
                "epsilon": float(row.epsilon),
                "particles": int(particles[t]),
                "simulations": int(row.samples),
                "acceptance": float(particles[t] / row.samples),
                "ess": float(effective_sample_size(w)),
                "distance_mean": float((w * d).sum()),
                "distance_median": float(weighted_median(d, w)),
                "distance_max": float(d.max()),
            }
        )
    return pd.DataFrame(rows)


def weighted_quantiles(frame: pd.DataFrame, column: str, qs: list[float]) -> list[float]:
    """Quantiles of a posterior column under its weights: the smallest particle value whose
    cumulative weight reaches each q."""
    values = frame[column].to_numpy()
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(frame["weight"].to_numpy()[order])
    cumulative /= cumulative[-1]
    picks = [min(len(values) - 1, int(np.searchsorted(cumulative, q))) for q in qs]
    return [float(values[order][i]) for i in picks]


def point_estimate(frame: pd.DataFrame) -> dict[str, float]:
    """The posterior's weighted median of each parameter."""
    return {c: weighted_quantiles(frame, c, [0.5])[0] for c in frame.columns if c != "weight"}


def posterior_draws(frame: pd.DataFrame, n: int, seed: int) -> list[dict[str, float]]:
    """``n`` particles drawn from the posterior by weight (with replacement)."""
    rng = np.random.default_rng(seed)
    w = frame["weight"].to_numpy()
    picks = rng.choice(len(frame), size=n, p=w / w.sum())
    columns = [c for c in frame.columns if c != "weight"]
    return [{c: float(frame.iloc[i][c]) for c in columns} for i in picks]
