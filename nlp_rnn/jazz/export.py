"""A solo as music: a MIDI file (melody + chord accompaniment), a MusicXML lead sheet, WAV audio, a piano roll."""

from __future__ import annotations

import logging
import math
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

from nlp_rnn.atomic import check_target, replace, temp_beside
from nlp_rnn.errors import UserError
from nlp_rnn.jazz import midi_file
from nlp_rnn.jazz.piece import Piece
from nlp_rnn.limits import MAX_TEMPO, MIN_TEMPO

log = logging.getLogger(__name__)
SAMPLE_RATE = 22_050
DEFAULT_TEMPO = 130.0
MAX_SECONDS = 3 * 60 * 60  # audio rendering stops after three hours


KINDS = {"": "major", "m": "minor", "7": "dominant-seventh", "maj7": "major-seventh", "m7": "minor-seventh",
         "6": "major-sixth", "m6": "minor-sixth", "m7b5": "half-diminished-seventh", "dim": "diminished",
         "dim7": "diminished-seventh", "aug": "augmented", "sus4": "suspended-fourth", "mmaj7": "minor-major-seventh"}


def lead_sheet(piece: Piece):
    """A music21 Score with one part: the solo, with a chord symbol at every chord change."""
    from music21 import harmony, instrument, meter, note, pitch, stream
    from music21 import tempo as m21tempo

    part = stream.Part(id="solo")
    part.insert(0, instrument.AltoSaxophone())
    part.insert(0, meter.TimeSignature(f"{int(round(piece.beats_per_bar))}/4"))
    part.insert(0, m21tempo.MetronomeMark(number=_bpm(None, piece.tempo)))
    for chord in piece.chords:
        symbol = harmony.ChordSymbol(root=pitch.Pitch(chord.root), kind=KINDS.get(chord.quality, "major"))
        part.insert(chord.offset, symbol)
    for item in piece.melody:
        element = note.Rest() if item.pitch is None else note.Note(item.pitch)
        element.quarterLength = item.duration
        part.insert(item.offset, element)
    score = stream.Score()
    score.insert(0, part)
    return score


def write_musicxml(piece: Piece, path: str | Path) -> Path:
    """Write ``piece`` as a MusicXML lead sheet (``lead_sheet``), atomically."""
    _write_atomically(Path(path), ".musicxml.tmp", lambda tmp: lead_sheet(piece).write("musicxml", fp=tmp))
    return Path(path)


def _bpm(asked: float | None, source: float | None) -> float:
    """The tempo to write: ``asked`` must lie in MIN_TEMPO-MAX_TEMPO (MIDI's 24-bit microseconds per quarter
    would wrap above 60,000,000 bpm; below 20 bpm a solo lasts hours); a source's tempo is brought into range."""
    if asked is not None:
        if not (math.isfinite(asked) and MIN_TEMPO <= asked <= MAX_TEMPO):
            raise UserError(f"tempo {asked:g} bpm is out of range; give {MIN_TEMPO}-{MAX_TEMPO} beats per minute")
        return float(asked)
    if source is None or not math.isfinite(source) or source <= 0:
        return DEFAULT_TEMPO
    bounded = min(max(float(source), MIN_TEMPO), MAX_TEMPO)
    if bounded != source:
        log.warning("the source's tempo %g bpm is written as %g bpm (the range is %d-%d)", source, bounded, MIN_TEMPO,
                    MAX_TEMPO)
    return bounded


def write_midi(piece: Piece, path: str | Path, tempo: float | None = None) -> Path:
    """Write ``piece`` as a standard MIDI file (see ``midi_file``), atomically (a temp file renamed into place)."""
    bpm = _bpm(tempo, piece.tempo)
    _write_atomically(Path(path), ".mid.tmp", lambda tmp: midi_file.write(piece, tmp, bpm))
    return Path(path)


def _write_atomically(path: Path, suffix: str, write):
    """``write(tmp)`` into a new temporary file beside ``path`` (mode 0644), then rename it into place;
    returns what ``write`` returned."""
    path = check_target(path)  # a FIFO or a device (--out /dev/null) is refused, never replaced
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(path, suffix)  # a fresh name: two writes of one target at once never share a file
    try:
        result = write(str(tmp))
        replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def soundfont() -> Path:
    """The General MIDI SoundFont that ships with pretty_midi (TimGM6mb.sf2)."""
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


