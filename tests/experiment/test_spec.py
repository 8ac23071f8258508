"""Experiment specs: valid ones load, each kind of mistake is caught before any run."""

from __future__ import annotations

import pytest

from negsim.cli import main
from negsim.errors import InputError
from negsim.experiment.spec import load_spec
from tests.experiment.helpers import DYAD, write_spec


def _problems(tmp_path, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        load_spec(write_spec(tmp_path, **kwargs))
    return "\n".join(info.value.problems)


def test_a_valid_spec_loads_with_its_cast_and_fixed_overrides(tmp_path):
    spec = load_spec(write_spec(tmp_path, extra='[fixed]\n"bargaining.back_channel" = 0.9'))
    assert spec.cast_path == DYAD
    assert spec.base_cast.parameters.bargaining.back_channel == 0.9
    assert spec.parameters == ["bargaining.face_offer"]


def test_a_cast_path_is_resolved_relative_to_the_spec(tmp_path):
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "d.toml").write_text(DYAD.read_text())
    (tmp_path / "experiments").mkdir()
    path = tmp_path / "experiments" / "x.toml"
    path.write_text('[experiment]\nname = "x"\ncast = "../agents/d.toml"\n')
    assert load_spec(path).cast_path == tmp_path / "agents" / "d.toml"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"vary": '"bargaining.no_such" = [1]'}, "vary.bargaining.no_such: no such parameter"),
        ({"vary": '"leaders.XXX.resolve" = [0.5]'}, "no entry 'leaders.XXX' in the cast"),
        ({"vary": '"bargaining.face_offer" = []'}, "vary.bargaining.face_offer: an empty list"),
        ({"vary": '"bargaining.face_offer" = [0.5, 2.0]'}, "value 2.0"),
        ({"replications": -3}, "experiment.replications: input should be greater than or equal"),
        ({"max_ticks": 0}, "experiment.max_ticks"),
        (
            {
                "sampler": "random",
                "extra": "samples = 4",
                "vary": '"bargaining.face_offer" = { low = 0.0, high = 1.5 }',
            },
            "high = 1.5 is above the schema's maximum 1",
        ),
        (
            {
                "sampler": "latin_hypercube",
                "extra": "samples = 4",
                "vary": '"bargaining.face_offer" = { low = 0.6, high = 0.2 }',
            },
            "expected low < high",
        ),
        (
            {"vary": '"bargaining.face_offer" = { low = 0.0, high = 1.0 }'},
            "the grid sampler needs a list of values",
        ),
        (
            {
                "sampler": "sobol",
                "extra": "samples = 6",
                "vary": '"bargaining.face_offer" = { low = 0.0, high = 1.0 }',
            },
            "needs a power of two, got 6",
        ),
        (
            {"sampler": "morris", "vary": '"bargaining.face_offer" = { low = 0.0, high = 1.0 }'},
            "experiment.samples: required by the morris sampler",
        ),
        ({"sampler": "magic"}, "experiment.sampler: input should be"),
        ({"vary": '"bargaining.face_offer" = 0.5'}, "expected a list of values (grid) or a range"),
        ({"extra": "colour = 1"}, "experiment.colour: unknown key"),
        (
            {"vary": '"bargaining.face_offer" = [0.1]\n"parameters.bargaining.face_offer" = [0.2]'},
            "the same parameter as vary.bargaining.face_offer",
        ),
    ],
)
def test_a_bad_spec_is_refused_with_a_message_naming_file_and_field(tmp_path, kwargs, expected):
    problems = _problems(tmp_path, **kwargs)
    assert expected in problems
    assert problems.startswith(str(tmp_path / "t.toml"))


def test_several_problems_are_reported_at_once(tmp_path):
    problems = _problems(
        tmp_path, vary='"bargaining.nope" = [1]\n"leaders.ARG.nope" = [1]'
    ).splitlines()
    assert len(problems) == 2


def test_negsim_validate_checks_a_spec_and_exits_2_on_errors(tmp_path, capsys):
    good = write_spec(tmp_path, "good")
    assert main(["validate", str(good)]) == 0
    assert "a valid experiment spec" in capsys.readouterr().out
    bad = write_spec(tmp_path, "bad", vary='"bargaining.face_offer" = []')
    assert main(["validate", str(bad)]) == 2
    assert "an empty list of values" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["../escape", "..", "/tmp/absolute", "a/../../b", ".hidden", ""])
