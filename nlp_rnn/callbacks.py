"""Training callbacks shared by the applications."""

from __future__ import annotations

import logging

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
