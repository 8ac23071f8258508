import random

import numpy as np
import pytest

from negsim.mechanisms import disinformation
from negsim.mechanisms.disinformation import allocate_effort, message_effects
from negsim.world import CHALLENGER
from tests.helpers import dyad_world


def _brute(stances, audiences, t, gain, tol):
    effect = np.zeros(len(stances))
    for a in audiences:
        alignment = np.clip(1 - np.abs(stances - stances[a]) / tol, -1, 1)
        contribution = t * gain * alignment
        contribution[a] = gain
        effect += contribution
    return effect


def test_message_effects_match_the_direct_sum():
    rng = np.random.default_rng(0)
    stances = rng.random(200)
    audiences = np.array([3, 50, 50, 199])
    assert np.allclose(
        message_effects(stances, audiences, 0.7, 0.02, 0.25),
        _brute(stances, audiences, 0.7, 0.02, 0.25),
    )


def test_an_overheard_message_reassures_the_like_minded_and_puts_off_the_opposed():
    stances = np.array([0.2, 0.25, 0.9])
    effect = message_effects(stances, np.array([0]), 0.7, 0.02, 0.25)
    assert effect[0] == pytest.approx(0.02)
    assert effect[1] > 0 > effect[2]


def test_acoustic_separation_reaches_only_the_audience():
    stances = np.array([0.2, 0.25, 0.9])
    effect = message_effects(stances, np.array([0]), 0.0, 0.02, 0.25)
    assert effect.tolist() == pytest.approx([0.02, 0.0, 0.0])


def test_effort_goes_to_the_exposed_and_susceptible():
    alloc = allocate_effort(
        1.0, np.array([0.9, 0.1]), np.array([0.8, 0.8]), np.array([0.5, 0.5]), 2.0
    )
    assert alloc[0] > alloc[1]
    assert alloc.sum() == pytest.approx(1.0)


def test_countering_makes_a_campaign_less_worth_running():
    """The challenger plans its effort by what it expects to erode; full countering by the
    defenders (declassified intelligence) blunts it, so the plan is lower or none."""

    def effort(counter: float) -> float:
        world = dyad_world(
            **{
                "decisions.temperature": 0.0,
                "disinformation.counter_capacity": 1.0,
                "disinformation.value": 0.5,
            }
        )
        ally = world.states.ids.index("ALY")
        world.states.counter[ally] = counter
        world.tick = 1
        disinformation.plan(world, random.Random(0))
        return world.sides.disinformation[CHALLENGER]

    assert effort(1.0) <= effort(0.0)
    assert effort(0.0) > 0.0


def test_a_campaign_shifts_the_enemys_publics_and_wedges_its_partners():
    world = dyad_world()
    world.sides.disinformation[CHALLENGER] = 0.3
    ally = world.states.ids.index("ALY")
    wedge = disinformation.spread(world)
    assert world.publics.shift[world.states.rows[ally]].sum() > 0.0
    assert wedge[ally] > 0.0
