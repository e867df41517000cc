"""A batch of sentences read step by step, as torch's packed sequences read it, and sums over each sentence's steps.

The sentences go longest first (``order``): at step t the first ``sizes[t]`` of them take part, so a recurrent
layer's state for step t + 1 is the first rows of its state for step t. A *row* is one (step, sentence) pair,
step after step; the numpy classifier keeps its recurrent states in these rows from the first layer to the
pooling, and ``sum``/``max``/``softmax`` reduce them per sentence with one numpy call per step (``np.add.reduceat``
over the tokens' (tokens, 128) states took a quarter of the default ensemble's time: one inner loop per column
and sentence).

``sum`` gives exactly what ``np.add.reduceat`` gives over each sentence's tokens: numpy adds a segment's first
value to the pairwise sum of the rest (``pairwise_sum`` in numpy's ``loops_utils.h.src``: up to 7 values one
after another; up to 128 in 8 running sums, combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then
the last ``m % 8`` one after another; more: split in two halves). ``sum`` does the same additions in the same
order, so the engine's outputs stay bit for bit what they were; a sentence of over ``PAIRWISE_ROWS`` tokens
(numpy splits its sum in halves) is summed by ``np.add.reduceat`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PAIRWISE_ROWS = 129  # a first value and up to 128 more: numpy's pairwise block (PW_BLOCKSIZE)
UNROLL = 8  # numpy's running sums


@dataclass(frozen=True)
class Steps:
    """``forwards[r]`` is the token row r reads, ``backwards[r]`` the token a backward pass reads there (from each
    sentence's last token back), ``align[r]`` the forward row that reads token ``backwards[r]``."""

    order: np.ndarray  # (sentences,) longest first
    lengths: np.ndarray  # (sentences,) in ``order``
    sizes: np.ndarray  # (longest,) the sentences that read step t
    forwards: np.ndarray  # (tokens,)
    backwards: np.ndarray  # (tokens,)
    align: np.ndarray  # (tokens,)
    rank: np.ndarray  # (tokens,) the place of each row's sentence in ``order``
    rows: np.ndarray  # (tokens,) the forward row that reads each token
    finals: np.ndarray  # (sentences,) the last row of each sentence, in ``order``

    @classmethod
    def of(cls, lengths: np.ndarray, starts: np.ndarray) -> Steps:
        """From each sentence's length and first token (its tokens back to back, a sentence at least one)."""
        order = np.argsort(-lengths, kind="stable")
        lengths, first = lengths[order], starts[order]
        steps = np.arange(lengths[0])[:, None]  # (longest, 1)
        reading = steps < lengths  # (longest, sentences): a prefix of each row, the sentences being sorted
        forwards, backwards = (first + steps)[reading], (first + lengths - 1 - steps)[reading]
        sizes = reading.sum(axis=1)
        row_of = np.empty_like(forwards)
        row_of[forwards] = np.arange(len(forwards))
        finals = (np.cumsum(sizes) - sizes)[lengths - 1] + np.arange(len(order))
        return cls(order, lengths, sizes, forwards, backwards, row_of[backwards], np.nonzero(reading)[1], row_of, finals)

    def unsort(self, values: np.ndarray) -> np.ndarray:
        """(sentences, ...) in ``order`` → in the batch's order."""
        result = np.empty_like(values)
        result[self.order] = values
        return result

    def max(self, values: np.ndarray) -> np.ndarray:
        """(rows, ...) → each sentence's maximum (sentences, ...), in the batch's order."""
        return self.unsort(self._max(values))

    def sum(self, values: np.ndarray) -> np.ndarray:
        """(rows, ...) → each sentence's sum (sentences, ...), in the batch's order, as ``np.add.reduceat`` sums it."""
        return self.unsort(self._sum(values))

    def softmax(self, scores: np.ndarray) -> np.ndarray:
        """(rows,) scores → each sentence's softmax over its own rows."""
        weights = np.exp(scores - self._max(scores)[self.rank])
        return weights / self._sum(weights)[self.rank]

    def _max(self, values: np.ndarray) -> np.ndarray:
        sizes = self.sizes.tolist()
        reduced, start = values[: sizes[0]].copy(), sizes[0]  # every sentence takes part in step 0
        for size in sizes[1:]:
            np.maximum(reduced[:size], values[start : start + size], out=reduced[:size])
            start += size
        return reduced

    def _sum(self, values: np.ndarray) -> np.ndarray:
        """In ``order``: each sentence's first row plus the pairwise sum of the others (see the module's note)."""
        sizes, count = self.sizes.tolist(), len(self.order)
        long = sizes[PAIRWISE_ROWS] if len(sizes) > PAIRWISE_ROWS else 0  # sentences numpy splits: a prefix
        rest = self.lengths - 1
        # values a sentence adds in running sums: a multiple of 8 (none under 8); non-increasing down the sentences
        blocked = np.where(rest >= UNROLL, rest - rest % UNROLL, 0)
        blocked[:long] = len(sizes)
        running = np.searchsorted(-blocked, -np.arange(len(sizes) + 1), side="right")  # [i]: those with blocked ≥ i
        sums = np.zeros_like(values[:count])
        # running[1] == running[8]: those with any running sums (blocked is 0 or ≥ 8)
        partial = np.empty((UNROLL, running[1], *values.shape[1:]), dtype=values.dtype)
        start = sizes[0]
        for i, size in enumerate([*sizes[1:], 0]):  # the value of index i after each sentence's first, then an end
            low, high = max(long, running[i + 1]), running[i]
            if i >= UNROLL and high > low:  # these sentences' running sums are complete: combine them
                r = partial[:, low:high]
                sums[low:high] = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            rows, blocks = values[start : start + size], max(long, running[i + 1])
            if i < UNROLL:
                partial[i, long:blocks] = rows[long:blocks]
            else:
                partial[i % UNROLL, long:blocks] += rows[long:blocks]
            sums[blocks:size] += rows[blocks:size]
            start += size
        sums += values[:count]
        sums[:long] = self._reduceat(values, long)
        return sums

    def _reduceat(self, values: np.ndarray, long: int) -> np.ndarray:
        """``np.add.reduceat`` over the tokens of the first ``long`` sentences."""
        if not long:
            return values[:0]
        step_starts = np.cumsum(self.sizes) - self.sizes
        rows = np.concatenate([step_starts[:length] + s for s, length in enumerate(self.lengths[:long].tolist())])
        return np.add.reduceat(values[rows], np.cumsum(self.lengths[:long]) - self.lengths[:long], axis=0)
