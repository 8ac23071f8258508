"""M3 offers, face and back channels; M10 leverage; two-level ratification (the bargaining core).

A deal is ``(x, face_public, face_private)``: the challenger gets the share ``x`` of the issue,
and the defender side gives it face (a concession that saves it face, paid by a state with
face to give) in public, in private, or both.

- A side's **reservation** is the value of fighting on, or of quitting if that is worth more
  (`negsim.mechanisms.outlook`).
- A deal's worth to a side (`deal_value`) is its share of the issue, less the extra weight of
  held ground it cedes (loss aversion), plus the face the challenger gets or less the face the
  defender pays; each side discounts it by the chance the other breaks it (M14).
- Each required state's publics accept a deal worth at least what they demand: their side's
  expected share from fighting, less the costs they feel, shifted by how hawkish they now are
  (`public_demand`). A state **ratifies** when constituencies holding ``threshold`` of its
  weight accept, i.e. when the deal reaches the state's **win-set edge** (`winset_edge`).
- A proposer chooses the terms, face and channel that maximise its expected value over the
  receiver's possible types (its belief) and every required state's ratification (its noisy
  reading of their edges) (`offer_values`), then whether to make the offer at all.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negsim.cast import RungId
from negsim.compiled import jitable, kernel
from negsim.mechanisms import commitment, mediation, outlook, threats
from negsim.mechanisms.beliefs import learn_from_choice
from negsim.mechanisms.decisions import accept_probability, logit_index
from negsim.mechanisms.disinformation import member_rows
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


@jitable
def deal_value(
    side: int, x: float, face: float, control: float, loss_aversion: float, face_worth: float
) -> float:
    """What a deal is worth to a side: its share of the issue, less the extra weight of held
    ground it cedes (``(loss_aversion - 1) * max(0, held - share)``, prospect theory), plus
    ``face_worth`` per unit of face (negative for the side that pays it)."""
    share = x if side == 0 else 1.0 - x
    held = control if side == 0 else 1.0 - control
    return share - (loss_aversion - 1.0) * max(0.0, held - share) + face_worth * face


@jitable
def public_demand(
    share: float, cost: float, preferred: float, pain_sensitivity: float, width: float
) -> float:
    """The share of the issue a constituency insists on for its side.

    What fighting on is expected to bring its side (``share``), less the cost of getting there
    as it feels it (``cost``, the side's cost of fighting on in issue units, times its pain
    sensitivity), shifted up by ``width / 2`` for a fully hawkish constituency and down as much
    for a fully dovish one. ``preferred`` carries weariness, fear, rallies and disinformation
    (M9), so the acceptable range moves with them, with costs and with the battlefield. No
    constituency demands more than the whole issue: the most hawkish accept total victory.
    """
    return min(1.0, share - pain_sensitivity * cost + width * (preferred - 0.5))


@kernel
def winset_edge(demands: np.ndarray, weights: np.ndarray, threshold: float) -> float:
    """The least value of a deal that constituencies holding ``threshold`` of the weight accept:
    a weighted quantile of the demands (``weights`` sum to one)."""
    return edge_in_order(demands, weights, threshold, np.argsort(demands, kind="mergesort"))


@jitable
def edge_in_order(
    demands: np.ndarray, weights: np.ndarray, threshold: float, order: np.ndarray
) -> float:
    """`winset_edge`, the demands' ascending ``order`` given (a stable sort's)."""
    if threshold <= 0.0:
        return -np.inf
    cumulative = 0.0
    for k in order:
        cumulative += weights[k]
        if cumulative >= threshold - 1e-12:
            return demands[k]
    return demands[order[-1]]


@jitable
def sort_from(keys: np.ndarray, order: np.ndarray) -> None:
    """Rearrange ``order`` (indices into ``keys``) in place into the order a stable sort of
    the keys gives (ascending, equal keys by index), from the order it holds: by insertion,
    cheap when few keys changed places since, or by a merge sort when many did."""
    budget = 8 * len(order)
    for a in range(1, len(order)):
        item = order[a]
        key = keys[item]
        b = a - 1
        while b >= 0 and (keys[order[b]] > key or (keys[order[b]] == key and order[b] > item)):
            order[b + 1] = order[b]
            b -= 1
            budget -= 1
        order[b + 1] = item
        if budget < 0:
            order[:] = np.argsort(keys, kind="mergesort")
            return


@kernel
def winset_edges_of(
    preferred: np.ndarray,
    pain_sensitivity: np.ndarray,
    weight: np.ndarray,
    starts: np.ndarray,
    stops: np.ndarray,
    sides: np.ndarray,
    shares: np.ndarray,
    costs: np.ndarray,
    width: float,
    threshold: float,
    orders: np.ndarray,
    edges: np.ndarray,
) -> None:
    """Each state's win-set edge (share for its side) from its constituencies' demands.
    ``orders[starts[i]:stops[i]]`` keeps the order state ``i``'s demands were in last time,
    to sort them from (`sort_from`)."""
    for i in range(len(starts)):
        k = sides[i]
        demands = np.empty(stops[i] - starts[i])
        for n in range(len(demands)):
            row = starts[i] + n
            demands[n] = public_demand(
                shares[k], costs[k], preferred[row], pain_sensitivity[row], width
            )
        order = orders[starts[i] : stops[i]]
        sort_from(demands, order)
        edges[i] = edge_in_order(demands, weight[starts[i] : stops[i]], threshold, order)


@kernel
def lose_hawks(support: np.ndarray, stance: np.ndarray, rows: np.ndarray, cost: float) -> None:
    """The support of the constituencies in ``rows`` falls by ``cost`` times their stance
    (hawks mind most), within [0, 1]: audience costs, a leak's (M3, M15)."""
    for row in rows:
        support[row] = min(1.0, max(0.0, support[row] - cost * stance[row]))


