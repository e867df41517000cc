"""Confidence that means what it says: a softmax temperature fitted on held-out predictions, and the
expected calibration error (ECE) that measures how far "90% sure" is from 90% right."""

from __future__ import annotations

import numpy as np

TEMPERATURES = np.geomspace(0.05, 20.0, 241)  # the grid searched: wide enough for 300-epoch V1 and 20-epoch LSTMs


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    scaled = logits / temperature
    scaled = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return scaled / scaled.sum(axis=-1, keepdims=True)


def ensemble_probabilities(logits: list[np.ndarray], temperature: float = 1.0) -> np.ndarray:
    """The members' tempered probabilities, averaged (what ``EmojiModel.probabilities`` computes)."""
    return np.mean([softmax(member, temperature) for member in logits], axis=0)


def log_loss(probs: np.ndarray, truth: np.ndarray) -> float:
    return float(-np.log(np.clip(probs[np.arange(len(truth)), truth], 1e-12, None)).mean())


def fit_temperature(logits: list[np.ndarray], truth: np.ndarray) -> float:
    """The temperature (one for all members) with the lowest log loss on held-out predictions.

    A grid rather than gradient steps: one number, a few hundred evaluations of a few hundred rows,
    and the same answer on every machine."""
    losses = [log_loss(ensemble_probabilities(logits, t), truth) for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(losses))])


def expected_calibration_error(probs: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    """Σ over confidence bins of (share of rows) × |accuracy − mean confidence| (Guo et al., 2017)."""
    confidence, predicted = probs.max(axis=1), probs.argmax(axis=1)
    right = predicted == truth
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        rows = which == b
        if rows.any():
            error += rows.mean() * abs(right[rows].mean() - confidence[rows].mean())
    return float(error)
