"""Reading scores with music21, cached by file content.

music21 parses slowly (about 70 ms a lead sheet, many seconds for a full MIDI arrangement), so what
the pipeline needs from a file — every part's notes and chord symbols, the metre and the tempo — is
extracted once and kept as JSON under ``<cache>/jazz-parsed/<sha256 of the bytes>.json``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nlp_rnn.checkpoint import atomic_write_bytes
from nlp_rnn.errors import DataError, require_file
from nlp_rnn.jazz.prescan import check_size
from nlp_rnn.limits import MAX_MIDI_NOTES, MAX_QUARTERS  # MAX_QUARTERS: about 2¾ hours at 120 bpm, any format
from nlp_rnn.paths import cache_dir

log = logging.getLogger(__name__)
FORMAT_VERSION = 2  # bump when the extracted fields change; old cache entries are then ignored
FORMATS = {".mid": "midi", ".midi": "midi", ".xml": "musicxml", ".musicxml": "musicxml", ".mxl": "musicxml",
           ".abc": "abc"}
MAX_BYTES = 20_000_000  # larger files are not scores people improvise from
# The same JSON for the default model's corpus files (music21's own), shipped with the package: a first use
# then neither imports music21 (1 s) nor parses (2-5 s on 2 cores). Written by ``python -m nlp_rnn.jazz.default``;
# a test checks it against a fresh parse. Named by content, so a changed file or FORMAT_VERSION is parsed anew.
PACKAGED = Path(__file__).parent / "data" / "parsed"


def corpus_root() -> Path:
    """music21's corpus folder in the installed package, found without importing music21 (a second)."""
    return Path(importlib.util.find_spec("music21").submodule_search_locations[0]) / "corpus"


@dataclass
class PartNotes:
    name: str
    percussion: bool
    events: list = field(default_factory=list)  # (offset, duration, [midi pitches]) in quarter notes, by offset
    chord_symbols: list = field(default_factory=list)  # (offset, figure, [pitch classes])


@dataclass
class ParsedScore:
    source: str
    parts: list  # PartNotes
    beats_per_bar: float = 4.0  # quarter notes per bar, from the first time signature
    tempo: float | None = None  # quarter notes per minute, from the first metronome mark
    padding: float = 0.0  # quarter notes a pickup bar lacks (music21's paddingLeft): bar lines at k * bar - padding

    @property
    def length(self) -> float:
        return max((e[0] + e[1] for p in self.parts for e in p.events), default=0.0)


def parse_file(path: str | Path, use_cache: bool = True) -> list[ParsedScore]:
    """Every piece in ``path`` (an ABC file may hold several tunes), each with its parts' notes.

    Raises DataError for a missing, unsupported, unreadable or note-less file.
    """
    path = require_file(path, "score file")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataError(path, f"unsupported file type {path.suffix or '(none)'}",
                        f"give a MIDI ({', '.join(k for k, v in FORMATS.items() if v == 'midi')}), MusicXML or ABC file")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise DataError(path, f"file too large ({len(data) / 1e6:.0f} MB)", f"use a score under {MAX_BYTES // 1_000_000} MB")
    if kind == "midi" and not data.startswith(b"MThd"):
        raise DataError(path, "not a MIDI file (no MThd header)", "give a standard MIDI file (.mid)")
    if kind == "abc":
        _check_text(path, data)
    cached = _cache_path(data) if use_cache else None
    shipped = PACKAGED / cached.name if cached is not None else None
    if shipped is not None and shipped.exists():  # the default model's corpus: no music21 on a first use
        pieces = _from_json(shipped.read_text(encoding="utf-8"), str(path))
    elif cached is not None and cached.exists():
        pieces = _from_json(cached.read_text(encoding="utf-8"), str(path))
    else:
        check_size(path, kind, data)  # before music21, whose readers are quadratic in a part's notes
        pieces = _parse_with_music21(path, kind)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(cached, json.dumps([asdict(p) for p in pieces]).encode("utf-8"))
    too_long = next((piece for piece in pieces if piece.length > MAX_QUARTERS), None)
    if too_long is not None:  # MusicXML and ABC have no cheap pre-check like MIDI's; the parsed length is bounded
        raise DataError(path, f"the score lasts {too_long.length:,.0f} quarter notes (over {MAX_QUARTERS:,})",
                        "give a shorter score, or cut it into pieces")
    if not any(part.events for piece in pieces for part in piece.parts if not part.percussion):
        raise DataError(path, "has no pitched notes", "give a score with a melody")
    return pieces


