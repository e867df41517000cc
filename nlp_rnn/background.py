"""Default models trained in a background thread on first use, so that a page stays usable meanwhile.

One job per model folder per process: every session (browser tab) that needs the model while it trains
follows the same job and reads its ``ProgressRecord``. The job runs the model's own ``load_default``,
so across processes the lock and the atomic publication of ``nlp_rnn.defaults.train_once`` still hold:
a process killed mid-training publishes nothing, and a second process waits for the first one.

The thread touches no Streamlit call (it has no session to draw in); it ends when the model is published,
whoever is still watching: the model is the machine's, trained once for every later visitor, so a closed
tab does not stop it. Stopping the server (Ctrl-C) ends it at its next step, before it publishes (the
temporary folder goes with it); a server that is killed leaves only the temporary folder, which the next first
use removes.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from nlp_rnn.progress_record import ProgressRecord

log = logging.getLogger(__name__)
_jobs: dict[Path, FirstUse] = {}  # model folder → its latest job in this process
_guard = threading.Lock()
EXIT_WAIT_SECONDS = 10.0  # at exit, how long a cancelled first use may take to reach its next step


class Cancelled(Exception):
    """The process is exiting: the first use ends without publishing anything."""


class _Record(ProgressRecord):
    """The job's record, which also ends the training when the job is cancelled (at the next step or run)."""

    def __init__(self, what: str, cancelled: threading.Event):
        super().__init__(what)
        self.cancelled = cancelled

    def on_step(self, trainer, loss: float) -> None:
        self._check()
        super().on_step(trainer, loss)

    def __call__(self, done: int, total: int, what: str) -> None:
        self._check()
        super().__call__(done, total, what)

    def _check(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled("the server is stopping")


class FirstUse:
    """``train(record)`` in a thread: it trains (or waits for another process to train) and returns the model."""

    def __init__(self, what: str, train: Callable[[ProgressRecord], object]):
        self.what, self._train = what, train
        self._cancelled = threading.Event()
        self.record: ProgressRecord = _Record(f"Training {what}", self._cancelled)
        self.model: object | None = None  # the trained model, loaded: handed to the pages' cache once
        self.error: Exception | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"first use: {what}", daemon=True)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (or ``timeout`` seconds pass); whether it ended."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        try:
            self.model = self._train(self.record)
        except Cancelled:
            log.warning("first use of %s stopped: the process is exiting", self.what)
        except Exception as error:  # kept for the pages to show (a user's message or the traceback), not lost
            log.exception("first use of %s failed", self.what)
            self.error = error
        finally:
            self._done.set()


def first_use(directory: Path, what: str, train: Callable[[ProgressRecord], object]) -> FirstUse:
    """The job that trains the model in ``directory``: the one running in this process, else a new one, started
    here (after a failure, too: a later visit tries again)."""
    with _guard:
        job = _jobs.get(directory)
        if job is None or job.done:
            job = _jobs[directory] = FirstUse(what, train)
            job._thread.start()
        return job


def job(directory: Path) -> FirstUse | None:
    """The latest job of ``directory`` in this process, running or ended, or None."""
    with _guard:
        return _jobs.get(directory)


def wait_all(timeout: float) -> None:
    """Wait until every job running in this process has ended (tests: a page that needs the default models)."""
    deadline = time.monotonic() + timeout
    with _guard:
        running = list(_jobs.values())
    for each in running:
        each.wait(max(deadline - time.monotonic(), 0.0))


@atexit.register  # before the interpreter ends daemon threads: a thread inside torch then aborts the process
def _cancel_all() -> None:
    with _guard:
        running = [each for each in _jobs.values() if not each.done]
    for each in running:
        each._cancelled.set()
    wait_all(EXIT_WAIT_SECONDS)  # the ended ones return at once
