"""Learning-rate schedules for the Trainer, all made of ``torch.optim.lr_scheduler`` parts.

- per epoch: "step" (``MultiplicativeLR``: × ``lr_decay`` each epoch after ``lr_decay_start``) and
  "plateau" (``ReduceLROnPlateau`` on the monitored metric);
- per step: a linear warm-up (``LinearLR``) over ``warmup_steps``, then for "cosine" and "linear" a
  decay (``CosineAnnealingLR`` / ``LinearLR``) that reaches ``lr × lr_floor`` at the planned last step.

The planned length is known at once from epochs and ``max_steps``; with a time budget
(``max_minutes``) it is measured instead: after ``MEASURE_STEPS`` steps (at least the warm-up), the
seconds per step so far give how many steps the rest of the budget holds (nanoGPT decays over
``max_iters``; here the budget sets that number). The first steps are slow (kernels are chosen,
bf16 weights cast, caches warm), so every ``REPLAN_EVERY`` steps the end is planned again from the
speed since the plan was made, evaluations included; the decay (a ``LambdaLR`` of the plan's
position, steps done over its length) stays one curve over the run with its end moved. Warm-up
ends before the decay starts, so the two never act on one step. The state is JSON
(``state``/``restore``) so a resumed run is exact.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass

from torch.optim import Optimizer, lr_scheduler

log = logging.getLogger(__name__)
MEASURE_STEPS = 20  # steps timed before a budget's plan is made
REPLAN_EVERY = 50  # a budget's end is planned again this often (steps), from the speed since the first plan
BUDGET_MARGIN = 0.95  # the share of the rest of a budget planned for steps; the rest is for evaluation and saving


@dataclass(frozen=True)
class Plan:
    """The decay part of a per-step schedule: the full rate after step ``start``, the floor at step ``end``.
    A budget's plan made again keeps ``start`` and moves ``end`` (``again``: the step it was planned at), so
    the curve stays one cosine (or line) over the whole run, as if its length had been known."""

    kind: str  # "cosine" | "linear"
    start: int
    end: int
    steps_per_second: float | None = None  # measured, for a budget; None when the length was known
    again: int | None = None

    def describe(self, lr: float, floor: float) -> str:
        how = f" (measured {self.steps_per_second:.1f} steps/s)" if self.steps_per_second else ""
        again = f", planned again at step {self.again:,}" if self.again is not None else ""
        return (f"{self.kind} decay from lr {lr:g} at step {self.start:,} to {lr * floor:g} at step {self.end:,}"
                f"{how}{again}")


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
        self._since: tuple[int, float] | None = None  # (step, seconds) a budget's speed is timed from: the first plan
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
            if c.max_minutes is not None:
                self._replan(step, seconds)
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
        rate = step / max(seconds, 1e-9) if self.config.max_minutes is not None else None
        end = self._end(step, seconds, rate)
        self.plan = Plan(self.config.lr_schedule, step, max(end or step + 2, step + 2), rate)
        self._since = (step, seconds)
        self._build_decay()
        log.info("learning rate: %s", self.describe())

    def _replan(self, step: int, seconds: float) -> None:
        """Every REPLAN_EVERY steps, a budget's end again from the speed since the first plan (or since a
        resume: a resumed run's budget starts again), so the first steps' slowness is left out."""
        if self._since is None:
            self._since = (step, seconds)
        done = step - self._since[0]
        if done == 0 or done % REPLAN_EVERY:
            return
        rate = done / max(seconds - self._since[1], 1e-9)
        end = max(self._end(step, seconds, rate), step + 1)
        if end != self.plan.end:
            self.plan = dataclasses.replace(self.plan, end=end, steps_per_second=rate, again=step)
            log.info("learning rate: %s", self.describe())

    def _end(self, step: int, seconds: float, rate: float | None) -> int | None:
        """The last step: the step limit, or sooner where the budget's time at ``rate`` steps/s runs out."""
        if rate is None:
            return self.limit
        budget_steps = step + int(rate * max(60 * self.config.max_minutes - seconds, 0.0) * BUDGET_MARGIN)
        return budget_steps if self.limit is None else min(self.limit, budget_steps)

    def _build_decay(self) -> None:
        """The decay: a LambdaLR counting steps from the first plan, whose function reads the plan when it is
        used, so a new plan moves the rest of the curve."""
        self.decay = lr_scheduler.LambdaLR(self.optimizer, self._factor)

    def _factor(self, done: int) -> float:
        """The share of the full rate after ``done`` decay steps: step ``start + done + 1`` uses it, so step
        ``end`` runs at the floor. A plan made again moves the rest of the curve: the rate can step up a
        little where the first plan's slow first steps had set ``end`` too soon."""
        plan, floor = self.plan, self.config.lr_floor
        position = done / max(plan.end - plan.start - 1, 1)
        return floor + (1 - floor) * _SHAPES[plan.kind](min(position, 1.0))

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
                part_state = _unjson(state[name])
                if name == "decay":  # a LambdaLR's function is rebuilt, not stored (older states had none)
                    part_state.setdefault("lr_lambdas", [None] * len(self.optimizer.param_groups))
                part.load_state_dict(part_state)
        for group in self.optimizer.param_groups:
            group["lr"] = lr


_SHAPES = {"cosine": lambda t: (1 + math.cos(math.pi * t)) / 2, "linear": lambda t: 1 - t}  # 1 at t = 0, 0 at t = 1


def _step_limit(config, steps_per_epoch: int | None) -> int | None:
    limits = [config.max_steps] if config.max_steps is not None else []
    if steps_per_epoch:
        limits.append(config.epochs * steps_per_epoch)
    return min(limits) if limits else None


def _json(state: dict) -> dict:
    return {k: str(v) if isinstance(v, float) and math.isinf(v) else v for k, v in state.items()}


def _unjson(state: dict) -> dict:
    return {k: float(v) if v in ("inf", "-inf") else v for k, v in state.items()}
