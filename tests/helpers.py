"""Small tasks for testing the engine and models: data made by the tests, seeded."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from nlp_rnn.training import Task

PAD, BOS, EOS, FIRST_DIGIT = 0, 1, 2, 3  # digits 0-9 are tokens 3..12
DIGIT_VOCAB = 13


def reversal_data(n: int, seed: int, shortest: int = 3, longest: int = 8):
    """Random digit strings (n, longest) with lengths, and bos + reversed + eos targets."""
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(shortest, longest + 1, (n,), generator=g)
    source = torch.zeros(n, longest, dtype=torch.long)
    target = torch.zeros(n, longest + 2, dtype=torch.long)
    for i, length in enumerate(lengths.tolist()):
        digits = torch.randint(FIRST_DIGIT, DIGIT_VOCAB, (length,), generator=g)
        source[i, :length] = digits
        target[i, 0], target[i, length + 1] = BOS, EOS
        target[i, 1 : length + 1] = digits.flip(0)
    return source, lengths, target


class ReversalTask(Task):
    def __init__(self, steps_per_epoch: int = 100, batch_size: int = 64, seed: int = 0):
        self.steps, self.batch_size, self.seed = steps_per_epoch, batch_size, seed

    def train_batches(self, epoch):
        return [reversal_data(self.batch_size, self.seed * 100_003 + epoch * 1_000 + i) for i in range(self.steps)]

    def train_step(self, model, batch):
        source, lengths, target = batch
        logits = model(source, lengths, target[:, :-1])
        gold = target[:, 1:]
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), gold.reshape(-1), ignore_index=PAD)
        return loss, int((gold != PAD).sum())


class SequenceClassTask(Task):
    """Label = the first token's class, read after a run of distractors: needs memory across steps.

    Tokens 2..(2+classes) are markers; 10.. are distractors; pads at the end vary the length.
    """

    def __init__(self, classes: int = 3, vocab: int = 20, batch_size: int = 32, steps: int = 20, seed: int = 0):
        self.classes, self.vocab, self.batch_size, self.steps, self.seed = classes, vocab, batch_size, steps, seed
        self.valid = self.make(256, seed + 999)

    def make(self, n: int, seed: int):
        g = torch.Generator().manual_seed(seed)
        labels = torch.randint(0, self.classes, (n,), generator=g)
        lengths = torch.randint(4, 12, (n,), generator=g)
        tokens = torch.randint(10, self.vocab, (n, 12), generator=g)
        tokens[:, 0] = 2 + labels
        tokens[torch.arange(12).unsqueeze(0) >= lengths.unsqueeze(1)] = PAD
        return tokens, lengths, labels

    def train_batches(self, epoch):
        return [self.make(self.batch_size, self.seed * 7919 + epoch * 101 + i) for i in range(self.steps)]

    def train_step(self, model, batch):
        tokens, lengths, labels = batch
        return F.cross_entropy(model(tokens, lengths), labels), len(labels)

    def evaluate(self, model):
        tokens, lengths, labels = self.valid
        logits = model(tokens, lengths)
        return {"val_loss": float(F.cross_entropy(logits, labels)),
                "val_accuracy": float((logits.argmax(-1) == labels).float().mean())}
