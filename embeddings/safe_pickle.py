"""Loading gensim's native ``.kv`` files without running foreign code.

gensim saves KeyedVectors as a pickle plus ``.npy`` arrays. Unpickling can execute anything
the file names, so only the classes a KeyedVectors pickle really needs are let through; the
large arrays are read by ``numpy.load`` (which refuses pickles) and memory-mapped.
"""

from __future__ import annotations

import pickle
from pathlib import Path

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
    try:
        obj._load_specials(str(path), mmap, False, lambda *parts: ".".join(parts + ("npy",)))
    except (OSError, ValueError) as error:
        raise VectorsError(str(path), f"missing or damaged array file ({error})",
                           "copy every file gensim saved beside it") from None
    return obj