def render_wav(midi_path: str | Path, wav_path: str | Path, sample_rate: int = SAMPLE_RATE) -> str:
    """Render a MIDI file to 16-bit WAV; returns the renderer used.

    Tries Debian's ``fluidsynth`` (fastest), then ``tinysoundfont`` with the same General MIDI
    SoundFont, then pretty_midi's sine-wave synthesis, which always works but sounds plain.
    """
    # the temporary name ends in .wav: fluidsynth picks its output format from the extension
    return _write_atomically(Path(wav_path), ".tmp.wav", lambda tmp: _render(Path(midi_path), Path(tmp), sample_rate))


def _render(midi_path: Path, out: Path, sample_rate: int) -> str:
    if shutil.which("fluidsynth"):
        result = subprocess.run(["fluidsynth", "-ni", "-q", "-F", str(out), "-r", str(sample_rate), str(soundfont()),
                                 str(midi_path)], capture_output=True, timeout=300)
        if result.returncode == 0 and out.exists() and out.stat().st_size > 44:
            return "fluidsynth"
    try:
        audio, renderer = _tinysoundfont(midi_path, sample_rate), "tinysoundfont"
    except ImportError:
        audio, renderer = _sine(midi_path, sample_rate), "pretty_midi sine synthesis"
    _write_wav(out, audio, sample_rate)
    return renderer


def _tinysoundfont(midi_path: Path, sample_rate: int) -> np.ndarray:
    """Stereo float audio (samples, 2): the file played by tinysoundfont's own MIDI sequencer, one second
    at a time until its last event, then a second of release."""
    import tinysoundfont

    synth = tinysoundfont.Synth(samplerate=sample_rate)
    synth.sfload(str(soundfont()))
    sequencer = tinysoundfont.Sequencer(synth)
    try:
        sequencer.midi_load(str(midi_path))
    except Exception as error:  # tinysoundfont raises several types for a broken file
        raise UserError(f"{midi_path}: cannot be read as MIDI ({error}); give a standard MIDI file") from None
    chunks = []
    for _ in range(MAX_SECONDS):
        chunks.append(np.frombuffer(synth.generate(sample_rate), dtype=np.float32))
        if sequencer.is_empty():
            break
    chunks.append(np.frombuffer(synth.generate(sample_rate), dtype=np.float32))  # the release of the last notes
    return np.concatenate(chunks).reshape(-1, 2)


def _sine(midi_path: Path, sample_rate: int) -> np.ndarray:
    import pretty_midi

    try:
        midi = pretty_midi.PrettyMIDI(str(midi_path))
    except Exception as error:  # pretty_midi/mido raise several types for a broken file
        raise UserError(f"{midi_path}: cannot be read as MIDI ({error}); give a standard MIDI file") from None
    return midi.synthesize(fs=sample_rate)


def _write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    audio = audio if audio.ndim == 2 else audio[:, None]
    peak = float(np.abs(audio).max()) or 1.0
    pcm = (audio / max(peak, 1.0) * 32_000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())


def piano_roll(piece: Piece, title: str = ""):
    """A matplotlib Figure: melody notes as bars over time, chord names above each change."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 3.2), layout="constrained")
    axes = figure.add_subplot()
    notes = [n for n in piece.melody if n.pitch is not None]
    axes.barh([n.pitch for n in notes], [n.duration for n in notes], left=[n.offset for n in notes], height=0.8,
              color="#1f77b4")
    low = min((n.pitch for n in notes), default=60) - 2
    high = max((n.pitch for n in notes), default=72) + 3
    for chord in piece.chords:
        axes.axvline(chord.offset, color="#bbb", linewidth=0.6)
        axes.text(chord.offset + 0.1, high - 0.5, chord.name, fontsize=7, va="top")
    axes.set(xlim=(0, max(piece.length, piece.beats_per_bar)), ylim=(low, high), xlabel="quarter notes",
             ylabel="MIDI pitch", title=title)
    return figure
