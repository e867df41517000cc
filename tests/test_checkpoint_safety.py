"""Checkpoint files under attack and under races: foreign files kept, one writer, whole loads,
0644 modes, manifests validated before use, shapes checked before a model is built (issues 15, 20)."""

import hashlib
import json
import math
import os
import stat
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import torch
from safetensors.torch import save_file

from nlp_rnn import checkpoint
from nlp_rnn.errors import DataError, UserError
from nlp_rnn.jazz.improvise import load_improviser
from nlp_rnn.jazz.model import JazzModel, JazzModelConfig
from nlp_rnn.models.classifier import Classifier, ClassifierConfig
from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.models.store import load_model, save_model
from nlp_rnn.training import TrainConfig, Trainer
from nlp_rnn.vocab import Vocabulary
from tests.helpers import SequenceClassTask

LM = LanguageModelConfig(vocab_size=12, embed_dim=6, hidden_size=6, num_layers=2)


def manifest(folder):
    return json.loads((folder / checkpoint.CHECKPOINT).read_text())


def edit_manifest(folder, change, name=checkpoint.CHECKPOINT):
    meta = json.loads((folder / name).read_text())
    change(meta)
    (folder / name).write_text(json.dumps(meta))


def test_save_keeps_tensor_files_no_manifest_of_ours_named(tmp_path):
    mine = tmp_path / "my-embeddings.safetensors"
    save_file({"x": torch.ones(3)}, mine)
    for _ in range(3):
        save_model(tmp_path, LanguageModel(LM))
    assert mine.is_file() and mine.read_bytes()  # untouched: no manifest of ours ever named it


def test_a_loader_that_read_the_manifest_before_a_save_still_loads_a_whole_checkpoint(tmp_path, monkeypatch):
    save_model(tmp_path, LanguageModel(LM))
    first = manifest(tmp_path)
    read_tensors, calls = checkpoint._read_tensors, []

    def slow_reader(directory, entry, parse):  # the writer saves twice between our manifest read and our file read
        if not calls:
            calls.append(entry["file"])
            save_model(tmp_path, LanguageModel(LM))
            save_model(tmp_path, LanguageModel(LM))
        return read_tensors(directory, entry, parse)

    monkeypatch.setattr(checkpoint, "_read_tensors", slow_reader)
    loaded = load_model(tmp_path)
    assert calls == [first["files"]["model"]["file"]]  # it did start from the replaced manifest
    final = load_model(tmp_path).model  # ... and ended with the newest whole checkpoint
    assert torch.equal(loaded.model.embedding.weight, final.embedding.weight)


def test_loads_during_saves_always_see_a_whole_checkpoint(tmp_path):
    save_model(tmp_path, LanguageModel(LM))
    stop, errors = threading.Event(), []

    def save_again_and_again():
        try:
            while not stop.is_set():
                save_model(tmp_path, LanguageModel(LM))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    writer = threading.Thread(target=save_again_and_again)
    writer.start()
    loads, end = 0, time.time() + 1.5
    try:
        while time.time() < end:
            load_model(tmp_path)
            loads += 1
    finally:
        stop.set()
        writer.join()
    assert loads > 5 and not errors


HOLDER = textwrap.dedent("""
    import sys, time
    from nlp_rnn.writer_lock import writer
    with writer(sys.argv[1]):
        print("holding", flush=True)
        time.sleep(60)
""")


@pytest.fixture
def held_folder(tmp_path):
    folder = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    yield folder
    holder.kill()
    holder.wait()


def test_a_second_writer_on_one_folder_is_refused(held_folder):
    with pytest.raises(UserError, match="another nlp-rnn run is writing a model into this folder"):
        save_model(held_folder, LanguageModel(LM))
    model = Classifier(ClassifierConfig(vocab_size=20, embed_dim=8, num_classes=3, hidden_size=8, num_layers=1))
    trainer = Trainer(model, SequenceClassTask(steps=2), TrainConfig(epochs=1, progress=False), out_dir=held_folder)
    with pytest.raises(UserError, match="another nlp-rnn run"):
        trainer.fit()
    assert trainer.progress.step == 0  # refused before the first step, not after an epoch of work
    assert not list(held_folder.glob("*.json"))


