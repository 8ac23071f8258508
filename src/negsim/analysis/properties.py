"""The properties the model must hold (docs/MODEL.md §4), measured on any cast, at the defaults or under a
candidate parameter set (`negsim properties`).

Each property compares arms of seeded runs of one cast: the same seeds in every arm, so an
effect is the mean of paired differences with its 95% interval (`paired_difference`), and a
property fails only when the arms are separated in the wrong direction (or, where the model
separates them, when they no longer are). The test suite asserts the same verdicts on the
dyad and the Ukraine cast (tests/test_properties.py); before a calibrated set is adopted,
`negsim properties --parameters results/<calibration>/calibrated.toml` says which it keeps.

Arms are written as overrides of the cast with ``{c}``, ``{d}`` and ``{p}`` standing for the
challenger's principal, the defender's principal and an exposed partner of the defender; a
`Scaled` value multiplies the cast's own value.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from negsim.analysis.stats import Estimate, paired_difference
from negsim.cast import (
    Parameters,
    _merged,
    apply_overrides,
    build_cast,
    calibrated_file,
    canonical_path,
    read_toml,
    validation_problems,
)
from negsim.clock import Clock
from negsim.errors import InputError
from negsim.model import DEFAULT_CAST

MEASURES = {  # measure -> what it is, for the table's legend
    "share": "the challenger's share of the issue at the end",
    "end_days": "the day the crisis ends",
    "cohesion": "the defenders' mean cohesion",
    "peak": "the highest rung reached",
    "nuclear": "the share of weeks at the nuclear-threat rung",
    "misperception": "the leads' mean misperception",
    "settled": "1 if the crisis ends in a settlement",
    "settled_at_once": "1 if it settles at the first chance talks give",
}


@dataclass(frozen=True)
class Scaled:
    """An arm's value: the cast's own value of the path times ``factor``."""

    factor: float


@dataclass(frozen=True)
class Effect:
    """A measure's change from the low arm to the high arm."""

    measure: str
    estimate: Estimate

    def __str__(self) -> str:
        e = self.estimate
        return (
            f"{self.measure}: {e.low:.3f} -> {e.high:.3f}, "
            f"{e.value:+.3f} [{e.lo:+.3f}, {e.hi:+.3f}]"
        )

    def higher(self) -> bool:
        """Clearly higher in the high arm (the interval above 0)."""
        return self.estimate.lo > 0.0

    def lower(self) -> bool:
        """Clearly lower in the high arm (the interval below 0)."""
        return self.estimate.hi < 0.0


Arm = dict[str, np.ndarray]  # measure -> its value in each seeded run


@dataclass(frozen=True)
class Contrast:
    """A property comparing two arms: ``holds`` judges the effects of every measure."""

    name: str  # the property, as docs/MODEL.md §4 words it
    change: str  # the change from the low arm to the high arm
    measures: tuple[str, ...]
    low: dict[str, Any]
    high: dict[str, Any]
    holds: Callable[[dict[str, Effect]], bool]
    expect: dict[str, int] = field(default_factory=dict)  # measure -> its direction (+1, -1)
    needs_partner: bool = False

    def arms(self) -> tuple[dict[str, Any], ...]:
        return (self.low, self.high)

    def judge(self, arms: list[Arm]) -> tuple[bool | None, bool, str]:
        """Whether it holds (None: the change moves no run on this cast, so the property
        says nothing here); whether it is broken (a measure separated against its expected
        direction, or, for a property without one, not holding); the effects."""
        low, high = arms
        effects = {m: Effect(m, paired_difference(high[m], low[m])) for m in self.measures}
        text = "; ".join(str(e) for e in effects.values())
        if all(np.array_equal(high[m], low[m]) for m in self.measures):
            return None, False, f"the change leaves every measure of every run as it was ({text})"
        holds = self.holds(effects)
        against = {1: Effect.lower, -1: Effect.higher}
        broken = any(against[d](effects[m]) for m, d in self.expect.items())
        broken = broken or (not holds and not self.expect)
        return holds, broken, text


