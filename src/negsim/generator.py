"""A generator of whole crises: casts drawn from stated distributions instead of written.

`generate_cast(seed)` returns an ordinary cast document (the dict a cast TOML file holds) for
one crisis: 2 to 12 states on two sides and neutrals, their capabilities, economies, reserves,
regimes and election calendars, exposures, instruments, leaders and constituencies, the policy
facts of the crisis (when talks open, a discreet channel, measures against the challenger's
leader, ...) and its tick length. It sets no mechanism parameter: those are the model's, the
same for every crisis. The same seed gives the same crisis on any machine.

Every distribution is in `DISTRIBUTIONS` with the source or rationale it rests on
(docs/VALIDATION.md, "The crisis generator", prints that table). State ids name their place:
``CH`` the challenger's principal, ``CP1``... its partners, ``DF`` the defender's principal,
``DP1``... its partners, ``NE1``... the neutrals, so ``leaders.CH.resolve`` means the same
thing in every generated crisis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from negsim.cast import Section

GENERATOR_VERSION = 1  # bump when a distribution changes: old generated results then differ

CHALLENGER, DEFENDER = "CH", "DF"
MAX_CHALLENGER_PARTNERS = 2
MAX_NEUTRALS = 2


class GeneratorSettings(Section):
    """The ``[generate]`` table of an experiment spec: an ensemble of generated crises."""

    min_states: int = Field(2, ge=2, le=12, description="fewest states in a crisis")
    max_states: int = Field(12, ge=2, le=12, description="most states in a crisis")
    runs_per_crisis: int = Field(
        1, ge=1, le=10_000, description="seeded runs of each crisis (replications per crisis)"
    )
    seed: int | None = Field(
        None, ge=0, description="seed of the crises (default: the experiment's seed)"
    )

    @model_validator(mode="after")
    def _order(self) -> GeneratorSettings:
        if self.min_states > self.max_states:
            raise ValueError(
                f"min_states ({self.min_states}) is above max_states ({self.max_states})"
            )
        return self


@dataclass(frozen=True)
class Distribution:
    """One drawn quantity: how it is drawn and why."""

    quantity: str
    law: str
    source: str


DISTRIBUTIONS = (
    Distribution(
        "defender's partners",
        "0 with p 0.4; else geometric on 1, 2, ... (mean 2), at most 9",
        "ICB: about half the crises have a single crisis actor; ATOP/COW alliances: most are "
        "bilateral, a few multilateral coalitions are large (NATO, the 1990 Gulf coalition)",
    ),
    Distribution(
        "challenger's partners",
        "0 with p 0.80, 1 with p 0.15, 2 with p 0.05",
        "few aggressors have active allies in the record (e.g. Italy in 1938, Belarus in 2022)",
    ),
    Distribution(
        "neutrals",
        "0, 1, 2 with p 0.4, 0.4, 0.2; each may mediate with p 0.5",
        "ICB: third parties mediate in roughly a third of crises (Wilkenfeld et al. 2003)",
    ),
    Distribution(
        "military strength",
        "challenger 1 (the reference); others lognormal, median 0.6 (defender) or 0.5 "
        "(partners, neutrals), sd of log 1.0",
        "COW CINC ratios between crisis adversaries span two orders of magnitude; initiators "
        "are more often the stronger (Bennett & Stam 2004)",
    ),
    Distribution(
        "economy (GDP, trillion USD)",
        "lognormal, median 0.3, sd of log 1.5",
        "Maddison GDP of crisis actors spans three orders of magnitude",
    ),
    Distribution(
        "reserves (share of annual GDP)",
        "Beta(2, 10), mean 0.17",
        "IMF reserves data: most states hold a few months of imports",
    ),
    Distribution(
        "regime",
        "democracy with p 0.35 (challenger), 0.45 (defender, neutrals), 0.6 (defender's partners)",
        "Polity: about 40% of crisis actors 1918-2017 were democracies; democracies rarely "
        "initiate against each other and ally more often with each other",
    ),
    Distribution(
        "nuclear arms",
        "p 0.15 (challenger), 0.1 (defender), 0.25 (partners), 0.1 (neutrals)",
        "nine nuclear states, over-represented among the great powers that join crises",
    ),
    Distribution(
        "election calendars (democracies)",
        "executive every 1,461 days (p 0.6) or 1,826; a separate legislative calendar with "
        "p 0.5 (every 730 or 1,461 days); next elections uniform within the term",
        "four- and five-year terms dominate; midterm legislative elections are common",
    ),
    Distribution(
        "economic exposure",
        "partner to challenger Beta(1.2, 5); defender to challenger Beta(2, 4); challenger to "
        "each other state Beta(1, 8); neutral to challenger Beta(1.5, 6)",
        "trade dependence is skewed: most partners are little exposed, a few heavily "
        "(e.g. gas dependence in 2022)",
    ),
    Distribution(
        "security exposure",
        "partner to challenger with p 0.3: Beta(1, 6)",
        "exposed garrisons, cities or bases are a minority of cases (Berlin, Kuwait's hosts)",
    ),
    Distribution(
        "instruments",
        "challenger: force, disinformation p 0.4; defender: force; its partners: sanctions "
        "p 0.8, aid p 0.6, force p 0.25, counter-messaging p 0.3; challenger's partners: aid "
        "p 0.6, force p 0.3; neutrals: mediation p 0.5",
        "HSE: sanctions accompany most coercive crises; arms aid and direct intervention "
        "by partners are less common",
    ),
    Distribution(
        "partners' commitments",
        "initial sanctions U(0, 0.6), aid U(0, 0.5), aid capacity U(0.02, 0.3), projected "
        "force U(0.2, 0.8) x military; the defender side's lead is a partner with p 0.5 "
        "(the one with the largest economy), then a guarantor with p 0.5",
        "assumption: commitments vary widely and start below their capacity",
    ),
    Distribution(
        "leaders",
        "risk preference Beta(2, 2); resolve Beta(3, 2) (principals) or Beta(2, 2); face "
        "sensitivity Beta(2, 2) (Beta(3, 2) for autocrats); loss aversion U(1.5, 3)",
        "prospect theory (loss aversion about 2.25, Tversky & Kahneman 1992); the rest is "
        "centred spread, an assumption",
    ),
    Distribution(
        "constituencies",
        "2-4 per state (hawks, doves, business, public), weights Dirichlet(2); stance Beta "
        "by group (hawks 8:2, doves 2:8, others 4:4), shifted hawkish for principals; the "
        "public as 10 agents with spread 0.1",
        "assumption: a hawkish and a dovish pole with a pain-sensitive middle (Putnam 1988)",
    ),
    Distribution(
        "tick length and horizon",
        "1 day (p 0.15), 3 days (p 0.25) or 7 days (p 0.6); horizon 365 days",
        "ICB durations: median about 81 days, interquartile range 22-178 per actor; few "
        "crises last beyond a year",
    ),
    Distribution(
        "postures at day 0",
        "challenger 0, 1, 2, 3 with p 0.2, 0.45, 0.2, 0.15; defender one rung below or at "
        "it; each within its reach",
        "ICB: about 30% of crises are triggered by violence, a minority by full-scale war",
    ),
    Distribution(
        "initial control",
        "0 with p 0.3, else Beta(1, 8)",
        "most challengers hold little of the contested ground when a crisis begins",
    ),
    Distribution(
        "policy facts",
        "talks open after 0, 7, 14, 30 or 60 days; a discreet channel U(0, 1) with p 0.5; "
        "face offered U(0, 1); personal sanctions and capitulation demands Beta(1, 3); "
        "disinformation capacity U(0, 0.6), counter-messaging U(0, 0.6); burden sharing "
        "Beta(1, 4)",
        "assumption: the policy levers of the sources, spread over their ranges",
    ),
)


def distributions_table() -> str:
    """`DISTRIBUTIONS` as a Markdown table (docs/VALIDATION.md embeds it)."""
    lines = ["| quantity | how it is drawn | source or rationale |", "| --- | --- | --- |"]
    lines += [f"| {d.quantity} | {d.law} | {d.source} |" for d in DISTRIBUTIONS]
    return "\n".join(lines)


def _round(value: float) -> float:
    return float(round(float(value), 3))


class _Draws:
    """The crisis's random draws, rounded so a written cast reads cleanly."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xCA57,)))

    def beta(self, a: float, b: float) -> float:
        return _round(self.rng.beta(a, b))

    def uniform(self, low: float, high: float) -> float:
        return _round(self.rng.uniform(low, high))

    def lognormal(self, median: float, sd: float, low: float, high: float) -> float:
        return _round(min(high, max(low, median * np.exp(sd * self.rng.standard_normal()))))

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def choice(self, values: list[Any], p: list[float]) -> Any:
        return values[int(self.rng.choice(len(values), p=p))]

    def integer(self, low: int, high: int) -> int:
        """Uniform on low..high, both included."""
        return int(self.rng.integers(low, high + 1))


