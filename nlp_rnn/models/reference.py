"""Numpy reference cells: the course's "RNN step by step", written by hand on purpose.

These are the teaching oracle the torch models are tested against. Parameters use the
names and gate orders of ``torch.nn.RNN/LSTM/GRU`` (single layer, one direction), so the
same weights load into both:

    rnn   h = tanh(x W_ih^T + b_ih + h' W_hh^T + b_hh)
    lstm  [i f g o] = x W_ih^T + b_ih + h' W_hh^T + b_hh
          c = σ(f) c' + σ(i) tanh(g);   h = σ(o) tanh(c)
    gru   [r z n]_x = x W_ih^T + b_ih,  [r z n]_h = h' W_hh^T + b_hh
          r = σ(r_x + r_h);  z = σ(z_x + z_h);  n = tanh(n_x + r n_h);  h = (1-z) n + z h'

Shapes are time-major like torch's default: x (seq, batch, input), states (batch, hidden).
A state is a tuple: ``(h,)`` for rnn and gru, ``(h, c)`` for lstm.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Cell = Literal["rnn", "lstm", "gru"]
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def init_params(cell: Cell, input_size: int, hidden_size: int, rng: np.random.Generator) -> dict:
    """Uniform(-1/sqrt(H), 1/sqrt(H)) weights, torch's default, in float64."""
    g, bound = GATES[cell] * hidden_size, 1.0 / np.sqrt(hidden_size)
    shapes = {"weight_ih": (g, input_size), "weight_hh": (g, hidden_size), "bias_ih": (g,), "bias_hh": (g,)}
    return {name: rng.uniform(-bound, bound, shape) for name, shape in shapes.items()}


def zero_state(cell: Cell, batch: int, hidden_size: int) -> tuple:
    h = np.zeros((batch, hidden_size))
    return (h, np.zeros_like(h)) if cell == "lstm" else (h,)


# ---- one step forward / backward per cell ------------------------------------------------

def _rnn_step(x, state, p):
    (h_prev,) = state
    h = np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"])
    return (h,), (x, h_prev, h)


def _rnn_step_back(dstate, cache, p, grads):
    (dh,) = dstate
    x, h_prev, h = cache
    da = dh * (1.0 - h**2)
    _accumulate(grads, da, da, x, h_prev)
    return da @ p["weight_ih"], (da @ p["weight_hh"],)


def _lstm_step(x, state, p):
    h_prev, c_prev = state
    a = x @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"]
    ai, af, ag, ao = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(ai), sigmoid(af), np.tanh(ag), sigmoid(ao)
    c = f * c_prev + i * g
    tc = np.tanh(c)
    h = o * tc
    return (h, c), (x, h_prev, c_prev, i, f, g, o, tc)


def _lstm_step_back(dstate, cache, p, grads):
    dh, dc_next = dstate
    x, h_prev, c_prev, i, f, g, o, tc = cache
    dc = dc_next + dh * o * (1.0 - tc**2)
    da = np.concatenate(
        [dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2), dh * tc * o * (1 - o)],
        axis=1,
    )
    _accumulate(grads, da, da, x, h_prev)
    return da @ p["weight_ih"], (da @ p["weight_hh"], dc * f)


def _gru_step(x, state, p):
    (h_prev,) = state
    rx, zx, nx = np.split(x @ p["weight_ih"].T + p["bias_ih"], 3, axis=1)
    rh, zh, nh = np.split(h_prev @ p["weight_hh"].T + p["bias_hh"], 3, axis=1)
    r, z = sigmoid(rx + rh), sigmoid(zx + zh)
    n = np.tanh(nx + r * nh)
    h = (1.0 - z) * n + z * h_prev
    return (h,), (x, h_prev, r, z, n, nh)


def _gru_step_back(dstate, cache, p, grads):
    (dh,) = dstate
    x, h_prev, r, z, n, nh = cache
    dan = dh * (1.0 - z) * (1.0 - n**2)
    dar = dan * nh * r * (1.0 - r)
    daz = dh * (h_prev - n) * z * (1.0 - z)
    dgx = np.concatenate([dar, daz, dan], axis=1)
    dgh = np.concatenate([dar, daz, dan * r], axis=1)
    _accumulate(grads, dgx, dgh, x, h_prev)
    return dgx @ p["weight_ih"], (dh * z + dgh @ p["weight_hh"],)


def _accumulate(grads, dgx, dgh, x, h_prev):
    grads["weight_ih"] += dgx.T @ x
    grads["weight_hh"] += dgh.T @ h_prev
    grads["bias_ih"] += dgx.sum(axis=0)
    grads["bias_hh"] += dgh.sum(axis=0)


STEPS = {
    "rnn": (_rnn_step, _rnn_step_back),
    "lstm": (_lstm_step, _lstm_step_back),
    "gru": (_gru_step, _gru_step_back),
}


# ---- whole sequences ---------------------------------------------------------------------

def forward(cell: Cell, x: np.ndarray, state: tuple, params: dict) -> tuple[np.ndarray, tuple, list]:
    """Run ``cell`` over x (seq, batch, input) from ``state``.

    Returns (h for every step (seq, batch, hidden), final state, caches for ``backward``).
    """
    step, _ = STEPS[cell]
    hs, caches = [], []
    for x_t in x:
        state, cache = step(x_t, state, params)
        hs.append(state[0])
        caches.append(cache)
    return np.stack(hs), state, caches


def backward(cell: Cell, dh_all: np.ndarray, caches: list, params: dict) -> tuple[np.ndarray, tuple, dict]:
    """Backpropagate dL/dh_t (seq, batch, hidden) through time.

    Returns (dx (seq, batch, input), gradient of the initial state, parameter gradients).
    """
    _, step_back = STEPS[cell]
    grads = {name: np.zeros_like(params[name]) for name in PARAM_NAMES}
    batch, hidden = dh_all.shape[1:]
    dstate = zero_state(cell, batch, hidden)
    dxs = []
    for t in reversed(range(len(caches))):
        dstate = (dstate[0] + dh_all[t],) + dstate[1:]
        dx, dstate = step_back(dstate, caches[t], params, grads)
        dxs.append(dx)
    return np.stack(dxs[::-1]), dstate, grads