@dataclass(frozen=True)
class Condition:
    """A property of one arm: ``holds`` judges the share of its runs settled at once."""

    name: str
    change: str
    overrides: dict[str, Any]
    holds: Callable[[float], bool]
    refutable: bool = False  # one run against it refutes it (else its seeds may miss it)

    def arms(self) -> tuple[dict[str, Any], ...]:
        return (self.overrides,)

    def judge(self, arms: list[Arm]) -> tuple[bool, bool, str]:
        """Whether it holds; whether it is broken (refuted by a run); the share settled at
        once."""
        share = float(arms[0]["settled_at_once"].mean())
        holds = self.holds(share)
        text = f"settled at the first chance in {share:.0%} of runs"
        return holds, not holds and self.refutable, text


Property = Contrast | Condition

COMPLETE = {  # complete information: no private types, no misjudged balance, no misperception
    "beliefs.type_spread": 0.0,
    "beliefs.military_uncertainty": 0.0,
    "beliefs.optimism": 0.0,
    "bargaining.misperception": 0.0,
}
ENFORCED = {"commitment.breach_scale": 0.0}  # no commitment problem
UNRATIFIED = {"ratification.enabled": False}  # no ratification constraint
CALM = {"humiliation.personal_sanctions": 0.0, "humiliation.capitulation_demand": 0.0}
LOUD = {"humiliation.personal_sanctions": 1.0, "humiliation.capitulation_demand": 1.0}

PROPERTIES: list[Property] = [
    Contrast(
        "a stronger challenger gets more",
        "challenger military x1.5",
        ("share", "end_days"),
        {},
        {"states.{c}.military": Scaled(1.5)},
        lambda e: e["share"].higher(),
        expect={"share": 1},
    ),
    Contrast(
        "a stronger defender gives less",
        "defender military x2",
        ("share", "end_days"),
        {},
        {"states.{d}.military": Scaled(2.0)},
        lambda e: e["share"].lower(),
        expect={"share": -1},
    ),
    Contrast(
        "a challenger with reserves gets no less and waits longer",
        "challenger reserves 0.05 -> 1",
        ("share", "end_days"),
        {"states.{c}.reserves": 0.05},
        {"states.{c}.reserves": 1.0},
        lambda e: not e["share"].lower() and e["end_days"].higher(),
        expect={"share": 1, "end_days": 1},
    ),
    Contrast(
        "exposure to the adversary lowers cohesion",
        "a partner's exposure 0.1 -> 0.9",
        ("cohesion",),
        {"states.{p}.exposure.{c}": 0.1},
        {"states.{p}.exposure.{c}": 0.9},
        lambda e: e["cohesion"].lower(),  # "not higher"; where the model separates, lower
        expect={"cohesion": -1},
        needs_partner=True,
    ),
    Contrast(
        "less disinformation raises cohesion",
        "disinformation 0.6 -> 0",
        ("cohesion",),
        {"disinformation.capacity": 0.6},
        {"disinformation.capacity": 0.0},
        lambda e: e["cohesion"].higher(),
        expect={"cohesion": 1},
        needs_partner=True,
    ),
    Contrast(
        "counter-messaging does not lower cohesion",
        "counter-messaging 0 -> 0.6",
        ("cohesion",),
        {"disinformation.counter_capacity": 0.0},
        {"disinformation.counter_capacity": 0.6},
        lambda e: not e["cohesion"].lower(),
        expect={"cohesion": 1},
        needs_partner=True,
    ),
    Contrast(
        "a risk-acceptant challenger escalates more",
        "challenger risk preference 0.2 -> 0.9",
        ("peak", "nuclear"),
        {"leaders.{c}.risk_preference": 0.2},
        {"leaders.{c}.risk_preference": 0.9},
        lambda e: (
            (e["peak"].higher() or e["nuclear"].higher())
            and not (e["peak"].lower() or e["nuclear"].lower())
        ),
        expect={"peak": 1, "nuclear": 1},
    ),
    Contrast(
        "a humiliated challenger does not escalate less",
        "personal sanctions and capitulation demands 0 -> 1",
        ("peak", "nuclear"),
        CALM,
        LOUD,
        lambda e: not (e["peak"].lower() or e["nuclear"].lower()),
        expect={"peak": 1, "nuclear": 1},
    ),
    Contrast(
        # "settlement not lower for that reason alone" (docs/MODEL.md §4): the channel's other
        # effect, the share of the escalation hazard it removes, is held off in both arms.
        # It is a mechanism of its own: leaders price nuclear threats at the lower hazard
        # and climb to them (docs/FINDINGS.md, H8), which can cost settlements.
        "a back channel cuts misperception and does not cut settlements",
        "back channel 0 -> 1 (its hazard cut off)",
        ("misperception", "settled"),
        {"bargaining.back_channel": 0.0, "escalation.back_channel_cut": 0.0},
        {"bargaining.back_channel": 1.0, "escalation.back_channel_cut": 0.0},
        lambda e: e["misperception"].lower() and not e["settled"].lower(),
        expect={"misperception": -1, "settled": 1},
    ),
    Contrast(
        "best response and the default temperature behave alike",
        "temperature 0 -> default",
        ("nuclear", "settled"),
        {"decisions.temperature": 0.0},
        {},
        # noise adds no escalation (not clearly more than 5 points of weeks at nuclear
        # threats) and no deals no one chose (settlements not clearly 20 points apart)
        lambda e: (
            e["nuclear"].estimate.lo < 0.05
            and e["settled"].estimate.lo < 0.2
            and e["settled"].estimate.hi > -0.2
        ),
    ),
    Condition(
        "without the causes of war every crisis settles at the first chance",
        "complete information, deals enforced, no ratification",
        {**COMPLETE, **ENFORCED, **UNRATIFIED},
        lambda share: share == 1.0,
        refutable=True,
    ),
    Condition(
        "private information alone makes fighting possible",
        "deals enforced, no ratification",
        {**ENFORCED, **UNRATIFIED},
        lambda share: share < 1.0,
    ),
    Condition(
        "ratification alone makes fighting possible",
        "complete information, deals enforced",
        {**COMPLETE, **ENFORCED},
        lambda share: share < 1.0,
    ),
    Condition(
        "a commitment problem alone makes fighting possible",
        "complete information, no ratification, breach scale 3",
        {**COMPLETE, **UNRATIFIED, "commitment.breach_scale": 3.0},
        lambda share: share < 1.0,
    ),
]
# The casts the properties must hold on (docs/MODEL.md §4): the dyad and Ukraine 2022.
SHIPPED = (Path(DEFAULT_CAST).with_name("dyad.toml"), Path(DEFAULT_CAST))
# The causes of war are isolated on a crisis of two principals and one partner, where nothing
# else (elections, a coalition's defections) stands between the sides: the dyad.
CONDITIONS_ON = "dyad"


