"""``nlp-rnn jazz``: the Jazz improvisation application's commands register here as they are built."""

from __future__ import annotations

from nlp_rnn.cli.parsing import add_group


def register(subparsers, name: str, help_text: str) -> None:
    add_group(subparsers, name, help_text, description=f"{help_text}. This version has no jazz commands yet.")
