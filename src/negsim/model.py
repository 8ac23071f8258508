"""CrisisModel: builds the world from a cast, creates its Mesa agents and runs the tick's
seven phases (docs/MODEL.md). The mechanisms own what happens in each phase."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa

from negsim.actors import Constituency, Leader, State
from negsim.actors.leader import decide_together, leader_class
from negsim.cast import TOP_RUNG, Cast, apply_overrides, build_cast, canonical_path, load_cast
from negsim.mechanisms import (
    bargaining,
    battlefield,
    beliefs,
    cohesion,
    disinformation,
    domestic,
    escalation,
    outlook,
    sanctions,
    threats,
)
from negsim.outcomes import PRECEDENCE, Outcome, RunRecord
from negsim.world import CHALLENGER, DEFENDER, World, build_world

DEFAULT_CAST = Path(__file__).resolve().parents[2] / "agents" / "ukraine_2022.toml"


class CrisisModel(mesa.Model):
    """A coercive multi-party crisis, one tick of the cast's length at a time.

    Args:
        cast: a `Cast`, or the path of a cast TOML file.
        rng: seed of the model's random number generators.
        max_ticks: the tick limit (default: the cast's horizon); reaching it is a stalemate.
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
        max_ticks: int | None = None,
        collect_series: bool = True,
        scenario: Any = None,
        **overrides: Any,
    ):
        super().__init__(rng=rng)
        self.cast = _resolve_cast(cast, overrides)
        self.world: World = build_world(self.cast, self.random, max_ticks)
        self.max_ticks = self.world.max_ticks
        self.outcome: Outcome | None = None
        self.end_tick: int | None = None
        w = self.world
        self.states = [State(self, w, i) for i in range(len(w.states.ids))]
        for state in self.states:
            state.leader = leader_class(w, state.index)(self, w, state.index)
        self.constituency_agents = [
            Constituency(self, w, state, group, row) for state, group, row in w.publics.groups
        ]
        sanctions.refresh(w)
        cohesion.refresh(w)
        sanctions.refresh(w)
        outlook.refresh(w)
        self._cohesion = [w.cohesion[DEFENDER]]
        self._pressure_peak = w.pressure[CHALLENGER]
        self._nuclear_ticks = self._fighting_ticks = 0
        self.humanitarian_cost = 0.0
        self.datacollector = (
            mesa.DataCollector(model_reporters=_reporters(w)) if (collect_series) else None
        )
        if self.datacollector is not None:
            self.datacollector.collect(self)

    # --- views ---------------------------------------------------------------------------------

    @property
    def params(self):
        """The model parameters (`negsim.cast.Parameters`)."""
        return self.world.params

    @property
    def tick(self) -> int:
        """Ticks elapsed."""
        return self.world.tick

    @property
    def leaders(self) -> list[Leader]:
        """The current leaders, in cast order of their states."""
        return [s.leader for s in self.states]

    @property
    def events(self):
        """The event log."""
        return self.world.events

    @property
    def control(self) -> float:
        """The challenger's share of the contested ground."""
        return self.world.control

    @property
    def rung(self) -> int:
        """The crisis rung (the higher of the two sides' postures)."""
        return self.world.rung

    @property
    def cohesion(self) -> float:
        """The defender side's coalition cohesion (1 with no partners)."""
        return self.world.cohesion[DEFENDER]

    @property
    def deal(self):
        """The deal signed, if any (`negsim.world.Deal`)."""
        return self.world.deal

    def side_states(self, side: int) -> list[State]:
        """The states of a side, principal first."""
        return [self.states[i] for i in self.world.sides.members[side]]

    # --- the tick ------------------------------------------------------------------------------

    def step(self) -> None:
        """One tick: the seven phases of docs/MODEL.md, in order."""
        w = self.world
        w.tick += 1
        w.face_offered = 0.0
        self.inform()
        domestic.update_publics(w)
        self.update_leaders()
        outlook.refresh(w)
        self.decide()
        self.resolve()
        bargaining.negotiate(w, self.random)
        self.check_outcome()
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def inform(self) -> None:
        """Phase 1: information plans are revised; disinformation and messages reach publics;
        beliefs update from what was seen."""
        w = self.world
        disinformation.plan(w, self.random)
        self._wedge = disinformation.spread(w)
        disinformation.send_messages(w)
        beliefs.update(w, self.random)

    def update_leaders(self) -> None:
        """Phase 3: approval; elections and unrest may replace a leader (a new Leader agent)."""
        w = self.world
        domestic.update_approvals(w)
        domestic.legislatures(w)
        for i, cause in domestic.falls(w, self.random):
            old = self.states[i].leader
            domestic.replace_leader(w, i, cause, self.random)
            old.remove()
            self.states[i].leader = type(old)(self, w, i)

    def decide(self) -> None:
        """Phase 4: every leader decides from the same information, then all act."""
        agents = self.leaders
        decide_together(self.world, agents, self.random)
        for i in self.random.sample(range(len(agents)), len(agents)):
            agents[i].act()
        if self.world.deal is None:  # while a deal holds nobody acts: the assessment stands
            outlook.refresh(self.world)

    def resolve(self) -> None:
        """Phase 5: battlefield, costs, threats reaching their deadlines, inadvertent
        escalation, humiliation, cohesion, and a deal's implementation."""
        w = self.world
        lost = battlefield.fight(w, self.rng)
        beliefs.learn_costs(w, sanctions.pay_costs(w))
        for side, consequence in threats.resolve_deadlines(w, self.random):
            threats.carry_out(w, side, consequence)
        escalation.slip(w, self.random)
        escalation.humiliate(w, lost, w.face_offered)
        w.sides.face_on_table *= 1.0 - w.clock.rate(w.params.escalation.offramp_decay)
        cohesion.update(w, self._wedge)
        sanctions.refresh(w)
        bargaining.implement(w, self.random)
        outlook.refresh(w)
        self.humanitarian_cost += w.clock.weeks * w.intensity
        if w.rung >= TOP_RUNG - 1:
            self._nuclear_ticks += 1
        if w.intensity > 0.0:
            self._fighting_ticks += 1
        self._cohesion.append(w.cohesion[DEFENDER])
        self._pressure_peak = max(self._pressure_peak, w.pressure[CHALLENGER])

    def check_outcome(self) -> None:
        """Phase 7: terminal outcomes, by precedence when several occur in the same tick."""
        w = self.world
        p = w.params.battlefield
        start = w.cast.cast.initial_control
        deal = w.deal
        reached = {
            Outcome.CATASTROPHE: w.catastrophe,
            Outcome.CONQUEST: w.control >= p.conquest > start,
            Outcome.TARGET_CAPITULATION: w.capitulated,
            Outcome.AGGRESSOR_WITHDRAWAL: w.withdrawn
            or (w.control <= p.rollback < start and w.intensity > 0.0),
            Outcome.SETTLEMENT: deal is not None and (w.tick >= deal.ends or w.tick >= w.max_ticks),
        }
        for outcome in PRECEDENCE:
            if reached[outcome]:
                self.outcome = outcome
                break
        else:
            if w.tick >= w.max_ticks:
                self.outcome = Outcome.STALEMATE
        if self.outcome is not None:
            self.end_tick = deal.signed if self.outcome is Outcome.SETTLEMENT else w.tick
            self.running = False
            threats.close_open(w, "as the crisis ends")
            w.log("outcome", f"the crisis ends: {self.outcome.value.replace('_', ' ')}")

    # --- results -------------------------------------------------------------------------------

    def run(self) -> RunRecord:
        """Step until an outcome; return the run's record."""
        while self.running:
            self.step()
        return self.record()

    def record(self) -> RunRecord:
        """The tidy record of the run so far."""
        w = self.world
        end = self.end_tick if self.end_tick is not None else w.tick
        settled = self.outcome is Outcome.SETTLEMENT
        deal = w.deal if settled else None
        ticks = max(1, w.tick)
        partners = w.sides.partners[DEFENDER]
        catastrophe = 100.0 if w.catastrophe else 0.0
        return RunRecord(
            seed=int(self._seed),  # Mesa's own draw when rng is None
            outcome=self.outcome.value if self.outcome else "running",
            end_tick=end,
            end_days=w.clock.days(end),
            deal_x=deal.x if deal else None,
            face_public=deal.face_public if deal else None,
            face_private=deal.face_private if deal else None,
            deal_mediated=deal.mediated if deal else None,
            final_control=w.control,
            challenger_share=challenger_share(self.outcome, deal, w.control),
            peak_rung=w.peak_rung,
            final_rung=w.rung,
            peak_posture_challenger=w.sides.peak_posture[CHALLENGER],
            peak_posture_defender=w.sides.peak_posture[DEFENDER],
            nuclear_threat_share=self._nuclear_ticks / ticks,
            fighting_share=self._fighting_ticks / ticks,
            min_cohesion=min(self._cohesion),
            mean_cohesion=sum(self._cohesion) / len(self._cohesion),
            final_cohesion=w.cohesion[DEFENDER],
            coalition_collapsed=w.collapsed_at is not None,
            collapse_tick=w.collapsed_at,
            sanction_pressure_peak=self._pressure_peak,
            humanitarian_cost=self.humanitarian_cost + catastrophe,
            misperception=w.misperception_sum / max(1, w.misperception_ticks),
            partners=len(partners),
            partners_defected=int(sum(w.states.defected[j] for j in partners)),
            events=dict(w.counts),
            economic_cost={
                sid: float(c) for sid, c in zip(w.states.ids, w.states.cumulative_cost, strict=True)
            },
        )


