"""The one sampling function every generator in the project calls.

A model qualifies when it has ``init_hidden(batch)`` and ``step(tokens (batch,), hidden) →
(logits (batch, vocab), hidden)``; a whole prime is fed once through ``model(tokens, hidden)``.
The recurrent state is carried forward one token at a time: nothing is ever re-fed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class SampleConfig:
    max_new_tokens: int = 200  # tokens to generate after the prime
    temperature: float = 1.0  # < 1 sharper, > 1 flatter; 0 = always the most likely token
    top_k: int | None = None  # keep only the k most likely tokens
    top_p: float | None = None  # keep the smallest set whose probability reaches p (nucleus)
    num_samples: int = 1  # independent streams, sampled as one batch
    seed: int | None = None  # same seed → same sample
    stop_token: int | None = None  # a stream ends when it emits this token


def next_token_probabilities(
    logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None
) -> torch.Tensor:
    """Logits (batch, vocab) → the distribution sampling draws from (batch, vocab), summing to 1.

    Temperature 0 puts all mass on the argmax. Top-k and top-p remove tokens, then renormalise.
    """
    if temperature < 0 or (top_p is not None and not 0 < top_p <= 1) or (top_k is not None and top_k < 1):
        raise ValueError("need temperature ≥ 0, top_k ≥ 1 and 0 < top_p ≤ 1")
    logits = logits.float()
    if temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(-1), logits.size(-1)).float()
    logits = logits / temperature
    if top_k is not None and top_k < logits.size(-1):
        kth = logits.topk(top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None and top_p < 1:
        sorted_logits, order = logits.sort(dim=-1, descending=True)
        cumulative = sorted_logits.softmax(-1).cumsum(-1)
        drop = cumulative - sorted_logits.softmax(-1) >= top_p  # tokens after the nucleus is full
        logits = logits.masked_fill(drop.scatter(-1, order, drop), float("-inf"))
    return logits.softmax(-1)


@torch.inference_mode()
def generate(model, prime: list[int], config: SampleConfig = SampleConfig()) -> list[list[int]]:
    """Continue ``prime`` (token indices, at least one) in ``config.num_samples`` streams.

    Returns the new tokens of each stream (the prime not included; a stream stops after its
    stop token, which is kept). Raises ValueError on an empty prime or bad settings.
    """
    if not prime:
        raise ValueError("generation needs a prime of at least one token")
    was_training = model.training
    model.eval()
    generator = torch.Generator()
    if config.seed is None:
        generator.seed()  # fresh entropy for this call only; the global RNG is never touched
    else:
        generator.manual_seed(config.seed)
    streams = config.num_samples
    tokens = torch.tensor([prime] * streams, dtype=torch.long)
    logits, hidden = model(tokens, model.init_hidden(streams))  # the prime, once: (streams, len, vocab)
    logits = logits[:, -1]
    out = []  # (streams,) per step
    done = torch.zeros(streams, dtype=torch.bool)
    for position in range(config.max_new_tokens):
        probs = next_token_probabilities(logits, config.temperature, config.top_k, config.top_p)
        token = draw(probs, generator)  # (streams,)
        out.append(token)
        if config.stop_token is not None:
            done |= token == config.stop_token
            if bool(done.all()):
                break
        if position + 1 == config.max_new_tokens:
            break  # no step for a token nobody will read
        logits, hidden = model.step(token, hidden)
    model.train(was_training)
    return [_cut(row, config.stop_token) for row in torch.stack(out, dim=1).tolist()]


def draw(probs: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One token per row of ``probs`` (batch, vocab) by inverting the cumulative distribution.

    Three cheap ops instead of ``torch.multinomial``, which costs about 35 µs a call on a CPU
    (a third of a whole recurrent step). ``right=True`` never lands on a zero-probability token.
    """
    uniform = torch.rand(probs.size(0), 1, generator=generator)
    return torch.searchsorted(probs.cumsum(-1), uniform, right=True).squeeze(1).clamp_(max=probs.size(-1) - 1)


def _cut(row: list[int], stop: int | None) -> list[int]:
    return row[: row.index(stop) + 1] if stop is not None and stop in row else row
