"""Compiled kernels: the numeric hot paths of a tick, compiled by numba.

A mechanism's kernel is an ordinary function of numbers and arrays, written in the subset of
Python numba compiles, and decorated with `kernel`. Its compiled code is cached on disk beside
the module (or in ``NUMBA_CACHE_DIR``), so sweep workers load it instead of compiling it.
Set ``NEGSIM_NO_JIT=1`` to run every kernel as plain Python (to step through it in a
debugger, or to measure test coverage); results are the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable

JIT = os.environ.get("NEGSIM_NO_JIT", "") in ("", "0")


def kernel[F: Callable](function: F) -> F:
    """Compile ``function`` with numba (cached on disk), unless ``NEGSIM_NO_JIT`` is set."""
    if not JIT:
        return function
    from numba import njit

    return njit(cache=True, nogil=True)(function)


def jitable[F: Callable](function: F) -> F:
    """Make a small helper callable from kernels; from Python it stays plain Python (fast)."""
    if not JIT:
        return function
    from numba.extending import register_jitable

    return register_jitable(function)
