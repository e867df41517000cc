"""One training run as the page asks for it: auto, v1 or v2 on a training set, scored and described."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlp_rnn.emojify.data import Example
from nlp_rnn.emojify.evaluate import evaluate
from nlp_rnn.emojify.model import EmojiModel
from nlp_rnn.training import Callback


@dataclass(frozen=True)
class TrainRequest:
    model: str = "auto"  # "auto", "v1" or "v2"
    epochs: int | None = None  # v1/v2 only; None: the model's default


@dataclass
class TrainResult:
    model: EmojiModel
    report: dict  # evaluate() on the validation set, else on the training set
    scored: str  # the headline, in words
    scored_on: str  # which sentences the report covers


def run_training(request: TrainRequest, train_set: list[Example], valid_set: list[Example], out: Path,
                 on_progress: Callable[[int, int, str], None] | None, callbacks: list[Callback] = (),
                 stop: Callable[[], str | None] | None = None) -> TrainResult:
    """``callbacks`` go to every Trainer; ``stop`` (auto only) is asked between runs (see ``auto.Steering``)."""
    if request.model == "auto":
        from nlp_rnn.emojify.auto import AutoOptions, train_auto

        model, _ = train_auto(AutoOptions(), train_set, out, progress=on_progress, callbacks=tuple(callbacks),
                              stop=stop)
    else:
        from nlp_rnn.emojify.train import EmojifyOptions, train

        model, _ = train(EmojifyOptions(model=request.model, epochs=request.epochs), train_set, valid_set, out,
                         callbacks=list(callbacks), progress=False)
    report = evaluate(model, valid_set or train_set)
    if valid_set:
        return TrainResult(model, report, f"validation accuracy {report['accuracy']:.1%}",
                           f"{len(valid_set)} validation sentences")
    scored = f"training accuracy {report['accuracy']:.1%} (no validation split: under 500 sentences, all train)"
    if model.auto and model.auto.get("folds"):
        scored = f"cross-validation accuracy {model.auto['accuracy']:.1%} ± {model.auto['spread']:.1%}, " + scored
    return TrainResult(model, report, scored, f"{len(train_set)} training sentences (seen in training)")
