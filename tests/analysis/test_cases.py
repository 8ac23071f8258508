"""Historical cases: the shipped historical casts run, and `negsim cases` writes its page."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from negsim.analysis.cases import (
    RUNS,
    Candidate,
    apart_tag,
    compute_time,
    historical_casts,
    matching,
    shares,
    spec_text,
    write_cases,
)
from negsim.cast import load_cast
from negsim.cli import main
from negsim.errors import InputError
from negsim.experiment.spec import load_spec
from negsim.model import run
from tests.conftest import ROOT

HISTORICAL = ["berlin_1961", "gulf_1990", "iran_2013", "kosovo_1999", "munich_1938"]


def test_the_five_historical_casts_ship_with_their_history():
    names = [case.path.stem for case in historical_casts(ROOT / "agents")]
    assert names == HISTORICAL


@pytest.mark.parametrize("stem", HISTORICAL)
def test_a_historical_cast_validates_and_runs(stem):
    assert main(["validate", str(ROOT / "agents" / f"{stem}.toml")]) == 0
    cast = load_cast(ROOT / "agents" / f"{stem}.toml")
    record, _ = run(cast, seed=0)
    assert record.outcome in {
        "settlement",
        "aggressor_withdrawal",
        "target_capitulation",
        "conquest",
        "catastrophe",
        "stalemate",
    }
    assert 0 < record.end_days <= cast.cast.horizon_days


@pytest.mark.parametrize("stem", HISTORICAL)
def test_a_historical_cast_sets_only_policy_facts(stem):
    from negsim.cast import read_toml

    allowed = {
        "bargaining.start_days",
        "bargaining.back_channel",
        "humiliation.personal_sanctions",
        "humiliation.capitulation_demand",
        "disinformation.capacity",
        "disinformation.counter_capacity",
        "messaging.transparency",
        "sanctions.burden_sharing",
    }
    parameters = read_toml(ROOT / "agents" / f"{stem}.toml").get("parameters", {})
    set_here = {f"{family}.{key}" for family, keys in parameters.items() for key in keys}
    assert set_here <= allowed


def _runs(outcomes: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": outcomes,
            "end_days": [10.0 * (i + 1) for i in range(len(outcomes))],
            "deal_x": [0.4 if o == "settlement" else None for o in outcomes],
        }
    )


def test_shares_count_each_outcome_with_a_wilson_interval():
    found = shares(_runs(["settlement"] * 3 + ["stalemate"]))
    assert [(s.outcome, s.count, s.n) for s in found] == [("settlement", 3, 4), ("stalemate", 1, 4)]
    assert found[0].lo < 0.75 < found[0].hi
    assert found[0].median_days == 20.0 and found[0].median_x == pytest.approx(0.4)


def test_a_real_outcome_no_run_reached_matches_none():
    share = matching(_runs(["stalemate"] * 5), "aggressor_withdrawal")
    assert (share.count, share.n, share.lo) == (0, 5, 0.0)
    assert 0.4 < share.hi < 0.5  # Wilson's upper bound for 0 of 5


def test_compute_time_adds_the_sessions_that_ran_something():
    manifest = {
        "sessions": [
            {
                "started": "2026-01-01T10:00:00+00:00",
                "finished": "2026-01-01T10:01:40+00:00",
                "ran": 5,
                "workers": 2,
            },
            {
                "started": "2026-01-01T11:00:00+00:00",
                "finished": "2026-01-01T11:00:01+00:00",
                "ran": 0,
            },
            {"started": "2026-01-01T12:00:00+00:00", "finished": None, "ran": 3},
        ]
    }
    assert compute_time(manifest) == (100.0, (2,))


def test_a_case_spec_is_a_valid_experiment_of_the_cast_as_it_is(tmp_path):
    case = historical_casts(ROOT / "agents")[0]
    path = tmp_path / "spec.toml"
    path.write_text(spec_text(case, tmp_path, 7))
    spec = load_spec(path)
    assert spec.experiment.replications == 7 and not spec.vary and not spec.fixed
    assert spec.cast_path == case.path.resolve()


@pytest.fixture
def agents(tmp_path: Path) -> Path:
    """Two historical casts and one without a history."""
    folder = tmp_path / "agents"
    folder.mkdir()
    for name in ("munich_1938.toml", "berlin_1961.toml", "dyad.toml"):
        shutil.copy(ROOT / "agents" / name, folder / name)
    return folder


def test_cases_writes_specs_runs_them_and_writes_the_page(tmp_path, agents, capsys):
    out = tmp_path / "CASES.md"
    args = [
        "cases",
        "--runs",
        "5",
        "--workers",
        "1",
        "--quiet",
        "--agents",
        str(agents),
        "--experiments",
        str(tmp_path / "specs"),
        "--results",
        str(tmp_path / "results"),
        "--out",
        str(out),
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "the whole table took" in printed and "10 of 10 runs computed now" in printed
    assert sorted(p.name for p in (tmp_path / "specs").iterdir()) == [
        "berlin_1961.toml",
        "munich_1938.toml",
    ]
    page = out.read_text()
    assert page.startswith("# Historical cases, 5 runs a case")  # not docs/CASES.md's table
    assert "| Munich 1938 | settlement, 23 days |" in page
    assert "| Berlin 1961 | aggressor withdrawal, 146 days |" in page
    assert "dyad" not in page
    assert "**Mechanisms.**" not in page and "The 10 runs took" in page  # that prose is for 1,000
    assert (tmp_path / "results" / "cases_munich_1938_runs5").is_dir()

    assert main(args) == 0  # a second time: every run is reused
    assert "0 of 10 runs computed now" in capsys.readouterr().out


def test_cases_in_a_folder_without_history_is_an_input_error(tmp_path):
    folder = tmp_path / "agents"
    folder.mkdir()
    shutil.copy(ROOT / "agents" / "dyad.toml", folder / "dyad.toml")
    with pytest.raises(InputError, match=r"no cast with a \[cast\.history\] table"):
        write_cases(agents=folder, experiments=tmp_path / "specs", out=tmp_path / "x.md", runs=5)


def _gulf(tmp_path: Path) -> Path:
    folder = tmp_path / "agents"
    folder.mkdir()
    shutil.copy(ROOT / "agents" / "gulf_1990.toml", folder / "gulf_1990.toml")
    return folder


def test_a_candidate_set_fixes_only_what_the_cast_leaves_to_the_defaults(tmp_path):
    case = next(c for c in historical_casts(ROOT / "agents") if c.name == "gulf_1990")
    candidate = Candidate(
        tmp_path / "set.toml",
        {"battlefield": {"speed": 0.08}, "sanctions": {"burden_sharing": 0.1}},
    )
    path = tmp_path / "spec.toml"
    path.write_text(spec_text(case, tmp_path, 7, candidate=candidate))
    spec = load_spec(path)
    # the Gulf cast sets its burden sharing (a policy fact): the cast's value stays
    assert spec.fixed == {"battlefield.speed": 0.08}
    assert spec.name == f"cases_gulf_1990_{candidate.tag}-runs7" and candidate.tag.startswith(
        "set-"
    )


def test_cases_under_a_candidate_set_run_apart_from_the_defaults(tmp_path, capsys):
    """A faster battlefield lets the coalition expel Iraq: the Gulf's withdrawals appear
    under the candidate set, and its runs, specs and page stay apart from the defaults'."""
    agents, results = _gulf(tmp_path), tmp_path / "results"
    (tmp_path / "fast.toml").write_text("[parameters.battlefield]\nspeed = 0.08\n")
    common = ["cases", "--runs", "6", "--workers", "1", "--quiet", "--agents", str(agents)]
    common += ["--results", str(results)]
    defaults = [*common, "--experiments", str(tmp_path / "specs"), "--out", str(tmp_path / "d.md")]
    assert main(defaults) == 0
    assert main([*common, "--parameters", str(tmp_path / "fast.toml")]) == 0
    capsys.readouterr()

    candidate = Candidate(tmp_path / "fast.toml", {"battlefield": {"speed": 0.08}})
    tag = apart_tag(candidate, 6)
    assert tag == f"{candidate.tag}-runs6"
    page = (results / f"cases_{tag}" / "CASES.md").read_text()
    assert "under the parameter set fast.toml" in page and "`battlefield.speed` = 0.08" in page
    assert "**Mechanisms.**" not in page  # the paragraphs explain the defaults' results
    assert (results / f"cases_{tag}" / "gulf_1990.toml").is_file()
    assert sorted(p.name for p in (tmp_path / "specs").iterdir()) == ["gulf_1990.toml"]

    def withdrawals(name: str) -> int:
        table = pd.read_parquet(results / name / "runs.parquet")
        return int((table["outcome"] == "aggressor_withdrawal").sum())

    assert withdrawals("cases_gulf_1990_runs6") == 0  # at the defaults the war is too slow
    assert withdrawals(f"cases_gulf_1990_{tag}") >= 4


def test_cases_with_a_bad_parameter_set_name_the_file_and_the_parameter(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[parameters.battlefield]\nspeed = -1.0\n")
    args = ["cases", "--agents", str(_gulf(tmp_path)), "--results", str(tmp_path / "r")]
    assert main([*args, "--parameters", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: parameters.battlefield.speed:" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_another_number_of_runs_leaves_the_shipped_specs_and_page_alone(tmp_path, capsys):
    """`negsim cases --runs 4` (a quick look) writes its specs and page under the results
    folder, not into experiments/cases/ and docs/CASES.md."""
    agents, results = _gulf(tmp_path), tmp_path / "results"
    args = ["cases", "--runs", "4", "--workers", "1", "--quiet", "--agents", str(agents)]
    assert main([*args, "--results", str(results)]) == 0
    capsys.readouterr()
    assert (results / "cases_runs4" / "CASES.md").is_file()
    assert (results / "cases_runs4" / "gulf_1990.toml").is_file()
    assert apart_tag(None, RUNS) is None
