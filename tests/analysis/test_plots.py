"""Figures of a results folder and the HTML report (tiny dyad sweeps, few ticks)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from negsim.analysis import plots
from negsim.analysis.colors import OUTCOME_COLORS
from negsim.analysis.discovery import outcomes_to_discover as discovery_outcomes
from negsim.analysis.report import write_report
from negsim.cli import main
from negsim.errors import InputError
from negsim.experiment import run_experiment
from tests.experiment.helpers import failing_at_face_02, write_spec

FACE, START = "bargaining.face_offer", "bargaining.start_days"


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two varied parameters (2 x 2), series collected: 16 runs of 25 ticks."""
    folder = tmp_path_factory.mktemp("grid")
    spec = write_spec(
        folder,
        "grid",
        replications=4,
        max_ticks=25,
        vary=f'"{FACE}" = [0.0, 0.6]\n"{START}" = [0, 10]',
        extra="collect_series = true",
    )
    return run_experiment(spec, results=folder, workers=1, progress=False).root


@pytest.fixture(scope="module")
def sobol(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sobol")
    spec = write_spec(
        folder,
        "sob",
        sampler="sobol",
        replications=2,
        max_ticks=10,
        vary=f'"{FACE}" = {{ low = 0.0, high = 1.0 }}\n"{START}" = {{ low = 0, high = 8 }}',
        extra="samples = 4",
    )
    return run_experiment(spec, results=folder, workers=1, progress=False).root


def _labeled(fig) -> None:
    """Every x and y axis has a title, or shares the scale of an axis that has one."""
    layout = fig.to_dict()["layout"]
    titles = {
        k.replace("axis", ""): v.get("title", {}).get("text")
        for k, v in layout.items()
        if re.fullmatch(r"[xy]axis\d*", k)
    }
    for axis, title in titles.items():
        shared = layout[axis.replace(axis[0], f"{axis[0]}axis", 1)].get("matches")
        assert title or titles.get(shared), f"{axis} has no title"


def _synthetic(outcome: str = "stalemate", n: int = 30) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": range(n),
            "point": 0,
            "status": "ok",
            "error": None,
            FACE: np.repeat([0.1, 0.5, 0.9], n // 3),
            "outcome": outcome,
            "end_tick": np.arange(n) + 5,
            "deal_x": np.nan,
            "face_public": np.nan,
            "face_private": np.nan,
            "min_cohesion": np.linspace(0, 1, n),
            "peak_rung": 3,
        }
    )


def test_outcome_shares_draw_a_bar_and_an_interval_per_outcome_in_its_fixed_color(grid):
    fig = plots.outcome_shares(grid, FACE)
    runs = plots.load(grid).ok
    present = [o for o in plots.OUTCOMES if (runs["outcome"] == o).any()]
    assert [t.type for t in fig.data] == ["bar", "scatter"] * len(present)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.marker.color for t in bars] == [OUTCOME_COLORS[o] for o in present]
    assert np.allclose(np.nansum([t.y for t in bars], axis=0), 1.0)
    for t in fig.data[1::2]:
        assert (np.asarray(t.error_y.array) >= 0).all()
    _labeled(fig)


def test_two_varied_parameters_give_one_heat_map_per_outcome(grid):
    fig = plots.outcome_heatmap(grid, FACE, START)
    present = {o for o in plots.OUTCOMES if (plots.load(grid).ok["outcome"] == o).any()}
    assert {t.name for t in fig.data} == {plots.outcome_label(o) for o in present}
    assert all(np.asarray(t.z).shape == (2, 2) for t in fig.data)
    for t in fig.data:  # each outcome on its own scale: its highest share in its full color
        outcome = t.name.replace(" ", "_")
        assert t.colorscale[-1][1] == OUTCOME_COLORS[outcome]
        assert t.zmax == pytest.approx(np.nanmax(np.asarray(t.z, dtype=float)))
    _labeled(fig)


def test_fields_are_read_from_the_data_and_families_drawn_together(grid):
    single, families = plots.record_fields(grid)
    assert single[0] == "end_tick" and "outcome" not in single and FACE not in single
    assert "min_cohesion" in single
    assert families["cost"] == ["cost_ARG", "cost_TGT", "cost_ALY"]
    assert all(c.startswith("n_") for c in families["n"])
    fig = plots.family(grid, families["cost"], "cost")
    assert list(fig.data[0].y) == ["ARG", "TGT", "ALY"]


def test_a_continuous_field_gets_violins_per_value_and_an_ecdf_line_per_value(grid):
    runs = plots.load(grid).ok
    assert not plots.is_discrete(runs["misperception"])
    violins = plots.distribution(grid, "misperception", FACE)
    lines = plots.ecdf(grid, "misperception", FACE)
    values = runs[FACE].nunique()
    assert [t.type for t in violins.data] == ["violin"] * values
    assert [t.type for t in lines.data] == ["scatter"] * values
    for t in lines.data:
        assert t.y[-1] == pytest.approx(1.0)
    _labeled(violins)
    _labeled(lines)


def test_a_discrete_field_is_bars_of_the_share_at_each_value(grid):
    runs = plots.load(grid).ok
    assert plots.is_discrete(runs["peak_rung"])
    fig = plots.distribution(grid, "peak_rung", FACE)
    assert [t.type for t in fig.data] == ["bar"] * runs[FACE].nunique()
    for t in fig.data:
        assert sum(t.y) == pytest.approx(1.0)
    _labeled(fig)


