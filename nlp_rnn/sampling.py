"""The one sampling function every generator in the project calls.

A model qualifies when it has ``init_hidden(batch)`` and ``step(tokens (batch,), hidden) →
(logits (batch, vocab), hidden)``; a whole prime is fed once through ``model(tokens, hidden)``.
The recurrent state is carried forward one token at a time: nothing is ever re-fed.

Past the prime everything per token is small, so it runs on numpy arrays, whose calls cost a
fraction of torch's: the distribution, the draw (uniforms from the call's seeded torch.Generator,
drawn up front) and, for language models on the CPU, the recurrent step itself (``numpy_step``);
on a GPU the model's own torch step runs there and only the logits come back each token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from nlp_rnn.devices import model_device, to_device

GREEDY_BELOW = 1e-6  # temperatures under this are greedy: logits / 1e-300 overflows to inf and NaN
CHUNK = 1024  # steps whose random numbers are drawn at once: memory per chunk, not per --length


@dataclass(frozen=True)
class SampleConfig:
    max_new_tokens: int = 200  # tokens to generate after the prime
    temperature: float = 1.0  # < 1 sharper, > 1 flatter; 0 (or below GREEDY_BELOW) = always the most likely token
    top_k: int | None = None  # keep only the k most likely tokens
    top_p: float | None = None  # keep the smallest set whose probability reaches p (nucleus)
    num_samples: int = 1  # independent streams, sampled as one batch
    seed: int | None = None  # same seed → same sample
    stop_token: int | None = None  # a stream ends when it emits this token


def next_token_probabilities(
    logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None
) -> torch.Tensor:
    """Logits (batch, vocab) → the distribution sampling draws from (batch, vocab), summing to 1.

    Temperature 0 (or any temperature below ``GREEDY_BELOW``) puts all mass on the argmax. Top-k and
    top-p remove tokens, then renormalise.
    """
    return torch.from_numpy(probabilities(logits.detach().float().numpy(), temperature, top_k, top_p))


def probabilities(logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None,
                  top_p: float | None = None) -> np.ndarray:
    """``next_token_probabilities`` on numpy arrays (float32 out)."""
    weights = sampling_weights(logits, temperature, top_k, top_p)
    return (weights / weights.sum(-1, keepdims=True)).astype(np.float32)


def sampling_weights(logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None,
                     top_p: float | None = None) -> np.ndarray:
    """The distribution before normalising (batch, vocab), all ``draw`` needs: a token's weight is
    proportional to its probability, zero for the tokens temperature 0, top-k or top-p remove."""
    if temperature < 0 or (top_p is not None and not 0 < top_p <= 1) or (top_k is not None and top_k < 1):
        raise ValueError("need temperature ≥ 0, top_k ≥ 1 and 0 < top_p ≤ 1")
    if temperature < GREEDY_BELOW:
        return np.eye(logits.shape[-1])[logits.argmax(-1)]
    if temperature != 1:
        logits = logits / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.partition(logits, -top_k, axis=-1)[:, [-top_k]]  # (batch, 1)
        logits = np.where(logits < kth, -np.inf, logits)
    if top_p is not None and top_p < 1:
        order = np.argsort(-logits, axis=-1, kind="stable")
        ranked = np.exp(np.take_along_axis(logits, order, axis=-1) - logits.max(-1, keepdims=True))
        ranked /= ranked.sum(-1, keepdims=True)
        drop = np.empty_like(ranked, dtype=bool)
        np.put_along_axis(drop, order, ranked.cumsum(-1) - ranked >= top_p, axis=-1)  # after the nucleus is full
        logits = np.where(drop, -np.inf, logits)
    return np.exp(logits - logits.max(-1, keepdims=True))


def generate(model, prime: list[int], config: SampleConfig = SampleConfig()) -> list[list[int]]:
    """Continue ``prime`` (token indices, at least one) in ``config.num_samples`` streams.

    Returns the new tokens of each stream (the prime not included; a stream stops after its
    stop token, which is kept). Raises ValueError on an empty prime or bad settings.
    """
    out = list(stream(model, prime, config))  # (streams,) per step
    if not out:
        return [[] for _ in range(config.num_samples)]
    return [_cut(row, config.stop_token) for row in np.stack(out, axis=1).tolist()]


def stream(model, prime: list[int], config: SampleConfig = SampleConfig()) -> Iterator[np.ndarray]:
    """``generate`` one step at a time: yields the tokens (streams,) of each step as it is sampled,
    until ``max_new_tokens`` or every stream has emitted its stop token. Random numbers are drawn
    ``CHUNK`` steps at a time from one generator, so memory does not grow with the length and the
    first ``n`` tokens are the same whatever the length asked for."""
    if not prime:
        raise ValueError("generation needs a prime of at least one token")
    sampling_weights(np.zeros((1, 1)), config.temperature, config.top_k, config.top_p)  # bad settings fail here
    return _stream(model, prime, config)


@torch.inference_mode()  # on a generator: entered each time it resumes, so callers' modes are untouched
def _stream(model, prime: list[int], config: SampleConfig) -> Iterator[np.ndarray]:
    was_training = model.training
    model.eval()
    try:
        generator = torch.Generator()
        if config.seed is None:
            generator.seed()  # fresh entropy for this call only; the global RNG is never touched
        else:
            generator.manual_seed(config.seed)
        streams = config.num_samples
        if config.max_new_tokens == 0:
            return
        device = _device_of(model)
        logits, hidden = model(to_device(torch.tensor([prime] * streams), device), model.init_hidden(streams))  # prime
        step = _stepper(model, hidden, device)
        logits = logits[:, -1].float().cpu().numpy()  # (streams, vocab)
        done = np.zeros(streams, dtype=bool)
        for position in range(config.max_new_tokens):
            if position % CHUNK == 0:
                size = min(CHUNK, config.max_new_tokens - position)
                uniforms = torch.rand(size, streams, generator=generator, dtype=torch.float64).numpy()
            token = draw(sampling_weights(logits, config.temperature, config.top_k, config.top_p),
                         uniforms[position % CHUNK])
            yield token
            if config.stop_token is not None:
                done |= token == config.stop_token
                if done.all():
                    return
            if position + 1 < config.max_new_tokens:  # no step for a token nobody will read
                logits = step(token)
    finally:
        model.train(was_training)


def _device_of(model) -> torch.device:
    """Where the model runs (a wrapper that is not a Module says so with ``device``)."""
    return model.device if hasattr(model, "device") else model_device(model)


def _stepper(model, hidden, device: torch.device) -> Callable[[np.ndarray], np.ndarray]:
    """tokens (streams,) → next logits (streams, vocab), carrying the state: the numpy step for
    language models on the CPU (see ``numpy_step``), the model's own ``step`` for anything else."""
    from nlp_rnn.numpy_step import NumpyStep

    fast = NumpyStep.of(model, hidden) if device.type == "cpu" else None
    if fast is not None:
        return fast
    state = [hidden]

    def step(tokens: np.ndarray) -> np.ndarray:
        logits, state[0] = model.step(to_device(torch.from_numpy(tokens), device), state[0])
        return logits.float().cpu().numpy()

    return step


def draw(weights: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """One token per row of ``weights`` (batch, vocab; probabilities, normalised or not), given one
    uniform number in [0, 1) per row: the first token whose cumulative share exceeds it, so a
    zero-weight token is never drawn."""
    cumulative = weights.cumsum(-1)
    if len(cumulative) == 1:  # one stream: a binary search, the common case and the cheapest
        picked = cumulative[0].searchsorted(uniform * cumulative[0, -1], side="right")
    else:
        picked = (cumulative <= uniform[:, None] * cumulative[:, -1:]).sum(-1)
    return np.minimum(picked, weights.shape[-1] - 1)


def _cut(row: list[int], stop: int | None) -> list[int]:
    return row[: row.index(stop) + 1] if stop is not None and stop in row else row
