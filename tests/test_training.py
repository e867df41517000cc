"""The training engine: budgets, schedules, early stopping, callbacks, checkpoints, exact resume."""

import pytest
import torch
from helpers import SequenceClassTask

from nlp_rnn import checkpoint
from nlp_rnn.errors import DataError
from nlp_rnn.models.classifier import Classifier, ClassifierConfig
from nlp_rnn.models.store import load_model
from nlp_rnn.seeding import seed_everything
from nlp_rnn.train_state import RESUME
from nlp_rnn.training import Callback, TrainConfig, Trainer

MODEL = ClassifierConfig(vocab_size=20, embed_dim=8, num_classes=3, cell="lstm", hidden_size=12, num_layers=2,
                         dropout=0.3, freeze_embeddings=False)


def make_trainer(out_dir=None, callbacks=(), task_steps=5, **config):
    seed_everything(0)
    model = Classifier(MODEL)
    config = TrainConfig(**{"epochs": 3, "lr": 0.01, "progress": False, "seed": 0, **config})
    return Trainer(model, SequenceClassTask(steps=task_steps), config, out_dir=out_dir,
                   model_info={"labels": ["a", "b", "c"]}, callbacks=callbacks)


def weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


def test_same_seed_same_model():
    first, second = make_trainer(), make_trainer()
    first.fit()
    second.fit()
    assert_same_weights(weights(first.model), weights(second.model))


def test_history_records_each_epoch():
    history = make_trainer().fit()
    assert [r["epoch"] for r in history] == [1, 2, 3]
    for record in history:
        assert {"train_loss", "val_loss", "val_accuracy", "lr", "items_per_second", "step"} <= set(record)
        assert record["items_per_second"] > 0
    assert history[-1]["step"] == 15
    assert history[-1]["train_loss"] < history[0]["train_loss"]


@pytest.mark.parametrize("stop_after", [5, 7])  # at an epoch boundary, and inside an epoch
def test_resume_continues_exactly_like_an_uninterrupted_run(tmp_path, stop_after):
    straight = make_trainer(tmp_path / "straight")
    straight.fit()

    interrupted = make_trainer(tmp_path / "resumed", max_steps=stop_after)
    interrupted.fit()
    assert interrupted.stop_reason.startswith("reached --max-steps")
    resumed = make_trainer(tmp_path / "resumed")
    resumed.resume()
    assert resumed.progress.step == stop_after
    resumed.fit()

    assert_same_weights(weights(straight.model), weights(resumed.model))
    assert [r["train_loss"] for r in straight.progress.history] == [r["train_loss"] for r in resumed.progress.history]


def test_resume_keeps_the_fp16_gradient_scalers_scale(tmp_path, monkeypatch):
    """fp16 (CUDA only) scales the loss by a factor the scaler grows and backs off as it goes; a resumed run that
    started again from the initial scale would skip or underflow steps the uninterrupted run took. Here a CPU scaler
    that doubles every 2 steps stands in for it."""
    from nlp_rnn.devices import Placement

    monkeypatch.setattr(Placement, "scaler", lambda self: torch.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2))
    straight = make_trainer(tmp_path / "straight")
    straight.fit()
    interrupted = make_trainer(tmp_path / "resumed", max_steps=7)
    interrupted.fit()
    resumed = make_trainer(tmp_path / "resumed")
    resumed.resume()
    assert resumed.scaler.state_dict() == interrupted.scaler.state_dict() != {}
    assert resumed.scaler.get_scale() > 8.0
    resumed.fit()
    assert resumed.scaler.get_scale() == straight.scaler.get_scale()
    assert_same_weights(weights(straight.model), weights(resumed.model))

    state = tmp_path / "resumed" / RESUME
    state.write_text(state.read_text().replace('"scale": ', '"scale": "big", "was": '))
    with pytest.raises(DataError, match="resume.json: damaged gradient-scaler state"):
        make_trainer(tmp_path / "resumed").resume()


def test_resume_without_state_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no training state"):
        make_trainer(tmp_path).resume()


def test_best_checkpoint_is_the_best_validation_epoch(tmp_path):
    trainer = make_trainer(tmp_path, epochs=6, lr=0.05)  # overfits after epoch 5
    history = trainer.fit()
    best = min(history, key=lambda r: r["val_loss"])
    loaded = load_model(tmp_path, kind="classifier")
    assert loaded.metrics["epoch"] == best["epoch"]
    assert best["epoch"] != history[-1]["epoch"]  # so restoring the best is visible
    assert_same_weights(weights(trainer.model), weights(loaded.model))  # the run ends on the best epoch
    assert loaded.labels == ["a", "b", "c"]
    assert checkpoint.exists(tmp_path, RESUME)


def test_a_one_step_dry_run_still_leaves_a_loadable_model(tmp_path):
    trainer = make_trainer(tmp_path, max_steps=1)
    trainer.fit()
    assert load_model(tmp_path).metrics["step"] == 1


def test_step_schedule_halves_after_the_start_epoch():
    history = make_trainer(epochs=5, lr=1.0, optimizer="sgd", lr_schedule="step", lr_decay=0.5,
                           lr_decay_start=2).fit()
    assert [r["lr"] for r in history] == [1.0, 1.0, 0.5, 0.25, 0.125]


def test_plateau_schedule_and_early_stopping_watch_the_monitor():
    # accuracy that can never improve after epoch 1: monitor the loss in "max" mode
    trainer = make_trainer(epochs=10, lr_schedule="plateau", lr_decay=0.1, plateau_patience=0,
                           early_stopping_patience=3, monitor="val_loss", monitor_mode="max")
    history = trainer.fit()
    assert len(history) < 10 and "early stopping" in trainer.stop_reason
    lrs = [r["lr"] for r in history]
    assert lrs[0] == 0.01 and lrs[-1] < lrs[0]


def test_callbacks_see_steps_and_can_stop_training():
    class StopAfterFour(Callback):
        def __init__(self):
            self.losses, self.epochs = [], []

        def on_step(self, trainer, loss):
            self.losses.append(loss)
            if len(self.losses) == 4:
                trainer.request_stop("stop button")

        def on_epoch_end(self, trainer, record):
            self.epochs.append(record)

    callback = StopAfterFour()
    trainer = make_trainer(callbacks=[callback])
    trainer.fit()
    assert len(callback.losses) == 4 and trainer.stop_reason == "stop button"
    assert len(callback.epochs) == 1 and callback.epochs[0]["complete"] is False


def test_minutes_budget_stops_the_run():
    trainer = make_trainer(epochs=1000, max_minutes=0.002)
    trainer.fit()
    assert "max-minutes" in trainer.stop_reason
    assert trainer.progress.epoch < 1000


def test_frozen_embeddings_stay_fixed_and_trainable_ones_move():
    for freeze in (True, False):
        seed_everything(0)
        model = Classifier(ClassifierConfig(vocab_size=20, embed_dim=8, num_classes=3, hidden_size=8,
                                            freeze_embeddings=freeze))
        before = model.embedding.weight.detach().clone()
        Trainer(model, SequenceClassTask(steps=3), TrainConfig(epochs=1, progress=False)).fit()
        assert torch.equal(before, model.embedding.weight.detach()) is freeze
