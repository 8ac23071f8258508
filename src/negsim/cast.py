"""The cast of a crisis: its schema (pydantic), its loader and parameter overrides.

A cast is a TOML document with four tables, each keyed by state id:

    [parameters.<mechanism>]   model parameters (every one has a default, a range and a meaning)
    [states.<ID>]              the states
    [leaders.<ID>]             one leader per state
    [constituencies.<ID>.<name>]  the domestic constituencies of each state

Every parameter path a user can `--set` or sweep is the dotted path of a key in that document,
e.g. ``leaders.RUS.risk_preference`` or ``parameters.bargaining.face_offer``.
"""

from __future__ import annotations

import copy
import tomllib
import typing
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

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
    value as text (``role = "aggressor"``), since a TOML file cannot hold an enum instance.
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


# --- model parameters, one section per mechanism family ----------------------------------------


class BattlefieldParams(Section):
    initial_control: float = param(
        0.1, 0, 1, "aggressor's control c of the contested area at tick 0"
    )
    speed: float = param(0.02, 0, 0.2, "control moved per tick by a total military advantage")
    noise: float = param(0.012, 0, 0.1, "standard deviation of the weekly battlefield shock")
    defender_advantage: float = param(1.3, 0.2, 5, "multiplier on the target's military effort")
    aid_efficiency: float = param(1.0, 0, 5, "military effort per unit of coalition aid delivered")


class EscalationParams(Section):
    initial_rung: int = param(3, 0, 4, "escalation rung at tick 0 (0 diplomatic .. 5 nuclear use)")
    base_hazard: float = param(0.0003, 0, 0.1, "weekly chance of an inadvertent climb at rung 2")
    rung_growth: float = param(2.0, 1, 5, "factor by which that hazard grows per rung above 2")
    humiliation_hazard: float = param(2.0, 0, 10, "hazard multiplier per unit of humiliation")
    back_channel_cut: float = param(
        0.6, 0, 1, "share of the hazard a full back channel removes (less misperception)"
    )
    catastrophe_penalty: float = param(
        10.0, 0, 100, "loss (issue units) a leader attaches to reaching nuclear use"
    )
    coercion: float = param(
        0.03,
        0,
        1,
        "gain the aggressor expects per rung climbed from frightening a divided coalition",
    )


class HumiliationParams(Section):
    decay: float = param(0.04, 0, 1, "weekly decay of the aggressor leader's humiliation")
    personal_sanctions: float = param(
        0.5, 0, 1, "intensity of sanctions on the aggressor leader's inner circle (policy lever)"
    )
    personal_weight: float = param(0.03, 0, 1, "humiliation per tick of full personal sanctions")
    loss_weight: float = param(
        1.5, 0, 20, "humiliation per unit of control lost on the battlefield"
    )
    capitulation_demand: float = param(
        0.3, 0, 1, "how loudly the coalition publicly demands total capitulation (policy lever)"
    )
    demand_weight: float = param(0.03, 0, 1, "humiliation per tick of full public demands")
    face_relief: float = param(0.15, 0, 1, "humiliation removed per unit of face offered")
    risk_shift: float = param(
        0.4, 0, 1, "rise of the leader's risk acceptance per unit humiliation"
    )


class ThreatParams(Section):
    deadline: int = param(4, 1, 52, "ticks between a threat and its deadline")
    base_credibility: float = param(0.1, 0, 1, "credibility of a threat before any other term")
    cohesion_weight: float = param(0.5, 0, 1, "weight of the threatener's cohesion in credibility")
    record_weight: float = param(0.4, 0, 1, "weight of the record of carried-out threats")
    cost_weight: float = param(0.5, 0, 2, "credibility lost per unit of cost to the threatener")
    prior: float = param(2.0, 0.1, 50, "pseudo-counts of the prior on records and on memories")
    damage: float = param(
        0.25, 0, 2, "loss (issue units) a coalition leader fears from a carried-out threat"
    )
    concession_bias: float = param(
        0.0, -1, 1, "extra utility coalition leaders see in giving in to a threat (policy lever)"
    )
    reputation_value: float = param(
        0.15, 0, 2, "issue units a leader puts on keeping its record of carrying out threats"
    )
    sanction_step: float = param(
        0.25, 0, 1, "sanctions added by the coalition carrying out a threat"
    )
    ease_step: float = param(0.15, 0, 1, "sanctions a threatened member is asked to drop")


