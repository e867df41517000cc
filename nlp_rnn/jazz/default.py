"""The default improviser, trained on first use from music that ships with music21 (about 30 s).

music21's corpus has two lead sheets with chord symbols (Irving Berlin's "Alexander's Ragtime Band",
Stephen Foster's "Jeanie with the Light Brown Hair"), Scott Joplin's "Maple Leaf Rag" (melody from
the right hand, one chord per bar from the left hand) and two Nottingham-dataset reels with chord
symbols. Grammar tokens are key-free, so what the model learns transfers to any progression.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path

from nlp_rnn.defaults import default_dir, train_once
from nlp_rnn.jazz.improvise import Improviser, load_improviser
from nlp_rnn.jazz.parse import corpus_root
from nlp_rnn.jazz.train import JazzOptions, train

CORPUS = (  # music21 corpus path, melody part, chord part (None: automatic)
    ("leadSheet/berlinAlexandersRagtime.mxl", None, None),
    ("leadSheet/fosterBrownHair.mxl", None, None),
    ("joplin/maple_leaf_rag.mxl", 0, 1),
    ("nottingham-dataset/reelsa-c.abc", None, None),
)
OPTIONS = JazzOptions(epochs=40, seed=0)


def corpus_paths() -> list[Path]:
    """The corpus files inside the installed music21, found without importing it (a second of a first use)."""
    root = corpus_root()
    return [root / name for name, _, _ in CORPUS]


def write_packaged() -> list[Path]:
    """Write the parsed corpus that ships with the package (parse.PACKAGED); run after a change to parsing."""
    from nlp_rnn.jazz import parse

    parse.PACKAGED.mkdir(parents=True, exist_ok=True)
    written = []
    for path in corpus_paths():
        pieces = parse.parse_file(path, use_cache=False)
        target = parse.PACKAGED / parse._cache_path(path.read_bytes()).name
        # parse._from_json sets each piece's source to the file it was asked for: what ships names no path of ours
        shipped = [{**asdict(p), "source": path.name} for p in pieces]
        target.write_text(json.dumps(shipped), encoding="utf-8")
        written.append(target)
    return written


def default_pieces() -> list:
    from nlp_rnn.jazz.piece import pieces_from_files

    return [piece for path, (_, melody, chords) in zip(corpus_paths(), CORPUS)
            for piece in pieces_from_files([path], melody, chords)]


def default_model_dir() -> Path:
    return default_dir("jazz-default", repr((CORPUS, OPTIONS)).encode(), ("jazz",))


def load_default(progress: bool = True, callbacks=(), device: str | None = None) -> Improviser:
    """The default improviser on ``device`` (see ``devices.resolve``), trained there first if this machine has none."""
    def fit(directory: Path) -> None:
        train(replace(OPTIONS, device=device), default_pieces(), directory, sources=[name for name, _, _ in CORPUS],
              callbacks=list(callbacks), progress=progress)

    return train_once(default_model_dir(), fit, partial(load_improviser, device=device),
                      "the default jazz model (about 30 s)")


if __name__ == "__main__":  # python -m nlp_rnn.jazz.default: rewrite the packaged parse of the corpus
    for written in write_packaged():
        print(written)
    sys.exit(0)
