"""An experiment over generated crises: an ordinary sweep whose runs each play a crisis."""

from __future__ import annotations

import pandas as pd
import pytest

from negsim.errors import InputError
from negsim.experiment import load_results, load_spec, run_experiment


def _spec(folder, body: str = "", generate: str = "max_states = 4", name: str = "ens"):
    path = folder / f"{name}.toml"
    path.write_text(
        f"""
[experiment]
name = "{name}"
replications = 6
max_ticks = 12
seed = 4

[generate]
{generate}

{body}
"""
    )
    return path


def test_every_point_plays_the_same_crises_and_records_which(tmp_path):
    spec = _spec(tmp_path, '[vary]\n"bargaining.back_channel" = [0.0, 1.0]')
    result = run_experiment(spec, results=tmp_path / "r", workers=1, progress=False)
    runs = load_results(result.root)[0]
    assert result.complete and len(runs) == 12
    by_point = [g.sort_values("replication")["crisis"].tolist() for _, g in runs.groupby("point")]
    assert by_point[0] == by_point[1] == list(range(6))
    assert {c for c in runs.columns if c.startswith("cost_")} >= {"cost_CH", "cost_DF"}


def test_runs_per_crisis_repeats_each_crisis_with_its_own_seeds(tmp_path):
    spec = _spec(tmp_path, generate="max_states = 4\nruns_per_crisis = 3")
    runs = load_results(run_experiment(spec, results=tmp_path, workers=1, progress=False).root)[0]
    assert runs.sort_values("replication")["crisis"].tolist() == [0, 0, 0, 1, 1, 1]
    assert runs["seed"].nunique() == 6


def test_an_ensemble_gives_the_same_records_on_one_and_two_workers(tmp_path):
    spec = _spec(tmp_path)
    one = run_experiment(spec, results=tmp_path / "one", workers=1, progress=False)
    two = run_experiment(spec, results=tmp_path / "two", workers=2, progress=False, chunk_size=1)
    pd.testing.assert_frame_equal(load_results(one.root)[0], load_results(two.root)[0])


@pytest.mark.parametrize(
    ("body", "generate", "expected"),
    [
        (
            '[fixed]\n"leaders.DP1.resolve" = 0.5',
            "",
            "fixed.leaders.DP1.resolve: a generated crisis has its own states; only the "
            "principals CH and DF are in every one",
        ),
        ("", "max_states = 1", "generate.max_states: input should be greater than or equal to 2"),
        ("", "min_states = 6\nmax_states = 3", "min_states (6) is above max_states (3)"),
    ],
)
def test_an_ensemble_spec_names_what_is_wrong(tmp_path, body, generate, expected):
    with pytest.raises(InputError) as caught:
        load_spec(_spec(tmp_path, body, generate))
    assert any(expected in line for line in caught.value.problems), caught.value.problems


def test_a_spec_needs_a_cast_or_an_ensemble_but_not_both(tmp_path, dyad_path):
    neither = tmp_path / "neither.toml"
    neither.write_text('[experiment]\nname = "n"\n')
    with pytest.raises(InputError, match=r"experiment\.cast: required field is missing"):
        load_spec(neither)
    both = _spec(tmp_path, name="both")
    both.write_text(both.read_text().replace("seed = 4", f'seed = 4\ncast = "{dyad_path}"'))
    with pytest.raises(InputError, match="one cast or a \\[generate\\]d ensemble, not both"):
        load_spec(both)


def test_a_principal_of_every_crisis_may_be_varied(tmp_path):
    spec = _spec(tmp_path, '[vary]\n"leaders.CH.risk_preference" = [0.1, 0.9]')
    runs = load_results(run_experiment(spec, results=tmp_path, workers=1, progress=False).root)[0]
    assert sorted(runs["leaders.CH.risk_preference"].unique()) == [0.1, 0.9]
