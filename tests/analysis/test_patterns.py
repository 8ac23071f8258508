"""The empirical patterns, measured on hand-made runs tables whose answers are known."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from negsim.analysis.patterns import (
    FITTED,
    HELD_OUT,
    PATTERNS,
    measure,
    observed_values,
    pattern_table,
    pattern_values,
    run_terms,
)


def _runs(rows: list[dict]) -> pd.DataFrame:
    base = {
        "status": "ok",
        "deal_x": math.nan,
        "end_days": 30.0,
        "peak_rung": 0,
        "final_rung": 0,
        "sanction_pressure_peak": 0.0,
        "n_threats_by_challenger": 0,
        "n_threats_by_defender": 0,
        "n_threats_complied_challenger": 0,
        "n_threats_complied_defender": 0,
        "partners": 0,
        "partners_defected": 0,
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def test_each_end_maps_to_the_icb_terms_of_docs_validation():
    runs = _runs(
        [
            {"outcome": "settlement", "deal_x": 0.9, "peak_rung": 3, "final_rung": 0},
            {"outcome": "conquest", "peak_rung": 3, "final_rung": 3},
            {"outcome": "target_capitulation", "peak_rung": 2, "final_rung": 2},
            {"outcome": "aggressor_withdrawal", "peak_rung": 1, "final_rung": 1},
            {"outcome": "stalemate", "peak_rung": 1, "final_rung": 1},  # calm: tacit
            {"outcome": "stalemate", "peak_rung": 3, "final_rung": 3},  # fought on: faded
            {"outcome": "catastrophe", "peak_rung": 5, "final_rung": 5},
        ]
    )
    t = run_terms(runs)
    assert t["compromise"].tolist() == [True, False, False, False, False, False, False]
    assert t["decisive"].tolist() == [False, True, True, True, False, False, False]
    assert t["stalemate"].tolist() == [False, False, False, False, True, True, False]
    assert t["agreement"].tolist() == [True, False, False, False, True, False, False]
    assert t["unilateral"].tolist() == [False, False, True, True, False, False, False]
    assert t["imposed"].tolist() == [False, True, False, False, False, False, False]
    assert t["faded"].tolist() == [False, False, False, False, False, True, False]
    assert t["violence_none"].tolist() == [False, False, False, True, True, False, False]
    assert t["violence_war"].tolist() == [True, True, False, False, False, True, True]
    assert t["nuclear_use"].sum() == 1


def test_threats_and_partners_are_pooled_over_runs_and_sanctions_judged_per_episode():
    runs = _runs(
        [
            {
                "outcome": "aggressor_withdrawal",
                "n_threats_by_defender": 3,
                "n_threats_complied_defender": 1,
                "sanction_pressure_peak": 0.4,
                "partners": 4,
                "partners_defected": 1,
            },
            {
                "outcome": "settlement",
                "deal_x": 0.8,
                "n_threats_by_challenger": 1,
                "n_threats_complied_challenger": 1,
                "sanction_pressure_peak": 0.2,
                "partners": 2,
            },
            {"outcome": "stalemate", "final_rung": 3},
        ]
    )
    found = measure(runs)
    assert found["threat_success"][0] == pytest.approx(2 / 4)
    assert found["alliances_honoured"][0] == pytest.approx(5 / 6)
    assert found["sanction_success"][0] == pytest.approx(1 / 2)  # a withdrawal; x 0.8 is not
    assert found["sanction_success"][3] == 2
    assert found["median_days"][0] == 30.0


def test_failed_runs_are_left_out_and_intervals_hold_the_value():
    runs = _runs([{"outcome": "settlement", "deal_x": 0.5}] * 30 + [{"outcome": "stalemate"}] * 10)
    runs.loc[0, "status"] = "failed"
    table = pattern_table(runs).set_index("pattern")
    assert table.loc["compromise", "n"] == 39
    assert table.loc["compromise", "model"] == pytest.approx(29 / 39)
    for row in table.itertuples():
        if not math.isnan(row.model):
            assert row.low <= row.model <= row.high


def test_the_fitted_values_are_in_the_terms_of_the_record():
    runs = _runs([{"outcome": "settlement", "deal_x": 0.5, "end_days": 81.0}] * 4)
    values = pattern_values(runs)
    assert set(values) == set(FITTED) == set(observed_values())
    assert values["median_days"] == pytest.approx(observed_values()["median_days"])
    assert values["compromise"] == 1.0
    assert set(HELD_OUT) == {"threat_success", "sanction_success", "alliances_honoured"}
    assert all(p.source for p in PATTERNS)


def test_a_morris_sweep_tells_which_parameter_moves_which_pattern(tmp_path):
    from negsim.analysis.patterns import pattern_sensitivity
    from negsim.experiment import load_results, run_experiment

    spec = tmp_path / "screen.toml"
    spec.write_text(
        '[experiment]\nname = "screen"\nsampler = "morris"\nsamples = 2\nreplications = 4\n'
        "max_ticks = 8\nseed = 3\n\n[generate]\nmax_states = 3\n\n[vary]\n"
        '"decisions.cost_weight" = { low = 0.5, high = 20.0 }\n'
        '"battlefield.speed" = { low = 0.005, high = 0.2 }\n'
    )
    root = run_experiment(spec, results=tmp_path, workers=1, progress=False).root
    runs, manifest = load_results(root)
    indices = pattern_sensitivity(runs, manifest["spec"])
    assert set(indices["parameter"]) == {"decisions.cost_weight", "battlefield.speed"}
    assert {"decisive", "median_days", "threat_success"} <= set(indices["output"])
    assert (indices["mu_star"].dropna() >= 0).all()