def test_tensor_files_and_manifests_are_0644(tmp_path):
    save_model(tmp_path, LanguageModel(LM))
    for path in [*tmp_path.glob("*.safetensors"), tmp_path / checkpoint.CHECKPOINT]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_huge_config_is_refused_before_any_model_is_built(tmp_path, monkeypatch):
    save_model(tmp_path, LanguageModel(LM))
    edit_manifest(tmp_path, lambda m: m["config"].update(hidden_size=512, num_layers=8))
    built = []
    reset = torch.nn.LSTM.reset_parameters

    def spy(self):
        built.append(self.weight_ih_l0.is_meta)
        reset(self)

    monkeypatch.setattr(torch.nn.LSTM, "reset_parameters", spy)
    with pytest.raises(DataError, match="weights do not"):
        load_model(tmp_path)
    assert built and all(built)  # only ever built on the meta device: no memory, no initialisation


def test_an_absurd_config_is_refused_by_the_schema(tmp_path):
    save_model(tmp_path, LanguageModel(LM))
    edit_manifest(tmp_path, lambda m: m["config"].update(hidden_size=10**6, num_layers=10**4))
    started = time.perf_counter()
    with pytest.raises(DataError, match="num_layers"):
        load_model(tmp_path)
    assert time.perf_counter() - started < 5  # generous on 2 loaded cores; building it would take minutes


def _lm_edits():
    def longer_vocabulary(m):
        m["vocabulary"]["tokens"].append("extra")

    def shorter_vocabulary(m):
        m["vocabulary"]["tokens"].pop()

    return {
        "wrong type": lambda m: m["config"].update(hidden_size="6"),
        "float size": lambda m: m["config"].update(vocab_size=1e9),
        "negative size": lambda m: m["config"].update(vocab_size=-5),
        "unknown config field": lambda m: m["config"].update(colour="red"),
        "missing kind": lambda m: m.pop("kind"),
        "missing files": lambda m: m.pop("files"),
        "files as a list": lambda m: m.update(files=[m["files"]["model"]]),
        "history as a string": lambda m: m.update(history="long"),
        "vocabulary longer than the model": longer_vocabulary,
        "vocabulary shorter than the model": shorter_vocabulary,
        "tokens not a list": lambda m: m.update(vocabulary={"tokens": 5}),
        "absolute file": lambda m: m["files"]["model"].update(file="/etc/passwd"),
        "file outside the folder": lambda m: m["files"]["model"].update(file="../model.safetensors"),
    }


@pytest.mark.parametrize("edit", list(_lm_edits()))
def test_edited_manifests_give_one_clear_error(tmp_path, edit):
    vocab = Vocabulary(list("abcdefghij"))
    save_model(tmp_path / "m", LanguageModel(LanguageModelConfig(vocab_size=len(vocab), embed_dim=4, hidden_size=4)),
               vocabulary=vocab)
    edit_manifest(tmp_path / "m", _lm_edits()[edit])
    with pytest.raises(DataError, match="checkpoint.json: "):
        load_model(tmp_path / "m")


@pytest.mark.parametrize("labels", [["a"], ["a", "b", "c", "d"]])
def test_labels_must_match_num_classes(tmp_path, labels):
    save_model(tmp_path, Classifier(ClassifierConfig(vocab_size=5, embed_dim=3, num_classes=2, hidden_size=3)),
               labels=["a", "b"])
    edit_manifest(tmp_path, lambda m: m.update(labels=labels))
    with pytest.raises(DataError, match="labels has"):
        load_model(tmp_path)


def test_a_file_outside_the_folder_is_never_read(tmp_path):
    save_model(tmp_path / "m", LanguageModel(LM))
    outside = tmp_path / "elsewhere.safetensors"
    save_file(LanguageModel(LM).state_dict(), outside)
    digest = hashlib.sha256(outside.read_bytes()).hexdigest()
    for name in (str(outside), "../elsewhere.safetensors"):
        edit_manifest(tmp_path / "m", lambda m, name=name: m["files"]["model"].update(file=name, sha256=digest))
        with pytest.raises(DataError, match="files.model.file"):
            load_model(tmp_path / "m")


