"""The crisis generator: valid, reproducible casts within their bounds, written and read back."""

from __future__ import annotations

import tomllib

import pytest

from negsim.cast import Side, build_cast
from negsim.cli import main
from negsim.generator import (
    CHALLENGER,
    DEFENDER,
    GeneratorSettings,
    cast_toml,
    crisis_seed,
    generate_cast,
    possible_state_ids,
)
from negsim.model import run


@pytest.mark.parametrize("seed", range(40))
def test_every_generated_crisis_is_a_valid_cast_with_both_principals(seed):
    cast = build_cast(generate_cast(seed), f"seed {seed}")
    assert 2 <= len(cast.states) <= 12
    assert cast.principal(Side.CHALLENGER) == CHALLENGER
    assert cast.principal(Side.DEFENDER) == DEFENDER
    assert set(cast.states) <= set(possible_state_ids(GeneratorSettings()))
    assert cast.cast.tick_days in (1.0, 3.0, 7.0)


def test_the_same_seed_gives_the_same_crisis_and_another_seed_another():
    assert generate_cast(7) == generate_cast(7)
    assert generate_cast(7) != generate_cast(8)
    assert crisis_seed(1, 0) != crisis_seed(1, 1) != crisis_seed(2, 1)


def test_the_number_of_states_stays_within_the_settings():
    for low, high in ((2, 2), (5, 5), (3, 6)):
        settings = GeneratorSettings(min_states=low, max_states=high)
        sizes = {len(generate_cast(s, settings)["states"]) for s in range(60)}
        assert min(sizes) >= low and max(sizes) <= high
    assert len({len(generate_cast(s)["states"]) for s in range(200)}) >= 6  # a spread of sizes


def test_a_generated_crisis_sets_policy_facts_but_no_mechanism_parameter():
    sections = set()
    for seed in range(30):
        sections |= set(generate_cast(seed)["parameters"])
    assert sections == {"bargaining", "humiliation", "disinformation", "sanctions"}
    for seed in range(30):
        assert set(generate_cast(seed)["parameters"]["bargaining"]) == {
            "start_days",
            "back_channel",
            "face_offer",
        }


def test_the_written_cast_reads_back_as_the_same_document():
    for seed in range(10):
        doc = generate_cast(seed)
        assert tomllib.loads(cast_toml(doc, "a header\nof two lines")) == doc


def test_negsim_generate_writes_a_cast_that_validates_and_runs(tmp_path, capsys):
    path = tmp_path / "crisis.toml"
    assert main(["generate", "--seed", "3", "-o", str(path)]) == 0
    assert "a generated crisis of" in capsys.readouterr().out
    assert path.read_text().startswith("# A generated crisis: `negsim generate --seed 3`")
    assert main(["validate", str(path)]) == 0
    record, _ = run(path, seed=0)
    assert record.outcome != "running"


def test_negsim_generate_refuses_bad_settings_in_one_line(capsys):
    assert main(["generate", "--min-states", "6", "--max-states", "3"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: negsim generate: min_states (6) is above max_states (3)"
    )
    assert main(["generate", "-o", "/no/such/folder/x.toml"]) == 2
