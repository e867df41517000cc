"""Which words drove a prediction: attention weights, or the drop in probability without each word."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np


@dataclass
class WordScore:
    word: str
    score: float  # attention weight, or probability drop of the predicted class when the word is left out
    known: bool  # False: the model cannot see this word (not in the vectors / vocabulary)


def explain(model, text: str) -> tuple[int, list[float], list[WordScore], str]:
    """(predicted class, probabilities, one score per word, method: "attention" or "leave-one-out") from an
    ``EmojiModel`` or a ``NumpyEmojiModel``."""
    words = model.tokenizer(text)
    known = [model.token_ids([w]) not in ([], [1]) for w in words]  # dropped, or <unk>
    probs = np.asarray(model.probabilities([text]))[0]
    predicted = int(probs.argmax())
    seen = [w for w, k in zip(words, known) if k]
    weights = model.attention_weights(text) if seen else None  # None for an ensemble: leave-one-out
    if weights is not None:
        scores = iter(weights[: len(seen)])
        method = "attention"
    else:
        variants = [" ".join(seen[:i] + seen[i + 1 :]) for i in range(len(seen))]
        drops = (probs[predicted] - np.asarray(model.probabilities(variants))[:, predicted]).tolist() if variants else []
        scores = iter(drops)
        method = "leave-one-out"
    return predicted, probs.tolist(), [WordScore(w, next(scores) if k else 0.0, k) for w, k in zip(words, known)], method


def knows_nothing(scores: list[WordScore]) -> bool:
    """True when the model sees no word with a letter or digit (only unknown words, or bare punctuation):
    its prediction would be the classes' prior, not a reading of the sentence."""
    return not any(s.known and any(c.isalnum() for c in s.word) for s in scores)


def sentence_html(scores: list[WordScore]) -> str:
    """The sentence with each word's background as strong as its share of the prediction (orange:
    pushed towards it, blue: against it); words the model cannot see are struck through in grey."""
    top = max((abs(s.score) for s in scores if s.known), default=0.0) or 1.0
    spans = []
    for s in scores:
        word = html.escape(s.word)
        if not s.known:
            spans.append(f'<span title="not in the word vectors: ignored" style="color:#888;'
                         f'text-decoration:line-through">{word}</span>')
            continue
        alpha, colour = abs(s.score) / top, "255,140,0" if s.score >= 0 else "70,130,230"
        spans.append(f'<span title="{s.score:+.3f}" style="background:rgba({colour},{alpha:.2f});'
                     f'padding:0 3px;border-radius:4px">{word}</span>')
    return " ".join(spans)
