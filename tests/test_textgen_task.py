"""BPTT batching and the language-model task on the shared engine."""

import math

import pytest
import torch

from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.seeding import seed_everything
from nlp_rnn.textgen.batches import BpttBatches, batchify
from nlp_rnn.textgen.task import LanguageModelTask
from nlp_rnn.training import TrainConfig, Trainer


def test_batchify_cuts_contiguous_streams():
    streams = batchify(torch.arange(26), 4)
    assert streams.tolist()[1] == [6, 7, 8, 9, 10, 11]
    with pytest.raises(ValueError):
        batchify(torch.arange(5), 4)


def test_bptt_windows_shift_targets_by_one_and_cover_everything():
    streams = batchify(torch.arange(24), 3)  # rows of 8
    windows = list(BpttBatches(streams, 3))
    assert len(windows) == len(BpttBatches(streams, 3)) == 3
    inputs, targets = windows[0]
    assert inputs.tolist()[0] == [0, 1, 2] and targets.tolist()[0] == [1, 2, 3]
    assert windows[-1][0].shape == (3, 1)  # the tail window is shorter
    assert torch.cat([t for _, t in windows], 1).tolist()[2] == list(range(17, 24))


def make(out_dir=None, **config):
    seed_everything(0)
    ids = torch.tensor([1, 2, 3, 4, 5, 6, 7] * 60)
    model = LanguageModel(LanguageModelConfig(vocab_size=8, embed_dim=8, hidden_size=16, num_layers=1))
    task = LanguageModelTask(ids, ids[:140], batch_size=4, bptt=10, eval_batch_size=2)
    config = TrainConfig(**{"epochs": 3, "lr": 0.01, "progress": False, **config})
    return Trainer(model, task, config, out_dir=out_dir)


def test_language_model_task_learns_and_reports_perplexity():
    history = make(epochs=5, lr=0.02).fit()
    assert history[0]["val_perplexity"] > 2  # a 7-token cycle, barely learnt after one epoch
    assert history[-1]["val_perplexity"] < 1.2  # and ends almost certain of the next token
    assert math.isclose(history[-1]["val_perplexity"], math.exp(history[-1]["val_loss"]))


def test_resume_mid_epoch_restores_the_carried_hidden_state(tmp_path):
    straight = make(tmp_path / "a")
    straight.fit()
    make(tmp_path / "b", max_steps=13).fit()  # 11 windows an epoch: stops inside epoch 2
    resumed = make(tmp_path / "b")
    resumed.resume()
    assert resumed.task.hidden is not None
    resumed.fit()
    for key, value in straight.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[key]), key