@jitable
def ratification_chance(margin: float, sd: float) -> float:
    """Chance a state ratifies a deal whose value exceeds the state's edge by ``margin``, read
    with noise ``sd`` (0: certainty)."""
    if sd <= 0.0:
        return 1.0 if margin >= 0.0 else 0.0
    return 0.5 * (1.0 + math.erf(margin / (sd * math.sqrt(2.0))))


@kernel
def offer_values(
    xs: np.ndarray,
    face_public: np.ndarray,
    face: np.ndarray,
    private: np.ndarray,
    breach_mine: np.ndarray,
    breach_theirs: np.ndarray,
    side: int,
    control: float,
    mine: np.ndarray,
    theirs: np.ndarray,
    reservations: np.ndarray,
    probs: np.ndarray,
    scale: float,
    edge_sides: np.ndarray,
    edge_reads: np.ndarray,
    edge_sds: np.ndarray,
    public: np.ndarray,
    fighting: float,
    audience_cost: float,
) -> tuple[int, int, float]:
    """The proposer's best offer: ``(term index, shape index, expected value)``.

    For each term ``x`` in ``xs`` and shape (public face, all face, private channel): the
    chance the receiver accepts (its deal value, discounted by the chance the proposer breaks
    the deal, against each of its possible reservations, by logistic choice at ``scale``,
    averaged over the proposer's belief ``probs``), times the chance each required state
    ratifies (its value to the state's publics against the proposer's noisy reading of the
    state's edge); the proposer then has the deal (discounted by the chance the receiver
    breaks it) or fights on, less audience costs if the offer was public.

    Offers of equal value (read with certainty, every term falls outside a win-set, so each is
    worth fighting on) go to the one that misses the required states' edges by least (the sum
    of the squared shortfalls, the limit of the noisy ratification chances as the noise
    vanishes): the terms between the win-sets, not the first term of the grid.

    ``mine`` and ``theirs`` are ``(loss aversion, face worth, value if the deal breaks)`` of
    the proposer and the receiver; ``public`` is ``(loss aversion, face worth for the
    challenger's publics)``.
    """
    enemy = 1 - side
    shapes = len(face)
    # shapes share their face and their public face: each is weighed once per term
    same_face = np.arange(shapes)
    same_public = np.arange(shapes)
    for o in range(shapes):
        for q in range(o):
            if face[q] == face[o]:
                same_face[o] = same_face[q]
            if face_public[q] == face_public[o]:
                same_public[o] = same_public[q]
    takes = np.empty(shapes)
    ratifies = np.empty((shapes, len(edge_sides)))
    misses = np.empty(shapes)  # the squared shortfalls from the edges, to break ties
    taken_at = np.full(shapes, -1)  # the term each entry of ``takes`` was weighed at
    ratified_at = np.full(shapes, -1)
    best_g, best_o, best, best_miss = 0, 0, -np.inf, np.inf
    for g in range(len(xs)):
        x = xs[g]
        for o in range(shapes):
            own = deal_value(side, x, face[o], control, mine[0], mine[1])
            own = (1.0 - breach_theirs[g]) * own + breach_theirs[g] * mine[2]
            failure = 0.0 if private[o] else audience_cost
            fallback = fighting - failure
            # an offer is worth at most the deal or fighting on: one short of the best so far
            # by more than rounding cannot win, and is not weighed
            if max(own, fallback) + 1e-9 * (1.0 + abs(own) + abs(fallback)) < best:
                continue
            f = same_face[o]
            if taken_at[f] != g:
                worth = deal_value(enemy, x, face[f], control, theirs[0], theirs[1])
                worth = (1.0 - breach_mine[g]) * worth + breach_mine[g] * theirs[2]
                take = 0.0
                for t in range(len(probs)):
                    z = min(50.0, max(-50.0, (worth - reservations[t]) / scale))
                    take += probs[t] / (1.0 + math.exp(-z))
                takes[f], taken_at[f] = take, g
            p = same_public[o]
            if ratified_at[p] != g:
                miss = 0.0
                for e in range(len(edge_sides)):
                    k = edge_sides[e]
                    shown = public[1] if k == 0 else -public[1]
                    value = deal_value(k, x, face_public[p], control, public[0], shown)
                    ratifies[p, e] = ratification_chance(value - edge_reads[e], edge_sds[e])
                    miss += min(0.0, value - edge_reads[e]) ** 2
                misses[p], ratified_at[p] = miss, g
            accept = takes[f]
            for e in range(len(edge_sides)):
                accept *= ratifies[p, e]
            value = accept * own + (1.0 - accept) * fallback
            if value > best or (value == best and misses[p] < best_miss):
                best_g, best_o, best, best_miss = g, o, value, misses[p]
    return best_g, best_o, best


