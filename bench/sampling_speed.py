"""The stateful sampler against re-feeding the last 100 tokens at every step, same model.

A 2×128 character LSTM (vocabulary 100) generates one stream of characters.
"""

from __future__ import annotations

import torch

from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.sampling import SampleConfig, generate, next_token_probabilities
from nlp_rnn.seeding import seed_everything

VOCAB, WINDOW = 100, 100


@torch.no_grad()
def refeeding_sampler(model, prime: list[int], length: int, generator: torch.Generator) -> list[int]:
    """What naive generators do: run the whole recent window again for every new token."""
    tokens = list(prime)
    for _ in range(length):
        logits, _ = model(torch.tensor([tokens[-WINDOW:]]))
        probs = next_token_probabilities(logits[:, -1])
        tokens.append(int(torch.multinomial(probs, 1, generator=generator)))
    return tokens[len(prime):]


def run() -> list[dict]:
    from bench.timing import interleaved

    seed_everything(0)
    model = LanguageModel(LanguageModelConfig(vocab_size=VOCAB, embed_dim=128, hidden_size=128, num_layers=2)).eval()
    prime = [i % VOCAB for i in range(WINDOW)]
    rates = interleaved({
        "refeed": lambda: len(refeeding_sampler(model, prime, 200, torch.Generator().manual_seed(0))),
        "stateful": lambda: len(generate(model, prime, SampleConfig(max_new_tokens=2000, seed=0))[0]),
    })
    step = step_costs(model)
    return [{
        "name": "Stateful sampling vs re-feeding 100 tokens (2×128 char LSTM)",
        "ours": rates["stateful"], "baseline": rates["refeed"], "unit": "chars/s",
        "ratio": rates["stateful"] / rates["refeed"], "target": "≥ 10,000 chars/s and ≥ 10×",
        "met": rates["stateful"] >= 10_000 and rates["stateful"] / rates["refeed"] >= 10,
    }, {
        "name": "One token through that model (embedding, 2 layers, decoder): numpy step vs nn.LSTM on one token",
        "ours": step["numpy"], "baseline": step["fused"], "unit": "µs", "ratio": step["fused"] / step["numpy"],
        "target": f"budget at 10k chars/s: 100 µs a char (torch's one-step cell kernels: {step['kernels']:.0f} µs; "
                  f"an empty torch op: {step['empty op']:.1f} µs)",
        "met": step["numpy"] < 100,
    }]


@torch.inference_mode()
def step_costs(model: LanguageModel, steps: int = 3_000) -> dict[str, float]:
    """Microseconds per token (batch 1): the model on a length-1 sequence (fused nn.LSTM), the model's
    torch step (one-step cell kernels), the numpy step sampling uses, and one empty torch call."""
    import time

    from nlp_rnn.numpy_step import NumpyStep

    token, hidden = torch.tensor([3]), model.init_hidden(1)
    numpy_step, x = NumpyStep.of(model, hidden), torch.zeros(1)
    runs = {"fused": lambda: model(token.unsqueeze(1), hidden), "kernels": lambda: model.step(token, hidden),
            "numpy": lambda: numpy_step(token.numpy()), "empty op": lambda: torch.add(x, 1)}
    costs = {}
    for name, run in runs.items():
        for _ in range(100):
            run()
        started = time.perf_counter()
        for _ in range(steps):
            run()
        costs[name] = (time.perf_counter() - started) / steps * 1e6
    return costs
