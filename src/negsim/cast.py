"""The cast of a crisis: its schema (pydantic), its loader and parameter overrides.

A cast is a TOML document with these tables:

    [cast]                        name, tick length and horizon in days, initial control
    [sides.challenger]            the challenger's principal (the aggressor) and its posture
    [sides.defender]              the defender's principal (the target), its lead and posture
    [parameters.<mechanism>]      model parameters (every one has a default, a range and a meaning)
    [states.<ID>]                 the states: side, capabilities, exposures, instruments
    [leaders.<ID>]                one leader per state
    [constituencies.<ID>.<name>]  the domestic constituencies of each state

Every parameter path a user can `--set` or sweep is the dotted path of a key in that document,
e.g. ``leaders.RUS.risk_preference``, ``parameters.bargaining.face_offer`` or
``parameters.escalation.ladder.nuclear_threats.hazard``.

Rates in the parameters are per week and durations in days, whatever the cast's tick length
(`negsim.clock`).
"""

from __future__ import annotations

import copy
import difflib
import functools
import tomllib
import types
import typing
from enum import Enum, IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator

from negsim.errors import InputError, cut, shown
from negsim.limits import nesting_problem, size_problem


def param(default: float | int | bool, lo: float | None, hi: float | None, meaning: str) -> Any:
    """A model parameter: its default, its valid range and a one-line meaning."""
    return Field(default, ge=lo, le=hi, description=meaning)


class Section(BaseModel):
    """A table of the schema: unknown keys are errors, types are strict, assignments validated.

    Strict: ``"0.5"`` is not a number, ``true`` is not a number, ``0`` is not a boolean and
    ``12.0`` is not an integer (an integer is a fine float). An enum field still takes its
    value as text (``side = "challenger"``), since a TOML file cannot hold an enum instance.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        lax = [
            info
            for info in cls.model_fields.values()
            if any(isinstance(t, type) and issubclass(t, Enum) for t in _types_in(info.annotation))
            and not any(isinstance(m, Strict) for m in info.metadata)
        ]
        for info in lax:
            info.metadata.append(Strict(False))
        if lax:
            cls.model_rebuild(force=True)


def _types_in(annotation: Any) -> list[Any]:
    """The annotation and the types inside it (``Role | None`` -> Role, None)."""
    return [annotation, *typing.get_args(annotation)]


# --- the escalation ladder ---------------------------------------------------------------------


class RungId(IntEnum):
    """The rungs of the escalation ladder, from talk to nuclear use."""

    DIPLOMATIC = 0
    SHOW_OF_FORCE = 1
    LIMITED_FORCE = 2
    FULL_WAR = 3
    NUCLEAR_THREATS = 4
    NUCLEAR_USE = 5

    @property
    def label(self) -> str:
        """The rung's name as prose."""
        return self.name.lower().replace("_", " ")


TOP_RUNG = RungId.NUCLEAR_USE
NUCLEAR_RUNGS = (RungId.NUCLEAR_THREATS, RungId.NUCLEAR_USE)


class Rung(Section):
    """One rung of the escalation ladder: what a side's posture at this rung does."""

    intensity: float = param(0.0, 0, 1, "share of strength engaged in fighting at this rung")
    cost: float = param(0.0, 0, 0.1, "weekly cost (share of GDP) to a side holding this posture")
    fear: float = param(0.0, 0, 1, "how frightening the posture is to the other side's publics")
    hazard: float = param(0.0, 0, 1, "weekly chance the crisis climbs one rung nobody chose")
    backlash: float = param(
        0.0, 0, 5, "issue units a leader loses by climbing to this rung (allies, neutrals, doves)"
    )


def rung(
    intensity: float, cost: float, fear: float, hazard: float, backlash: float, name: str
) -> Any:
    """The default of one rung of the ladder."""
    return Field(
        default_factory=lambda: Rung(
            intensity=intensity, cost=cost, fear=fear, hazard=hazard, backlash=backlash
        ),
        description=name,
    )


class Ladder(Section):
    """The six rungs, in order (`RungId`). Nuclear rungs need a nuclear-armed state."""

    diplomatic: Rung = rung(0.0, 0.0, 0.0, 0.0, 0.0, "rung 0: talks only")
    show_of_force: Rung = rung(
        0.0, 0.0005, 0.1, 0.0002, 0.0, "rung 1: mobilization, blockade or quarantine"
    )
    limited_force: Rung = rung(0.5, 0.002, 0.3, 0.0005, 0.02, "rung 2: strikes, limited fighting")
    full_war: Rung = rung(1.0, 0.004, 0.5, 0.001, 0.05, "rung 3: full-scale conventional war")
    nuclear_threats: Rung = rung(
        1.0, 0.0045, 1.0, 0.0002, 0.05, "rung 4: nuclear threats and alerts"
    )
    nuclear_use: Rung = rung(1.0, 0.05, 1.0, 0.0, 1.0, "rung 5: nuclear use (catastrophe)")

    @model_validator(mode="before")
    @classmethod
    def _partial_rungs(cls, data: Any) -> Any:
        """A rung's table that names some of its keys keeps that rung's defaults for the rest
        (``full_war.cost = 0.008`` changes the cost of full war only)."""
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        for name, given in data.items():
            info = cls.model_fields.get(name)
            if info is None or not isinstance(given, dict):
                continue
            default = info.default_factory().model_dump()
            filled[name] = {**default, **given}
        return filled

    def rungs(self) -> list[Rung]:
        """The rungs in `RungId` order."""
        return [getattr(self, r.name.lower()) for r in RungId]