@dataclass(frozen=True)
class Verdict:
    """A property's verdict on one cast."""

    cast: str
    name: str
    change: str
    holds: bool | None  # None: it does not apply to the cast
    broken: bool  # measured the wrong way (not merely unseparated)
    effects: str


@dataclass
class Check:
    """The verdicts of a `check`, with its cost."""

    verdicts: list[Verdict] = field(default_factory=list)
    runs: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> list[Verdict]:
        """The properties that do not hold (broken, or not shown by these seeds)."""
        return [v for v in self.verdicts if v.holds is False]

    @property
    def broken(self) -> list[Verdict]:
        """The properties measured the wrong way."""
        return [v for v in self.verdicts if v.broken]


def candidate_doc(doc: dict, parameters: dict[str, Any] | None) -> dict:
    """A cast document with a candidate parameter set as its calibrated defaults: the set's
    values for every parameter the cast leaves out, instead of the installed set's."""
    if parameters is None:
        return doc
    given = doc.get("parameters", {})
    cast = {**doc.get("cast", {}), "calibrated": False}
    return {**doc, "cast": cast, "parameters": _merged(parameters, given)}


def read_parameters(path: Path) -> dict[str, Any]:
    """The ``[parameters]`` tables of a calibrated parameter file (`negsim calibrate`
    writes one into its results folder)."""
    doc = read_toml(path)
    found = doc.get("parameters")
    if found is not None and not isinstance(found, dict):
        raise InputError(
            f"{path}: parameters: expected a table of parameter tables "
            f"([parameters.battlefield] ...), got {type(found).__name__}"
        )
    if not found:
        raise InputError(
            f"{path}: parameters: missing; expected a [parameters] table, as in the "
            "calibrated.toml a calibration writes"
        )
    try:
        Parameters.model_validate(found)
    except ValidationError as exc:
        raise InputError(
            validation_problems(str(path), exc, prefix="parameters.", model=Parameters)
        ) from None
    return found


