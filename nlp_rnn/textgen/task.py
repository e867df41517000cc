"""Training a language model with the shared engine: BPTT, carried and detached state, perplexity."""

from __future__ import annotations

import math

import torch

from nlp_rnn.models.recurrent import detach_hidden
from nlp_rnn.textgen.batches import BpttBatches, batchify
from nlp_rnn.training import Task


class LanguageModelTask(Task):
    """Train on ``train_ids`` in BPTT windows; validate on ``valid_ids`` (both 1-D long tensors)."""

    def __init__(self, train_ids: torch.Tensor, valid_ids: torch.Tensor | None = None,
                 batch_size: int = 20, bptt: int = 35, eval_batch_size: int = 10):
        self.train = batchify(train_ids, batch_size)
        self.valid = batchify(valid_ids, eval_batch_size) if valid_ids is not None else None
        self.bptt = bptt
        self.hidden = None

    def train_batches(self, epoch: int) -> BpttBatches:
        return BpttBatches(self.train, self.bptt)  # order is the corpus order, the same every epoch

    def start_epoch(self, model) -> None:
        self.hidden = None

    def train_step(self, model, batch) -> tuple[torch.Tensor, int]:
        inputs, targets = batch
        loss, hidden = model.loss(inputs, targets, self.hidden)  # full or adaptive softmax
        self.hidden = detach_hidden(hidden)
        return loss, targets.numel()

    def evaluate(self, model) -> dict[str, float]:
        if self.valid is None:
            return {}
        loss = cross_entropy(model, self.valid, self.bptt)
        return {"val_loss": loss, "val_perplexity": math.exp(min(loss, 50.0))}

    def state_tensors(self) -> dict[str, torch.Tensor]:
        if self.hidden is None:
            return {}
        if isinstance(self.hidden, tuple):
            return {"hidden.h": self.hidden[0], "hidden.c": self.hidden[1]}
        return {"hidden.h": self.hidden}

    def load_state_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        if "hidden.c" in tensors:
            self.hidden = (tensors["hidden.h"], tensors["hidden.c"])
        else:
            self.hidden = tensors.get("hidden.h")


@torch.no_grad()
def cross_entropy(model, streams: torch.Tensor, bptt: int) -> float:
    """Mean cross-entropy in nats per token over batchified ``streams``, state carried throughout."""
    was_training = model.training
    model.eval()
    hidden, total, count = None, 0.0, 0
    for inputs, targets in BpttBatches(streams, bptt):
        loss, hidden = model.loss(inputs, targets, hidden)
        total += float(loss) * targets.numel()
        count += targets.numel()
    model.train(was_training)
    return total / max(count, 1)
