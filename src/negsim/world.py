"""The state of a crisis as plain data: per-state and per-constituency arrays, the two sides,
open threats, the deal under way and the event log. Built from a cast; imports no agent and
no model, so every mechanism can read and change it and be tested on a small one.

Indices: states are numbered in cast order; sides are 0 (challenger) and 1 (defender);
constituencies are rows of `Publics`, grouped by state.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from negsim.cast import Cast, Instrument, Regime, RungId, Side, highest_posture
from negsim.clock import Clock
from negsim.compiled import kernel
from negsim.mechanisms import beliefs
from negsim.mechanisms.decisions import clip01

CHALLENGER, DEFENDER = 0, 1
SIDES = (Side.CHALLENGER, Side.DEFENDER)
STANCE_BINS = 5  # like-minded constituencies: same side, same fifth of the stance scale
TRAITS = ("weight", "stance", "risk_tolerance", "pain_sensitivity", "susceptibility", "support")


def other(side: int) -> int:
    """The opposing side."""
    return 1 - side


@dataclass(frozen=True)
class Event:
    """Something that happened, for the event log of a run."""

    tick: int
    kind: str
    text: str


DEMANDS = ("ease", "step_down", "withdraw", "concede")
EASE, STEP_DOWN, WITHDRAW, CONCEDE = range(4)  # as indices into DEMANDS, for kernels
CONSEQUENCES = ("climb", "sanctions")
CLIMB, SANCTIONS = range(2)
# the columns of `World.threat_rows` (demands as indices)
T_SIDE, T_TARGET, T_DEMAND, T_LEVEL = range(4)


@dataclass
class Threat:
    """An open threat: a demand on a state, a consequence, a deadline (M1).

    Attributes:
        side: the threatening side.
        threatener, target: state indices.
        demand: ``"ease"`` (a partner cuts sanctions and aid), ``"step_down"`` (the challenger
            comes down to rung ``level`` at most), ``"withdraw"`` (the challenger leaves) or
            ``"concede"`` (the defender accepts the challenger's terms).
        consequence: ``"climb"`` (the threatening side climbs a rung) or ``"sanctions"``.
        level: for ``"ease"``, the target's commitment when threatened (compliance is measured
            from it); for ``"step_down"``, the highest rung allowed.
        terms: the share of the issue demanded (``"concede"`` threats).
    """

    side: int
    threatener: int
    target: int
    demand: str
    consequence: str
    issued: int
    deadline: int
    credibility: float
    level: float = 0.0
    terms: float = 0.0
    watched: bool = False  # complied by the deadline; watched for as long again


@dataclass
class Deal:
    """A ratified deal being implemented; it can still break until ``ends``."""

    x: float
    face_public: float
    face_private: float
    signed: int
    ends: int
    breach: tuple[float, float]  # chance each side breaks it over the implementation
    postures: tuple[int, int]  # postures before the ceasefire, restored if it breaks
    mediated: bool = False
    payers: tuple[int, ...] = ()  # the states paying its face (they denied a private part)
    leaked: bool = False


@dataclass
class StateArrays:
    """Per-state capabilities, policies and condition (index = cast order)."""

    ids: list[str]
    names: list[str]
    side: np.ndarray  # 0 challenger, 1 defender, 2 neutral
    military: np.ndarray
    economy: np.ndarray
    reserves: np.ndarray
    nuclear: np.ndarray
    democracy: np.ndarray
    instruments: list[frozenset[Instrument]]
    exposure: np.ndarray  # (n, n): economic exposure of row to column
    security: np.ndarray  # (n, n): security exposure of row to column
    aid_capacity: np.ndarray
    force_projection: np.ndarray
    face_capacity: np.ndarray
    mediation_bias: np.ndarray
    mediation_credibility: np.ndarray
    guarantor: np.ndarray
    highest: np.ndarray  # highest posture each could choose
    election_every: np.ndarray  # ticks
    next_election: np.ndarray  # tick, -1 for none
    legislature_every: np.ndarray  # ticks
    next_legislature: np.ndarray  # tick, -1 for none
    rows: list[slice]  # each state's rows in Publics
    # policies and condition
    sanctions: np.ndarray
    aid: np.ndarray
    trade: np.ndarray
    health: np.ndarray
    cost: np.ndarray  # loss this tick, share of GDP
    pain: np.ndarray  # felt by its publics this tick
    cumulative_cost: np.ndarray  # trillion USD
    trust: np.ndarray  # in its partners
    rally: np.ndarray
    defected: np.ndarray
    counter: np.ndarray  # counter-messaging effort this tick

    def has(self, i: int, instrument: Instrument) -> bool:
        """Whether state ``i`` may use an instrument."""
        return instrument in self.instruments[i]

    def holding(self, instrument: Instrument) -> np.ndarray:
        """Which states may use an instrument, as a boolean array (cached: fixed in a run)."""
        found = self._holding.get(instrument)
        if found is None:
            found = np.array([instrument in ins for ins in self.instruments])
            self._holding[instrument] = found
        return found

    @cached_property
    def _holding(self) -> dict[Instrument, np.ndarray]:
        return {}

    def commitment(self, i: int) -> float:
        """A partner's commitment to its side: the mean of the instruments it holds (sanctions
        and aid; 0 if it holds neither)."""
        sanctions, aid, count = self._commitment_instruments
        if not count[i]:
            return 0.0
        return float((self.sanctions[i] * sanctions[i] + self.aid[i] * aid[i]) / count[i])

    def commitments(self) -> np.ndarray:
        """Every state's `commitment`, as an array."""
        return commitment_levels(*self.commitment_inputs())

    def commitment_inputs(self) -> tuple[np.ndarray, ...]:
        """What `commitment_levels` reads, in its order."""
        return (self.sanctions, self.aid, *self._commitment_instruments)

    def standing(self, i: int) -> float:
        """What a partner adds to its side's cohesion: its commitment, or 1 for a partner with
        neither sanctions nor aid to give (a garrison, a treaty ally) while it keeps ranks."""
        if self.defected[i]:
            return 0.0
        return self.commitment(i) if self._commitment_instruments[2][i] else 1.0

    def standings(self) -> np.ndarray:
        """Every state's `standing`, as an array (`standing_levels`)."""
        return standing_levels(*self.commitment_inputs(), self.defected)

    @cached_property
    def _commitment_instruments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which states hold sanctions and aid (0/1), and how many of the two (fixed in a run)."""
        sanctions = np.array([float(Instrument.SANCTIONS in ins) for ins in self.instruments])
        aid = np.array([float(Instrument.AID in ins) for ins in self.instruments])
        return sanctions, aid, sanctions + aid


@kernel
def commitment_levels(
    sanctions: np.ndarray,
    aid: np.ndarray,
    has_sanctions: np.ndarray,
    has_aid: np.ndarray,
    count: np.ndarray,
) -> np.ndarray:
    """Each state's commitment: the mean of the levels of the instruments it holds (sanctions
    and aid, ``has_*`` 0 or 1, ``count`` of them; 0 if it holds neither)."""
    out = np.zeros(len(sanctions))
    for i in range(len(sanctions)):
        if count[i]:
            out[i] = (sanctions[i] * has_sanctions[i] + aid[i] * has_aid[i]) / count[i]
    return out


@kernel
def standing_levels(
    sanctions: np.ndarray,
    aid: np.ndarray,
    has_sanctions: np.ndarray,
    has_aid: np.ndarray,
    count: np.ndarray,
    defected: np.ndarray,
) -> np.ndarray:
    """Each state's standing: its `commitment_levels`, 1 for a state with neither sanctions
    nor aid to give, 0 once it has broken ranks."""
    out = commitment_levels(sanctions, aid, has_sanctions, has_aid, count)
    for i in range(len(out)):
        if count[i] == 0:
            out[i] = 1.0
        if defected[i]:
            out[i] = 0.0
    return out


@dataclass
class LeaderArrays:
    """Per-state leader traits, private types, memories and standing (index = state)."""

    names: list[str]
    resolve: np.ndarray  # private: drawn by nature around the cast's value
    prior_resolve: np.ndarray  # the cast's value: everyone's prior
    risk_preference: np.ndarray
    loss_aversion: np.ndarray
    face_sensitivity: np.ndarray
    temperature: np.ndarray
    approval: np.ndarray
    humiliation: np.ndarray
    record: np.ndarray  # (n, 2): own threats carried out, bluffed
    memory: np.ndarray  # (n, n, 2): how each other state answered its threats: conceded, stood
    since: np.ndarray  # tick the current leader took office
    successions: np.ndarray


@dataclass
class Publics:
    """Every constituency's traits and state as arrays (one row per agent, grouped by state)."""

    weight: np.ndarray  # sums to one within each state: political weight (approval)
    seats: np.ndarray  # sums to one within each state: weight in ratifying a deal
    stance: np.ndarray
    risk_tolerance: np.ndarray
    pain_sensitivity: np.ndarray
    susceptibility: np.ndarray
    support: np.ndarray
    state_of: np.ndarray
    like_minded: np.ndarray  # group index: same side, same stance bin
    like_minded_mass: np.ndarray
    shift: np.ndarray  # accumulated disinformation
    weariness: np.ndarray  # moving average of pain felt
    preferred: np.ndarray  # policy wanted this tick
    groups: list[tuple[int, str, int]] = field(default_factory=list)  # (state, name, row)


