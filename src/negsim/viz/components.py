"""The panels of the page, each a function of the model (Mesa re-renders them every step).

Figures are built by pure functions (``*_figure``) so they can be tested without a browser;
the panel functions wrap them for Solara.
"""

from __future__ import annotations

import html
import itertools
import math
from collections import defaultdict

import plotly.graph_objects as go
import solara
from plotly.subplots import make_subplots

from negsim.analysis.colors import LOW_HIGH_SCALE, OUTCOME_COLORS, ROLE_COLORS
from negsim.cast import Role
from negsim.mechanisms.escalation import RUNGS
from negsim.model import CrisisModel

# One cell of Mesa's grid: 10 rows of 30 px plus margins; half the main area of a 1280 px
# window. Plotly's widget ignores autosize there and would draw 700 px wide.
HEIGHT = 380
WIDTH = 410
MARGIN = {"l": 40, "r": 20, "t": 40, "b": 30}
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
TIE_BANDS = 8  # cohesion bands of the coalition ties
RUNG_TICKS = (
    "diplomatic",
    "economic",
    "limited war",
    "major war",
    "nuclear threats",
    "nuclear use",
)


def _layout(fig: go.Figure, title: str, meta: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        meta=meta,  # lets tests find the figure in the page
        height=HEIGHT,
        width=WIDTH,
        margin=MARGIN,
        template="plotly_white",
    )
    return fig


# --- the network of states -------------------------------------------------------------------


def state_positions(model: CrisisModel) -> dict[str, tuple[float, float]]:
    """Fixed places: aggressor left, target centre, coalition on an arc right, neutrals below."""
    pos = {model.aggressor.sid: (-1.4, 0.0), model.target.sid: (0.0, 0.0)}
    n = len(model.coalition)
    for i, state in enumerate(model.coalition):
        angle = math.pi * (0.5 - (i + 0.5) / n) * 0.9 if n > 1 else 0.0
        pos[state.sid] = (0.2 + 1.3 * math.cos(angle), 1.3 * math.sin(angle))
    for i, state in enumerate(model.neutrals):
        pos[state.sid] = (-1.6 + 0.75 * i, -1.25)
    return pos


def group_support(model: CrisisModel) -> dict[str, list[tuple[str, float, float]]]:
    """For each state, its constituency groups: (group, weight, weighted mean support)."""
    pub = model.publics
    acc: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for agent in model.constituency_agents:
        w = float(pub.weight[agent.index])
        acc[agent.state_id, agent.group][0] += w
        acc[agent.state_id, agent.group][1] += w * float(pub.support[agent.index])
    groups: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for (sid, group), (w, ws) in acc.items():
        groups[sid].append((group, w, ws / w if w else 0.0))
    return groups


def pair_cohesion(a, b) -> float:
    """How closely two coalition members hold together: shared trust times policy closeness."""
    return 0.5 * (a.trust + b.trust) * (1.0 - abs(a.commitment - b.commitment))


def network_figure(model: CrisisModel) -> go.Figure:
    """States sized by military strength and colored by role; coalition ties by cohesion;
    each state's constituencies on a ring around it, colored by support for its leader."""
    pos = state_positions(model)
    fig = go.Figure()
    tgt = pos[model.target.sid]
    aid = [m for m in model.coalition if m.aid > 0 and not m.defected]
    fig.add_trace(_segments([(pos[m.sid], tgt) for m in aid], "#BBBBBB", 2, "dot"))
    # Coalition ties, one trace per cohesion band (a trace per tie is slow to redraw).
    bands: dict[tuple[int, bool], list] = defaultdict(list)
    members = model.coalition
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            band = min(TIE_BANDS - 1, int(pair_cohesion(a, b) * TIE_BANDS))
            bands[band, a.defected or b.defected].append((pos[a.sid], pos[b.sid]))
    for (band, broken), pairs in sorted(bands.items()):
        color = _scale_color((band + 0.5) / TIE_BANDS)
        fig.add_trace(_segments(pairs, color, 2.5, "dash" if broken else "solid"))
    agg = pos[model.aggressor.sid]
    fig.add_trace(  # the front line
        go.Scatter(
            x=[agg[0], tgt[0]],
            y=[agg[1], tgt[1]],
            mode="lines",
            line={"color": ROLE_COLORS["aggressor"], "width": 2 + 6 * model.control},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_annotation(
        x=(agg[0] + tgt[0]) / 2,
        y=0.35,
        text=f"{RUNGS[model.rung]}<br>aggressor holds {model.control:.0%}",
        showarrow=False,
        font={"size": 10},
    )
    _add_constituency_rings(fig, model, pos)
    strongest = max(s.military for s in model.states) or 1.0
    for role in Role:
        states = [s for s in model.states if s.role is role]
        if not states:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pos[s.sid][0] for s in states],
                y=[pos[s.sid][1] for s in states],
                mode="markers+text",
                name=role.value,
                text=[s.sid for s in states],
                textposition="middle center",
                textfont={"size": 9, "color": "white"},
                marker={
                    "size": [14 + 24 * math.sqrt(s.military / strongest) for s in states],
                    "color": ROLE_COLORS[role.value],
                    "symbol": ["x" if s.defected else "circle" for s in states],
                    "line": {"color": "white", "width": 1},
                },
                hovertext=[_state_hover(s) for s in states],
                hoverinfo="text",
            )
        )
    fig.add_trace(  # invisible: carries the shared colorbar of ties and publics
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            showlegend=False,
            marker={
                "colorscale": LOW_HIGH_SCALE,
                "cmin": 0,
                "cmax": 1,
                "color": [0],
                "colorbar": {
                    "title": {"text": "cohesion /<br>support", "font": {"size": 10}},
                    "thickness": 10,
                    "len": 0.6,
                },
            },
        )
    )
    fig.update_xaxes(visible=False, range=[-2.3, 1.9])
    fig.update_yaxes(visible=False, range=[-1.6, 1.6], scaleanchor="x")
    fig.update_layout(legend={"orientation": "h", "y": -0.02, "font": {"size": 10}})
    return _layout(
        fig,
        f"Week {model.tick}: states (size = military), ties, publics",
        "negsim-network",
    )


