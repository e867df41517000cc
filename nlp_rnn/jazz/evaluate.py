"""Scoring an improviser on held-out music: how well it predicts each next token.

Each piece is encoded with the model's own token scheme (and, for a chord-conditioned model, the
chord and beat of every note it predicts), led by ``<eos>`` as in training, and run through the
model in one padded batch. A target token the vocabulary lacks cannot be scored: it is counted
and reported (``unknown_tokens``), left out of the averages, and fed on as ``<unk>``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from nlp_rnn.errors import UserError
from nlp_rnn.jazz.improvise import Improviser
from nlp_rnn.jazz.piece import Piece
from nlp_rnn.jazz.train import stream_tensors, token_streams


def evaluate(improviser: Improviser, pieces: list[Piece]) -> dict:
    """Held-out tokens, cross-entropy (nats/token), perplexity and next-token accuracy over ``pieces``.

    Raises UserError when no token of the pieces can be scored.
    """
    options = improviser.extra["options"]
    conditioned = improviser.model.config.context_size > 0
    streams = token_streams(pieces, options["tokens"])
    rows = [stream_tensors([piece], [stream], improviser.vocabulary, conditioned) for piece, stream in zip(pieces, streams)]
    tokens, context = _pad(rows, improviser.model.config.context_size)  # (pieces, longest), (pieces, longest, C)
    targets = tokens[:, 1:].clone()
    known = (targets != improviser.vocabulary.pad_index) & (targets != improviser.vocabulary.unk_index)
    padding = targets == improviser.vocabulary.pad_index
    model = improviser.model
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits, _ = model(tokens[:, :-1], context[:, :-1] if context is not None else None)
    model.train(was_training)
    scored = int(known.sum())
    unknown = int((~known & ~padding).sum())
    if scored == 0:
        raise UserError(f"none of the {unknown} held-out tokens is in the model's vocabulary; "
                        "evaluate on music like the training music, or with a model using --tokens grammar")
    losses = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")  # (pieces, longest - 1)
    loss = float(losses[known].mean())
    correct = int((logits.argmax(-1) == targets)[known].sum())
    return {"pieces": len(pieces), "tokens": scored + unknown, "scored_tokens": scored, "unknown_tokens": unknown,
            "unknown_share": round(unknown / (scored + unknown), 4), "cross_entropy": loss,
            "perplexity": math.exp(min(loss, 50.0)), "accuracy": correct / scored,
            "token_scheme": options["tokens"], "conditioning": "chord" if conditioned else "none"}


def _pad(rows: list, context_size: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Streams of different lengths as one batch; <pad> (index 0) after each stream's end."""
    longest = max(len(ids) for ids, _ in rows)
    tokens = torch.zeros(len(rows), longest, dtype=torch.long)
    context = torch.zeros(len(rows), longest, context_size) if context_size else None
    for index, (ids, features) in enumerate(rows):
        tokens[index, : len(ids)] = ids
        if context is not None:
            context[index, : len(ids)] = features
    return tokens, context
