"""Where a training is, in words a user can read (epoch done of total, step, items/s, time left), kept so
that another thread can read it while the training thread writes it: a page's progress panel follows a
default model that trains in the background (see ``nlp_rnn.background``)."""

from __future__ import annotations

import threading
import time

from nlp_rnn.training import Callback


def eta(seconds: float, fraction: float) -> str:
    """Time left at this pace, in words."""
    left = seconds / fraction * (1 - fraction) if fraction > 0 else float("inf")
    if left == float("inf"):
        return "estimating time left …"
    return f"about {left:.0f} s left" if left < 90 else f"about {left / 60:.0f} min left"


class ProgressRecord(Callback):
    """Written by a Trainer's callbacks (``on_step``, ``on_epoch_end``) or by a job that counts runs
    (``record(done, total, what)``: a cross-validation); read with ``fraction()`` and ``words()`` from any thread.

    Only numbers are kept per step (under a lock: a step's fields are read together); the words are made when read."""

    def __init__(self, what: str):
        self.what, self.started = what, time.monotonic()
        self._lock = threading.Lock()
        self._step: tuple | None = None  # (epoch, epochs, step, step in epoch, steps per epoch, items/s, loss)
        self._run: tuple[int, int, str] | None = None  # (done, total, what runs now)
        self._per_epoch: float | None = None  # steps per epoch, known after the first complete epoch

    def on_step(self, trainer, loss: float) -> None:
        self._note(trainer, loss)

    def on_epoch_end(self, trainer, record: dict) -> None:
        if record.get("complete") and self._per_epoch is None:
            self._per_epoch = record["step"] / record["epoch"]
        self._note(trainer, record["train_loss"])

    def __call__(self, done: int, total: int, what: str) -> None:
        with self._lock:
            self._run = (done, total, what)

    def _note(self, trainer, loss: float) -> None:
        p = trainer.progress
        per_epoch = getattr(trainer, "steps_per_epoch", None) or self._per_epoch
        with self._lock:
            speed = p.items / p.seconds if p.seconds > 0 else (self._step[5] if self._step else 0.0)  # an epoch's end
            self._step = (p.epoch, trainer.config.epochs, p.step, p.step_in_epoch, per_epoch, speed, loss)

    def fraction(self) -> float:
        """Share of the work done, 0 to 1: epochs (and the steps of the current one) of the total, or runs."""
        with self._lock:
            return self._fraction()

    def _fraction(self) -> float:
        if self._run is not None:
            done, total, _ = self._run
            return min(done / max(total, 1), 1.0)
        if self._step is None:
            return 0.0
        epoch, epochs, _, in_epoch, per_epoch, _, _ = self._step
        within = min(in_epoch / per_epoch, 1.0) if per_epoch else 0.0
        return min((epoch + within) / epochs, 1.0)

    def words(self) -> str:
        """``What: epoch 3 of 4 (…), step 20, loss 1.000, 640 items/s; 12 s so far, about 8 s left``."""
        with self._lock:
            done, seconds = self._fraction(), time.monotonic() - self.started
            so_far = f"{seconds:.0f} s so far, {eta(seconds, done)}"
            if self._run is not None:
                runs, total, now = self._run
                return f"{self.what}: {now}, run {runs} of {total}; {so_far}"
            if self._step is None:
                return f"{self.what}: preparing the data and the model … {seconds:.0f} s so far"
            epoch, epochs, step, _, _, speed, loss = self._step
            return (f"{self.what}: epoch {min(epoch + 1, epochs)} of {epochs} (at most: stops early once it stops "
                    f"improving), step {step}, loss {loss:.3f}, {speed:,.0f} items/s; {so_far}")
