"""One recurrent encoder, many cells: torch's fused nn.RNN / nn.LSTM / nn.GRU behind one interface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

Cell = Literal["rnn", "lstm", "gru"]
Hidden = torch.Tensor | tuple[torch.Tensor, torch.Tensor]
CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
CELL_STEPS = {"rnn": torch.rnn_tanh_cell, "lstm": torch.lstm_cell, "gru": torch.gru_cell}  # one-step kernels


@dataclass(frozen=True)
class RecurrentConfig:
    cell: Cell = "lstm"  # which recurrent cell
    input_size: int = 50  # features per time step
    hidden_size: int = 128  # units per layer and direction
    num_layers: int = 1  # stacked layers
    bidirectional: bool = False  # also read the sequence backwards
    dropout: float = 0.0  # between stacked layers (torch applies none after the last)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def output_size(self) -> int:
        return self.hidden_size * self.num_directions


class RecurrentEncoder(nn.Module):
    """Batch-first recurrent stack: inputs (batch, seq, input) → outputs (batch, seq, hidden·dirs)."""

    def __init__(self, config: RecurrentConfig):
        super().__init__()
        if config.cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, not {config.cell!r}")
        self.config = config
        self.rnn = CELLS[config.cell](
            config.input_size,
            config.hidden_size,
            num_layers=config.num_layers,
            bidirectional=config.bidirectional,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
            batch_first=True,
        )

    def init_hidden(self, batch_size: int) -> Hidden:
        """Zero state; a (h, c) pair for LSTM, each (layers·dirs, batch, hidden)."""
        weight = next(self.parameters())
        shape = (self.config.num_layers * self.config.num_directions, batch_size, self.config.hidden_size)
        h = weight.new_zeros(shape)
        return (h, weight.new_zeros(shape)) if self.config.cell == "lstm" else h

    def forward(
        self, inputs: torch.Tensor, lengths: torch.Tensor | None = None, hidden: Hidden | None = None
    ) -> tuple[torch.Tensor, Hidden]:
        """Run the stack; with ``lengths`` (batch,), padded steps are skipped (packed sequences)
        and their outputs are zero."""
        if hidden is None:
            hidden = self.init_hidden(inputs.size(0))
        if lengths is None or bool((lengths == inputs.size(1)).all()):  # nothing to skip: packing only costs
            return self.rnn(inputs, hidden)
        packed = pack_padded_sequence(inputs, lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, hidden = self.rnn(packed, hidden)
        outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=inputs.size(1))
        return outputs, hidden

    def step(self, inputs: torch.Tensor, hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        """One time step, inputs (batch, input) → top layer's output (batch, hidden), new state.

        Same numbers as ``forward`` on a length-1 sequence, but through torch's single-step cell
        kernels: calling ``nn.LSTM`` for one token costs about three times more than the cell
        arithmetic on a CPU, which dominates token-by-token sampling. Unidirectional stacks only;
        in training mode with dropout between layers it falls back to ``forward``.
        """
        if hidden is None:
            hidden = self.init_hidden(inputs.size(0))
        if self.config.bidirectional or (self.training and self.config.dropout and self.config.num_layers > 1):
            outputs, hidden = self(inputs.unsqueeze(1), hidden=hidden)
            return outputs.squeeze(1), hidden
        cell, lstm = CELL_STEPS[self.config.cell], self.config.cell == "lstm"
        new_h, new_c = [], []
        for layer, weights in enumerate(self.rnn.all_weights):  # [weight_ih, weight_hh, bias_ih, bias_hh] per layer
            if lstm:
                h, c = cell(inputs, (hidden[0][layer], hidden[1][layer]), *weights)
                new_c.append(c)
            else:
                h = cell(inputs, hidden[layer], *weights)
            new_h.append(h)
            inputs = h
        return inputs, ((torch.stack(new_h), torch.stack(new_c)) if lstm else torch.stack(new_h))


def detach_hidden(hidden: Hidden) -> Hidden:
    """Cut the graph between BPTT batches while keeping the values."""
    if isinstance(hidden, tuple):
        return tuple(h.detach() for h in hidden)
    return hidden.detach()


def top_layer_state(hidden: Hidden, config: RecurrentConfig) -> torch.Tensor:
    """The last layer's final h, both directions concatenated: (batch, hidden·dirs)."""
    h = hidden[0] if isinstance(hidden, tuple) else hidden
    h = h.view(config.num_layers, config.num_directions, h.size(1), config.hidden_size)[-1]
    return torch.cat(list(h), dim=-1)
