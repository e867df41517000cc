"""From a parsed score to what the model learns from: one monophonic melody and its chords.

Parts are picked automatically unless given: the chord part is the pitched part with the most
simultaneous notes, the melody the remaining pitched part with the most notes weighted by how high
it sits (a solo is above the bass). Chords come, in this order, from chord symbols in the score,
from the chord part (one per bar, and a change inside a bar wherever it strikes another chord on a
beat), or from the melody itself (one per bar) when there is neither.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import math
from dataclasses import dataclass

from nlp_rnn.errors import DataError
from nlp_rnn.jazz.harmony import Chord, best_chord, from_symbol
from nlp_rnn.jazz.parse import ParsedScore, parse_file
from nlp_rnn.limits import MAX_QUARTERS

GRID = 0.25  # a sixteenth note, in quarter notes


@dataclass(frozen=True)
class Note:
    offset: float  # quarter notes from the start of the piece (window)
    duration: float  # quarter notes
    pitch: int | None  # MIDI number; None is a rest


@dataclass
class Piece:
    melody: list[Note]  # monophonic, rests included, onsets on the sixteenth grid
    chords: list[Chord]  # by offset; never empty
    beats_per_bar: float = 4.0
    tempo: float | None = None
    chord_source: str = "symbols"  # symbols | part N | melody | text
    melody_part: int = 0

    @property
    def length(self) -> float:
        return max((n.offset + n.duration for n in self.melody), default=0.0)

    @property
    def bars(self) -> int:
        return max(1, int(-(-round(self.length, 4) // self.beats_per_bar)))


def select(score: ParsedScore, melody_part: int | None = None, chord_part: int | None = None,
           start: float | None = None, end: float | None = None) -> Piece:
    """The melody and chords of ``score`` between quarter-note offsets ``start`` and ``end``.

    Raises DataError for a part index that does not exist, or a window without melody notes.
    """
    pitched = [i for i, part in enumerate(score.parts) if not part.percussion and part.events]
    for name, index in (("--melody-part", melody_part), ("--chord-part", chord_part)):
        if index is not None and not 0 <= index < len(score.parts):
            raise DataError(score.source, f"{name} {index} does not exist (the score has parts 0-{len(score.parts) - 1})",
                            "run `nlp-rnn jazz stats FILE` to see the parts")
    if melody_part is None:
        melody_part = _guess_melody(score, pitched, chord_part)
    start = 0.0 if start is None else float(start)
    end = score.length if end is None else float(end)
    if not (math.isfinite(start) and math.isfinite(end)) or max(start, end) > MAX_QUARTERS:
        raise DataError(score.source, f"window --start {start:g} --end {end:g} is beyond {MAX_QUARTERS:,} quarter notes",
                        f"give offsets from 0 to {MAX_QUARTERS:,}")
    if end <= start:
        raise DataError(score.source, f"empty window --start {start:g} --end {end:g}", "give --end after --start")
    melody = _melody(score.parts[melody_part].events, start, end)
    if not any(n.pitch is not None for n in melody):
        raise DataError(score.source, f"part {melody_part} has no notes between offsets {start:g} and {end:g}",
                        "choose another --melody-part or window")
    # a window that starts inside a bar (a pickup, or --start off a bar line) opens with a rest back to that bar
    # line, so an offset modulo the bar is its place in the bar for chords, the beat features and the solo's metre
    lead = lead_in(score, start)
    melody = _lead_in(melody, lead)
    chords, source = _chords(score, pitched, melody_part, chord_part, melody, start - lead, end)
    return Piece(melody, chords, score.beats_per_bar, score.tempo, source, melody_part)


def lead_in(score: ParsedScore, start: float = 0.0) -> float:
    """How far into its bar the score offset ``start`` lies (0 on a bar line): the rest a window starting there opens with."""
    lead = (start + score.padding) % score.beats_per_bar
    return lead if 1e-6 < lead < score.beats_per_bar - 1e-6 else 0.0


def _lead_in(melody: list[Note], lead: float) -> list[Note]:
    """``melody`` moved ``lead`` quarter notes later behind a rest (merged with a rest it starts with)."""
    if not lead:
        return melody
    moved = [Note(n.offset + lead, n.duration, n.pitch) for n in melody]
    if moved and moved[0].pitch is None:
        return [Note(0.0, lead + moved[0].duration, None)] + moved[1:]
    return [Note(0.0, lead, None)] + moved


def _chords(score: ParsedScore, pitched: list[int], melody_part: int, chord_part: int | None, melody: list[Note],
            origin: float, end: float) -> tuple[list[Chord], str]:
    """The chords of the window from the score offset ``origin`` (the piece's offset 0) to ``end``, and where
    they came from: chord symbols, the chord part, or the melody."""
    symbols = [s for part in score.parts for s in part.chord_symbols]
    if chord_part is None and symbols:
        return _from_symbols(symbols, origin, end), "symbols"
    if chord_part is None:
        chord_part = _guess_chords(score, pitched, melody_part)
    events = score.parts[chord_part].events if chord_part is not None else []
    chords = _from_events(events, origin, end, score.beats_per_bar)
    if chords:
        return chords, f"part {chord_part}"
    notes = [(n.offset + origin, n.duration, [n.pitch]) for n in melody if n.pitch is not None]
    return _from_events(notes, origin, end, score.beats_per_bar), "melody"


def pieces_from_files(paths, melody_part: int | None = None, chord_part: int | None = None,
                      start: float | None = None, end: float | None = None) -> list[Piece]:
    """Every piece (an ABC file may hold several tunes) of every file, with the same part and window choices."""
    return [select(score, melody_part, chord_part, start, end) for path in paths for score in parse_file(path)]


def _guess_melody(score: ParsedScore, pitched: list[int], chord_part: int | None) -> int:
    def weight(i: int) -> float:
        events = score.parts[i].events
        single = sum(1 for e in events if len(e[2]) == 1)
        mean_pitch = sum(max(e[2]) for e in events) / len(events)
        return single * (1.0 if mean_pitch >= 55 else 0.25)

    candidates = [i for i in pitched if i != chord_part] or pitched
    if not candidates:
        raise DataError(score.source, "has no pitched part to take a melody from", "give a score with a melody")
    return max(candidates, key=weight)


def _guess_chords(score: ParsedScore, pitched: list[int], melody_part: int) -> int | None:
    counts = {i: sum(1 for e in score.parts[i].events if len(e[2]) >= 3) for i in pitched if i != melody_part}
    best = max(counts, key=counts.get, default=None)
    return best if best is not None and counts[best] > 0 else None


def _melody(events: list, start: float, end: float) -> list[Note]:
    """Top line of ``events`` inside the window, onsets on the sixteenth grid, gaps as rests."""
    onsets: dict[float, int] = {}  # grid onset → top pitch
    ends: dict[float, float] = {}  # grid onset → when its longest note stops sounding
    for offset, duration, pitches in events:
        if start - 1e-6 <= offset < end - 1e-6:
            at = round((offset - start) / GRID) * GRID
            onsets[at] = max(onsets.get(at, 0), max(pitches))  # a chord in the solo part: its top note
            ends[at] = max(ends.get(at, 0.0), min(offset + duration, end) - start)
    times = sorted(onsets)
    length = round((end - start) / GRID) * GRID
    notes, cursor = [], 0.0
    for index, at in enumerate(times):
        if at > cursor + 1e-6:
            notes.append(Note(cursor, at - cursor, None))
        following = times[index + 1] if index + 1 < len(times) else length
        stop = min(following, max(at + GRID, round(ends[at] / GRID) * GRID))
        notes.append(Note(at, stop - at, onsets[at]))
        cursor = stop
    return notes


def _from_symbols(symbols: list, start: float, end: float) -> list[Chord]:
    symbols = sorted(symbols)
    before = [s for s in symbols if s[0] <= start + 1e-6]
    inside = [s for s in symbols if start + 1e-6 < s[0] < end]
    chosen = before[-1:] + inside if before else inside
    chords = [from_symbol(max(0.0, offset - start), figure, pcs) for offset, figure, pcs in chosen]
    return [Chord(0.0, c.root, c.quality, c.pitch_classes) if i == 0 else c for i, c in enumerate(chords)]


def _from_events(events: list, start: float, end: float, beats_per_bar: float) -> list[Chord]:
    """Chords from the pitches sounding in each bar, and inside a bar from each chord the part strikes on a
    beat (three notes or more at once), so an accompaniment that changes chord mid-bar keeps that rhythm.

    Each segment's chord is the template that best explains its pitches (weighted by overlap, the
    lowest sounding note as the bass); a segment with the chord before it adds no change, a silent one
    keeps the last chord. Linear in events + segments (a 100k-note score used to take a minute as
    bars × events): each event adds its exact overlap to the segments it starts and ends in, and
    counts for the whole segments in between.
    """
    times, struck = [], set()  # one pass over the events for their times and the chords struck on a beat
    for offset, duration, pitches in events:
        times.append((offset, duration))
        if len(pitches) >= 3 and start + 1e-6 < offset < end - 1e-6 and _on_a_beat(offset - start):
            struck.add(offset)
    starts = _segment_starts(struck, start, end, beats_per_bar)
    ends = starts[1:] + [end]
    spans = _spans(times, starts, ends)
    weights, lowest = _segment_weights(events, spans, starts, ends), _segment_lowest(events, spans, len(starts))
    chords, matched = [], {}  # segments repeat: each distinct (weights, bass) is matched to the templates once
    for segment, segment_weights, low in zip(starts, weights, lowest):
        key = (tuple(sorted(segment_weights.items())), low % 12 if low is not None else None)
        if key not in matched:
            matched[key] = best_chord(0.0, segment_weights, bass=key[1])
        chord = matched[key] and dataclasses.replace(matched[key], offset=segment - start)
        if chord is not None and (not chords or chord.name != chords[-1].name):
            chords.append(chord)
    if chords and chords[0].offset > 0:
        chords[0] = Chord(0.0, chords[0].root, chords[0].quality, chords[0].pitch_classes)
    return chords


def chords_per_beat(events: list, start: float, end: float) -> list[Chord]:
    """Chords from polyphonic ``events`` (offset, duration, [pitches]) one beat at a time: the chorale voices'
    harmony, which changes on almost every beat."""
    return _from_events(events, start, end, 1.0)


def primer_from_file(path, bars: int | None = None, melody_part: int | None = None) -> Piece:
    """The opening ``bars`` bars (default: all) of the melody of the first piece in ``path``, to start a
    solo with; a rest fills its last bar, so the solo goes on at the next bar line.

    Raises DataError for an unreadable file or an opening without notes.
    """
    score = parse_file(path)[0]
    pickup = (score.beats_per_bar - score.padding) % score.beats_per_bar  # a pickup bar comes with the bars asked for
    end = None if bars is None else min(score.length, pickup + bars * score.beats_per_bar)
    piece = select(score, melody_part, None, 0.0, end)
    bar_line = piece.bars * piece.beats_per_bar
    if piece.length < bar_line - 1e-6:
        piece.melody.append(Note(piece.length, bar_line - piece.length, None))
    return piece


def _segment_starts(struck: set[float], start: float, end: float, beats_per_bar: float) -> list[float]:
    """Bar lines (by repeated addition, as the bars have always been counted) and the ``struck`` onsets
    between them, in order."""
    bars, bar = [], start
    while bar < end - 1e-6:
        bars.append(bar)
        bar += beats_per_bar
    return list(heapq.merge(bars, sorted(o for o in struck if not _is_bar_line(o, bars))))


def _is_bar_line(offset: float, bars: list[float]) -> bool:
    index = bisect.bisect_left(bars, offset - 1e-6)
    return index < len(bars) and abs(bars[index] - offset) < 1e-6


def _on_a_beat(offset: float) -> bool:
    return abs(offset - round(offset)) < 1e-6


def _spans(times: list[tuple[float, float]], starts: list[float], ends: list[float]) -> list[tuple[int, int]]:
    """(first, last) index of the segments each (offset, duration) overlaps (first > last: none), by binary search.

    An event overlaps segment k when ``ends[k] > offset`` and ``starts[k] < offset + duration``.
    """
    import numpy as np

    times = np.array(times, dtype=np.float64).reshape(-1, 2)
    offsets, stops = times[:, 0], times[:, 0] + times[:, 1]
    first = np.searchsorted(np.asarray(ends, dtype=np.float64), offsets, side="right")
    last = np.searchsorted(np.asarray(starts, dtype=np.float64), stops, side="left") - 1
    return list(zip(first.tolist(), last.tolist()))


def _segment_weights(events: list, spans: list, starts: list[float], ends: list[float]) -> list[dict[int, float]]:
    """Pitch class → sounding duration, per segment."""
    weights: list[dict[int, float]] = [{} for _ in starts]
    inside = [[0] * 12 for _ in range(len(starts) + 1)]  # difference counts of the whole segments an event spans
    for (offset, duration, pitches), (first, last) in zip(events, spans):
        for k in {first, last} if first <= last else ():
            overlap = min(offset + duration, ends[k]) - max(offset, starts[k])
            for pitch in pitches:
                weights[k][pitch % 12] = weights[k].get(pitch % 12, 0.0) + overlap
        if last - first > 1:
            for pitch in pitches:
                inside[first + 1][pitch % 12] += 1
                inside[last][pitch % 12] -= 1
    running = [0] * 12
    for k, (begin, stop) in enumerate(zip(starts, ends)):
        running = [r + d for r, d in zip(running, inside[k])]
        for pc in (pc for pc in range(12) if running[pc]):
            weights[k][pc] = weights[k].get(pc, 0.0) + running[pc] * (stop - begin)
    return weights


def _segment_lowest(events: list, spans: list, segments: int) -> list[int | None]:
    """The lowest pitch sounding in each segment: a sweep with a heap of (lowest pitch, last segment)."""
    ordered = sorted((first, last, min(e[2])) for e, (first, last) in zip(events, spans) if first <= last)
    lowest: list[int | None] = []
    active: list[tuple[int, int]] = []
    next_span = 0
    for k in range(segments):
        while next_span < len(ordered) and ordered[next_span][0] <= k:
            _, last, low = ordered[next_span]
            heapq.heappush(active, (low, last))
            next_span += 1
        while active and active[0][1] < k:
            heapq.heappop(active)
        lowest.append(active[0][0] if active else None)
    return lowest
