"""Findings: effect estimates with known intervals, the section writer, the shipped specs."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from negsim.analysis.findings import (
    difference_of_means,
    difference_of_shares,
    estimate,
    section,
    variant_specs,
)
from negsim.analysis.stats import pool_draws
from negsim.experiment.hypothesis import Effect
from tests.conftest import ROOT

SPECS = sorted((ROOT / "experiments").glob("h[0-9][0-9]_*.toml"))


def test_newcombes_published_examples():
    # Newcombe (1998), Statistics in Medicine 17:873, method 10, examples (a) and (d).
    d = difference_of_shares(56, 70, 48, 80)
    assert (round(d.lo, 4), round(d.hi, 4)) == (0.0524, 0.3339)
    d = difference_of_shares(9, 10, 3, 10)
    assert (round(d.lo, 4), round(d.hi, 4)) == (0.1705, 0.8090)


def test_difference_of_means_has_a_normal_interval():
    rng = np.random.default_rng(0)
    d = difference_of_means(rng.normal(1.0, 1.0, 4000), rng.normal(0.0, 1.0, 4000))
    assert d.lo < 1.0 < d.hi
    assert d.hi - d.lo == pytest.approx(2 * 1.96 * np.sqrt(2 / 4000), rel=0.05)
    assert d.verdict == "higher"


def _synthetic_runs() -> pd.DataFrame:
    """400 runs at each of two points: 60% vs 40% settlements, nothing else."""
    rows = []
    for face, settled in ((0.5, 240), (0.0, 160)):
        for i in range(400):
            rows.append(
                {
                    "bargaining.face_offer": face,
                    "status": "ok",
                    "outcome": "settlement" if i < settled else "stalemate",
                    "end_tick": 10.0 if face else 20.0,
                }
            )
    rows.append(
        {"bargaining.face_offer": 0.5, "status": "failed", "outcome": None, "end_tick": None}
    )
    return pd.DataFrame(rows)


EFFECT = Effect(
    label="face vs none",
    metric="share:settlement",
    high={"bargaining.face_offer": 0.5},
    low={"bargaining.face_offer": 0.0},
    source_expects="higher",
)


def test_an_effect_on_known_shares_gives_the_known_interval():
    e = estimate(_synthetic_runs(), EFFECT)
    expected = difference_of_shares(240, 400, 160, 400)
    assert (e.value, e.lo, e.hi) == (expected.value, expected.lo, expected.hi)
    assert (e.n_high, e.n_low) == (400, 400)  # the failed run is left out


def test_the_section_reports_the_effect_and_whether_it_agrees_with_the_source():
    hyp, variants = variant_specs(SPECS[0])
    hyp = hyp.model_copy(update={"effects": [EFFECT]})
    e = pool_draws([estimate(_synthetic_runs(), EFFECT)])
    pooled = {"main": [e], "second cast": [e], "hot": [e]}
    text = section(hyp, variants["main"], pooled, [e.p], "findings/h01.png", 1)
    assert f"## {hyp.id}: {hyp.title}" in text
    assert "+20.0 pp" in text and "400 / 400" in text
    assert "higher: agrees with the source" in text
    assert "keeps its direction" in text
    assert "![H1](findings/h01.png)" in text
    # The same effect is no answer once the family's adjustment lifts its p-value above 0.05.
    text = section(hyp, variants["main"], pooled, [0.2], None, 1)
    assert "no clear effect: inconclusive" in text and "| 0.2 |" in text


def test_a_null_effect_is_inconclusive_not_a_direction():
    runs = _synthetic_runs()
    runs["outcome"] = "stalemate"
    e = estimate(runs, EFFECT)
    assert e.value == 0.0 and e.verdict == "no clear effect"


@pytest.mark.parametrize("path", SPECS, ids=lambda p: Path(p).stem)
def test_each_hypothesis_spec_validates_with_its_robustness_sweeps(path):
    hyp, variants = variant_specs(path)
    assert set(variants) == {"main", "second cast", "hot"}
    assert variants["hot"].fixed["decisions.temperature_scale"] == hyp.robustness.temperature_scale
    assert variants["second cast"].cast_path.name == "dyad.toml"


def test_there_is_one_spec_per_hypothesis():
    ids = sorted(int(variant_specs(p)[0].id[1:]) for p in SPECS)
    assert ids == list(range(1, 11))


def test_findings_end_to_end_on_a_tiny_hypothesis(tmp_path, capsys):
    from negsim.analysis.findings import write_findings

    spec = tmp_path / "h01_tiny.toml"
    spec.write_text(
        (ROOT / "experiments" / "h08_back_channel.toml")
        .read_text()
        .replace("../agents/", f"{ROOT.as_posix()}/agents/")
        .replace("replications = 400", "replications = 6")
        .replace("replications = 150", "replications = 4")
        .replace("max_ticks = 104", "max_ticks = 15")
    )
    out = tmp_path / "docs" / "FINDINGS.md"
    write_findings([spec], results=tmp_path / "results", out=out, workers=1, progress=True)
    bars = capsys.readouterr().err.replace("\r", "\n")
    for name in ("h08_back_channel:", "h08_back_channel_dyad:", "h08_back_channel_hot:"):
        assert name in bars  # each sweep's progress is labelled with its experiment
    text = out.read_text()
    assert "## H8: Back channel" in text
    assert "| back channel open vs closed | share of catastrophe |" in text
    assert "6 / 6" in text  # runs behind each side of the main sweep
    figures = list((tmp_path / "docs" / "findings").iterdir())
    assert [f.stem for f in figures if f.suffix in (".png", ".html")] == ["h01_tiny"]
    assert len(list((tmp_path / "results").iterdir())) == 3  # main, second cast, hot
    write_findings([spec], results=tmp_path / "results", out=out, workers=1, progress=True)
    lines = capsys.readouterr().out.splitlines()
    assert "h08_back_channel: 12 runs already recorded" in lines
    assert len([line for line in lines if "already recorded" in line]) == 3


def test_findings_run_each_sweep_under_every_posterior_draw_and_pool_them(tmp_path):
    from negsim.analysis.findings import write_findings

    spec = tmp_path / "h01_tiny.toml"
    spec.write_text(
        (ROOT / "experiments" / "h08_back_channel.toml")
        .read_text()
        .replace("../agents/", f"{ROOT.as_posix()}/agents/")
        .replace("replications = 400", "replications = 6")
        .replace("replications = 150", "replications = 4")
        .replace("max_ticks = 104", "max_ticks = 15")
    )
    draws = [{"parameters.decisions.cost_weight": w} for w in (0.5, 2.0)]
    out = tmp_path / "FINDINGS.md"
    write_findings([spec], results=tmp_path / "r", out=out, workers=1, progress=False, draws=draws)
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names[:2] == ["h08_back_channel_draw00", "h08_back_channel_draw01"]
    assert len(names) == 6  # three sweeps under each of two draws
    from negsim.experiment import load_results

    runs = load_results(tmp_path / "r" / "h08_back_channel_draw01")[0]
    assert len(runs) == 6  # 6 runs per point shared by 2 draws: 3 each, at 2 points
    text = out.read_text()
    assert "split over 2 posterior draws" in text and "6 / 6" in text
