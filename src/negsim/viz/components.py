"""The panels of the page and the figures they draw.

Figures are inline SVG built by pure functions (``*_figure``) from what `negsim.viz.view` reads
off the model: the page redraws them every week while the model plays, and SVG markup costs
the browser a few milliseconds where a plotly figure costs tens (and plotly.js seconds to
load). They can be tested without a browser. `CrisisPanels` puts them on the page.
"""

from __future__ import annotations

import html
import itertools
import math

import solara
from mesa.visualization.utils import update_counter

from negsim.analysis.colors import LOW_HIGH_SCALE, OUTCOME_COLORS
from negsim.model import CrisisModel
from negsim.viz import view
from negsim.viz.svg import GRID, Canvas, Scale, nice_ticks, x_axis, y_axis

WIDTH = 460  # one cell of the 2-column grid
HEIGHT = 380
SERIES_COLORS = {
    "cohesion": "#0072B2",
    "control": "#D55E00",
    "humiliation": "#CC79A7",
    "rung": "#000000",
}
EVENT_COLORS = {  # event kind -> badge color (Okabe-Ito)
    "threat": "#E69F00",
    "threat carried out": "#D55E00",
    "bluff": "#CC79A7",
    "concession": "#E69F00",
    "offer": "#56B4E9",
    "deal": "#009E73",
    "disinformation": "#CC79A7",
    "election": "#0072B2",
    "leader change": "#0072B2",
    "defection": "#D55E00",
    "rejoin": "#009E73",
    "collapse": "#D55E00",
    "escalation": "#D55E00",
    "withdrawal": "#009E73",
    "capitulation": "#E69F00",
}
LOG_LENGTH = 40
RUNG_TICKS = (
    "diplomatic",
    "economic",
    "limited war",
    "major war",
    "nuclear threats",
    "nuclear use",
)


def scale_color(value: float) -> str:
    """The LOW_HIGH_SCALE color of a value in [0, 1]."""
    value = min(1.0, max(0.0, value))
    for (x0, c0), (x1, c1) in itertools.pairwise(LOW_HIGH_SCALE):
        if value <= x1:
            t = (value - x0) / (x1 - x0)
            rgb = [
                round(int(c0[i : i + 2], 16) * (1 - t) + int(c1[i : i + 2], 16) * t)
                for i in (1, 3, 5)
            ]
            return "#" + "".join(f"{v:02X}" for v in rgb)
    return str(LOW_HIGH_SCALE[-1][1])


def _legend(canvas: Canvas, x: float, y: float, items: list[tuple[str, str, str]]) -> None:
    """A row of (label, color, mark) items from (x, y); mark is "dot", "line" or "dots"."""
    for label, color, mark in items:
        if mark == "dot":
            canvas.circle((x + 5, y), 5, color)
        else:
            canvas.line((x, y), (x + 16, y), color, 2, dash="2 2" if mark == "dots" else None)
        canvas.text((x + 20, y), label, size=10, anchor="start")
        x += 28 + 6 * len(label)


# --- the network of states -------------------------------------------------------------------

NETWORK_X = (-2.3, 1.9)  # the places of view.positions fit in here
NETWORK_Y = (-1.6, 1.6)


