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
    return [{
        "name": "Stateful sampling vs re-feeding 100 tokens (2×128 char LSTM)",
        "ours": rates["stateful"], "baseline": rates["refeed"], "unit": "chars/s",
        "ratio": rates["stateful"] / rates["refeed"], "target": "≥ 10,000 chars/s and ≥ 10×",
        "met": rates["stateful"] >= 10_000 and rates["stateful"] / rates["refeed"] >= 10,
    }]
