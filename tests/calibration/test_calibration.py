"""Calibration end to end on a small budget: files, reproducibility, resumption, adoption."""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest

import negsim.cast as cast_module
from negsim.calibration.commands import adopt, run_calibration
from negsim.calibration.spec import load_calibration
from negsim.cast import build_cast, calibrated_file, load_cast
from negsim.cli import main
from negsim.errors import InputError

TINY = """
[experiment]
name = "tiny"
replications = 6
max_ticks = 15
seed = 5

[generate]
max_states = 4

[calibration]
population = 5
generations = {generations}
predictive_draws = 2
predictive_runs = 10

[calibration.priors]
"decisions.cost_weight" = {{ low = 0.5, high = 20.0, scale = "log" }}
"ratification.stance_width" = {{ low = 0.0, high = 1.0 }}
"""


def _spec(folder, generations: int = 2, text: str | None = None):
    path = folder / "tiny.toml"
    path.write_text(text or TINY.format(generations=generations))
    return path


def _quiet(*_args) -> None:
    pass


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibration")
    result = run_calibration(_spec(folder), results=folder / "r", workers=1, echo=_quiet)
    return folder, result


def test_a_small_calibration_writes_its_posterior_diagnostics_check_and_page(calibrated):
    _, result = calibrated
    root = result.root
    for name in (
        "abc.db",
        "calibration.json",
        "posterior.csv",
        "diagnostics.csv",
        "predictive.csv",
        "calibrated.toml",
        "calibration.html",
    ):
        assert (root / name).is_file(), name
    diagnostics = pd.read_csv(root / "diagnostics.csv")
    assert diagnostics["generation"].tolist() == [0, 1]
    assert diagnostics["epsilon"].iloc[1] < diagnostics["epsilon"].iloc[0]
    assert (diagnostics["acceptance"] <= 1).all() and (diagnostics["ess"] > 0).all()
    posterior = pd.read_csv(root / "posterior.csv")
    assert len(posterior) == 5 and posterior["weight"].sum() == pytest.approx(1.0)
    assert 0.5 <= result.estimate["parameters.decisions.cost_weight"] <= 20.0
    calibrated_set = tomllib.loads((root / "calibrated.toml").read_text())
    assert set(calibrated_set["parameters"]) == {"decisions", "ratification"}
    assert calibrated_set["calibration"]["command"].startswith("negsim calibrate ")
    assert set(result.summary["pattern"]) >= {"decisive", "threat_success", "median_days"}


def test_a_calibration_is_the_same_on_two_workers(calibrated, tmp_path):
    folder, result = calibrated
    again = run_calibration(_spec(folder), results=tmp_path, workers=2, echo=_quiet)
    for name in ("posterior.csv", "predictive.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(result.root / name), pd.read_csv(again.root / name)
        )


def test_a_calibration_extended_by_a_generation_equals_one_run_straight(calibrated, tmp_path):
    _, result = calibrated
    first = run_calibration(_spec(tmp_path, 1), results=tmp_path / "r", workers=1, echo=_quiet)
    assert first.generations == 1
    extended = run_calibration(_spec(tmp_path, 2), results=tmp_path / "r", workers=1, echo=_quiet)
    assert extended.generations == 2
    pd.testing.assert_frame_equal(
        pd.read_csv(result.root / "posterior.csv"), pd.read_csv(extended.root / "posterior.csv")
    )


def test_a_changed_calibration_spec_does_not_resume_an_old_folder(calibrated, tmp_path):
    _, result = calibrated
    text = TINY.format(generations=2).replace("population = 5", "population = 6")
    changed = _spec(tmp_path, text=text)
    with pytest.raises(InputError, match="holds a calibration of a different spec"):
        run_calibration(changed, results=result.root.parent, workers=1, echo=_quiet)


@pytest.mark.parametrize(
    ("prior", "expected"),
    [
        (
            '"decisions.cost_weight" = { low = 0.5, high = 900.0 }',
            "calibration.priors.decisions.cost_weight: high = 900.0 is above the schema's "
            "maximum 500",
        ),
        (
            '"bargaining.face_offer" = { low = 0.0, high = 1.0 }',
            "a policy lever is a fact of each crisis",
        ),
        ('"decisions.nothing" = { low = 0.0, high = 1.0 }', "no such model parameter"),
        (
            '"decisions.cost_weight" = { low = 0.0, high = 5.0, scale = "log" }',
            "a log-scale prior needs low > 0",
        ),
    ],
)
def test_a_bad_prior_is_named_with_what_was_expected(tmp_path, capsys, prior, expected):
    head = TINY.format(generations=2).split("[calibration.priors]")[0]
    text = head + "[calibration.priors]\n" + prior + "\n"
    path = _spec(tmp_path, text=text)
    with pytest.raises(InputError) as caught:
        load_calibration(path)
    assert any(expected in line for line in caught.value.problems), caught.value.problems
    assert main(["validate", str(path)]) == 2
    assert expected.split(":")[-1].strip()[:20] in capsys.readouterr().err


