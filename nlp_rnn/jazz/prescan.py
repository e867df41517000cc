"""How much music a MusicXML or ABC file holds, counted on its text before music21 reads it.

music21's readers are quadratic in a part's notes (``python -m bench.score_read`` on 2 cores: MusicXML
10,000 notes 3.7 s, 20,000 14.7 s; ABC 2,000 2.0 s, 4,000 7.2 s with music21's beaming), so a long score is refused from a
count of its notes and bars on the raw text, which takes milliseconds, instead of after minutes of
parsing. The counts are upper bounds (an ABC letter in a stray text line counts as a note): a score
near the cap may be refused though music21 would find fewer notes; the cap is far above a tune's.
MIDI is bounded by its tracks' length instead (see ``parse._check_midi_length``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from nlp_rnn.errors import DataError
from nlp_rnn.limits import MAX_SCORE_BARS, MAX_SCORE_NOTES

MAX_XML_BYTES = 100_000_000  # a compressed .mxl's score once inflated (a zip bomb stops here)
_XML_NOTE = re.compile(rb"<note[\s>/]")
_XML_BAR = re.compile(rb"<measure[\s>/]")
_ABC_FIELD = re.compile(r"^(?:[A-Za-z+]:|%)")  # header/field lines (T:, K:, w: lyrics …) and comments
_ABC_NOISE = re.compile(r'"[^"]*"|![^!\n]*!|\+[^+\n]*\+|\[[A-Za-z]:[^\]\n]*\]|%.*')  # chord text, decorations, inline fields
_ABC_NOTE = re.compile(r"[A-Ga-g]")
_ABC_BAR = re.compile(r"\|+")


def check_size(path: Path, kind: str, data: bytes) -> None:
    """Raise DataError when the MusicXML or ABC score in ``data`` (the bytes of ``path``) is over the caps."""
    if kind == "abc":
        notes, bars = abc_counts(data.decode("utf-8", errors="replace"))
    elif kind == "musicxml":
        notes, bars = xml_counts(path, data)
    else:
        return
    for count, cap, what in ((notes, MAX_SCORE_NOTES, "notes"), (bars, MAX_SCORE_BARS, "bars")):
        if count > cap:
            raise DataError(path, f"holds about {count:,} {what} (over {cap:,}, which music21 reads in about 10 s "
                                  "on 2 cores; longer scores take minutes)", "give a shorter score, or cut it into pieces")


def abc_counts(text: str) -> tuple[int, int]:
    """Note letters and bar lines in the tunes' music lines (fields, lyrics, comments, chord text left out)."""
    notes = bars = 0
    for line in text.splitlines():
        if _ABC_FIELD.match(line):
            continue
        music = _ABC_NOISE.sub("", line)
        notes += len(_ABC_NOTE.findall(music))
        bars += len(_ABC_BAR.findall(music))
    return notes, bars


def xml_counts(path: Path, data: bytes) -> tuple[int, int]:
    """``<note>`` and ``<measure>`` elements of a MusicXML file, or of the scores inside a compressed .mxl."""
    if not data.startswith(b"PK"):
        return len(_XML_NOTE.findall(data)), len(_XML_BAR.findall(data))
    notes = bars = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if member.filename.startswith("META-INF/") or not member.filename.endswith((".xml", ".musicxml")):
                    continue
                more_notes, more_bars = _stream_counts(path, archive, member)
                notes, bars = notes + more_notes, bars + more_bars
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return 0, 0  # not a readable archive: music21's own read says what is wrong
    return notes, bars


def _stream_counts(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int]:
    """Count while inflating in 1 MB chunks (a tag cut by a chunk's end is found in the next: 16 bytes kept)."""
    notes = bars = read = 0
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 20):
            read += len(chunk)
            if read > MAX_XML_BYTES:
                raise DataError(path, f"its score inflates to over {MAX_XML_BYTES // 1_000_000} MB",
                                "give an uncompressed or smaller MusicXML file")
            block = tail + chunk
            notes += len(_XML_NOTE.findall(block)) - len(_XML_NOTE.findall(tail))
            bars += len(_XML_BAR.findall(block)) - len(_XML_BAR.findall(tail))
            tail = block[-16:]
            if notes > MAX_SCORE_NOTES or bars > MAX_SCORE_BARS:
                break  # already over: no need to inflate the rest
    return notes, bars
