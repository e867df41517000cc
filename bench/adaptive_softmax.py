"""``--softmax adaptive`` against the full softmax at PTB scale (run by ``python -m bench.ptb adaptive-vs-full``).

Speed: training steps of ptb-small's 2×200 LSTM on PTB's 10,000 words (batch 20, bptt 35, SGD), the two
models timed in alternation (``bench.timing.interleaved``) so load on a shared machine hits both alike.
Quality: both trained the same epochs on the first ``slice`` tokens of ptb.train (same seed, same
settings), validation perplexity on the first 20,000 tokens of ptb.valid.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch

from bench.timing import interleaved
from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.seeding import seed_everything
from nlp_rnn.text import Tokenizer
from nlp_rnn.textgen.batches import BpttBatches, batchify
from nlp_rnn.textgen.data import build_vocabulary, encode, tokenize_corpus
from nlp_rnn.textgen.task import LanguageModelTask
from nlp_rnn.training import TrainConfig, Trainer

STEPS, BATCH, BPTT, VALID = 20, 20, 35, 20_000


def _ids(ptb: Path):
    tokenizer = Tokenizer("word", split_punctuation=False)
    train = tokenize_corpus((ptb / "ptb.train.txt").read_text(), tokenizer)
    vocabulary = build_vocabulary(train, "word")
    valid = tokenize_corpus((ptb / "ptb.valid.txt").read_text(), tokenizer)[:VALID]
    return encode(train, vocabulary), encode(valid, vocabulary), len(vocabulary)


def _model(softmax: str, vocab_size: int) -> LanguageModel:
    seed_everything(0)
    return LanguageModel(LanguageModelConfig(vocab_size=vocab_size, embed_dim=200, hidden_size=200, num_layers=2,
                                             init_range=0.1, softmax=softmax))


def _steps(model: LanguageModel, ids: torch.Tensor) -> int:
    """``STEPS`` training steps; returns the tokens trained on."""
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    hidden, tokens = None, 0
    for inputs, targets in BpttBatches(batchify(ids[: BATCH * BPTT * STEPS + 1], BATCH), BPTT):
        loss, hidden = model.loss(inputs, targets, hidden)
        hidden = tuple(h.detach() for h in hidden)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        tokens += targets.numel()
    return tokens


def _train(softmax: str, train: torch.Tensor, valid: torch.Tensor, vocab_size: int, epochs: int) -> dict:
    model = _model(softmax, vocab_size)
    task = LanguageModelTask(train, valid, batch_size=BATCH, bptt=BPTT)
    config = TrainConfig(epochs=epochs, optimizer="sgd", lr=1.0 * BPTT, clip_grad_norm=5.0 / BPTT,
                         lr_schedule="constant", progress=False, seed=0)
    history = Trainer(model, task, config).fit()
    return {"val_perplexity": history[-1]["val_perplexity"], "tokens_per_second": history[-1]["items_per_second"]}


def compare(ptb: Path, slice_tokens: int, epochs: int) -> dict:
    train, valid, vocab_size = _ids(ptb)
    models = {name: _model(name, vocab_size) for name in ("full", "adaptive")}
    rates = interleaved({name: (lambda m=model: _steps(m, train)) for name, model in models.items()})
    quality = {name: _train(name, train[:slice_tokens], valid, vocab_size, epochs) for name in ("full", "adaptive")}
    ratio = quality["adaptive"]["val_perplexity"] / quality["full"]["val_perplexity"]
    return {"name": f"adaptive vs full softmax, PTB 2x200 (vocabulary {vocab_size:,}); quality after {epochs} epoch(s) "
                    f"on the first {slice_tokens:,} training tokens",
            "tokens_per_second": rates, "speedup": rates["adaptive"] / rates["full"],
            "perplexity": {k: v["val_perplexity"] for k, v in quality.items()},
            "perplexity_ratio": ratio, "within_3_percent": abs(ratio - 1) <= 0.03 or ratio < 1,
            "speedup_target_met": rates["adaptive"] / rates["full"] >= 1.8, "finite": math.isfinite(ratio)}
