"""Improvising: sample tokens over a chord progression (``jazz.track``, optionally harmony-guided,
``jazz.guide``) after an optional primer phrase, then realise them as notes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from nlp_rnn.errors import UserError
from nlp_rnn.jazz.export import DEFAULT_TEMPO
from nlp_rnn.jazz.guide import guided_tokens
from nlp_rnn.jazz.harmony import Chord, Progression
from nlp_rnn.jazz.model import JazzModel
from nlp_rnn.jazz.piece import GRID, Note, Piece
from nlp_rnn.jazz.tokens import REGISTER, encode, realise
from nlp_rnn.jazz.track import sample_tokens
from nlp_rnn.models.store import load_model
from nlp_rnn.sampling import SampleConfig
from nlp_rnn.threads import one_thread
from nlp_rnn.vocab import EOS, Vocabulary


@dataclass
class Improviser:
    model: JazzModel
    vocabulary: Vocabulary
    extra: dict  # options, source chords, metre, tempo (see jazz.train)
    history: list

    @property
    def source_chords(self) -> list[Chord]:
        return [Chord(o, r, q, tuple(p)) for o, r, q, p in self.extra["chords"]]

    @property
    def beats_per_bar(self) -> float:
        return float(self.extra.get("beats_per_bar", 4.0))

    def source_piece(self) -> Piece | None:
        """The first training piece (its melody and chords), for models that keep it (trained since v3)."""
        if "source_melody" not in self.extra:
            return None
        melody = [Note(float(o), float(d), None if p is None else int(p)) for o, d, p in self.extra["source_melody"]]
        return Piece(melody, self.source_chords, self.beats_per_bar, self.extra.get("tempo") or DEFAULT_TEMPO, "source")


def load_improviser(directory: str | Path, device: str | None = None) -> Improviser:
    """The improviser saved in ``directory``, on ``device`` (see ``devices.resolve``)."""
    loaded = load_model(directory, kind="jazz", device=device)
    return Improviser(loaded.model, loaded.vocabulary, loaded.extra, loaded.history)


@dataclass(frozen=True)
class SoloOptions:
    primer: Piece | None = None  # a phrase the solo starts with, its notes kept as they are
    cleanup: Literal["data", "exercise"] = "data"  # data: the training music's range and repeats; exercise: none
    guide: Literal["none", "harmony"] = "none"  # harmony: per bar, the best of GUIDE_CANDIDATES samples (see guide)
    tempo: float | None = None  # beats per minute the solo is written at (default: the source's, else 130)


def improvise(improviser: Improviser, bars: int = 16, chords: list[Chord] | Progression | None = None,
              temperature: float = 1.0, seed: int = 0, top_k: int | None = None,
              options: SoloOptions = SoloOptions()) -> Piece:
    """A new solo of ``bars`` bars over ``chords`` (looped to fill; default: the source's progression).

    Same seed → same solo. Raises UserError for a bar count out of range or a primer as long as the solo.
    """
    if not 1 <= bars <= 512:
        raise UserError(f"--bars {bars}: give between 1 and 512 bars")
    beats = improviser.beats_per_bar
    total = bars * beats
    progression = _loop(_as_progression(chords, beats) if chords else _source(improviser), total)
    primer = options.primer.melody if options.primer is not None else []
    start = round(max((n.offset + n.duration for n in primer), default=0.0) / GRID) * GRID
    if start >= total:
        raise UserError(f"--primer: the primer lasts {start:g} quarter notes, as long as the {bars}-bar solo; "
                        "give more --bars or fewer --primer-bars")
    scheme = improviser.extra["options"]["tokens"]
    prime = [EOS] + encode(primer, progression, scheme)
    config = SampleConfig(temperature=temperature, top_k=top_k, seed=seed)
    with one_thread():  # one tiny LSTM step at a time: 32 bars in 0.66 s on one thread, 9.4 s on two (shared machine)
        sample = guided_tokens if options.guide == "harmony" else sample_tokens
        tokens = sample(improviser, prime, progression, beats, total, config)
    exercise = options.cleanup == "exercise"
    pitched = [n.pitch for n in primer if n.pitch is not None]
    melody = realise(tokens, progression, seed=seed, total=total, register=solo_register(improviser, exercise),
                     start=start, previous=pitched[-1] if pitched else None, repeats=not exercise)
    tempo = options.tempo or improviser.extra.get("tempo") or DEFAULT_TEMPO
    return Piece(list(primer) + melody, progression, beats, float(tempo), "text" if chords else "source")


def solo_register(improviser: Improviser, exercise: bool) -> tuple[int, int]:
    """The pitch range to realise in: the training melodies' own (default), or their 5th-95th
    percentile widened to 1.5 octaves (``--cleanup exercise``, and models trained before v3)."""
    core = tuple(improviser.extra.get("register", REGISTER))
    return core if exercise else tuple(improviser.extra.get("pitch_range", core))


def _as_progression(chords: list[Chord] | Progression, beats: float) -> Progression:
    if isinstance(chords, Progression):
        return chords
    return Progression(tuple(chords), (max(c.offset for c in chords) // beats + 1) * beats)


def _source(improviser: Improviser) -> Progression:
    """The source progression, by whole bars (it loops after the bar of its last change)."""
    chords = improviser.source_chords
    beats = improviser.beats_per_bar
    bars = max(improviser.extra.get("source_bars", 1), int(max(c.offset for c in chords) // beats) + 1)
    return Progression(tuple(chords), bars * beats)


def _loop(progression: Progression, total: float) -> list[Chord]:
    """``progression`` repeated until ``total`` quarter notes are covered."""
    out, start = [], 0.0
    while start < total:
        out += [Chord(start + c.offset, c.root, c.quality, c.pitch_classes)
                for c in progression.chords if start + c.offset < total]
        start += progression.length
    return out