def roles(doc: dict, source: str, partner: str | None = None) -> dict[str, str | None]:
    """``{c}``, ``{d}`` and ``{p}`` of a cast: its principals, and ``partner`` or else the
    defender's partner with the largest economy, whose standing weighs most in its coalition's
    cohesion (None if the defender has no partner).

    On Ukraine 2022 the exposure property holds for the United States (-0.22 of cohesion),
    Germany (-0.06) and all partners together (-0.04), but not for Hungary, the smallest and
    most exposed (+0.03 [+0.01, +0.05], 60 seeds): Russia's campaign aims at publics by their
    state's exposure (`disinformation.allocate_effort`), so an exposed small member draws it
    away from the members that carry the coalition; without disinformation the effect is nil.
    """
    cast = build_cast(doc, source)
    c, d = cast.sides.challenger.principal, cast.sides.defender.principal
    partners = [k for k, s in cast.states.items() if s.side == "defender" and k != d]
    if partner is not None and partner not in partners:
        raise InputError(
            f"{source}: --partner {partner}: not a partner of the defender side "
            f"(expected one of: {', '.join(partners) or 'none'})"
        )
    if partner is None and partners:  # the member that weighs most in cohesion
        partner = max(partners, key=lambda k: cast.states[k].economy)
    return {"c": c, "d": d, "p": partner}


def arm_overrides(doc: dict, overrides: dict[str, Any], who: dict[str, str | None]) -> dict:
    """An arm's overrides as canonical paths of the cast, `Scaled` values resolved."""
    found = {}
    for key, value in overrides.items():
        path = canonical_path(key.format(**who))
        if isinstance(value, Scaled):
            node: Any = doc
            for part in path.split("."):
                node = node[part]
            value = float(node) * value.factor
        found[path] = value
    return found


def applies(prop: Property, name: str, who: dict[str, str | None]) -> bool:
    """Whether a property can be measured on a cast."""
    if isinstance(prop, Condition):
        return name == CONDITIONS_ON
    return who["p"] is not None or not prop.needs_partner


def _first_chance(doc: dict, source: str) -> int:
    """The tick talks first open: a deal signed by then was signed at once."""
    cast = build_cast(doc, source)
    return max(1, Clock(cast.cast.tick_days).ticks(cast.parameters.bargaining.start_days))


def _measures(rows: list[dict], first: int) -> Arm:
    def column(key: str) -> np.ndarray:
        return np.array([float(r[key]) for r in rows])

    settled = np.array([r["outcome"] == "settlement" for r in rows], dtype=float)
    return {
        "share": column("challenger_share"),
        "end_days": column("end_days"),
        "cohesion": column("mean_cohesion"),
        "peak": column("peak_rung"),
        "nuclear": column("nuclear_threat_share"),
        "misperception": column("misperception"),
        "settled": settled,
        "settled_at_once": settled * (column("end_tick") <= first),
    }