# --- model parameters, one section per mechanism family ----------------------------------------


class BattlefieldParams(Section):
    speed: float = param(0.02, 0, 0.2, "control moved per week by a total military advantage")
    noise: float = param(0.01, 0, 0.1, "sd of the weekly battlefield shock at full intensity")
    defender_advantage: float = param(
        1.3, 0.2, 5, "multiplier on the defender principal's own effort (home ground)"
    )
    aid_efficiency: float = param(1.0, 0, 5, "military effort per unit of aid delivered")
    conquest: float = param(
        0.98, 0.5, 1, "control at which the challenger has taken the contested ground"
    )
    rollback: float = param(
        0.02, 0, 0.5, "control at or below which fighting has driven the challenger out"
    )


class EscalationParams(Section):
    ladder: Ladder = Field(default_factory=Ladder, description="the rungs of the ladder")
    humiliation_hazard: float = param(2.0, 0, 10, "hazard multiplier per unit of humiliation")
    back_channel_cut: float = param(
        0.5, 0, 1, "share of the hazard a fully open back channel removes (less misperception)"
    )
    catastrophe_penalty: float = param(
        25.0, 0, 1000, "loss (issue units) a leader attaches to nuclear use"
    )
    coercion: float = param(
        0.3, 0, 5, "issue units a leader expects from a unit more fear among a wavering enemy"
    )
    climb_down_face: float = param(
        0.1, 0, 2, "issue units a fully face-sensitive leader loses stepping down a rung"
    )
    offramp: float = param(
        0.8, 0, 1, "share of that face cost removed by a face-saving offer on the table"
    )
    offramp_decay: float = param(0.5, 0, 1, "weekly decay of the face on the table once offered")


class HumiliationParams(Section):
    decay: float = param(0.04, 0, 1, "weekly decay of the challenger leader's humiliation")
    personal_sanctions: float = param(
        0.5, 0, 1, "intensity of sanctions on the challenger leader's inner circle (policy lever)"
    )
    personal_weight: float = param(0.03, 0, 1, "humiliation per week of full personal sanctions")
    loss_weight: float = param(
        1.5, 0, 20, "humiliation per unit of control lost on the battlefield"
    )
    capitulation_demand: float = param(
        0.3, 0, 1, "how loudly the defenders publicly demand total capitulation (policy lever)"
    )
    demand_weight: float = param(0.03, 0, 1, "humiliation per week of full public demands")
    face_relief: float = param(0.15, 0, 1, "humiliation removed per unit of face offered")
    risk_shift: float = param(
        0.4, 0, 1, "rise of the leader's risk acceptance per unit humiliation"
    )


class ThreatParams(Section):
    deadline_days: int = param(28, 1, 3650, "days between a threat and its deadline")
    max_open: int = param(2, 1, 10, "threats a side may have open at once")
    base_credibility: float = param(0.1, 0, 1, "credibility of a threat before any other term")
    unity_weight: float = param(
        0.4, 0, 1, "weight of the threatener's unity (cohesion, approval) in credibility"
    )
    record_weight: float = param(0.4, 0, 1, "weight of the record of carried-out threats")
    cost_weight: float = param(0.5, 0, 5, "credibility lost per issue unit it costs to carry out")
    prior: float = param(2.0, 0.1, 50, "pseudo-counts of the prior on records and on memories")
    memory_weight: float = param(
        0.5, 0, 1, "weight of a threatener's memory of the target's answers, against its model"
    )
    damage: float = param(
        0.3, 0, 2, "issue units a threatened partner fears from a carried-out force threat"
    )
    concession_bias: float = param(
        0.0, -1, 1, "extra utility partners see in giving in to a threat (policy lever)"
    )
    reputation_value: float = param(
        0.15, 0, 2, "issue units a leader puts on keeping its record of carrying out threats"
    )
    sanction_step: float = param(
        0.25, 0, 1, "sanctions added when a sanctions threat is carried out"
    )
    ease_step: float = param(0.15, 0, 1, "sanctions and aid a threatened partner is asked to drop")


class BargainingParams(Section):
    start_days: int = param(
        14, 0, 100_000, "days before offers may be made (policy lever: when talks open)"
    )
    rounds_per_week: float = param(1.0, 0, 7, "offers each side may make per week")
    face_offer: float = param(
        1.0, 0, 1, "share of its face capacity the defender side will put in an offer (lever)"
    )
    face_value: float = param(
        0.3, 0, 1, "issue units a unit of face is worth to a fully face-sensitive leader"
    )
    face_price: float = param(
        0.1, 0, 1, "issue units a unit of face given costs the defender side (its payer)"
    )
    face_public_value: float = param(
        0.15, 0, 1, "issue units a unit of public face is worth to the challenger's publics"
    )
    back_channel: float = param(
        0.5,
        0,
        1,
        "openness of a discreet channel: misperception it removes; 0 = every offer public",
    )
    misperception: float = param(
        0.1, 0, 1, "sd (issue units) of a side's reading of the other side's win-sets"
    )
    audience_cost: float = param(
        0.03, 0, 1, "issue units (and hawks' support) a leader loses when its public offer fails"
    )
    public_insult: float = param(
        0.05, 0, 1, "humiliation from a rejected public offer, per unit of x below 1/2"
    )
    own_misperception: float = param(
        0.3, 0, 1, "a side's misreading of its own publics, as a share of its misperception"
    )
    grid: int = param(41, 5, 401, "number of deal terms x a proposer considers")
    leak_rate: float = param(
        0.05, 0, 1, "weekly chance the private part of a deal under implementation leaks"
    )
    leak_cost: float = param(
        0.1, 0, 1, "support its hawks withdraw from a leader caught having denied a secret deal"
    )


