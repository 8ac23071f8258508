"""M3 offers, face and back channels; M10 leverage; two-level ratification (the bargaining core).

A deal is ``(x, face_public, face_private)``: the challenger gets the share ``x`` of the issue,
and the defender side gives it face (a concession that saves it face, paid by a state with
face to give) in public, in private, or both.

- A side's **reservation** is the value of fighting on (its expected share of the issue by the
  planning horizon, less the costs of getting there and the expected catastrophe, as a
  certainty equivalent), or of quitting if that is worth more.
- Each required state's publics accept a deal worth at least what they demand: their side's
  expected share from fighting, shifted by how hawkish they now are (`public_demands`). The
  deal is **ratified** by a state when constituencies holding ``threshold`` of its weight
  accept it, i.e. when its value reaches the state's **win-set edge** (`winset_edge`).
- A proposer chooses the terms that maximise its expected value over the receiver's possible
  types (its belief) and every required state's ratification (its reading of their edges),
  then whether to make the offer at all (`best_offer`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import RungId
from negsim.mechanisms import commitment, outlook
from negsim.mechanisms.beliefs import bayes, choice_likelihood
from negsim.mechanisms.decisions import accept_probability, logit_choice
from negsim.world import CHALLENGER, DEFENDER, Deal, other

if TYPE_CHECKING:
    from negsim.world import World


@dataclass(frozen=True)
class Offer:
    """Terms put to the other side: the challenger's share, face in public and in private."""

    proposer: int  # the proposing side: 0 challenger, 1 defender
    x: float
    face_public: float = 0.0
    face_private: float = 0.0
    private: bool = False  # made through the back channel

    @property
    def face(self) -> float:
        """All the face the deal gives."""
        return self.face_public + self.face_private


def public_demands(
    share: float,
    cost: float,
    preferred: np.ndarray,
    pain_sensitivity: np.ndarray,
    width: float,
) -> np.ndarray:
    """The share of the issue each constituency insists on for its side.

    What fighting on is expected to bring its side (``share``), less the cost of getting there
    as it feels it (``cost``, the side's cost of fighting on in issue units, times its pain
    sensitivity), shifted up by ``width / 2`` for a fully hawkish constituency and down as much
    for a fully dovish one. ``preferred`` carries weariness, fear, rallies and disinformation
    (M9), so the acceptable range moves with them, with costs and with the battlefield.
    """
    return share - pain_sensitivity * cost + width * (preferred - 0.5)


def winset_edge(demands: np.ndarray, weights: np.ndarray, threshold: float) -> float:
    """The least value of a deal that constituencies holding ``threshold`` of the weight accept.

    A weighted quantile of the demands; ``weights`` sum to one.
    """
    if threshold <= 0.0:
        return -math.inf
    order = np.argsort(demands, kind="stable")
    cumulative = np.cumsum(weights[order])
    at = int(np.searchsorted(cumulative, threshold - 1e-12))
    return float(demands[order[min(at, len(order) - 1)]])


def ratification_chance(margin: np.ndarray, sd: float) -> np.ndarray:
    """Chance a state ratifies a deal whose value exceeds the state's edge by ``margin``.

    ``sd`` is the noise of the reader's estimate of the edge; 0 is certainty.
    """
    if sd <= 0.0:
        return (margin >= 0.0).astype(float)
    z = margin / (sd * math.sqrt(2.0))
    return 0.5 * (1.0 + _erf(z))


def _erf(z: np.ndarray) -> np.ndarray:
    # Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and scipy is heavy here.
    sign = np.sign(z)
    a = np.abs(z)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


def acceptance_chance(
    receiver_value: np.ndarray, reservations: np.ndarray, probs: np.ndarray, scale: float
) -> np.ndarray:
    """Chance the receiver accepts each offer, averaged over its possible types.

    ``receiver_value`` has one entry per offer, ``reservations`` and ``probs`` one per type:
    the proposer's belief about the receiver.
    """
    gaps = receiver_value[:, None] - reservations[None, :]
    z = np.clip(gaps / scale, -50.0, 50.0)
    return (1.0 / (1.0 + np.exp(-z))) @ probs


def expected_values(
    success: np.ndarray, deal_value: np.ndarray, fighting: float, failure_cost: np.ndarray
) -> np.ndarray:
    """The proposer's expected value of each offer: deal if accepted and ratified, else fight.

    ``failure_cost`` is what a failed offer costs the proposer (audience costs if public).
    """
    return success * deal_value + (1.0 - success) * (fighting - failure_cost)