@dataclass
class SideArrays:
    """The two sides: who leads them, their postures and what each believes of the other."""

    principal: tuple[int, int]
    lead: tuple[int, int]
    partners: tuple[list[int], list[int]]
    members: tuple[list[int], list[int]]  # principal first, then partners
    neutrals: list[int]
    mediators: list[int]  # neutrals with the mediation instrument
    posture: list[int]
    peak_posture: list[int]
    misjudgment: list[float]  # log-underestimate of the enemy's strength
    type_values: list[np.ndarray]  # grid of the opposing principal's possible resolve
    type_probs: list[np.ndarray]  # belief over that grid
    belief_cohesion: list[float]  # estimate of the opposing side's cohesion
    effort: list[float]  # this tick's fighting effort
    disinformation: list[float]  # weekly disinformation effort aimed at the other side
    partner_resolve: np.ndarray  # what the other side's lead believes of each state's resolve
    last_terms: list[float | None]  # the x of each side's latest offer
    face_on_table: float = 0.0  # face in the defender side's latest offer (the off-ramp)


@dataclass(frozen=True)
class RungTable:
    """The ladder's properties as tuples indexed by rung (read many times a tick)."""

    intensity: tuple[float, ...]
    cost: tuple[float, ...]
    fear: tuple[float, ...]
    hazard: tuple[float, ...]
    backlash: tuple[float, ...]

    @property
    def ladder_backlash(self) -> np.ndarray:
        """Backlash by rung, as an array (for kernels)."""
        return self._backlash

    @property
    def ladder(self) -> np.ndarray:
        """Intensity, cost, fear and hazard by rung, as the rows of an array (for kernels)."""
        return self._ladder

    def __post_init__(self) -> None:
        ladder = np.array([self.intensity, self.cost, self.fear, self.hazard])
        object.__setattr__(self, "_ladder", ladder)
        object.__setattr__(self, "_backlash", np.array(self.backlash))

    @classmethod
    def of(cls, cast: Cast) -> RungTable:
        """The table of a cast's ladder."""
        rungs = cast.parameters.escalation.ladder.rungs()
        return cls(
            *(
                tuple(getattr(r, f) for r in rungs)
                for f in ("intensity", "cost", "fear", "hazard", "backlash")
            )
        )