class RatificationParams(Section):
    enabled: bool = param(True, None, None, "deals need ratification by the required states")
    threshold: float = param(
        0.5, 0, 1, "weight of a state's constituencies that must accept a deal to ratify it"
    )
    stance_width: float = param(
        0.4, 0, 2, "how far a fully hawkish public's demand exceeds the fighting outlook (x2)"
    )
    loss_aversion: float = param(
        2.25, 1, 10, "weight publics give to held ground a deal would cede, over ground gained"
    )


class BeliefParams(Section):
    type_spread: float = param(
        0.15, 0, 0.5, "sd of a leader's private resolve around its cast value (the prior)"
    )
    types: int = param(9, 3, 41, "points of the grid of an opponent's possible resolve")
    military_uncertainty: float = param(
        0.2, 0, 2, "sd of a principal's initial log-misjudgment of the enemy's strength"
    )
    optimism: float = param(0.1, -1, 1, "mean initial underestimate (log) of the enemy's strength")
    military_learning: float = param(
        0.1, 0, 1, "weekly share of that misjudgment corrected by full-scale fighting"
    )
    cost_optimism: float = param(
        0.0,
        0,
        0.95,
        "share of its costs of fighting on a principal's leader does not foresee at first",
    )
    cost_learning: float = param(
        0.1,
        0,
        1,
        "weekly share of the unforeseen part of its costs (cost_optimism) learned while it bears them",
    )
    tremble: float = param(
        0.03, 0.001, 1, "issue units of noise an observer allows in others' choices"
    )
    channel_signal: float = param(
        0.15, 0.01, 2, "sd of the weekly reading of an opponent's resolve a full channel gives"
    )
    cohesion_rate: float = param(
        0.2, 0, 1, "weekly rate at which a principal's estimate of enemy cohesion adjusts"
    )


class MediationParams(Section):
    rounds_per_week: float = param(1.0, 0, 7, "proposals a mediator may make per week")
    noise: float = param(
        0.05, 0, 1, "sd (issue units) of a mediator's reading of each side's limits"
    )
    lean: float = param(
        0.2, 0, 1, "share of the bargaining range a fully biased mediator shifts its proposals"
    )


class CommitmentParams(Section):
    breach_scale: float = param(
        1.0, 0, 10, "chance of breaking a deal per unit of power a side expects to gain over it"
    )
    implementation_days: int = param(56, 1, 3650, "days during which a signed deal may break")
    guarantee_effect: float = param(
        0.7, 0, 1, "share of breach risk removed by guarantors as strong as both principals"
    )


class SanctionParams(Section):
    efficacy: float = param(
        0.002, 0, 0.05, "weekly economic loss (share of GDP) full sanctions inflict"
    )
    self_cost: float = param(0.001, 0, 0.05, "weekly loss of a sanctioner per unit of exposure")
    aid_cost: float = param(0.0001, 0, 0.01, "weekly cost (share of GDP) of full military aid")
    reserves_buffer: float = param(3.0, 0, 20, "how much each unit of reserves divides sanctions")
    reserve_drain: float = param(1.0, 0, 20, "reserves spent per unit of sanction loss")
    burden_sharing: float = param(
        0.0, 0, 1, "share of sanction costs pooled across a coalition (policy lever)"
    )
    leakage: float = param(0.6, 0, 1, "share of sanctions a fully trading neutral undoes")
    war_damage: float = param(
        0.006, 0, 0.1, "weekly damage to the defender's economy from full-scale fighting"
    )
    strike_damage: float = param(
        0.001, 0, 0.1, "weekly damage to the challenger's economy from the defenders' full force"
    )
    aid_buffer: float = param(0.5, 0, 1, "share of that damage its partners' full aid offsets")
    recovery: float = param(0.01, 0, 1, "weekly recovery of economic health toward 1")


class DisinformationParams(Section):
    capacity: float = param(
        0.3, 0, 1, "most weekly effort a side can put into disinformation (policy lever)"
    )
    focus: float = param(2.0, 0, 10, "how strongly effort concentrates on the exposed audiences")
    efficacy: float = param(0.02, 0, 1, "shift of a fully susceptible audience per unit effort")
    decay: float = param(0.03, 0, 1, "weekly decay of the accumulated disinformation shift")
    cost: float = param(0.0002, 0, 0.01, "weekly cost (share of GDP) of full effort")
    value: float = param(
        2.0, 0, 20, "issue units a planner expects per unit of enemy cohesion eroded"
    )
    counter_capacity: float = param(
        0.0, 0, 1, "most counter-messaging (declassified intelligence) a side can do (lever)"
    )
    counter_efficacy: float = param(0.7, 0, 1, "share of disinformation full countering blunts")
    counter_cost: float = param(0.0001, 0, 0.01, "weekly cost (share of GDP) of full countering")
    wedge: float = param(0.02, 0, 1, "trust lost among partners per unit of effort aimed at them")
    replan_days: int = param(28, 1, 3650, "days between revisions of a side's information plan")


