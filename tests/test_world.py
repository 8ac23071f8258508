import random

from negsim.world import normal_deviates


def test_normal_deviates_are_those_gauss_draws_and_leave_the_generator_alike():
    for count in (0, 1, 2, 5, 40):
        for primed in (False, True):  # a generator holding gauss's spare deviate, or not
            drawn, made = random.Random(count), random.Random(count)
            if primed:
                drawn.gauss()
                made.gauss()
            assert normal_deviates(made, count) == [drawn.gauss() for _ in range(count)]
            assert made.getstate() == drawn.getstate()
