"""Text out of a language model: samples streamed piece by piece, and a next-token picker that
carries the recurrent state, so each pick costs one model step however long the text is."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from nlp_rnn.sampling import SampleConfig, next_token_probabilities, stream
from nlp_rnn.text import Tokenizer
from nlp_rnn.textgen.pipeline import TextModel
from nlp_rnn.vocab import Vocabulary


def prime_ids(model: TextModel, prime: str) -> tuple[list[str], list[int]]:
    """The prime's tokens and ids; an empty prime starts a new line (unknown tokens read as <unk>)."""
    vocab = model.vocabulary
    tokens = model.tokenizer(prime) if prime else []
    return tokens, vocab.encode(tokens) or [_line_start(vocab)]


def stream_text(model: TextModel, prime: str = "", length: int = 200, temperature: float = 0.8,
                top_k: int | None = None, top_p: float | None = None, seed: int | None = None) -> Iterator[str]:
    """One continuation of ``prime``, yielded as it is sampled: the prime first, then one piece of
    text per token, joined as ``Tokenizer.detokenize`` would join the whole."""
    tokens, ids = prime_ids(model, prime)
    config = SampleConfig(max_new_tokens=length, temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
    steps = stream(model.model, ids, config)  # bad settings raise here, before anything is yielded
    if prime:
        yield prime
    join = Joiner(model.tokenizer, tokens[-1] if tokens else None, prime[-1:].isspace())
    for (index,) in steps:
        piece = join(model.vocabulary.index_to_token[int(index)])
        if piece:
            yield piece


def generate_text(model: TextModel, prime: str = "", length: int = 200, temperature: float = 0.8,
                  top_k: int | None = None, top_p: float | None = None, num: int = 1, seed: int | None = None) -> list[str]:
    """``num`` continuations of ``prime`` (the prime included in each); sample ``i`` is the one
    ``stream_text`` gives with seed ``seed + i``, so the page, the CLI and the library agree."""
    return ["".join(stream_text(model, prime, length, temperature, top_k, top_p, None if seed is None else seed + i))
            for i in range(num)]


class Joiner:
    """tokens → pieces of text, one at a time: the word-level spacing of ``Tokenizer.detokenize``
    decided from the previous token alone."""

    def __init__(self, tokenizer: Tokenizer, previous: str | None = None, after_space: bool = False):
        self.tokenizer, self.previous, self.after_space = tokenizer, previous, after_space

    def __call__(self, token: str) -> str:
        if token == "<pad>":
            return ""
        if self.tokenizer.level == "char":
            return token
        if self.previous is None:
            piece = self.tokenizer.detokenize([token])
        else:
            piece = self.tokenizer.detokenize([self.previous, token])[len(self.tokenizer.detokenize([self.previous])):]
        if self.after_space:  # the prime already ends with a space
            piece, self.after_space = piece.lstrip(" "), False
        self.previous = token
        return piece


class NextTokenPicker:
    """The text picked so far, the model's state after it, and the next token's distribution.

    The text is read once; each ``pick`` then feeds one token (one model step), so the 500th pick
    costs what the first did (textgenrnn's interactive mode re-reads the text every time)."""

    def __init__(self, model: TextModel, text: str = ""):
        self.model, self.text = model, text
        tokens, ids = prime_ids(model, text)
        self.join = Joiner(model.tokenizer, tokens[-1] if tokens else None, text[-1:].isspace())
        self.logits, self.hidden = self._run(torch.tensor([ids]), None)

    @torch.inference_mode()
    def _run(self, tokens: torch.Tensor, hidden):
        network = self.model.model
        was_training = network.training
        network.eval()  # a shared model: its mode is put back as it was
        try:
            logits, hidden = network(tokens, hidden)
        finally:
            network.train(was_training)
        return logits[:, -1], hidden

    def candidates(self, k: int = 8, temperature: float = 1.0) -> list[tuple[str, float]]:
        """The ``k`` most likely next tokens with their probabilities (no model call)."""
        vocab = self.model.vocabulary
        probs = next_token_probabilities(self.logits, temperature=temperature)[0]
        probs[vocab.pad_index] = 0.0
        values, indices = probs.topk(min(k, len(vocab)))
        return [(vocab.index_to_token[i], float(p)) for p, i in zip(values.tolist(), indices.tolist())]

    def pick(self, token: str) -> str:
        """Append ``token`` (as generation would join it) and step the model once; the new text."""
        self.text += self.join(token)
        index = self.model.vocabulary.encode([token])
        self.logits, self.hidden = self._run(torch.tensor([index]), self.hidden)
        return self.text


def _line_start(vocab: Vocabulary) -> int:
    if vocab.eos_index is not None:
        return vocab.eos_index
    return vocab.token_to_index.get("\n", vocab.token_to_index.get(" ", len(vocab) - 1))


MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$")


def markdown_pieces(pieces: Iterator[str], sample: list[str], index: int) -> Iterator[str]:
    """``pieces`` escaped for a page's markdown stream (``st.write_stream``), kept unescaped in
    ``sample[index]`` as they pass, so a stop mid-stream still leaves the text sampled so far."""
    for piece in pieces:
        sample[index] += piece
        yield "".join("  \n" if c == "\n" else "\\" + c if c in MARKDOWN_SPECIALS else c for c in piece)
