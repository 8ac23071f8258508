"""Experiments: specs, samplers, executors, the result store and the sweep runner.

The names below are imported on first use, so that a sweep's worker processes, which need
only `negsim.experiment.tasks`, do not import the runner and the result store (pyarrow).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from negsim.experiment.runner import SweepResult, plan, run_experiment
    from negsim.experiment.spec import ExperimentSpec, load_spec, parse_spec
    from negsim.experiment.store import load_results, load_series

_HOMES = {
    "ExperimentSpec": "spec",
    "SweepResult": "runner",
    "load_results": "store",
    "load_series": "store",
    "load_spec": "spec",
    "parse_spec": "spec",
    "plan": "runner",
    "run_experiment": "runner",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'negsim.experiment' has no attribute '{name}'")
    return getattr(importlib.import_module(f"negsim.experiment.{home}"), name)