def challenger_share(outcome: Outcome | None, deal: Any, control: float) -> float:
    """The challenger's share of the issue however the crisis ended: the deal's terms, all of
    it after a capitulation or conquest, none after a withdrawal, else the ground it holds (an
    unconditional measure of terms, defined whether or not the crisis settled)."""
    if outcome is Outcome.SETTLEMENT:
        return deal.x
    if outcome in (Outcome.TARGET_CAPITULATION, Outcome.CONQUEST):
        return 1.0
    if outcome is Outcome.AGGRESSOR_WITHDRAWAL:
        return 0.0
    return control


def _reporters(w: World) -> dict[str, Any]:
    """The per-tick series: the crisis, the challenger's leader, every leader's approval."""
    challenger = w.sides.principal[CHALLENGER]
    reporters: dict[str, Any] = {
        "cohesion": "cohesion",
        "control": "control",
        "rung": "rung",
        "posture_challenger": lambda m: m.world.sides.posture[CHALLENGER],
        "posture_defender": lambda m: m.world.sides.posture[DEFENDER],
        "humiliation": lambda m: float(m.world.leaders.humiliation[challenger]),
        "reservation": lambda m: outlook.reservation(m.world, CHALLENGER),
        "belief_error": lambda m: _belief_error(m.world),
    }
    for i, sid in enumerate(w.states.ids):
        reporters[f"approval_{sid}"] = lambda m, i=i: float(m.world.leaders.approval[i])
    return reporters


def _belief_error(w: World) -> float:
    """Mean over the two principals of |believed - true| resolve of the other."""
    errors = []
    for k in (CHALLENGER, DEFENDER):
        truth = w.leaders.resolve[w.sides.principal[1 - k]]
        errors.append(abs(beliefs.expected(w.sides.type_values[k], w.sides.type_probs[k]) - truth))
    return sum(errors) / 2.0


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
    max_ticks: int | None = None,
    overrides: dict[str, Any] | None = None,
    collect_series: bool = False,
) -> tuple[RunRecord, CrisisModel]:
    """Run one crisis to its end: a pure function of (cast, overrides, seed, max_ticks)."""
    model = CrisisModel(
        cast, rng=seed, max_ticks=max_ticks, collect_series=collect_series, **(overrides or {})
    )
    return model.run(), model
