"""Which words drove a prediction: attention weights, or the drop in probability without each word."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from nlp_rnn.emojify.model import EmojiModel


@dataclass
class WordScore:
    word: str
    score: float  # attention weight, or probability drop of the predicted class when the word is left out
    known: bool  # False: the model cannot see this word (not in the vectors / vocabulary)


@torch.no_grad()
def explain(model: EmojiModel, text: str) -> tuple[int, list[float], list[WordScore], str]:
    """(predicted class, probabilities, one score per word, method: "attention" or "leave-one-out")."""
    model.classifier.eval()
    words = model.tokenizer(text)
    known = [model.token_ids([w]) not in ([], [1]) for w in words]  # dropped, or <unk>
    probs = model.probabilities([text])[0]
    predicted = int(probs.argmax())
    seen = [w for w, k in zip(words, known) if k]
    if model.classifier.attention is not None and seen:
        tokens, lengths = model.batch([text])
        _, weights = model.classifier.pool(tokens, lengths)
        scores = iter(weights[0, : len(seen)].tolist())
        method = "attention"
    else:
        variants = [" ".join(seen[:i] + seen[i + 1 :]) for i in range(len(seen))]
        drops = (probs[predicted] - model.probabilities(variants)[:, predicted]).tolist() if variants else []
        scores = iter(drops)
        method = "leave-one-out"
    return predicted, probs.tolist(), [WordScore(w, next(scores) if k else 0.0, k) for w, k in zip(words, known)], method