GROUP_STANCE = {"hawks": (8, 2), "doves": (2, 8), "business": (4, 4), "public": (4, 4)}
GROUP_SETS = (("hawks", "doves"), ("hawks", "business", "public"), tuple(GROUP_STANCE))


def _counts(d: _Draws, settings: GeneratorSettings) -> tuple[int, int, int]:
    """Partners of the defender and of the challenger, and neutrals, within the size bounds."""
    defenders = 0 if d.chance(0.4) else min(9, int(d.rng.geometric(0.5)))
    challengers = d.choice([0, 1, 2], [0.8, 0.15, 0.05])
    neutrals = d.choice([0, 1, 2], [0.4, 0.4, 0.2])
    while 2 + defenders + challengers + neutrals > settings.max_states:
        if neutrals:
            neutrals -= 1
        elif challengers:
            challengers -= 1
        else:
            defenders -= 1
    defenders += max(0, settings.min_states - (2 + defenders + challengers + neutrals))
    return defenders, challengers, neutrals


def _regime(d: _Draws, p_democracy: float) -> dict[str, Any]:
    if not d.chance(p_democracy):
        return {"regime": "autocracy"}
    every = d.choice([1461, 1826], [0.6, 0.4])
    found: dict[str, Any] = {
        "regime": "democracy",
        "election_every_days": every,
        "next_election_day": d.integer(0, every - 1),
    }
    if d.chance(0.5):
        term = d.choice([730, 1461], [0.5, 0.5])
        found["legislature_every_days"] = term
        found["next_legislature_day"] = d.integer(0, term - 1)
    return found


