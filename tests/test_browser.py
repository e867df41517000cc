"""The suite in a real headless Chromium: `streamlit run` on a free port, driven by Playwright.

Debian's Chromium at /usr/bin/chromium and the Noto colour emoji font (``make test`` installs both
or stops saying why); never ``playwright install``. These tests never skip: without Chromium they fail.
They run first in a session (tests/conftest.py), so the server meets the empty model cache a newcomer
has and the AppTests after them reuse the default models it trained. Screenshots go to tests/screenshots/
(git-ignored).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "screenshots"
pytestmark = pytest.mark.browser


DEFAULTS = {"emojify": "nlp_rnn.emojify.default", "textgen": "nlp_rnn.textgen.default", "jazz": "nlp_rnn.jazz.default"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "apps" / "Home.py"), "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium and fonts-noto-color-emoji (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"])
        yield browser
        browser.close()


def open_page(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(url, timeout=60_000)
    page.locator("h1").first.wait_for(timeout=60_000)  # the script is running and drawing
    page.wait_for_timeout(500)
    wait_until_idle(page, 300_000)  # a first launch may train a default model
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return page


def wait_until_idle(page, timeout: int) -> None:
    """Until the script run is over: no running-man status widget and no spinner (a cached loader's)."""
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"], [data-testid=\"stSpinner\"]')",
                           timeout=timeout)


def assert_no_errors(page):
    errors = page.query_selector_all("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert not errors, [e.inner_text()[:300] for e in errors]


def default_ready(path: str) -> bool:
    import importlib

    from nlp_rnn import checkpoint

    return checkpoint.exists(importlib.import_module(DEFAULTS[path]).default_model_dir())


def step_shown(page) -> int | None:
    """The step the first progress bar on the page reports, or None while there is none."""
    import re

    bar = page.query_selector("[data-testid='stProgress']")
    found = re.search(r"(?:step|run) (\d+)", bar.inner_text()) if bar else None
    return int(found.group(1)) if found else None


@pytest.mark.parametrize("path", ["emojify", "textgen", "jazz"])
def test_a_newcomers_first_visit_shows_training_progress_that_moves(server, browser, path):
    """On an empty cache (these tests run first), each page that needs a default model trains it with a
    progress bar whose step count goes up, says the measured time, and then answers without an error."""
    assert not default_ready(path), "the browser tests must run first, on an empty model cache"
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{server}/{path}", timeout=60_000)
    page.get_by_text("First use on this machine").wait_for(timeout=120_000)
    assert "measured:" in page.get_by_text("First use on this machine").inner_text()
    deadline, steps = time.time() + 240, []
    while time.time() < deadline and (len(steps) < 2 or steps[-1] <= steps[0]):
        if (step := step_shown(page)) is not None:
            steps.append(step)
        page.wait_for_timeout(500)
    assert len(steps) >= 2 and steps[-1] > steps[0], steps  # the bar moves while it trains
    page.get_by_text("First use on this machine").wait_for(state="detached", timeout=800_000)
    wait_until_idle(page, 120_000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"first-use-{path}.png"), full_page=True)
    assert_no_errors(page)
    assert default_ready(path) and not page.get_by_text("First use on this machine").count()
    page.close()


@pytest.mark.parametrize("path", ["", "emojify", "textgen", "jazz", "lab"])
def test_every_page_loads_without_an_error(server, browser, path):
    page = open_page(browser, f"{server}/{path}", path or "home")
    assert_no_errors(page)
    assert page.locator("h1").first.inner_text().strip()
    page.close()


def test_emojify_shows_an_emoji_for_a_typed_sentence(server, browser):
    page = open_page(browser, f"{server}/emojify", "emojify-typed")
    box = page.get_by_role("textbox", name="Sentence")
    box.fill("let's have pasta for dinner tonight")
    box.press("Enter")
    page.wait_for_function("document.body.innerText.includes('fork_and_knife')", timeout=60_000)
    assert "🍴" in page.locator("h1").nth(1).inner_text()
    assert_no_errors(page)
    page.close()


def test_text_generation_shows_generated_text(server, browser):
    page = open_page(browser, f"{server}/textgen", "textgen-generate")
    page.get_by_role("button", name="Generate").click(timeout=300_000)
    output = page.get_by_role("textbox", name="Generated")
    output.wait_for(timeout=60_000)
    assert len(output.input_value()) > 50 and output.input_value().startswith("The ")
    assert_no_errors(page)
    page.close()


def test_jazz_shows_an_audio_player_and_a_download_button(server, browser):
    page = open_page(browser, f"{server}/jazz", "jazz-improvise")
    page.get_by_role("button", name="Improvise").click(timeout=300_000)
    page.locator("audio").first.wait_for(timeout=60_000)
    download = page.get_by_role("button", name="Download MIDI")
    download.wait_for(timeout=30_000)
    assert page.locator("audio").first.get_attribute("src")
    with page.expect_download(timeout=30_000) as event:
        download.click()
    assert event.value.suggested_filename == "solo.mid"
    assert Path(event.value.path()).read_bytes().startswith(b"MThd")
    page.screenshot(path=str(SHOTS / "jazz-solo.png"), full_page=True)
    assert_no_errors(page)
    page.close()


def test_two_sessions_generating_at_once_get_what_each_would_get_alone(server, browser):
    """Two tabs (two sessions) on one server click Generate together; each gets exactly the text the
    library gives for its seed, so the shared cached model carries no state between sessions."""
    from nlp_rnn.textgen.default import load_default
    from nlp_rnn.textgen.generation import generate_text

    pages = [open_page(browser, f"{server}/textgen", f"textgen-session-{seed}") for seed in (3, 4)]
    for page, seed in zip(pages, (3, 4)):
        for label, value in (("Length", "3000"), ("Seed", str(seed))):
            box = page.get_by_label(label, exact=True)
            box.fill(value)
            box.press("Enter")
        page.wait_for_timeout(300)
        wait_until_idle(page, 60_000)
    for page in pages:
        page.get_by_role("button", name="Generate").click()  # both runs are on the server at once
    outputs = []
    for page in pages:
        output = page.get_by_role("textbox", name="Generated")
        output.wait_for(timeout=120_000)
        outputs.append(output.input_value())
        assert_no_errors(page)
        page.close()
    model = load_default(progress=False)
    assert outputs == [generate_text(model, "The ", 3000, 0.8, None, None, 1, seed)[0] for seed in (3, 4)]