class MessagingParams(Section):
    transparency: float = param(
        0.7, 0, 1, "how far a message for one audience reaches all others (1 = no separation)"
    )
    gain: float = param(0.02, 0, 0.5, "support a tailored message wins in its audience per week")
    tolerance: float = param(
        0.25, 0.01, 1, "stance distance beyond which an overheard message costs support"
    )


class CohesionParams(Section):
    trust_rate: float = param(0.1, 0, 1, "weekly adjustment rate of trust among partners")
    unevenness: float = param(1.0, 0, 10, "trust lost per unit of relative dispersion of pain")
    solidarity: float = param(0.3, 0, 5, "pull on a partner toward its partners' commitment")
    effect_floor: float = param(0.3, 0, 1, "sanction effect left at zero cohesion (share)")
    ally_reputation: float = param(
        0.1, 0, 5, "issue units a partner's leader loses by breaking ranks (its name as an ally)"
    )
    collapse_threshold: float = param(0.3, 0, 1, "cohesion below which a coalition is failing")
    collapse_days: int = param(28, 1, 3650, "days of failing cohesion that make a collapse")
    collapse_share: float = param(
        0.5, 0, 1, "share of a coalition's economy whose defection makes a collapse"
    )


class DomesticParams(Section):
    support_rate: float = param(0.2, 0, 1, "weekly adjustment rate of support for policy")
    pain_scale: float = param(100.0, 0, 2000, "pain felt per unit of weekly loss (share of GDP)")
    casualty_pain: float = param(
        0.02, 0, 1, "weekly pain of full-scale fighting for both principals"
    )
    weariness_rate: float = param(0.03, 0, 1, "weekly rate at which war weariness tracks pain")
    rally: float = param(0.1, 0, 1, "hawkish shift of a public after an enemy threat")
    rally_decay: float = param(0.2, 0, 1, "weekly decay of a rally effect")
    fear: float = param(0.3, 0, 1, "dovish shift of a fully risk-averse public at the worst rung")
    influence: float = param(0.1, 0, 1, "weekly pull toward like-minded constituencies abroad")
    elections: bool = param(True, None, None, "democracies hold their scheduled elections")
    election_noise: float = param(0.1, 0.001, 1, "spread of the vote around approval 1/2")
    unrest_threshold: float = param(0.35, 0, 1, "autocrat approval below which unrest can topple")
    unrest_rate: float = param(0.05, 0, 1, "weekly chance of a fall at zero approval")
    approval_weight: float = param(0.3, 0, 5, "weight a leader gives its approval in decisions")
    legislative_swing: float = param(
        1.0, 0, 10, "seats a legislative election moves to the government's dissatisfied publics"
    )
    successor_spread: float = param(
        0.1,
        0,
        0.5,
        "sd of a new leader's resolve around the public mood and risk around the cast's",
    )


class DecisionParams(Section):
    temperature: float = param(
        0.005, 0, 10, "logit temperature, relative to the leader's stakes (0 = best response)"
    )
    temperature_scale: float = param(1.0, 0, 100, "multiplies every leader's temperature")
    plan_days: int = param(182, 7, 3650, "days ahead a leader projects fighting and its costs")
    risk_weight: float = param(0.5, 0, 5, "weight of outcome spread, signed by risk preference")
    cost_weight: float = param(
        1.0, 0, 500, "issue units per unit of cumulative loss (share of GDP)"
    )
    resolve_effect: float = param(0.7, 0, 1, "share of felt costs a fully resolved leader ignores")
    loss_risk: float = param(
        0.5, 0, 1, "rise of risk acceptance when losing ground (prospect theory)"
    )
    loss_frame: float = param(
        5.0, 0, 100, "loss frame per unit of control lost since the best position seen"
    )
    stake: float = param(0.5, 0, 5, "value a partner puts on its side's cause (principals: 1)")
    step: float = param(0.1, 0.01, 1, "change of a policy level (sanctions, aid, trade) a week")


class Parameters(Section):
    """Every model parameter, grouped by mechanism family."""

    battlefield: BattlefieldParams = Field(default_factory=BattlefieldParams)
    escalation: EscalationParams = Field(default_factory=EscalationParams)
    humiliation: HumiliationParams = Field(default_factory=HumiliationParams)
    threats: ThreatParams = Field(default_factory=ThreatParams)
    bargaining: BargainingParams = Field(default_factory=BargainingParams)
    ratification: RatificationParams = Field(default_factory=RatificationParams)
    beliefs: BeliefParams = Field(default_factory=BeliefParams)
    commitment: CommitmentParams = Field(default_factory=CommitmentParams)
    mediation: MediationParams = Field(default_factory=MediationParams)
    sanctions: SanctionParams = Field(default_factory=SanctionParams)
    disinformation: DisinformationParams = Field(default_factory=DisinformationParams)
    messaging: MessagingParams = Field(default_factory=MessagingParams)
    cohesion: CohesionParams = Field(default_factory=CohesionParams)
    domestic: DomesticParams = Field(default_factory=DomesticParams)
    decisions: DecisionParams = Field(default_factory=DecisionParams)


# --- the actors --------------------------------------------------------------------------------


class Side(StrEnum):
    CHALLENGER = "challenger"
    DEFENDER = "defender"
    NEUTRAL = "neutral"


