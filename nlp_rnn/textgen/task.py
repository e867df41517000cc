"""Training a language model with the shared engine: BPTT, carried and detached state, perplexity."""

from __future__ import annotations

import math

import torch

from nlp_rnn import distributed
from nlp_rnn.devices import to_model
from nlp_rnn.models.recurrent import detach_hidden
from nlp_rnn.textgen.batches import BpttBatches, batchify
from nlp_rnn.training import Task


class LanguageModelTask(Task):
    """Train on ``train_ids`` in BPTT windows; validate on ``valid_ids`` (both 1-D long tensors).

    Under N ranks each takes a contiguous block of the ``batch_size`` streams (rows), so its carried
    hidden state still continues its own streams; the saved state holds every rank's streams.
    """

    def __init__(self, train_ids: torch.Tensor, valid_ids: torch.Tensor | None = None,
                 batch_size: int = 20, bptt: int = 35, eval_batch_size: int = 10):
        self.train = batchify(train_ids, batch_size)
        self.valid = batchify(valid_ids, eval_batch_size) if valid_ids is not None else None
        self.bptt, self.batch_size = bptt, batch_size
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
        rows = distributed.local_rows(self.valid)
        total, count = distributed.all_sum(list(_sums(model, rows, self.bptt)) if rows is not None else [0.0, 0])
        loss = total / max(count, 1)
        return {"val_loss": loss, "val_perplexity": math.exp(min(loss, 50.0))}

    def state_tensors(self) -> dict[str, torch.Tensor]:
        if self.hidden is None:
            return {}
        parts = self.hidden if isinstance(self.hidden, tuple) else (self.hidden,)
        gathered = [distributed.all_gather(part, dim=1) for part in parts]  # (layers, streams, hidden)
        return dict(zip(("hidden.h", "hidden.c"), gathered))

    def load_state_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        world = distributed.current()
        parts = [tensors[k].tensor_split(world.size, dim=1)[world.rank] for k in ("hidden.h", "hidden.c") if k in tensors]
        self.hidden = (parts[0], parts[1]) if len(parts) == 2 else (parts[0] if parts else None)


@torch.no_grad()
def cross_entropy(model, streams: torch.Tensor, bptt: int) -> float:
    """Mean cross-entropy in nats per token over batchified ``streams``, state carried throughout."""
    total, count = _sums(model, streams, bptt)
    return total / max(count, 1)


@torch.no_grad()
def _sums(model, streams: torch.Tensor, bptt: int) -> tuple[float, int]:
    """Summed cross-entropy (nats) and token count over ``streams`` (CPU), added up on the model's device."""
    was_training = model.training
    model.eval()
    hidden, total, count = None, 0.0, 0
    for window in BpttBatches(streams, bptt):
        inputs, targets = to_model(model, window)
        loss, hidden = model.loss(inputs, targets, hidden)
        total = total + loss.float() * targets.numel()
        count += targets.numel()
    model.train(was_training)
    return float(total), count