def network_figure(model: CrisisModel) -> str:
    """States sized by military strength and colored by side; coalition ties by cohesion;
    each state's constituencies on a ring around it, colored by support for its leader."""
    status = view.status(model)
    c = Canvas(WIDTH, HEIGHT, "negsim-network", week=status.week)
    c.text((12, 16), f"Week {status.week}: states (size = military), ties, publics", 14, "start")
    # Equal scales on both axes, in the area left of the color bar and above the legend.
    left, top, right, bottom = 8, 28, WIDTH - 70, HEIGHT - 36
    k = min(
        (right - left) / (NETWORK_X[1] - NETWORK_X[0]),
        (bottom - top) / (NETWORK_Y[1] - NETWORK_Y[0]),
    )
    cx, cy = (left + right) / 2, (top + bottom) / 2
    mx, my = sum(NETWORK_X) / 2, sum(NETWORK_Y) / 2

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return cx + k * (point[0] - mx), cy - k * (point[1] - my)

    pos = {sid: at(p) for sid, p in view.positions(model).items()}
    for a, b in view.aid_lines(model):
        c.line(pos[a], pos[b], "#BBBBBB", 2, dash="2 3", opacity=0.8)
    for tie in view.ties(model):
        c.line(
            pos[tie.a],
            pos[tie.b],
            scale_color(tie.cohesion),
            2.5,
            dash="6 4" if tie.broken else None,
            opacity=0.8,
        )
    states = view.states(model)
    side_of = {s.sid: s.side for s in states}
    aggressor, target = view.front(model)
    c.line(
        pos[aggressor], pos[target], view.SIDE_COLORS[side_of[aggressor]], 2 + 6 * status.control
    )
    (ax, ay), (tx, ty) = pos[aggressor], pos[target]
    label_y = (ay + ty) / 2 - 0.35 * k
    c.text(((ax + tx) / 2, label_y - 7), view.RUNG_NAMES[status.rung], 10)
    c.text(((ax + tx) / 2, label_y + 7), f"challenger holds {status.control:.0%}", 10)
    for sid, rows in view.publics(model).items():
        x, y = pos[sid]
        for i, public in enumerate(rows):
            angle = 2 * math.pi * i / len(rows) + math.pi / 2
            c.circle(
                (x + 0.24 * k * math.cos(angle), y - 0.24 * k * math.sin(angle)),
                (5 + 10 * math.sqrt(public.weight)) / 2,
                scale_color(public.support),
                stroke="#555555",
                stroke_width=0.5,
                hover=f"{sid} {public.group}: support {public.support:.2f} "
                f"(weight {public.weight:.2f})",
            )
    strongest = max(s.military for s in states) or 1.0
    for s in states:
        radius = (14 + 24 * math.sqrt(max(0.0, s.military) / strongest)) / 2
        color = view.SIDE_COLORS[s.side]
        hover = "\n".join(s.details)
        if s.broken:
            c.cross(pos[s.sid], radius, color, hover=hover)
        else:
            c.circle(pos[s.sid], radius, color, stroke="white", stroke_width=1, hover=hover)
        c.text(pos[s.sid], s.sid, 9, color="white" if not s.broken else "#333333")
    # The color bar shared by ties and publics.
    bar_top, bar_bottom = HEIGHT * 0.3, HEIGHT * 0.75
    fill = c.gradient("negsim-low-high", [(float(at_), str(col)) for at_, col in LOW_HIGH_SCALE])
    c.rect((WIDTH - 52, bar_top), (10, bar_bottom - bar_top), fill)
    c.text((WIDTH - 47, bar_top - 22), "cohesion /", 10)
    c.text((WIDTH - 47, bar_top - 10), "support", 10)
    for value in (0.0, 0.5, 1.0):
        y = bar_bottom - value * (bar_bottom - bar_top)
        c.text((WIDTH - 38, y), f"{value:g}", 10, anchor="start")
    present = [side for side in view.SIDES if any(s.side == side for s in states)]
    _legend(c, 20, HEIGHT - 14, [(side, view.SIDE_COLORS[side], "dot") for side in present])
    return c.svg()


# --- time series -----------------------------------------------------------------------------

TOP_ROW = (0.436, 1.0)  # shares of the plot's height, from the bottom
BOTTOM_ROW = (0.0, 0.376)
MIN_WEEKS = 4  # the week axis spans at least this many weeks