class Regime(StrEnum):
    DEMOCRACY = "democracy"
    AUTOCRACY = "autocracy"


class Instrument(StrEnum):
    """What a state may do in the crisis (limited by its capabilities)."""

    FORCE = "force"
    SANCTIONS = "sanctions"
    BLOCKADE = "blockade"
    AID = "aid"
    DISINFORMATION = "disinformation"
    COUNTER_MESSAGING = "counter_messaging"
    MEDIATION = "mediation"


class StateSpec(Section):
    name: str = Field(description="display name")
    side: Side
    military: float = Field(ge=0, le=100, description="military strength (any common scale)")
    economy: float = Field(gt=0, le=100, description="GDP, trillion USD")
    reserves: float = Field(0.0, ge=0, le=5, description="reserves as a share of annual GDP")
    regime: Regime
    nuclear: bool = Field(False, description="nuclear-armed: may climb to the nuclear rungs")
    instruments: list[Annotated[Instrument, Strict(False)]] = Field(
        default_factory=list, description="what it may use: force, sanctions, aid, ..."
    )
    election_every_days: int = Field(
        1461, ge=1, le=100_000, description="days between executive elections (democracies)"
    )
    next_election_day: int | None = Field(
        None, ge=0, le=100_000, description="day of the next executive election, if any"
    )
    legislature_every_days: int = Field(
        1461, ge=1, le=100_000, description="days between legislative elections (democracies)"
    )
    next_legislature_day: int | None = Field(
        None, ge=0, le=100_000, description="day of the next legislative election, if any"
    )
    exposure: dict[str, float] = Field(
        default_factory=dict, description="economic exposure (0..1) to each other state"
    )
    security_exposure: dict[str, float] = Field(
        default_factory=dict,
        description="exposure (0..1) of its security to each other state (hostages, bases)",
    )
    sanctions: float = Field(0.0, ge=0, le=1, description="initial sanctions on the other side")
    aid: float = Field(0.0, ge=0, le=1, description="initial share of aid capacity delivered")
    aid_capacity: float = Field(0.0, ge=0, le=10, description="military aid at full commitment")
    force_projection: float = Field(
        0.0, ge=0, le=100, description="strength a partner commits when its side fights"
    )
    trade: float = Field(0.5, ge=0, le=1, description="neutrals: trade kept with the challenger")
    guarantor: bool = Field(False, description="guarantees and must ratify any deal")
    face_capacity: float = Field(
        0.0, ge=0, le=1, description="face it can give in a deal (e.g. an asset it can withdraw)"
    )
    mediation_bias: float = Field(
        0.0, ge=-1, le=1, description="a mediator's lean: toward the challenger (+) or defender (-)"
    )
    mediation_credibility: float = Field(
        0.5, ge=0, le=1, description="how far the parties trust a mediator's readings (0..1)"
    )

    @model_validator(mode="before")
    @classmethod
    def _version_one(cls, data: Any) -> Any:
        if isinstance(data, dict) and "role" in data:
            raise ValueError(
                "role is gone: use side = challenger | defender | neutral, and name the "
                "principals in [sides.challenger] and [sides.defender]"
            )
        return data

    @model_validator(mode="after")
    def _exposures_in_range(self) -> StateSpec:
        for table in ("exposure", "security_exposure"):
            bad = {k: v for k, v in getattr(self, table).items() if not 0 <= v <= 1}
            if bad:
                raise ValueError(f"{table}: values must lie in [0, 1], got {bad}")
        return self


class LeaderSpec(Section):
    name: str = Field(description="display name")
    risk_preference: float = Field(
        ge=0, le=1, description="0 risk-averse, 0.5 neutral, 1 risk-acceptant"
    )
    loss_aversion: float = Field(2.25, ge=1, le=10, description="weight of losses over gains")
    resolve: float = Field(
        ge=0, le=1, description="tolerance of costs for the state's goal (private; the prior)"
    )
    face_sensitivity: float = Field(ge=0, le=1, description="weight of humiliation and lost face")
    temperature: float | None = Field(
        None, ge=0, le=10, description="own logit temperature (default: decisions.temperature)"
    )


class ConstituencySpec(Section):
    weight: float = Field(gt=0, le=1, description="share of political power in its state")
    stance: float = Field(ge=0, le=1, description="preferred policy: 0 dovish .. 1 hawkish")
    risk_tolerance: float = Field(ge=0, le=1, description="tolerance of escalation risk")
    pain_sensitivity: float = Field(ge=0, le=1, description="sensitivity to costs and casualties")
    susceptibility: float = Field(ge=0, le=1, description="susceptibility to disinformation")
    support: float = Field(ge=0, le=1, description="initial support for the leader's policy")
    count: int = Field(1, ge=1, le=1_000_000, description="number of agents this entry stands for")
    spread: float = Field(
        0.05, ge=0, le=0.5, description="sd of each agent's traits around the entry's values"
    )


class HistoryRecord(Section):
    """What happened: a historical cast's real outcome, for comparison with the model's."""

    outcome: str = Field(
        pattern=r"^(settlement|aggressor_withdrawal|target_capitulation|conquest|catastrophe"
        r"|stalemate)$",
        description="the real outcome in the model's terms",
    )
    began: str = Field(description="date the crisis began (ICB trigger), YYYY-MM-DD")
    ended: str = Field(description="date it ended (ICB termination), YYYY-MM-DD")
    days: int = Field(ge=0, le=100_000, description="its duration in days")
    deal_x: float | None = Field(
        None, ge=0, le=1, description="the challenger's share of the issue in the deal, if any"
    )
    summary: str = Field("", description="what happened, in a sentence or two")
    source: str = Field("", description="where the dates and outcome come from")


