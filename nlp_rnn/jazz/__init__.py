"""Jazz improvisation: MIDI/MusicXML/ABC → chords + melody → abstract note tokens → LSTM → new solo → MIDI/WAV."""
