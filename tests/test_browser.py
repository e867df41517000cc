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


def start_server(command: list[str], env: dict) -> tuple[subprocess.Popen, str]:
    """``command`` (a ``streamlit run`` on a free port, which it is given as ``{port}``) and its URL once healthy."""
    port = free_port()
    process = subprocess.Popen([part.format(port=port) for part in command], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120  # a shared, loaded machine: seen over 60 s
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    pytest.fail("streamlit did not start within 120 s")


@pytest.fixture(scope="module")
def server_process():
    process, url = start_server([sys.executable, "-m", "streamlit", "run", str(ROOT / "apps" / "Home.py"),
                                 "--server.headless", "true", "--server.address", "127.0.0.1",
                                 "--server.port", "{port}"], os.environ.copy())
    yield process, url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(server_process):
    return server_process[1]


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


PANEL = "First use on this machine"  # the progress panel of a default model training in the background
IDLE = "!document.querySelector('[data-testid=\"stStatusWidget\"], [data-testid=\"stSpinner\"]')"


def open_page(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(url, timeout=60_000)
    page.locator("h1").first.wait_for(timeout=60_000)  # the script is running and drawing
    wait_until_ready(page, 600_000, url.rstrip("/").rsplit("/", 1)[-1] in DEFAULTS)  # a first launch may train one
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return page


def wait_until_idle(page, timeout: int) -> None:
    """Until the script run is over: no running-man status widget and no spinner (a cached loader's)."""
    page.wait_for_function(IDLE, timeout=timeout)


def wait_until_ready(page, timeout: int, has_model: bool = False) -> None:
    """Until the page is in its real state: no default model training (its panel goes, and the page reruns with the
    model, when it is published) and the script run over, twice a second apart: the title of a run arrives before
    its status widget and its first-use panel do, so one look can come too early."""
    ready = f"{IDLE} && !document.body.innerText.includes('{PANEL}')"
    if has_model:  # a page with a model is ready when its caption names it (the status widget can lag the run)
        ready += " && document.body.innerText.includes('Model: ') && !document.body.innerText.includes('training now')"
    deadline = time.time() + timeout / 1000
    while True:
        page.wait_for_function(ready, timeout=max(deadline - time.time(), 1) * 1000)
        page.wait_for_timeout(1000)
        if page.evaluate(ready):
            return


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


def steps_move(page, timeout: float = 240) -> list[int]:
    """The steps (or runs) the first-use panel's bar shows, read every half second until the count has gone up."""
    deadline, steps = time.time() + timeout, []
    while time.time() < deadline and (len(steps) < 2 or steps[-1] <= steps[0]):
        if (step := step_shown(page)) is not None:
            steps.append(step)
        page.wait_for_timeout(500)
    assert len(steps) >= 2 and steps[-1] > steps[0], steps  # the bar moves while it trains
    return steps


MEANWHILE = {  # a radio on the Train tab (which needs no default model) and what shows once the page has rerun
    "emojify": ("v1", lambda page: page.get_by_text("Epochs (at most")),  # the Model radio: v1 has an epochs box
}
ANSWERS = {"emojify": "Model: default (bundled data), auto", "textgen": "Model: default (built-in Lee corpus",
           "jazz": "Model: default on berlinAlexandersRagtime.mxl"}


@pytest.mark.parametrize("path", ["emojify", "textgen", "jazz"])
def test_a_newcomers_first_visit_shows_training_progress_that_moves(server, browser, path):
    """On an empty cache (these tests run first), each page that needs a default model trains it in the background
    with a panel whose step count goes up and that says the measured time; meanwhile the page's Train tab answers
    (Emojify's, the longest first use: 28 s); then the model's part appears without a click."""
    assert not default_ready(path), "the browser tests must run first, on an empty model cache"
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{server}/{path}", timeout=60_000)
    panel = page.get_by_text(PANEL)
    panel.wait_for(timeout=120_000)
    assert "measured:" in panel.inner_text()
    assert "training now" in page.get_by_text("This part needs").first.inner_text()
    steps_move(page)
    if path in MEANWHILE:
        choice, shown = MEANWHILE[path]
        page.get_by_role("tab", name="Train").click()
        page.get_by_text(choice, exact=True).click()
        shown(page).wait_for(timeout=60_000)  # a whole run of the page, while the model trains
        assert panel.is_visible(), "the default model finished before the page answered: nothing was shown meanwhile"
    panel.wait_for(state="detached", timeout=800_000)
    page.get_by_text(ANSWERS[path]).wait_for(timeout=120_000)  # the page reran by itself, with the model
    wait_until_idle(page, 120_000)
    # a note drawn by the run before can outlive one more rerun (the panel's last timer tick): it must go by itself
    page.get_by_text("This part needs").first.wait_for(state="detached", timeout=60_000)
    wait_until_idle(page, 120_000)
    if path == "emojify":
        page.get_by_role("tab", name="Sentence").click()
        assert page.locator("h1").nth(1).inner_text().strip()  # the emoji of the page's example sentence
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"first-use-{path}.png"), full_page=True)
    assert_no_errors(page)
    assert default_ready(path) and not page.get_by_text(PANEL).count() and not page.get_by_text("This part needs").count()
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



