"""Tiny training runs that tests/test_distributed.py makes once in one process and once on N ranks.

``python -m tests.distributed_runs DATA OUT`` (under torchrun) trains every run of ``RUNS`` into
OUT/<name>; the test trains the same runs in its own process and compares the weights. Dropout is
0 (its masks are drawn per rank) and every run is seeded; the data is made by ``make_data``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

WORDS = "the a cat dog sat ran on under mat log big small red".split()
LABELS = ["heart", "baseball", "smile", "disappointed", "fork_and_knife"]


def make_data(directory: Path, lines: int = 40) -> None:
    """A text corpus of ``lines`` lines, a labelled sentence set with tiny GloVe-format vectors (seeded)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    text = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))) + " ." for _ in range(lines)]
    (directory / "corpus.txt").write_text("\n".join(text) + "\n")
    (directory / "vectors.txt").write_text("".join(f"{w} " + " ".join(f"{rng.uniform(-1, 1):.4f}" for _ in range(6)) + "\n"
                                                   for w in WORDS))
    # 41 sentences at batch 6: the last batch of 5 splits 3 / 2 over two ranks (uneven shares)
    rows = [f"{' '.join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))},{i % len(LABELS)}" for i in range(41)]
    (directory / "emojify.csv").write_text("\n".join(rows) + "\n")


def _text(data: Path, out: Path, level: str, cell: str, max_steps: int | None = None, resume: bool = False):
    from nlp_rnn.textgen.pipeline import TextOptions, train_text

    overrides = (("cell", cell), ("layers", 1), ("hidden", 8), ("embed", 8), ("dropout", 0.0), ("batch_size", 4),
                 ("bptt", 12), ("epochs", 2), ("lr", 0.01))
    options = TextOptions(corpus=str(data / "corpus.txt"), level=level, overrides=overrides, max_steps=max_steps,
                          device="cpu")
    train_text(options, out, resume=resume, progress=False)


def char_lm(data: Path, out: Path) -> None:
    _text(data, out, "char", "lstm")


def char_lm_resumed(data: Path, out: Path) -> None:
    """The char run stopped inside its first epoch, then resumed to the end: must equal ``char_lm``."""
    _text(data, out, "char", "lstm", max_steps=7)
    _text(data, out, "char", "lstm", resume=True)


def word_lm(data: Path, out: Path) -> None:
    _text(data, out, "word", "gru")


def emojify_v2(data: Path, out: Path) -> None:
    from nlp_rnn.emojify.data import read_examples
    from nlp_rnn.emojify.train import EmojifyOptions, train

    options = EmojifyOptions(model="v2", vectors=str(data / "vectors.txt"), layers=1, hidden=8, dropout=0.0, epochs=4,
                             lr=0.01, batch_size=6, patience=None, device="cpu")
    examples = read_examples(data / "emojify.csv")
    train(options, examples[:35], examples[35:], out, progress=False)


def jazz(data: Path, out: Path) -> None:
    from nlp_rnn.jazz.harmony import make_chord, parse_chords
    from nlp_rnn.jazz.piece import Note, Piece
    from nlp_rnn.jazz.train import JazzOptions, train

    notes = [Note(0.5 * i, 0.5, 60 + (i * 5) % 17 if i % 8 != 7 else None) for i in range(64)]
    chords = [make_chord(4.0 * bar, c.root, c.quality) for bar, c in enumerate(parse_chords("Cmaj7 Am7 Dm7 G7") * 2)]
    options = JazzOptions(hidden=8, embed=4, window=6, epochs=2, batch_size=10, lr=0.01, device="cpu")
    train(options, [Piece(notes, chords, 4.0, 120.0, "text")], out, progress=False)


RUNS = {"char_lm": char_lm, "char_lm_resumed": char_lm_resumed, "word_lm": word_lm, "emojify_v2": emojify_v2,
        "jazz": jazz}


if __name__ == "__main__":
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    for name, run in RUNS.items():
        run(data, out / name)
