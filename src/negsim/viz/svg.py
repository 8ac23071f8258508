"""A small SVG canvas for the browser view's figures: shapes, text, scales and axes.

The figures are redrawn every week while the model plays; inline SVG markup costs the browser
a few milliseconds to draw, where a plotly figure costs tens (and plotly.js seconds to load).
Hover text is each shape's ``<title>``, which browsers show as a tooltip.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

FONT = "Arial, Helvetica, sans-serif"
INK = "#2a3f5f"  # text and axis labels
GRID = "#EBF0F8"

Point = tuple[float, float]


def _n(value: float) -> str:
    """A coordinate, short: one decimal is a tenth of a pixel."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _attrs(**attrs: object) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = _n(value) if isinstance(value, float) else str(value)
        parts.append(f'{name}="{html.escape(text, quote=True)}"')
    return " ".join(parts)


def _title(hover: str | None) -> str:
    return f"<title>{html.escape(hover)}</title>" if hover else ""


class Scale:
    """Maps a data interval onto a pixel interval, linearly."""

    def __init__(self, lo: float, hi: float, start: float, end: float):
        self.lo, self.hi, self.start, self.end = lo, hi, start, end
        self._k = (end - start) / (hi - lo) if hi != lo else 0.0

    def __call__(self, value: float) -> float:
        return self.start + (value - self.lo) * self._k


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    return [k * step for k in range(first, math.floor(hi / step + 1e-9) + 1)]


class Canvas:
    """An SVG document built shape by shape.

    Args:
        width: pixels.
        height: pixels.
        figure: a name for the figure, set as ``data-figure`` (lets tests and scripts find it).
        **data: more ``data-*`` attributes (e.g. the week it shows).
    """

    def __init__(self, width: int, height: int, figure: str, **data: object):
        self.width, self.height = width, height
        extra = {f"data_{k}": v for k, v in data.items()}
        self._head = (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            + _attrs(
                width=width,
                height=height,
                viewBox=f"0 0 {width} {height}",
                style=f"width:100%;height:auto;max-width:{width}px",  # shrinks with its cell
                data_figure=figure,
                font_family=FONT,
                **extra,
            )
            + ">"
        )
        self._defs: list[str] = []
        self._body: list[str] = []

    def gradient(self, name: str, stops: Sequence[tuple[float, str]]) -> str:
        """A vertical gradient, bottom (offset 0) to top; returns its ``url(#...)``."""
        stop_tags = "".join(
            f"<stop {_attrs(offset=f'{100 * (1 - at):.0f}%', stop_color=color)}/>"
            for at, color in reversed(stops)
        )
        self._defs.append(
            f"<linearGradient {_attrs(id=name, x1=0, y1=0, x2=0, y2=1)}>{stop_tags}</linearGradient>"
        )
        return f"url(#{name})"

    def line(
        self,
        a: Point,
        b: Point,
        color: str,
        width: float = 1.0,
        dash: str | None = None,
        opacity: float | None = None,
    ) -> None:
        """A straight line from ``a`` to ``b``."""
        self._body.append(
            f"<line {_attrs(x1=float(a[0]), y1=float(a[1]), x2=float(b[0]), y2=float(b[1]), stroke=color, stroke_width=float(width), stroke_dasharray=dash, stroke_opacity=opacity)}/>"
        )

    def polyline(
        self,
        points: Iterable[Point],
        color: str,
        width: float = 1.0,
        dash: str | None = None,
        hover: str | None = None,
    ) -> None:
        """A line through ``points``, in order."""
        coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        self._body.append(
            f"<polyline {_attrs(points=coords, fill='none', stroke=color, stroke_width=float(width), stroke_dasharray=dash, stroke_linejoin='round')}>{_title(hover)}</polyline>"
        )

    def circle(
        self,
        center: Point,
        radius: float,
        fill: str,
        stroke: str | None = None,
        stroke_width: float | None = None,
        opacity: float | None = None,
        hover: str | None = None,
    ) -> None:
        """A disc."""
        self._body.append(
            f"<circle {_attrs(cx=float(center[0]), cy=float(center[1]), r=float(radius), fill=fill, stroke=stroke, stroke_width=stroke_width, fill_opacity=opacity)}>{_title(hover)}</circle>"
        )

    def cross(self, center: Point, radius: float, color: str, hover: str | None = None) -> None:
        """An X mark (a state that broke with its side)."""
        x, y = center
        r = radius * 0.8
        path = f"M{_n(x - r)} {_n(y - r)}L{_n(x + r)} {_n(y + r)}M{_n(x - r)} {_n(y + r)}L{_n(x + r)} {_n(y - r)}"
        self._body.append(
            f"<path {_attrs(d=path, stroke=color, stroke_width=radius * 0.6, stroke_linecap='round')}>{_title(hover)}</path>"
        )

    def rect(
        self,
        corner: Point,
        size: Point,
        fill: str,
        stroke: str | None = None,
        hover: str | None = None,
    ) -> None:
        """A rectangle from its top-left ``corner``."""
        self._body.append(
            f"<rect {_attrs(x=float(corner[0]), y=float(corner[1]), width=float(size[0]), height=float(size[1]), fill=fill, stroke=stroke)}>{_title(hover)}</rect>"
        )

    def text(
        self,
        at: Point,
        text: str,
        size: float = 10,
        anchor: str = "middle",
        color: str = INK,
        bold: bool = False,
        baseline: str = "central",
        rotate: float | None = None,
    ) -> None:
        """A line of text; ``anchor`` is start, middle or end."""
        transform = f"rotate({_n(rotate)} {_n(at[0])} {_n(at[1])})" if rotate else None
        self._body.append(
            f"<text {_attrs(x=float(at[0]), y=float(at[1]), font_size=size, text_anchor=anchor, dominant_baseline=baseline, fill=color, font_weight='bold' if bold else None, transform=transform)}>{html.escape(text)}</text>"
        )

    def svg(self) -> str:
        """The markup."""
        defs = f"<defs>{''.join(self._defs)}</defs>" if self._defs else ""
        return self._head + defs + "".join(self._body) + "</svg>"


def x_axis(
    canvas: Canvas,
    scale: Scale,
    y: float,
    ticks: Sequence[float],
    labels: bool = True,
    top: float | None = None,
    fmt: str = "g",
) -> None:
    """Tick labels under ``y`` and, when ``top`` is given, grid lines up to it."""
    for tick in ticks:
        x = scale(tick)
        if top is not None:
            canvas.line((x, top), (x, y), GRID)
        if labels:
            canvas.text((x, y + 10), format(tick, fmt), size=10)


def y_axis(
    canvas: Canvas,
    scale: Scale,
    x: float,
    ticks: Sequence[float],
    labels: Sequence[str] | None = None,
    right: float | None = None,
    side: str = "left",
    size: float = 10,
) -> None:
    """Tick labels beside ``x`` and, when ``right`` is given, grid lines across to it."""
    for i, tick in enumerate(ticks):
        y = scale(tick)
        if right is not None:
            canvas.line((x, y), (right, y), GRID)
        label = labels[i] if labels is not None else format(tick, "g")
        if side == "left":
            canvas.text((x - 4, y), label, size=size, anchor="end")
        else:
            canvas.text((x + 4, y), label, size=size, anchor="start")