def _segments(pairs: list, color: str, width: float, dash: str) -> go.Scatter:
    """Line segments between pairs of points, as one trace."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for (x0, y0), (x1, y1) in pairs:
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": color, "width": width, "dash": dash},
        opacity=0.8,
        hoverinfo="skip",
        showlegend=False,
    )


def _add_constituency_rings(fig: go.Figure, model: CrisisModel, pos: dict) -> None:
    xs, ys, colors, sizes, hover = [], [], [], [], []
    for sid, groups in group_support(model).items():
        cx, cy = pos[sid]
        for k, (group, weight, support) in enumerate(groups):
            angle = 2 * math.pi * k / len(groups) + math.pi / 2
            xs.append(cx + 0.24 * math.cos(angle))
            ys.append(cy + 0.24 * math.sin(angle))
            colors.append(support)
            sizes.append(5 + 10 * math.sqrt(weight))
            hover.append(f"{sid} {group}: support {support:.2f} (weight {weight:.2f})")
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name="publics",
            marker={
                "size": sizes,
                "color": colors,
                "colorscale": LOW_HIGH_SCALE,
                "cmin": 0,
                "cmax": 1,
                "line": {"color": "#555555", "width": 0.5},
            },
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
        )
    )


def _state_hover(state) -> str:
    leader = state.leader
    lines = [
        f"<b>{state.name}</b> ({state.role.value})",
        f"leader {leader.name}: approval {leader.approval:.2f}",
        f"military {state.military:.2f}, economy {state.economy:.1f}",
    ]
    if state.role is Role.COALITION:
        lines.append(
            f"sanctions {state.sanctions:.2f}, aid {state.aid:.2f}, trust {state.trust:.2f}"
            + (" (defected)" if state.defected else "")
        )
    if state.role is Role.AGGRESSOR:
        lines.append(f"humiliation {leader.humiliation:.2f}")
    return "<br>".join(lines)


def _scale_color(value: float) -> str:
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


# --- time series -----------------------------------------------------------------------------


def series_figure(model: CrisisModel) -> go.Figure:
    """Cohesion, control, humiliation and the rung over time; below, every leader's approval."""
    data = model.datacollector.model_vars
    weeks = list(range(len(data["cohesion"])))
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.6, 0.4],
        vertical_spacing=0.06,
        specs=[[{"secondary_y": True}], [{}]],
    )
    for name in ("cohesion", "control", "humiliation"):
        fig.add_trace(
            go.Scatter(
                x=weeks,
                y=data[name],
                name=name,
                mode="lines",
                line={"color": SERIES_COLORS[name], "width": 2},
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=weeks,
            y=data["rung"],
            name="rung",
            mode="lines",
            line={"color": SERIES_COLORS["rung"], "width": 1.5, "dash": "dot", "shape": "hv"},
            hovertext=[RUNGS[int(r)] for r in data["rung"]],
        ),
        row=1,
        col=1,
        secondary_y=True,
    )
    for state in model.states:
        values = data[f"approval_{state.sid}"]
        fig.add_trace(
            go.Scatter(
                x=weeks,
                y=values,
                name=f"approval {state.sid}",
                mode="lines",
                line={"color": ROLE_COLORS[state.role.value], "width": 1},
                showlegend=False,
            ),
            row=2,
            col=1,
        )
    fig.update_yaxes(range=[0, 1], row=1, col=1, secondary_y=False)
    fig.update_yaxes(
        range=[-0.1, len(RUNGS) - 0.9],
        tickvals=list(range(len(RUNGS))),
        ticktext=list(RUNG_TICKS),
        tickfont={"size": 8},
        showgrid=False,
        row=1,
        col=1,
        secondary_y=True,
    )
    fig.update_yaxes(
        range=[0, 1],
        title={"text": "leader approval<br>(color = role)", "font": {"size": 10}},
        row=2,
        col=1,
    )
    fig.update_xaxes(title={"text": "week", "font": {"size": 10}}, row=2, col=1)
    fig.update_layout(
        legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom", "font": {"size": 10}}
    )
    _layout(fig, "", "negsim-series")
    fig.update_layout(margin={**MARGIN, "l": 50, "t": 30, "r": 80})
    return fig