def test_an_adopted_calibration_becomes_the_casts_defaults(calibrated, tmp_path, monkeypatch):
    _, result = calibrated
    monkeypatch.setattr(cast_module, "CALIBRATED", tmp_path / "calibrated.toml")
    calibrated_file.cache_clear()
    try:
        assert adopt(result.root) == tmp_path / "calibrated.toml"
        assert calibrated_file()["calibration"]["version"] == 1
        assert adopt(result.root) and calibrated_file()["calibration"]["version"] == 2
        stance = calibrated_file()["parameters"]["ratification"]["stance_width"]
        dyad = load_cast(cast_module.Path(__file__).parents[2] / "agents" / "dyad.toml")
        assert dyad.parameters.ratification.stance_width == stance
        doc = dyad.model_dump(mode="json")
        doc["parameters"] = {"ratification": {"stance_width": 0.123}}
        doc["cast"]["calibrated"] = True
        assert build_cast(doc, "own value").parameters.ratification.stance_width == 0.123
        doc["parameters"] = {}
        doc["cast"]["calibrated"] = False
        schema = cast_module.RatificationParams().stance_width
        assert build_cast(doc, "opted out").parameters.ratification.stance_width == schema
    finally:
        calibrated_file.cache_clear()


def test_the_validation_tables_are_written_between_their_markers(calibrated, tmp_path):
    from negsim.analysis.validation import write_validation
    from negsim.experiment import run_experiment

    _, result = calibrated
    spec = tmp_path / "ens.toml"
    spec.write_text(
        '[experiment]\nname = "ens"\nreplications = 8\nmax_ticks = 10\nseed = 9\n\n'
        "[generate]\nmax_states = 4\n"
    )
    ensemble = run_experiment(spec, results=tmp_path, workers=1, progress=False).root
    doc = tmp_path / "VALIDATION.md"
    doc.write_text(
        "# V\n\nprose\n<!-- results:begin -->\nstale table\n<!-- results:end -->\nmore prose\n"
    )
    write_validation(result.root, ensemble, doc)
    text = doc.read_text()
    assert text.startswith("# V\n\nprose\n") and text.endswith("more prose\n")
    assert "stale table" not in text and "8 fresh generated crises at the" in text
    assert "| `decisions.cost_weight` | 0.5 .. 20 (log) |" in text
    assert "| ICB outcome per actor: compromise | fitted | 22.2% | 71.0% (random dyads) |" in text
    assert "calibrated set:" not in text
    # a calibrated set tried without adopting it: the same crises, its own column
    tried = tmp_path / "tried.toml"
    tried.write_text(
        spec.read_text().replace('name = "ens"', 'name = "tried"')
        + '\n[fixed]\n"decisions.cost_weight" = 50.0\n'
    )
    candidate = run_experiment(tried, results=tmp_path, workers=1, progress=False).root
    write_validation(result.root, ensemble, doc, candidate)
    text = doc.read_text()
    assert "Candidate: `tried`" in text and "| calibrated set: 8 crises [95% CI] |" in text
    assert "NOT this calibration's medians" in text  # it held its own cost weight fixed
    with pytest.raises(InputError, match="no such file"):
        write_validation(result.root, ensemble, tmp_path / "missing.md")
    row = next(line for line in text.splitlines() if line.startswith("| nuclear use |"))
    assert row.count("|") == 9


def test_collapsed_weights_are_a_clear_error_not_a_traceback(tmp_path, capsys, monkeypatch):
    # pyabc's own check fails when too few particles lie near the threshold (seen with 10)
    import pyabc

    def collapse(self, *args, **kwargs):
        raise AssertionError("The population total weight nan is not normalized.")

    monkeypatch.setattr(pyabc.ABCSMC, "run", collapse)
    path = _spec(tmp_path)
    assert main(["calibrate", str(path), "--workers", "1", "--results", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "weights collapsed" in err and "calibration.population (now 5)" in err
    assert "Traceback" not in err


def test_adopting_checks_the_properties_and_refuses_a_set_that_breaks_one(
    calibrated, tmp_path, monkeypatch, capsys
):
    from negsim.analysis import properties

    folder, result = calibrated
    target = tmp_path / "calibrated.toml"
    monkeypatch.setattr(cast_module, "CALIBRATED", target)
    checked = []

    def fake_check(casts, parameters=None, **_):
        checked.append((casts, parameters))
        holds = len(checked) > 1  # the first set breaks a property, the second keeps them
        verdict = properties.Verdict(
            "dyad", "a stronger challenger gets more", "x1.5", holds, not holds, "share: -0.3"
        )
        return properties.Check([verdict], runs=120)

    monkeypatch.setattr(properties, "check", fake_check)
    argv = ["calibrate", str(folder / "tiny.toml"), "--results", str(folder / "r"), "-j", "1"]
    calibrated_file.cache_clear()
    try:
        assert main([*argv, "--adopt"]) == 1
        err = capsys.readouterr().err
        assert "dyad: a stronger challenger gets more is measured the wrong way" in err
        assert "not adopted" in err and "--skip-properties" in err
        assert not target.exists()
        casts, parameters = checked[0]
        assert [p.name for p in casts] == ["dyad.toml", "ukraine_2022.toml"]
        assert parameters == tomllib.loads(result.calibrated.read_text())["parameters"]
        assert main([*argv, "--adopt"]) == 0 and target.is_file()
        target.unlink()
        assert main([*argv, "--adopt", "--skip-properties"]) == 0 and len(checked) == 2
    finally:
        calibrated_file.cache_clear()
