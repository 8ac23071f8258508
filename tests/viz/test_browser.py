"""End to end: `negsim viz` served offline, driven by a person's clicks in headless Chromium."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results" / "viz"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """`negsim viz` on a free loopback port; yields its URL once it answers."""
    port = free_port()
    negsim = Path(sys.executable).parent / "negsim"
    log = tmp_path_factory.mktemp("viz") / "server.log"
    proc = subprocess.Popen(
        [str(negsim), "viz", "--port", str(port)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"negsim viz did not start:\n{log.read_text()}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    assert f"http://127.0.0.1:{port}/" in log.read_text()  # the command said where to look


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def series_points(page) -> int:
    """How many weeks the time-series figure plots (plotly keeps the data on its div)."""
    return page.evaluate(
        """() => {
        const div = [...document.querySelectorAll('.js-plotly-plot')]
            .find(d => d.layout && d.layout.meta === 'negsim-series');
        return div ? div.data[0].y.length : -1;
    }"""
    )


def test_stepping_updates_the_page_offline(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    external: list[str] = []
    failed: list[tuple[int, str]] = []
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else external.append(r.url))
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    page.goto(server)
    step = page.get_by_role("button", name="Step", exact=True)
    step.wait_for(state="visible", timeout=30_000)
    expect(page.locator(".js-plotly-plot")).to_have_count(3, timeout=30_000)  # not blank
    week = page.get_by_text(re.compile(r"^Week \d+ of \d+"))
    expect(week).to_contain_text("Week 0 of 104")
    expect(page.get_by_text("Time: 0")).to_be_visible()  # Mesa's own step counter
    assert series_points(page) == 1

    for n in range(1, 6):  # a person clicks, then looks
        step.click()
        expect(week).to_contain_text(f"Week {n} of 104", timeout=20_000)
    expect(page.get_by_text("Time: 5")).to_be_visible()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot')]
            .some(d => d.layout && d.layout.meta === 'negsim-series' && d.data[0].y.length === 6)"""
    )
    assert series_points(page) == 6
    expect(page.locator("td", has_text=re.compile(r"^w\d+$")).first).to_be_visible()  # events
    expect(page.get_by_text("Traceback")).to_have_count(0)
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / "viz_after_steps.png"), full_page=True)
    assert external == [], f"the page reached outside the machine: {external}"
    assert failed == [], failed
