"""A first visit on a machine without the default model (issue 19, item 2): the model trains in a background
thread while the rest of the page works, a panel follows it with numbers that move, tabs share one training,
and a failure is shown once, then retried.

The real first-use path (``load_default`` through ``defaults.train_once``) on an empty cache; the text default's
options are the tiny ones of tests/tiny_default_server.py, and a gate (a Trainer callback) holds its training at
the end of epochs 1 and 2 so that the test acts while it is surely still training."""

import queue
import threading

import pytest
from streamlit.testing.v1 import AppTest

from nlp_rnn import background
from nlp_rnn.errors import UserError
from nlp_rnn.training import Callback
from tests.test_app import HOME
from tests.tiny_default_server import tiny_options

PANEL = "First use on this machine"


class Gate(Callback):
    """Holds the training at the end of epochs 1 and 2 until the test lets it go on."""

    def __init__(self):
        self.held, self.go = queue.Queue(), threading.Semaphore(0)

    def on_epoch_end(self, trainer, record):
        if record["complete"] and record["epoch"] <= 2:
            self.held.put(record["epoch"])
            self.go.acquire(timeout=60)  # a test that fails lets the thread end within a minute

    def next_epoch(self) -> int:
        return self.held.get(timeout=120)


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NLP_RNN_CACHE", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def gated_text_default(empty_cache, monkeypatch):
    from nlp_rnn.textgen import default

    corpus = empty_cache / "corpus.txt"
    corpus.write_text("a small corpus for a tiny default model, a few batches per epoch.\n" * 6)
    monkeypatch.setattr(default, "OPTIONS", tiny_options(str(corpus)))
    gate, train_text = Gate(), default.train_text
    monkeypatch.setattr(default, "train_text", lambda options, out, callbacks, progress:
                        train_text(options, out, callbacks=[*callbacks, gate], progress=progress))
    yield gate
    for _ in range(3):
        gate.go.release()  # never leave the thread waiting
    job = background.job(default.default_model_dir())
    assert job is None or job.wait(120)


def text_page() -> AppTest:
    at = AppTest.from_file(HOME, default_timeout=120).run()
    return at.switch_page("views/textgen.py").run()


def panel_text(at: AppTest) -> str | None:
    bars = [bar.proto.text for bar in at.get("progress") if bar.proto.text.startswith("Training the default")]
    return bars[0] if bars else None


def step_of(text: str) -> int:
    import re

    return int(re.search(r"step (\d+)", text).group(1))


def test_while_the_default_trains_the_page_works_and_the_panel_moves(gated_text_default):
    """On today's code the first run would train the model inside the script run, behind the gate: it never
    returns while training, and no other widget runs until it is done."""
    from nlp_rnn.textgen import default

    gate = gated_text_default
    at = text_page()  # returns at once: the model trains in the background
    assert not at.exception and any(PANEL in i.value for i in at.info)
    assert at.caption[0].value.endswith("training now")
    assert any("which is training now" in i.value for i in at.info)  # in place of Generate and Pick
    assert not [b for b in at.button if b.key == "text_generate"]
    assert gate.next_epoch() == 1
    first = panel_text(at.run())
    assert "epoch 2 of 8" in first and "left" in first

    at.radio(key="text_level").set_value("word").run()  # the Train tab answers meanwhile
    assert not at.exception and at.selectbox(key="text_preset_word").value.startswith("word")
    other = text_page()  # another tab follows the same training; nothing trains twice
    job = background.job(default.default_model_dir())
    assert at.session_state["_first_use_textgen"] is job is other.session_state["_first_use_textgen"]

    gate.go.release()
    assert gate.next_epoch() == 2
    second = panel_text(at.run())
    assert "epoch 3 of 8" in second and step_of(second) > step_of(first)  # the numbers move
    gate.go.release()
    assert job.wait(120) and job.error is None
    at.run()  # what the panel's rerun does once the model is published
    assert not at.exception and not panel_text(at) and not any(PANEL in i.value for i in at.info)
    assert at.caption[0].value.startswith("Model: default (built-in Lee corpus")
    assert job.model is None  # handed to the pages' cache, not also kept by the job (a cleared cache frees it)
    at.button(key="text_generate").click().run()
    assert not at.exception and at.text_area(key="text_output").value.startswith("The ")


def test_a_failed_first_use_is_shown_once_then_tried_again(empty_cache, monkeypatch):
    from nlp_rnn.textgen import default

    attempts, second = [], threading.Event()

    def broken(options, out, callbacks, progress):
        attempts.append(out)
        if len(attempts) > 1:
            second.wait(60)  # the retry: still training while the page is looked at
        raise UserError("lee.txt: cannot be read; reinstall nlp-rnn")

    monkeypatch.setattr(default, "train_text", broken)
    at = text_page()
    job = background.job(default.default_model_dir())
    assert job.wait(60) and isinstance(job.error, UserError)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Could not train the default text model: lee.txt: cannot be read; reinstall "
                                           "nlp-rnn. The page tries again on its next run."]
    assert any("could not be trained" in w.value for w in at.warning) and not panel_text(at)
    try:
        at.run()  # the next run tries again, and says it is training
        assert not at.error and panel_text(at) and background.job(default.default_model_dir()) is not job
    finally:
        second.set()
    assert background.job(default.default_model_dir()).wait(60) and len(attempts) == 2