class CastInfo(Section):
    name: str
    description: str = ""
    history: HistoryRecord | None = Field(None, description="a historical cast's real outcome")
    calibrated: bool = Field(
        True,
        description="model parameters the cast leaves out take their calibrated values "
        "(src/negsim/calibrated.toml); false: the schema's defaults",
    )
    tick_days: float = Field(7.0, gt=0, le=365, description="days per tick")
    horizon_days: float = Field(
        728.0, gt=0, le=36_500, description="days observed; reaching them is a stalemate"
    )
    initial_control: float = Field(
        0.1, ge=0, le=1, description="challenger's share of the contested ground at day 0"
    )

    @model_validator(mode="after")
    def _horizon_holds_a_tick(self) -> CastInfo:
        if self.horizon_days < self.tick_days:
            raise ValueError(
                f"horizon_days ({self.horizon_days}) is shorter than one tick ({self.tick_days})"
            )
        return self


class SideSpec(Section):
    principal: str = Field(description="the state whose terms are at stake on this side")
    lead: str | None = Field(
        None, description="the state that makes the side's offers and threats (default: principal)"
    )
    posture: RungId = Field(RungId.DIPLOMATIC, description="the side's rung at day 0")


class Sides(Section):
    challenger: SideSpec
    defender: SideSpec


def highest_posture(state: StateSpec) -> RungId:
    """The highest rung a state can choose: nuclear threats if nuclear-armed, else full war."""
    return RungId.NUCLEAR_THREATS if state.nuclear else RungId.FULL_WAR


INSTRUMENT_NEEDS = {
    Instrument.FORCE: ("military", "a military strength above 0"),
    Instrument.AID: ("aid_capacity", "an aid_capacity above 0"),
}


class Cast(Section):
    """A whole crisis: who is involved and how the mechanisms are tuned."""

    cast: CastInfo
    sides: Sides
    parameters: Parameters = Field(default_factory=Parameters)
    states: dict[str, StateSpec]
    leaders: dict[str, LeaderSpec]
    constituencies: dict[str, dict[str, ConstituencySpec]]

    @model_validator(mode="before")
    @classmethod
    def _calibrated_defaults(cls, data: Any) -> Any:
        """Parameters the document leaves out take the calibrated values, unless the cast
        says ``calibrated = false``; a value the document gives always stands."""
        if not isinstance(data, dict) or not isinstance(data.get("cast"), dict):
            return data
        if data["cast"].get("calibrated", True) is not True:
            return data
        given = data.get("parameters", {})
        if not isinstance(given, dict):
            return data
        calibrated = calibrated_parameters()
        return {**data, "parameters": _merged(calibrated, given)} if calibrated else data

    @model_validator(mode="before")
    @classmethod
    def _version_one(cls, data: Any) -> Any:
        states = data.get("states") if isinstance(data, dict) else None
        if (
            "sides" not in data
            and isinstance(states, dict)
            and any(isinstance(s, dict) and "role" in s for s in states.values())
        ):
            raise ValueError(
                "this is a version-1 cast: role is gone; give each state a side "
                "(challenger, defender or neutral) and name the principals in "
                "[sides.challenger] and [sides.defender] (see README, 'Casts')"
            )
        return data

    @model_validator(mode="after")
    def _references(self) -> Cast:
        problems = []
        ids = set(self.states)
        for side in (Side.CHALLENGER, Side.DEFENDER):
            spec: SideSpec = getattr(self.sides, side.value)
            for key in ("principal", "lead"):
                sid = getattr(spec, key)
                if sid is None:
                    continue
                where = f"sides.{side.value}.{key}"
                if sid not in ids:
                    problems.append(f"{where}: no state '{sid}' in this cast")
                elif self.states[sid].side is not side:
                    problems.append(
                        f"{where}: '{sid}' is on side '{self.states[sid].side}', not '{side}'"
                    )
            if spec.principal in ids and spec.posture > highest_posture(
                self.states[spec.principal]
            ):
                problems.append(
                    f"sides.{side.value}.posture: rung {int(spec.posture)} is out of reach for "
                    f"'{spec.principal}' (at most {int(highest_posture(self.states[spec.principal]))})"
                )
        for sid, state in self.states.items():
            for table in ("exposure", "security_exposure"):
                for other in getattr(state, table):
                    if other == sid:
                        problems.append(
                            f"states.{sid}.{table}.{other}: a state has no exposure to itself"
                        )
                    elif other not in ids:
                        problems.append(
                            f"states.{sid}.{table}.{other}: no state '{other}' in this cast"
                        )
            for instrument in state.instruments:
                need = INSTRUMENT_NEEDS.get(instrument)
                if need and getattr(state, need[0]) <= 0:
                    problems.append(f"states.{sid}.instruments: '{instrument}' needs {need[1]}")
                if instrument is Instrument.MEDIATION and state.side is not Side.NEUTRAL:
                    problems.append(f"states.{sid}.instruments: only a neutral state can mediate")
            if state.regime is Regime.AUTOCRACY and (
                state.next_election_day is not None or state.next_legislature_day is not None
            ):
                problems.append(
                    f"states.{sid}: an autocracy holds no scheduled elections "
                    "(next_election_day and next_legislature_day are for democracies)"
                )
        for table in ("leaders", "constituencies"):
            given = set(getattr(self, table))
            problems += [f"{table}.{s}: no state '{s}' in this cast" for s in sorted(given - ids)]
            problems += [f"{table}: state '{s}' has none" for s in sorted(ids - given)]
        for sid, groups in self.constituencies.items():
            if not groups:
                problems.append(f"constituencies.{sid}: expected at least one constituency")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def principal(self, side: Side) -> str:
        """The id of a side's principal."""
        return getattr(self.sides, side.value).principal

    def lead(self, side: Side) -> str:
        """The id of the state that makes a side's offers and threats."""
        spec: SideSpec = getattr(self.sides, side.value)
        return spec.lead or spec.principal

    def role(self, sid: str) -> str:
        """A state's place in the crisis: ``challenger``, ``defender``, a side's partner
        (``"defender's partner"``) or ``neutral``."""
        side = self.states[sid].side
        if side is Side.NEUTRAL:
            return "neutral"
        return side.value if sid == self.principal(side) else f"{side.value}'s partner"

    def state_ids(self, side: Side) -> list[str]:
        """The ids of the states on a side, in cast order."""
        return [sid for sid, s in self.states.items() if s.side is side]

    @model_validator(mode="after")
    def _within_size_bound(self) -> Cast:
        """A model too big for a run to finish in reasonable memory and time is an error."""
        counts = (c.count for groups in self.constituencies.values() for c in groups.values())
        problem = size_problem(len(self.states), counts)
        if problem:
            raise ValueError(problem)
        return self


