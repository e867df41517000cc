"""Word vectors: load GloVe/word2vec/gensim vectors once, cache them, turn them into torch embeddings.

This package knows nothing of the applications; they import it.
"""

from embeddings.errors import VectorsError
from embeddings.loading import DEFAULT, load_vectors

__all__ = ["DEFAULT", "VectorsError", "load_vectors"]