@dataclass
class World:
    """A crisis in progress: everything the mechanisms read and change."""

    cast: Cast
    clock: Clock
    max_ticks: int
    states: StateArrays
    leaders: LeaderArrays
    publics: Publics
    sides: SideArrays
    control: float
    peak_control: float
    least_control: float
    tick: int = 0
    threats: list[Threat] = field(default_factory=list)
    deal: Deal | None = None
    deals_broken: int = 0
    params: object = None  # the cast's `negsim.cast.Parameters`
    rungs: RungTable | None = None
    forces: np.ndarray | None = None  # each side's forces, see `outlook.side_forces`
    assessment: object = None  # `negsim.mechanisms.outlook.Assessment`, see `outlook.refresh`
    cache: dict = field(default_factory=dict)  # derived arrays that rarely change
    commitments: tuple = ()  # partners' options this tick, see `cohesion.value_commitments`
    cohesion: list[float] = field(default_factory=lambda: [1.0, 1.0])
    pressure: list[float] = field(default_factory=lambda: [0.0, 0.0])  # sanctions on each principal
    reach: list[float] = field(default_factory=lambda: [0.0, 0.0])  # their compound reach
    sanction_loss: list[float] = field(default_factory=lambda: [0.0, 0.0])  # after reserves
    # the share of its costs of fighting on each side's leadership foresees (learned as felt)
    cost_belief: list[float] = field(default_factory=lambda: [1.0, 1.0])
    misperception_sum: float = 0.0  # |believed - true| enemy resolve, summed over ticks and sides
    misperception_ticks: int = 0
    face_offered: float = 0.0  # face offered to the challenger this tick (relieves humiliation)
    catastrophe: bool = False  # nuclear use: final the moment it happens
    withdrawn: bool = False
    capitulated: bool = False
    peak_rung: int = 0
    collapsed_at: int | None = None
    low_cohesion_ticks: int = 0
    events: list[Event] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def rung(self) -> int:
        """The crisis rung: the higher of the two sides' postures."""
        return max(self.sides.posture)

    @property
    def intensity(self) -> float:
        """Fighting intensity at the crisis rung."""
        return self.rungs.intensity[self.rung]

    @property
    def neutrals(self) -> list[int]:
        """The neutral states."""
        return self.sides.neutrals

    def threat_rows(self) -> np.ndarray:
        """The open threats as rows of an array, for kernels (columns ``T_SIDE`` ...)."""
        return np.array(
            [(t.side, t.target, DEMANDS.index(t.demand), t.level) for t in self.threats],
            dtype=float,
        ).reshape(-1, T_LEVEL + 1)

    def log(self, kind: str, text: str, count: str | None = None) -> None:
        """Record an event for the log and, when ``count`` names one, its counter."""
        self.events.append(Event(self.tick, kind, text))
        if count:
            self.counts[count] += 1

    def name(self, i: int) -> str:
        """A state's display name."""
        return self.states.names[i]

    def side_states(self, side: int) -> np.ndarray:
        """A side's states, principal first, as an array (cached: fixed in a run)."""
        key = ("side states", side)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = np.array(self.sides.members[side], dtype=np.int64)
        return found

    def neutral_states(self) -> np.ndarray:
        """The neutral states, as an array (cached: fixed in a run)."""
        found = self.cache.get("neutral states")
        if found is None:
            found = self.cache["neutral states"] = np.array(self.sides.neutrals, dtype=np.int64)
        return found

    def roles(self) -> tuple[np.ndarray, np.ndarray]:
        """Each side's principal and lead, as arrays (cached: fixed in a run)."""
        found = self.cache.get("roles")
        if found is None:
            found = self.cache["roles"] = (
                np.array(self.sides.principal, dtype=np.int64),
                np.array(self.sides.lead, dtype=np.int64),
            )
        return found

    def coalition(self, side: int) -> np.ndarray:
        """A side's partners, as an array (cached: fixed in a run)."""
        key = ("coalition", side)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = np.array(self.sides.partners[side], dtype=np.int64)
        return found

    def talks_open(self) -> bool:
        """Whether offers may be made this tick."""
        return self.clock.days(self.tick) >= self.params.bargaining.start_days

    def back_channel(self) -> float:
        """How open the discreet channel is: the parameter, once talks are open."""
        return self.params.bargaining.back_channel if self.talks_open() else 0.0

    def mediator(self) -> int | None:
        """The most credible mediator at work (a neutral with the mediation instrument), once
        talks are open."""
        if not self.sides.mediators or not self.talks_open():
            return None
        return max(self.sides.mediators, key=lambda j: self.states.mediation_credibility[j])

    def channel(self) -> float:
        """How clearly the sides read each other: the back channel or the most credible
        mediator, whichever is clearer (M3, M15). A function of the tick alone (the channel
        and the mediators' credibility are fixed in a run), so computed once a tick."""
        found = self.cache.get("channel")
        if found is not None and found[0] == self.tick:
            return found[1]
        mediator = self.mediator()
        relayed = self.states.mediation_credibility[mediator] if mediator is not None else 0.0
        channel = max(self.back_channel(), float(relayed))
        self.cache["channel"] = (self.tick, channel)
        return channel

    def relay_bias(self) -> float:
        """How far the mediator's relay tilts each side's reading toward its favourite (issue
        units): the challenger's if positive. Zero when the back channel reads clearer."""
        mediator = self.mediator()
        if mediator is None:
            return 0.0
        if self.back_channel() >= self.states.mediation_credibility[mediator]:
            return 0.0
        return float(self.states.mediation_bias[mediator]) * self.params.mediation.lean