def best_offer(values: np.ndarray) -> int:
    """Index of the offer with the highest expected value (the first of equals)."""
    return int(np.argmax(values))


# --- on the world ------------------------------------------------------------------------------


def required_states(world: World) -> list[int]:
    """The states that must ratify a deal: both principals and every guarantor."""
    found = list(world.sides.principal)
    found += [i for i in range(len(world.states.ids)) if world.states.guarantor[i]]
    return list(dict.fromkeys(found))


def winset_edges(world: World) -> dict[int, float]:
    """The least share of the issue each required state's publics accept for their side.

    Neutral states (a neutral guarantor) accept any deal.
    """
    p = world.params.ratification
    pub = world.publics
    now = [
        outlook.prospects(world, k, postures=[world.sides.posture[k]])[0]
        for k in (CHALLENGER, DEFENDER)
    ]
    edges = {}
    for i in required_states(world):
        side = int(world.states.side[i])
        if side > DEFENDER:
            edges[i] = -math.inf
            continue
        rows = world.states.rows[i]
        demands = public_demands(
            now[side].share,
            now[side].b,
            pub.preferred[rows],
            pub.pain_sensitivity[rows],
            p.stance_width,
        )
        edges[i] = winset_edge(demands, pub.weight[rows], p.threshold)
    return edges


def ceded_ground(share: np.ndarray | float, held: float, loss_aversion: float):
    """The extra weight of ground a deal takes from a side that holds it (prospect theory).

    A deal giving a side less of the issue than it holds now is a loss, weighed by loss
    aversion: ``(loss_aversion - 1) * max(0, held - share)`` more than its face value.
    """
    return (loss_aversion - 1.0) * np.maximum(0.0, held - share)


def public_value(
    x: np.ndarray | float,
    face_public: np.ndarray | float,
    side: int,
    face_public_value: float,
    control: float,
    loss_aversion: float,
) -> np.ndarray | float:
    """What a deal is worth to a side's publics: its share, less the held ground it cedes,
    public face counting for the challenger's publics and against the defender's."""
    if side == CHALLENGER:
        return x - ceded_ground(x, control, loss_aversion) + face_public_value * face_public
    share = 1.0 - x
    return (
        share
        - ceded_ground(share, 1.0 - control, loss_aversion)
        - (face_public_value * face_public)
    )


def face_to_give(world: World) -> float:
    """The face the defender side can put in an offer: its states' capacity, times the lever."""
    s = world.states
    capacity = sum(s.face_capacity[j] for j in world.sides.members[DEFENDER] if not s.defected[j])
    return min(1.0, capacity) * world.params.bargaining.face_offer


def _leader_value(world: World, side: int, x, face) -> np.ndarray:
    """What a deal is worth to a side's principal's leader, before the risk of breach: its
    share, less the held ground it cedes (weighed by the leader's loss aversion), plus the
    face it gets (challenger) or less the face it pays (defender)."""
    p = world.params.bargaining
    leaders = world.leaders
    i = world.sides.principal[side]
    if side == CHALLENGER:
        worth = p.face_value * leaders.face_sensitivity[i] * (1.0 + leaders.humiliation[i])
        return x - ceded_ground(x, world.control, leaders.loss_aversion[i]) + worth * face
    share = 1.0 - x
    ceded = ceded_ground(share, 1.0 - world.control, leaders.loss_aversion[i])
    return share - ceded - p.face_price * face


def _scale(world: World, i: int) -> float:
    return max(
        world.leaders.temperature[i] * world.params.decisions.temperature_scale,
        world.params.beliefs.tremble,
    )


@dataclass
class Round:
    """What this tick's offers are weighed against, computed once for both sides."""

    xs: np.ndarray  # the deal terms proposers consider
    later: list[float]  # each side's war value after a deal's implementation (public resolve)
    breach: tuple[np.ndarray, np.ndarray]  # chance each side breaks a deal at each of ``xs``
    edges: dict[int, float]  # each required state's win-set edge (share for its side)
    channel: float  # openness of the back channel


def open_round(world: World) -> Round:
    """Assess this tick's bargaining situation."""
    xs = np.linspace(0.0, 1.0, world.params.bargaining.grid)
    later = commitment.later_values(world)
    return Round(
        xs=xs,
        later=later,
        breach=commitment.breach_chances(world, xs, later),
        edges=winset_edges(world) if world.params.ratification.enabled else {},
        channel=world.back_channel(),
    )


