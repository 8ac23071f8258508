"""The page without a browser: built with solara.render, driven through its widgets."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

import ipyvuetify as vw
import pytest
import solara

from negsim.viz import app
from negsim.viz.controls import CASTS_DIR, VizModel

CASTS = sorted(CASTS_DIR.glob("*.toml"))


@pytest.fixture
def built(monkeypatch) -> list[VizModel]:
    """Every VizModel the page builds, in order (the last one is on screen)."""
    models: list[VizModel] = []
    init = VizModel.__init__

    @functools.wraps(init)  # Mesa reads the signature
    def recording_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        models.append(self)

    monkeypatch.setattr(VizModel, "__init__", recording_init)
    return models


def render(cast: Path):
    @solara.component
    def Root():  # SolaraViz puts its controls in the AppLayout's sidebar
        with solara.AppLayout():
            app.Page(cast)

    _, rc = solara.render(Root(), handle_error=False)
    return rc


def widgets(root) -> Iterator:
    """Every widget under ``root``, depth first."""
    yield root
    for child in getattr(root, "children", None) or []:
        if not isinstance(child, str):
            yield from widgets(child)


def texts(rc) -> list[str]:
    """Every text and markup shown on the page."""
    found = []
    for w in widgets(rc.find(vw.Html).widgets[0]):
        if isinstance(w, solara.widgets.HTML):
            found.append(w.unsafe_innerHTML)
        elif isinstance(w, vw.Html) and w.children and isinstance(w.children[0], str):
            found.append(w.children[0])
    return found


def figures(rc) -> dict[str, str]:
    """The SVG figures on the page, by name."""
    markup = [t for t in texts(rc) if t.startswith("<svg")]
    return {re.search(r'data-figure="([^"]+)"', svg).group(1): svg for svg in markup}


def click(rc, label: str) -> None:
    button = rc.find(vw.Btn, children=[label])
    button.assert_single()
    button.widget.click()


@pytest.mark.parametrize("cast", CASTS, ids=[c.stem for c in CASTS])
def test_the_page_builds_and_steps_for_every_cast(cast, built):
    rc = render(cast)
    assert built[-1].cast.cast.name == cast.stem
    assert set(figures(rc)) == {"negsim-network", "negsim-series", "negsim-publics"}
    for _ in range(3):
        click(rc, "Step")
    assert built[-1].tick == 3
    assert any(t.startswith("Week 3 of") for t in texts(rc))
    assert 'data-weeks="4"' in figures(rc)["negsim-series"]  # week 0 and three steps


def test_a_slider_change_reaches_the_model_on_reset(built):
    rc = render(CASTS_DIR / "dyad.toml")
    slider = rc.find(vw.Slider, label="face offer (bargaining)")
    slider.assert_single()
    slider.widget.v_model = 0.8
    click(rc, "Reset")
    assert len(built) == 2
    assert built[-1].viz_warnings == []
    assert built[-1].params.bargaining.face_offer == pytest.approx(0.8)


def test_the_cast_select_and_seed_box_rebuild_the_model(built):
    rc = render(CASTS_DIR / "ukraine_2022.toml")
    rc.find(vw.Select, label="Cast (agents/*.toml)").widget.v_model = "dyad"
    seed = rc.find(vw.TextField, label="Seed (integer)").widget
    seed.v_model = "17"
    seed.fire_event("keyup.enter", None)  # the box commits on Enter or when it loses focus
    click(rc, "Reset")
    assert built[-1].cast.cast.name == "dyad"
    assert built[-1].seed_used == 17


def test_a_non_integer_seed_warns_and_keeps_the_page(built):
    rc = render(CASTS_DIR / "dyad.toml")
    seed = rc.find(vw.TextField, label="Seed (integer)").widget
    seed.v_model = "1.5e3"
    seed.fire_event("keyup.enter", None)
    click(rc, "Reset")
    assert built[-1].seed_used == 0
    rc.find(vw.Alert, children=["seed '1.5e3' is not a whole number; using 0"]).assert_single()
    click(rc, "Step")  # still alive
    assert built[-1].tick == 1


def test_step_and_reset_update_the_panels_in_place(built):
    rc = render(CASTS_DIR / "dyad.toml")

    def panels() -> list[int]:
        root = rc.find(vw.Html).widgets[0]
        return [id(w) for w in widgets(root) if isinstance(w, solara.widgets.HTML)]

    before = panels()
    click(rc, "Step")
    click(rc, "Reset")
    assert panels() == before  # same widgets, new content: nothing rebuilt in the browser
    assert built[-1].tick == 0 and len(built) == 2
