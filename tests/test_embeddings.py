"""Word vectors: every format from tiny fixtures written here, the cache, errors, torch layers."""

import gzip
import os
import pickle
import time

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors

from embeddings import VectorsError, load_vectors, loading
from embeddings import cache as vector_cache
from embeddings.torch_layer import embedding_from_vectors, set_trainable

WORDS = ["the", "cat", "sat", "café", "😄"]
VECTORS = np.arange(len(WORDS) * 3, dtype=np.float32).reshape(len(WORDS), 3) / 10 - 0.5


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NLP_RNN_CACHE", str(tmp_path / "cache"))
    loading._loaded.clear()
    yield
    loading._loaded.clear()


def glove_text(rows=None) -> str:
    rows = rows if rows is not None else zip(WORDS, VECTORS)
    return "".join(f"{w} {' '.join(f'{x:.6f}' for x in v)}\n" for w, v in rows)


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def fixture(tmp_path, kind):
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(WORDS, VECTORS)
    if kind == "glove":
        return write(tmp_path / "glove.txt", glove_text().encode())
    if kind == "glove-gz":
        return write(tmp_path / "glove.txt.gz", gzip.compress(glove_text().encode()))
    if kind == "word2vec-text":
        kv.save_word2vec_format(str(tmp_path / "w2v.txt"), binary=False)
        return tmp_path / "w2v.txt"
    if kind == "word2vec-binary":
        kv.save_word2vec_format(str(tmp_path / "w2v.bin"), binary=True)
        return tmp_path / "w2v.bin"
    kv.save(str(tmp_path / "native.kv"))
    return tmp_path / "native.kv"


@pytest.mark.parametrize("kind", ["glove", "glove-gz", "word2vec-text", "word2vec-binary", "kv"])
def test_every_format_loads_the_same_vectors(tmp_path, kind):
    kv = load_vectors(fixture(tmp_path, kind))
    assert kv.index_to_key == WORDS and kv.vector_size == 3
    np.testing.assert_allclose(kv["café"], VECTORS[3], atol=1e-6)
    assert kv.most_similar("cat", topn=1)[0][0] in WORDS


def test_loaded_once_per_process(tmp_path):
    path = fixture(tmp_path, "glove")
    assert load_vectors(path) is load_vectors(str(path))


def test_cache_miss_then_hit_with_mmap_then_stale(tmp_path, monkeypatch):
    path = fixture(tmp_path, "glove")
    parses = []
    real_parse = loading.parse_vectors
    monkeypatch.setattr(loading, "parse_vectors", lambda p: parses.append(p) or real_parse(p))

    first = load_vectors(path)  # miss: parsed and stored
    assert len(parses) == 1 and vector_cache.entry_for(path).is_dir()
    loading._loaded.clear()
    second = load_vectors(path)  # hit: memory-mapped, no parse
    assert len(parses) == 1 and isinstance(second.vectors, np.memmap)
    np.testing.assert_array_equal(first.vectors, second.vectors)

    old_entry = vector_cache.entry_for(path)
    time.sleep(0.01)
    path.write_text(glove_text([("dog", [1.0, 2.0, 3.0])]))  # the file changes: stale entry
    os.utime(path, ns=(time.time_ns(), time.time_ns()))
    loading._loaded.clear()
    third = load_vectors(path)
    assert len(parses) == 2 and third.index_to_key == ["dog"]
    assert not old_entry.exists()


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        (b"", "empty file", None),
        (b"the 0.1 0.2 0.3\ncat 0.1 0.2\n", "2 numbers where the file has 3", 2),
        (b"the 0.1 0.2 0.3\ncat 0.1 oops 0.3\n", "'oops' is not a number", 2),
        (b"the 0.1 0.2 0.3\nsat 0.1 0.2 0.3\nc\xffat 0.1 0.2 0.3\n", "not UTF-8", 3),
    ],
)
def test_bad_files_name_the_file_and_line(tmp_path, content, message, line):
    path = write(tmp_path / "bad.txt", content)
    with pytest.raises(VectorsError, match=message) as error:
        load_vectors(path)
    assert error.value.where == str(path) and error.value.line == line
    expected = f"{path}:{line}:" if line else f"{path}:"
    assert str(error.value).startswith(expected)


def test_missing_file_and_unknown_name(tmp_path):
    with pytest.raises(VectorsError, match="no such file"):
        load_vectors(tmp_path / "absent.txt")
    with pytest.raises(VectorsError, match="glove-6b-50d"):
        load_vectors("not-a-known-name")


