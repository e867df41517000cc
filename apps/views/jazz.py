"""Jazz: improvise a solo over chords, listen, compare it with the source, download the MIDI; train on your own MIDI."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from support import LiveTraining, jazz_model, session_dir, show_error, use_session_model
from uploads import saved_upload

from nlp_rnn.errors import UserError
from nlp_rnn.jazz.export import piano_roll, render_wav, write_midi
from nlp_rnn.jazz.harmony import parse_chords
from nlp_rnn.jazz.improvise import improvise
from nlp_rnn.jazz.parse import FORMATS, parse_file
from nlp_rnn.jazz.piece import select
from nlp_rnn.jazz.stats import solo_stats
from nlp_rnn.jazz.train import JazzOptions, train

st.title("Jazz improvisation")
model_dir = st.session_state.get("jazz_model_dir")
improviser = jazz_model(model_dir)
sources = ", ".join(Path(s).name for s in improviser.extra.get("sources", []))
st.caption(f"Model: {'trained in this session' if model_dir else 'default'} on {sources}; "
           f"{len(improviser.vocabulary)} tokens ({improviser.extra['options']['tokens']}), "
           f"conditioning: {improviser.extra['options']['conditioning']}")
generate_tab, train_tab = st.tabs(["Improvise", "Train on your MIDI"])


def solo_files(solo, tempo: int) -> tuple[bytes, bytes, str]:
    with tempfile.TemporaryDirectory() as work:
        midi = write_midi(solo, Path(work) / "solo.mid", tempo=tempo)
        renderer = render_wav(midi, Path(work) / "solo.wav")
        return midi.read_bytes(), (Path(work) / "solo.wav").read_bytes(), renderer


with generate_tab:
    left, middle, right = st.columns(3)
    bars = left.number_input("Bars", 1, 128, 16, key="jazz_bars")
    temperature = middle.slider("Temperature", 0.0, 2.0, 1.0, 0.05, key="jazz_temperature")
    seed = right.number_input("Seed", 0, 2**31 - 1, 0, key="jazz_seed")
    chords_text = st.text_input("Chords, one per bar (empty: the source's progression)", "", key="jazz_chords",
                                placeholder="Cmaj7 Am7 Dm7 G7")
    tempo = st.slider("Tempo (beats per minute)", 40, 280, int(improviser.extra.get("tempo") or 130), key="jazz_tempo")
    if st.button("Improvise", key="jazz_generate", type="primary"):
        try:
            chords = parse_chords(chords_text) if chords_text.strip() else None
            solo = improvise(improviser, int(bars), chords, temperature, int(seed))
            midi, wav, renderer = solo_files(solo, tempo)
            st.session_state["jazz_solo"] = (solo, midi, wav, renderer)
        except UserError as error:
            show_error(error)
    if "jazz_solo" in st.session_state:
        solo, midi, wav, renderer = st.session_state["jazz_solo"]
        st.audio(wav, format="audio/wav")
        st.caption(f"Audio rendered with {renderer} and the General MIDI SoundFont that ships with pretty_midi.")
        st.download_button("Download MIDI", midi, file_name="solo.mid", mime="audio/midi", key="jazz_download",
                           on_click="ignore")
        st.pyplot(piano_roll(solo, "Generated solo"), clear_figure=False)
        rows = {"generated": solo_stats(solo), "source": improviser.extra.get("source_stats", {})}
        shown = [k for k in rows["generated"] if k not in ("chords", "chord_source")]
        st.dataframe(pd.DataFrame({name: [str(stats.get(k, "")) for k in shown] for name, stats in rows.items()},
                                  index=shown), key="jazz_stats")

with train_tab:
    upload = st.file_uploader("A MIDI, MusicXML or ABC file", type=[k.lstrip(".") for k in FORMATS], key="jazz_upload")
    if upload is not None:
        saved = saved_upload(upload, "jazz")
        try:
            score = parse_file(saved.path)[0]
        except UserError as error:
            show_error(error, saved)
        else:
            names = [f"{i}: {p.name or 'part'} ({len(p.events)} notes)" for i, p in enumerate(score.parts)
                     if not p.percussion and p.events]
            indices = [int(n.split(":")[0]) for n in names]
            melody = st.selectbox("Melody part", ["automatic"] + names, key="jazz_melody_part")
            chords = st.selectbox("Chord part", ["automatic"] + names, key="jazz_chord_part")
            left, right = st.columns(2)
            start = left.number_input("Start (quarter notes)", 0.0, float(score.length), 0.0, key="jazz_start")
            end = right.number_input("End (quarter notes)", 0.0, float(score.length), float(score.length), key="jazz_end")
            epochs = st.number_input("Epochs", 1, 500, 40, key="jazz_epochs")
            if st.button("Train", key="jazz_train"):
                pick = {n: i for n, i in zip(names, indices)}
                try:
                    piece = select(score, pick.get(melody), pick.get(chords), start, end)
                    st.pyplot(piano_roll(piece, "Source melody"))
                    live = LiveTraining(int(epochs), ["train_loss"])
                    out = session_dir("jazz-session-")
                    train(JazzOptions(epochs=int(epochs)), [piece], out, sources=[upload.name], callbacks=[live], progress=False)
                except UserError as error:
                    show_error(error, saved)
                else:
                    use_session_model("jazz_model_dir", out)
                    st.session_state.pop("jazz_solo", None)
                    st.success(f"Trained on {upload.name}; the Improvise tab now uses this model.")