class BargainingParams(Section):
    start_tick: int = param(2, 0, 1000, "first tick at which offers may be made (policy lever)")
    face_offer: float = param(
        0.3, 0, 1, "face the coalition side is willing to include in an offer (policy lever)"
    )
    face_value: float = param(
        0.3, 0, 1, "issue units a unit of face is worth to a fully face-sensitive aggressor leader"
    )
    back_channel: float = param(
        0.5, 0, 1, "availability of a discreet high-level channel: share of offers made in private"
    )
    offer_rate: float = param(
        0.25, 0, 1, "weekly chance a side probes with an offer at its own terms"
    )
    misperception: float = param(0.12, 0, 1, "sd of one side's reading of the other's terms")
    audience_cost: float = param(
        0.04, 0, 1, "support lost among hawks for a public offer that is rejected"
    )
    public_insult: float = param(
        0.05, 0, 1, "humiliation from a rejected public offer, per unit of x below 1/2"
    )
    ratification_threshold: float = param(
        0.5, 0, 1, "weighted domestic support a required state needs to ratify a deal"
    )
    ratify_demand: float = param(0.7, 0, 1, "share of the issue a fully hawkish public insists on")
    ratify_softness: float = param(0.08, 0.001, 1, "spread of a constituency's verdict on a deal")


class SanctionParams(Section):
    efficacy: float = param(
        0.002, 0, 0.05, "weekly economic loss (share of GDP) full sanctions inflict"
    )
    self_cost: float = param(0.001, 0, 0.05, "weekly loss of a sanctioner per unit of its exposure")
    aid_cost: float = param(0.0001, 0, 0.01, "weekly cost (share of GDP) of full military aid")
    reserves_buffer: float = param(
        3.0, 0, 20, "how much each unit of reserves divides sanction pain"
    )
    reserve_drain: float = param(1.0, 0, 20, "reserves spent per unit of sanction loss")
    burden_sharing: float = param(
        0.0, 0, 1, "share of sanction costs pooled across the coalition (policy lever)"
    )
    leakage: float = param(0.6, 0, 1, "share of sanction effect a fully trading neutral undoes")
    war_cost: float = param(0.0008, 0, 0.05, "weekly cost to the aggressor of full-scale fighting")
    readiness_cost: float = param(
        0.0003, 0, 0.05, "weekly cost to the aggressor of keeping forces ready (standoff cost)"
    )
    war_damage: float = param(0.006, 0, 0.1, "weekly damage to the target's economy from fighting")
    threat_damage: float = param(
        0.0005, 0, 0.05, "weekly damage to the target's economy from a standing threat"
    )
    aid_buffer: float = param(0.5, 0, 1, "share of the target's damage full coalition aid offsets")
    recovery: float = param(0.01, 0, 1, "weekly recovery of economic health toward 1")


class DisinformationParams(Section):
    intensity: float = param(0.3, 0, 1, "aggressor's weekly disinformation effort (policy lever)")
    focus: float = param(
        2.0, 0, 10, "how strongly effort concentrates on the most exposed audiences"
    )
    efficacy: float = param(0.02, 0, 1, "shift of a fully susceptible audience per unit of effort")
    decay: float = param(0.03, 0, 1, "weekly decay of the accumulated disinformation shift")
    counter: float = param(
        0.0, 0, 1, "coalition counter-disinformation (declassified intelligence), policy lever"
    )
    counter_efficacy: float = param(0.7, 0, 1, "share of disinformation full countering blunts")
    counter_cost: float = param(0.0001, 0, 0.01, "weekly cost (share of GDP) of full countering")
    wedge: float = param(0.02, 0, 1, "trust lost among partners per unit of effort aimed at them")


class MessagingParams(Section):
    transparency: float = param(
        0.7,
        0,
        1,
        "how far a message for one audience reaches all others (1 = no acoustic separation)",
    )
    gain: float = param(0.02, 0, 0.5, "support a tailored message wins in its audience per tick")


class CohesionParams(Section):
    trust_rate: float = param(0.1, 0, 1, "weekly adjustment rate of trust among partners")
    unevenness: float = param(1.0, 0, 10, "trust lost per unit of relative dispersion of pain")
    solidarity: float = param(0.3, 0, 5, "pull on a member toward its partners' commitment")
    effect_floor: float = param(0.3, 0, 1, "sanction effect left at zero cohesion (share)")
    defection_threshold: float = param(0.2, 0, 1, "commitment below which a member has defected")
    collapse_threshold: float = param(0.3, 0, 1, "cohesion below which the coalition is failing")
    collapse_ticks: int = param(4, 1, 52, "ticks of failing cohesion that make a collapse")


