"""Training callbacks shared by the applications."""

from __future__ import annotations

import logging
import time

from torch import nn

from nlp_rnn.training import Callback, Trainer

log = logging.getLogger(__name__)


class UnfreezeEmbedding(Callback):
    """Fine-tuning: keep pretrained vectors fixed for ``after_epochs`` epochs, then train them too."""

    def __init__(self, embedding: nn.Embedding, after_epochs: int):
        self.embedding, self.after_epochs = embedding, after_epochs

    def on_epoch_end(self, trainer: Trainer, record: dict) -> None:
        if record.get("complete") and record["epoch"] >= self.after_epochs and not self.embedding.weight.requires_grad:
            self.embedding.weight.requires_grad_(True)
            log.info("embedding unfrozen after epoch %d", record["epoch"])


class StepProgress(Callback):
    """Reports the run's progress every ``every_s`` seconds of training steps: ``report(fraction, text)``
    with the epoch, the last loss and the time left at the pace so far (a page's progress bar)."""

    def __init__(self, report, epochs: int, every_s: float = 0.25):
        self.report, self.epochs, self.every_s = report, epochs, every_s
        self.started, self.shown, self.per_epoch = None, 0.0, None

    def on_step(self, trainer: Trainer, loss: float) -> None:
        now = time.monotonic()
        self.started = self.started or now
        if now - self.shown < self.every_s:
            return
        self.shown = now
        self.per_epoch = self.per_epoch or max(1, len(trainer.task.train_batches(0)))
        p = trainer.progress
        done = min(1.0, (p.epoch + min(p.step_in_epoch, self.per_epoch) / self.per_epoch) / self.epochs)
        left = (now - self.started) * (1 - done) / max(done, 1e-9)
        self.report(done, f"epoch {p.epoch + 1} of {self.epochs}, loss {loss:.3f}, about {left:.0f} s left")