@pytest.mark.parametrize("beats", [1e7, 0, -4, "4"])
def test_jazz_metre_in_the_manifest_is_bounded(tmp_path, beats):
    vocab = Vocabulary(["C,0.5", "S,1.0"], eos=True)
    model = JazzModel(JazzModelConfig(vocab_size=len(vocab), embed_dim=4, hidden_size=4))
    save_model(tmp_path, model, vocabulary=vocab, extra={"beats_per_bar": beats, "chords": [[0.0, 0, "maj", [0, 4, 7]]]})
    with pytest.raises(DataError, match="beats_per_bar"):
        load_improviser(tmp_path)


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_non_finite_weights_are_refused(tmp_path, value):
    model = LanguageModel(LM)
    with torch.no_grad():
        model.decoder.weight[3, 1] = value
    save_model(tmp_path, model)
    with pytest.raises(DataError, match="NaN or infinite"):
        load_model(tmp_path)


def _trained(tmp_path):
    model = Classifier(ClassifierConfig(vocab_size=20, embed_dim=8, num_classes=3, hidden_size=8, num_layers=1))
    Trainer(model, SequenceClassTask(steps=2), TrainConfig(epochs=1, progress=False), out_dir=tmp_path).fit()
    return model


@pytest.mark.parametrize("edit", ["missing key", "wrong type", "null step", "no optimizer", "no runtime"])
def test_edited_resume_state_gives_one_clear_error(tmp_path, edit):
    model = _trained(tmp_path)
    changes = {
        "missing key": lambda m: m["progress"].pop("epoch"),
        "wrong type": lambda m: m["progress"].update(step="ten"),
        "null step": lambda m: m["progress"].update(step_in_epoch=None),
        "no optimizer": lambda m: m.pop("optimizer"),
        "no runtime": lambda m: m["files"].pop("runtime"),
    }
    edit_manifest(tmp_path, changes[edit], name="resume.json")
    trainer = Trainer(model, SequenceClassTask(steps=2), TrainConfig(epochs=2, progress=False), out_dir=tmp_path)
    with pytest.raises(DataError, match="resume.json: "):
        trainer.resume()


def test_atomic_writes_never_replace_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="FIFO"):
        checkpoint.atomic_write_bytes(fifo, b"data")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temporary left behind


def test_atomic_writes_never_replace_a_device(tmp_path):
    # /dev/null semantics without touching /dev/null: a link to it, which os.replace would swap for a file
    link = tmp_path / "out.json"
    link.symlink_to(os.devnull)
    with pytest.raises(DataError, match="character device"):
        checkpoint.atomic_write_bytes(link, b"data")
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_jazz_exports_never_replace_a_fifo_or_a_device(tmp_path):
    from nlp_rnn.jazz.export import render_wav, write_midi
    from tests.test_jazz import scale_piece

    fifo, device = tmp_path / "solo.mid", tmp_path / "solo.wav"
    os.mkfifo(fifo)
    device.symlink_to(os.devnull)
    with pytest.raises(DataError, match="FIFO"):
        write_midi(scale_piece(4), fifo)
    midi = write_midi(scale_piece(4), tmp_path / "real.mid")
    with pytest.raises(DataError, match="character device"):
        render_wav(midi, device)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and device.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.mid", "solo.mid", "solo.wav"]


def test_jazz_generate_refuses_a_fifo_out_before_generating(tmp_path):
    fifo = tmp_path / "out.mid"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "nlp_rnn", "jazz", "generate", "--model", str(tmp_path / "none"),
                             "--out", str(fifo)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "FIFO" in result.stderr and "Traceback" not in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize(("change", "field"), [({"bogus": 1}, "'bogus' was unexpected"), ({"level": "bytes"}, "level"),
                                               ({"lower": "yes"}, "lower")])
def test_a_classifiers_stored_tokenizer_is_checked_before_it_is_built(tmp_path, change, field):
    """A tokenizer in ``extra`` that ``Tokenizer(**...)`` would choke on (an unknown field, a wrong value) is one
    clear error naming the file, not a TypeError from the loader."""
    save_model(tmp_path, Classifier(ClassifierConfig(vocab_size=5, embed_dim=3, num_classes=2, hidden_size=3)),
               labels=["a", "b"], extra={"tokenizer": {"level": "word", "lower": True, "split_punctuation": True}})
    load_model(tmp_path)  # as saved: fine
    edit_manifest(tmp_path, lambda m: m["extra"]["tokenizer"].update(change))
    with pytest.raises(DataError, match=f"checkpoint.json: invalid manifest field tokenizer.*{field}"):
        load_model(tmp_path)
