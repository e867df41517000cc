"""How music21's readers scale with a score's notes: why MusicXML, ABC and MIDI are capped before parsing.

``python -m bench.score_read [abc:2000 abc:4000 musicxml:10000 midi:5000 ...]`` writes a one-part score of N
quarter or eighth notes in each format into a temporary folder and times ``music21.converter.parse`` on it (fresh
source, no pickle cache), with music21's beaming as it ships and, for ABC, without it (as ``jazz.parse`` reads).
Prints seconds per case with the load average. The README's score-length figures come from these generators.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

NOTE = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration><type>quarter</type></note>"


def write(kind: str, notes: int, folder: Path) -> Path:
    if kind == "abc":
        bars = "".join("CDEF GABc|" for _ in range(notes // 8))
        body = "\n".join(bars[i:i + 80] for i in range(0, len(bars), 80))
        path = folder / f"n{notes}.abc"
        path.write_text(f"X:1\nT:t\nM:4/4\nL:1/8\nK:C\n{body}\n")
    elif kind == "musicxml":
        head = "<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>"
        measures = "".join(f'<measure number="{i + 1}">{head if i == 0 else ""}{NOTE * 4}</measure>\n'
                           for i in range(notes // 4))
        path = folder / f"n{notes}.musicxml"
        path.write_text('<?xml version="1.0"?><score-partwise version="3.1"><part-list><score-part id="P1"><part-name>'
                        f'solo</part-name></score-part></part-list><part id="P1">{measures}</part></score-partwise>')
    else:
        import mido

        track = mido.MidiTrack()
        for i in range(notes):
            track += [mido.Message("note_on", note=60 + i % 12, velocity=64, time=0),
                      mido.Message("note_off", note=60 + i % 12, velocity=0, time=240)]
        file = mido.MidiFile(ticks_per_beat=480)
        file.tracks.append(track)
        path = folder / f"n{notes}.mid"
        file.save(path)
    return path


def seconds(path: Path, beams: bool) -> float:
    from music21 import converter

    from nlp_rnn.jazz.parse import _no_beams

    started = time.perf_counter()
    if beams:
        converter.parse(str(path), forceSource=True)
    else:
        with _no_beams():
            converter.parse(str(path), forceSource=True)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    cases = [(c.split(":")[0], int(c.split(":")[1])) for c in argv or ["abc:2000", "abc:4000", "musicxml:10000",
                                                                       "midi:5000"]]
    with tempfile.TemporaryDirectory(prefix="nlp-rnn-scores-") as folder:
        for kind, notes in cases:
            path, before = write(kind, notes, Path(folder)), os.getloadavg()[0]
            line = f"{kind} {notes:,} notes: {seconds(path, beams=True):.1f} s"
            if kind == "abc":
                line += f", without beaming {seconds(path, beams=False):.1f} s"
            print(f"{line} (load average {before:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
