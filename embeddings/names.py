"""The vectors known by name, importable without gensim (a saved model's spec is checked against them)."""

DEFAULT = "glove-6b-50d"  # the packaged GloVe 6B 50d (embeddings.packaged.NAME)
GENSIM_DATA = (
    "glove-wiki-gigaword-50", "glove-wiki-gigaword-100", "glove-wiki-gigaword-200", "glove-wiki-gigaword-300",
    "glove-twitter-25", "glove-twitter-50", "glove-twitter-100", "glove-twitter-200",
    "word2vec-google-news-300", "fasttext-wiki-news-subwords-300", "conceptnet-numberbatch-17-06-300",
)
