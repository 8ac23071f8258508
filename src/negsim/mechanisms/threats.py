"""M1 threats and M2 learning from how threats were answered."""

from __future__ import annotations

from negsim.mechanisms.decisions import clip01


def beta_mean(successes: float, failures: float, prior: float) -> float:
    """Mean of a Beta(prior/2 + successes, prior/2 + failures): a smoothed share."""
    return (successes + prior / 2.0) / (successes + failures + prior)


def credibility(cohesion: float, record: float, self_cost: float, p) -> float:
    """Chance the threatened party assigns to a threat being carried out.

    Rises with the threatener's cohesion and its record of carried-out threats; falls with what
    carrying it out would cost the threatener itself.
    """
    value = (
        p.base_credibility
        + p.cohesion_weight * cohesion
        + p.record_weight * record
        - p.cost_weight * self_cost
    )
    return clip01(value)


def threat_value(success_belief: float, gain: float, failure_cost: float) -> float:
    """Expected value of issuing a threat: the gain if obeyed, the cost of a showdown if not.

    ``success_belief`` is the threatener's memory of how this opponent answered its threats, so
    conceding to a threat raises the next threat's value (M2) and standing firm lowers it.
    """
    return success_belief * gain - (1.0 - success_belief) * failure_cost
