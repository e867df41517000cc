"""Peak memory of encoding a corpus: the token-list path (tokenize_corpus + encode) vs compact ids.

    python -m bench.corpus_memory        # prints bytes per character for each level and path

The corpus is 2.8 MB of seeded random words (12 a line, 3,010 distinct); the peak is measured with
tracemalloc over tokenising, the vocabulary, the train/valid split and the final id tensors.
"""

from __future__ import annotations

import random
import tracemalloc

from nlp_rnn.text import Tokenizer
from nlp_rnn.textgen.data import (
    build_vocabulary,
    corpus_ids,
    encode,
    encode_ids,
    split_tail,
    tokenize_corpus,
    vocabulary_from_ids,
)


def corpus(lines: int = 40_000, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = ["the", "cat", "sat", "on", "mat", "dog", "ran", "fast", "slowly", "home"] + [f"w{i}" for i in range(3000)]
    return "\n".join(" ".join(rng.choice(words) for _ in range(12)) + " ." for _ in range(lines))


def token_lists(text: str, tokenizer: Tokenizer):
    train, valid = split_tail(tokenize_corpus(text, tokenizer))
    vocabulary = build_vocabulary(train, tokenizer.level)
    return encode(train, vocabulary), encode(valid, vocabulary)


def compact(text: str, tokenizer: Tokenizer):
    ids, distinct = corpus_ids(text, tokenizer)
    train, valid = split_tail(ids)
    vocabulary = vocabulary_from_ids(train, distinct, tokenizer.level)
    return encode_ids(train, distinct, vocabulary), encode_ids(valid, distinct, vocabulary)


def peak_bytes_per_char(encode_corpus, text: str, tokenizer: Tokenizer) -> float:
    tracemalloc.start()
    encode_corpus(text, tokenizer)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / len(text)


def main() -> None:
    text = corpus()
    print(f"corpus: {len(text) / 1e6:.1f} MB")
    for level in ("char", "word"):
        old, new = (peak_bytes_per_char(run, text, Tokenizer(level)) for run in (token_lists, compact))
        print(f"{level}: token lists {old:.1f} bytes/char, compact ids {new:.1f} bytes/char")


if __name__ == "__main__":
    main()
