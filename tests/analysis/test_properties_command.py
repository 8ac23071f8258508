"""`negsim properties`: verdicts, candidate parameter sets, and errors."""

from __future__ import annotations

import numpy as np
import pytest

from negsim.analysis import properties
from negsim.analysis.properties import Contrast, candidate_doc
from negsim.cast import build_cast, read_toml
from negsim.cli import main
from tests.conftest import DYAD, ROOT, UKRAINE

BEST_RESPONSE = "best response and the default temperature behave alike"


def _contrast() -> Contrast:
    return Contrast(
        "more x, more share",
        "x 0 -> 1",
        ("share",),
        {},
        {},
        lambda e: e["share"].higher(),
        expect={"share": 1},
    )


def _arms(low: list[float], high: list[float]) -> list[dict[str, np.ndarray]]:
    return [{"share": np.array(low)}, {"share": np.array(high)}]


def test_a_change_that_moves_no_measure_of_any_run_does_not_apply():
    # e.g. disinformation withheld by a challenger that has none: the arms are the same runs
    holds, broken, text = _contrast().judge(_arms([0.2, 0.4, 0.3], [0.2, 0.4, 0.3]))
    assert holds is None and not broken and "leaves every measure of every run" in text
    holds, _, _ = _contrast().judge(_arms([0.2, 0.4, 0.3], [0.2, 0.4, 0.31]))
    assert holds is False  # one run moved: judged (here, not shown)


def test_a_contrast_separated_the_expected_way_holds():
    holds, broken, text = _contrast().judge(_arms([0.1, 0.2, 0.3], [0.3, 0.5, 0.6]))
    assert holds and not broken
    assert text.startswith("share: 0.200 -> 0.467, +0.267")


def test_a_contrast_separated_the_wrong_way_is_broken():
    holds, broken, _ = _contrast().judge(_arms([0.3, 0.5, 0.6], [0.1, 0.2, 0.3]))
    assert not holds and broken


def test_arms_not_separated_are_not_shown_but_not_broken():
    holds, broken, _ = _contrast().judge(_arms([0.1, 0.5, 0.3], [0.2, 0.3, 0.4]))
    assert not holds and not broken


def test_a_candidate_set_replaces_the_calibrated_defaults_and_the_cast_s_values_stand():
    doc = read_toml(UKRAINE)  # sets bargaining.start_days = 4, a policy fact of its case
    candidate = {"decisions": {"temperature": 0.0}, "bargaining": {"start_days": 30}}
    cast = build_cast(candidate_doc(doc, candidate), "ukraine")
    assert cast.cast.calibrated is False  # the installed set, if any, does not leak in
    assert cast.parameters.decisions.temperature == 0.0
    assert cast.parameters.bargaining.start_days == 4


def test_a_cast_s_roles_default_to_its_principals_and_its_largest_partner():
    doc = read_toml(DYAD)
    assert properties.roles(doc, "dyad") == {"c": "ARG", "d": "TGT", "p": "ALY"}
    assert properties.roles(read_toml(UKRAINE), "ukraine")["p"] == "USA"


def test_under_a_best_response_candidate_the_temperature_arms_are_the_same_runs(tmp_path, capsys):
    candidate = tmp_path / "calibrated.toml"
    candidate.write_text("[parameters.decisions]\ntemperature = 0.0\n", encoding="utf-8")
    out = tmp_path / "properties.md"
    argv = [str(DYAD), "--seeds", "4", "-j", "1", "--parameters", str(candidate), "-o", str(out)]
    status = main(["properties", *argv])
    printed = capsys.readouterr().out
    assert f"with the parameter set of {candidate} as the calibrated defaults" in printed
    row = next(line for line in out.read_text().splitlines() if BEST_RESPONSE in line)
    assert "nuclear: " in row and "+0.000 [+0.000, +0.000]" in row
    assert status in (0, 1)  # four seeds may leave some arms unseparated


@pytest.mark.parametrize(
    "argv, message",
    [
        (["agents/none.toml"], "agents/none.toml: no such file"),
        ([str(DYAD), "--partner", "XYZ"], "--partner XYZ: not a partner of the defender side"),
        ([str(DYAD), "--parameters", str(DYAD)], "parameters: missing; expected a [parameters]"),
        (
            [str(DYAD), "--parameters", str(ROOT / "tests" / "data" / "bad_parameters.toml")],
            "bad_parameters.toml: parameters.decisions.temperature: input should be greater",
        ),
    ],
)
def test_bad_input_is_one_line_and_status_2(argv, message, capsys):
    assert main(["properties", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_arms_of_two_casts_on_one_executor_are_each_their_own_cast_s_runs():
    from negsim.experiment.executors import SerialExecutor
    from negsim.model import run

    munich = DYAD.with_name("munich_1938.toml")
    executor = SerialExecutor()  # one process: its cache of built casts is shared
    dyad_arm = properties.measure_arms(DYAD, [{}], 2, executor=executor)[0]
    munich_arm = properties.measure_arms(munich, [{}], 2, executor=executor)[0]
    for arm, path in ((dyad_arm, DYAD), (munich_arm, munich)):
        expected = [run(path, seed=s)[0].end_days for s in range(2)]
        assert arm["end_days"].tolist() == expected


def test_an_unknown_parameter_names_the_one_it_resembles(tmp_path, capsys):
    path = tmp_path / "typo.toml"
    path.write_text("[parameters.battlefield]\nsped = 0.1\n")
    assert main(["properties", "--parameters", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: parameters.battlefield.sped: unknown key (did you mean speed?)" in err
