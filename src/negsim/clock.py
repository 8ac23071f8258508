"""Time: a cast's tick length in days, and the conversion of every rate the schema states.

The schema states rates per week and durations in days, so the same parameters mean the same
thing whether a tick is one day (a two-week crisis) or one week (a two-year war). A `Clock`
turns them into per-tick quantities:

- an adjustment or hazard rate ``r`` per week becomes ``1 - (1 - r) ** (days / 7)`` per tick
  (the same share adjusted, the same chance of the event, over a week of ticks);
- an amount per week (a cost, a drift) becomes ``amount * days / 7`` per tick;
- the standard deviation of a weekly shock becomes ``sd * sqrt(days / 7)`` per tick;
- a duration in days becomes a whole number of ticks, at least one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    """The length of a tick, and conversions from the schema's weekly and daily units.

    Attributes:
        tick_days: days per tick.
    """

    tick_days: float = 7.0

    @property
    def weeks(self) -> float:
        """Weeks per tick."""
        return self.tick_days / 7.0

    def rate(self, per_week: float) -> float:
        """A rate or hazard per week as a rate per tick (compounded)."""
        if per_week >= 1.0:
            return 1.0
        return 1.0 - (1.0 - per_week) ** self.weeks

    def amount(self, per_week: float) -> float:
        """An amount per week as an amount per tick."""
        return per_week * self.weeks

    def sd(self, per_week: float) -> float:
        """The standard deviation of a weekly random-walk shock, per tick."""
        return per_week * math.sqrt(self.weeks)

    def ticks(self, days: float) -> int:
        """A duration in days as a whole number of ticks, at least one."""
        return max(1, round(days / self.tick_days))

    def days(self, ticks: int) -> float:
        """Ticks as days."""
        return ticks * self.tick_days
