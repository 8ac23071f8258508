"""negsim compare and negsim discover, and the conditions they take."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from negsim.analysis.compare import compare, format_comparison
from negsim.analysis.conditions import evaluate, outcome_condition
from negsim.analysis.discovery import discover, format_discovery
from negsim.cli import main
from negsim.errors import InputError
from negsim.experiment import run_experiment
from tests.experiment.helpers import write_spec

FACE = "bargaining.face_offer"


def _runs(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Synthetic runs: catastrophe exactly when face < 0.2 and back channel > 0.5."""
    rng = np.random.default_rng(seed)
    face, channel, noise = rng.random(n), rng.random(n), rng.random(n)
    catastrophe = (face < 0.2) & (channel > 0.5)
    return pd.DataFrame(
        {
            "run_id": range(n),
            "point": range(n),
            "status": "ok",
            "error": None,
            FACE: face,
            "bargaining.back_channel": channel,
            "noise.knob": noise,
            "outcome": np.where(catastrophe, "catastrophe", "settlement"),
            "end_tick": np.where(catastrophe, 3, 40),
            "end_days": np.where(catastrophe, 21, 280),
            "deal_x": np.where(catastrophe, np.nan, 0.4),
        }
    )


# --- conditions --------------------------------------------------------------------------------


def test_conditions_compare_numbers_words_and_combine_with_and_or():
    runs = _runs()
    assert evaluate(runs, "end_tick <= 4").equals(runs["outcome"] == "catastrophe")
    assert evaluate(runs, "outcome == 'catastrophe'").sum() == (runs["end_tick"] == 3).sum()
    both = evaluate(runs, f"outcome == settlement and {FACE} < 0.5")
    assert both.sum() == ((runs["outcome"] == "settlement") & (runs[FACE] < 0.5)).sum()
    either = evaluate(runs, outcome_condition(["catastrophe", "settlement"]))
    assert either.all()
    assert not evaluate(runs, "deal_x > 0.5").any()  # missing values meet no comparison


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("end_tick <=", "expected FIELD OP VALUE"),
        ("no_such_field == 1", "no field 'no_such_field'"),
        ("end_tick == soon", "holds a number"),
        ("outcome < 3", "holds a word"),
        ("outcome < settlement", "only == and != compare words"),
    ],
)
def test_a_bad_condition_says_what_is_wrong(condition, message):
    with pytest.raises(InputError, match=message):
        evaluate(_runs(), condition)


# --- discover ----------------------------------------------------------------------------------


def test_prim_finds_the_box_that_holds_the_runs_of_interest():
    found = discover(_runs(), "outcome == catastrophe")
    box = found.box
    assert found.hits == (found.runs * found.base_rate)
    assert box["coverage"] >= 0.5 and box["density"] > 3 * found.base_rate
    restricted = found.limits[found.limits["restricted"]]
    assert set(restricted.index) <= {FACE, "bargaining.back_channel"}
    assert restricted.loc[FACE, "high"] < 0.35
    assert list(found.scores.index[:2]) == sorted(
        [FACE, "bargaining.back_channel"], key=lambda p: -found.scores[p]
    )
    assert found.scores["noise.knob"] < found.scores[FACE]
    assert found.scores.sum() == pytest.approx(1.0)
    text = format_discovery(found)
    assert "coverage" in text and "density" in text and "<- reported" in text


def test_discovery_without_runs_of_interest_is_refused():
    with pytest.raises(InputError, match="no run of 400 meets"):
        discover(_runs(), "end_tick > 100")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("discover")
    spec = write_spec(
        folder,
        "lhs",
        sampler="latin_hypercube",
        replications=2,
        max_ticks=12,
        vary=f'"{FACE}" = {{ low = 0.0, high = 1.0 }}\n'
        '"bargaining.start_days" = { low = 0, high = 8 }',
        extra="samples = 30",
    )
    return run_experiment(spec, results=folder, workers=1, progress=False).root


def test_discover_command_prints_the_box_and_writes_a_page(sweep, tmp_path, capsys):
    page = tmp_path / "d.html"
    assert main(["discover", str(sweep), "--where", "end_tick <= 11", "-o", str(page)]) == 0
    out = capsys.readouterr().out
    assert "peeling trajectory" in out and "feature scores" in out
    assert page.read_text().count("Plotly.newPlot(") == 2


def test_discover_command_needs_one_condition(sweep, capsys):
    assert main(["discover", str(sweep)]) == 2
    assert "--outcome OUTCOME or --where CONDITION" in capsys.readouterr().err


# --- compare -----------------------------------------------------------------------------------


def test_compare_gives_shares_and_the_difference_with_newcombe_intervals():
    runs = _runs()
    c = compare(runs, runs, where_a=f"{FACE} >= 0.2", where_b=f"{FACE} < 0.2")
    share = c.table.set_index("measure").loc["share catastrophe"]
    assert share["a"] == 0 and share["b"] > 0.3
    assert share["difference_lo"] > 0 and share["verdict"] == "higher"
    assert c.n_a + c.n_b == len(runs)
    text = format_comparison(c)
    assert "share catastrophe" in text and "mean end day" in text and "Newcombe" in text


def test_compare_refuses_an_unknown_outcome():
    with pytest.raises(InputError, match="--outcome nuclear_winter"):
        compare(_runs(), _runs(), ["nuclear_winter"])


def test_compare_command_prints_and_writes_its_page(sweep, tmp_path, capsys):
    page = tmp_path / "c.html"
    args = ["compare", str(sweep), str(sweep), "--where-b", f"{FACE} > 0.5", "-o", str(page)]
    assert main([*args, "--outcome", "stalemate"]) == 0
    out = capsys.readouterr().out
    assert "share stalemate" in out and "share settlement" not in out
    assert f"page written to {page}" in out
    assert page.read_text().count("Plotly.newPlot(") == 1


def test_the_report_has_a_prim_box_per_outcome_and_the_feature_scores():
    from negsim.analysis import plots
    from negsim.analysis.report import sections

    found = {s.title: s for s in sections(plots.load(_runs()))}
    figures = found["Scenario discovery"].figures
    assert list(figures) == ["prim-settlement", "prim-catastrophe", "feature-scores"]
    scores = figures["feature-scores"].data[0]
    assert list(scores.x) == ["settlement", "catastrophe"]
