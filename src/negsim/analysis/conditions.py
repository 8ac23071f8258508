"""Conditions on the fields of the runs table, as a user writes them on the command line.

A condition is one or more comparisons joined by ``and`` (or ``or``; ``and`` binds first)::

    outcome == catastrophe
    end_tick <= 4
    outcome == settlement and bargaining.face_offer > 0.3

A comparison is ``FIELD OP VALUE`` with OP one of ``== != < <= > >=``; VALUE is a number,
``true``/``false``, or a word (quotes optional). FIELD is any column of the runs table, so the
condition works whatever fields the run record has.
"""

from __future__ import annotations

import operator
import re

import numpy as np
import pandas as pd

from negsim.errors import InputError

_OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_COMPARISON = re.compile(
    r"^\s*(?P<field>[A-Za-z_][\w.]*)\s*(?P<op>==|!=|<=|>=|<|>)\s*(?P<value>[^<>=!\s].*?)\s*$"
)


def _value(text: str) -> object:
    text = text.strip().strip("'\"")
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return float(text)
    except ValueError:
        return text


def _compare(runs: pd.DataFrame, text: str) -> pd.Series:
    found = _COMPARISON.match(text)
    if not found:
        raise InputError(
            f"condition {text.strip()!r}: expected FIELD OP VALUE with OP one of "
            f"{' '.join(_OPS)}, e.g. 'end_tick <= 4'"
        )
    name, op, value = found["field"], _OPS[found["op"]], _value(found["value"])
    if name not in runs:
        fields = ", ".join(c for c in runs.columns if c not in ("error",))
        raise InputError(f"condition {text.strip()!r}: no field {name!r}; fields: {fields}")
    column = runs[name]
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if isinstance(value, float) and numeric:
        return pd.Series(op(column.astype(float).to_numpy(), value), index=runs.index)
    if isinstance(value, float) != numeric and not isinstance(value, bool):
        kind = "a number" if numeric else "a word or true/false"
        raise InputError(f"condition {text.strip()!r}: {name} holds {kind}, not {value!r}")
    if op not in (operator.eq, operator.ne):
        raise InputError(f"condition {text.strip()!r}: only == and != compare words")
    result = op(column.to_numpy(dtype=object), value)
    return pd.Series(np.asarray(result, dtype=bool), index=runs.index)


def evaluate(runs: pd.DataFrame, condition: str) -> pd.Series:
    """A boolean per run: whether it meets ``condition``.

    Raises:
        InputError: a comparison that does not parse, names no field, or compares a number
            field with a word.
    """
    if not condition.strip():
        raise InputError("condition: empty")
    hit = pd.Series(False, index=runs.index)
    for alternative in re.split(r"\s+or\s+", condition.strip()):
        part = pd.Series(True, index=runs.index)
        for comparison in re.split(r"\s+and\s+", alternative):
            part &= _compare(runs, comparison)
        hit |= part
    return hit


def outcome_condition(outcomes: list[str]) -> str:
    """The condition of ``--outcome A --outcome B``: the run ended in A or in B.

    Raises:
        InputError: a name that is no outcome (the message lists the outcomes).
    """
    from negsim.outcomes import Outcome

    known = [o.value for o in Outcome]
    for name in outcomes:
        if name not in known:
            raise InputError(f"--outcome {name}: expected one of {', '.join(known)}")
    return " or ".join(f"outcome == {o}" for o in outcomes)
