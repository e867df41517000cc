"""Greedy and beam-search decoding for ``Seq2Seq``, one target step at a time."""

from __future__ import annotations

import torch

from nlp_rnn.models.recurrent import Hidden
from nlp_rnn.models.seq2seq import Seq2Seq


def _select(hidden: Hidden, index: torch.Tensor) -> Hidden:
    """Pick batch rows of a state (layers, batch, hidden) or an LSTM (h, c) pair."""
    if isinstance(hidden, tuple):
        return tuple(h.index_select(1, index) for h in hidden)
    return hidden.index_select(1, index)


def _strip(tokens: list[int], eos: int) -> list[int]:
    return tokens[: tokens.index(eos)] if eos in tokens else tokens


@torch.no_grad()
def greedy_decode(
    model: Seq2Seq, source: torch.Tensor, lengths: torch.Tensor, bos: int, eos: int, max_len: int
) -> list[list[int]]:
    """Most likely token at every step, for a batch; returns token lists without bos/eos."""
    memory, hidden = model.encode(source, lengths)
    tokens = torch.full((source.size(0),), bos, dtype=torch.long, device=source.device)
    steps, done = [], torch.zeros_like(tokens, dtype=torch.bool)
    for _ in range(max_len):
        logits, hidden, _ = model.decode(tokens.unsqueeze(1), hidden, memory)
        tokens = logits[:, -1].argmax(dim=-1)
        steps.append(tokens)
        done |= tokens == eos
        if bool(done.all()):
            break
    rows = torch.stack(steps, dim=1).tolist()
    return [_strip(row, eos) for row in rows]


@torch.no_grad()
def beam_search(
    model: Seq2Seq, source: torch.Tensor, bos: int, eos: int, max_len: int, beam_size: int = 4
) -> list[int]:
    """Highest log-probability sequence for one source (seq,), kept among ``beam_size`` hypotheses.

    Finished hypotheses keep their score and only extend with eos at no cost.
    """
    memory, hidden = model.encode(source.unsqueeze(0), torch.tensor([source.numel()]))
    memory, hidden = memory.repeat(beam_size), _select(hidden, torch.zeros(beam_size, dtype=torch.long))
    scores = torch.full((beam_size,), float("-inf"))
    scores[0] = 0.0  # start from one live hypothesis, not beam_size copies of it
    tokens = torch.full((beam_size,), bos, dtype=torch.long)
    history = torch.empty((beam_size, 0), dtype=torch.long)
    for _ in range(max_len):
        logits, hidden, _ = model.decode(tokens.unsqueeze(1), hidden, memory)
        log_probs = torch.log_softmax(logits[:, -1], dim=-1)  # (beam, vocab)
        finished = tokens == eos
        log_probs[finished] = float("-inf")
        log_probs[finished, eos] = 0.0
        total = (scores.unsqueeze(1) + log_probs).view(-1)
        scores, flat = total.topk(beam_size)
        beam, tokens = flat // log_probs.size(1), flat % log_probs.size(1)
        history = torch.cat([history[beam], tokens.unsqueeze(1)], dim=1)
        hidden = _select(hidden, beam)
        if bool((tokens == eos).all()):
            break
    return _strip(history[scores.argmax()].tolist(), eos)