def _offer_shapes(world: World, side: int, channel: float) -> list[tuple[float, float, bool]]:
    """The (public face, private face, private channel) combinations a side may offer."""
    faces = [(0.0, 0.0, False)]
    if side == DEFENDER:
        f = face_to_give(world)
        if f > 0.0:
            faces += [(f / 2, 0.0, False), (f, 0.0, False)]
            if channel > 0.0:
                faces += [(0.0, f / 2, True), (0.0, f, True)]
    channels = [False, True] if channel > 0.0 else [False]
    return [
        (fp, fq, ch) for fp, fq, only_private in faces for ch in channels if ch or not only_private
    ]


def choose_offer(
    world: World, side: int, rng: random.Random, now: Round | None = None
) -> Offer | None:
    """The side's lead picks the terms, face and channel of highest expected value, then
    whether making that offer beats making none (logit).

    Expected value: the chance the receiver accepts (over the lead's belief about its
    resolve), times the chance every required state ratifies (from the lead's noisy reading of
    their win-sets), times the deal's worth to the side, discounted by the chance the other
    side breaks it; else the value of fighting on, less audience costs if the offer was public.
    """
    p = world.params
    now = now or open_round(world)
    enemy = other(side)
    options = _offer_shapes(world, side, now.channel)
    f_pub = np.array([o[0] for o in options])[None, :]
    face = f_pub + np.array([o[1] for o in options])[None, :]
    private = np.array([o[2] for o in options])[None, :]
    x = now.xs[:, None]
    q_mine, q_theirs = now.breach if side == CHALLENGER else now.breach[::-1]
    theirs = _leader_value(world, enemy, x, face)
    theirs = (1.0 - q_mine[:, None]) * theirs + q_mine[:, None] * now.later[enemy]
    reservations = outlook.reservations(world, enemy, world.sides.type_values[side], side)
    accept = acceptance_chance(
        theirs.ravel(),
        reservations,
        world.sides.type_probs[side],
        _scale(world, world.sides.principal[enemy]),
    ).reshape(theirs.shape)
    noise = p.bargaining.misperception * (1.0 - now.channel)
    for i, edge in now.edges.items():
        if not math.isfinite(edge):
            continue
        k = int(world.states.side[i])
        sd = noise if k != side else 0.3 * noise
        read = edge + (rng.gauss(0.0, sd) if sd > 0 else 0.0)
        margin = (
            public_value(
                x,
                f_pub,
                k,
                p.bargaining.face_public_value,
                world.control,
                p.ratification.loss_aversion,
            )
            - read
        )
        accept = accept * ratification_chance(margin, sd)
    mine = _leader_value(world, side, x, face)
    mine = (1.0 - q_theirs[:, None]) * mine + q_theirs[:, None] * now.later[side]
    fighting = outlook.reservation(world, side)
    failure = np.where(private, 0.0, p.bargaining.audience_cost)
    values = expected_values(accept, mine, fighting, failure)
    g, o = divmod(best_offer(values.ravel()), len(options))
    lead = world.sides.lead[side]
    temperature = world.leaders.temperature[lead] * p.decisions.temperature_scale
    if logit_choice([fighting, float(values[g, o])], temperature, 1.0, rng) == 0:
        return None
    fp, fq, ch = options[o]
    return Offer(side, float(now.xs[g]), fp, fq, ch)


def answer(world: World, offer: Offer, rng: random.Random, now: Round | None = None) -> bool:
    """The other principal answers an offer; accepted, it goes to ratification; ratified, it is
    signed. Returns whether a deal was signed."""
    p = world.params
    now = now or open_round(world)
    side = offer.proposer
    enemy = other(side)
    receiver = world.sides.principal[enemy]
    world.counts["offers_private" if offer.private else "offers_public"] += 1
    q_c, q_d = commitment.breach_chances(world, np.array([offer.x]), now.later)
    q_mine = float((q_c if side == CHALLENGER else q_d)[0])
    later = outlook.later_value(world, enemy, world.leaders.resolve[receiver])
    worth = float(_leader_value(world, enemy, offer.x, offer.face))
    worth = (1.0 - q_mine) * worth + q_mine * later
    mine = outlook.reservation(world, enemy)
    temperature = world.leaders.temperature[receiver] * p.decisions.temperature_scale
    accepted = rng.random() < accept_probability(worth, mine, temperature)
    _learn_from_answer(world, side, offer, accepted)
    channel = "privately" if offer.private else "publicly"
    text = (
        f"{world.name(world.sides.lead[side])} offers {channel}: x = {offer.x:.2f}, "
        f"face {offer.face_public:.2f} public / {offer.face_private:.2f} private"
    )
    if side == DEFENDER and offer.face > 0.0:
        world.face_offered += offer.face
        world.sides.face_on_table = max(world.sides.face_on_table, offer.face)
    if not accepted:
        world.log("offer", f"{text}; rejected", "offers_rejected")
        if not offer.private:
            _rejected_in_public(world, offer)
        return False
    refusing = [
        world.name(i)
        for i, edge in now.edges.items()
        if public_value(
            offer.x,
            offer.face_public,
            int(world.states.side[i]),
            p.bargaining.face_public_value,
            world.control,
            p.ratification.loss_aversion,
        )
        < edge - 1e-12
    ]
    if refusing:
        world.log(
            "offer",
            f"{text}; accepted but not ratified by {', '.join(refusing)}",
            "ratifications_failed",
        )
        return False
    sign(world, offer, (float(q_c[0]), float(q_d[0])))
    return True


