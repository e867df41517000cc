"""Learning-rate schedules: torch's schedulers, planned for a budget, resumed exactly."""

import math

import pytest
import torch

from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.schedules import MEASURE_STEPS
from nlp_rnn.seeding import seed_everything
from nlp_rnn.textgen.recipe import schedule_of
from nlp_rnn.textgen.task import LanguageModelTask
from nlp_rnn.training import Callback, TrainConfig, Trainer


class Rates(Callback):
    def __init__(self):
        self.lrs = []

    def on_step(self, trainer, loss):
        self.lrs.append(trainer.optimizer.param_groups[0]["lr"])


class StopAt(Callback):
    """A stop click at a step (``max_steps`` would plan a shorter decay)."""

    def __init__(self, step):
        self.step = step

    def on_step(self, trainer, loss):
        if trainer.progress.step == self.step:
            trainer.request_stop()


def make(out_dir=None, callbacks=(), **config):
    seed_everything(0)
    ids = torch.tensor([1, 2, 3, 4, 5, 6, 7] * 60)
    model = LanguageModel(LanguageModelConfig(vocab_size=8, embed_dim=8, hidden_size=16, num_layers=1))
    task = LanguageModelTask(ids, ids[:140], batch_size=4, bptt=10, eval_batch_size=2)  # 11 steps an epoch
    config = TrainConfig(**{"epochs": 3, "lr": 0.01, "progress": False, **config})
    return Trainer(model, task, config, out_dir=out_dir, callbacks=list(callbacks))


def test_warmup_then_cosine_reaches_the_floor_at_the_last_step():
    rates = Rates()
    trainer = make(callbacks=[rates], lr_schedule="cosine", warmup_steps=5, lr_floor=0.1)
    trainer.fit()
    # the rate the next step uses: step 1 at 0.01 / 6, then up in a line to 0.01 at step 6
    assert rates.lrs[:5] == pytest.approx([0.01 * (i + 2) / 6 for i in range(5)])
    assert all(a > b for a, b in zip(rates.lrs[5:32], rates.lrs[6:32]))  # then only down
    assert rates.lrs[31] == pytest.approx(0.001) and rates.lrs[30] > 0.001  # the floor at the 33rd (last) step
    assert trainer.schedule.plan.end == 33 and "cosine" in trainer.schedule.describe()


def test_a_budget_plans_the_decay_from_the_measured_speed(monkeypatch):
    """A fake clock: every step takes 1 s, so a 1-minute budget holds about 57 steps (95%); the
    rate must reach its floor then, not at the 3 epochs (33 steps) the epochs alone would allow."""
    import nlp_rnn.training as training

    clock = [0.0]
    monkeypatch.setattr(training.time, "monotonic", lambda: clock[0])

    class Tick(Rates):
        def on_step(self, trainer, loss):
            super().on_step(trainer, loss)
            clock[0] += 1.0

    rates = Tick()
    trainer = make(callbacks=[rates], epochs=50, lr_schedule="linear", lr_floor=0.0, max_minutes=1.0)
    trainer.fit()
    plan = trainer.schedule.plan
    assert plan.start == MEASURE_STEPS and plan.steps_per_second == pytest.approx(MEASURE_STEPS / (MEASURE_STEPS - 1))
    assert 55 <= plan.end <= 60 and "reached --max-minutes" in trainer.stop_reason
    assert rates.lrs[:MEASURE_STEPS] == [0.01] * MEASURE_STEPS  # full rate while measuring
    assert abs(rates.lrs[plan.end - 2]) < 1e-12 < rates.lrs[plan.end - 3]  # the floor at step end, not before