# --- on the world ------------------------------------------------------------------------------


def required_states(world: World) -> list[int]:
    """The states that must ratify a deal: both principals and every guarantor."""
    found = world.cache.get("required")
    if found is None:
        found = list(world.sides.principal)
        found += [i for i in range(len(world.states.ids)) if world.states.guarantor[i]]
        found = world.cache["required"] = list(dict.fromkeys(found))
    return found


def _voters(world: World) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    """The required states on a side (neutrals accept any deal), and the first and last rows
    of their publics and their sides as arrays (cached: fixed in a run)."""
    found = world.cache.get("voters")
    if found is None:
        s = world.states
        required = [i for i in required_states(world) if s.side[i] <= DEFENDER]
        found = world.cache["voters"] = (
            required,
            np.array([s.rows[i].start for i in required], dtype=np.int64),
            np.array([s.rows[i].stop for i in required], dtype=np.int64),
            np.array([s.side[i] for i in required], dtype=np.int64),
        )
    return found


def winset_edges(world: World) -> dict[int, float]:
    """The least share of the issue each required state's publics accept for their side.

    Neutral states (a neutral guarantor) accept any deal.
    """
    found = dict.fromkeys(required_states(world), -math.inf)
    found.update(zip(_voters(world)[0], _voter_edges(world).tolist(), strict=True))
    return found


def _voter_edges(world: World) -> np.ndarray:
    """`winset_edges` of the required states on a side (`_voters`), as an array."""
    return voter_edges(*_voter_inputs(world))


