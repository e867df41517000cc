"""Evaluating an Emojify model on labelled examples."""

from __future__ import annotations

import numpy as np

from nlp_rnn.emojify.calibration import expected_calibration_error
from nlp_rnn.emojify.data import Example
from nlp_rnn.emojify.labels import some
from nlp_rnn.emojify.metrics import classification_report
from nlp_rnn.errors import UserError


def evaluate(model, examples: list[Example], batch_size: int = 512) -> dict:
    """Accuracy, macro-F1, per-class figures, the confusion matrix and the expected calibration error of an
    ``EmojiModel`` or a ``NumpyEmojiModel``."""
    unknown = {e.label for e in examples} - set(model.labels)
    if unknown:
        first = next(e for e in examples if e.label in unknown)
        raise UserError(f"labels {some(unknown)} are not among the model's classes ({some(model.labels)}; the first "
                        f"on line {first.line}); evaluate on data with the model's labels")
    index = {label: i for i, label in enumerate(model.labels)}
    truth = np.array([index[e.label] for e in examples])
    probs = np.concatenate([np.asarray(model.probabilities([e.text for e in examples[start : start + batch_size]]))
                            for start in range(0, len(examples), batch_size)])
    report = classification_report(truth.tolist(), probs.argmax(-1).tolist(), model.labels)
    # six digits: past them the engines' float32 sums differ (about 1e-8), and both must print the same report
    return {**report, "ece": round(expected_calibration_error(probs, truth), 6)}
