"""The one training loop every application uses.

An application describes its data and loss as a ``Task``; ``Trainer.fit`` does the rest:
budget (epochs, steps, minutes), gradient clipping, LR schedule, early stopping, per-epoch
history, a progress bar, callbacks (live charts, stop buttons), the best checkpoint and an
exactly resumable training state. It alone places the model and the batches on the device
(``TrainConfig.device``/``precision``, see ``devices``) and, under a launcher, spreads the run over
ranks (see ``distributed``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn
from tqdm.auto import tqdm

from nlp_rnn import checkpoint, distributed
from nlp_rnn.devices import Placement, to_device
from nlp_rnn.models.store import save_model
from nlp_rnn.schedules import Schedule
from nlp_rnn.train_state import load_training_state, restore_scaler, save_training_state
from nlp_rnn.writer_lock import writer

log = logging.getLogger(__name__)
DECISION_EVERY = 16  # under N ranks, rank 0's stop decisions (clock, stop button) are broadcast this often
REFRESH_SECONDS = 0.5  # the progress bar reads the loss (a device sync) at most this often
OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}


UNBOUNDED_EPOCHS = 1_000_000  # ``epochs`` of a run that only its budget (max_minutes or max_steps) ends


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10  # passes over the training data
    max_steps: int | None = None  # stop after this many optimizer steps in all
    max_minutes: float | None = None  # stop after this much wall time
    optimizer: Literal["adam", "adamw", "sgd", "rmsprop"] = "adam"
    lr: float = 1e-3  # learning rate at the start
    weight_decay: float = 0.0  # L2 penalty (decoupled for adamw)
    clip_grad_norm: float | None = 5.0  # max global gradient norm; None = no clipping
    lr_schedule: Literal["constant", "step", "plateau", "cosine", "linear"] = "constant"  # see nlp_rnn.schedules
    lr_decay: float = 0.5  # factor per decay ("step": every epoch after lr_decay_start; "plateau": on a plateau)
    lr_decay_start: int = 0  # "step": epochs run at the full rate before decaying
    plateau_patience: int = 0  # "plateau": epochs without improvement before decaying
    warmup_steps: int = 0  # linear warm-up from lr / (warmup_steps + 1) to lr
    lr_floor: float = 0.01  # "cosine"/"linear": the last step's rate, as a share of lr (planned for max_minutes)
    early_stopping_patience: int | None = None  # stop after this many epochs without improvement
    monitor: str = "val_loss"  # history key that picks the best epoch (falls back to train_loss)
    monitor_mode: Literal["min", "max"] = "min"
    restore_best: bool = True  # end with the best epoch's weights, not the last epoch's
    seed: int = 0  # seeds torch before training; data order comes from the task's own seed
    progress: bool = True  # show a terminal progress bar
    device: str | None = None  # auto|cpu|cuda|cuda:N|mps; None: $NLP_RNN_DEVICE, else auto
    precision: Literal["fp32", "bf16", "fp16"] = "fp32"  # autocast dtype; fp16 adds a gradient scaler


class Task:
    """What an application tells the trainer. Batches must be deterministic for a given epoch.

    Batches are CPU tensors (or tuples of them) whose first dimension counts the examples: the
    trainer moves them to the device and, under N ranks, gives each rank its rows (``distributed.shard``).
    """

    def train_batches(self, epoch: int) -> Iterable[Any]:
        raise NotImplementedError

    def train_step(self, model: nn.Module, batch: Any) -> tuple[torch.Tensor, int]:
        """Mean loss over the batch and how many items (tokens, sentences) it covered."""
        raise NotImplementedError

    def evaluate(self, model: nn.Module) -> dict[str, float]:
        """Validation metrics, keys prefixed "val_"; empty when there is no validation data."""
        return {}

    def start_epoch(self, model: nn.Module) -> None:
        """Reset per-epoch state (e.g. a language model's carried hidden state)."""

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """Per-epoch state to keep in a mid-epoch checkpoint."""
        return {}

    def load_state_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        pass


class TrainingStopped(Exception):
    """A job made of several trainings (Emojify's cross-validation) ended early because its caller asked it to."""

    def __init__(self, reason: str, during: str):
        super().__init__(f"{reason} (during {during})")
        self.reason, self.during = reason, during


class Callback:
    def on_step(self, trainer: Trainer, loss: float) -> None:
        """After each step; reading ``loss`` costs a device sync, so only callbacks pay it."""

    def on_epoch_end(self, trainer: Trainer, record: dict) -> None:
        pass


@dataclass
class Progress:
    """JSON-able position of a run; saved in the training state."""

    epoch: int = 0  # epochs completed
    step: int = 0  # optimizer steps in all
    step_in_epoch: int = 0  # batches of the current epoch already trained on
    loss_sum: float = 0.0  # current epoch: sum of loss × items
    items: int = 0  # current epoch: items seen
    seconds: float = 0.0  # current epoch: training time so far
    lr: float = 0.0
    best: float | None = None
    bad_epochs: int = 0  # epochs since the best one
    history: list = field(default_factory=list)
    schedule: dict | None = None  # the learning-rate schedulers' state (nlp_rnn.schedules)
    scaler: dict | None = None  # fp16's gradient scaler (its scale and growth count): a resumed run scales on


class Trainer:
    """Fit ``model`` on ``task``; with ``out_dir`` the best model and a resumable state are saved there.

    ``model_info`` is passed to ``save_model`` (vocabulary, labels, extra) with the best checkpoint.
    """

    def __init__(self, model: nn.Module, task: Task, config: TrainConfig, out_dir: str | Path | None = None,
                 model_info: dict | None = None, callbacks: Iterable[Callback] = ()):
        self.model, self.task, self.config = model, task, config
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.model_info = model_info or {}
        self.callbacks = list(callbacks)
        self.placement = Placement.of(config.device, config.precision)
        self.world = distributed.setup(self.placement.device)
        distributed.check_batch(getattr(task, "batch_size", None), self.world.size)
        self.model = model.to(self.placement.device)  # in place: the caller's model is this one
        self.network = distributed.wrap(self.model, self.placement.device)  # what steps run: DDP under N ranks
        self.scaler = self.placement.scaler()
        # every parameter, frozen ones too: they get no gradient (so no update) until unfrozen
        self.optimizer = OPTIMIZERS[config.optimizer](model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        self.progress = Progress(lr=config.lr)
        self.schedule: Schedule | None = None  # built when fit starts (after a resume)
        self.steps_per_epoch: int | None = None
        self.stop_reason: str | None = None
        self._best_state: dict[str, torch.Tensor] | None = None
        self._started = 0.0
        self._pending = torch.zeros((), device=self.placement.device)  # loss × items not yet added to progress
        self._shown = 0.0  # when the progress bar last read the loss

    def request_stop(self, reason: str = "stopped by the user") -> None:
        """Ask the loop to stop after the current step (callbacks, stop buttons)."""
        self.stop_reason = reason

    def resume(self) -> None:
        """Continue from the training state in ``out_dir``."""
        progress, task_state = load_training_state(self.out_dir, self.model, self.optimizer, Progress)
        known = set(Progress.__dataclass_fields__)
        self.progress = Progress(**{k: v for k, v in progress.items() if k in known})  # older states: extra keys
        if not self.world.main:  # the saved epoch totals are all ranks' (rank 0 keeps them, the rest start at 0)
            self.progress.loss_sum, self.progress.items = 0.0, 0
        self.task.load_state_tensors(to_device(task_state, self.placement.device))
        restore_scaler(self.scaler, self.progress.scaler, self.out_dir)
        if checkpoint.exists(self.out_dir):
            _, tensors = checkpoint.load(self.out_dir)
            self._best_state = {**self._snapshot(), **tensors["model"]}  # the best epoch so far, from disk

    def fit(self) -> list[dict]:
        """Train until the budget is spent, early stopping triggers or a stop is requested; return the history.
        With ``out_dir``, the folder's writer lock is held throughout: a second run into it is refused."""
        with writer(self.out_dir) if self.out_dir is not None and self.world.main else nullcontext():  # rank 0 writes
            return self._fit()

    def _fit(self) -> list[dict]:
        if self.progress.step == 0 and self.progress.epoch == 0:
            torch.manual_seed(self.config.seed)
        self._started = time.monotonic()
        batches = self.task.train_batches(self.progress.epoch)
        self.steps_per_epoch = len(batches) if hasattr(batches, "__len__") else None  # for progress displays
        self.schedule = Schedule(self.optimizer, self.config, self.steps_per_epoch, state=self.progress.schedule)
        self.progress.lr = self.schedule.lr
        while self.progress.epoch < self.config.epochs and self.stop_reason is None:
            finished = self._train_epoch()
            self._end_epoch(complete=finished)
        if self.config.restore_best and self._best_state is not None:
            self.model.load_state_dict(self._best_state, strict=False)
        distributed.barrier()  # rank 0's files are whole before any rank reads them back
        return self.progress.history

    def _snapshot(self) -> dict[str, torch.Tensor]:
        """Copies of what training can change: trainable parameters and buffers (not frozen vectors)."""
        changing = {name for name, p in self.model.named_parameters() if p.requires_grad}
        changing |= {name for name, _ in self.model.named_buffers()}
        return {name: t.detach().clone() for name, t in self.model.state_dict().items() if name in changing}

    # ---- one epoch ---------------------------------------------------------------------

    def _of_epochs(self) -> str:
        return "" if self.config.epochs >= UNBOUNDED_EPOCHS else f"/{self.config.epochs}"

    def _train_epoch(self) -> bool:
        p = self.progress
        if p.step_in_epoch == 0:
            self.task.start_epoch(self.model)
        self.network.train()
        batches = self.task.train_batches(p.epoch)
        total = len(batches) if hasattr(batches, "__len__") else None
        shown = self.config.progress and self.world.main
        bar = tqdm(total=total, initial=p.step_in_epoch, desc=f"epoch {p.epoch + 1}{self._of_epochs()}",
                   disable=None if shown else True, leave=False, unit="batch")  # None: TTY only
        with bar:
            for index, batch in enumerate(batches):
                if index < p.step_in_epoch:
                    continue  # consumed before a resume; batches are deterministic per epoch
                started = time.perf_counter()
                loss = self._step(batch)
                p.seconds += time.perf_counter() - started
                self.schedule.after_step(p.step, time.monotonic() - self._started)
                p.lr = self.schedule.lr
                bar.update()
                if not bar.disable and time.monotonic() - self._shown >= REFRESH_SECONDS:
                    self._shown = time.monotonic()
                    bar.set_postfix(loss=f"{float(loss):.4f}", items_per_s=f"{p.items / max(p.seconds, 1e-9):,.0f}")
                if self.callbacks:
                    value = float(loss)
                    for callback in self.callbacks:
                        callback.on_step(self, value)
                if self._budget_spent():
                    return False
        return True

    def _step(self, batch: Any) -> torch.Tensor:
        """One optimizer step; returns the loss, still on the device (reading it would sync)."""
        p, share = self.progress, 1.0
        if self.world.size > 1:
            batch, share = distributed.shard(batch, self.world)
        with self.placement.autocast():
            loss, items = self.task.train_step(self.network, to_device(batch, self.placement.device))
        # DDP averages gradients over ranks; weighting each by its share of the rows makes that
        # the gradient of the whole batch's mean loss, as one process computes it.
        weighted = loss * (share * self.world.size) if self.world.size > 1 else loss
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(weighted).backward()
        if self.config.clip_grad_norm is not None:
            self.scaler.unscale_(self.optimizer)
            nn.utils.clip_grad_norm_(self.model.parameters(), self.config.clip_grad_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        items = items if share > 0 else 0
        p.step, p.step_in_epoch, p.items = p.step + 1, p.step_in_epoch + 1, p.items + items
        self._pending += loss.detach().float() * items
        return loss.detach()

    def _flush_loss(self) -> None:
        """Fold the device-side loss total into the (JSON-able) progress: one sync."""
        self.progress.loss_sum += float(self._pending)
        self._pending.zero_()

    def _budget_spent(self) -> bool:
        c, p = self.config, self.progress
        if c.max_steps is not None and p.step >= c.max_steps:  # the same step on every rank
            self.stop_reason = self.stop_reason or f"reached --max-steps {c.max_steps}"
            return True
        if self.world.size > 1 and p.step % DECISION_EVERY:
            return False  # clocks and stop buttons differ per rank: only rank 0's count, at the next decision
        if self.stop_reason is None and c.max_minutes is not None and time.monotonic() - self._started >= 60 * c.max_minutes:
            self.stop_reason = f"reached --max-minutes {c.max_minutes:g}"
        if self.world.size > 1:
            self.stop_reason = distributed.broadcast(self.stop_reason)
        return self.stop_reason is not None

    # ---- end of an epoch (or of a run stopped inside one) ------------------------------

    def _end_epoch(self, complete: bool) -> None:
        p = self.progress
        self._flush_loss()
        rng = torch.get_rng_state()  # evaluation must not shift the training run's random stream
        record = self._record(complete)
        torch.set_rng_state(rng)
        if p.history and not p.history[-1]["complete"]:
            p.history.pop()  # the partial record of this epoch, from before a resume
        p.history.append(record)
        if complete:
            self._track_best(record)
            self.schedule.after_epoch(self._metric(record))
            p.lr = self.schedule.lr
            self.stop_reason = distributed.broadcast(self.stop_reason)  # rank 0's early-stopping decision
            p.epoch, p.step_in_epoch, p.loss_sum, p.items, p.seconds = p.epoch + 1, 0, 0.0, 0, 0.0
        elif self._improves(record) and self.out_dir is not None and self.world.main:
            self._save_best(record, p.history)  # a run stopped mid-epoch still leaves a model
        self._save_state()
        for callback in self.callbacks:
            callback.on_epoch_end(self, record)
        if self.world.main:
            log.info("epoch %d %s", p.epoch, {k: v for k, v in record.items() if k != "epoch"})

    def _record(self, complete: bool) -> dict:
        p = self.progress
        loss_sum, items = distributed.all_sum([p.loss_sum, p.items])  # every rank's share of the epoch
        train_loss = loss_sum / items if items else float("nan")  # nan never counts as an improvement
        record = {"epoch": p.epoch + 1, "complete": complete, "step": p.step, "lr": p.lr,
                  "train_loss": train_loss, "items_per_second": items / max(p.seconds, 1e-9),
                  "seconds": p.seconds}
        if not complete and items == 0:
            return record
        self.model.eval()
        with torch.no_grad(), self.placement.autocast():
            record.update(self.task.evaluate(self.model))
        self.model.train()
        return record

    def _metric(self, record: dict) -> float | None:
        value = record.get(self.config.monitor, record.get("train_loss"))
        return None if value is None or math.isnan(value) else float(value)

    def _improves(self, record: dict) -> bool:
        value, best = self._metric(record), self.progress.best
        if value is None:
            return False
        return best is None or (value < best if self.config.monitor_mode == "min" else value > best)

    def _track_best(self, record: dict) -> None:
        p = self.progress
        if self._improves(record):
            p.best, p.bad_epochs = self._metric(record), 0
            if self.config.restore_best:
                self._best_state = self._snapshot()
            if self.out_dir is not None and self.world.main:
                self._save_best(record, p.history)
            return
        p.bad_epochs += 1
        patience = self.config.early_stopping_patience
        if patience is not None and p.bad_epochs >= patience:
            self.stop_reason = f"early stopping: no better {self.config.monitor} for {patience} epochs"

    def _save_best(self, record: dict, history: list) -> None:
        save_model(self.out_dir, self.model, history=history, metrics=record, **self.model_info)

    def _save_state(self) -> None:
        if self.out_dir is None:
            return
        task_state = self.task.state_tensors()  # a collective under N ranks: every rank takes part
        progress = {**vars(self.progress), "schedule": self.schedule.state() if self.schedule else None,
                    "scaler": self.scaler.state_dict() or None}
        progress["loss_sum"], progress["items"] = distributed.all_sum([self.progress.loss_sum, self.progress.items])
        progress["items"] = int(progress["items"])
        if self.world.main:
            save_training_state(self.out_dir, self.model, self.optimizer, progress, task_state,
                                exclude=tuple(self.model_info.get("exclude", ())))
