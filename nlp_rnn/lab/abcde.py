"""Next letter of the cycle a→b→c→d→e→a with a 3-unit SimpleRNN, the course's first recurrent network.

Three variants: one-hot input seeing one letter, one-hot input seeing four letters, and a learned
2-dimensional embedding instead of one-hot. Each reaches 100% on all five cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from nlp_rnn.devices import to_model
from nlp_rnn.errors import UserError
from nlp_rnn.lab.task import TensorTask
from nlp_rnn.models.classifier import Classifier, ClassifierConfig
from nlp_rnn.seeding import seed_everything
from nlp_rnn.threads import one_thread
from nlp_rnn.training import Callback, TrainConfig, Trainer

LETTERS = "abcde"
VARIANTS = {"onehot-1": ("onehot", 1), "onehot-4": ("onehot", 4), "embedding": ("embedding", 1)}


@dataclass(frozen=True)
class AbcdeOptions:
    variant: Literal["onehot-1", "onehot-4", "embedding"] = "onehot-1"
    hidden: int = 3  # SimpleRNN units
    embed: int = 2  # embedding width (the "embedding" variant)
    epochs: int = 200  # full-batch passes over the five cases
    lr: float = 0.05
    seed: int = 0
    device: str | None = None  # where to train (see nlp_rnn.devices); None: $NLP_RNN_DEVICE, else auto
    precision: str = "fp32"  # fp32 | bf16 | fp16


def cases(window: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every window of ``window`` letters of the cycle (5 cases) → the index of the next letter."""
    inputs = [[(start + i) % 5 for i in range(window)] for start in range(5)]
    return torch.tensor(inputs), torch.tensor([(start + window) % 5 for start in range(5)])


def build(options: AbcdeOptions) -> Classifier:
    kind, _ = VARIANTS[options.variant]
    embed = 5 if kind == "onehot" else options.embed
    config = ClassifierConfig(vocab_size=5, embed_dim=embed, num_classes=5, cell="rnn", hidden_size=options.hidden,
                              num_layers=1, dropout=0.0, freeze_embeddings=kind == "onehot")
    one_hot = nn.Embedding.from_pretrained(torch.eye(5), freeze=True) if kind == "onehot" else None
    return Classifier(config, embedding=one_hot)


def _forward(model: Classifier, tokens: torch.Tensor) -> torch.Tensor:
    return model(tokens, torch.full((len(tokens),), tokens.size(1)))


@one_thread()
def run(options: AbcdeOptions = AbcdeOptions(), callbacks: list[Callback] = ()) -> dict:
    """Train, then report accuracy, the prediction for each case, the learned weights and the loss curve."""
    if options.variant not in VARIANTS:
        raise UserError(f"unknown variant {options.variant!r}; choose one of {', '.join(VARIANTS)}")
    _, window = VARIANTS[options.variant]
    inputs, targets = cases(window)
    seed_everything(options.seed)
    model = build(options)
    task = TensorTask(inputs, targets, "ce", valid=(inputs, targets), batch_size=5, seed=options.seed, forward=_forward)
    config = TrainConfig(epochs=options.epochs, lr=options.lr, seed=options.seed, progress=False, device=options.device,
                         precision=options.precision)
    history = Trainer(model, task, config, callbacks=callbacks).fit()
    model.eval()
    with torch.no_grad():
        predicted = _forward(model, to_model(model, inputs)).argmax(-1).cpu()
    return {
        "variant": options.variant, "window": window, "accuracy": float((predicted == targets).float().mean()),
        "predictions": [{"input": "".join(LETTERS[i] for i in row), "next": LETTERS[int(p)]}
                        for row, p in zip(inputs.tolist(), predicted)],
        "weights": {name: [[round(v, 4) for v in row] for row in (t if t.dim() == 2 else t.unsqueeze(0)).tolist()]
                    for name, t in model.state_dict().items()
                    if options.variant == "embedding" or not name.startswith("embedding")},
        "loss": [round(r["train_loss"], 5) for r in history], "epochs": len(history), "model": model,
    }


def predict_next(model: Classifier, text: str, window: int) -> dict[str, float]:
    """The next-letter distribution after the last ``window`` letters of ``text`` (letters a-e only)."""
    letters = [c for c in text.lower() if c in LETTERS]
    if len(letters) < window:
        raise UserError(f"type at least {window} of the letters a-e")
    tokens = torch.tensor([[LETTERS.index(c) for c in letters[-window:]]])
    with torch.no_grad():
        probabilities = torch.softmax(_forward(model.eval(), to_model(model, tokens)), -1)[0].cpu()
    return {letter: float(p) for letter, p in zip(LETTERS, probabilities)}
