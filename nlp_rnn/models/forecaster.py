"""Sequence-to-one regressor: a stack of recurrent layers of any sizes → linear → the next value(s).

``hidden_sizes=(80, 100)`` with dropout 0.2 is the classic forecasting stack LSTM(80) → Dropout →
LSTM(100) → Dropout → Dense; ``(16,)`` with a plain RNN is the classic sine-wave predictor.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from nlp_rnn.models.recurrent import Cell, RecurrentConfig, RecurrentEncoder


@dataclass(frozen=True)
class ForecasterConfig:
    cell: Cell = "lstm"
    input_size: int = 1  # features per time step
    hidden_sizes: tuple[int, ...] = (80, 100)  # one recurrent layer per entry
    dropout: float = 0.2  # after every recurrent layer
    output_size: int = 1  # values predicted from the last step


class Forecaster(nn.Module):
    """inputs (batch, seq, input_size) → (batch, output_size)."""

    def __init__(self, config: ForecasterConfig):
        super().__init__()
        self.config = config
        sizes = (config.input_size, *config.hidden_sizes)
        self.layers = nn.ModuleList(RecurrentEncoder(RecurrentConfig(config.cell, a, b)) for a, b in zip(sizes, sizes[1:]))
        self.dropout = nn.Dropout(config.dropout)
        self.output = nn.Linear(sizes[-1], config.output_size)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            inputs, _ = layer(inputs)  # (batch, seq, hidden)
            inputs = self.dropout(inputs)
        return self.output(inputs[:, -1])