def test_without_a_parameter_a_distribution_is_one_histogram_of_counts():
    runs = _synthetic(n=300)
    runs["min_cohesion"] = np.linspace(0, 1, 300)
    fig = plots.distribution(runs, "min_cohesion")
    assert [t.type for t in fig.data] == ["bar"]
    assert sum(fig.data[0].y) == 300 and len(fig.data[0].y) == 40


def test_end_times_are_stacked_by_outcome_in_the_outcome_colors(grid):
    fig = plots.end_times(grid)
    runs = plots.load(grid).ok
    assert {t.name for t in fig.data} == {plots.outcome_label(o) for o in set(runs["outcome"])}
    assert sum(sum(t.y) for t in fig.data) == len(runs)
    assert fig.layout.barmode == "stack"
    for t in fig.data:
        assert t.marker.color == OUTCOME_COLORS[t.name.replace(" ", "_")]


@pytest.mark.parametrize("variable", ["cohesion", "control", "rung"])
def test_fan_chart_draws_two_bands_and_a_median_per_parameter_value(grid, variable):
    fig = plots.fan_chart(grid, variable, START)
    assert len(fig.data) == 5 * 2
    medians = [t for t in fig.data if t.showlegend]
    assert [t.name for t in medians] == ["0", "10"]
    assert fig.data[1].fill == "tonexty"
    _labeled(fig)


def test_fan_chart_of_approval_has_a_panel_per_state(grid):
    fig = plots.fan_chart(grid, "approval")
    assert len(fig.data) == 5 * 3  # dyad: ARG, TGT, ALY
    assert [a.text for a in fig.layout.annotations] == [
        "approval of ARG",
        "approval of TGT",
        "approval of ALY",
    ]


def test_fan_chart_without_series_is_a_clear_input_error():
    with pytest.raises(InputError, match="collect_series"):
        plots.fan_chart(_synthetic(), "cohesion")


def test_sobol_indices_show_first_order_and_total_with_confidence_bars(sobol):
    fig = plots.sensitivity_indices(sobol)
    assert {t.name for t in fig.data} == {"first order S1 (95% conf.)", "total ST (95% conf.)"}
    assert all(t.error_x.array is not None for t in fig.data)
    assert {tuple(t.y) for t in fig.data} == {(FACE, START)}


def test_sensitivity_of_a_grid_is_refused(grid):
    with pytest.raises(InputError, match="sobol or morris"):
        plots.sensitivity_indices(grid)


def test_a_dataframe_with_a_single_outcome_plots(tmp_path):
    runs = _synthetic()
    assert plots.load(runs).parameters == [FACE]
    fig = plots.outcome_shares(runs, FACE)
    assert [t.name for t in fig.data] == ["stalemate", "stalemate"]
    assert list(fig.data[0].y) == [1.0, 1.0, 1.0]
    settled = plots.distribution(runs, "deal_x", FACE)
    assert settled.layout.annotations[0].text == "no runs with a deal x in these runs"


def test_many_sampled_values_are_cut_into_quantile_bins():
    runs = _synthetic(n=300)
    runs[FACE] = np.linspace(0, 1, 300)
    labels = plots.groups(runs, FACE, 4)
    assert len(labels.cat.categories) == 4
    assert labels.value_counts().tolist() == [75, 75, 75, 75]


def test_report_is_self_contained_and_holds_every_figure(grid):
    report = write_report(grid)
    page = report.path.read_text()
    assert report.path == grid / "report.html"
    assert not re.search(r"<script[^>]+src=", page)
    assert "cdn.plot.ly/plotly" not in page
    assert page.count("Plotly.newPlot(") == report.figures
    single, families = plots.record_fields(grid)
    runs = plots.load(grid).ok
    continuous = sum(not plots.is_discrete(runs[f].dropna()) for f in single)
    discovered = len(discovery_outcomes(grid))
    # 2 share charts + heat map, end times, fields x 2 parameters (+ ECDFs of the continuous),
    # families, 4 series x 2 parameters, a PRIM box per outcome + feature scores
    assert report.figures == (
        3 + 1 + 2 * (len(single) + continuous) + len(families) + 8 + discovered + (discovered > 0)
    )
    for marker in ("Cast: dyad", "bargaining.face_offer", "Argentia", "Over time", "End times"):
        assert marker in page
    assert "Scenario discovery" in page


def test_sobol_report_has_a_sensitivity_section(sobol):
    page = write_report(sobol).path.read_text()
    assert "id='sensitivity'" in page
    assert 'div id="sensitivity"' in page


def test_failed_runs_still_report(tmp_path):
    spec = write_spec(tmp_path, "fails", replications=2, max_ticks=8)
    run_experiment(spec, results=tmp_path, workers=1, progress=False, run_fn=failing_at_face_02)
    report = write_report(tmp_path / "fails")
    page = report.path.read_text()
    assert "2 runs failed" in page and "boom" in page
    assert page.count("Plotly.newPlot(") == report.figures


def test_report_command_writes_the_page_and_rejects_a_non_results_folder(grid, tmp_path, capsys):
    assert main(["report", str(grid)]) == 0
    assert "report written to" in capsys.readouterr().out
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such results folder" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) == 2
    assert "not a results folder" in capsys.readouterr().err


def test_png_without_a_browser_says_so_plainly(grid, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    assert main(["report", str(grid), "--png"]) == 1
    assert "no Chromium or Chrome found" in capsys.readouterr().err
    assert (grid / "report.html").exists()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_png_export_writes_one_file_per_figure(sobol):
    report = write_report(sobol, png=True)
    assert report.png_problem is None
    assert len(report.pngs) == report.figures
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in report.pngs)
