"""Numerical gradient check of the numpy reference cells (central differences, float64)."""

from __future__ import annotations

import numpy as np

from nlp_rnn.models import reference
from nlp_rnn.models.reference import Cell


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), the course's measure; 0 when both are zero."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denominator) if denominator else 0.0


def random_problem(cell: Cell, input_size: int, hidden_size: int, seq_len: int, batch: int, seed: int) -> tuple:
    """Random parameters, inputs x (seq, batch, input), initial state and upstream dL/dh (seq, batch, hidden)."""
    rng = np.random.default_rng(seed)
    params = reference.init_params(cell, input_size, hidden_size, rng)
    x = rng.standard_normal((seq_len, batch, input_size))
    state = tuple(rng.standard_normal((batch, hidden_size)) for _ in reference.zero_state(cell, 1, 1))
    return params, x, state, rng.standard_normal((seq_len, batch, hidden_size))


def _loss(cell: Cell, x, state, params, weights) -> float:
    h_all, _, _ = reference.forward(cell, x, state, params)
    return float(np.sum(h_all * weights))


def numerical_gradient(f, array: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``array`` (changed in place, restored)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        plus = f()
        array[index] = saved - eps
        minus = f()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def gradient_check(
    cell: Cell, input_size: int = 3, hidden_size: int = 4, seq_len: int = 5, batch: int = 2, seed: int = 0
) -> dict[str, float]:
    """Compare ``reference.backward`` with numerical gradients on a random problem.

    The loss is sum(h_t * w_t) for fixed random w, so dL/dh_t = w_t.
    Returns the relative error for x and every parameter, and their maximum under "max".
    """
    params, x, state, weights = random_problem(cell, input_size, hidden_size, seq_len, batch, seed)
    _, _, caches = reference.forward(cell, x, state, params)
    dx, _, grads = reference.backward(cell, weights, caches, params)

    def f():
        return _loss(cell, x, state, params, weights)

    errors = {"x": relative_error(dx, numerical_gradient(f, x))}
    for name in reference.PARAM_NAMES:
        errors[name] = relative_error(grads[name], numerical_gradient(f, params[name]))
    errors["max"] = max(errors.values())
    return errors
