"""Loading gensim's native ``.kv`` files without running foreign code.

gensim saves KeyedVectors as a pickle plus ``.npy`` arrays. Unpickling can execute anything
the file names, so only the classes a KeyedVectors pickle really needs are let through. gensim's
own loader would then read the companion files the pickled state names, one kind of them by
plain unpickling; nlp-rnn reads them itself instead: arrays of KeyedVectors' own attributes by
``numpy.load(allow_pickle=False)``, memory-mapped, and refuses every other kind.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors

from embeddings.errors import VectorsError

ALLOWED = {
    ("gensim.models.keyedvectors", "KeyedVectors"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("collections", "defaultdict"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
}


# the lists gensim's SaveLoad keeps in the pickled state, naming what it stored beside it
NUMPYS, SCIPYS, NESTED, IGNORED = "__numpys", "__scipys", "__recursive_saveloads", "__ignoreds"
KIND_NAMES = {SCIPYS: "sparse matrices", NESTED: "nested saved objects"}
ARRAY_ATTRIBUTES = {"vectors", "norms", "vectors_lockf"}  # KeyedVectors' array attributes


class _AllowListUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        return super().find_class(module, name)


def load_keyed_vectors(path: Path, mmap: str | None = "r") -> KeyedVectors:
    """Read a gensim ``.kv`` file (and its ``.npy`` companions) through the allow-list."""
    try:
        with open(path, "rb") as handle:
            obj = _AllowListUnpickler(handle, encoding="latin1").load()
    except pickle.UnpicklingError as error:
        raise VectorsError(str(path), f"not a plain gensim KeyedVectors file ({error})",
                           "only .kv files saved by gensim's KeyedVectors.save load here") from None
    except (EOFError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise VectorsError(str(path), f"damaged .kv file ({error})", "save the vectors again") from None
    if not isinstance(obj, KeyedVectors):
        raise VectorsError(str(path), f"holds a {type(obj).__name__}, not KeyedVectors", "save a KeyedVectors object")
    _load_arrays(obj, path, mmap)
    _check_complete(obj, path)
    return obj


def _load_arrays(obj: KeyedVectors, path: Path, mmap: str | None) -> None:
    """What gensim's ``SaveLoad._load_specials`` does, for plain arrays only, deciding ourselves which files are read.

    The pickled state names attributes stored beside it: arrays (``__numpys``, ``<kv>.<name>.npy``),
    sparse matrices (``__scipys``: a second, plain pickle) and nested saved objects
    (``__recursive_saveloads``, which load their own companions the same way). Only arrays of
    KeyedVectors' own attributes are read, with ``allow_pickle=False``; anything else refuses the file.
    """
    state = obj.__dict__
    stored = {key: state.pop(key, []) for key in (NUMPYS, SCIPYS, NESTED, IGNORED)}
    for key in (SCIPYS, NESTED):
        if stored[key]:
            raise VectorsError(str(path), f"names separately stored {KIND_NAMES[key]} ({_names(stored[key])}), "
                               "which nlp-rnn never loads because they are unpickled or load further files",
                               "save plain KeyedVectors (KeyedVectors.save) or give a GloVe/word2vec text file")
    for key in (NUMPYS, IGNORED):
        if not isinstance(stored[key], list) or not all(name in ARRAY_ATTRIBUTES for name in stored[key]):
            raise VectorsError(str(path), f"names stored attributes nlp-rnn does not know ({_names(stored[key])})",
                               f"only {sorted(ARRAY_ATTRIBUTES)} may be stored beside a .kv file")
    for name in stored[IGNORED]:
        state[name] = None  # gensim's meaning of an ignored attribute
    for name in stored[NUMPYS]:
        companion = path.with_name(f"{path.name}.{name}.npy")
        if not companion.is_file():  # a FIFO would block numpy.load for ever; a folder or a device is no array
            raise VectorsError(str(companion), "missing, or not a regular file",
                               "copy every file gensim saved beside the .kv file")
        try:
            state[name] = np.load(companion, mmap_mode=mmap, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise VectorsError(str(companion), f"missing or damaged array file ({error})",
                               "copy every file gensim saved beside the .kv file") from None


def _check_complete(obj: KeyedVectors, path: Path) -> None:
    """The attributes a gensim 4 KeyedVectors needs, of the right types and sizes."""
    state = obj.__dict__
    vectors, keys = state.get("vectors"), state.get("index_to_key")
    if not isinstance(vectors, np.ndarray) or vectors.ndim != 2 or not np.issubdtype(vectors.dtype, np.floating):
        raise VectorsError(str(path), "no 2-D float vector array", "save the vectors again with gensim 4")
    if not isinstance(keys, list) or len(keys) != vectors.shape[0] or not isinstance(state.get("key_to_index"), dict):
        raise VectorsError(str(path), "words and vectors do not match", "save the vectors again with gensim 4")
    state.setdefault("norms", None)
    state.setdefault("expandos", {})
    state.setdefault("next_index", len(keys))
    obj.vector_size = vectors.shape[1]


def _names(value) -> str:
    return ", ".join(map(str, value))[:80] if isinstance(value, list) else repr(value)[:80]
