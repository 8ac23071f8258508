import numpy as np
import pytest

from negsim.cast import RungId
from negsim.mechanisms import beliefs, outlook
from negsim.world import CHALLENGER, DEFENDER
from tests.helpers import dyad_world


def _share(world, side=CHALLENGER):
    return outlook.prospects(world, side)[0].share


def test_a_stronger_challenger_expects_more_of_the_issue():
    assert _share(dyad_world(**{"states.ARG.military": 2.0})) > _share(dyad_world())


def test_aid_to_the_defender_lowers_the_challengers_outlook():
    low = dyad_world(**{"states.ALY.aid": 0.0})
    high = dyad_world(**{"states.ALY.aid": 1.0})
    assert _share(high) < _share(low)


def test_reserves_make_sanctions_cost_the_challenger_less():
    def cost(reserves):
        world = dyad_world(**{"states.ARG.reserves": reserves})
        return outlook.prospects(world, CHALLENGER)[0].b

    assert cost(1.0) < cost(0.05)


def test_only_nuclear_threats_carry_the_dread_of_catastrophe():
    world = dyad_world(
        **{"escalation.ladder.nuclear_threats.backlash": 0.0, "escalation.coercion": 0.0}
    )
    at = {p.posture: p for p in outlook.prospects(world, CHALLENGER)}
    # the same fighting, slightly dearer, plus the dread of catastrophe
    assert at[RungId.NUCLEAR_THREATS].a < at[RungId.FULL_WAR].a


def test_an_optimist_expects_more_than_the_other_side_thinks_it_will_get():
    world = dyad_world(**{"beliefs.military_uncertainty": 0.0, "beliefs.optimism": 0.3})
    own_view = outlook.rows(world, CHALLENGER, viewer=CHALLENGER)[RungId.FULL_WAR, outlook.SHARE]
    their_view = outlook.rows(world, CHALLENGER, viewer=DEFENDER)[RungId.FULL_WAR, outlook.SHARE]
    assert own_view > their_view


def test_more_resolve_means_a_higher_reservation():
    world = dyad_world()
    values = outlook.reservations(world, DEFENDER, np.array([0.1, 0.9]))
    assert values[1] >= values[0]


def test_the_table_holds_every_posture_within_reach():
    world = dyad_world(**{"states.ARG.nuclear": False})
    table = world.assessment.table
    assert np.isnan(table[CHALLENGER, CHALLENGER, RungId.NUCLEAR_THREATS]).all()
    assert not np.isnan(table[CHALLENGER, CHALLENGER, RungId.FULL_WAR, 0]).any()
    assert outlook.reachable(world, CHALLENGER) == [3, 2]
    assert world.assessment.quit[CHALLENGER] == pytest.approx(
        -2 * outlook.climb_down_face(world, CHALLENGER)
    )


# --- costs learned as felt ----------------------------------------------------------------------


def test_a_leadership_that_foresees_half_its_costs_weighs_half_of_them():
    def costs(optimism):
        world = dyad_world(**{"beliefs.cost_optimism": optimism})
        return [p.b for p in outlook.prospects(world, CHALLENGER)]

    full, half = costs(0.0), costs(0.5)
    assert all(b > 0 for b in full)
    assert half == pytest.approx([0.5 * b for b in full])


def test_costs_are_learned_only_while_they_are_felt():
    world = dyad_world(**{"beliefs.cost_optimism": 0.8, "beliefs.cost_learning": 0.25})
    assert world.cost_belief == pytest.approx([0.2, 0.2])
    beliefs.learn_costs(world, [0.01, 0.0])  # the challenger pays, the defender does not
    assert world.cost_belief == pytest.approx([0.2 + 0.25 * 0.8, 0.2])
    for _ in range(200):
        beliefs.learn_costs(world, [0.01, 0.0])
    assert 0.999 < world.cost_belief[CHALLENGER] <= 1.0


def test_by_default_every_cost_is_foreseen_from_the_start():
    world = dyad_world()
    assert world.cost_belief == [1.0, 1.0]
    beliefs.learn_costs(world, [0.01, 0.01])
    assert world.cost_belief == [1.0, 1.0]
