"""Outcome statistics: Wilson intervals, per-point tables and sensitivity indices."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from SALib.sample import sobol as sobol_sample

from negsim.analysis.stats import (
    OUTCOMES,
    difference_of_means,
    format_summary,
    paired_difference,
    sensitivity,
    sensitivity_warning,
    summary_table,
    wilson,
)


def test_pairing_by_seed_narrows_the_interval_of_a_shared_noise():
    rng = np.random.default_rng(0)
    shared = rng.normal(0.0, 1.0, 200)  # what both arms draw from the same seeds
    low, high = shared, shared + 0.1 + rng.normal(0.0, 0.05, 200)
    paired, unpaired = paired_difference(high, low), difference_of_means(high, low)
    assert paired.value == pytest.approx(unpaired.value)
    assert paired.lo > 0.0 > unpaired.lo  # separated only when paired
    assert paired.n_high == 200


def test_paired_arms_must_pair():
    with pytest.raises(ValueError, match="differ in length"):
        paired_difference(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [(0, 10, 0.0, 0.27753), (50, 100, 0.40383, 0.59617), (1, 20, 0.00889, 0.23613)],
)
def test_wilson_interval_matches_known_values(k, n, lo, hi):
    assert wilson(k, n) == pytest.approx((lo, hi), abs=1e-5)


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_holds_the_observed_share(kn):
    k, n = kn
    lo, hi = wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_of_no_runs_is_undefined():
    assert all(np.isnan(wilson(0, 0)))


def _runs(outcomes: list[str], point: int = 0, face: float = 0.1) -> pd.DataFrame:
    n = len(outcomes)
    return pd.DataFrame(
        {
            "run_id": range(n),
            "point": point,
            "face": face,
            "status": "ok",
            "outcome": outcomes,
            "end_tick": np.arange(n) + 10,
            "deal_x": [0.4 if o == "settlement" else np.nan for o in outcomes],
            "face_public": [0.2 if o == "settlement" else np.nan for o in outcomes],
            "min_cohesion": 0.3,
            "mean_cohesion": 0.5,
            "coalition_collapsed": False,
            "peak_rung": 3,
            "humanitarian_cost": 10.0,
            "cost_A": 1.0,
            "cost_B": 2.0,
        }
    )


def test_summary_table_gives_shares_intervals_and_statistics_per_point():
    runs = pd.concat(
        [
            _runs(["settlement", "stalemate", "settlement", "conquest"]),
            _runs(["catastrophe"] * 3, point=1, face=0.5),
        ],
        ignore_index=True,
    )
    runs.loc[len(runs)] = {**runs.iloc[0].to_dict(), "status": "failed", "outcome": None}
    table = summary_table(runs, ["face"])
    first, second = table.iloc[0], table.iloc[1]
    assert first["runs"] == 4 and first["failed"] == 1
    assert first["share_settlement"] == 0.5
    assert (first["share_settlement_lo"], first["share_settlement_hi"]) == wilson(2, 4)
    assert sum(first[f"share_{o}"] for o in OUTCOMES) == pytest.approx(1.0)
    assert first["deal_x_mean"] == 0.4 and np.isnan(second["deal_x_mean"])
    assert first["end_tick_median"] == 11.5
    assert first["economic_cost_total_mean"] == 3.0
    assert second["face"] == 0.5 and second["share_catastrophe"] == 1.0


def test_sobol_indices_single_out_the_parameter_that_drives_an_output():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    x = sobol_sample.sample(problem, 64, calc_second_order=False, seed=1)
    table = pd.DataFrame({"a": x[:, 0], "b": x[:, 1]})
    for outcome in OUTCOMES:
        table[f"share_{outcome}"] = 0.0
    table["share_settlement"] = x[:, 0]
    table["share_stalemate"] = 1 - x[:, 0]
    table["end_tick_mean"] = 50 + 10 * x[:, 1]
    spec = {
        "experiment": {"sampler": "sobol", "seed": 1, "second_order": False, "levels": 4},
        "vary": {"a": {"low": 0, "high": 1}, "b": {"low": 0, "high": 1}},
    }
    indices = sensitivity(table, spec).set_index(["output", "parameter"])
    assert indices.loc[("share_settlement", "a"), "ST"] > 0.9
    assert indices.loc[("share_settlement", "b"), "ST"] < 0.1
    assert indices.loc[("end_tick_mean", "b"), "S1"] > 0.9
    assert np.isnan(indices.loc[("share_conquest", "a"), "S1"])


def test_unreliable_sobol_indices_are_flagged_with_the_samples_they_would_need():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    x = sobol_sample.sample(problem, 16, calc_second_order=False, seed=1)
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "runs": 5})
    for outcome in OUTCOMES:
        table[f"share_{outcome}"] = 0.0
    table["share_settlement"] = x[:, 0]  # driven by a alone: reliable for a
    table["share_stalemate"] = rng.random(len(x))  # noise: nothing reliable
    table["end_tick_mean"] = 50 + 10 * x[:, 0]
    spec = {
        "experiment": {"sampler": "sobol", "seed": 1, "second_order": False, "levels": 4},
        "vary": {"a": {"low": 0, "high": 1}, "b": {"low": 0, "high": 1}},
    }
    indices = sensitivity(table, spec).set_index(["output", "parameter"])
    assert indices.loc[("share_settlement", "a"), "flag"] == ""
    assert indices.loc[("share_settlement", "a"), "samples_needed"] == 16
    noisy = indices.loc["share_stalemate"]
    assert (noisy["flag"] != "").any()
    flagged = noisy[noisy["flag"] != ""]
    for _, row in flagged.iterrows():  # N (c / 0.05)^2, rounded up to a power of two
        widest = max(row["S1_conf"], row["ST_conf"])
        assert row["samples_needed"] >= 16 * (widest / 0.05) ** 2 * 0.999
        assert row["samples_needed"] & (row["samples_needed"] - 1) == 0
    warning = sensitivity_warning(indices.reset_index(), "sobol")
    assert "base samples N = 16" in warning and "unreliable" in warning
    above = indices[indices["ST"] - indices["ST_conf"] > 1]
    assert all("ST > 1" in flag for flag in above["flag"])  # a share of variance above one


def test_a_single_point_summary_prints_counts_as_integers():
    text = format_summary(summary_table(_runs(["settlement"] * 3 + ["stalemate"]), []), [])
    assert re.search(r"^  runs +4$", text, re.M)
    assert re.search(r"^  failed +0$", text, re.M)
    assert re.search(r"^  peak_rung_max +3$", text, re.M)


def test_holm_adjusts_step_down_and_keeps_the_order():
    from negsim.analysis.stats import holm

    # Holm (1979): sorted p 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, 0.06.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.9]) == [0.9]


def test_draws_pool_by_rubins_rules():
    from negsim.analysis.stats import Estimate, pool_draws

    half = 1.959963984540054 * 0.05  # each draw: a standard error of 0.05
    draws = [Estimate(v, v - half, v + half, 100, 100, 0.5, 0.5 - v) for v in (0.1, 0.2, 0.15)]
    pooled = pool_draws(draws)
    within, between = 0.05**2, 0.0025
    total = within + (1 + 1 / 3) * between
    assert pooled.value == pytest.approx(0.15)
    assert pooled.between == pytest.approx((1 + 1 / 3) * between / total)
    assert pooled.df == pytest.approx(2 / pooled.between**2)
    assert pooled.lo < 0.15 - 1.96 * math.sqrt(total)  # a t interval: wider than normal
    assert (pooled.n_high, pooled.n_low, pooled.draws) == (300, 300, 3)
    single = pool_draws(draws[:1])
    assert (single.value, single.lo, single.hi) == pytest.approx((0.1, 0.1 - half, 0.1 + half))
