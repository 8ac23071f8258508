"""Documented bounds on inputs: how deep a document may nest, how big a model may be.

Both protect a run and its error messages from an input that is valid in form but absurd in
size: a table nested thousands of levels deep (a RecursionError in any recursive reader), or a
cast of millions of agents (minutes and gigabytes per run).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from negsim.errors import cut

MAX_DEPTH = 16
"""Tables and arrays nested deeper than this are an error; a cast needs 4, a spec 5."""

MAX_AGENTS = 200_000
"""The most agents a cast may make: a state and a leader per state, plus every constituency
agent (the sum of ``count`` over all constituency entries). A run of the dyad with 100,000
constituency agents takes about 1 s and 240 MB for 30 ticks; eight entries of a million agents
ran past 90 s and 5.4 GB."""


def nesting_problem(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Where ``value`` nests tables (dicts) or arrays (lists) more than ``limit`` deep, or None.

    Iterative, so a document nested thousands of levels deep is reported, not a RecursionError.
    """
    stack: list[tuple[Any, tuple]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            continue
        if len(path) >= limit and children:
            shown_path = ".".join(cut(str(p), 40) for p in path[:4])
            return f"{shown_path}...: tables or arrays nested more than {limit} levels deep"
        stack += [(child, (*path, key)) for key, child in children]
    return None


def size_problem(states: int, counts: Iterable[int]) -> str | None:
    """Why a cast of ``states`` states and constituency entries of ``counts`` agents is beyond
    `MAX_AGENTS`, or None when it is within it."""
    publics = sum(counts)
    total = 2 * states + publics
    if total <= MAX_AGENTS:
        return None
    return (
        f"constituencies: the cast makes {total:,} agents ({states:,} states and leaders, "
        f"{publics:,} constituency agents: the sum of count), more than the {MAX_AGENTS:,} "
        "allowed"
    )