def _state(
    d: _Draws, name: str, side: str, military: float, p_democracy: float, p_nuclear: float
) -> dict[str, Any]:
    return {
        "name": name,
        "side": side,
        "military": military,
        "economy": d.lognormal(0.3, 1.5, 0.001, 100.0),
        "reserves": d.beta(2, 10),
        "nuclear": d.chance(p_nuclear),
        **_regime(d, p_democracy),
    }


def _leader(d: _Draws, name: str, principal: bool, autocrat: bool) -> dict[str, Any]:
    return {
        "name": name,
        "risk_preference": d.beta(2, 2),
        "loss_aversion": d.uniform(1.5, 3.0),
        "resolve": d.beta(3, 2) if principal else d.beta(2, 2),
        "face_sensitivity": d.beta(3, 2) if autocrat else d.beta(2, 2),
    }


def _constituencies(d: _Draws, principal: bool) -> dict[str, dict[str, Any]]:
    groups = GROUP_SETS[d.integer(0, len(GROUP_SETS) - 1)]
    weights = d.rng.dirichlet([2.0] * len(groups))
    weights = np.maximum(weights, 0.02)
    weights = weights / weights.sum()
    shift = 0.1 if principal else 0.0
    found = {}
    for group, weight in zip(groups, weights, strict=True):
        a, b = GROUP_STANCE[group]
        entry = {
            "weight": _round(max(0.001, weight)),
            "stance": _round(min(1.0, d.rng.beta(a, b) + shift)),
            "risk_tolerance": d.beta(2, 2),
            "pain_sensitivity": d.beta(2, 2),
            "susceptibility": d.beta(2, 4),
            "support": d.beta(5, 3),
        }
        if group == "public":
            entry |= {"count": 10, "spread": 0.1}
        found[group] = entry
    return found