def series_figure(model: CrisisModel) -> str:
    """Cohesion, control, humiliation and the rung over time; below, every leader's approval."""
    s = view.series(model)
    c = Canvas(WIDTH, HEIGHT, "negsim-series", weeks=len(s.weeks))
    left, right, top, bottom = 50, WIDTH - 80, 44, HEIGHT - 40
    span = bottom - top

    def row(share: tuple[float, float], lo: float, hi: float) -> Scale:
        return Scale(lo, hi, bottom - share[0] * span, bottom - share[1] * span)

    last = max(MIN_WEEKS, s.weeks[-1] if s.weeks else 0)
    week = Scale(0, last, left, right)
    upper, lower = row(TOP_ROW, 0, 1), row(BOTTOM_ROW, 0, 1)
    rungs = len(view.RUNG_NAMES)
    rung = row(TOP_ROW, -0.1, rungs - 0.9)
    ticks = nice_ticks(0, last, 6)
    x_axis(c, week, upper(0), ticks, labels=False, top=upper(1))
    x_axis(c, week, lower(0), ticks, top=lower(1))
    c.text(((left + right) / 2, bottom + 26), "week", 10)
    y_axis(c, upper, left, [0, 0.5, 1], right=right)
    y_axis(c, lower, left, [0, 0.5, 1], right=right)
    y_axis(c, rung, right, list(range(rungs)), labels=list(RUNG_TICKS), side="right", size=8)
    c.text((14, (lower(0) + lower(1)) / 2), "leader approval", 10, rotate=-90)
    c.text((26, (lower(0) + lower(1)) / 2), "(color = side)", 10, rotate=-90)
    sides = {state.sid: state.side for state in view.states(model)}
    for sid, values in s.approval.items():
        c.polyline(
            [(week(w), lower(v)) for w, v in zip(s.weeks, values, strict=True)],
            view.SIDE_COLORS[sides[sid]],
            1,
            hover=f"approval {sid}",
        )
    for name in ("cohesion", "control", "humiliation"):
        c.polyline(
            [(week(w), upper(v)) for w, v in zip(s.weeks, s.lines[name], strict=True)],
            SERIES_COLORS[name],
            2,
            hover=name,
        )
    steps: list[tuple[float, float]] = []
    for w, r in zip(s.weeks, s.rung, strict=True):  # a step line: the rung holds for the week
        if steps:
            steps.append((week(w), steps[-1][1]))
        steps.append((week(w), rung(r)))
    c.polyline(steps, SERIES_COLORS["rung"], 1.5, dash="2 3", hover="escalation rung")
    _legend(
        c,
        left,
        14,
        [(name, SERIES_COLORS[name], "line") for name in ("cohesion", "control", "humiliation")]
        + [("rung", SERIES_COLORS["rung"], "dots")],
    )
    return c.svg()


# --- publics ---------------------------------------------------------------------------------


def publics_figure(model: CrisisModel) -> str:
    """Each state's constituencies placed by their support for the leader's policy."""
    groups = view.publics(model)
    states = view.states(model)
    c = Canvas(WIDTH, HEIGHT, "negsim-publics")
    c.text((12, 16), "Publics: dot = constituency (size = weight), | = approval", 14, "start")
    left, right, top, bottom = 110, WIDTH - 20, 40, HEIGHT - 50
    support = Scale(-0.02, 1.02, left, right)
    step = (bottom - top) / max(1, len(states))
    rows = {s.sid: top + step * (i + 0.5) for i, s in enumerate(states)}
    for s in states:
        y = rows[s.sid]
        c.line((left, y), (right, y), GRID)
        c.text((left - 6, y), s.name, 10, anchor="end")
    x_axis(c, support, bottom, nice_ticks(0, 1, 5), top=top)
    c.text(((left + right) / 2, bottom + 28), "support for the leader's policy", 12)
    for s in states:
        color = view.SIDE_COLORS[s.side]
        for public in groups.get(s.sid, []):
            c.circle(
                (support(public.support), rows[s.sid]),
                (6 + 14 * math.sqrt(public.weight)) / 2,
                color,
                stroke="white",
                stroke_width=0.5,
                opacity=0.75,
                hover=f"{s.name} {public.group}: support {public.support:.2f}",
            )
    for s in states:
        x, y = support(s.approval), rows[s.sid]
        c.line((x, y - 8), (x, y + 8), "black", 2)
        c.rect(
            (x - 3, y - 8),
            (6, 16),
            "transparent",
            hover=f"{s.name}: leader's approval {s.approval:.2f}",
        )
    return c.svg()