def _voter_inputs(world: World) -> tuple:
    """What `voter_edges` reads of the world, in its order."""
    p = world.params.ratification
    pub = world.publics
    _, starts, stops, sides = _voters(world)
    orders = world.cache.get("voter orders")
    if orders is None:
        orders = world.cache["voter orders"] = np.zeros(len(pub.weight), dtype=np.int64)
        for start, stop in zip(starts, stops, strict=True):
            orders[start:stop] = np.arange(stop - start)
    return (
        world.assessment.table,
        world.sides.posture[CHALLENGER],
        world.sides.posture[DEFENDER],
        pub.preferred,
        pub.pain_sensitivity,
        pub.seats,
        starts,
        stops,
        sides,
        p.stance_width,
        p.threshold,
        orders,
    )


@kernel
def voter_edges(
    table: np.ndarray,
    challenger_posture: int,
    defender_posture: int,
    preferred: np.ndarray,
    pain_sensitivity: np.ndarray,
    seats: np.ndarray,
    starts: np.ndarray,
    stops: np.ndarray,
    sides: np.ndarray,
    width: float,
    threshold: float,
    orders: np.ndarray,
) -> np.ndarray:
    """The win-set edges (`winset_edges_of`, sorting from ``orders``) of the states whose
    publics are the rows ``starts[i]:stops[i]`` on ``sides[i]``, from each side's expected
    share and cost of fighting on at the current postures (the assessment's ``table``)."""
    c, d = challenger_posture, defender_posture
    now_c = table[CHALLENGER, CHALLENGER, c, d]
    now_d = table[DEFENDER, DEFENDER, d, c]
    edges = np.empty(len(starts))
    winset_edges_of(
        preferred,
        pain_sensitivity,
        seats,
        starts,
        stops,
        sides,
        np.array([now_c[outlook.SHARE], now_d[outlook.SHARE]]),
        np.array([now_c[outlook.B], now_d[outlook.B]]),
        width,
        threshold,
        orders,
        edges,
    )
    return edges


def face_to_give(world: World) -> float:
    """The face the defender side can put in an offer: its states' capacity, times the lever."""
    s = world.states
    capacity = sum(s.face_capacity[j] for j in world.sides.members[DEFENDER] if not s.defected[j])
    return min(1.0, capacity) * world.params.bargaining.face_offer


def face_worth(world: World, side: int) -> float:
    """What a unit of face is worth to a side's leader (`face_worth_of`)."""
    p = world.params.bargaining
    i = world.sides.principal[CHALLENGER]
    leaders = world.leaders
    return face_worth_of(
        side, p.face_value, p.face_price, leaders.face_sensitivity[i], leaders.humiliation[i]
    )


@jitable
def face_worth_of(
    side: int, value: float, price: float, face_sensitivity: float, humiliation: float
) -> float:
    """What a unit of face is worth to a side's leader: to the challenger's, ``value`` times
    its sensitivity to face, more when it is humiliated; to the defender's, minus its
    ``price``."""
    if side == DEFENDER:
        return -price
    return value * face_sensitivity * (1.0 + humiliation)


def leader_deal_value(world: World, side: int, x: float, face: float) -> float:
    """What a deal is worth to a side's principal's leader, before the risk of breach."""
    i = world.sides.principal[side]
    return deal_value(
        side, x, face, world.control, world.leaders.loss_aversion[i], face_worth(world, side)
    )


def public_value(world: World, side: int, x: float, face_public: float) -> float:
    """What a deal is worth to a side's publics: public face counts for the challenger's and
    against the defender's."""
    p = world.params
    worth = p.bargaining.face_public_value * (1.0 if side == CHALLENGER else -1.0)
    return deal_value(side, x, face_public, world.control, p.ratification.loss_aversion, worth)


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
    channel: float  # how clearly the sides read each other
    edge_sides: np.ndarray  # the sides of the states with a finite edge ...
    edge_values: np.ndarray  # ... and their edges


