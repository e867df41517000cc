"""``nlp-rnn embeddings``: word-vector commands."""

from __future__ import annotations

from nlp_rnn.cli.parsing import add_group


def register(subparsers, name: str, help_text: str) -> None:
    add_group(subparsers, name, help_text)