# --- the calibrated parameters -------------------------------------------------------------------

CALIBRATED = Path(__file__).with_name("calibrated.toml")


@functools.cache
def calibrated_file() -> dict[str, Any]:
    """The calibrated parameter set (`negsim calibrate ... --adopt` writes it): its
    ``[calibration]`` provenance and its ``[parameters]`` tables; empty when there is none."""
    if not CALIBRATED.is_file():
        return {}
    return tomllib.loads(CALIBRATED.read_text(encoding="utf-8"))


def calibrated_parameters() -> dict[str, Any]:
    """The ``[parameters]`` tables of the calibrated parameter set."""
    return calibrated_file().get("parameters", {})


def calibrated_draws() -> list[dict[str, Any]]:
    """The posterior draws the calibrated set carries (parameter path -> value, one dict per
    draw); empty when there is no calibrated set."""
    table = calibrated_file().get("calibration", {}).get("draws", {})
    count = min((len(v) for v in table.values()), default=0)
    return [{canonical_path(k): v[i] for k, v in table.items()} for i in range(count)]


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``over``'s values on top, table by table."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


# --- loading -----------------------------------------------------------------------------------


def _check_nesting(value: Any, source: str) -> None:
    problem = nesting_problem(value)
    if problem:
        raise InputError(f"{source}: {problem}")


def _location(loc: tuple) -> str:
    return ".".join(cut(str(p), 40) for p in loc) or "(document)"


def _describe(err: dict, model: type[BaseModel] | None = None) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key" + _did_you_mean(model, err["loc"])
    if err["type"] == "missing":
        return "required field is missing"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "value_error":
        return msg
    return f"{msg[0].lower()}{msg[1:]}, got {shown(err['input'])}"


def validation_problems(
    source: str, exc: ValidationError, prefix: str = "", model: type[BaseModel] | None = None
) -> list[str]:
    """One line per pydantic error: file, dotted field path (after ``prefix``, the path of
    the validated table in its file), what was expected. Given the ``model`` validated, an
    unknown key names the known key it most resembles."""
    lines = []
    for err in exc.errors():
        loc = _location(err["loc"])
        loc = loc if loc == "(document)" else prefix + loc
        if err["type"] == "value_error" and "; " in err["msg"]:
            for part in err["msg"].removeprefix("Value error, ").split("; "):
                lines.append(f"{source}: {part}")
        elif err["type"] == "value_error" and loc == "(document)":
            lines.append(f"{source}: {_describe(err)}")
        else:
            lines.append(f"{source}: {loc}: {_describe(err, model)}")
    return lines


def _did_you_mean(model: type[BaseModel] | None, loc: tuple) -> str:
    """`` (did you mean KEY?)`` for an unknown key at ``loc``: the key of the same table it
    most resembles, found by walking ``model``'s fields along the path; else nothing."""
    if model is None or not loc or len(str(loc[-1])) > 60:  # no guess for a key that long
        return ""
    node: Any = model
    for key in loc[:-1]:
        node = _held(node, key)
    if not (isinstance(node, type) and issubclass(node, BaseModel)):
        return ""
    keys = [field.alias or name for name, field in node.model_fields.items()]
    close = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.7)
    return f" (did you mean {close[0]}?)" if close else ""


def _held(node: Any, key: Any) -> Any:
    """What a table's ``key`` holds: a model's field type, a dict's value type, a list's item
    type (None when the path leaves the schema)."""
    if isinstance(node, type) and issubclass(node, BaseModel):
        fields = {field.alias or name: field for name, field in node.model_fields.items()}
        return _bare(fields[key].annotation) if key in fields else None
    origin, args = typing.get_origin(node), typing.get_args(node)
    if origin is dict and len(args) == 2:
        return _bare(args[1])
    if origin in (list, tuple) and args:
        return _bare(args[0])
    return None


