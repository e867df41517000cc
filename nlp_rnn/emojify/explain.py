"""Which words drove a prediction: attention weights, or the drop in the predicted class's log-odds without each word."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np


@dataclass
class WordScore:
    word: str
    score: float  # attention weight, or the predicted class's log-odds drop when the word is left out (``log_odds``)
    known: bool  # False: the model cannot see this word (not in the vectors / vocabulary)


def explain(model, text: str) -> tuple[int, list[float], list[WordScore], str]:
    """(predicted class, probabilities, one score per word, method: "attention" or "leave-one-out") from an
    ``EmojiModel`` or a ``NumpyEmojiModel``."""
    words = model.tokenizer(text)
    known = [model.sees(w) for w in words]
    probs = np.asarray(model.probabilities([text]))[0]
    predicted = int(probs.argmax())
    seen = [w for w, k in zip(words, known) if k]
    weights = model.attention_weights(text) if seen else None  # None for an ensemble: leave-one-out
    if weights is not None:
        scores = iter(weights[: len(seen)])
        method = "attention"
    else:
        variants = [" ".join(seen[:i] + seen[i + 1 :]) for i in range(len(seen))]
        drops = log_odds(probs, predicted) - log_odds(np.asarray(model.probabilities(variants)), predicted) \
            if variants else np.zeros(0)
        scores = iter(drops.tolist())
        method = "leave-one-out"
    return predicted, probs.tolist(), [WordScore(w, next(scores) if k else 0.0, k) for w, k in zip(words, known)], method


def log_odds(probs: np.ndarray, predicted: int) -> np.ndarray:
    """log(p / (1 - p)) of class ``predicted`` in each row of (rows, classes) probabilities, 1 - p summed from the
    other classes (exact in float32 where 1 - p itself rounds away). A probability's drop says nothing once the
    model is sure: "we ate pasta and pizza for dinner" is 🍴 at 99.99% without any one of its words, but without
    "pasta" four times as unsure (log-odds 1.2 lower), without "we" a third more (0.3)."""
    probs = np.asarray(probs, dtype=np.float64).reshape(-1, probs.shape[-1])
    rest = np.delete(probs, predicted, axis=1).sum(axis=1)
    return np.log(np.maximum(probs[:, predicted], 1e-300)) - np.log(np.maximum(rest, 1e-300))


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
