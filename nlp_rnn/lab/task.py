"""The lab's experiments as ``Task``s for the shared trainer: fixed tensors, shuffled mini-batches."""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

from nlp_rnn.devices import to_model
from nlp_rnn.training import Task


class TensorTask(Task):
    """Inputs → targets; ``loss="ce"`` (class indices, reports accuracy) or ``"mse"`` (values, reports RMSE)."""

    def __init__(self, inputs: torch.Tensor, targets: torch.Tensor, loss: Literal["ce", "mse"],
                 valid: tuple[torch.Tensor, torch.Tensor] | None = None, batch_size: int = 64, seed: int = 0,
                 forward=None):
        self.inputs, self.targets, self.loss, self.valid = inputs, targets, loss, valid
        self.batch_size, self.seed = batch_size, seed
        self.forward = forward or (lambda model, x: model(x))

    def train_batches(self, epoch: int) -> list:
        order = torch.randperm(len(self.inputs), generator=torch.Generator().manual_seed(self.seed * 1_000 + epoch))
        return [(self.inputs[rows], self.targets[rows]) for rows in order.split(self.batch_size)]

    def train_step(self, model, batch) -> tuple[torch.Tensor, int]:
        inputs, targets = batch
        return self._loss(self.forward(model, inputs), targets), len(targets)

    def evaluate(self, model) -> dict[str, float]:
        if self.valid is None:
            return {}
        inputs, targets = to_model(model, self.valid)
        outputs = self.forward(model, inputs).float()
        metrics = {"val_loss": float(self._loss(outputs, targets))}
        if self.loss == "ce":
            metrics["val_accuracy"] = float((outputs.argmax(-1) == targets).float().mean())
        else:
            metrics["val_rmse"] = metrics["val_loss"] ** 0.5
        return metrics

    def _loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(outputs, targets) if self.loss == "ce" else F.mse_loss(outputs, targets)