# --- publics ---------------------------------------------------------------------------------


def publics_figure(model: CrisisModel) -> go.Figure:
    """Each state's constituencies placed by their support for the leader's policy."""
    groups = group_support(model)
    names = {s.sid: s.name for s in model.states}
    fig = go.Figure()
    for role in Role:
        states = [s for s in model.states if s.role is role]
        rows = [(s.sid, g) for s in states for g in groups[s.sid]]
        if not rows:
            continue
        fig.add_trace(
            go.Scatter(
                x=[g[2] for _, g in rows],
                y=[names[sid] for sid, _ in rows],
                mode="markers",
                name=role.value,
                marker={
                    "size": [6 + 14 * math.sqrt(g[1]) for _, g in rows],
                    "color": ROLE_COLORS[role.value],
                    "opacity": 0.75,
                    "line": {"color": "white", "width": 0.5},
                },
                hovertext=[f"{names[sid]} {g[0]}: support {g[2]:.2f}" for sid, g in rows],
                hoverinfo="text",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[s.leader.approval for s in model.states],
            y=[s.name for s in model.states],
            mode="markers",
            name="leader approval",
            marker={"symbol": "line-ns-open", "size": 16, "color": "black", "line": {"width": 2}},
            hovertext=[f"{s.leader.name}: approval {s.leader.approval:.2f}" for s in model.states],
            hoverinfo="text",
        )
    )
    fig.update_xaxes(range=[-0.02, 1.02], title={"text": "support for the leader's policy"})
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[s.name for s in reversed(model.states)],
        tickfont={"size": 10},
    )
    fig.update_layout(showlegend=False)
    return _layout(
        fig, "Publics: dot = constituency (size = weight), | = approval", "negsim-publics"
    )


# --- status and events -------------------------------------------------------------------------


def status_text(model: CrisisModel) -> str:
    """One line: where the crisis stands this week."""
    return (
        f"Week {model.tick} of {model.max_ticks} · {RUNGS[model.rung]} · "
        f"control {model.control:.2f} · cohesion {model.cohesion:.2f} · "
        f"humiliation {model.aggressor.leader.humiliation:.2f}"
    )


def outcome_text(model: CrisisModel) -> str | None:
    """How the run ended, or None while it runs."""
    if model.outcome is None:
        return None
    text = f"Outcome: {model.outcome.value.replace('_', ' ')} in week {model.tick}"
    if model.outcome.value == "settlement" and model.deal is not None:
        x, face = model.deal
        text += f" (deal x = {x:.2f}, face = {face:.2f})"
    return text


def events_html(model: CrisisModel, limit: int = LOG_LENGTH) -> str:
    """The latest events, newest first, as an HTML table with a colored badge per kind."""
    rows = []
    for event in reversed(model.events[-limit:]):
        if event.kind == "outcome":
            continue
        color = EVENT_COLORS.get(event.kind, "#999999")
        rows.append(
            "<tr>"
            f'<td style="color:#666;padding-right:6px;white-space:nowrap">w{event.tick}</td>'
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


def CrisisNetwork(model: CrisisModel) -> solara.Element:
    """Panel: the network of states and their publics."""
    return solara.FigurePlotly(network_figure(model))


def CrisisSeries(model: CrisisModel) -> solara.Element:
    """Panel: the time series."""
    return solara.FigurePlotly(series_figure(model))


def PublicSupport(model: CrisisModel) -> solara.Element:
    """Panel: constituencies' support for their leaders."""
    return solara.FigurePlotly(publics_figure(model))


def CrisisLog(model: CrisisModel) -> solara.Element:
    """Panel: where the crisis stands, the outcome once it ends, and the event log."""
    with solara.Column(gap="6px", style={"padding": "8px"}) as panel:
        solara.Text(status_text(model), style={"font-weight": "bold", "font-size": "14px"})
        ended = outcome_text(model)
        if ended:
            color = OUTCOME_COLORS[model.outcome.value]
            solara.Text(
                ended,
                style={
                    "background": color,
                    "color": "white",
                    "padding": "4px 8px",
                    "border-radius": "4px",
                    "font-weight": "bold",
                },
            )
        for warning in getattr(model, "viz_warnings", []):
            solara.Warning(warning, dense=True)
        solara.HTML(tag="div", unsafe_innerHTML=events_html(model))
    return panel


PANELS = [CrisisNetwork, CrisisSeries, PublicSupport, CrisisLog]