def test_an_experiment_name_cannot_leave_the_results_folder(tmp_path, name, capsys):
    spec = tmp_path / "escape.toml"
    spec.write_text(f'[experiment]\nname = "{name}"\ncast = "{DYAD}"\n')
    with pytest.raises(InputError, match=r"experiment\.name: string should match pattern"):
        load_spec(spec)
    results = tmp_path / "results"
    assert main(["sweep", str(spec), "-j", "1", "-q", "--results", str(results)]) == 2
    assert "experiment.name" in capsys.readouterr().err
    assert not results.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["escape.toml"]


@pytest.mark.parametrize(
    ("vary", "expected"),
    [
        (
            '"bargaining.start_days" = ["12", "26"]',
            "value '12': parameters.bargaining.start_days: input should be a valid integer",
        ),
        (
            '"domestic.elections" = ["true", "false"]',
            "value 'true': parameters.domestic.elections: input should be a valid boolean",
        ),
        ('"bargaining.face_offer" = [true]', "value True: parameters.bargaining.face_offer"),
        ('"states.ALY.regime" = ["monarchy"]', "input should be 'democracy' or 'autocracy'"),
    ],
)
def test_grid_values_of_the_wrong_type_are_refused_before_any_run(tmp_path, vary, expected):
    assert expected in _problems(tmp_path, vary=vary)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('max_ticks = "104"', "experiment.max_ticks: input should be a valid integer, got '104'"),
        ("collect_series = 0", "experiment.collect_series: input should be a valid boolean"),
        ("seed = 1.5", "experiment.seed: input should be a valid integer, got 1.5"),
    ],
)
def test_experiment_settings_of_the_wrong_type_are_refused(tmp_path, extra, expected):
    path = tmp_path / "t.toml"
    path.write_text(f'[experiment]\nname = "t"\ncast = "{DYAD}"\n{extra}\n')
    with pytest.raises(InputError, match=expected):
        load_spec(path)


def test_a_range_over_a_text_parameter_is_refused(tmp_path):
    problems = _problems(
        tmp_path,
        sampler="random",
        extra="samples = 4",
        vary='"states.ALY.regime" = { low = 0.0, high = 1.0 }',
    )
    assert "a range needs a numeric parameter" in problems


def test_a_cast_path_too_long_for_the_system_is_a_clear_error(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(f'[experiment]\nname = "long"\ncast = "{"x" * 300}.toml"\n')
    with pytest.raises(InputError, match=r"experiment\.cast: cannot use 'xxx.*File name too long"):
        load_spec(path)


def test_a_vary_table_nested_thousands_of_levels_deep_is_an_error(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(
        f'[experiment]\nname = "deep"\ncast = "{DYAD}"\n'
        "[vary." + ".".join(["a"] * 3000) + "]\nx = [1]\n"
    )
    with pytest.raises(InputError, match=r"vary\.a\.a\.a\.\.\.: tables or arrays nested more"):
        load_spec(path)


def _hypothesis_spec(tmp_path, robustness: str) -> str:
    path = tmp_path / "h.toml"
    path.write_text(
        f"""
[experiment]
name = "h"
cast = "{DYAD}"
replications = 2

[vary]
"bargaining.face_offer" = [0.1, 0.2]

[hypothesis]
id = "H1"
title = "t"
question = "q"
source = "s"

[[hypothesis.effects]]
label = "more face"
metric = "share:settlement"
high = {{ "bargaining.face_offer" = 0.2 }}
low = {{ "bargaining.face_offer" = 0.1 }}
source_expects = "higher"

[hypothesis.robustness]
{robustness}
"""
    )
    return str(path)


@pytest.mark.parametrize(
    ("robustness", "expected"),
    [
        (
            f'cast = "{DYAD}"\ntemperature_scale = inf',
            "hypothesis.robustness.temperature_scale: input should be a finite number",
        ),
        (
            f'cast = "{DYAD}"\ntemperature_scale = 500.0',
            "temperature_scale: input should be less than or equal to 100, got 500.0",
        ),
        (
            'cast = "missing.toml"',
            "(hypothesis.robustness: second cast): experiment.cast: no such cast file",
        ),
        (
            f'cast = "{DYAD}"\nrename = {{ "bargaining.face_offer" = "bargaining.nope" }}',
            "(hypothesis.robustness: second cast): vary.bargaining.nope: no such parameter",
        ),
    ],
)
def test_validate_checks_the_robustness_sweeps_of_a_hypothesis(
    tmp_path, capsys, robustness, expected
):
    spec = _hypothesis_spec(tmp_path, robustness)
    assert main(["validate", spec]) == 2
    assert expected in capsys.readouterr().err


def test_a_hypothesis_with_valid_robustness_sweeps_validates(tmp_path, capsys):
    spec = _hypothesis_spec(tmp_path, f'cast = "{DYAD}"')
    assert main(["validate", spec]) == 0, capsys.readouterr().err
