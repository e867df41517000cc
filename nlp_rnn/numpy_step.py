"""A trained language model's recurrent step in numpy, for sampling on a CPU.

Sampling feeds one token at a time, and each torch call costs several microseconds before any
arithmetic (about 6 µs for an empty ``add`` on a 2-core cloud CPU): a 2×128 character LSTM step
is some 15 calls, the arithmetic a fraction of that. Numpy calls cost about 1 µs, so the same
step from the same weights runs two to three times faster. Inference only, for the
``LanguageModel`` of ``nlp_rnn.models`` in eval mode; training stays on torch.
``tests/test_numpy_step.py`` holds it to ``LanguageModel.step`` for each cell. The cells themselves
(``rearrange`` and ``CELL_STEPS``) need no torch: Emojify's numpy classifiers (``emojify/numpy_model.py``)
run their recurrent layers on them too.

The weights are rearranged once (equations in ``models/reference.py``):
- the first layer's ``x W_ih^T + b_ih`` of every vocabulary entry is a lookup table when it is small;
- LSTM gates go from torch's [i f g o] to [i f o g], and the rows of the gates that pass through a
  sigmoid are halved, so one ``tanh`` over all gates gives every activation: σ(a) = (1 + tanh(a/2)) / 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

    from nlp_rnn.models.language_model import LanguageModel

TABLE_LIMIT = 4_000_000  # floats (16 MB): a larger first-layer table is computed per step instead


class NumpyStep:
    """tokens (streams,) → logits (streams, vocab), carrying the state of every layer."""

    def __init__(self, model: LanguageModel, hidden):
        self.cell, n = model.config.cell, model.config.hidden_size
        self.size = n
        self.layers = [rearrange(self.cell, n, *map(_array, weights)) for weights in model.encoder.rnn.all_weights]
        self.embedding = _array(model.embedding.weight)
        w_ih, b_ih = self.layers[0][0], self.layers[0][2]
        small = self.embedding.shape[0] * w_ih.shape[1] <= TABLE_LIMIT
        self.table = self.embedding @ w_ih + b_ih if small else None  # (vocab, gates) for the first layer
        self.cell_step = CELL_STEPS[self.cell]
        self.decoder, self.decoder_bias = _array(model.decoder.weight).T.copy(), _array(model.decoder.bias)
        h, c = hidden if isinstance(hidden, tuple) else (hidden, None)
        self.h = [_array(layer) for layer in h]  # (streams, hidden) per layer
        self.c = [_array(layer) for layer in c] if c is not None else None

    @classmethod
    def of(cls, model, hidden) -> NumpyStep | None:
        """The numpy step of ``model`` from state ``hidden``; None for models it does not cover."""
        from nlp_rnn.models.language_model import LanguageModel

        if type(model) is not LanguageModel or model.training or model.config.softmax != "full":
            return None  # the adaptive softmax stays on torch: its clusters are not one matrix
        return cls(model, hidden)

    def __call__(self, tokens: np.ndarray) -> np.ndarray:
        x = self.embedding[tokens] if self.table is None else None  # None: the first layer looks its input up
        for layer, (w_ih, w_hh, b_ih, b_hh) in enumerate(self.layers):
            from_x = self.table[tokens] if x is None else x @ w_ih + b_ih  # (streams, gates)
            from_h = self.h[layer] @ w_hh  # (streams, gates)
            if b_hh is not None:
                from_h += b_hh
            x, c = self.cell_step(self.size, from_x, from_h, self.h[layer], self.c[layer] if self.c is not None else None)
            self.h[layer] = x
            if self.c is not None:
                self.c[layer] = c
        return x @ self.decoder + self.decoder_bias


def lstm_step(n: int, from_x: np.ndarray, from_h: np.ndarray, h: np.ndarray, c: np.ndarray, out=None) -> tuple:
    """One LSTM step on ``rearrange``d gates (rows, 4n) → the new (h, c), each (rows, n); h is written into ``out``
    when given. ``from_h`` is overwritten (each step's own product): in place, the step allocates two arrays
    instead of six."""
    t = np.tanh(np.add(from_x, from_h, out=from_h), out=from_h)  # (rows, 4n): i f o halved, then g
    gates = t[..., : 3 * n]
    gates *= 0.5
    gates += 0.5  # σ(i) σ(f) σ(o)
    c = gates[..., n : 2 * n] * c
    c += gates[..., :n] * t[..., 3 * n :]
    h = np.tanh(c, out=out)
    h *= gates[..., 2 * n :]
    return h, c


def gru_step(n: int, from_x: np.ndarray, from_h: np.ndarray, h: np.ndarray, c: None = None, out=None) -> tuple:
    """One GRU step (``from_h`` holds b_hh) → (the new h, None)."""
    rz = np.tanh(from_x[..., : 2 * n] + from_h[..., : 2 * n]) * 0.5 + 0.5  # r z (halved rows)
    candidate = np.tanh(from_x[..., 2 * n :] + rz[..., :n] * from_h[..., 2 * n :])
    return np.add(candidate, rz[..., n:] * (h - candidate), out=out), None  # (1 - z) n + z h


def rnn_step(n: int, from_x: np.ndarray, from_h: np.ndarray, h: np.ndarray, c: None = None, out=None) -> tuple:
    return np.tanh(np.add(from_x, from_h, out=from_h), out=out), None


CELL_STEPS = {"lstm": lstm_step, "gru": gru_step, "rnn": rnn_step}  # (n, from_x, from_h, h, c, out) → (h, c)


def rearrange(cell: str, n: int, w_ih, w_hh, b_ih, b_hh) -> tuple:
    """torch's (gates, in) weights → (in, gates) matrices and gate vectors in this module's layout."""
    rows, half = np.arange(w_ih.shape[0]), np.ones(w_ih.shape[0], dtype=np.float32)
    if cell == "lstm":
        rows = np.concatenate([rows[: 2 * n], rows[3 * n :], rows[2 * n : 3 * n]])  # i f g o → i f o g
        half[: 3 * n] = 0.5
    elif cell == "gru":
        half[: 2 * n] = 0.5
    w_ih, w_hh = ((w[rows] * half[:, None]).T.copy() for w in (w_ih, w_hh))
    b_ih, b_hh = b_ih[rows] * half, b_hh[rows] * half
    if cell != "gru":  # both biases are simply added: add them once, with the input's share
        return w_ih, w_hh, b_ih + b_hh, None
    return w_ih, w_hh, b_ih, b_hh  # the GRU's candidate gate needs b_hn apart (it is scaled by r)


def _array(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().float().numpy().copy()
