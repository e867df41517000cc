"""From a preset (with the user's overrides) to the model and training configurations.

With a time budget and no schedule chosen, a preset's per-epoch "step" decay (written for a
number of epochs the budget would cut short) becomes a decay planned for the budget: cosine by
default, from the measured speed of the first steps (``nlp_rnn.schedules``)."""

from __future__ import annotations

from nlp_rnn.errors import UserError
from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.training import UNBOUNDED_EPOCHS, TrainConfig

BUDGET_SCHEDULE = "cosine"


def schedule_of(chosen: dict, max_minutes: float | None) -> str:
    """The schedule the run uses: the chosen one, else the preset's decay, planned for a budget."""
    if "schedule" in chosen:
        return chosen["schedule"]
    implied = "step" if chosen["lr_decay"] < 1 else "constant"
    return BUDGET_SCHEDULE if max_minutes and implied == "step" else implied


def schedule_words(chosen: dict, max_minutes: float | None) -> str:
    """The schedule a run of ``chosen`` will use, in words, before it starts (the page shows it)."""
    schedule = schedule_of(chosen, max_minutes)
    warm = f"{chosen['warmup']} warm-up steps, then " if chosen.get("warmup") else ""
    if schedule in ("cosine", "linear"):
        span = (f"planned for the {max_minutes:g}-minute budget from the speed of the first steps" if max_minutes
                else f"over the {chosen['epochs']} epochs")
        return f"{warm}{schedule} decay from {chosen['lr']:g} to {chosen['lr'] * chosen.get('lr_floor', 0.01):g}, {span}"
    if schedule == "step":
        return f"{warm}{chosen['lr']:g}, × {chosen['lr_decay']:g} each epoch after epoch {chosen['lr_decay_start']}"
    return f"{warm}constant {chosen['lr']:g}"


def budget_of(chosen: dict, max_minutes: float | None) -> float | None:
    return max_minutes if max_minutes is not None else chosen.get("max_minutes")


def epochs_of(chosen: dict, user_epochs: bool, max_minutes: float | None) -> int:
    """The preset's epochs, unless a budget ends the run: a decay planned for the budget is not cut short by
    an epoch count written for runs without one (the user's own ``--epochs`` is kept)."""
    budget = budget_of(chosen, max_minutes)
    if budget and not user_epochs and schedule_of(chosen, budget) in ("cosine", "linear"):
        return UNBOUNDED_EPOCHS
    return chosen["epochs"]


def build_model(chosen: dict, vocab_size: int, tied: bool) -> LanguageModel:
    cutoffs = chosen.get("cutoffs")
    config = LanguageModelConfig(vocab_size=vocab_size, embed_dim=chosen["embed"], hidden_size=chosen["hidden"],
                                 num_layers=chosen["layers"], cell=chosen["cell"], dropout=chosen["dropout"],
                                 tie_weights=tied or chosen.get("tied", False), init_range=chosen["init_range"],
                                 softmax=chosen.get("softmax", "full"), cutoffs=tuple(cutoffs) if cutoffs else None)
    try:
        return LanguageModel(config)
    except ValueError as error:
        hint = "--tied needs --embed equal to --hidden and --softmax full" if config.tie_weights else \
            f"give --cutoffs below {vocab_size}, rising"
        raise UserError(f"{error} ({hint})") from None


def training_config(chosen: dict, max_minutes: float | None, max_steps: int | None, seed: int,
                 progress: bool) -> TrainConfig:
    budget = budget_of(chosen, max_minutes)
    return TrainConfig(epochs=chosen["epochs"], max_minutes=budget, max_steps=max_steps,
                       optimizer=chosen["optimizer"], lr=chosen["lr"], clip_grad_norm=chosen["clip"] or None,
                       lr_schedule=schedule_of(chosen, budget), lr_decay=chosen["lr_decay"],
                       lr_decay_start=chosen["lr_decay_start"], warmup_steps=chosen.get("warmup", 0),
                       lr_floor=chosen.get("lr_floor", 0.01), seed=seed, progress=progress)