def _learn_from_answer(world: World, side: int, offer: Offer, accepted: bool) -> None:
    """The proposer updates its belief about the receiver's resolve from the answer."""
    enemy = other(side)
    resolves = world.sides.type_values[side]
    reservations = outlook.reservations(world, enemy, resolves, side)
    worth = float(_leader_value(world, enemy, np.array([offer.x]), offer.face)[0])
    gaps = worth - reservations
    likelihood = choice_likelihood(
        gaps if accepted else -gaps, _scale(world, world.sides.principal[enemy])
    )
    world.sides.type_probs[side] = bayes(world.sides.type_probs[side], likelihood)


def _rejected_in_public(world: World, offer: Offer) -> None:
    """Audience costs for the offerer's hawks; a lowball public offer humiliates (M3)."""
    p = world.params.bargaining
    pub = world.publics
    for j in world.sides.members[offer.proposer]:
        rows = world.states.rows[j]
        pub.support[rows] = np.clip(
            pub.support[rows] - p.audience_cost * pub.stance[rows], 0.0, 1.0
        )
    if offer.proposer == DEFENDER:
        i = world.sides.principal[CHALLENGER]
        insult = p.public_insult * 2.0 * max(0.0, 0.5 - offer.x)
        world.leaders.humiliation[i] = min(1.0, world.leaders.humiliation[i] + insult)


def sign(world: World, offer: Offer, breach: tuple[float, float]) -> None:
    """A ratified deal: a ceasefire while it is implemented; open threats lapse."""
    c = world.params.commitment
    world.deal = Deal(
        x=offer.x,
        face_public=offer.face_public,
        face_private=offer.face_private,
        signed=world.tick,
        ends=world.tick + world.clock.ticks(c.implementation_days),
        breach=breach,
        postures=(world.sides.posture[0], world.sides.posture[1]),
    )
    world.sides.posture[:] = [RungId.DIPLOMATIC, RungId.DIPLOMATIC]
    world.threats.clear()
    world.log(
        "deal",
        f"deal ratified: x = {offer.x:.2f}, face {offer.face_public:.2f} public "
        f"/ {offer.face_private:.2f} private; a ceasefire while it is implemented",
    )


def negotiate(world: World, rng: random.Random) -> None:
    """Each side's lead may make an offer (at ``rounds_per_week``); the offers are answered in
    an order the model's seeded generator shuffles; the first signed binds."""
    if world.deal is not None or not world.talks_open():
        return
    chance = min(1.0, world.params.bargaining.rounds_per_week * world.clock.weeks)
    proposing = [side for side in (CHALLENGER, DEFENDER) if rng.random() < chance]
    if not proposing:
        return
    now = open_round(world)
    offers = []
    for side in proposing:
        offer = choose_offer(world, side, rng, now)
        if offer is not None:
            offers.append(offer)
            world.sides.last_terms[side] = offer.x
    rng.shuffle(offers)
    for offer in offers:
        if answer(world, offer, rng, now):
            return


def implement(world: World, rng: random.Random) -> None:
    """A deal under implementation may break: a side breaks it with its breach hazard."""
    deal = world.deal
    if deal is None or world.tick >= deal.ends:
        return
    ticks = deal.ends - deal.signed
    for side in (CHALLENGER, DEFENDER):
        hazard = commitment.breach_hazard(deal.breach[side], ticks)
        if hazard > 0.0 and rng.random() < hazard:
            world.deal = None
            world.deals_broken += 1
            world.sides.posture[:] = list(deal.postures)
            world.log(
                "deal broken",
                f"{world.name(world.sides.principal[side])} breaks the deal; war resumes",
                "deals_broken",
            )
            return
