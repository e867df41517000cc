"""Word-vector files under attack: .kv companions never run code, lying headers and tab-separated
files give one line, converting onto the source keeps the vectors (issues 15, 20)."""

import gzip
import os
import pickle

import numpy as np
import pytest
import scipy.sparse
from gensim.models import KeyedVectors

from embeddings.errors import VectorsError
from embeddings.files import parse_vectors
from embeddings.safe_pickle import load_keyed_vectors

WORDS = ["cat", "dog", "fish"]


class Payload:
    marker = None

    def __reduce__(self):
        return (os.system, (f"touch {Payload.marker}",))


def plain_kv(path):
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(WORDS, np.arange(9, dtype=np.float32).reshape(3, 3))
    kv.save(str(path), separately=["vectors"])
    return path


def with_state(path, **lists):
    """Rewrite the .kv's pickled state so that it names other separately stored attributes."""
    with open(path, "rb") as handle:
        obj = pickle.load(handle)  # our own file, made just now
    obj.__dict__.update({f"__{key}": value for key, value in lists.items()})
    path.write_bytes(pickle.dumps(obj))
    return path


def sparse_attack(tmp_path):
    """A sparse matrix stored beside: gensim unpickles its skeleton from ``A.kv.extra.npy``."""
    path = with_state(plain_kv(tmp_path / "A.kv"), scipys=["extra"])
    (tmp_path / "A.kv.extra.npy").write_bytes(pickle.dumps(Payload()))
    return path


def nested_attack(tmp_path):
    """A nested saved object: a second KeyedVectors attribute whose own sparse companion is the payload."""
    inner = KeyedVectors(vector_size=3)
    inner.__dict__["__scipys"] = ["extra"]
    path = plain_kv(tmp_path / "A.kv")
    with open(path, "rb") as handle:
        obj = pickle.load(handle)
    obj.inner = inner
    obj.__dict__["__recursive_saveloads"] = ["inner"]
    path.write_bytes(pickle.dumps(obj))
    (tmp_path / "A.kv.inner.extra.npy").write_bytes(pickle.dumps(Payload()))
    return path


def object_array_attack(tmp_path):
    """An array file holding pickled objects: numpy would unpickle them if allowed to."""
    path = plain_kv(tmp_path / "A.kv")
    np.save(tmp_path / "A.kv.vectors.npy", np.array([Payload()], dtype=object), allow_pickle=True)
    return path


def foreign_array_attack(tmp_path):
    """An array attribute KeyedVectors does not have, named with a path out of the folder."""
    path = with_state(plain_kv(tmp_path / "A.kv"), numpys=["vectors", "../../elsewhere"])
    return path


ATTACKS = {"sparse": sparse_attack, "nested": nested_attack, "object array": object_array_attack,
           "foreign array": foreign_array_attack}


@pytest.mark.parametrize("kind", list(ATTACKS))
def test_every_kind_of_stored_attribute_is_refused_and_never_runs(tmp_path, kind):
    Payload.marker = tmp_path / "pwned"
    path = ATTACKS[kind](tmp_path)
    with pytest.raises(VectorsError) as raised:
        load_keyed_vectors(path)
    assert str(raised.value).count("\n") == 0
    assert not Payload.marker.exists()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["fifo", "folder", "link to a fifo"])
def test_a_companion_that_is_not_a_regular_file_is_refused_without_blocking(tmp_path, kind):
    """A FIFO named like the vectors array blocked numpy.load for ever (a hung batch job); now one line."""
    path = plain_kv(tmp_path / "A.kv")
    companion = tmp_path / "A.kv.vectors.npy"
    companion.unlink()
    if kind == "folder":
        companion.mkdir()
    else:
        os.mkfifo(tmp_path / "pipe" if kind == "link to a fifo" else companion)
        if kind == "link to a fifo":
            companion.symlink_to(tmp_path / "pipe")
    with pytest.raises(VectorsError, match="A.kv.vectors.npy: missing, or not a regular file") as raised:
        load_keyed_vectors(path)
    assert "\n" not in str(raised.value)


def test_the_sparse_attack_is_real_for_gensim_s_own_loader(tmp_path):
    # the same file through gensim's loader runs the payload: the test above guards a real hole
    Payload.marker = tmp_path / "pwned"
    path = sparse_attack(tmp_path)
    scipy.sparse.csr_matrix((1, 1))  # gensim needs scipy imported; the payload runs before any check
    try:
        KeyedVectors.load(str(path))
    except Exception:  # noqa: BLE001 - gensim fails after the payload ran; the marker is what counts
        pass
    assert Payload.marker.exists()


def test_a_plain_kv_file_still_loads_memory_mapped(tmp_path):
    kv = load_keyed_vectors(plain_kv(tmp_path / "A.kv"))
    assert kv.index_to_key == WORDS and isinstance(kv.vectors, np.memmap)
    assert kv.most_similar("cat", topn=1)[0][0] in WORDS


