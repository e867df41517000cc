"""Word-LM training tokens/s with ``--precision bf16`` (autocast) against fp32 on this CPU, same process.

The shape of the word default (2×200 LSTM tied, vocabulary 10,000, batch 20, bptt 35, SGD), on one
synthetic token stream, the two precisions alternating (bench.timing.interleaved). On CPUs whose
matrix units compute bf16 (Intel AMX, AVX-512 BF16) the 10,000-word softmax, most of a step, is where
the time goes and where bf16 gains; elsewhere expect no gain, which is why ``text train``'s default
``--precision auto`` picks bf16 only for word models on devices with native bf16 (``devices.native_bf16``).
"""

from __future__ import annotations

import torch

from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.seeding import seed_everything
from nlp_rnn.textgen.task import LanguageModelTask
from nlp_rnn.training import TrainConfig, Trainer

VOCAB, HIDDEN, BPTT, BATCH, STEPS = 10_000, 200, 35, 20, 60


def train(tokens: torch.Tensor, precision: str) -> int:
    seed_everything(0)
    config = LanguageModelConfig(vocab_size=VOCAB, embed_dim=HIDDEN, hidden_size=HIDDEN, num_layers=2, dropout=0.25,
                                 tie_weights=True)
    task = LanguageModelTask(tokens, None, batch_size=BATCH, bptt=BPTT)
    trainer = Trainer(LanguageModel(config), task, TrainConfig(epochs=1, optimizer="sgd", lr=35.0, clip_grad_norm=0.14,
                                                               progress=False, device="cpu", precision=precision))
    return trainer.fit()[0]["step"] * BATCH * BPTT


def run() -> list[dict]:
    from bench.timing import interleaved

    tokens = torch.randint(0, VOCAB, (BATCH * BPTT * STEPS + 1,), generator=torch.Generator().manual_seed(0))
    rates = interleaved({"fp32": lambda: train(tokens, "fp32"), "bf16": lambda: train(tokens, "bf16")}, repeats=3)
    return [{
        "name": "Word LM training, --precision bf16 vs fp32 on this CPU (2×200 tied, 10,000 words, bptt 35)",
        "ours": rates["bf16"], "baseline": rates["fp32"], "unit": "tokens/s", "ratio": rates["bf16"] / rates["fp32"],
        "target": "bf16 faster on a CPU with bf16 matrix units (where text train's --precision auto picks it)",
        "met": rates["bf16"] > rates["fp32"],
    }]


if __name__ == "__main__":
    for row in run():
        print(row)
