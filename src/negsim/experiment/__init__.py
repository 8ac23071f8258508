"""Experiments: specs, samplers, executors, the result store and the sweep runner."""

from negsim.experiment.runner import SweepResult, plan, run_experiment
from negsim.experiment.spec import ExperimentSpec, load_spec, parse_spec
from negsim.experiment.store import load_results, load_series

__all__ = [
    "ExperimentSpec",
    "SweepResult",
    "load_results",
    "load_series",
    "load_spec",
    "parse_spec",
    "plan",
    "run_experiment",
]