# --- status and events -------------------------------------------------------------------------


def status_text(model: CrisisModel) -> str:
    """One line: where the crisis stands this week."""
    s = view.status(model)
    return (
        f"Week {s.week} of {s.weeks} · {view.RUNG_NAMES[s.rung]} · "
        f"control {s.control:.2f} · cohesion {s.cohesion:.2f} · "
        f"humiliation {s.humiliation:.2f}"
    )


def outcome_text(model: CrisisModel) -> str | None:
    """How the run ended, or None while it runs."""
    s = view.status(model)
    if s.outcome is None:
        return None
    text = f"Outcome: {s.outcome.replace('_', ' ')} in week {s.week}"
    if s.deal is not None:
        x, face = s.deal
        text += f" (deal x = {x:.2f}, face = {face:.2f})"
    return text


def events_html(model: CrisisModel, limit: int = LOG_LENGTH) -> str:
    """The latest events, newest first, as an HTML table with a colored badge per kind."""
    rows = []
    for event in view.events(model, limit):
        color = EVENT_COLORS.get(event.kind, "#999999")
        rows.append(
            "<tr>"
            f'<td style="color:#666;padding-right:6px;white-space:nowrap">w{event.week}</td>'
            f'<td style="white-space:nowrap"><span style="background:{color};color:white;'
            f'border-radius:3px;padding:0 4px;font-size:11px">{html.escape(event.kind)}</span></td>'
            f'<td style="padding-left:6px">{html.escape(event.text)}</td>'
            "</tr>"
        )
    body = "".join(rows) or '<tr><td style="color:#666">no events yet: press Step or ▶</td></tr>'
    return (
        '<div style="max-height:270px;overflow-y:auto;font-size:12px">'
        f'<table style="border-collapse:collapse">{body}</table></div>'
    )


# --- the panels --------------------------------------------------------------------------------


def crisis_log(model: CrisisModel) -> solara.Element:
    """Where the crisis stands, the outcome once it ends, and the event log."""
    outcome = view.status(model).outcome
    with solara.Column(gap="6px", style={"padding": "8px"}) as panel:
        solara.Text(status_text(model), style={"font-weight": "bold", "font-size": "14px"})
        if outcome is not None:
            solara.Text(
                outcome_text(model),
                style={
                    "background": OUTCOME_COLORS[outcome],
                    "color": "white",
                    "padding": "4px 8px",
                    "border-radius": "4px",
                    "font-weight": "bold",
                },
            )
        for warning in view.warnings(model):
            solara.Warning(warning, dense=True)
        solara.HTML(tag="div", unsafe_innerHTML=events_html(model))
    return panel


PANELS = (network_figure, series_figure, publics_figure, crisis_log)
"""The four panels of the grid, left to right and top to bottom: figures, then the log."""


@solara.component
def CrisisPanels(model: CrisisModel) -> solara.Element:
    """The grid of panels; it redraws when Mesa's controls step or reset the model.

    The one component of the page that listens to Mesa's step counter (``update_counter``):
    each listener costs a render pass over the whole page, so the panels share one. Only the
    panels' markup changes; the rest of the page is not rendered again.
    """
    update_counter.get()
    with solara.GridFixed(columns=2, row_gap="12px", column_gap="12px") as grid:
        for panel in PANELS:
            if panel is crisis_log:
                panel(model)
            else:
                solara.HTML(tag="div", unsafe_innerHTML=panel(model))
    return grid