def _bare(annotation: Any) -> Any:
    """An annotation without its ``Annotated`` metadata and its ``None`` option."""
    if typing.get_origin(annotation) is Annotated:
        return _bare(typing.get_args(annotation)[0])
    options = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(options) == 1:
        return _bare(options[0])
    return annotation


def read_toml(path: str | Path) -> dict:
    """Parse a TOML file, turning every failure into an InputError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise InputError(f"{path}: cannot read: {reason}") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except ValueError:  # an integer of thousands of digits
        raise InputError(f"{path}: invalid TOML: an integer too long to read") from None
    except RecursionError:
        raise InputError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    _check_nesting(doc, str(path))
    return doc


def parse_assignment(text: str, source: str = "--set") -> tuple[str, Any]:
    """Split ``path=value``; the value is read as a TOML literal, else taken as a string.

    The value keeps its TOML type, and the schema's types are strict: ``face_offer=0.5`` is a
    number, ``face_offer="0.5"`` (or ``face_offer=abc``) is text and an error for a number.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise InputError(f"{source}: expected PATH=VALUE, got {shown(text)}")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except (ValueError, RecursionError):  # TOMLDecodeError is a ValueError
        value = raw.strip()
    _check_nesting(value, f"{source}: {cut(path, 40)}")
    return path, value


def apply_overrides(doc: dict, overrides: dict[str, Any], source: str = "--set") -> dict:
    """Return a copy of a cast document with dotted-path overrides applied.

    Paths into ``parameters`` may name keys the document leaves at their default; paths into
    states, leaders and constituencies must name entries the cast has.
    """
    _check_nesting(doc, source)
    problems = []
    for path, value in overrides.items():
        problem = nesting_problem(value)
        if problem:
            problems.append(f"{source}: {cut(path, 40)}: {problem}")
    if problems:
        raise InputError(problems)
    doc = copy.deepcopy(doc)
    for path, value in overrides.items():
        keys = path.split(".")
        shown_path = cut(path, 80)
        node = doc
        for depth, key in enumerate(keys[:-1]):
            if not isinstance(node, dict):
                where = cut(".".join(keys[:depth]), 80)
                problems.append(f"{source}: {shown_path}: '{where}' is not a table")
                break
            if key not in node:
                if keys[0] != "parameters":
                    where = cut(".".join(keys[: depth + 1]), 80)
                    problems.append(f"{source}: {shown_path}: no entry '{where}' in the cast")
                    break
                node[key] = {}
            node = node[key]
        else:
            if isinstance(node, dict):
                node[keys[-1]] = value
            else:
                where = cut(".".join(keys[:-1]), 80)
                problems.append(f"{source}: {shown_path}: '{where}' is not a table")
    if problems:
        raise InputError(problems)
    return doc


def build_cast(doc: dict, source: str) -> Cast:
    """Validate a cast document; every problem becomes a line of one InputError."""
    _check_nesting(doc, source)
    try:
        return Cast.model_validate(doc)
    except ValidationError as exc:
        raise InputError(validation_problems(source, exc, model=Cast)) from None


def load_cast(path: str | Path, overrides: dict[str, Any] | None = None) -> Cast:
    """Read, override and validate a cast file."""
    doc = read_toml(path)
    if "experiment" in doc and "states" not in doc:
        command = "calibrate" if "calibration" in doc else "sweep"
        what = "a calibration" if command == "calibrate" else "an experiment"
        raise InputError(
            f"{path}: this is {what} spec, not a cast: run it with `negsim {command} {path}`"
        )
    if overrides:
        doc = apply_overrides(doc, overrides)
    return build_cast(doc, str(path))


def canonical_path(path: str) -> str:
    """Full dotted path: parameter paths may leave out their ``parameters.`` prefix."""
    head = path.split(".", 1)[0]
    return f"parameters.{path}" if head in Parameters.model_fields else path


def schema_bounds(field: Any) -> tuple[float | None, float | None]:
    """A schema field's range ``(low, high)``; None where it has no bound."""
    lo = hi = None
    for m in field.metadata:
        if isinstance(m, Ge | Gt):
            lo = m.ge if isinstance(m, Ge) else m.gt
        elif isinstance(m, Le | Lt):
            hi = m.le if isinstance(m, Le) else m.lt
    return lo, hi


def schema_field(path: str) -> Any | None:
    """The pydantic FieldInfo behind a dotted cast path, or None when it names no field.

    Tables keyed by state id (``states``, ``leaders``, ``constituencies``) take any id at that
    level; the exposure tables take any state id as their key.
    """
    keys = path.split(".")
    keyed = {"states": 1, "leaders": 1, "constituencies": 2}
    model: type[BaseModel] = Cast
    field = None
    rest = list(keys)
    skip = keyed.get(keys[0], 0)
    while rest:
        key = rest.pop(0)
        field = model.model_fields.get(key)
        if field is None:
            return None
        annotation = field.annotation
        if skip and key in keyed:
            if len(rest) < skip:
                return None
            rest = rest[skip:]
            annotation = {"states": StateSpec, "leaders": LeaderSpec}.get(key, ConstituencySpec)
        if key in ("exposure", "security_exposure") and len(rest) == 1:
            return Field(ge=0, le=1, description=f"{key.replace('_', ' ')} to that state")
        if not rest:
            return field
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return field
