"""Samplers produce the expected points; seeds depend only on (master, point, replication)."""

from __future__ import annotations

import numpy as np
from SALib.sample import sobol

from negsim.experiment.runner import plan
from negsim.experiment.samplers import salib_problem, sample_points
from negsim.experiment.seeds import run_seed, sampler_seed
from negsim.experiment.spec import load_spec
from tests.experiment.helpers import write_spec

RANGES = (
    '"bargaining.face_offer" = { low = 0.2, high = 0.6 }\n'
    '"bargaining.start_days" = { low = 0, high = 40 }'
)


def _spec(tmp_path, sampler: str, samples: int = 8, vary: str = RANGES):
    return load_spec(write_spec(tmp_path, sampler=sampler, extra=f"samples = {samples}", vary=vary))


def test_grid_is_the_cartesian_product_in_spec_order(tmp_path):
    vary = '"bargaining.face_offer" = [0.0, 0.5]\n"leaders.ARG.resolve" = [0.3, 0.6, 0.9]'
    points = sample_points(load_spec(write_spec(tmp_path, vary=vary)))
    assert len(points) == 6
    assert points[0] == {"bargaining.face_offer": 0.0, "leaders.ARG.resolve": 0.3}
    assert points[1] == {"bargaining.face_offer": 0.0, "leaders.ARG.resolve": 0.6}
    assert points[-1] == {"bargaining.face_offer": 0.5, "leaders.ARG.resolve": 0.9}


def test_a_grid_with_nothing_to_vary_is_one_point(tmp_path):
    assert sample_points(load_spec(write_spec(tmp_path, vary=""))) == [{}]


def test_random_points_lie_in_their_ranges_and_integers_stay_integers(tmp_path):
    points = sample_points(_spec(tmp_path, "random", 50))
    assert len(points) == 50
    assert all(0.2 <= p["bargaining.face_offer"] <= 0.6 for p in points)
    assert all(isinstance(p["bargaining.start_days"], int) for p in points)
    assert all(0 <= p["bargaining.start_days"] <= 40 for p in points)
    assert points == sample_points(_spec(tmp_path, "random", 50))


def test_latin_hypercube_puts_one_point_in_each_stratum_of_each_parameter(tmp_path):
    n = 10
    spec = _spec(tmp_path, "latin_hypercube", n, vary=RANGES.splitlines()[0])
    x = np.array([p["bargaining.face_offer"] for p in sample_points(spec)])
    strata = np.floor((x - 0.2) / 0.4 * n).astype(int)
    assert sorted(strata) == list(range(n))


def test_sobol_gives_n_times_d_plus_2_points_as_salib_does(tmp_path):
    spec = _spec(tmp_path, "sobol", 8, vary=RANGES.splitlines()[0])
    points = sample_points(spec)
    assert len(points) == 8 * (1 + 2)
    expected = sobol.sample(salib_problem(spec), 8, calc_second_order=False, seed=sampler_seed(11))
    assert np.allclose([p["bargaining.face_offer"] for p in points], expected[:, 0])


def test_morris_gives_trajectories_of_d_plus_1_points(tmp_path):
    assert len(sample_points(_spec(tmp_path, "morris", 5))) == 5 * (2 + 1)


def test_run_seeds_depend_only_on_master_point_and_replication(tmp_path):
    seeds = {run_seed(11, p, r) for p in range(20) for r in range(20)}
    assert len(seeds) == 400
    assert all(0 <= s < 2**63 for s in seeds)
    assert run_seed(11, 3, 4) == run_seed(11, 3, 4) != run_seed(12, 3, 4)
    small = plan(load_spec(write_spec(tmp_path, "a", replications=2)))[1]
    large = plan(load_spec(write_spec(tmp_path, "b", replications=5)))[1]
    assert {(r.point, r.replication): r.seed for r in small}.items() <= {
        (r.point, r.replication): r.seed for r in large
    }.items()
