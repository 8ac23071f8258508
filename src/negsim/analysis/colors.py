"""The one palette of negsim: outcome and role colors shared by the report and the viz.

Okabe-Ito colors, distinguishable with the common forms of color blindness.
"""

from __future__ import annotations

OUTCOME_COLORS: dict[str, str] = {
    "settlement": "#009E73",  # bluish green
    "aggressor_withdrawal": "#0072B2",  # blue
    "target_capitulation": "#E69F00",  # orange
    "conquest": "#D55E00",  # vermillion
    "catastrophe": "#000000",  # black
    "stalemate": "#999999",  # grey
}

ROLE_COLORS: dict[str, str] = {
    "challenger": "#D55E00",  # vermillion
    "challenger's partner": "#CC79A7",  # reddish purple
    "defender": "#009E73",  # bluish green
    "defender's partner": "#0072B2",  # blue
    "neutral": "#999999",  # grey
}

# Low (vermillion) through neutral grey to high (blue), for values in [0, 1] such as
# cohesion or support: a plotly colorscale.
LOW_HIGH_SCALE: list[list[float | str]] = [[0.0, "#D55E00"], [0.5, "#EEEEEE"], [1.0, "#0072B2"]]