@pytest.mark.parametrize("header", [b"10000000000 300\n", b"3 0\n", b"3 1000000000\n"])
@pytest.mark.parametrize("gz", [False, True])
def test_a_lying_word2vec_header_is_one_line(tmp_path, header, gz):
    body = header + b"cat 0.1 0.2 0.3\ndog 0.2 0.3 0.4\nfish 0.3 0.4 0.5\n"
    path = tmp_path / ("lies.txt.gz" if gz else "lies.txt")
    path.write_bytes(gzip.compress(body) if gz else body)
    with pytest.raises(VectorsError, match=r"lies\.txt(\.gz)?:1: the header says"):
        parse_vectors(path)


@pytest.mark.parametrize("header", [b"", b"2 3\n"])
def test_a_tab_separated_vectors_file_is_refused(tmp_path, header):
    path = tmp_path / "tabs.txt"
    path.write_bytes(header + b"cat\t0.1\t0.2\t0.3\ndog\t0.2\t0.3\t0.4\n")
    with pytest.raises(VectorsError, match="separated by tabs"):
        parse_vectors(path)


def test_emojify_refuses_to_train_on_tab_separated_vectors(tmp_path):
    from nlp_rnn.emojify.data import read_examples, train_valid
    from nlp_rnn.emojify.train import EmojifyOptions, train

    vectors = tmp_path / "tabs.txt"
    vectors.write_text("".join(f"{w}\t0.1\t0.2\n" for w in ["i", "love", "you", "food", "ball", "happy", "sad"]))
    train_set, valid_set = train_valid(read_examples("bundled"))
    with pytest.raises(VectorsError, match="separated by tabs"):
        train(EmojifyOptions(model="v1", vectors=str(vectors), max_steps=1), train_set, valid_set, None, progress=False)


def test_convert_onto_the_source_keeps_the_vectors(tmp_path):
    import argparse

    from nlp_rnn.cli.embeddings import run_convert

    source = plain_kv(tmp_path / "A.kv")
    before = np.load(tmp_path / "A.kv.vectors.npy").copy()
    run_convert(argparse.Namespace(spec=str(source), out=str(source)))
    after = load_keyed_vectors(source, mmap=None)
    np.testing.assert_array_equal(after.vectors, before)
    assert after.index_to_key == WORDS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.kv", "A.kv.vectors.npy"]


def test_convert_never_replaces_a_fifo(tmp_path):
    import argparse

    from nlp_rnn.cli.embeddings import run_convert

    source = plain_kv(tmp_path / "A.kv")
    fifo = tmp_path / "B.kv"
    os.mkfifo(fifo)
    with pytest.raises(VectorsError, match="not a regular file"):
        run_convert(argparse.Namespace(spec=str(source), out=str(fifo)))
    assert fifo.exists() and not fifo.is_file()


@pytest.fixture(scope="module")
def file_vectors_model(tmp_path_factory):
    """A frozen-vectors Emojify model trained from a small GloVe file kept outside its folder."""
    from nlp_rnn.emojify.data import read_examples, train_valid
    from nlp_rnn.emojify.model import TOKENIZER
    from nlp_rnn.emojify.train import EmojifyOptions, train

    root = tmp_path_factory.mktemp("vectors-model")
    train_set, valid_set = train_valid(read_examples("bundled"))
    words = sorted({w for e in train_set + valid_set for w in TOKENIZER(e.text)})
    rng = np.random.default_rng(0)
    glove = root / "data" / "tiny-glove.txt"
    glove.parent.mkdir()
    glove.write_text("".join(f"{w} " + " ".join(f"{x:.3f}" for x in rng.normal(size=4)) + "\n" for w in words))
    train(EmojifyOptions(model="v1", vectors=str(glove), max_steps=2), train_set, valid_set, root / "model",
          progress=False)
    return root / "model", glove


def test_a_model_trained_on_a_vectors_file_names_it_beside_itself(file_vectors_model):
    import json

    from nlp_rnn.emojify.model import load

    folder, glove = file_vectors_model
    meta = json.loads((folder / "checkpoint.json").read_text())
    assert meta["extra"]["vectors"] == "tiny-glove.txt"  # a name, never the path it was trained from
    assert (folder / "tiny-glove.txt").resolve() == glove.resolve()
    model = load(folder)
    assert model.vectors == str(glove.resolve()) and model.probabilities(["I love you"]).shape[0] == 1


@pytest.mark.parametrize("spec", ["/etc/passwd", "../data/tiny-glove.txt", "..", "", 5, "fifo.txt"])
def test_a_vectors_spec_naming_a_path_or_no_file_is_refused(file_vectors_model, tmp_path, spec):
    import json
    import shutil

    from nlp_rnn.emojify.model import load
    from nlp_rnn.errors import DataError

    source, _ = file_vectors_model
    folder = tmp_path / "model"
    shutil.copytree(source, folder, symlinks=True)
    os.mkfifo(folder / "fifo.txt")
    meta = json.loads((folder / "checkpoint.json").read_text())
    meta["extra"]["vectors"] = spec
    (folder / "checkpoint.json").write_text(json.dumps(meta))
    with pytest.raises((DataError, VectorsError)):
        load(folder)