class DomesticParams(Section):
    support_rate: float = param(0.2, 0, 1, "weekly adjustment rate of support for policy")
    pain_scale: float = param(100.0, 0, 2000, "pain felt per unit of weekly loss (share of GDP)")
    casualty_pain: float = param(
        0.02, 0, 1, "weekly pain of full-scale fighting for both belligerents"
    )
    weariness_rate: float = param(0.03, 0, 1, "weekly rate at which war weariness tracks pain felt")
    rally: float = param(0.1, 0, 1, "hawkish shift of a public after an enemy threat")
    rally_decay: float = param(0.2, 0, 1, "weekly decay of a rally effect")
    fear: float = param(0.3, 0, 1, "dovish shift of a fully risk-averse public at the top rung")
    influence: float = param(0.1, 0, 1, "weekly pull toward like-minded constituencies abroad")
    elections: bool = param(True, None, None, "democracies hold their scheduled elections")
    election_noise: float = param(0.1, 0.001, 1, "spread of the vote around approval 1/2")
    unrest_threshold: float = param(0.35, 0, 1, "autocrat approval below which unrest can topple")
    unrest_rate: float = param(0.05, 0, 1, "weekly chance of a fall at zero approval")
    approval_weight: float = param(0.3, 0, 5, "weight a leader gives its approval in decisions")


class DecisionParams(Section):
    horizon: int = param(8, 1, 104, "ticks ahead a leader projects the consequences of an action")
    risk_weight: float = param(0.5, 0, 5, "weight of outcome spread, signed by risk preference")
    cost_weight: float = param(
        10.0, 0, 500, "issue units per unit of cumulative loss (share of GDP)"
    )
    loss_risk: float = param(
        0.5, 0, 1, "rise of risk acceptance when losing ground (prospect theory)"
    )
    face_weight: float = param(0.2, 0, 5, "issue units of face lost by backing down in public")
    stake: float = param(0.5, 0, 5, "value a coalition member puts on the target's cause")
    aims: float = param(
        0.4, 0, 1, "share of what it does not hold that a fully resolved belligerent fights for"
    )
    belief_rate: float = param(0.2, 0, 1, "weekly learning rate of beliefs from observed actions")
    temperature_scale: float = param(1.0, 0, 100, "multiplies every leader's choice temperature")


class Parameters(Section):
    """Every model parameter, grouped by mechanism family."""

    battlefield: BattlefieldParams = Field(default_factory=BattlefieldParams)
    escalation: EscalationParams = Field(default_factory=EscalationParams)
    humiliation: HumiliationParams = Field(default_factory=HumiliationParams)
    threats: ThreatParams = Field(default_factory=ThreatParams)
    bargaining: BargainingParams = Field(default_factory=BargainingParams)
    sanctions: SanctionParams = Field(default_factory=SanctionParams)
    disinformation: DisinformationParams = Field(default_factory=DisinformationParams)
    messaging: MessagingParams = Field(default_factory=MessagingParams)
    cohesion: CohesionParams = Field(default_factory=CohesionParams)
    domestic: DomesticParams = Field(default_factory=DomesticParams)
    decisions: DecisionParams = Field(default_factory=DecisionParams)


# --- the actors --------------------------------------------------------------------------------


class Role(StrEnum):
    AGGRESSOR = "aggressor"
    TARGET = "target"
    COALITION = "coalition"
    NEUTRAL = "neutral"


class Regime(StrEnum):
    DEMOCRACY = "democracy"
    AUTOCRACY = "autocracy"


class StateSpec(Section):
    name: str = Field(description="display name")
    role: Role
    military: float = Field(ge=0, le=100, description="military strength (aggressor's = 1 scale)")
    economy: float = Field(gt=0, le=100, description="GDP, trillion USD")
    reserves: float = Field(0.0, ge=0, le=5, description="reserves as a share of annual GDP")
    regime: Regime
    election_interval: int = Field(
        208, ge=1, le=10_000, description="ticks between elections (democracies)"
    )
    next_election: int = Field(
        104, ge=0, le=10_000, description="tick of the first election (democracies)"
    )
    exposure: dict[str, float] = Field(
        default_factory=dict, description="economic exposure (0..1) to each other state"
    )
    sanctions: float = Field(0.0, ge=0, le=1, description="initial sanction level on the aggressor")
    aid: float = Field(0.0, ge=0, le=1, description="initial share of aid capacity delivered")
    aid_capacity: float = Field(0.0, ge=0, le=10, description="military aid at full commitment")
    trade: float = Field(0.5, ge=0, le=1, description="neutrals: trade kept with the aggressor")
    guarantor: bool = Field(False, description="must ratify any deal (with aggressor and target)")

    @model_validator(mode="after")
    def _exposures_in_range(self) -> StateSpec:
        bad = {k: v for k, v in self.exposure.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"exposures must lie in [0, 1], got {bad}")
        return self