def _posture(d: _Draws, highest: int) -> tuple[int, int]:
    challenger = d.choice([0, 1, 2, 3], [0.2, 0.45, 0.2, 0.15])
    defender = max(0, challenger - d.integer(0, 1))
    return min(challenger, highest), defender


def generate_cast(seed: int, settings: GeneratorSettings | None = None) -> dict[str, Any]:
    """One generated crisis as a cast document (validate it with `negsim.cast.build_cast`)."""
    settings = settings or GeneratorSettings()
    d = _Draws(seed)
    n_def, n_chal, n_neut = _counts(d, settings)
    states: dict[str, dict[str, Any]] = {}
    leaders: dict[str, dict[str, Any]] = {}
    publics: dict[str, dict[str, dict[str, Any]]] = {}

    def add(sid: str, state: dict[str, Any], principal: bool, instruments: list[str]) -> None:
        state["instruments"] = instruments
        states[sid] = state
        autocrat = state["regime"] == "autocracy"
        leaders[sid] = _leader(d, f"Leader of {state['name']}", principal, autocrat)
        publics[sid] = _constituencies(d, principal)

    add(
        CHALLENGER,
        _state(d, "Challenger", "challenger", 1.0, 0.35, 0.15),
        True,
        ["force", "disinformation"] if d.chance(0.4) else ["force"],
    )
    add(
        DEFENDER,
        _state(d, "Defender", "defender", d.lognormal(0.6, 1.0, 0.01, 50.0), 0.45, 0.1),
        True,
        ["force"],
    )
    partners = []
    for k in range(1, n_def + 1):
        sid = f"DP{k}"
        state = _state(
            d, f"Defender's partner {k}", "defender", d.lognormal(0.5, 1.0, 0.01, 50.0), 0.6, 0.25
        )
        instruments = [
            name for name, p in (("sanctions", 0.8), ("aid", 0.6), ("force", 0.25)) if d.chance(p)
        ]
        if d.chance(0.3):
            instruments.append("counter_messaging")
        state["exposure"] = {CHALLENGER: d.beta(1.2, 5)}
        if d.chance(0.3):
            state["security_exposure"] = {CHALLENGER: d.beta(1, 6)}
        if "sanctions" in instruments:
            state["sanctions"] = d.uniform(0.0, 0.6)
        if "aid" in instruments:
            state["aid"] = d.uniform(0.0, 0.5)
            state["aid_capacity"] = d.uniform(0.02, 0.3)
        if "force" in instruments:
            state["force_projection"] = _round(state["military"] * d.uniform(0.2, 0.8))
        add(sid, state, False, instruments)
        partners.append(sid)
    for k in range(1, n_chal + 1):
        sid = f"CP{k}"
        state = _state(
            d,
            f"Challenger's partner {k}",
            "challenger",
            d.lognormal(0.5, 1.0, 0.01, 50.0),
            0.35,
            0.25,
        )
        instruments = [name for name, p in (("aid", 0.6), ("force", 0.3)) if d.chance(p)]
        if "aid" in instruments:
            state["aid"] = d.uniform(0.0, 0.5)
            state["aid_capacity"] = d.uniform(0.02, 0.3)
        if "force" in instruments:
            state["force_projection"] = _round(state["military"] * d.uniform(0.2, 0.8))
        add(sid, state, False, instruments)
    for k in range(1, n_neut + 1):
        sid = f"NE{k}"
        state = _state(d, f"Neutral {k}", "neutral", d.lognormal(0.5, 1.0, 0.01, 50.0), 0.45, 0.1)
        state["trade"] = d.uniform(0.2, 0.9)
        state["exposure"] = {CHALLENGER: d.beta(1.5, 6)}
        instruments = []
        if d.chance(0.5):
            instruments.append("mediation")
            state["mediation_bias"] = _round(min(1.0, max(-1.0, 0.3 * d.rng.standard_normal())))
            state["mediation_credibility"] = d.uniform(0.3, 0.9)
        add(sid, state, False, instruments)

    challenger = states[CHALLENGER]
    challenger["exposure"] = {sid: d.beta(1, 8) for sid in states if sid != CHALLENGER}
    states[DEFENDER]["exposure"] = {CHALLENGER: d.beta(2, 4)}
    states[DEFENDER]["face_capacity"] = d.uniform(0.0, 0.3)
    lead = DEFENDER
    if partners and d.chance(0.5):
        lead = max(partners, key=lambda sid: states[sid]["economy"])
        states[lead]["face_capacity"] = d.uniform(0.0, 0.5)
        states[lead]["guarantor"] = d.chance(0.5)
    highest = 4 if challenger["nuclear"] else 3
    chal_posture, def_posture = _posture(d, highest)
    def_posture = min(def_posture, 4 if states[DEFENDER]["nuclear"] else 3)
    tick_days = d.choice([1, 3, 7], [0.15, 0.25, 0.6])
    initial_control = 0.0 if d.chance(0.3) else d.beta(1, 8)
    parameters = {
        "bargaining": {
            "start_days": d.choice([0, 7, 14, 30, 60], [0.2] * 5),
            "back_channel": d.uniform(0.0, 1.0) if d.chance(0.5) else 0.0,
            "face_offer": d.uniform(0.0, 1.0),
        },
        "humiliation": {
            "personal_sanctions": d.beta(1, 3),
            "capitulation_demand": d.beta(1, 3),
        },
        "disinformation": {
            "capacity": d.uniform(0.0, 0.6),
            "counter_capacity": d.uniform(0.0, 0.6),
        },
        "sanctions": {"burden_sharing": d.beta(1, 4)},
    }
    sides = {
        "challenger": {"principal": CHALLENGER, "posture": chal_posture},
        "defender": {"principal": DEFENDER, "lead": lead, "posture": def_posture},
    }
    return {
        "cast": {
            "name": f"generated_{seed}",
            "description": (
                f"A generated crisis (generator version {GENERATOR_VERSION}, seed {seed}): "
                f"{len(states)} states, the defender's side {1 + len(partners)} strong"
            ),
            "tick_days": float(tick_days),
            "horizon_days": 365.0,
            "initial_control": initial_control,
        },
        "sides": sides,
        "parameters": parameters,
        "states": states,
        "leaders": leaders,
        "constituencies": publics,
    }


