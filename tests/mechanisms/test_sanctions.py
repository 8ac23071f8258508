import numpy as np

from negsim.cast import Parameters
from negsim.mechanisms.sanctions import buffered_loss, sanction_pressure, sanctioner_costs

P = Parameters()
ECON = np.array([4.0, 1.0])
SHARES = ECON / ECON.sum()


def test_exposure_raises_the_sanctioners_cost():
    costs = sanctioner_costs(np.array([0.5, 0.5]), np.array([0.8, 0.1]), ECON, 0.0, P.sanctions)
    assert costs[0] > costs[1]


def test_burden_sharing_evens_out_the_costs():
    levels, exposures = np.array([0.5, 0.5]), np.array([0.8, 0.1])
    alone = sanctioner_costs(levels, exposures, ECON, 0.0, P.sanctions)
    shared = sanctioner_costs(levels, exposures, ECON, 1.0, P.sanctions)
    assert np.ptp(shared) < np.ptp(alone)
    assert np.isclose(shared @ ECON, alone @ ECON)


def test_reserves_buffer_the_sanctioned_economy():
    assert buffered_loss(0.01, 0.5, 3.0) < buffered_loss(0.01, 0.0, 3.0)


def test_low_cohesion_blunts_sanctions():
    levels = np.array([1.0, 1.0])
    assert sanction_pressure(levels, SHARES, 0.2, 0.0, P) < sanction_pressure(
        levels, SHARES, 0.9, 0.0, P
    )


def test_neutral_trade_leaks_around_sanctions():
    levels = np.array([1.0, 1.0])
    assert sanction_pressure(levels, SHARES, 1.0, 0.3, P) < sanction_pressure(
        levels, SHARES, 1.0, 0.0, P
    )