def open_round(world: World) -> Round:
    """Assess this tick's bargaining situation (`round_values`)."""
    xs = world.cache.get("grid")
    if xs is None:
        xs = world.cache["grid"] = np.linspace(0.0, 1.0, world.params.bargaining.grid)
    c = world.params.commitment
    enabled = world.params.ratification.enabled
    later, values, breach_c, breach_d = round_values(
        xs,
        world.assessment.later,
        world.leaders.prior_resolve,
        world.roles()[0],
        world.params.decisions.resolve_effect,
        c.breach_scale,
        commitment.guarantee(world),
        c.guarantee_effect,
        enabled,
        _voter_inputs(world),
    )
    edges: dict[int, float] = {}
    edge_sides, edge_values = np.empty(0, dtype=np.int64), np.empty(0)
    if enabled:
        voters, _, _, sides = _voters(world)
        edges = dict.fromkeys(required_states(world), -math.inf)
        edges.update(zip(voters, values.tolist(), strict=True))
        finite = np.isfinite(values)
        edge_sides, edge_values = sides[finite], values[finite]
    return Round(
        xs=xs,
        later=later.tolist(),
        breach=(breach_c, breach_d),
        edges=edges,
        channel=world.channel(),
        edge_sides=edge_sides,
        edge_values=edge_values,
    )


@kernel
def round_values(
    xs: np.ndarray,
    later: np.ndarray,
    prior_resolve: np.ndarray,
    principals: np.ndarray,
    resolve_effect: float,
    breach_scale: float,
    guarantee: float,
    guarantee_effect: float,
    ratifying: bool,
    voters: tuple,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What this tick's offers are weighed against: each side's war value after a deal's
    implementation at its principal's public resolve (the assessment's ``later``
    prospects), the required states' win-set edges (`voter_edges` of ``voters``; none
    unless ``ratifying``), and each side's chance of breaking a deal at each of ``xs``
    (`commitment.breach_grid`)."""
    after = np.empty(2)
    for k in range(2):
        tolerance = 1.0 - resolve_effect * prior_resolve[principals[k]]
        after[k] = later[k, 0] - later[k, 1] * tolerance
    edges = voter_edges(*voters) if ratifying else np.empty(0)
    q_c, q_d = commitment.breach_grid(
        xs, after[0], after[1], breach_scale, guarantee, guarantee_effect
    )
    return after, edges, q_c, q_d


def _offer_shapes(
    world: World, side: int, channel: float
) -> tuple[list[tuple[float, float, bool]], np.ndarray, np.ndarray, np.ndarray]:
    """The (public face, private face, private channel) combinations a side may offer, and
    their public face, all face and channel as arrays (cached: they change as the channel
    opens and states break ranks or rejoin)."""
    key = ("shapes", side, channel > 0.0, world.states.defected.tobytes())
    found = world.cache.get(key)
    if found is not None:
        return found
    f = face_to_give(world) if side == DEFENDER else 0.0
    faces = [(0.0, 0.0, False)]
    if f > 0.0:
        faces += [(f / 2, 0.0, False), (f, 0.0, False)]
        if channel > 0.0:
            faces += [(0.0, f / 2, True), (0.0, f, True)]
    channels = [False, True] if channel > 0.0 else [False]
    shapes = [
        (fp, fq, ch) for fp, fq, only_private in faces for ch in channels if ch or not only_private
    ]
    found = world.cache[key] = (
        shapes,
        np.array([fp for fp, _, _ in shapes]),
        np.array([fp + fq for fp, fq, _ in shapes]),
        np.array([ch for _, _, ch in shapes]),
    )
    return found


def choose_offer(
    world: World, side: int, rng: random.Random, now: Round | None = None
) -> Offer | None:
    """The side's lead picks the terms, face and channel of highest expected value
    (`offer_values`), then whether making that offer beats making none (logit)."""
    return choose_offers(world, [side], rng, now or open_round(world))[0]


def choose_offers(
    world: World, sides: list[int], rng: random.Random, now: Round
) -> list[Offer | None]:
    """`choose_offer` of each of ``sides`` in turn, valued together (`offer_choices`): each
    lead's noisy readings of the required states' edges are drawn first, then its random
    number for making the offer."""
    b = world.params.bargaining
    noise = b.misperception * (1.0 - now.channel)
    own_noise = b.own_misperception * noise
    edge_sides = now.edge_sides.tolist()
    temperature, scales, loss_aversion, params = _offer_constants(world)
    errors = np.zeros((len(sides), len(edge_sides)))
    uniforms = np.zeros(len(sides))
    for n, side in enumerate(sides):
        for e, k in enumerate(edge_sides):
            sd = own_noise if k == side else noise
            if sd > 0:
                errors[n, e] = rng.gauss(0.0, sd)
        if not temperature[side] <= 0.0:
            uniforms[n] = rng.random()
    shapes = [_offer_shapes(world, k, now.channel) for k in (CHALLENGER, DEFENDER)]
    a = world.assessment
    i = world.sides.principal[CHALLENGER]
    terms, forms, made = offer_choices(
        np.array(sides, dtype=np.int64),
        now.xs,
        (shapes[0][1:], shapes[1][1:]),
        now.breach,
        world.control,
        loss_aversion,
        world.leaders.face_sensitivity[i],
        world.leaders.humiliation[i],
        np.array(now.later),
        a.own,
        a.quit,
        a.seen,
        (world.sides.type_probs[CHALLENGER], world.sides.type_probs[DEFENDER]),
        scales,
        now.edge_sides,
        now.edge_values,
        noise,
        own_noise,
        errors,
        world.relay_bias(),
        params,
        temperature,
        uniforms,
    )
    offers: list[Offer | None] = []
    for n, side in enumerate(sides):
        fp, fq, ch = shapes[side][0][forms[n]]
        offers.append(Offer(side, float(now.xs[terms[n]]), fp, fq, ch) if made[n] else None)
    return offers


def _offer_constants(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What `offer_choices` reads that is fixed in a run (cached): the leads' temperatures,
    the principals' logit scales as others read them and their loss aversion, and the
    parameters of publics' deal values and of face."""
    found = world.cache.get("offer constants")
    if found is None:
        p = world.params
        b = p.bargaining
        principals, leads = world.roles()
        temperature = world.leaders.temperature * p.decisions.temperature_scale
        found = world.cache["offer constants"] = (
            temperature[leads],
            np.maximum(temperature[principals], p.beliefs.tremble),
            world.leaders.loss_aversion[principals],
            np.array(
                [
                    p.ratification.loss_aversion,
                    b.face_public_value,
                    b.audience_cost,
                    b.face_value,
                    b.face_price,
                ]
            ),
        )
    return found


