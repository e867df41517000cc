"""Backpropagation-through-time batches (pytorch/examples word_language_model's scheme).

A corpus of N token ids is cut into ``batch_size`` contiguous streams, one per row; batch i
is the window [i, i + bptt) of every row, and its targets are the same window shifted by one:

    a b c d e f g h i j k l m n o p q r s t u v w x      corpus, batch_size = 4
    ┌ a b c d e f ┐   batch 0 = columns 0-1 (bptt 2)    targets = columns 1-2
    │ g h i j k l │   batch 1 = columns 2-3            targets = columns 3-4
    │ m n o p q r │   ...
    └ s t u v w x ┘   each row continues in the next batch, so the hidden state carries over
"""

from __future__ import annotations

import torch


def batchify(ids: torch.Tensor, batch_size: int) -> torch.Tensor:
    """1-D ids → (batch_size, steps), dropping the tail that does not fill a column."""
    steps = ids.numel() // batch_size
    if steps < 2:
        raise ValueError(f"{ids.numel()} tokens cannot make {batch_size} streams of two or more")
    return ids[: steps * batch_size].view(batch_size, steps)


class BpttBatches:
    """The (inputs, targets) windows of a batchified corpus, each (batch, ≤ bptt)."""

    def __init__(self, streams: torch.Tensor, bptt: int):
        self.streams, self.bptt = streams, bptt

    def __len__(self) -> int:
        return (self.streams.size(1) - 1 + self.bptt - 1) // self.bptt

    def __iter__(self):
        for start in range(0, self.streams.size(1) - 1, self.bptt):
            length = min(self.bptt, self.streams.size(1) - 1 - start)
            yield self.streams[:, start : start + length], self.streams[:, start + 1 : start + 1 + length]