def crisis_seed(master: int, crisis: int) -> int:
    """The seed of crisis number ``crisis`` of an ensemble with master seed ``master``."""
    words = np.random.SeedSequence(master, spawn_key=(0x6E5, crisis)).generate_state(1, np.uint64)
    return int(words[0] >> np.uint64(1))


def possible_state_ids(settings: GeneratorSettings) -> list[str]:
    """Every state id a crisis of these settings may have (the runs table's cost columns)."""
    partners = settings.max_states - 2
    return [
        CHALLENGER,
        *(f"CP{k}" for k in range(1, min(MAX_CHALLENGER_PARTNERS, partners) + 1)),
        DEFENDER,
        *(f"DP{k}" for k in range(1, min(9, partners) + 1)),
        *(f"NE{k}" for k in range(1, min(MAX_NEUTRALS, partners) + 1)),
    ]


# --- writing a generated cast as TOML ----------------------------------------------------------


def toml_value(value: Any) -> str:
    """A value as TOML text (numbers, booleans, strings, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _table(lines: list[str], header: str, table: dict[str, Any]) -> None:
    lines.append(f"[{header}]")
    lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
    lines.append("")


def cast_toml(doc: dict[str, Any], header: str = "") -> str:
    """A generated cast document as TOML text (tables in the order of a hand-written cast)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    if lines:
        lines.append("")
    _table(lines, "cast", doc["cast"])
    for side, spec in doc["sides"].items():
        _table(lines, f"sides.{side}", spec)
    for section, table in doc["parameters"].items():
        _table(lines, f"parameters.{section}", table)
    for sid, state in doc["states"].items():
        _table(lines, f"states.{sid}", state)
    for sid, leader in doc["leaders"].items():
        _table(lines, f"leaders.{sid}", leader)
    for sid, groups in doc["constituencies"].items():
        for group, entry in groups.items():
            _table(lines, f"constituencies.{sid}.{group}", entry)
    return "\n".join(lines)
