"""What every input is bounded by, in one place (the README's "Inputs and bounds" lists them).

Kept free of heavy imports: the CLI's parsers read these while building ``--help``.
"""

from __future__ import annotations

SEED_MAX = 2**63 - 1  # torch.manual_seed takes a signed 64-bit seed; numpy gets seed % 2**32
MAX_QUARTERS = 20_000  # score length in quarter notes (about 2¾ hours at 120 bpm), any format, and --start/--end
# MusicXML and ABC, counted on the raw text before music21 reads them (its readers are quadratic in a part's
# notes: python -m bench.score_read, MusicXML 10,000 in 3.7 s, 20,000 in 14.7 s); 10,000 bars: 20,000 quarters in 2/4
MAX_SCORE_NOTES, MAX_SCORE_BARS = 10_000, 10_000
MAX_MIDI_NOTES = 20_000  # MIDI's note-ons, counted before music21 reads the file (the Metheny MIDI holds 12,962)
# MIDI stores a tempo as microseconds per quarter note in 3 bytes (at most 16,777,215, i.e. ≥ 3.6 bpm);
# outside 20-400 bpm a solo is either hours long or a blur, so that is the range we write.
MIN_TEMPO, MAX_TEMPO = 20, 400
MIDI_TEMPO_FIELD_MAX = 2**24 - 1  # microseconds per quarter note
MAX_SENTENCE_TOKENS = 1_000  # emojify: a longer sentence is classified on its first 1,000 tokens and flagged
MAX_CORPUS_MB = 500  # text corpora: MB of text after decompression (default of --max-corpus-mb)
MAX_DELAY = 1_000  # lab compare: steps between the signal and the answer
MAX_WINDOW = 10_000  # lab series / jazz train windows
MAX_WINDOW_VALUES = 20_000_000  # lab series: values × window, all windows held at once (about 12 bytes each)
