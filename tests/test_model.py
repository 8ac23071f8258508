"""The crisis model: reproducibility, reachability of every outcome, Mesa agents, scale."""

import collections
import dataclasses

import pytest

from negsim.actors import Constituency, Leader, State
from negsim.cast import load_cast
from negsim.model import CrisisModel, run
from negsim.outcomes import Outcome

# Seeded configurations of the dyad cast under which each outcome occurs.
REACHING = {
    Outcome.SETTLEMENT: {},
    Outcome.CATASTROPHE: {
        "escalation.initial_rung": 4,
        "escalation.base_hazard": 0.05,
        "bargaining.start_tick": 1000,
        "leaders.ARG.resolve": 1.0,
        "leaders.ARG.face_sensitivity": 1.0,
    },
    Outcome.CONQUEST: {
        "states.ARG.military": 4.0,
        "bargaining.start_tick": 1000,
        "leaders.TGT.resolve": 1.0,
        "leaders.TGT.face_sensitivity": 1.0,
    },
    Outcome.AGGRESSOR_WITHDRAWAL: {
        "states.ARG.military": 0.3,
        "leaders.ARG.resolve": 0.0,
        "leaders.ARG.face_sensitivity": 0.0,
        "bargaining.start_tick": 1000,
        "states.ALY.sanctions": 1.0,
    },
    Outcome.TARGET_CAPITULATION: {
        "states.ARG.military": 2.0,
        "leaders.TGT.resolve": 0.0,
        "leaders.TGT.face_sensitivity": 0.0,
        "bargaining.start_tick": 1000,
        "states.ALY.aid": 0.0,
    },
    Outcome.STALEMATE: {
        "bargaining.start_tick": 1000,
        "escalation.initial_rung": 1,
        "escalation.base_hazard": 0.0,
    },
}


@pytest.mark.parametrize("outcome", list(Outcome), ids=lambda o: o.value)
def test_every_outcome_is_reachable(dyad_path, outcome):
    seen = collections.Counter(
        run(dyad_path, seed=s, overrides=REACHING[outcome])[0].outcome for s in range(10)
    )
    assert seen[outcome.value] > 0, seen


def test_the_same_seed_gives_the_same_record(ukraine_path):
    first, _ = run(ukraine_path, seed=11, overrides={"leaders.RUS.risk_preference": 0.8})
    again, _ = run(ukraine_path, seed=11, overrides={"leaders.RUS.risk_preference": 0.8})
    assert dataclasses.asdict(first) == dataclasses.asdict(again)


def test_different_seeds_give_different_records(dyad_path):
    records = {repr(dataclasses.asdict(run(dyad_path, seed=s)[0])) for s in range(5)}
    assert len(records) > 1


def test_a_cast_object_and_its_file_give_the_same_run(dyad_path):
    from_file, _ = run(dyad_path, seed=3)
    from_cast, _ = run(load_cast(dyad_path), seed=3)
    assert dataclasses.asdict(from_file) == dataclasses.asdict(from_cast)


def test_states_leaders_and_constituencies_are_mesa_agents(ukraine_path):
    model = CrisisModel(ukraine_path, rng=0)
    types = model.agents_by_type
    assert len(types[State]) == 11
    assert sum(len(s) for t, s in types.items() if issubclass(t, Leader)) == 11
    assert len(types[Constituency]) == len(model.publics.support)
    assert len(types[Constituency]) > 300  # the Russian and Ukrainian publics as many agents


def test_a_lost_election_replaces_the_leader_agent(dyad_path):
    model = CrisisModel(
        dyad_path, rng=0, **{"states.ALY.next_election": 1, "domestic.election_noise": 0.001}
    )
    model.publics.support[model.states_by_id["ALY"].rows] = 0.0
    old = model.states_by_id["ALY"].leader
    model.step()
    new = model.states_by_id["ALY"].leader
    assert new is not old and new in model.agents and old not in model.agents
    assert model.counts["leader_changes"] == 1


def test_cohesion_is_derived_from_commitments(dyad_path):
    model = CrisisModel(dyad_path, rng=0)
    before = model.cohesion
    model.states_by_id["ALY"].adjust_commitment(0.3)
    model._refresh()
    assert model.cohesion > before


def test_a_thousand_constituency_agents_still_run(dyad_path):
    model = CrisisModel(dyad_path, rng=0, max_ticks=20, **{"constituencies.ARG.public.count": 1000})
    record = model.run()
    assert len(model.publics.support) > 1000
    assert record.end_tick <= 20


def test_the_record_has_every_field_of_the_design(ukraine_path):
    record, _model = run(ukraine_path, seed=2)
    row = record.flat()
    for key in (
        "seed",
        "outcome",
        "end_tick",
        "deal_x",
        "deal_face",
        "final_control",
        "peak_rung",
        "min_cohesion",
        "mean_cohesion",
        "final_cohesion",
        "humanitarian_cost",
        "coalition_collapsed",
        "n_threats_by_aggressor",
        "n_threats_carried_out",
        "n_bluffs_called",
        "n_offers_public",
        "n_offers_private",
        "n_concessions",
        "n_defections",
        "n_leader_changes",
        "cost_RUS",
        "cost_DEU",
    ):
        assert key in row
    assert (row["deal_x"] is not None) == (record.outcome == "settlement")


def test_series_are_collected_per_tick(dyad_path):
    model = CrisisModel(dyad_path, rng=0, max_ticks=10)
    model.run()
    series = model.datacollector.get_model_vars_dataframe()
    assert len(series) == model.tick + 1
    assert {"cohesion", "control", "rung", "humiliation", "reservation", "approval_ARG"} <= set(
        series
    )


def test_the_aggressors_reservation_point_rises_with_control(dyad_path):
    model = CrisisModel(dyad_path, rng=0)
    low = model.aggressor.leader.reservation()
    model.control = 0.7
    assert model.aggressor.leader.reservation() > low


@pytest.mark.slow
def test_the_ukraine_cast_has_varied_outcomes(ukraine_path):
    seen = collections.Counter(run(ukraine_path, seed=s)[0].outcome for s in range(40))
    assert len(seen) >= 2
    assert max(seen.values()) < 40


def test_mesas_reset_scenario_is_not_taken_for_an_override(dyad_path):
    from mesa.experimental.scenarios import Scenario

    model = CrisisModel(dyad_path, rng=4, scenario=Scenario(rng=4))
    assert model.seed == 4
