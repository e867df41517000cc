"""Evaluating an Emojify model on labelled examples."""

from __future__ import annotations

from nlp_rnn.emojify.data import Example
from nlp_rnn.emojify.metrics import classification_report
from nlp_rnn.emojify.model import EmojiModel
from nlp_rnn.errors import UserError


def evaluate(model: EmojiModel, examples: list[Example], batch_size: int = 512) -> dict:
    unknown = sorted({e.label for e in examples} - set(model.labels))
    if unknown:
        raise UserError(f"labels {unknown} are not among the model's classes {model.labels}; "
                        "evaluate on data with the model's labels")
    index = {label: i for i, label in enumerate(model.labels)}
    predicted = []
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        predicted.extend(model.probabilities([e.text for e in chunk]).argmax(-1).tolist())
    return classification_report([index[e.label] for e in examples], predicted, model.labels)
