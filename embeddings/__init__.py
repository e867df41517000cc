"""Word vectors: load GloVe/word2vec/gensim vectors once, cache them, turn them into torch embeddings.

This package knows nothing of the applications; they import it. gensim is imported on first use,
so importing ``embeddings.errors`` stays cheap.
"""

from embeddings.errors import VectorsError

DEFAULT = "glove-6b-50d"
__all__ = ["DEFAULT", "VectorsError", "load_vectors"]


def __getattr__(name: str):
    if name == "load_vectors":
        from embeddings.loading import load_vectors

        return load_vectors
    raise AttributeError(f"module 'embeddings' has no attribute {name!r}")
