"""The crisis model: reproducibility, every outcome reachable, Mesa agents, time, records."""

import collections
import dataclasses
import statistics

import pytest

from negsim.actors import Constituency, Leader, State
from negsim.cast import load_cast
from negsim.errors import InputError
from negsim.model import CrisisModel, run
from negsim.outcomes import Outcome
from tests.helpers import ROOT

FLASH = ROOT / "tests" / "data" / "casts" / "border_flash.toml"
DYAD_CAST = ROOT / "agents" / "dyad.toml"
NO_TALKS = {"bargaining.start_days": 10_000}
TGT_DOVES = {f"constituencies.TGT.{g}.stance": 0.2 for g in ("army", "public")}
ARG_DOVES = {f"constituencies.ARG.{g}.stance": 0.2 for g in ("hawks", "business", "public")}

# Seeded configurations of the dyad cast under which each outcome occurs.
REACHING = {
    Outcome.SETTLEMENT: {},
    Outcome.CATASTROPHE: {
        **NO_TALKS,
        "sides.challenger.posture": 4,
        "escalation.catastrophe_penalty": 0.0,  # nobody dreads it, so nobody avoids it
        "escalation.ladder.nuclear_threats.hazard": 0.5,
    },
    Outcome.CONQUEST: {
        **NO_TALKS,
        "states.ARG.military": 6.0,
        "leaders.TGT.resolve": 1.0,
        "leaders.TGT.face_sensitivity": 1.0,
        "states.ALY.aid": 0.0,
    },
    Outcome.AGGRESSOR_WITHDRAWAL: {
        **NO_TALKS,
        **ARG_DOVES,
        "states.ARG.military": 0.1,
        "leaders.ARG.resolve": 0.0,
        "cast.initial_control": 0.0,
    },
    Outcome.TARGET_CAPITULATION: {
        **NO_TALKS,
        **TGT_DOVES,
        "states.ARG.military": 3.0,
        "leaders.TGT.resolve": 0.0,
        "leaders.TGT.face_sensitivity": 0.0,
        "states.ALY.aid": 0.0,
    },
    Outcome.STALEMATE: {
        **NO_TALKS,
        "sides.challenger.posture": 1,
        "sides.defender.posture": 1,
        "escalation.ladder.show_of_force.hazard": 0.0,
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
    assert len(types[Constituency]) == len(model.world.publics.weight)
    usa = model.states[model.world.states.ids.index("USA")]
    assert usa.lead and not usa.principal and usa.leader.name == "Biden"


def test_a_leader_voted_out_is_a_new_agent_and_the_old_one_leaves(dyad_path):
    model = CrisisModel(
        dyad_path,
        rng=0,
        **{
            "states.ALY.next_election_day": 7,
            "domestic.election_noise": 0.001,
            "constituencies.ALY.hawks.support": 0.0,
            "constituencies.ALY.industry.support": 0.0,
            "constituencies.ALY.public.support": 0.0,
            "domestic.support_rate": 0.0,
        },
    )
    old = model.states[2].leader
    model.step()
    assert model.states[2].leader is not old
    assert old not in model.agents
    assert model.world.counts["leader_changes"] == 1


def test_a_crisis_of_one_day_ticks_with_an_ally_of_the_challenger_runs():
    cast = load_cast(FLASH)
    assert cast.cast.tick_days == 1
    record, model = run(FLASH, seed=0, collect_series=True)
    assert model.max_ticks == 30
    assert record.end_days == record.end_tick * 1.0
    assert len(model.datacollector.get_model_vars_dataframe()) == model.world.tick + 1
    assert model.states[model.world.states.ids.index("SOU")].lead


def test_the_defender_side_can_threaten_and_use_force():
    records = [run(FLASH, seed=s)[0] for s in range(20)]
    assert sum(r.events.get("threats_by_defender", 0) for r in records) > 0
    assert max(r.peak_posture_defender for r in records) >= 2


@pytest.mark.slow
def test_the_same_parameters_mean_the_same_thing_at_any_tick_length(dyad_path):
    """The dyad run at one-day ticks tells about the same story as at one-week ticks."""

    def story(days: int):
        records = [run(dyad_path, seed=s, overrides={"cast.tick_days": days})[0] for s in range(30)]
        settled = sum(r.outcome == "settlement" for r in records) / len(records)
        return settled, statistics.median(r.end_days for r in records)

    weekly, daily = story(7), story(1)
    assert abs(weekly[0] - daily[0]) <= 0.25
    assert daily[1] / 2 <= weekly[1] <= daily[1] * 2


def test_a_settlement_records_its_terms_and_days(dyad_path):
    record = next(
        r for r in (run(dyad_path, seed=s)[0] for s in range(10)) if r.outcome == "settlement"
    )
    assert 0.0 <= record.deal_x <= 1.0
    assert record.face_public is not None and record.face_private is not None
    assert record.end_days == record.end_tick * 7
    row = record.flat()
    assert {"n_threats_by_defender", "cost_ARG", "misperception"} <= set(row)


def test_a_version_one_cast_is_explained(tmp_path):
    text = (ROOT / "agents" / "dyad.toml").read_text()
    old = tmp_path / "old.toml"
    old.write_text(text.replace('side = "challenger"', 'role = "aggressor"'))
    with pytest.raises(InputError, match="role is gone"):
        load_cast(old)


def test_nuclear_use_is_final_even_if_a_deal_could_be_signed_in_the_same_tick():
    """An accident at nuclear threats ends the crisis: no offer is made after it, so a deal
    cannot undo it in the negotiation that follows in the same tick."""
    import random

    from negsim.mechanisms import bargaining, escalation
    from negsim.world import CHALLENGER
    from tests.helpers import dyad_world

    world = dyad_world(**{"sides.challenger.posture": 4, "ratification.enabled": False})
    world.tick = 5
    escalation.climb(world, CHALLENGER, "slips", inadvertent=True)
    assert world.catastrophe
    bargaining.negotiate(world, random.Random(0))
    assert (
        world.deal is None and world.counts["offers_public"] + world.counts["offers_private"] == 0
    )


def test_overriding_one_key_of_a_rung_keeps_the_rest_of_that_rung():
    from negsim.cast import Ladder

    cast = load_cast(DYAD_CAST, {"parameters.escalation.ladder.full_war.cost": 0.008})
    full_war = cast.parameters.escalation.ladder.full_war
    assert full_war.cost == 0.008
    assert full_war.model_dump() == {**Ladder().full_war.model_dump(), "cost": 0.008}
    same, _ = run(DYAD_CAST, seed=3, overrides={"escalation.ladder.full_war.cost": 0.004})
    base, _ = run(DYAD_CAST, seed=3)
    assert same == base  # the default value, set explicitly, changes nothing
