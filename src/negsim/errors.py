"""The exception types for a user's mistake, and how a user's value is shown in a message."""

from __future__ import annotations

import reprlib
from typing import Any

MAX_LINE = 500  # characters of one problem line; a longer one is cut
MAX_SHOWN = 60  # characters of a user's value quoted in a message

_REPR = reprlib.Repr(
    maxlevel=2, maxdict=3, maxlist=3, maxtuple=3, maxset=3, maxstring=MAX_SHOWN, maxother=MAX_SHOWN
)


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """A short repr of a user's value for an error message: bounded in length and depth.

    A value nested thousands of levels deep or a megabyte long gives a few dozen characters,
    never a RecursionError or a megabyte of error message.
    """
    text = _REPR.repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def cut(line: str, limit: int = MAX_LINE) -> str:
    """A line cut to ``limit`` characters, marked with '...' when cut."""
    return line if len(line) <= limit else f"{line[: limit - 3]}..."


class InputError(Exception):
    """Bad input: one clear line per problem, each naming the file, the field and the expectation.

    The CLI prints ``problems`` and exits with status 2; no traceback reaches the user. Each line
    is cut to `MAX_LINE` characters, so no input can make a message huge.
    """

    def __init__(self, problems: list[str] | str):
        self.problems = [cut(p) for p in ([problems] if isinstance(problems, str) else problems)]
        super().__init__("\n".join(self.problems))


class OutputError(InputError):
    """A file or folder negsim cannot write (permissions, a full disk, a missing folder).

    Reported like an InputError (one line, exit status 2), after anything written in part has
    been removed or left in a state the next run recovers from.
    """