def held(release: threading.Event):
    """A stand-in for a default model's training: it waits for ``release``, then fails."""
    def train(*args, **kwargs):
        release.wait(60)
        raise RuntimeError("held by the test, then failed")

    return train


def scale_midi() -> bytes:
    import tempfile
    from pathlib import Path

    from nlp_rnn.jazz.export import write_midi
    from tests.test_jazz import scale_piece

    with tempfile.TemporaryDirectory() as work:
        return write_midi(scale_piece(8), Path(work) / "mine.mid").read_bytes()


@pytest.mark.parametrize("page", ["emojify", "jazz"])
def test_emojify_and_jazz_train_tabs_work_while_their_default_trains(empty_cache, monkeypatch, page):
    """Their default trainings are held (a test of the pages, not of the models) while the Train tab is used; the
    failure that ends them is shown with its traceback."""
    import importlib

    module = importlib.import_module(f"nlp_rnn.{page}.default")
    release = threading.Event()
    trains = (importlib.import_module("nlp_rnn.emojify.auto"), "train_auto") if page == "emojify" else (module, "train")
    monkeypatch.setattr(*trains, held(release))  # (Emojify's default imports train_auto when it trains)
    try:
        at = AppTest.from_file(HOME, default_timeout=120).run().switch_page(f"views/{page}.py").run()
        assert not at.exception and any(PANEL in i.value for i in at.info)
        assert at.caption[0].value.endswith("training now") and any("which is training now" in i.value for i in at.info)
        if page == "emojify":
            at.radio(key="emojify_train_model").set_value("v1").run()
            assert at.number_input(key="emojify_epochs_v1").value > 0
        else:
            at.file_uploader(key="jazz_upload").set_value(("mine.mid", scale_midi(), "audio/midi")).run()
            assert at.selectbox(key="jazz_melody_part").options[0] == "automatic"
        assert not at.exception and any(PANEL in i.value for i in at.info)  # still training
    finally:
        release.set()
    job = background.job(module.default_model_dir())
    assert job.wait(60) and isinstance(job.error, RuntimeError)
    at.run()
    assert "failed (the error below)" in at.error[0].value and at.exception  # with its traceback, not swallowed


def test_first_use_progress_counts_epochs_steps_and_time_left():
    from types import SimpleNamespace

    from nlp_rnn.progress_record import ProgressRecord

    trainer = SimpleNamespace(config=SimpleNamespace(epochs=4),
                              progress=SimpleNamespace(epoch=0, step=0, step_in_epoch=0, items=0, seconds=1.0))
    record = ProgressRecord("Training the default model")
    assert record.fraction() == 0.0 and "preparing the data and the model" in record.words()
    for epoch in range(2):
        for _ in range(10):
            trainer.progress.step += 1
            trainer.progress.step_in_epoch += 1
            trainer.progress.items += 32
            record.on_step(trainer, 1.5)
        trainer.progress.epoch, trainer.progress.step_in_epoch = epoch + 1, 0  # as the Trainer does before the callbacks
        record.on_epoch_end(trainer, {"epoch": epoch + 1, "complete": True, "step": trainer.progress.step,
                                      "train_loss": 1.2})
    trainer.progress.step_in_epoch = 5
    record.on_step(trainer, 1.0)
    assert record.fraction() == 2.5 / 4  # per step, once an epoch's steps are known
    words = record.words()
    assert "epoch 3 of 4" in words and "step 20" in words and "640 items/s" in words and "left" in words
    record(3, 12, "fold 1/3: v1")  # the other protocol: runs of a cross-validation
    assert record.fraction() == 0.25 and "fold 1/3: v1, run 3 of 12" in record.words()


EXITING = """
import sys, time
from nlp_rnn import background
from nlp_rnn.textgen import default
from tests.tiny_default_server import tiny_options
default.OPTIONS = tiny_options(sys.argv[1])
job = background.first_use(default.default_model_dir(), "the tiny model",
                           lambda record: default.load_default(progress=False, callbacks=(record,)))
while "step" not in job.record.words():
    time.sleep(0.01)
"""  # then the interpreter exits (as a stopped server does) while the model trains


def test_a_process_that_exits_mid_first_use_ends_it_cleanly_and_publishes_nothing(tmp_path):
    import os
    import subprocess
    import sys

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a small corpus for a tiny default model, a few batches per epoch.\n" * 200)  # ~30 s of epochs
    env = {**os.environ, "NLP_RNN_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", EXITING, str(corpus)], env=env, capture_output=True, text=True,
                          timeout=120, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert done.returncode == 0, done.stderr[-2000:]  # not torch's abort of a thread killed mid-op
    assert "first use of the tiny model stopped: the process is exiting" in done.stderr
    assert [p.name for p in (tmp_path / "cache" / "models").iterdir() if not p.name.endswith(".lock")] == []
