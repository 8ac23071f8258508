"""End to end: `negsim viz` served offline, driven by a person's clicks in headless Chromium.

The test also times what a person waits for (the first render, a Step, Play, Reset) and
writes the figures to results/viz/browser_timings.json (and prints them); it asserts none of
them, since they depend on the machine's load.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import statistics
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
STEPS = 8  # Step clicks timed
PLAY_SECONDS = 3.0  # how long Play is watched: at 14 weeks/s seed 0 (73 weeks) still runs

# Console messages that every Solara page logs and negsim cannot change, with the reason.
CONSOLE_ALLOWED = {
    # Solara's router template (solara/widgets/vue/navigator.vue) misspells `module.exports`;
    # ipyvue then loads it the old way, which works, and says so.
    "Failed to evaluate Vue script and find module.exports": "warning",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """`negsim viz` on a free loopback port; yields its URL once it answers, and its log."""
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
    yield url, log
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


WEEK_DRAWN = """() => {
    const svg = document.querySelector('svg[data-figure="negsim-series"]');
    return svg ? Number(svg.dataset.weeks) - 1 : -1;
}"""
"""The last week the time-series figure shows (-1 before it is drawn)."""


def week_drawn(page) -> int:
    return page.evaluate(WEEK_DRAWN)


def wait_for_week(page, week: int, timeout: float = 20_000) -> None:
    page.wait_for_function(f"() => ({WEEK_DRAWN})() === {week}", timeout=timeout)


def watch_play(page, seconds: float) -> list[tuple[float, int]]:
    """(seconds since start, week shown) every time the shown week changes, for ``seconds``."""
    return page.evaluate(
        "async (ms) => { const week = "
        + WEEK_DRAWN
        + """;
        const seen = [[0, week()]];
        const start = performance.now();
        while (performance.now() - start < ms) {
            await new Promise((resolve) => requestAnimationFrame(resolve));
            const now = week();
            if (now !== seen[seen.length - 1][1]) {
                seen.push([(performance.now() - start) / 1000, now]);
            }
        }
        return seen;
    }""",
        seconds * 1000,
    )


def unexpected(messages: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Console messages not in the allow-list."""
    return [
        (kind, text)
        for kind, text in messages
        if not any(text.startswith(start) and kind == k for start, k in CONSOLE_ALLOWED.items())
    ]


def test_stepping_playing_and_resetting_keep_up_offline(server, browser):
    from playwright.sync_api import expect

    url, log = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    external: list[str] = []
    failed: list[tuple[int, str]] = []
    console: list[tuple[str, str]] = []
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else external.append(r.url))
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    page.on(
        "console",
        lambda m: console.append((m.type, m.text)) if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
    timings: dict[str, object] = {}

    start = time.perf_counter()
    page.goto(url)
    step = page.get_by_role("button", name="Step", exact=True)
    step.wait_for(state="visible", timeout=30_000)
    expect(page.locator("svg[data-figure]")).to_have_count(3, timeout=30_000)  # not blank
    wait_for_week(page, 0)
    timings["first_render_s"] = time.perf_counter() - start
    week = page.get_by_text(re.compile(r"^Week \d+ of \d+"))
    expect(week).to_contain_text("Week 0 of 104")

    latencies = []
    for n in range(1, STEPS + 1):  # a person clicks, then looks
        start = time.perf_counter()
        step.click()
        wait_for_week(page, n)
        latencies.append(time.perf_counter() - start)
        expect(week).to_contain_text(f"Week {n} of 104")
    timings["step_s"] = latencies
    timings["step_median_s"] = statistics.median(latencies)
    expect(page.locator("td", has_text=re.compile(r"^w\d+$")).first).to_be_visible()  # events
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / "viz_after_steps.png"), full_page=True)

    page.get_by_role("button", name="▶", exact=True).click()
    seen = watch_play(page, PLAY_SECONDS)
    start = time.perf_counter()
    page.get_by_role("button", name="❚❚", exact=True).click()  # pause
    paused_at = week_drawn(page)
    timings["pause_click_s"] = time.perf_counter() - start
    time.sleep(1.0)
    settled = week_drawn(page)  # a week already under way may still arrive
    time.sleep(1.0)
    assert week_drawn(page) == settled, "the model kept playing after pause"
    assert settled <= paused_at + 1
    shown = [w for _, w in seen]
    first_change = next((t for t, w in seen if w != shown[0]), None)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(seen)]
    timings["play"] = {
        "seconds": PLAY_SECONDS,
        "weeks_per_s": (shown[-1] - shown[0]) / PLAY_SECONDS,
        "frames_per_s": (len(shown) - 1) / PLAY_SECONDS,  # distinct weeks drawn
        "first_week_after_s": first_change,
        "longest_wait_s": max(gaps, default=None),
    }
    assert shown[-1] > shown[0], "Play drew nothing"

    start = time.perf_counter()
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_for_week(page, 0)
    timings["reset_s"] = time.perf_counter() - start
    expect(week).to_contain_text("Week 0 of 104")

    timings["console"] = console
    (RESULTS / "browser_timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print(json.dumps(timings, indent=2))
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert external == [], f"the page reached outside the machine: {external}"
    assert failed == [], failed
    assert unexpected(console) == [], unexpected(console)
    server_log = log.read_text()
    assert "Traceback" not in server_log
    assert "Warning" not in server_log and "warning" not in server_log, server_log


def test_slider_values_are_shown_and_move_with_the_slider(server, browser):
    from playwright.sync_api import expect

    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    label = page.get_by_text("face offer (bargaining)", exact=True)
    label.wait_for(timeout=30_000)
    row = page.locator(".v-input", has=label).locator("xpath=..")
    value = row.get_by_text(re.compile(r"^\d+\.\d\d$"))
    before = value.inner_text()
    row.get_by_role("slider").press("Home")  # to the minimum
    expect(value).to_have_text("0.00")
    assert before != "0.00"
