"""One run and one results folder as tables and files (CSV or Parquet)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from negsim.analysis.tables import export_results, run_events, run_series, write_table
from negsim.cli import main
from negsim.errors import InputError
from negsim.experiment import run_experiment
from negsim.model import run
from tests.conftest import DYAD
from tests.experiment.helpers import write_spec


@pytest.fixture(scope="module")
def finished():
    return run(DYAD, seed=7, max_ticks=30, collect_series=True)


def test_a_runs_series_has_one_row_per_tick_from_zero_to_its_end(finished):
    record, model = finished
    series = run_series(model)
    assert list(series["tick"]) == list(range(record.end_tick + 1))
    assert {"tick", "cohesion", "control"} <= set(series.columns)


def test_a_runs_events_are_its_event_log_in_order(finished):
    _, model = finished
    events = run_events(model)
    assert list(events.columns) == ["tick", "kind", "text"]
    assert len(events) == len(model.events)
    assert events["tick"].is_monotonic_increasing


def test_a_run_without_series_says_how_to_get_them():
    _, model = run(DYAD, seed=7, max_ticks=5)
    with pytest.raises(InputError, match="collect_series=True"):
        run_series(model)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tables_round_trip_in_either_format(tmp_path, finished, suffix):
    events = run_events(finished[1])
    path = write_table(events, tmp_path / f"events{suffix}")
    back = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, events, check_dtype=False)


def test_an_unknown_extension_is_refused(tmp_path, finished):
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        write_table(run_events(finished[1]), tmp_path / "events.xlsx")


def test_run_command_writes_series_and_events(tmp_path, capsys):
    series, events = tmp_path / "s.csv", tmp_path / "e.parquet"
    args = ["run", str(DYAD), "--seed", "7", "--ticks", "30"]
    assert main([*args, "--series", str(series), "--events", str(events)]) == 0
    out = capsys.readouterr().out
    assert f"series written to {series}" in out and f"events written to {events}" in out
    assert len(pd.read_csv(series)) == pd.read_csv(series)["tick"].max() + 1
    assert set(pd.read_parquet(events)["kind"]) >= {"offer"}


def test_run_command_refuses_a_bad_file_name_before_running(tmp_path, capsys):
    assert main(["run", str(DYAD), "--series", str(tmp_path / "s.txt")]) == 2
    assert "expected a .csv or .parquet" in capsys.readouterr().err


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    spec = write_spec(folder, "exp", replications=2, max_ticks=8, extra="collect_series = true")
    return run_experiment(spec, results=folder, workers=1, progress=False).root


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_writes_runs_series_and_summary(results, tmp_path, fmt, capsys):
    out = tmp_path / fmt
    assert main(["export", str(results), "--format", fmt, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        f"runs.{fmt}",
        f"series.{fmt}",
        f"summary.{fmt}",
    ]
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    assert len(read(out / f"runs.{fmt}")) == 4
    assert len(read(out / f"summary.{fmt}")) == 2
    assert set(read(out / f"series.{fmt}").columns) == {"run_id", "tick", "variable", "value"}
    assert re.search(rf"runs\.{fmt} +4 rows", capsys.readouterr().out)


def test_export_defaults_to_a_folder_inside_the_results(results):
    written = export_results(results)
    assert written.folder == results / "export"
    assert (results / "export" / "runs.csv").exists()


def test_export_of_a_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nope")]) == 2
    assert "no such results folder" in capsys.readouterr().err