def check(
    casts: list[Path],
    seeds: int = 60,
    parameters: dict[str, Any] | None = None,
    partner: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Check:
    """Every property that applies to each cast, over ``seeds`` paired seeds per arm, with
    ``parameters`` (a candidate set) in place of the installed calibrated defaults."""
    from negsim.experiment.executors import executor_for

    started = time.perf_counter()
    result = Check()
    executor = executor_for(workers, scheduler)
    try:
        for path in casts:
            doc = candidate_doc(read_toml(path), parameters)
            name = build_cast(doc, str(path)).cast.name
            who = roles(doc, str(path), partner)
            props = [p for p in PROPERTIES if applies(p, name, who)]
            arms = [a for p in props for a in p.arms()]
            measured = iter(measure_arms(path, arms, seeds, parameters, partner, executor))
            for prop in PROPERTIES:
                if prop in props:
                    holds, broken, text = prop.judge([next(measured) for _ in prop.arms()])
                elif isinstance(prop, Contrast):
                    holds, broken, text = None, False, "needs a partner of the defender"
                else:
                    holds, broken, text = None, False, f"checked on the {CONDITIONS_ON}"
                verdict = Verdict(name, prop.name, prop.change, holds, broken, text)
                result.verdicts.append(verdict)
            result.runs += len({_arm_key(a) for a in arms}) * seeds
    finally:
        executor.close()
    result.seconds = time.perf_counter() - started
    return result


def measure_arms(
    path: Path,
    arms: list[dict[str, Any]],
    seeds: int,
    parameters: dict[str, Any] | None = None,
    partner: str | None = None,
    executor: Any = None,
) -> list[Arm]:
    """The measures of each arm (overrides as in `PROPERTIES`) of a cast over seeds
    0 .. seeds-1; an arm given twice runs once."""
    from negsim.experiment.executors import executor_for
    from negsim.experiment.tasks import Chunk, RunSpec

    doc = candidate_doc(read_toml(path), parameters)
    who = roles(doc, str(path), partner)
    keys, unique = [], {}
    for arm in arms:
        overrides = arm_overrides(doc, arm, who)
        keys.append(_arm_key(overrides))
        unique.setdefault(keys[-1], overrides)
    chunks, firsts = [], {}
    for a, (key, overrides) in enumerate(unique.items()):
        cast_doc = apply_overrides(doc, overrides)
        firsts[key] = _first_chance(cast_doc, str(path))
        for start in range(0, seeds, 10):
            runs = [RunSpec(a * seeds + s, a, s, s) for s in range(start, min(seeds, start + 10))]
            chunks.append(
                Chunk(_doc_key(cast_doc), cast_doc, str(path), None, False, {a: {}}, runs)
            )
    owned = executor is None
    executor = executor_for(None, None) if owned else executor
    rows: dict[int, dict] = {}
    try:
        for done in executor.map_chunks(chunks):
            for row in done.rows:
                if row["status"] != "ok":
                    raise RuntimeError(f"{path}: a property run failed: {row['error']}")
                rows[row["run_id"]] = row
    finally:
        if owned:
            executor.close()
    measured = {
        key: _measures([rows[a * seeds + s] for s in range(seeds)], firsts[key])
        for a, key in enumerate(unique)
    }
    return [measured[key] for key in keys]


def _doc_key(doc: dict) -> str:
    """A cast document's hash: workers cache the casts they build by it."""
    text = json.dumps(doc, sort_keys=True, default=str)
    return "properties:" + hashlib.sha256(text.encode()).hexdigest()


def _arm_key(overrides: dict[str, Any]) -> str:
    return json.dumps(overrides, sort_keys=True, default=repr)


def format_check(result: Check, source: str) -> str:
    """The verdicts as a Markdown table, with the cost of the check."""
    lines = [
        f"Properties of docs/MODEL.md §4, {source}: paired differences (high arm - low arm) "
        "with 95% intervals.",
        "",
        "| cast | property | change | holds | effects |",
        "| --- | --- | --- | --- | --- |",
    ]
    for v in result.verdicts:
        mark = (
            "-" if v.holds is None else "yes" if v.holds else "**no**" if v.broken else "not shown"
        )
        lines.append(f"| {v.cast} | {v.name} | {v.change} | {mark} | {v.effects} |")
    held = sum(v.holds is True for v in result.verdicts)
    judged = sum(v.holds is not None for v in result.verdicts)
    lines += [
        "",
        f"{held} of {judged} properties hold, {len(result.broken)} measured the wrong way "
        f"({result.runs} runs in {result.seconds:.0f} s). Not shown: the arms are not "
        "separated with these seeds (more seeds may separate them). A property marked - "
        "does not apply: the cast cannot test it (no partner, a condition checked on the "
        "dyad) or the change leaves every measure of every run as it was.",
    ]
    return "\n".join(lines)


def installed_source() -> str:
    """What the casts' calibrated defaults are now: the installed set, or the schema's."""
    provenance = calibrated_file().get("calibration", {})
    if provenance:
        return f"with the installed calibrated set (version {provenance.get('version')})"
    return "at the schema's defaults"