def test_a_budget_plans_again_once_the_slow_first_steps_are_past(monkeypatch):
    """A fake clock: the first steps take 3 s (kernels chosen, caches warm), the rest 1 s. The first plan,
    timed on the slow steps, ends the decay far too soon; planning again every few steps from the speed
    since then moves the end to where a 4-minute budget really runs out."""
    import nlp_rnn.schedules as schedules
    import nlp_rnn.training as training

    clock = [0.0]
    monkeypatch.setattr(training.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(schedules, "REPLAN_EVERY", 10)

    class Tick(Rates):
        def on_step(self, trainer, loss):
            super().on_step(trainer, loss)
            clock[0] += 3.0 if trainer.progress.step <= MEASURE_STEPS else 1.0

    rates, firsts = Tick(), []

    class First(Callback):
        def on_step(self, trainer, loss):
            if trainer.schedule.plan is not None and not firsts:
                firsts.append(trainer.schedule.plan.end)

    trainer = make(callbacks=[rates, First()], epochs=50, lr_schedule="cosine", lr_floor=0.0, max_minutes=4.0)
    trainer.fit()
    end = trainer.schedule.plan.end
    assert firsts[0] < 90  # 20 steps in 57 s: about 0.35 steps/s planned for the 183 s left
    assert 180 <= end <= 200 and trainer.progress.step >= end  # 1 step/s for the rest: the floor as the time ends
    assert abs(rates.lrs[end - 2]) < 1e-9 < rates.lrs[end - 3]
    # one cosine over the run, as if its length had been known: from the last plan on, exactly the curve
    # (lrs[k - 2] is the rate step k runs at)
    curve = [0.005 * (1 + math.cos(math.pi * (s - MEASURE_STEPS - 1) / (end - MEASURE_STEPS - 1)))
             for s in range(MEASURE_STEPS + 1, end + 1)]
    again = trainer.schedule.plan.again
    assert rates.lrs[again - 1:end - 1] == pytest.approx(curve[again - MEASURE_STEPS:], abs=1e-12)
    assert max(rates.lrs[MEASURE_STEPS:]) <= 0.01


def test_step_and_plateau_are_torch_schedulers_and_unchanged_without_a_budget():
    trainer = make(epochs=4, lr=1.0, optimizer="sgd", lr_schedule="step", lr_decay=0.5, lr_decay_start=2)
    assert [r["lr"] for r in trainer.fit()] == [1.0, 1.0, 0.5, 0.25]
    assert type(trainer.schedule.epochly).__name__ == "MultiplicativeLR"
    plateau = make(epochs=3, lr_schedule="plateau", lr_decay=0.1, monitor_mode="max")  # never improves after epoch 1
    assert [r["lr"] for r in plateau.fit()] == pytest.approx([0.01, 0.01, 0.001])  # epoch 2 fails to improve


@pytest.mark.parametrize("schedule", ["cosine", "step", "plateau"])
def test_resume_mid_run_gives_the_same_weights_and_rates(tmp_path, schedule):
    settings = dict(epochs=3, lr_schedule=schedule, warmup_steps=4, lr_decay=0.5, lr_decay_start=1)
    straight = make(tmp_path / "a", **settings)
    history = straight.fit()
    make(tmp_path / "b", callbacks=[StopAt(15)], **settings).fit()  # inside epoch 2, mid-decay (same plan)
    resumed = make(tmp_path / "b", **settings)
    resumed.resume()
    resumed_history = resumed.fit()
    assert [r["lr"] for r in resumed_history] == [r["lr"] for r in history]
    for key, value in straight.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[key]), key


def test_a_budget_turns_a_presets_step_decay_into_a_planned_cosine():
    assert schedule_of({"lr_decay": 0.5}, None) == "step"  # no budget: as before
    assert schedule_of({"lr_decay": 0.5}, 28.0) == "cosine"
    assert schedule_of({"lr_decay": 1.0}, 28.0) == "constant"
    assert schedule_of({"lr_decay": 0.5, "schedule": "step"}, 30.0) == "step"  # chosen (ptb-30min): kept


def test_a_budget_is_not_cut_short_by_a_presets_epochs_unless_the_user_chose_them():
    from nlp_rnn.textgen.pipeline import TextOptions, settings
    from nlp_rnn.training import UNBOUNDED_EPOCHS

    word = dict(corpus="lee", level="word")
    assert settings(TextOptions(**word, max_minutes=28.0))["epochs"] == UNBOUNDED_EPOCHS  # the budget ends it
    assert settings(TextOptions(**word))["epochs"] == 13  # no budget: the preset's
    assert settings(TextOptions(**word, max_minutes=28.0, overrides=(("epochs", 5),)))["epochs"] == 5  # the user's
    assert settings(TextOptions(**word, preset="ptb-30min"))["epochs"] == 8  # a step decay is written in epochs


def test_the_cli_prints_the_plan_and_prints_it_again_after_an_epoch_that_moved_it(monkeypatch, capsys):
    """The CLI's printer: the first plan once it is made, then again (once) after an epoch whose re-plan moved it."""
    import nlp_rnn.schedules as schedules
    import nlp_rnn.training as training
    from nlp_rnn.cli.text import SchedulePrinter

    clock = [0.0]
    monkeypatch.setattr(training.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(schedules, "REPLAN_EVERY", 10)

    class Tick(Callback):
        def on_step(self, trainer, loss):
            clock[0] += 3.0 if trainer.progress.step <= MEASURE_STEPS else 1.0

    make(callbacks=[Tick(), SchedulePrinter()], epochs=50, lr_schedule="cosine", max_minutes=4.0).fit()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("learning rate: cosine decay from lr 0.01 at step 20 to 0.0001 at step ")
    assert "planned again at step" in lines[1] and len(lines) == len(set(lines)) >= 2
