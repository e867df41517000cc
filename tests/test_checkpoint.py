"""Checkpoints: round trips, atomic commits, damaged directories, and no unpickling ever."""

import json
import os
import pickle

import pytest
import torch

from nlp_rnn import checkpoint
from nlp_rnn.errors import DataError
from nlp_rnn.models.classifier import Classifier, ClassifierConfig
from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.models.store import load_model, save_model
from nlp_rnn.vocab import Vocabulary

LM = LanguageModelConfig(vocab_size=12, embed_dim=6, hidden_size=6, num_layers=2, tie_weights=True)


def test_model_round_trip_keeps_weights_config_vocabulary_labels(tmp_path):
    vocab = Vocabulary(["héllo", "😄"])
    model = Classifier(ClassifierConfig(vocab_size=4, embed_dim=3, num_classes=2, hidden_size=5, pooling="attention"))
    save_model(tmp_path, model, vocabulary=vocab, labels=["❤️", "⚾"], history=[{"epoch": 1}], metrics={"acc": 0.5},
               extra={"tokenizer": {"level": "word"}})
    loaded = load_model(tmp_path, kind="classifier")
    assert loaded.model.config == model.config
    assert loaded.vocabulary == vocab and loaded.labels == ["❤️", "⚾"]
    assert loaded.history == [{"epoch": 1}] and loaded.metrics == {"acc": 0.5}
    assert loaded.extra == {"tokenizer": {"level": "word"}}
    assert not loaded.model.training
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.model.state_dict()[key])


def test_tied_weights_survive_a_round_trip(tmp_path):
    model = LanguageModel(LM)
    save_model(tmp_path, model)
    loaded = load_model(tmp_path).model
    assert loaded.decoder.weight is loaded.embedding.weight
    assert torch.equal(loaded.embedding.weight, model.embedding.weight)


def test_wrong_kind_is_named(tmp_path):
    save_model(tmp_path, LanguageModel(LM))
    with pytest.raises(DataError, match="language_model model, not a classifier"):
        load_model(tmp_path, kind="classifier")


def test_missing_directory_and_manifest(tmp_path):
    with pytest.raises(DataError, match="no such model directory"):
        load_model(tmp_path / "nothing")
    with pytest.raises(DataError, match="no checkpoint.json"):
        load_model(tmp_path)


def test_damaged_weights_are_detected(tmp_path):
    save_model(tmp_path, LanguageModel(LM))
    (weights,) = tmp_path.glob("*.safetensors")
    data = bytearray(weights.read_bytes())
    data[-3] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(DataError, match="damaged"):
        load_model(tmp_path)


@pytest.mark.parametrize("edit", ["garbage", "version", "config"])
def test_damaged_manifest_is_detected(tmp_path, edit):
    save_model(tmp_path, LanguageModel(LM))
    manifest = tmp_path / checkpoint.CHECKPOINT
    meta = json.loads(manifest.read_text())
    if edit == "garbage":
        manifest.write_text("{not json")
    else:
        if edit == "version":
            meta["format_version"] = 99
        else:
            meta["config"]["hidden_size"] = 7
        manifest.write_text(json.dumps(meta))
    with pytest.raises(DataError):
        load_model(tmp_path)


class Payload:
    def __reduce__(self):
        return (os.system, (f"touch {Payload.marker}",))


def test_a_pickle_payload_is_refused_and_never_runs(tmp_path):
    Payload.marker = tmp_path / "pwned"
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    torch.save({"weights": Payload()}, model_dir / "model.pt")
    (model_dir / "weights.bin").write_bytes(pickle.dumps(Payload()))
    with pytest.raises(DataError, match="pickle"):
        load_model(model_dir)
    assert not Payload.marker.exists()


def test_a_pickle_renamed_to_safetensors_is_refused(tmp_path):
    Payload.marker = tmp_path / "pwned"
    save_model(tmp_path, LanguageModel(LM))
    meta = json.loads((tmp_path / checkpoint.CHECKPOINT).read_text())
    evil = pickle.dumps(Payload())
    import hashlib

    name = meta["files"]["model"]["file"]
    (tmp_path / name).write_bytes(evil)
    meta["files"]["model"]["sha256"] = hashlib.sha256(evil).hexdigest()
    (tmp_path / checkpoint.CHECKPOINT).write_text(json.dumps(meta))
    with pytest.raises(DataError, match="unreadable"):
        load_model(tmp_path)
    assert not Payload.marker.exists()


def test_a_crash_before_the_commit_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    first = LanguageModel(LM)
    save_model(tmp_path, first)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(checkpoint, "atomic_write_bytes", crash)
    with pytest.raises(KeyboardInterrupt):
        save_model(tmp_path, LanguageModel(LM))
    monkeypatch.undo()
    loaded = load_model(tmp_path).model
    assert torch.equal(loaded.embedding.weight, first.embedding.weight)


def test_old_tensor_files_and_temporaries_are_cleaned_up(tmp_path):
    names = []
    for _ in range(3):
        save_model(tmp_path, LanguageModel(LM))
        names.append(json.loads((tmp_path / checkpoint.CHECKPOINT).read_text())["files"]["model"]["file"])
    # the current weights and the previous ones (for a loader still reading that manifest); the first are gone
    assert sorted(p.name for p in tmp_path.glob("*.safetensors")) == sorted(names[1:])
    assert not list(tmp_path.glob(".*tmp"))
