"""Learning-rate schedules for the Trainer, all made of ``torch.optim.lr_scheduler`` parts.

- per epoch: "step" (``MultiplicativeLR``: × ``lr_decay`` each epoch after ``lr_decay_start``) and
  "plateau" (``ReduceLROnPlateau`` on the monitored metric);
- per step: a linear warm-up (``LinearLR``) over ``warmup_steps``, then for "cosine" and "linear" a
  decay (``CosineAnnealingLR`` / ``LinearLR``) that reaches ``lr × lr_floor`` at the planned last step.

The planned length is known at once from epochs and ``max_steps``; with a time budget
(``max_minutes``) it is measured instead: after ``MEASURE_STEPS`` steps (at least the warm-up), the
seconds per step so far give how many steps the rest of the budget holds (nanoGPT decays over
``max_iters``; here the budget sets that number). All recursive schedulers, so warm-up and decay
compose by multiplication. The state is JSON (``state``/``restore``) so a resumed run is exact.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from torch.optim import Optimizer, lr_scheduler

log = logging.getLogger(__name__)
MEASURE_STEPS = 20  # steps timed before a budget's plan is made
BUDGET_MARGIN = 0.95  # the share of the rest of a budget planned for steps; the rest is for evaluation and saving


@dataclass(frozen=True)
class Plan:
    """The decay part of a per-step schedule: the full rate after step ``start``, the floor at step ``end``."""

    kind: str  # "cosine" | "linear"
    start: int
    end: int
    steps_per_second: float | None = None  # measured, for a budget; None when the length was known

    def describe(self, lr: float, floor: float) -> str:
        how = f" (measured {self.steps_per_second:.1f} steps/s)" if self.steps_per_second else ""
        return (f"{self.kind} decay from lr {lr:g} at step {self.start:,} to {lr * floor:g} at step {self.end:,}"
                f"{how}")


class Schedule:
    """Steps the learning rate of ``optimizer`` as ``config`` (a ``TrainConfig``) says."""

    def __init__(self, optimizer: Optimizer, config, steps_per_epoch: int | None, state: dict | None = None):
        self.optimizer, self.config = optimizer, config
        restored_lr = self.lr  # a resumed optimizer's rate; building schedulers moves it
        self.limit = _step_limit(config, steps_per_epoch)
        self.plan: Plan | None = None
        self.warmup = lr_scheduler.LinearLR(optimizer, 1 / (config.warmup_steps + 1), 1.0,
                                            total_iters=config.warmup_steps) if config.warmup_steps else None
        self.epochly = self._epochly()
        self.decay = None
        if state is not None:
            self._restore(state, restored_lr)

    @property
    def lr(self) -> float:
        return self.optimizer.param_groups[0]["lr"]

    def after_step(self, step: int, seconds: float) -> None:
        """Called after optimizer step number ``step`` (1-based), ``seconds`` into the run."""
        c = self.config
        if self.warmup is not None and step <= c.warmup_steps:
            self.warmup.step()
        if self.decay is not None and step < self.plan.end:
            self.decay.step()
        if c.lr_schedule in ("cosine", "linear") and self.plan is None and step >= self._plan_at():
            self._make_plan(step, seconds)  # the next step still runs at the full rate

    def after_epoch(self, metric: float | None) -> None:
        if isinstance(self.epochly, lr_scheduler.ReduceLROnPlateau):
            if metric is not None:
                self.epochly.step(metric)
        elif self.epochly is not None:
            self.epochly.step()

    def describe(self) -> str:
        """What was planned, in words (the CLI and the page print it)."""
        c = self.config
        warm = f"linear warm-up over {c.warmup_steps} steps, then " if c.warmup_steps else ""
        if c.lr_schedule in ("cosine", "linear"):
            if self.plan is None:
                return f"{warm}{c.lr_schedule} decay to {c.lr * c.lr_floor:g}, planned after {self._plan_at()} steps"
            return warm + self.plan.describe(c.lr, c.lr_floor)
        if c.lr_schedule == "step":
            return f"{warm}lr {c.lr:g}, × {c.lr_decay:g} every epoch after epoch {max(c.lr_decay_start, 1)}"
        if c.lr_schedule == "plateau":
            return f"{warm}lr {c.lr:g}, × {c.lr_decay:g} after {c.plateau_patience + 1} epochs without improvement"
        return f"{warm}constant lr {c.lr:g}"

    # ---- the pieces --------------------------------------------------------------------

    def _epochly(self):
        c = self.config
        if c.lr_schedule == "step":
            start = c.lr_decay_start
            return lr_scheduler.MultiplicativeLR(self.optimizer, lambda epoch: c.lr_decay if epoch >= start else 1.0)
        if c.lr_schedule == "plateau":  # threshold 0: "better" is the Trainer's strict improvement
            return lr_scheduler.ReduceLROnPlateau(self.optimizer, mode=c.monitor_mode, factor=c.lr_decay,
                                                  patience=c.plateau_patience, threshold=0.0)
        return None

    def _plan_at(self) -> int:
        measure = MEASURE_STEPS if self.config.max_minutes is not None else 0
        return max(self.config.warmup_steps, measure, 1)

    def _make_plan(self, step: int, seconds: float) -> None:
        c, end, rate = self.config, self.limit, None
        if c.max_minutes is not None:
            rate = step / max(seconds, 1e-9)
            budget_steps = step + int(rate * max(60 * c.max_minutes - seconds, 0.0) * BUDGET_MARGIN)
            end = budget_steps if end is None else min(end, budget_steps)
        end = max(end or step + 2, step + 2)
        self.plan = Plan(c.lr_schedule, step, end, rate)
        self._build_decay()
        log.info("learning rate: %s", self.describe())

    def _build_decay(self) -> None:
        c, length = self.config, self.plan.end - self.plan.start - 1  # step ``end`` runs at the floor
        if self.plan.kind == "cosine":
            self.decay = lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=length, eta_min=c.lr * c.lr_floor)
        else:
            self.decay = lr_scheduler.LinearLR(self.optimizer, 1.0, c.lr_floor, total_iters=length)

    # ---- resume ------------------------------------------------------------------------

    def state(self) -> dict:
        """JSON-able state (infinities as strings: JSON has none)."""
        parts = {"warmup": self.warmup, "epochly": self.epochly, "decay": self.decay}
        return {"plan": vars(self.plan) if self.plan else None,
                **{name: _json(part.state_dict()) for name, part in parts.items() if part is not None}}

    def _restore(self, state: dict, lr: float) -> None:
        if state.get("plan"):
            self.plan = Plan(**state["plan"])
            self._build_decay()
        for name in ("warmup", "epochly", "decay"):
            part = getattr(self, name)
            if part is not None and name in state:
                part.load_state_dict(_unjson(state[name]))
        for group in self.optimizer.param_groups:
            group["lr"] = lr


def _step_limit(config, steps_per_epoch: int | None) -> int | None:
    limits = [config.max_steps] if config.max_steps is not None else []
    if steps_per_epoch:
        limits.append(config.epochs * steps_per_epoch)
    return min(limits) if limits else None


def _json(state: dict) -> dict:
    return {k: str(v) if isinstance(v, float) and math.isinf(v) else v for k, v in state.items()}


def _unjson(state: dict) -> dict:
    return {k: float(v) if v in ("inf", "-inf") else v for k, v in state.items()}
