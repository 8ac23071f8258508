"""The one exception type for a user's mistake in a cast, a spec or a command line."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: one clear line per problem, each naming the file, the field and the expectation.

    The CLI prints ``problems`` and exits with status 2; no traceback reaches the user.
    """

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