def build_world(cast: Cast, rng: random.Random, max_ticks: int | None = None) -> World:
    """Lay out a cast as arrays and draw what nature decides: trait spreads, private types."""
    clock = Clock(cast.cast.tick_days)
    p = cast.parameters
    ids = list(cast.states)
    index = {sid: i for i, sid in enumerate(ids)}
    specs = [cast.states[s] for s in ids]
    n = len(ids)
    side_of = {Side.CHALLENGER: 0, Side.DEFENDER: 1, Side.NEUTRAL: 2}

    publics = _build_publics(cast, ids, side_of, rng)
    rows, start = [], 0
    for i in range(n):
        size = int(np.count_nonzero(publics.state_of == i))
        rows.append(slice(start, start + size))
        start += size

    def array(values, dtype=float) -> np.ndarray:
        return np.array(list(values), dtype=dtype)

    exposure, security = np.zeros((n, n)), np.zeros((n, n))
    for i, spec in enumerate(specs):
        for other_id, value in spec.exposure.items():
            exposure[i, index[other_id]] = value
        for other_id, value in spec.security_exposure.items():
            security[i, index[other_id]] = value
    democracy = array((s.regime is Regime.DEMOCRACY for s in specs), bool)
    states = StateArrays(
        ids=ids,
        names=[s.name for s in specs],
        side=array((side_of[s.side] for s in specs), np.int8),
        military=array(s.military for s in specs),
        economy=array(s.economy for s in specs),
        reserves=array(s.reserves for s in specs),
        nuclear=array((s.nuclear for s in specs), bool),
        democracy=democracy,
        instruments=[frozenset(s.instruments) for s in specs],
        exposure=exposure,
        security=security,
        aid_capacity=array(s.aid_capacity for s in specs),
        force_projection=array(s.force_projection for s in specs),
        face_capacity=array(s.face_capacity for s in specs),
        mediation_bias=array(s.mediation_bias for s in specs),
        mediation_credibility=array(s.mediation_credibility for s in specs),
        guarantor=array((s.guarantor for s in specs), bool),
        highest=array((int(highest_posture(s)) for s in specs), int),
        election_every=array((clock.ticks(s.election_every_days) for s in specs), int),
        next_election=array(
            (
                round(s.next_election_day / clock.tick_days)
                if d and s.next_election_day is not None
                else -1
                for s, d in zip(specs, democracy, strict=True)
            ),
            int,
        ),
        legislature_every=array((clock.ticks(s.legislature_every_days) for s in specs), int),
        next_legislature=array(
            (
                round(s.next_legislature_day / clock.tick_days)
                if d and s.next_legislature_day is not None
                else -1
                for s, d in zip(specs, democracy, strict=True)
            ),
            int,
        ),
        rows=rows,
        sanctions=array(s.sanctions for s in specs),
        aid=array(s.aid for s in specs),
        trade=array(s.trade for s in specs),
        health=np.ones(n),
        cost=np.zeros(n),
        pain=np.zeros(n),
        cumulative_cost=np.zeros(n),
        trust=np.ones(n),
        rally=np.zeros(n),
        defected=np.zeros(n, bool),
        counter=np.zeros(n),
    )

    leader_specs = [cast.leaders[s] for s in ids]
    prior = array(ls.resolve for ls in leader_specs)
    spread = p.beliefs.type_spread
    temperature = p.decisions.temperature
    leaders = LeaderArrays(
        names=[ls.name for ls in leader_specs],
        resolve=array(clip01(rng.gauss(r, spread)) if spread > 0 else r for r in prior),
        prior_resolve=prior,
        risk_preference=array(ls.risk_preference for ls in leader_specs),
        loss_aversion=array(ls.loss_aversion for ls in leader_specs),
        face_sensitivity=array(ls.face_sensitivity for ls in leader_specs),
        temperature=array(
            temperature if ls.temperature is None else ls.temperature for ls in leader_specs
        ),
        approval=np.full(n, 0.5),
        humiliation=np.zeros(n),
        record=np.zeros((n, 2)),
        memory=np.zeros((n, n, 2)),
        since=np.zeros(n, int),
        successions=np.zeros(n, int),
    )

    principal = tuple(index[cast.principal(s)] for s in SIDES)
    lead = tuple(index[cast.lead(s)] for s in SIDES)
    partners = tuple(
        [index[s] for s in cast.state_ids(side) if index[s] != principal[k]]
        for k, side in enumerate(SIDES)
    )
    b = p.beliefs
    sides = SideArrays(
        principal=principal,
        lead=lead,
        partners=partners,
        members=tuple([principal[k], *partners[k]] for k in range(2)),
        neutrals=[i for i in range(n) if states.side[i] == 2],
        mediators=[
            i
            for i in range(n)
            if states.side[i] == 2 and Instrument.MEDIATION in states.instruments[i]
        ],
        posture=[int(cast.sides.challenger.posture), int(cast.sides.defender.posture)],
        peak_posture=[int(cast.sides.challenger.posture), int(cast.sides.defender.posture)],
        misjudgment=[
            rng.gauss(b.optimism, b.military_uncertainty)
            if b.military_uncertainty > 0
            else b.optimism
            for _ in SIDES
        ],
        type_values=[
            beliefs.type_grid(prior[principal[other(k)]], spread, b.types) for k in range(2)
        ],
        type_probs=[beliefs.uniform(b.types) for _ in SIDES],
        belief_cohesion=[1.0, 1.0],
        effort=[0.0, 0.0],
        disinformation=[0.0, 0.0],
        partner_resolve=prior.copy(),
        last_terms=[None, None],
    )
    c0 = cast.cast.initial_control
    horizon = max_ticks if max_ticks is not None else clock.ticks(cast.cast.horizon_days)
    world = World(
        cast=cast,
        clock=clock,
        max_ticks=horizon,
        states=states,
        leaders=leaders,
        publics=publics,
        sides=sides,
        control=c0,
        peak_control=c0,
        least_control=c0,
        params=cast.parameters,
        rungs=RungTable.of(cast),
    )
    world.peak_rung = world.rung
    world.cost_belief = [1.0 - p.beliefs.cost_optimism] * 2
    return world