class LeaderSpec(Section):
    name: str = Field(description="display name")
    risk_preference: float = Field(
        ge=0, le=1, description="0 risk-averse, 0.5 neutral, 1 risk-acceptant"
    )
    loss_aversion: float = Field(2.25, ge=1, le=10, description="weight of losses over gains")
    resolve: float = Field(ge=0, le=1, description="commitment to the state's goal in the crisis")
    face_sensitivity: float = Field(ge=0, le=1, description="weight of humiliation and lost face")
    temperature: float = Field(
        0.05, ge=0, le=10, description="logit choice temperature (0 = best response)"
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


class CastInfo(Section):
    name: str
    description: str = ""


class Cast(Section):
    """A whole crisis: who is involved and how the mechanisms are tuned."""

    cast: CastInfo
    parameters: Parameters = Field(default_factory=Parameters)
    states: dict[str, StateSpec]
    leaders: dict[str, LeaderSpec]
    constituencies: dict[str, dict[str, ConstituencySpec]]

    @model_validator(mode="after")
    def _references(self) -> Cast:
        problems = []
        ids = set(self.states)
        roles = [s.role for s in self.states.values()]
        for role in (Role.AGGRESSOR, Role.TARGET):
            n = roles.count(role)
            if n != 1:
                problems.append(f"states: expected exactly one state with role = '{role}', got {n}")
        if Role.COALITION not in roles:
            problems.append("states: expected at least one state with role = 'coalition'")
        for sid, state in self.states.items():
            for other in state.exposure:
                if other == sid:
                    problems.append(
                        f"states.{sid}.exposure.{other}: a state has no exposure to itself"
                    )
                elif other not in ids:
                    problems.append(
                        f"states.{sid}.exposure.{other}: no state '{other}' in this cast"
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

    def state_ids(self, role: Role) -> list[str]:
        """The ids of the states with a role, in cast order."""
        return [sid for sid, s in self.states.items() if s.role is role]

    @model_validator(mode="after")
    def _within_size_bound(self) -> Cast:
        """A model too big for a run to finish in reasonable memory and time is an error."""
        counts = (c.count for groups in self.constituencies.values() for c in groups.values())
        problem = size_problem(len(self.states), counts)
        if problem:
            raise ValueError(problem)
        return self


# --- loading -----------------------------------------------------------------------------------


def _check_nesting(value: Any, source: str) -> None:
    problem = nesting_problem(value)
    if problem:
        raise InputError(f"{source}: {problem}")


def _location(loc: tuple) -> str:
    return ".".join(cut(str(p), 40) for p in loc) or "(document)"


def _describe(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "required field is missing"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "value_error":
        return msg
    return f"{msg[0].lower()}{msg[1:]}, got {shown(err['input'])}"


def validation_problems(source: str, exc: ValidationError) -> list[str]:
    """One line per pydantic error: file, dotted field path, what was expected."""
    lines = []
    for err in exc.errors():
        loc = _location(err["loc"])
        if err["type"] == "value_error" and "; " in err["msg"]:
            for part in err["msg"].removeprefix("Value error, ").split("; "):
                lines.append(f"{source}: {part}")
        elif err["type"] == "value_error" and loc == "(document)":
            lines.append(f"{source}: {_describe(err)}")
        else:
            lines.append(f"{source}: {loc}: {_describe(err)}")
    return lines


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
        raise InputError(validation_problems(source, exc)) from None


def load_cast(path: str | Path, overrides: dict[str, Any] | None = None) -> Cast:
    """Read, override and validate a cast file."""
    doc = read_toml(path)
    if "experiment" in doc and "states" not in doc:
        raise InputError(
            f"{path}: this is an experiment spec, not a cast: run it with `negsim sweep {path}`"
        )
    if overrides:
        doc = apply_overrides(doc, overrides)
    return build_cast(doc, str(path))


def canonical_path(path: str) -> str:
    """Full dotted path: parameter paths may leave out their ``parameters.`` prefix."""
    head = path.split(".", 1)[0]
    return f"parameters.{path}" if head in Parameters.model_fields else path


def schema_field(path: str) -> Any | None:
    """The pydantic FieldInfo behind a dotted cast path, or None when it names no field."""
    keys = path.split(".")
    model: type[BaseModel] | None
    if keys[0] == "parameters" and len(keys) == 3:
        section = Parameters.model_fields.get(keys[1])
        model = section.annotation if section else None
        return model.model_fields.get(keys[2]) if model else None
    tables = {"states": StateSpec, "leaders": LeaderSpec}
    if keys[0] in tables and len(keys) == 3:
        return tables[keys[0]].model_fields.get(keys[2])
    if keys[0] == "states" and len(keys) == 4 and keys[2] == "exposure":
        return Field(ge=0, le=1, description="economic exposure")
    if keys[0] == "constituencies" and len(keys) == 4:
        return ConstituencySpec.model_fields.get(keys[3])
    return None
