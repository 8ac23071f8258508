"""CrisisModel: builds the world from a cast and runs the weekly tick (DESIGN.md, docs/MODEL.md)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from negsim.actors import Constituency, Publics, State
from negsim.actors.constituency import TRAITS
from negsim.actors.leader import (
    LEADER_CLASSES,
    AggressorAction,
    AggressorLeader,
    CoalitionAction,
    CoalitionLeader,
    Leader,
    NeutralAction,
    TargetAction,
    TargetLeader,
)
from negsim.actors.leader import STEP as POLICY_STEP
from negsim.cast import Cast, Role, apply_overrides, build_cast, canonical_path, load_cast
from negsim.mechanisms import bargaining, cohesion, disinformation, domestic, escalation, sanctions
from negsim.mechanisms.battlefield import INTENSITY, aggressor_effort, control_drift, target_effort
from negsim.mechanisms.decisions import accept_probability, clip01
from negsim.mechanisms.threats import credibility
from negsim.outcomes import PRECEDENCE, Event, Outcome, RunRecord

DEFAULT_CAST = Path(__file__).resolve().parents[2] / "agents" / "ukraine_2022.toml"
STANCE_BINS = 5  # like-minded constituencies: same camp, same fifth of the stance scale


@dataclass
class Threat:
    """An open threat: a demand, a consequence and a deadline (M1)."""

    threatener: str
    target: str
    issued: int
    deadline: int
    credibility: float
    rung: int  # the rung when issued (a coalition threat demands going below it)
    level: float  # the target's commitment when issued (an aggressor threat demands less)


class CrisisModel(mesa.Model):
    """A coercive multi-party crisis, one tick a week.

    Args:
        cast: a `Cast`, or the path of a cast TOML file.
        rng: seed of the model's random number generators.
        max_ticks: the tick limit; reaching it is a stalemate.
        collect_series: collect per-tick series in ``self.datacollector``.
        scenario: ignored (accepted because Mesa's SolaraViz passes one on reset).
        **overrides: dotted cast paths and values, e.g. ``{"bargaining.face_offer": 0.5}``
            (parameter paths may omit their ``parameters.`` prefix).
    """

    def __init__(
        self,
        cast: Cast | str | Path = DEFAULT_CAST,
        *,
        rng: int | None = None,
        max_ticks: int = 104,
        collect_series: bool = True,
        scenario: Any = None,
        **overrides: Any,
    ):
        # Mesa's SolaraViz passes its default `scenario` on reset; a crisis takes its
        # parameters from the cast and the overrides instead, so it is ignored.
        super().__init__(rng=rng)
        self.seed = rng
        self.cast = _resolve_cast(cast, overrides)
        self.params = self.cast.parameters
        self.max_ticks = max_ticks
        self.tick = 0
        self.events: list[Event] = []
        self.counts: Counter[str] = Counter()
        self.threats: list[Threat] = []
        self.outcome: Outcome | None = None
        self.deal: tuple[float, float] | None = None
        self._withdrawn = False
        self._capitulated = False
        self._face_offered = 0.0
        self._wedge: list[float] | None = None
        self._last_aggressor_action = AggressorAction.HOLD
        self._top_disinformation_target: str | None = None
        self._successions: Counter[str] = Counter()

        self._build_world()
        p = self.params
        self.control = p.battlefield.initial_control
        self.peak_control = self.least_control = self.control
        self.rung = p.escalation.initial_rung
        self.peak_rung = self.rung
        self.humanitarian_cost = 0.0
        self.collapsed_at: int | None = None
        self._low_cohesion_streak = 0
        self._refresh()
        self.min_cohesion = self.cohesion
        self._cohesion_sum = 0.0

        self.datacollector = None
        if collect_series:
            reporters = {
                "cohesion": "cohesion",
                "control": "control",
                "rung": "rung",
                "humiliation": lambda m: m.aggressor.leader.humiliation,
                "reservation": lambda m: clip01(m.aggressor.leader.reservation()),
            }
            for sid in self.states_by_id:
                reporters[f"approval_{sid}"] = lambda m, sid=sid: (
                    m.states_by_id[sid].leader.approval
                )
            self.datacollector = mesa.DataCollector(model_reporters=reporters)
            self.datacollector.collect(self)

    # --- building ------------------------------------------------------------------------------

    def _build_world(self) -> None:
        cast = self.cast
        rows: dict[str, list[float]] = {t: [] for t in TRAITS}
        state_of: list[int] = []
        members: list[tuple[str, str, int]] = []
        slices: dict[str, slice] = {}
        gauss = self.random.gauss
        drawn = [t for t in TRAITS if t != "weight"]  # these vary around the entry's value
        for index, (sid, groups) in enumerate((s, cast.constituencies[s]) for s in cast.states):
            start = len(state_of)
            for group, spec in groups.items():
                n = spec.count
                rows["weight"] += [spec.weight / n] * n
                means = [(rows[trait], getattr(spec, trait)) for trait in drawn]
                if n > 1 and spec.spread > 0:
                    spread = spec.spread
                    for _ in range(n):  # draws agent by agent, trait by trait
                        for column, mean in means:
                            column.append(clip01(gauss(mean, spread)))
                else:
                    for column, mean in means:
                        column += [mean] * n
                members += [(sid, group, i) for i in range(len(state_of), len(state_of) + n)]
                state_of += [index] * n
            slices[sid] = slice(start, len(state_of))
        arrays = {t: np.array(v, dtype=float) for t, v in rows.items()}
        state_idx = np.array(state_of, dtype=np.intp)
        for index in range(len(cast.states)):  # weights sum to 1 within each state
            mask = state_idx == index
            arrays["weight"][mask] /= arrays["weight"][mask].sum()
        self.publics = Publics(arrays, state_idx)

        self.states: list[State] = [
            State(self, sid, spec, i, slices[sid])
            for i, (sid, spec) in enumerate(cast.states.items())
        ]
        self.states_by_id = {s.sid: s for s in self.states}
        self._state_starts = np.array([s.rows.start for s in self.states], dtype=np.intp)
        self._state_sizes = np.array([s.rows.stop - s.rows.start for s in self.states])
        for state in self.states:
            LEADER_CLASSES[state.role.value](self, state, cast.leaders[state.sid])
        self.constituency_agents = [Constituency(self, *m) for m in members]

        self.aggressor = self.states_by_id[cast.state_ids(Role.AGGRESSOR)[0]]
        self.target = self.states_by_id[cast.state_ids(Role.TARGET)[0]]
        self.coalition = [self.states_by_id[s] for s in cast.state_ids(Role.COALITION)]
        self.neutrals = [self.states_by_id[s] for s in cast.state_ids(Role.NEUTRAL)]
        # Per-member constants of the coalition, as plain floats (a few members: numpy's
        # per-call overhead would dominate).
        agg = self.aggressor.sid
        self._economies = [s.economy for s in self.coalition]
        self._aid_capacities = [s.spec.aid_capacity for s in self.coalition]
        self._coalition_economy = sum(self._economies)
        self._economy_shares = [e / self._coalition_economy for e in self._economies]
        self._exposures = [s.spec.exposure.get(agg, 0.0) for s in self.coalition]
        share = self.params.sanctions.burden_sharing
        pooled = (
            sum(x * e for x, e in zip(self._exposures, self._economies, strict=True))
            / self._coalition_economy
        )
        self._effective_exposure = {
            s.sid: (1.0 - share) * x + share * pooled
            for s, x in zip(self.coalition, self._exposures, strict=True)
        }
        members = range(len(self.coalition))
        self._partners = [[j for j in members if j != i] for i in members]  # coalition indices
        self._partners_economy = [sum(self._economies[j] for j in js) for js in self._partners]
        neutral_economy = sum(s.economy for s in self.neutrals)
        self._neutral_trade_weight = [
            s.economy / (self._coalition_economy + neutral_economy) for s in self.neutrals
        ]
        self._coalition_rows = _rows_of(self.coalition)
        # The states that must ratify a deal, and their rows, judged together.
        guarantors = [s for s in self.coalition if s.spec.guarantor]
        self._required = [self.aggressor, self.target, *guarantors]
        self._required_rows = _rows_of(self._required)
        self._required_sizes = np.array([s.rows.stop - s.rows.start for s in self._required])
        self._required_starts = np.cumsum([0, *self._required_sizes[:-1]])
        self._coalition_side_rows = _rows_of([self.target, *self.coalition])
        sizes = [s.rows.stop - s.rows.start for s in self.coalition]
        self._member_sizes = np.array(sizes)
        self._member_offsets = np.cumsum([0, *sizes[:-1]])  # starts in those rows
        self._row_exposure = np.repeat(self._exposures, sizes)
        camp = np.array([_camp(s.role) for s in self.states])[state_idx]
        bins = np.minimum((self.publics.stance * STANCE_BINS).astype(np.intp), STANCE_BINS - 1)
        self._like_minded = camp * STANCE_BINS + bins
        mass = np.bincount(self._like_minded, weights=self.publics.weight)
        self._like_minded_mass = np.maximum(mass, 1e-12)  # political weights are fixed
        for leader in self.leaders:
            self._init_beliefs(leader)
        self._plan_disinformation()

    def _init_beliefs(self, leader: Leader) -> None:
        """A new leader's priors: every opponent of middling resolve."""
        opponents = (
            [s.sid for s in self.coalition]
            if leader.state.role is Role.AGGRESSOR
            else [self.aggressor.sid]
        )
        leader.belief_resolve = dict.fromkeys(opponents, 0.5)

    # --- views the leaders use -----------------------------------------------------------------

    @property
    def leaders(self) -> list[Leader]:
        """The current leaders, in cast order of their states."""
        return [s.leader for s in self.states]

    @property
    def back_channel(self) -> float:
        """How open the discreet channel is: the parameter, once negotiation has started."""
        b = self.params.bargaining
        return b.back_channel if self.tick >= b.start_tick else 0.0

    def threats_against(self, sid: str) -> list[Threat]:
        """Open threats whose target is state ``sid``."""
        return [t for t in self.threats if t.target == sid]

    def threats_by(self, sid: str) -> list[Threat]:
        """Open threats made by state ``sid``."""
        return [t for t in self.threats if t.threatener == sid]

    def effective_exposure(self, state: State) -> float:
        """A member's exposure to the aggressor after burden sharing pools part of it."""
        return self._effective_exposure[state.sid]

    def partners_commitments(self) -> dict[str, float]:
        """Economy-weighted mean commitment of each member's partners (alone: its own)."""
        commitments = [s.commitment for s in self.coalition]
        weighted = [c * e for c, e in zip(commitments, self._economies, strict=True)]
        means = {}
        for state, own, others, economy in zip(
            self.coalition, commitments, self._partners, self._partners_economy, strict=True
        ):
            means[state.sid] = sum([weighted[j] for j in others]) / economy if others else own
        return means

    def _sanction_pressure(self, levels: list[float]) -> float:
        """Weekly pressure on the aggressor from sanctions at ``levels``, after neutral leakage."""
        p = self.params
        leak = p.sanctions.leakage * sum(
            [s.trade * w for s, w in zip(self.neutrals, self._neutral_trade_weight, strict=True)]
        )
        return sanctions.sanction_pressure(levels, self._economy_shares, self.cohesion, leak, p)

    def _sanction_loss(self, levels: list[float]) -> float:
        """Weekly loss to the aggressor from sanctions at ``levels``, after its reserves."""
        return sanctions.buffered_loss(
            self._sanction_pressure(levels),
            self.aggressor.reserves,
            self.params.sanctions.reserves_buffer,
        )

    def sanction_relief(self, member: State, step: float) -> float:
        """Weekly loss the aggressor would be spared if ``member`` eased sanctions by ``step``."""
        eased = self._levels()
        i = self.coalition.index(member)
        eased[i] = max(0.0, eased[i] - step)
        return self.sanction_loss - self._sanction_loss(eased)

    def sanction_step_loss(self) -> float:
        """Extra weekly loss if the coalition carried out a threat (sanctions up one step)."""
        step = self.params.threats.sanction_step
        levels = [min(1.0, x + step) for x in self._levels()]
        return self._sanction_loss(levels) - self.sanction_loss

    def threat_target(self) -> State | None:
        """The member an aggressor threat would aim at: the likeliest to give in."""
        step = self.params.threats.ease_step
        candidates = [s for s in self.coalition if not s.defected and s.sanctions >= step]
        if not candidates:
            return None
        leader = self.aggressor.leader
        return max(candidates, key=lambda s: leader.success_belief(s.sid))

    def _levels(self) -> list[float]:
        return [s.sanctions for s in self.coalition]

    def _refresh(self) -> None:
        """Recompute the derived quantities: cohesion, efforts and the sanction loss."""
        commitments = [s.commitment for s in self.coalition]
        trust = [s.trust for s in self.coalition]
        self.cohesion = cohesion.cohesion(commitments, self._economy_shares, trust)
        p = self.params
        agg, tgt = self.aggressor, self.target
        self.aggressor_effort = aggressor_effort(agg.military, agg.health, self.rung)
        aid = sum([s.aid * c for s, c in zip(self.coalition, self._aid_capacities, strict=True)])
        self.target_effort = target_effort(
            tgt.military,
            tgt.health,
            tgt.resistance,
            aid,
            p.battlefield.aid_efficiency,
            p.battlefield.defender_advantage,
        )
        self.sanction_pressure = self._sanction_pressure(self._levels())
        self.sanction_loss = sanctions.buffered_loss(
            self.sanction_pressure, agg.reserves, p.sanctions.reserves_buffer
        )

    # --- the tick ------------------------------------------------------------------------------

    def step(self) -> None:
        """One week: the seven phases of DESIGN.md, in order."""
        self.tick += 1
        self.inform()
        self.update_publics()
        self.update_leaders()
        self.decide()
        self.resolve()
        self.negotiate()
        self.check_outcome()
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def log(self, kind: str, text: str, count: str | None = None) -> None:
        """Record an event for the log and, when ``count`` names one, its counter."""
        self.events.append(Event(self.tick, kind, text))
        if count:
            self.counts[count] += 1

    # phase 1 -----------------------------------------------------------------------------------

    def inform(self) -> None:
        """Disinformation and counter-messaging reach publics; beliefs update from last week."""
        self._spread_disinformation()
        self._send_messages()
        self._update_beliefs()

    def _plan_disinformation(self) -> None:
        """The weekly campaign (M6): it depends only on constant traits, so it is planned once."""
        p = self.params.disinformation
        pub = self.publics
        self._campaign: tuple[np.ndarray, list[float], str] | None = None
        if p.intensity <= 0.0:
            return
        rows = self._coalition_rows
        alloc = disinformation.allocate_effort(
            p.intensity, pub.susceptibility[rows], self._row_exposure, pub.weight[rows], p.focus
        )
        push = disinformation.disinformation_shift(alloc, pub.susceptibility[rows], p.counter, p)
        by_member = np.add.reduceat(alloc, self._member_offsets)
        wedge = (p.wedge * by_member * (1.0 - p.counter_efficacy * p.counter)).tolist()
        top = self.coalition[int(np.argmax(by_member))].sid
        self._campaign = (push, wedge, top)

    def _spread_disinformation(self) -> None:
        pub = self.publics
        pub.shift *= 1.0 - self.params.disinformation.decay
        self._wedge = None
        if self._campaign is None:
            return
        push, self._wedge, top = self._campaign
        pub.shift[self._coalition_rows] += push
        self.counts["disinformation_pushes"] += 1
        if top != self._top_disinformation_target:
            self._top_disinformation_target = top
            self.log("disinformation", f"disinformation campaign now aimed mainly at {top}")

    def _send_messages(self) -> None:
        """M7: each member's leader reassures its least supportive audience, heard by all."""
        p = self.params.messaging
        pub = self.publics
        rows = self._coalition_rows
        support = pub.support[rows]
        # Each member's least supportive row: the first row at its members' minimum.
        offsets = self._member_offsets
        lowest = np.minimum.reduceat(support, offsets)
        at_lowest = np.flatnonzero(support == lowest.repeat(self._member_sizes))
        audiences = at_lowest[np.searchsorted(at_lowest, offsets)]
        support += disinformation.message_effects(
            pub.stance[rows], audiences, p.transparency, p.gain
        )
        np.maximum(support, 0.0, out=support)
        pub.support[rows] = np.minimum(support, 1.0, out=support)

    def _update_beliefs(self) -> None:
        rate = self.params.decisions.belief_rate
        noise = self.params.bargaining.misperception * (1.0 - self.back_channel)
        agg = self.aggressor.leader
        agg.belief_cohesion += rate * (
            self.cohesion + self.random.gauss(0.0, noise) - agg.belief_cohesion
        )
        beliefs = agg.belief_resolve
        for state in self.coalition:
            seen = beliefs.get(state.sid, 0.5)
            beliefs[state.sid] = seen + rate * (state.commitment - seen)
        signal = _HAWKISHNESS[self._last_aggressor_action]
        aggressor, gauss = self.aggressor.sid, self.random.gauss
        for state in self.coalition:
            beliefs = state.leader.belief_resolve
            seen = beliefs.get(aggressor, 0.5)
            beliefs[aggressor] = seen + rate * (signal + gauss(0.0, noise) - seen)

    # phase 2 -----------------------------------------------------------------------------------

    def update_publics(self) -> None:
        """Constituencies weigh costs, fear, rallies, disinformation and like-minded peers."""
        d = self.params.domestic
        pub = self.publics
        # Each state's pain, rally and policy, on every one of its rows.
        felt = [(s.pain, s.rally, s.policy) for s in self.states]
        pains, rally, policy = np.array(felt).repeat(self._state_sizes, axis=0).T
        pub.weariness += d.weariness_rate * (pains - pub.weariness)
        preferred = domestic.preferred_policy(
            pub.stance,
            rally,
            pub.pain_sensitivity,
            pub.weariness,
            pub.risk_tolerance,
            max(0, self.rung - 1) / 4.0,
            pub.shift,
            d.fear,
        )
        if d.influence > 0.0:
            mean = np.bincount(self._like_minded, weights=pub.weight * preferred)
            mean /= self._like_minded_mass
            preferred += d.influence * (mean[self._like_minded] - preferred)
        pub.preferred = preferred
        target = domestic.support_target(preferred, policy)
        pub.support += d.support_rate * (target - pub.support)
        for state in self.states:
            state.rally *= 1.0 - d.rally_decay

    # phase 3 -----------------------------------------------------------------------------------

    def update_leaders(self) -> None:
        """Approval; scheduled elections in democracies; unrest in autocracies (M9)."""
        d = self.params.domestic
        pub = self.publics
        approvals = np.bincount(
            pub.state_of, weights=pub.support * pub.weight, minlength=len(self.states)
        ).tolist()
        for state, approval in zip(self.states, approvals, strict=True):
            leader = state.leader
            leader.approval = approval  # the weighted support of its constituencies
            spec = state.spec
            if state.regime.value == "democracy":
                due = self.tick >= spec.next_election and (
                    (self.tick - spec.next_election) % spec.election_interval == 0
                )
                if d.elections and due:
                    self.counts["elections"] += 1
                    win = domestic.election_win_probability(leader.approval, d.election_noise)
                    if self.random.random() < win:
                        self.log("election", f"{leader.name} re-elected in {state.name}")
                    else:
                        self._replace_leader(state, "lost the election")
            else:
                hazard = domestic.unrest_hazard(leader.approval, d.unrest_threshold, d.unrest_rate)
                if hazard > 0.0 and self.random.random() < hazard:
                    self._replace_leader(state, "fell to domestic unrest")

    def _replace_leader(self, state: State, cause: str) -> None:
        """A new leader takes over: the public mood sets its resolve; memories start afresh."""
        old = state.leader
        pub = self.publics
        mood = float(pub.preferred[state.rows] @ pub.weight[state.rows])
        spec = self.cast.leaders[state.sid]
        self._successions[state.sid] += 1
        successor = type(old)(
            self,
            state,
            spec,
            name=f"{state.name}'s leader #{self._successions[state.sid] + 1}",
            resolve=clip01(self.random.gauss(mood, 0.1)),
            risk_preference=clip01(self.random.gauss(spec.risk_preference, 0.1)),
        )
        self._init_beliefs(successor)
        successor.approval = old.approval
        old.remove()
        self.log("leader change", f"{old.name} of {state.name} {cause}", "leader_changes")

    # phase 4 -----------------------------------------------------------------------------------

    def decide(self) -> None:
        """Every leader chooses an action from the same information; then all take effect."""
        leaders = self.leaders
        approvals = self.approvals([leader.policies() for leader in leaders])
        partners = self.partners_commitments()
        choices = [
            (leader, leader.decide(a, partners[leader.state.sid]))
            if isinstance(leader, CoalitionLeader)
            else (leader, leader.decide(a))
            for leader, a in zip(leaders, approvals, strict=True)
        ]
        lead = self._coalition_lead()
        coalition_threat = (
            lead is not None
            and self.rung >= 2
            and not self.threats_by(lead.sid)
            and lead.leader.consider_threat()
        )
        for leader, action in choices:
            self._carry_out(leader, action)
        if coalition_threat:
            self._issue_threat(lead, self.aggressor)

    def approvals(self, policies: list[list[float]]) -> list[list[float]]:
        """Approval each state's leader expects under each of its ``policies`` (cast order).

        Every state's constituencies in one vector pass: a public may have thousands of rows,
        and numpy's per-call overhead would dominate if each leader priced its few options.
        """
        pub = self.publics
        width = max(len(options) for options in policies)
        table = []  # one row per state, padded with its last option
        for options in policies:
            table += options
            table += [options[-1]] * (width - len(options))
        support = np.array(table).reshape(-1, width).repeat(self._state_sizes, axis=0)
        support -= pub.preferred[:, None]
        np.abs(support, out=support)  # distance from what each constituency wants
        np.subtract(1.0, support, out=support)
        support *= pub.weight[:, None]
        sums = np.add.reduceat(support, self._state_starts, axis=0).tolist()
        return [row[: len(o)] for row, o in zip(sums, policies, strict=True)]

    def _coalition_lead(self) -> State | None:
        active = [s for s in self.coalition if not s.defected]
        return max(active, key=lambda s: s.economy) if active else None

    def _carry_out(self, leader: Leader, action: Any) -> None:
        state = leader.state
        if isinstance(leader, CoalitionLeader):  # the most numerous leaders first
            if action is CoalitionAction.TIGHTEN:
                state.adjust_commitment(POLICY_STEP)
            elif action is CoalitionAction.EASE:
                state.adjust_commitment(-POLICY_STEP)
        elif isinstance(leader, AggressorLeader):
            self._last_aggressor_action = action
            if action is AggressorAction.ESCALATE:
                self._climb(f"{leader.name} escalates")
            elif action is AggressorAction.DEESCALATE:
                self.rung -= 1
                self.log(
                    "de-escalation",
                    f"{leader.name} steps down to {escalation.RUNGS[self.rung]}",
                    "de_escalations",
                )
            elif action is AggressorAction.THREATEN:
                target = self.threat_target()
                if target is not None:
                    self._issue_threat(state, target)
            elif action is AggressorAction.WITHDRAW:
                self._withdrawn = True
                self.log("withdrawal", f"{leader.name} orders a withdrawal")
        elif isinstance(leader, TargetLeader):
            if action is TargetAction.CAPITULATE:
                self._capitulated = True
                state.resistance = 0.0
                self.log("capitulation", f"{leader.name} capitulates")
        elif action is NeutralAction.TRADE_MORE:
            state.trade = min(1.0, state.trade + POLICY_STEP)
        elif action is NeutralAction.TRADE_LESS:
            state.trade = max(0.0, state.trade - POLICY_STEP)

    def _climb(self, text: str, inadvertent: bool = False) -> None:
        self.rung = min(escalation.TOP_RUNG, self.rung + 1)
        self.peak_rung = max(self.peak_rung, self.rung)
        kind = "inadvertent_escalations" if inadvertent else "escalations"
        self.log("escalation", f"{text} to {escalation.RUNGS[self.rung]}", kind)

    def _issue_threat(self, threatener: State, target: State) -> None:
        p = self.params
        leader = threatener.leader
        h = p.decisions.horizon
        if threatener is self.aggressor:
            own_risk = h * escalation.escalation_hazard(
                min(self.rung + 1, 4), leader.humiliation, self.back_channel, p.escalation
            )
            unity, count = leader.approval, "threats_by_aggressor"
            demand = f"ease sanctions or face escalation, within {p.threats.deadline} weeks"
            rallied = [self.target, *self.coalition]
        else:
            own_risk = leader.cost_in_issue_units(
                p.sanctions.self_cost
                * p.threats.sanction_step
                * self.effective_exposure(threatener)
            )
            unity, count = self.cohesion, "threats_by_coalition"
            demand = f"step down the ladder or sanctions tighten, within {p.threats.deadline} weeks"
            rallied = [self.aggressor]
        cred = credibility(unity, leader.reputation(), own_risk, p.threats)
        self.threats.append(
            Threat(
                threatener.sid,
                target.sid,
                self.tick,
                self.tick + p.threats.deadline,
                cred,
                self.rung,
                target.commitment,
            )
        )
        for state in rallied:
            state.rally += p.domestic.rally
        self.log("threat", f"{threatener.name} to {target.name}: {demand}", count)

    # phase 5 -----------------------------------------------------------------------------------

    def resolve(self) -> None:
        """Battlefield, costs, deadlines, inadvertent escalation, humiliation, cohesion."""
        p = self.params
        self._refresh()
        fighting = INTENSITY[self.rung] > 0.0
        drift = control_drift(
            self.aggressor_effort, self.target_effort, p.battlefield.speed, self.rung
        )
        shock = self.rng.normal(0.0, p.battlefield.noise) if fighting else 0.0
        before = self.control
        self.control = clip01(self.control + drift + shock)
        self.peak_control = max(self.peak_control, self.control)
        self.least_control = min(self.least_control, self.control)
        self._pay_costs()
        self._resolve_deadlines()

        leader = self.aggressor.leader
        hazard = escalation.escalation_hazard(
            self.rung, leader.humiliation, self.back_channel, p.escalation
        )
        if hazard > 0.0 and self.random.random() < hazard:
            self._climb("the crisis slips", inadvertent=True)
        commitment = sum(
            s.commitment * w for s, w in zip(self.coalition, self._economy_shares, strict=True)
        )
        leader.humiliation = escalation.update_humiliation(
            leader.humiliation,
            p.humiliation.personal_sanctions * commitment,
            p.humiliation.capitulation_demand,
            before - self.control,
            self._face_offered,
            p.humiliation,
        )
        self._face_offered = 0.0
        self.humanitarian_cost += INTENSITY[self.rung] * (1.5 if self.rung >= 4 else 1.0)
        self._update_coalition()

    def _pay_costs(self) -> None:
        p = self.params
        s = p.sanctions
        agg, tgt = self.aggressor, self.target
        agg.cost = self.sanction_loss + s.war_cost * INTENSITY[self.rung]
        agg.cost += s.readiness_cost if self.rung >= 1 else 0.0
        agg.reserves = max(0.0, agg.reserves - s.reserve_drain * self.sanction_pressure)
        aid_share = sum(
            m.aid * w for m, w in zip(self.coalition, self._economy_shares, strict=True)
        )
        tgt.cost = (
            s.war_damage * INTENSITY[self.rung] + (s.threat_damage if self.rung >= 1 else 0.0)
        ) * (1.0 - s.aid_buffer * aid_share)
        member_costs = sanctions.sanctioner_costs(
            self._levels(), self._exposures, self._economies, s.burden_sharing, p.sanctions
        )
        counter = p.disinformation.counter * p.disinformation.counter_cost
        for member, cost in zip(self.coalition, member_costs, strict=True):
            member.cost = cost + s.aid_cost * member.aid + counter
        d = p.domestic
        for state in self.states:
            state.health = clip01(state.health - state.cost + s.recovery * (1.0 - state.health))
            state.cumulative_cost += state.cost * state.economy
            state.pain = d.pain_scale * state.cost
        casualties = d.casualty_pain * INTENSITY[self.rung]
        agg.pain += casualties
        tgt.pain += casualties

    def _resolve_deadlines(self) -> None:
        p = self.params
        due = [t for t in self.threats if t.deadline <= self.tick]
        self.threats = [t for t in self.threats if t.deadline > self.tick]
        for threat in due:
            threatener = self.states_by_id[threat.threatener]
            target = self.states_by_id[threat.target]
            leader = threatener.leader
            if threatener is self.aggressor:
                complied = target.commitment < threat.level
            else:
                complied = self.rung < threat.rung
            leader.remember_answer(target.sid, complied)
            if complied:
                self.log(
                    "concession",
                    f"{target.name} gives in to {threatener.name}'s threat",
                    "concessions",
                )
                continue
            if threatener is self.aggressor:
                can = self.rung < 4
                cost = (
                    leader.outlook(self.rung) - leader.outlook(self.rung + 1) if can else math.inf
                )
            else:
                can = True
                cost = leader.cost_in_issue_units(
                    p.sanctions.self_cost
                    * p.threats.sanction_step
                    * self.effective_exposure(threatener)
                )
            carry = can and leader.choose([0.0, p.threats.reputation_value - cost]) == 1
            if not carry:
                leader.record[1] += 1
                self.log(
                    "bluff",
                    f"{threatener.name}'s threat to {target.name} was a bluff",
                    "bluffs_called",
                )
                continue
            leader.record[0] += 1
            self.counts["threats_carried_out"] += 1
            if threatener is self.aggressor:
                self._climb(f"{leader.name} carries out the threat and escalates")
            else:
                for member in self.coalition:
                    if not member.defected:
                        member.sanctions = min(1.0, member.sanctions + p.threats.sanction_step)
                self.log("threat carried out", "the coalition tightens sanctions as threatened")

    def _update_coalition(self) -> None:
        c = self.params.cohesion
        costs = [s.cost for s in self.coalition]
        trust = [s.trust for s in self.coalition]
        wedge = self._wedge if self._wedge is not None else [0.0] * len(self.coalition)
        new_trust = cohesion.update_trust(trust, costs, wedge, c)
        for member, value in zip(self.coalition, new_trust, strict=True):
            member.trust = value
        for member in self.coalition:
            low = member.commitment < c.defection_threshold
            if low and not member.defected:
                member.defected = True
                self.log(
                    "defection", f"{member.name} breaks ranks (sanctions and aid cut)", "defections"
                )
            elif not low and member.defected:
                member.defected = False
                self.log("rejoin", f"{member.name} rejoins the coalition's line")
        self._refresh()
        failing = self.cohesion < c.collapse_threshold
        self._low_cohesion_streak = self._low_cohesion_streak + 1 if failing else 0
        defected = sum(s.economy for s in self.coalition if s.defected)
        if self.collapsed_at is None and (
            self._low_cohesion_streak >= c.collapse_ticks
            or defected >= 0.5 * self._coalition_economy
        ):
            self.collapsed_at = self.tick
            self.log("collapse", "the coalition collapses")

    # phase 6 -----------------------------------------------------------------------------------

    def negotiate(self) -> None:
        """Offers are made and answered; a deal binds when accepted and ratified (M3, M10)."""
        b = self.params.bargaining
        if self.tick < b.start_tick:
            return
        agg, tgt = self.aggressor.leader, self.target.leader
        # Answering an offer changes nothing either side's reservation depends on.
        agg_reservation, tgt_reservation = agg.reservation(), tgt.reservation()
        noise = b.misperception * (1.0 - self.back_channel)
        offers: list[tuple[str, float, float]] = []
        # The coalition side (the target with its partners) offers what it reads the aggressor
        # would take, counting the face it can give, if it can live with that.
        read = agg_reservation + self.random.gauss(0.0, noise)
        needed = read - b.face_value * agg.face_sensitivity * b.face_offer
        ceiling = 1.0 - tgt_reservation
        if needed <= ceiling:
            offers.append(("coalition", clip01(needed), b.face_offer))
        elif self.random.random() < b.offer_rate:
            offers.append(("coalition", clip01(ceiling), b.face_offer))
        # The aggressor demands what it reads the target would concede.
        floor = agg_reservation
        read = 1.0 - (tgt_reservation + self.random.gauss(0.0, noise))
        if floor <= read:
            offers.append(("aggressor", clip01(read), 0.0))
        elif self.random.random() < b.offer_rate:
            offers.append(("aggressor", clip01(floor), 0.0))
        self.random.shuffle(offers)  # which offer is answered first is random
        for side, x, face in offers:
            reservation = agg_reservation if side == "coalition" else tgt_reservation
            if self._answer(side, x, face, reservation):
                return

    def _answer(self, side: str, x: float, face: float, reservation: float) -> bool:
        """The other side answers an offer; ``reservation`` is the receiver's."""
        b = self.params.bargaining
        agg, tgt = self.aggressor.leader, self.target.leader
        private = self.random.random() < self.back_channel
        self.counts["offers_private" if private else "offers_public"] += 1
        if side == "coalition":
            self._face_offered += face
            receiver = agg
            value = bargaining.aggressor_deal_value(x, face, agg.face_sensitivity, b.face_value)
        else:
            receiver = tgt
            value = bargaining.target_deal_value(x)
        channel = "privately" if private else "publicly"
        text = f"{side} offers {channel}: x={x:.2f}, face={face:.2f}"
        p_accept = accept_probability(value, reservation, receiver.temperature)
        if self.random.random() >= p_accept:
            self.log("offer", f"{text}; rejected", "offers_rejected")
            if not private:
                self._rejected_in_public(side, x)
            return False
        ratified = self._ratifications(x, face)
        refusing = [s.name for s, ok in zip(self._required, ratified, strict=True) if not ok]
        if refusing:
            self.log(
                "offer",
                f"{text}; accepted but not ratified by {', '.join(refusing)}",
                "ratifications_failed",
            )
            return False
        self.deal = (x, face)
        self.log("deal", f"deal ratified: x={x:.2f}, face={face:.2f}")
        return True

    def _rejected_in_public(self, side: str, x: float) -> None:
        """Audience cost for the offerer's hawks; a public lowball offer humiliates (M3)."""
        b = self.params.bargaining
        pub = self.publics
        rows = self.aggressor.rows if side == "aggressor" else self._coalition_side_rows
        support = pub.support[rows] - b.audience_cost * pub.stance[rows]
        np.maximum(support, 0.0, out=support)
        pub.support[rows] = np.minimum(support, 1.0, out=support)
        if side == "coalition":
            leader = self.aggressor.leader
            leader.humiliation = min(
                1.0, leader.humiliation + bargaining.offer_humiliation(True, x, b)
            )

    def _ratifications(self, x: float, face: float) -> list[bool]:
        """Two-level game: which required states' constituencies back the deal by enough weight.

        Every required state's rows in one vector pass (numpy's per-call overhead would
        dominate state by state).
        """
        b = self.params.bargaining
        pub = self.publics
        values = [x + b.face_value * face, 1.0 - x]  # to the aggressor; to the others
        values += [values[1]] * (len(self._required) - 2)
        verdicts = bargaining.constituency_verdicts(
            np.array(values).repeat(self._required_sizes),
            pub.preferred[self._required_rows],
            b.ratify_demand,
            b.ratify_softness,
        )
        return bargaining.ratifications(
            pub.weight[self._required_rows],
            verdicts,
            self._required_starts,
            b.ratification_threshold,
        )

    # phase 7 -----------------------------------------------------------------------------------

    def check_outcome(self) -> None:
        """Terminal outcomes, by precedence when several occur in the same tick."""
        self.min_cohesion = min(self.min_cohesion, self.cohesion)
        self._cohesion_sum += self.cohesion
        reached = {
            Outcome.CATASTROPHE: self.rung >= escalation.TOP_RUNG,
            Outcome.CONQUEST: self.control >= 1.0,
            Outcome.TARGET_CAPITULATION: self._capitulated,
            Outcome.AGGRESSOR_WITHDRAWAL: self._withdrawn,
            Outcome.SETTLEMENT: self.deal is not None,
        }
        for outcome in PRECEDENCE:
            if reached[outcome]:
                self.outcome = outcome
                break
        else:
            if self.tick >= self.max_ticks:
                self.outcome = Outcome.STALEMATE
        if self.outcome is not None:
            self.running = False
            self.log("outcome", f"the crisis ends: {self.outcome.value.replace('_', ' ')}")

    # --- results -------------------------------------------------------------------------------

    def run(self) -> RunRecord:
        """Step until an outcome; return the run's record."""
        while self.running:
            self.step()
        return self.record()

    def record(self) -> RunRecord:
        """The tidy record of the run so far."""
        deal_x, deal_face = self.deal if self.outcome is Outcome.SETTLEMENT else (None, None)
        if self.outcome is Outcome.AGGRESSOR_WITHDRAWAL:
            deal_x = None
        return RunRecord(
            seed=int(self._seed),  # Mesa's own draw when rng is None
            outcome=self.outcome.value if self.outcome else "running",
            end_tick=self.tick,
            deal_x=deal_x,
            deal_face=deal_face,
            final_control=self.control,
            peak_rung=self.peak_rung,
            min_cohesion=self.min_cohesion,
            mean_cohesion=self._cohesion_sum / max(1, self.tick),
            final_cohesion=self.cohesion,
            humanitarian_cost=self.humanitarian_cost
            + (100.0 if self.rung >= escalation.TOP_RUNG else 0.0),
            coalition_collapsed=self.collapsed_at is not None,
            collapse_tick=self.collapsed_at,
            events=dict(self.counts),
            economic_cost={s.sid: s.cumulative_cost for s in self.states},
        )


_HAWKISHNESS = {
    AggressorAction.ESCALATE: 1.0,
    AggressorAction.THREATEN: 0.8,
    AggressorAction.HOLD: 0.6,
    AggressorAction.DEESCALATE: 0.1,
    AggressorAction.WITHDRAW: 0.0,
}


def _rows_of(states: list[State]) -> slice | np.ndarray:
    """The Publics rows of ``states``: a slice when contiguous (a view, cheaper than an index)."""
    rows = np.concatenate([np.arange(s.rows.start, s.rows.stop) for s in states])
    if len(rows) and np.array_equal(rows, np.arange(rows[0], rows[0] + len(rows))):
        return slice(int(rows[0]), int(rows[0]) + len(rows))
    return rows


def _camp(role: Role) -> int:
    return {Role.AGGRESSOR: 0, Role.TARGET: 1, Role.COALITION: 1, Role.NEUTRAL: 2}[role]


def _resolve_cast(cast: Cast | str | Path, overrides: dict[str, Any]) -> Cast:
    paths = {canonical_path(k): v for k, v in overrides.items()}
    if isinstance(cast, Cast):
        if not paths:
            return cast
        return build_cast(apply_overrides(cast.model_dump(mode="json"), paths), cast.cast.name)
    return load_cast(cast, paths)


def run(
    cast: Cast | str | Path = DEFAULT_CAST,
    seed: int = 0,
    max_ticks: int = 104,
    overrides: dict[str, Any] | None = None,
    collect_series: bool = False,
) -> tuple[RunRecord, CrisisModel]:
    """Run one crisis to its end: a pure function of (cast, overrides, seed, max_ticks)."""
    model = CrisisModel(
        cast, rng=seed, max_ticks=max_ticks, collect_series=collect_series, **(overrides or {})
    )
    return model.run(), model