def _check_text(path: Path, data: bytes) -> None:
    """ABC is text and music21 reads it as UTF-8: say where a damaged or binary file stops being text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, f"is not an ABC text file: byte {error.start + 1} is not UTF-8 text (the file is damaged, "
                              "binary, or in another encoding)", "save it as plain UTF-8 text",
                        line=data[: error.start].count(b"\n") + 1) from None
    if "\x00" in text:
        raise DataError(path, "is not an ABC text file (it holds NUL bytes: damaged or binary)", "give a plain-text .abc file",
                        line=text[: text.index("\x00")].count("\n") + 1)


def _cache_path(data: bytes) -> Path:
    return cache_dir() / "jazz-parsed" / f"{hashlib.sha256(data).hexdigest()[:32]}-v{FORMAT_VERSION}.json"


def _from_json(text: str, source: str) -> list[ParsedScore]:
    pieces = []
    for raw in json.loads(text):
        parts = [PartNotes(**part) for part in raw["parts"]]
        pieces.append(ParsedScore(source=source, parts=parts, beats_per_bar=raw["beats_per_bar"], tempo=raw["tempo"],
                                  padding=raw["padding"]))
    return pieces


def _parse_with_music21(path: Path, kind: str) -> list[ParsedScore]:
    from music21 import converter, stream

    log.info("parsing %s with music21", path)
    if kind == "midi":
        _check_midi_length(path)
    try:
        with _no_beams():  # forceSource: music21 would otherwise pickle every score into the shared /tmp/music21
            # and unpickle a pickle found there for that path (anyone could plant one); our JSON cache does its job
            parsed = converter.parse(str(path), format=kind, forceSource=True)
        scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
        return [_extract(score, str(path)) for score in scores]
    except Exception as error:  # music21 raises many unrelated types for malformed files
        message = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
        raise DataError(path, f"cannot be read as {kind} ({message})", "check that the file is a valid score") from None


_BEAMLESS = threading.local()


@contextmanager
def _no_beams():
    """Skip music21's beaming while this thread parses: music21's ABC reader beams every part (notation only:
    notes and offsets stay the same) at a cost quadratic in its notes: a 4,000-note tune took 7.2 s, 0.8 s
    without (bench.score_read). A thread-local switch, so a page engraving a score in another thread still beams."""
    from music21 import stream

    if not getattr(stream.Stream.makeBeams, "nlp_rnn_switch", False):
        beam = stream.Stream.makeBeams

        def make_beams(self, *args, **kwargs):
            if getattr(_BEAMLESS, "on", False):
                return None if kwargs.get("inPlace") else self
            return beam(self, *args, **kwargs)

        make_beams.nlp_rnn_switch = True
        stream.Stream.makeBeams = make_beams
    _BEAMLESS.on = True
    try:
        yield
    finally:
        _BEAMLESS.on = False


def _check_midi_length(path: Path) -> None:
    """Refuse a MIDI file whose tracks claim more than MAX_QUARTERS: a damaged delta time can claim
    hours, and music21 then spends many minutes filling them with rests. Reading the events is fast."""
    from music21 import midi

    try:
        file = midi.MidiFile()
        file.open(str(path))
        file.read()
        file.close()
        ticks, notes = _midi_totals(file.tracks)
        quarters = ticks / file.ticksPerQuarterNote
    except Exception:  # noqa: BLE001 - left to the full parse, which says what is wrong
        return
    if notes > MAX_MIDI_NOTES:  # music21's MIDI reader is quadratic too (bench.score_read: 5,000 notes 2.7 s, 10,000 8.7 s)
        raise DataError(path, f"holds {notes:,} notes (over {MAX_MIDI_NOTES:,}, which music21 reads in about 35 s "
                              "on 2 free cores; longer files take minutes)", "give a shorter MIDI file, or cut it into pieces")
    if quarters > MAX_QUARTERS:
        raise DataError(path, f"its tracks last {quarters:,.0f} quarter notes (over {MAX_QUARTERS:,}), so it is "
                              "probably damaged", "give an undamaged MIDI file")


def _midi_totals(tracks) -> tuple[int, int]:
    """The longest track's ticks and the sounding note-ons of all tracks, in one pass over the events."""
    from music21 import midi

    longest, notes = 0, 0
    for track in tracks:
        ticks = 0
        for event in track.events:
            if isinstance(event, midi.DeltaTime):
                ticks += event.time
            elif event.type == midi.ChannelVoiceMessages.NOTE_ON and event.velocity:
                notes += 1
        longest = max(longest, ticks)
    return longest, notes


def _extract(score, source: str) -> ParsedScore:
    from music21 import meter, stream, tempo

    parts = [_part_notes(part) for part in score.parts] if score.parts else []
    flat = score.flatten()
    signature = next(iter(flat.getElementsByClass(meter.TimeSignature)), None)
    mark = next(iter(flat.getElementsByClass(tempo.MetronomeMark)), None)
    bar = float(signature.barDuration.quarterLength) if signature is not None else 4.0
    first = next(iter(score.parts[0].getElementsByClass(stream.Measure)), None) if score.parts else None
    return ParsedScore(
        source=source,
        parts=parts,
        beats_per_bar=bar,
        tempo=float(mark.getQuarterBPM()) if mark is not None and mark.number else None,
        padding=float(first.paddingLeft) % bar if first is not None else 0.0,
    )


def _part_notes(part) -> PartNotes:
    from music21 import chord, harmony, instrument, note, percussion

    flat = part.flatten()
    events, symbols, unpitched = [], [], 0
    for element in flat.notes:
        offset, duration = round(float(element.offset), 4), round(float(element.quarterLength), 4)
        if isinstance(element, harmony.ChordSymbol):
            pcs = sorted({p.pitchClass for p in element.pitches})
            if pcs:
                symbols.append([offset, element.figure, pcs])
        elif isinstance(element, note.Note):
            events.append([offset, duration, [element.pitch.midi]])
        elif isinstance(element, chord.Chord) and not isinstance(element, percussion.PercussionChord):
            events.append([offset, duration, sorted(p.midi for p in element.pitches)])
        else:
            unpitched += 1
    events = [e for e in events if e[1] > 0]
    events.sort(key=lambda e: (e[0], -max(e[2])))
    voice = part.getInstrument(returnDefault=False)
    is_drums = isinstance(voice, instrument.UnpitchedPercussion) or (unpitched > len(events))
    return PartNotes(name=str(part.partName or (voice.instrumentName if voice else "") or ""), percussion=is_drums,
                     events=events, chord_symbols=symbols)
