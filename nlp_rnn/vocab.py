"""Vocabulary: token ↔ index with <pad> = 0 and <unk> = 1, optional <eos>, JSON save/load."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from nlp_rnn.errors import DataError
from nlp_rnn.text import EOS

PAD, UNK = "<pad>", "<unk>"


class Vocabulary:
    """An ordered token list; the specials come first (<pad> 0, <unk> 1, then <eos> if used)."""

    def __init__(self, tokens: Iterable[str] = (), eos: bool = False):
        specials = [PAD, UNK] + ([EOS] if eos else [])
        self.index_to_token: list[str] = list(specials)
        self.token_to_index: dict[str, int] = {t: i for i, t in enumerate(specials)}
        for token in tokens:
            self.add(token)

    @classmethod
    def build(
        cls, texts: Iterable[list[str]], min_freq: int = 1, max_size: int | None = None, eos: bool = False
    ) -> Vocabulary:
        """Count tokens over tokenized texts; keep those seen ``min_freq`` times, the most frequent
        first (ties alphabetical, so the result is deterministic), at most ``max_size`` in all."""
        return cls.from_counts(Counter(token for tokens in texts for token in tokens), min_freq, max_size, eos)

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], min_freq: int = 1, max_size: int | None = None,
                    eos: bool = False) -> Vocabulary:
        """``build`` from token counts already made (a corpus encoded as arrays counts with numpy)."""
        vocab = cls(eos=eos)
        ranked = sorted((t for t, n in counts.items() if n >= min_freq and t not in vocab), key=lambda t: (-counts[t], t))
        room = None if max_size is None else max(0, max_size - len(vocab))
        for token in ranked[:room]:
            vocab.add(token)
        return vocab

    def add(self, token: str) -> int:
        if token not in self.token_to_index:
            self.token_to_index[token] = len(self.index_to_token)
            self.index_to_token.append(token)
        return self.token_to_index[token]

    @property
    def pad_index(self) -> int:
        return 0

    @property
    def unk_index(self) -> int:
        return 1

    @property
    def eos_index(self) -> int | None:
        return self.token_to_index.get(EOS)

    def __len__(self) -> int:
        return len(self.index_to_token)

    def __contains__(self, token: str) -> bool:
        return token in self.token_to_index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.index_to_token == other.index_to_token

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Indices of ``tokens``; unknown tokens map to <unk>."""
        get = self.token_to_index.get
        return [get(token, 1) for token in tokens]

    def decode(self, indices: Iterable[int], skip_specials: bool = True) -> list[str]:
        """Tokens of ``indices``; <pad> and <unk> are dropped when ``skip_specials``."""
        tokens = (self.index_to_token[i] for i in indices)
        return [t for t in tokens if not (skip_specials and t in (PAD, UNK))]

    def to_dict(self) -> dict:
        return {"tokens": self.index_to_token}

    @classmethod
    def from_dict(cls, data: dict, source: str | Path = "<vocabulary>") -> Vocabulary:
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(tokens, list) or tokens[:2] != [PAD, UNK] or not all(isinstance(t, str) for t in tokens):
            raise DataError(source, "not a vocabulary (expected 'tokens' starting with <pad>, <unk>)",
                            "save it with Vocabulary.save")
        if len(set(tokens)) != len(tokens):
            raise DataError(source, "vocabulary lists a token twice", "rebuild the vocabulary")
        vocab = cls(eos=len(tokens) > 2 and tokens[2] == EOS)
        for token in tokens:
            vocab.add(token)
        return vocab

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataError(path, "no such vocabulary file", "check the path") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise DataError(path, f"not JSON ({error})", "save it with Vocabulary.save") from None
        return cls.from_dict(data, source=path)
