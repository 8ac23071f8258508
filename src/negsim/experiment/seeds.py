"""Per-run seeds, derived so that a run's record depends only on its place in the spec."""

from __future__ import annotations

import numpy as np

# spawn_key of the stream the random samplers draw from: longer than a run's (point,
# replication) key, so it never coincides with one.
SAMPLER_KEY = (0x5A4D, 0, 0)


def run_seed(master: int, point: int, replication: int) -> int:
    """The seed of run (point, replication): a 63-bit integer from `numpy.random.SeedSequence`.

    The same whatever the worker count, the completion order or an interruption.
    """
    words = np.random.SeedSequence(master, spawn_key=(point, replication)).generate_state(
        1, np.uint64
    )
    return int(words[0] >> np.uint64(1))


def sampler_seed(master: int) -> int:
    """The seed the random, LHS, Sobol and Morris samplers use."""
    return int(np.random.SeedSequence(master, spawn_key=SAMPLER_KEY).generate_state(1)[0])