def normal_deviates(rng: random.Random, count: int) -> list[float]:
    """``count`` standard normal deviates, exactly those ``count`` calls of ``rng.gauss()``
    would return, leaving ``rng`` as they would: the uniforms drawn as `random.Random.gauss`
    draws them, transformed together (`box_muller`)."""
    out = []
    if count and rng.gauss_next is not None:
        out.append(rng.gauss_next)
        rng.gauss_next = None
        count -= 1
    if count:
        uniforms = np.array([rng.random() for _ in range(2 * ((count + 1) // 2))])
        pairs = box_muller(uniforms).tolist()
        out += pairs[:count]
        if count % 2:
            rng.gauss_next = pairs[-1]
    return out


@kernel
def box_muller(uniforms: np.ndarray) -> np.ndarray:
    """Pairs of normal deviates from pairs of uniforms, as `random.Random.gauss` makes them
    (the second of a pair is the one it keeps for its next call)."""
    out = np.empty(len(uniforms))
    for k in range(0, len(uniforms) - 1, 2):
        angle = uniforms[k] * (2.0 * math.pi)
        radius = math.sqrt(-2.0 * math.log(1.0 - uniforms[k + 1]))
        out[k] = math.cos(angle) * radius
        out[k + 1] = math.sin(angle) * radius
    return out


def _build_publics(
    cast: Cast, ids: list[str], side_of: dict[Side, int], rng: random.Random
) -> Publics:
    columns: dict[str, list[float]] = {t: [] for t in TRAITS}
    state_of: list[int] = []
    groups: list[tuple[int, str, int]] = []
    drawn = [t for t in TRAITS if t != "weight"]  # these vary around the entry's value
    for i, sid in enumerate(ids):
        for group, spec in cast.constituencies[sid].items():
            count = spec.count
            columns["weight"] += [spec.weight / count] * count
            means = [(columns[trait], getattr(spec, trait)) for trait in drawn]
            if count > 1 and spec.spread > 0:
                deviates = iter(normal_deviates(rng, count * len(means)))
                for _ in range(count):  # draws agent by agent, trait by trait
                    for column, mean in means:
                        column.append(clip01(mean + next(deviates) * spec.spread))
            else:
                for column, mean in means:
                    column += [mean] * count
            groups += [(i, group, row) for row in range(len(state_of), len(state_of) + count)]
            state_of += [i] * count
    arrays = {t: np.array(v, dtype=float) for t, v in columns.items()}
    state_idx = np.array(state_of, dtype=np.intp)
    totals = np.bincount(state_idx, weights=arrays["weight"], minlength=len(ids))
    arrays["weight"] /= totals[state_idx]  # weights sum to one within each state
    camp = np.array([side_of[cast.states[s].side] for s in ids], dtype=np.intp)[state_idx]
    bins = np.minimum((arrays["stance"] * STANCE_BINS).astype(np.intp), STANCE_BINS - 1)
    like_minded = camp * STANCE_BINS + bins
    mass = np.bincount(like_minded, weights=arrays["weight"])
    return Publics(
        **arrays,
        seats=arrays["weight"].copy(),
        state_of=state_idx,
        like_minded=like_minded,
        like_minded_mass=np.maximum(mass, 1e-12),
        shift=np.zeros(len(state_of)),
        weariness=np.zeros(len(state_of)),
        preferred=arrays["stance"].copy(),
        groups=groups,
    )


__all__ = ["CHALLENGER", "DEFENDER", "RungId", "World", "build_world", "other"]
