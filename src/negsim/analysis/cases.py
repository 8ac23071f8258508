"""Historical cases: the shipped historical casts against what happened (docs/CASES.md).

A cast with a ``[cast.history]`` table records how its crisis really ended. For each such cast
in ``agents/``, `write_cases` writes an experiment spec ``experiments/cases/<cast>.toml`` (one
point, nothing varied, N seeded runs at the model's defaults), runs it with the project's
runner (resumable, into ``results/cases_<cast>/``), and writes one page: the real outcome and
duration beside the model's outcome distribution, with Wilson 95% intervals, and a paragraph
on the mechanisms behind each result (`PARAGRAPHS`, below: edit them there).

The casts set no mechanism parameter, so the model is the same for every case; a miss is a
finding about the model (or the cast's data), never something to tune away.

Under a `Candidate` parameter set (``negsim cases --parameters FILE``, e.g. a calibration's
``calibrated.toml``) the same cases run with the set's values instead of the defaults, as
`negsim properties --parameters` checks the properties under one: a set is judged on cases it
was not fitted to. Its specs, results and page go apart from the shipped ones.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from negsim.analysis.stats import wilson
from negsim.cast import Cast, RungId, Side, load_cast, read_toml
from negsim.errors import InputError
from negsim.files import write_text
from negsim.outcomes import Outcome

SEED = 1  # master seed of every case's runs
RUNS = 1000  # seeded runs per cast by default

# What drives each case's result, in the model's terms: one paragraph per cast, keyed by the
# cast's name. The page prints it under the case's numbers; keep it about mechanisms (they
# outlive the numbers when the model changes) and say where the model misses and why.
PARAGRAPHS: dict[str, str] = {
    "berlin_1961": """
        The right substance in the wrong form. Nothing of the issue is in Soviet hands at day
        0 and none can be taken without fighting, and the United States is the stronger by
        CINC, so fighting can bring the Soviet Union nothing; both sides climb to limited force
        within days (to full war in a quarter of the runs), but within about a month nearly
        every run ends in a deal at x = 0, without face: the status quo ante, which the
        Soviet leader accepts because it costs him less than fighting on and less face than
        quitting (M3, M4). In substance that is the real ending (West Berlin unchanged,
        Khrushchev's deadline dropped); in form it is a formal agreement where history had a
        unilateral retreat and a tacit understanding, which the model cannot write: a crisis
        ends only by a deal, a quit, a conquest or the horizon. Missing besides: unilateral acts
        that change the status quo without fighting (the Wall), and the nuclear balance (CINC
        counts no warheads; the Gilpatric speech made US superiority public).
    """,
    "gulf_1990": """
        Iraq holds all of Kuwait from day 0 and values it with loss aversion (M10), so its
        leader and publics demand nearly the whole issue while Kuwait's demand restoration:
        the win-sets never overlap and, as in 1990, no deal is struck (70 offers rejected in
        the average run). Sanctions shared by the coalition keep it together but do not compel
        a withdrawal. The coalition goes to war within weeks, not after five months, because
        partners' force projection is there from day 0, and it drives Iraq back from all of
        Kuwait to about a third of it by the horizon (median control 0.36), but not out:
        control moves at most `battlefield.speed` a week in proportion to the force balance, so
        expulsion (control down to `battlefield.rollback`) would take well over a year, where
        the real campaign took six weeks. Every run is a stalemate that is a war still being
        won at the horizon. Missing: a battlefield whose pace depends on the kind of war and
        the quality of forces (a short war of manoeuvre against a static army), not one linear
        drift.
    """,
    "iran_2013": """
        The right outcome, by the wrong road and on the wrong terms. The United States, nine
        times Iran's strength by CINC, finds war cheap (a posture costs a share of the
        fighter's GDP, and leaders weigh casualties only through their publics), so in almost
        every run the defender climbs to full war and drives Iran's programme (control) from
        0.6 to near nothing; deals follow that war, at x near 0 (the real JCPOA left Iran about
        0.45), and in a fifth of the runs Tehran gives up under the attack (withdrawal). Iran's
        publics, weighted to the hardliners, demand more than the ground Iran holds (loss
        aversion over held ground), so deals before the war fail ratification (8 failures in
        the average run); the Oman channel and Oman's mediation lower misperception but cannot
        create an overlap. Missing: the costs of war beyond GDP for a strong defender
        (retaliation, the oil shock, a regional war) and the limits of strikes on a dispersed
        programme; a change of government in an autocracy under economic pain (Rouhani's
        election opened the talks); interim deals (the JPOA froze the programme for twenty
        months).
    """,
    "kosovo_1999": """
        Belgrade holds most of Kosovo at day 0 and values it with loss aversion; NATO's air war
        (its members' force projection) drives control down from 0.75 to about a third by the
        horizon, and offers converge as Belgrade loses ground, yet only 2 runs in 1,000 settle,
        in the last weeks and at x of about 0.1, once Belgrade has lost most of the ground: the
        Kosovo Albanians, whose principal must ratify, expect the war to win them more, and
        Belgrade's leader concedes held ground only at a price the other side's leader refuses
        (51 offers rejected in the average run, 26 of them carried by the mediators; offered at
        the terms nearest the win-sets, fewer than one a run fails ratification).
        Three things the model lacks explain the miss. Punishment of the challenger's homeland:
        the war's damage falls on the defender's ground and the challenger's economy takes only
        `sanctions.strike_damage`, so the bombing of Serbia's grid and bridges, which made
        Milosevic settle (Hosmer 2001), barely registers. A lead that decides for its side: in
        June 1999 NATO, not the Kosovo Albanians, accepted the terms. And the personal measures
        against Milosevic (the ICTY indictment) humiliate him, which in the model makes him
        bolder, not readier to settle.
    """,
    "munich_1938": """
        The right outcome in almost half the runs, on the wrong terms. Germany holds nothing of
        the Sudeten areas at day 0 and is only somewhat stronger than Czechoslovakia's
        mobilised army behind its fortifications, so fighting can bring it little; its
        risk-acceptant leader and hawkish party climb to limited force at once and usually to
        full war (68% of runs). Deals come within weeks (median 25 days), often through
        Mussolini's mediation (28% of deals) and with face for Germany in public and in private
        (M15), but at x near 0: Prague's publics must ratify, and they demand the ground they
        hold, so what was conceded at Munich (x about 0.9) never passes; the other runs fight
        on to the horizon. The missing mechanism is the one that made Munich: the lead of the
        defender side valuing the deal by its own stakes (Britain's fear of a general war, with
        no treaty to honour) and coercing its own principal (the Anglo-French ultimatum of 21
        September). In the model the lead proposes terms valued by its principal's prospects and
        cannot threaten its own principal.
    """,
}


# What the cases say about the model as a whole (edit it with the paragraphs).
OVERVIEW = """
    Two of the five crises end in the model as they ended in history (Iran and Munich
    settle), one ends in the right substance but the wrong form (Berlin: a deal restoring the
    status quo instead of a unilateral Soviet retreat), and two miss (the Gulf and Kosovo end
    in stalemates still fought at the horizon; Kosovo settles in 2 runs of 1,000). Three
    patterns run through them. First, the model's crises go to war: in four of the five most runs reach full-scale war, although
    only the Gulf crisis was a war and Kosovo an air campaign; climbing is cheap when little
    ground is at stake or the climber is much the stronger, and hawkish publics and expected
    coercion reward it. Second, deals give the challenger almost nothing (x near 0 in all three
    cases that settle, where Munich gave about 0.9 and Iran about 0.45): every required state's
    publics ratify, the target's included, and they demand what they hold; the crises that
    settled in history were settled for a side by someone else (Britain took Munich's terms for
    Prague, NATO the mediators' terms for the Kosovo Albanians), which the model cannot write.
    Third, the battlefield moves at one linear pace, so a decisive war (the Gulf's six weeks)
    takes longer than the horizon. The same shortfalls appear across 2,000 generated crises
    (docs/VALIDATION.md). The pace is one parameter, and it turns two misses into hits and two
    hits into near-misses. Under experiments/parameters/fast_battlefield.toml
    (`battlefield.speed` 0.08 instead of 0.02, the lower edge of the 90% intervals of the
    calibrations against the record; `negsim cases --parameters` writes its page apart) the
    Gulf ends in Iraq's withdrawal (86%) and Kosovo in a settlement (98%, a median of 98 days
    against 110), so the real outcome is seen in four of the five cases, but in neither for
    the reason it had. Saddam quits within three weeks on foreseeing the war (control still
    0.88), where Iraq was expelled after six weeks of war; Belgrade settles after losing the
    ground (control 0.75 to 0.08), where NATO fought an air war. Iran then ends in a
    withdrawal under the faster American war (91%, settlement 9%), and Munich in a stalemate
    (85%, settlement 16%) as Germany's faster war breaks the coalition in every run. The pace
    decides whether a crisis is decided by war or fought to the horizon; the mechanisms the
    cases lack (a pace set by the kind of war, a side settled for by someone else) are not
    one number.
"""


@dataclass(frozen=True)
class Case:
    """A historical cast: its file and its validated content (with a history)."""

    path: Path
    cast: Cast

    @property
    def name(self) -> str:
        """The cast's name (``[cast] name``)."""
        return self.cast.cast.name

    @property
    def title(self) -> str:
        """A short title: the description up to its first colon, else the name."""
        description = self.cast.cast.description
        return description.split(":")[0].strip() if ":" in description else self.name

    def experiment(self, tag: str | None = None) -> str:
        """The name of its experiment (and results folder); ``tag`` names a table kept apart
        from the standard one (`apart_tag`)."""
        return f"cases_{self.path.stem}_{tag}" if tag else f"cases_{self.path.stem}"


def apart_tag(candidate: Candidate | None, runs: int) -> str | None:
    """The name under which a table other than docs/CASES.md's keeps its specs, results and
    page apart: a candidate set's `Candidate.tag` and/or ``runs<N>`` for another number of
    runs; None for the standard table (the defaults, `RUNS` runs a case)."""
    parts = [candidate.tag] if candidate is not None else []
    if runs != RUNS:
        parts.append(f"runs{runs}")
    return "-".join(parts) or None


def dotted(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested table's values by dotted path (``{"battlefield": {"speed": 0.1}}`` ->
    ``{"battlefield.speed": 0.1}``)."""
    found: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            found.update(dotted(value, f"{path}."))
        else:
            found[path] = value
    return found


def cast_parameters(path: Path) -> dict[str, Any]:
    """The parameters a cast file sets itself, by dotted path, as written in it."""
    return dotted(read_toml(path).get("parameters", {}))


@dataclass(frozen=True)
class Candidate:
    """A parameter set the cases run under instead of the defaults (``--parameters FILE``).

    As a calibrated set does, it replaces the defaults only: a parameter a cast sets itself (a
    policy fact of its case) keeps the cast's value.
    """

    path: Path
    parameters: dict[str, Any]  # the file's [parameters] tables, validated

    @property
    def values(self) -> dict[str, Any]:
        """The set's values by dotted parameter path."""
        return dotted(self.parameters)

    @property
    def tag(self) -> str:
        """A name for its results: the file's stem and a hash of its values."""
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", self.path.stem).strip("-") or "set"
        digest = hashlib.sha256(json.dumps(self.values, sort_keys=True).encode()).hexdigest()
        return f"{stem}-{digest[:6]}"

    def fixed(self, case: Case) -> dict[str, Any]:
        """The set's values a case's experiment fixes: all but those its cast sets itself."""
        given = cast_parameters(case.path)
        return {k: v for k, v in self.values.items() if k not in given}


@dataclass
class CaseResult:
    """A case and its finished runs."""

    case: Case
    runs: pd.DataFrame  # the runs that ended well (status ok)
    failed: int
    compute_seconds: float = 0.0  # the sessions of its sweep that ran something
    workers: tuple[int, ...] = ()  # the workers of those sessions


def compute_time(manifest: dict) -> tuple[float, tuple[int, ...]]:
    """Seconds the sweep's sessions that ran something took, and their numbers of workers."""
    seconds, workers = 0.0, set()
    for session in manifest.get("sessions", []):
        if not session.get("ran") or not session.get("finished"):
            continue
        start = datetime.fromisoformat(session["started"])
        seconds += (datetime.fromisoformat(session["finished"]) - start).total_seconds()
        workers.add(int(session.get("workers", 1)))
    return seconds, tuple(sorted(workers))


@dataclass
class CasesReport:
    """What `write_cases` did."""

    path: Path
    results: list[CaseResult]
    seconds: float
    ran: int
    planned: int
    candidate: Candidate | None = None  # the parameter set the cases ran under, if not defaults
    tag: str | None = None  # the name of a table kept apart from docs/CASES.md (`apart_tag`)

    @property
    def compute_seconds(self) -> float:
        """Seconds every case's sweep sessions took to compute its runs."""
        return sum(r.compute_seconds for r in self.results)


def historical_casts(agents: Path) -> list[Case]:
    """The casts in ``agents`` with a ``[cast.history]`` table, in file-name order.

    Raises:
        InputError: a cast does not validate, or none has a history.
    """
    cases = []
    for path in sorted(Path(agents).glob("*.toml")):
        cast = load_cast(path)
        if cast.cast.history is not None:
            cases.append(Case(path, cast))
    if not cases:
        raise InputError(f"{agents}: no cast with a [cast.history] table")
    return cases


def spec_text(
    case: Case, spec_dir: Path, runs: int, seed: int = SEED, candidate: Candidate | None = None
) -> str:
    """The experiment spec of a case: its cast as it is (under ``candidate``'s values if
    given), ``runs`` seeded runs."""
    from negsim.generator import toml_value

    cast = Path(os.path.relpath(case.path.resolve(), spec_dir.resolve())).as_posix()
    description = case.cast.cast.description or case.name
    name = case.experiment(apart_tag(candidate, runs))
    if candidate is None:
        written = "`negsim cases`" if runs == RUNS else f"`negsim cases --runs {runs}`"
        header = [
            f"# Written by {written}: the historical cast {case.path.name} as it is (no",
            "# parameter set or varied), compared with what happened in docs/CASES.md. Run it",
            f"# alone with `negsim sweep` on this file; results go to results/{name}/.",
        ]
    else:
        header = [
            f"# Written by `negsim cases --parameters {candidate.path.name}`: the historical cast",
            f"# {case.path.name} under that candidate parameter set (its values the cast does not",
            "# set itself, fixed below). Run it alone with `negsim sweep` on this file; results",
            f"# go to results/{name}/.",
        ]
    lines = [
        *header,
        "",
        "[experiment]",
        f'name = "{name}"',
        f"description = {_toml_string(description)}",
        f'cast = "{cast}"',
        'sampler = "grid"',
        f"replications = {runs}",
        f"seed = {seed}",
        "",
    ]
    if candidate is not None:
        fixed = candidate.fixed(case)
        lines += ["[fixed]", *(f'"{k}" = {toml_value(v)}' for k, v in fixed.items()), ""]
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_spec(case: Case, spec_dir: Path, runs: int, candidate: Candidate | None = None) -> Path:
    """Write (or keep, if unchanged) the case's experiment spec; return its path."""
    path = spec_dir / f"{case.path.stem}.toml"
    text = spec_text(case, spec_dir, runs, candidate=candidate)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_text(path, text)
    return path


# --- statistics of one case --------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """An outcome's share of a case's runs, with its Wilson 95% interval."""

    outcome: str
    count: int
    n: int
    lo: float
    hi: float
    median_days: float
    median_x: float

    @property
    def share(self) -> float:
        """count / n."""
        return self.count / self.n if self.n else math.nan


def shares(runs: pd.DataFrame) -> list[Share]:
    """Every outcome seen, most frequent first: share, interval, median days and deal x."""
    n = len(runs)
    found = []
    for outcome in [o.value for o in Outcome]:
        hit = runs[runs["outcome"] == outcome]
        if hit.empty:
            continue
        lo, hi = wilson(len(hit), n)
        x = hit["deal_x"].dropna().astype(float)
        found.append(
            Share(
                outcome,
                len(hit),
                n,
                lo,
                hi,
                float(hit["end_days"].astype(float).median()),
                float(x.median()) if len(x) else math.nan,
            )
        )
    return sorted(found, key=lambda s: -s.count)


def matching(runs: pd.DataFrame, outcome: str) -> Share:
    """The share of runs ending as the crisis really did (zero runs is a share too)."""
    hit = runs[runs["outcome"] == outcome]
    lo, hi = wilson(len(hit), len(runs))
    x = hit["deal_x"].dropna().astype(float)
    days = hit["end_days"].astype(float)
    return Share(
        outcome,
        len(hit),
        len(runs),
        lo,
        hi,
        float(days.median()) if len(days) else math.nan,
        float(x.median()) if len(x) else math.nan,
    )


def _label(outcome: str) -> str:
    return outcome.replace("_", " ")


def _pct(share: Share) -> str:
    return f"{share.share * 100:.1f} [{share.lo * 100:.1f}, {share.hi * 100:.1f}]"


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%" if share < 0.01 else f"{share * 100:.0f}%"


def _num(value: float, digits: int = 0) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


# --- the page ----------------------------------------------------------------------------------


def summary_rows(results: list[CaseResult]) -> list[list[str]]:
    """One row per case: what happened beside what the model gives."""
    rows = []
    for r in results:
        history = r.case.cast.cast.history
        real_x = "-" if history.deal_x is None else f"{history.deal_x:.2f}"
        model_x = r.runs["deal_x"].dropna().astype(float)
        model_x = _num(float(model_x.median()), 2) if len(model_x) else "-"
        rows.append(
            [
                r.case.title,
                f"{_label(history.outcome)}, {history.days} days",
                "; ".join(f"{_label(s.outcome)} {_pct(s)}" for s in shares(r.runs)),
                _num(float(r.runs["end_days"].astype(float).median())),
                _pct(matching(r.runs, history.outcome)),
                f"{real_x} / {model_x}",
                _percent(float((r.runs["peak_rung"].astype(int) >= RungId.FULL_WAR).mean())),
            ]
        )
    return rows


SUMMARY_HEAD = [
    "case",
    "what happened",
    "model: outcome shares, % [95% CI]",
    "model: median days",
    "runs ending as it did, % [95% CI]",
    "deal x: real / model median",
    "runs reaching full war",
]


def _markdown_table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _policy_facts(path: Path) -> str:
    """The parameters a cast sets (policy facts of its case), as written in its file."""
    facts = [f"`{key}` = {value}" for key, value in cast_parameters(path).items()]
    return ", ".join(facts) if facts else "none"


def _diagnostics(runs: pd.DataFrame, cast: Cast) -> str:
    """How the runs got there: the highest rung reached, where control ended, coalitions."""
    n = len(runs)
    peaks = runs["peak_rung"].astype(int).value_counts()
    rungs = ", ".join(
        f"{RungId(r).label} {_percent(peaks.get(int(r), 0) / n)}"
        for r in RungId
        if peaks.get(int(r), 0)
    )
    control = runs["final_control"].astype(float)
    collapsed = runs["coalition_collapsed"].astype(bool).mean() * 100
    return (
        f"Highest rung reached: {rungs}. Control (the challenger's share of the contested "
        f"ground) starts at {cast.cast.initial_control:.2f} and ends at a median of "
        f"{control.median():.2f} (interquartile range {control.quantile(0.25):.2f}-"
        f"{control.quantile(0.75):.2f}). The defenders' coalition collapsed in "
        f"{collapsed:.0f}% of runs."
    )


def _who(cast: Cast, sid: str) -> str:
    return f"{cast.states[sid].name} ({sid})"


def case_section(result: CaseResult, explain: bool = True) -> str:
    """The Markdown section of one case (with its `PARAGRAPHS` entry if ``explain``)."""
    case = result.case
    cast = case.cast
    info = cast.cast
    history = info.history
    defender = cast.sides.defender
    lead = cast.lead(Side.DEFENDER)
    led = f", led by {_who(cast, lead)}" if lead != defender.principal else ""
    deal = "" if history.deal_x is None else f", deal x = {history.deal_x:.2f}"
    lines = [
        f"## {info.description or case.name}",
        "",
        f"Cast `{case.path.name}` ({case.name}): challenger "
        f"{_who(cast, cast.sides.challenger.principal)}, defender "
        f"{_who(cast, defender.principal)}{led}; {len(cast.states)} states; a tick is "
        f"{info.tick_days:g} day{'' if info.tick_days == 1 else 's'}, the horizon "
        f"{info.horizon_days:g} days.",
        "",
        f"**What happened.** {history.summary} In the model's terms: "
        f"{_label(history.outcome)} after {history.days} days ({history.began} to "
        f"{history.ended}{deal}). Source: {history.source}.",
        "",
        f"**Policy facts the cast sets.** {_policy_facts(case.path)}.",
        "",
    ]
    rows = [
        [_label(s.outcome), str(s.count), _pct(s), _num(s.median_days), _num(s.median_x, 2)]
        for s in shares(result.runs)
    ]
    head = ["outcome", "runs", "share, % [95% CI]", "median days", "median deal x"]
    lines += _markdown_table(head, rows)
    failed = f" {result.failed} runs failed and are left out." if result.failed else ""
    lines += ["", f"**How the runs got there.** {_diagnostics(result.runs, case.cast)}{failed}"]
    if not explain:
        return "\n".join([*lines, ""])
    paragraph = PARAGRAPHS.get(case.name)
    if paragraph is None:
        paragraph = (
            f"(No paragraph yet: add one for `{case.name}` to `PARAGRAPHS` in "
            "`src/negsim/analysis/cases.py`.)"
        )
    lines += ["", f"**Mechanisms.** {' '.join(paragraph.split())}", ""]
    return "\n".join(lines)


def _cost(report: CasesReport) -> str:
    """What the table's runs cost, and what regenerating the page computed."""
    return (
        f"The {report.planned:,} runs took {report.compute_seconds:.0f} s to compute "
        f"({_workers(report.results)}); this page was regenerated in {report.seconds:.0f} s, "
        f"computing {report.ran:,} of them."
    )


def _workers(results: list[CaseResult]) -> str:
    counts = sorted({w for r in results for w in r.workers})
    if not counts:
        return "no session recorded"
    shown = " or ".join(str(w) for w in counts)
    return f"on {shown} worker{'s' if counts != [1] else ''}"


def render_page(report: CasesReport, runs: int) -> str:
    """The whole page (docs/CASES.md, or the page of a table kept apart)."""
    if report.tag is not None:
        return _apart_page(report, runs)
    lines = [
        "# Historical cases: the model against five crises",
        "",
        "Written by `negsim cases` from every cast in `agents/` with a `[cast.history]` table; "
        "rerun it to regenerate (finished runs are reused from `results/cases_<cast>/`; after "
        "a change to the model, add `--force`). Each cast is one experiment, "
        "`experiments/cases/<cast>.toml`: nothing varied, "
        f"{runs:,} seeded runs (master seed {SEED}).",
        "",
        "**The model's parameters are the same for all casts.** Every mechanism parameter "
        "(efficacies, hazards, weights, temperatures; `negsim params`) is at its default. A "
        "cast describes the actors (states, leaders, constituencies, their capabilities, "
        "exposures, instruments and calendars) and sets only policy facts of its case (when "
        "talks opened, whether a discreet channel existed, measures against the challenger's "
        "leader, public demands for its capitulation, disinformation and counter-messaging "
        "capacity, burden sharing), each commented in the cast with the fact. No number of a "
        "cast was chosen to make the model come out right: where the model misses, the "
        "paragraph says which missing mechanism or data explains it.",
        "",
        "Shares are of the runs that ended well, with Wilson 95% intervals. Days count from the "
        "cast's day 0 to the end (for a settlement, to the day its deal was signed); the real "
        "duration counts from the same day 0 (the history's `began`). Deal x is the "
        "challenger's share of the issue (0 = the status quo ante, 1 = its full demand), as "
        "each cast's header defines it.",
        "",
        _cost(report),
        "",
    ]
    lines += _markdown_table(SUMMARY_HEAD, summary_rows(report.results))
    lines += ["", f"**Across the cases.** {' '.join(OVERVIEW.split())}", ""]
    lines += [case_section(r) for r in report.results]
    return "\n".join(lines)


def _apart_page(report: CasesReport, runs: int) -> str:
    """The page of a table kept apart (under a candidate parameter set, or with another
    number of runs): the same tables, without the paragraphs that explain docs/CASES.md's
    results."""
    candidate = report.candidate
    command = "negsim cases" + (f" --runs {runs}" if runs != RUNS else "")
    if candidate is None:
        title = f"# Historical cases, {runs:,} runs a case"
        how = "at the defaults"
    else:
        command += f" --parameters {candidate.path.name}"
        title = f"# Historical cases under the parameter set {candidate.path.name}"
        values = ", ".join(f"`{k}` = {v!r}" for k, v in candidate.values.items())
        how = (
            f"with the set's values instead of the defaults: {values}. A value a cast sets "
            "itself (a policy fact of its case) keeps the cast's value"
        )
    lines = [
        title,
        "",
        f"Written by `{command}` (results in `cases_<cast>_{report.tag}/`): the cases of "
        f"docs/CASES.md, {runs:,} seeded runs each (master seed {SEED}), {how}. "
        "docs/CASES.md explains the results of the defaults at 1,000 runs a case; compare "
        "the two tables.",
        "",
        _cost(report),
        "",
    ]
    lines += _markdown_table(SUMMARY_HEAD, summary_rows(report.results))
    lines += [""]
    lines += [case_section(r, explain=False) for r in report.results]
    return "\n".join(lines)


def format_summary(report: CasesReport) -> str:
    """The summary table as plain text, for the terminal."""
    rows = [SUMMARY_HEAD, *summary_rows(report.results)]
    return "\n".join(
        f"{row[0]}: {row[1]} | model {row[2]} | median {row[3]} days | "
        f"as it did {row[4]} | x {row[5]}"
        for row in rows[1:]
    )


# --- the command -------------------------------------------------------------------------------


def write_cases(
    agents: Path = Path("agents"),
    experiments: Path = Path("experiments/cases"),
    results: Path = Path("results"),
    out: Path = Path("docs/CASES.md"),
    runs: int = RUNS,
    workers: int | None = None,
    force: bool = False,
    progress: bool = True,
    note: Callable[[str], None] = print,
    candidate: Candidate | None = None,
) -> CasesReport:
    """Run (or resume) every historical cast's experiment and write the cases page.

    Args:
        agents: the folder of casts; those with a ``[cast.history]`` table are the cases.
        experiments: where each case's experiment spec is written.
        results: the folder of results folders (``cases_<cast>/`` in it).
        out: the page to write.
        runs: seeded runs per cast.
        workers: local processes (default: all cores; 1 runs in this process).
        force: start every case's results over (after a change to the model).
        progress: show each sweep's progress bar.
        note: where to say that a sweep had nothing left to run.
        candidate: a parameter set to run the cases under instead of the defaults (each
            case's experiment and results folder are then named with its `Candidate.tag`).
    """
    from negsim.experiment.runner import run_experiment
    from negsim.experiment.spec import load_spec
    from negsim.experiment.store import load_results

    started = time.perf_counter()
    cases = historical_casts(agents)
    experiments.mkdir(parents=True, exist_ok=True)
    found, ran, planned = [], 0, 0
    for case in cases:
        spec = load_spec(write_spec(case, experiments, runs, candidate))
        sweep = run_experiment(
            spec, results=results, workers=workers, force=force, progress=progress
        )
        if not sweep.ran:
            note(f"{spec.name}: {sweep.done} runs already recorded")
        ran += sweep.ran
        planned += sweep.planned
        table, manifest = load_results(Path(results) / spec.name)
        ok = table[table["status"] == "ok"]
        found.append(CaseResult(case, ok, len(table) - len(ok), *compute_time(manifest)))
    report = CasesReport(Path(out), found, 0.0, ran, planned, candidate, apart_tag(candidate, runs))
    report.seconds = time.perf_counter() - started
    write_text(out, render_page(report, runs))
    return report
