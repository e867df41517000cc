"""The shared training engine against a bare nn.LSTM loop of the PTB-small shape, same process.

Both train a 2×200 LSTM language model (vocabulary 10,000, bptt 20, batch 20, SGD lr 1, clip 5)
on the same synthetic token stream for the same number of steps; we report tokens per second.
"""

from __future__ import annotations

import torch
from torch import nn

from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.seeding import seed_everything
from nlp_rnn.textgen.batches import BpttBatches, batchify
from nlp_rnn.textgen.task import LanguageModelTask
from nlp_rnn.training import TrainConfig, Trainer

VOCAB, HIDDEN, BPTT, BATCH, STEPS = 10_000, 200, 20, 20, 60


class BareLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, HIDDEN)
        self.lstm = nn.LSTM(HIDDEN, HIDDEN, num_layers=2, batch_first=True)
        self.decoder = nn.Linear(HIDDEN, VOCAB)

    def forward(self, x, hidden):
        out, hidden = self.lstm(self.embedding(x), hidden)
        return self.decoder(out), hidden


def _tokens() -> torch.Tensor:
    return torch.randint(0, VOCAB, (BATCH * BPTT * STEPS + 1,), generator=torch.Generator().manual_seed(0))


def bare_loop(tokens: torch.Tensor) -> int:
    model = BareLM()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    hidden, count = None, 0
    for x, y in BpttBatches(batchify(tokens, BATCH), BPTT):
        logits, hidden = model(x, hidden)
        hidden = tuple(h.detach() for h in hidden)
        loss = nn.functional.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        count += y.numel()
    return count


def engine_loop(tokens: torch.Tensor) -> int:
    model = LanguageModel(LanguageModelConfig(vocab_size=VOCAB, embed_dim=HIDDEN, hidden_size=HIDDEN, num_layers=2))
    task = LanguageModelTask(tokens, None, batch_size=BATCH, bptt=BPTT)
    config = TrainConfig(epochs=1, optimizer="sgd", lr=1.0, clip_grad_norm=5.0, progress=False)
    history = Trainer(model, task, config).fit()
    return history[0]["step"] * BATCH * BPTT


def run() -> list[dict]:
    from bench.timing import interleaved

    seed_everything(0)
    tokens = _tokens()
    rates = interleaved({"bare": lambda: bare_loop(tokens), "engine": lambda: engine_loop(tokens)}, repeats=5)
    return [{
        "name": "Training engine vs bare nn.LSTM loop (PTB-small shape)",
        "ours": rates["engine"], "baseline": rates["bare"], "unit": "tokens/s",
        "ratio": rates["engine"] / rates["bare"], "target": "≥ 0.95",
        "met": rates["engine"] / rates["bare"] >= 0.95,
    }]