@kernel
def offer_choices(
    sides: np.ndarray,
    xs: np.ndarray,
    shapes: tuple,
    breach: tuple,
    control: float,
    loss_aversion: np.ndarray,
    face_sensitivity: float,
    humiliation: float,
    later: np.ndarray,
    own: np.ndarray,
    quit: np.ndarray,
    seen: np.ndarray,
    probs: tuple,
    scales: np.ndarray,
    edge_sides: np.ndarray,
    edge_values: np.ndarray,
    noise: float,
    own_noise: float,
    errors: np.ndarray,
    relay: float,
    params: np.ndarray,
    temperature: np.ndarray,
    uniforms: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each proposing side (``sides``), its best offer (`offer_values`: its term index
    and shape index, ``shapes[side]`` being its shapes' public face, all face and channel)
    and whether its lead makes it (logit between fighting on, its own reservation, and the
    offer's value at the lead's ``temperature``, with its random number ``uniforms[n]``).

    Each side reads the required states' edges with its ``errors`` (noise ``own_noise``
    for its own side's, ``noise`` for the other's) and the mediator's ``relay`` tilt of the
    other side's; it weighs the receiver's reservations over its belief ``probs[side]`` as
    the assessment's ``seen`` and ``quit`` values give them, at the receiver principal's
    logit ``scales``. Per side: ``loss_aversion`` (of its principal), ``later`` (war value
    after a deal's implementation), ``breach`` (chance of breaking a deal at each of
    ``xs``). A unit of face is worth `face_worth_of` the challenger's leader's
    ``face_sensitivity`` and ``humiliation``. ``params``: the publics' loss aversion and face
    worth, the audience cost, face value and face price.
    """
    public = params[:2]
    face_worth = (
        face_worth_of(0, params[3], params[4], face_sensitivity, humiliation),
        face_worth_of(1, params[3], params[4], face_sensitivity, humiliation),
    )
    terms = np.zeros(len(sides), dtype=np.int64)
    forms = np.zeros(len(sides), dtype=np.int64)
    made = np.zeros(len(sides), dtype=np.bool_)
    for n in range(len(sides)):
        side = sides[n]
        enemy = 1 - side
        sds = np.empty(len(edge_sides))
        reads = np.empty(len(edge_sides))
        for e in range(len(edge_sides)):
            k = edge_sides[e]
            sds[e] = own_noise if k == side else noise
            tilt = 0.0 if k == side else relay if k == 0 else -relay
            reads[e] = edge_values[e] + errors[n, e] + tilt
        fighting = max(own[side], quit[side])
        face_public, face, private = shapes[side]
        terms[n], forms[n], value = offer_values(
            xs,
            face_public,
            face,
            private,
            breach[side],
            breach[enemy],
            side,
            control,
            np.array([loss_aversion[side], face_worth[side], later[side]]),
            np.array([loss_aversion[enemy], face_worth[enemy], later[enemy]]),
            np.maximum(seen[enemy], quit[enemy]),
            probs[side],
            scales[enemy],
            edge_sides,
            reads,
            sds,
            public,
            fighting,
            params[2],
        )
        if temperature[side] > 0.0:
            made[n] = logit_index(np.array([fighting, value]), temperature[side], uniforms[n]) == 1
        else:  # a best response makes an offer worth no less than fighting on (a free try)
            made[n] = value >= fighting
    return terms, forms, made


def _accepts(world: World, side: int, offer: Offer, breach: float, rng: random.Random) -> bool:
    """Whether a side's principal takes an offer: its deal value, discounted by the chance
    the other side breaks the deal (``breach``), against its reservation (logit)."""
    principal = world.sides.principal[side]
    later = outlook.later_value(world, side, world.leaders.resolve[principal])
    worth = leader_deal_value(world, side, offer.x, offer.face)
    worth = (1.0 - breach) * worth + breach * later
    temperature = world.leaders.temperature[principal] * world.params.decisions.temperature_scale
    return rng.random() < accept_probability(worth, outlook.reservation(world, side), temperature)


def answer(world: World, offer: Offer, rng: random.Random, now: Round | None = None) -> bool:
    """The other principal (both, for a mediator's proposal) answers an offer; accepted, the
    third states paying for its face must agree and every required state ratify; ratified, it
    is signed. Returns whether a deal was signed."""
    now = now or open_round(world)
    side = offer.proposer
    mediated = side == mediation.MEDIATOR
    world.counts[
        "offers_mediated" if mediated else "offers_private" if offer.private else "offers_public"
    ] += 1
    q_c, q_d = commitment.breach_chances(world, np.array([offer.x]), now.later)
    breach = (float(q_c[0]), float(q_d[0]))
    if mediated:
        who = world.name(world.mediator())
        accepted = all(_accepts(world, k, offer, breach[other(k)], rng) for k in (0, 1))
    else:
        who = world.name(world.sides.lead[side])
        enemy = other(side)
        accepted = _accepts(world, enemy, offer, breach[side], rng)
        _learn_from_answer(world, side, offer, accepted)
    channel = "through a mediator" if mediated else "privately" if offer.private else "publicly"
    text = (
        f"{who} proposes {channel}: x = {offer.x:.2f}, "
        f"face {offer.face_public:.2f} public / {offer.face_private:.2f} private"
    )
    if side != CHALLENGER and offer.face > 0.0:
        world.face_offered += offer.face
        world.sides.face_on_table = max(world.sides.face_on_table, offer.face)
    if not accepted:
        world.log("offer", f"{text}; rejected", "offers_rejected")
        if not offer.private:
            _rejected_in_public(world, offer)
        return False
    unwilling = mediation.refusing_payers(world, offer.x, offer.face)
    if unwilling:
        names = ", ".join(world.name(j) for j in unwilling)
        world.log(
            "offer",
            f"{text}; accepted but {names} will not pay its part of the face",
            "payers_refused",
        )
        return False
    refusing = [
        world.name(i)
        for i, edge in now.edges.items()
        if public_value(world, int(world.states.side[i]), offer.x, offer.face_public) < edge - 1e-12
    ]
    if refusing:
        world.log(
            "offer",
            f"{text}; accepted but not ratified by {', '.join(refusing)}",
            "ratifications_failed",
        )
        return False
    sign(world, offer, breach)
    return True


def _learn_from_answer(world: World, side: int, offer: Offer, accepted: bool) -> None:
    """The proposer updates its belief about the receiver's resolve from the answer."""
    enemy = other(side)
    reservations = outlook.seen_reservations(world, enemy)
    gaps = leader_deal_value(world, enemy, offer.x, offer.face) - reservations
    world.sides.type_probs[side] = learn_from_choice(
        world.sides.type_probs[side],
        gaps if accepted else -gaps,
        _scale(world, world.sides.principal[enemy]),
    )


def _rejected_in_public(world: World, offer: Offer) -> None:
    """Audience costs for the offerer's hawks; a lowball public offer humiliates (M3)."""
    p = world.params.bargaining
    pub = world.publics
    rows, _ = member_rows(world, offer.proposer)
    lose_hawks(pub.support, pub.stance, rows, p.audience_cost)
    if offer.proposer == DEFENDER:
        i = world.sides.principal[CHALLENGER]
        insult = p.public_insult * 2.0 * max(0.0, 0.5 - offer.x)
        world.leaders.humiliation[i] = min(1.0, world.leaders.humiliation[i] + insult)


def sign(world: World, offer: Offer, breach: tuple[float, float]) -> None:
    """A ratified deal: a ceasefire while it is implemented; open threats lapse (those it
    answers count as concessions, `threats.close_open`)."""
    c = world.params.commitment
    world.deal = Deal(
        x=offer.x,
        face_public=offer.face_public,
        face_private=offer.face_private,
        signed=world.tick,
        ends=world.tick + world.clock.ticks(c.implementation_days),
        breach=breach,
        postures=(world.sides.posture[0], world.sides.posture[1]),
        mediated=offer.proposer == mediation.MEDIATOR,
        payers=tuple(j for j, _ in mediation.payers(world, offer.face)),
    )
    world.sides.posture[:] = [int(RungId.DIPLOMATIC)] * 2
    threats.close_open(world, "as the deal is signed")
    world.log(
        "deal",
        f"deal ratified: x = {offer.x:.2f}, face {offer.face_public:.2f} public "
        f"/ {offer.face_private:.2f} private; a ceasefire while it is implemented",
    )


def negotiate(world: World, rng: random.Random) -> None:
    """Each side's lead may make an offer (at ``rounds_per_week``); the offers are answered in
    an order the model's seeded generator shuffles; the first signed binds."""
    if world.deal is not None or world.catastrophe or not world.talks_open():
        return
    chance = min(1.0, world.params.bargaining.rounds_per_week * world.clock.weeks)
    proposing = [side for side in (CHALLENGER, DEFENDER) if rng.random() < chance]
    if not proposing and world.mediator() is None:
        return
    now = open_round(world)
    offers = []
    for side, offer in zip(proposing, choose_offers(world, proposing, rng, now), strict=True):
        if offer is not None:
            offers.append(offer)
            world.sides.last_terms[side] = offer.x
    if world.mediator() is not None and rng.random() < min(
        1.0, world.params.mediation.rounds_per_week * world.clock.weeks
    ):
        proposal = mediation.propose(world, now, rng)
        if proposal is not None:
            offers.append(proposal)
    rng.shuffle(offers)
    for offer in offers:
        if answer(world, offer, rng, now):
            return


def implement(world: World, rng: random.Random) -> None:
    """A deal under implementation may break: a side breaks it with its breach hazard, or its
    secret part leaks and the defender's publics refuse it (M15)."""
    deal = world.deal
    if deal is None or world.tick >= deal.ends:
        return
    if mediation.leak(world, rng):
        _break(world, deal, "the defenders' publics refuse the leaked deal; war resumes")
        return
    ticks = deal.ends - deal.signed
    for side in (CHALLENGER, DEFENDER):
        hazard = commitment.breach_hazard(deal.breach[side], ticks)
        if hazard > 0.0 and rng.random() < hazard:
            _break(
                world,
                deal,
                f"{world.name(world.sides.principal[side])} breaks the deal; war resumes",
            )
            return


def _break(world: World, deal: Deal, text: str) -> None:
    world.deal = None
    world.deals_broken += 1
    world.sides.posture[:] = list(deal.postures)
    world.log("deal broken", text, "deals_broken")