def test_gensim_data_names_fail_fast_offline(monkeypatch, tmp_path):
    from urllib.error import URLError

    import gensim.downloader as api

    monkeypatch.setattr(api, "BASE_DIR", str(tmp_path / "gensim-data"))

    def offline(name, return_path=False):
        raise URLError("Name or service not known")

    monkeypatch.setattr(api, "load", offline)
    with pytest.raises(VectorsError, match="no network.*glove-6b-50d"):
        load_vectors("glove-twitter-25")


def test_gensim_data_already_downloaded_is_used_offline(monkeypatch, tmp_path):
    import gensim.downloader as api

    folder = tmp_path / "gensim-data" / "glove-twitter-25"
    folder.mkdir(parents=True)
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(WORDS, VECTORS)
    kv.save_word2vec_format(str(folder / "glove-twitter-25.gz"), binary=False)
    monkeypatch.setattr(api, "BASE_DIR", str(tmp_path / "gensim-data"))
    assert load_vectors("glove-twitter-25").index_to_key == WORDS


class Payload:
    def __reduce__(self):
        return (os.system, (f"touch {Payload.marker}",))


def test_a_kv_file_carrying_code_is_refused(tmp_path):
    Payload.marker = tmp_path / "pwned"
    path = write(tmp_path / "evil.kv", pickle.dumps(Payload()))
    with pytest.raises(VectorsError, match="refusing"):
        load_vectors(path)
    assert not Payload.marker.exists()


def test_packaged_glove_is_memory_mapped_and_knows_analogies():
    kv = load_vectors("glove-6b-50d")
    assert (len(kv), kv.vector_size) == (400_000, 50)
    assert isinstance(kv.vectors, np.memmap)
    assert kv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"


def test_full_layer_is_the_courses_frozen_layer():
    kv = load_vectors("glove-6b-50d")
    layer = embedding_from_vectors(kv)
    assert tuple(layer.embedding.weight.shape) == (400_001, 50)
    assert not layer.embedding.weight.requires_grad
    assert torch.all(layer.embedding.weight[0] == 0) and layer.unk_index == 0
    index = layer.token_to_index["cat"]
    np.testing.assert_array_equal(layer.embedding.weight[index].numpy(), kv["cat"])


@pytest.mark.parametrize("missing", ["zeros", "random", "mean"])
def test_restricted_layer_keeps_only_the_dataset_words(tmp_path, missing):
    kv = load_vectors(fixture(tmp_path, "glove"))
    layer = embedding_from_vectors(kv, ["cat", "unseen", "cat", "😄"], missing=missing)
    assert layer.index_to_token == ["<pad>", "<unk>", "cat", "unseen", "😄"]
    assert layer.missing == ["unseen"]
    weight = layer.embedding.weight.detach()
    np.testing.assert_array_equal(weight[2].numpy(), kv["cat"])
    assert torch.all(weight[:2] == 0)
    unseen = weight[3]
    if missing == "zeros":
        assert torch.all(unseen == 0)
    elif missing == "mean":
        torch.testing.assert_close(unseen, (weight[2] + weight[4]) / 2)
    else:
        assert not torch.all(unseen == 0)


@pytest.mark.parametrize("freeze", [True, False])
def test_frozen_weights_stay_and_trainable_ones_move(tmp_path, freeze):
    layer = embedding_from_vectors(load_vectors(fixture(tmp_path, "glove")), WORDS, freeze=freeze)
    embedding = layer.embedding
    before = embedding.weight.detach().clone()
    head = torch.nn.Linear(3, 1)  # a trainable layer on top, as in a real model
    optimizer = torch.optim.SGD([*embedding.parameters(), *head.parameters()], lr=0.5)
    head(embedding(torch.tensor([2, 3, 4]))).sum().backward()
    optimizer.step()
    assert torch.equal(before, embedding.weight.detach()) is freeze
    set_trainable(embedding, True)
    assert embedding.weight.requires_grad


def test_unfreeze_callback_starts_fine_tuning_after_n_epochs():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from helpers import SequenceClassTask

    from nlp_rnn.callbacks import UnfreezeEmbedding
    from nlp_rnn.models.classifier import Classifier, ClassifierConfig
    from nlp_rnn.training import Callback, TrainConfig, Trainer

    model = Classifier(ClassifierConfig(vocab_size=20, embed_dim=4, num_classes=3, hidden_size=4, num_layers=1))
    snapshots = []

    class Snapshot(Callback):
        def on_epoch_end(self, trainer, record):
            snapshots.append(model.embedding.weight.detach().clone())

    Trainer(model, SequenceClassTask(steps=3), TrainConfig(epochs=4, progress=False),
            callbacks=[UnfreezeEmbedding(model.embedding, after_epochs=2), Snapshot()]).fit()
    assert torch.equal(snapshots[0], snapshots[1])  # frozen for two epochs
    assert not torch.equal(snapshots[1], snapshots[3])  # then trained