def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def goes_idle(pid: int, timeout: float) -> bool:
    """Whether process ``pid`` spends under a tenth of a core for a whole second before ``timeout`` runs out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        before = cpu_seconds(pid)
        time.sleep(1.0)
        if cpu_seconds(pid) - before < 0.1:
            return True
    return False


def start_auto_training(page) -> None:
    """Emojify's Train tab, Train (the default: --model auto on the bundled data), until its bar reports a run."""
    page.get_by_role("tab", name="Train").click()
    page.get_by_role("button", name="Train", exact=True).click()
    bar = page.get_by_text("Training auto:")
    bar.wait_for(state="attached", timeout=60_000)
    if not bar.is_visible():
        # Seen once in CI (a Train click right after a stop, under load): the run trained with its bar updating in a
        # Train panel left hidden, another tab selected. Not reproduced since (alone, or beside 2 busy loops); the
        # picture is kept for the day it is, and the tab is chosen again, as a user would, to test what follows.
        page.screenshot(path=str(SHOTS / "emojify-train-tab-hidden.png"), full_page=True)
        page.get_by_role("tab", name="Train").click()
    bar.wait_for(timeout=60_000)


def test_stop_ends_a_training_and_a_closed_tab_ends_its_own(server_process, browser):
    """Stop on Emojify's default (auto) training: the run ends, the page says so and keeps its model, on the tab
    the user was on. Then a tab closed mid-training: the server stops training it and keeps serving."""
    process, url = server_process
    page = open_page(browser, f"{url}/emojify", "emojify-stop")
    start_auto_training(page)
    page.get_by_role("button", name="Stop").click()
    said = page.get_by_text("Training stopped (cross-validation")
    said.wait_for(timeout=60_000)
    assert "the page keeps its previous model" in said.inner_text()
    wait_until_idle(page, 60_000)
    assert page.get_by_text("Model: default (bundled data)").count() == 1
    assert page.get_by_role("tab", name="Train").get_attribute("aria-selected") == "true"  # still on Train
    assert page.get_by_role("button", name="Stop").count() == 0
    assert_no_errors(page)
    page.screenshot(path=str(SHOTS / "emojify-stopped.png"), full_page=True)
    start_auto_training(page)
    page.close()  # the session ends mid-training
    assert goes_idle(process.pid, 30), "the server kept training for a closed tab"
    test_emojify_shows_an_emoji_for_a_typed_sentence(url, browser)  # and serves the next visitor as before


def test_a_first_use_closed_then_killed_mid_training_publishes_nothing_partial(browser, tmp_path):
    """A first use (the tiny default text model of tests/tiny_default_server.py, through the page) whose tab
    closes and whose server is then killed once the temporary folder holds a partly trained model: no default
    is published; the next server's first use publishes exactly what an uninterrupted one gives, and answers."""
    import torch

    from nlp_rnn.models.store import load_model
    from nlp_rnn.textgen import default
    from nlp_rnn.threads import one_thread
    from tests.tiny_default_server import tiny_options

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a small corpus for a tiny default model, a few batches per epoch.\n" * 6)
    options = tiny_options(str(corpus))
    env = {**os.environ, "NLP_RNN_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}  # tiny: 1 thread is fastest
    command = [sys.executable, "-m", "tests.tiny_default_server", str(corpus), "{port}"]
    process, url = start_server(command, env)
    page = browser.new_page()
    page.goto(f"{url}/textgen", timeout=60_000)
    page.get_by_text(PANEL).wait_for(timeout=60_000)
    page.close()
    models, deadline = tmp_path / "cache" / "models", time.time() + 120
    while not list(models.glob(".*.training-*/checkpoint.json")) and time.time() < deadline:
        time.sleep(0.05)  # an epoch is saved in the temporary folder: a partial model is on disk
    process.kill()
    process.wait(timeout=20)
    assert list(models.glob(".*.training-*/checkpoint.json")), "the first use never saved an epoch"
    assert [p.name for p in models.iterdir() if not p.name.startswith(".")] == []  # nothing published

    process, url = start_server(command, env)
    try:
        page = browser.new_page()
        page.goto(f"{url}/textgen", timeout=60_000)
        page.get_by_text(PANEL).wait_for(timeout=60_000)  # trains the tiny default again
        page.get_by_text(PANEL).wait_for(state="detached", timeout=120_000)
        page.get_by_role("button", name="Generate").click(timeout=60_000)
        page.get_by_role("textbox", name="Generated").wait_for(timeout=60_000)
        assert_no_errors(page)
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    with pytest.MonkeyPatch.context() as patch, one_thread():
        patch.setattr(default, "OPTIONS", options)
        patch.setenv("NLP_RNN_CACHE", str(tmp_path / "cache"))
        published = load_model(default.default_model_dir()).model.state_dict()
        patch.setenv("NLP_RNN_CACHE", str(tmp_path / "reference"))
        default.load_default(progress=False)  # an uninterrupted first use, in this process
        expected = load_model(default.default_model_dir()).model.state_dict()
    assert published.keys() == expected.keys()
    assert all(torch.equal(published[k], expected[k]) for k in expected)
