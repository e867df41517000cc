"""Jazz: improvise a solo over chords (or after a primer phrase), listen to it beside its source, read it as a
score, compare their statistics, download MIDI and MusicXML; train on your own score file."""

import threading
import time
from pathlib import Path

import pandas as pd
import streamlit as st
from first_visit import waiting
from runs import TrainingRun, show_flash
from support import LiveTraining, jazz_model, model_exchange, session_dir, show_error
from uploads import saved_upload

from nlp_rnn.errors import UserError
from nlp_rnn.jazz.engrave import score_svg
from nlp_rnn.jazz.export import piano_roll
from nlp_rnn.jazz.harmony import parse_progression
from nlp_rnn.jazz.improvise import SoloOptions, improvise
from nlp_rnn.jazz.media import solo_media
from nlp_rnn.jazz.parse import FORMATS, parse_file
from nlp_rnn.jazz.piece import primer_from_file, select
from nlp_rnn.jazz.stats import labelled, solo_stats
from nlp_rnn.jazz.train import JazzOptions, train

SCORE_TYPES = [k.lstrip(".") for k in FORMATS]
WIDGETS = {"--melody-part": "Melody part", "--chord-part": "Chord part", "--start": "Start", "--end": "End",
           "--primer": "Primer", "--bars": "Bars"}


def parsed(path: Path, name: str):
    """``parse_file(path)`` in a worker thread while the page shows the time so far (music21 takes up to ~20 s
    for a big MIDI file the first time; the result is cached by content, so a second upload is instant)."""
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(value=_attempt(parse_file, path)), daemon=True)
    worker.start()
    with st.status(f"Reading {name} …", expanded=False) as status:
        started = time.monotonic()
        while worker.is_alive():
            worker.join(0.5)
            status.update(label=f"Reading {name} with music21 … {time.monotonic() - started:.0f} s")
        status.update(label=f"Read {name} in {time.monotonic() - started:.1f} s", state="complete")
    if isinstance(result["value"], UserError):
        raise result["value"]
    return result["value"]


def _attempt(function, *args):
    try:
        return function(*args)
    except UserError as error:
        return error


st.title("Jazz improvisation")
show_flash()
model_dir = st.session_state.get("jazz_model_dir")
improviser = jazz_model(model_dir)  # None while the default model trains (first use: a panel above says so)
if improviser is not None:
    sources = ", ".join(Path(s).name for s in improviser.extra.get("sources", []))
    st.caption(f"Model: {'trained in this session' if model_dir else 'default'} on {sources}; "
               f"{len(improviser.vocabulary)} tokens ({improviser.extra['options']['tokens']}), "
               f"conditioning: {improviser.extra['options']['conditioning']}")
else:
    st.caption("Model: default (music21's lead sheets and reels), training now")
model_exchange("jazz", "jazz_model_dir")
generate_tab, train_tab = st.tabs(["Improvise", "Train on your MIDI"], key="jazz_tabs")


def source_media(model_key: str):
    """The source window's audio, rendered once per model and session."""
    cached = st.session_state.get("jazz_source_media")
    if cached is None or cached[0] != model_key:
        source = improviser.source_piece()
        cached = (model_key, solo_media(source) if source is not None else None)
        st.session_state["jazz_source_media"] = cached
    return cached[1]


def solo_inputs():
    left, middle, right = st.columns(3)
    bars = left.number_input("Bars", 1, 128, 16, key="jazz_bars")
    temperature = middle.slider("Temperature", 0.0, 2.0, 1.0, 0.05, key="jazz_temperature")
    seed = right.number_input("Seed", 0, 2**31 - 1, 0, key="jazz_seed")
    chords = st.text_input("Chords, looped (empty: the source's progression)", "", key="jazz_chords",
                           placeholder="for example  Cmaj7:2 Am7:2 Dm7 G7",
                           help="Chord symbols, each with its length in beats after a colon; a chord without a "
                                "length fills the rest of its bar.")
    tempo = st.slider("Tempo (beats per minute)", 40, 280, int(improviser.extra.get("tempo") or 130), key="jazz_tempo")
    left, right = st.columns(2)
    guide = left.toggle("Harmony guide", key="jazz_guide",
                        help="Per bar, keep the best of 8 samples by how well its strong-beat notes fit the chord.")
    cleanup = right.selectbox("Clean-up", ["data", "exercise"], key="jazz_cleanup",
                              format_func={"data": "as the training music (range, repeated notes)",
                                           "exercise": "the classic exercise (narrower range, no repeats)"}.get)
    left, right = st.columns([3, 1])
    primer = left.file_uploader("Start from a phrase (optional)", type=SCORE_TYPES, key="jazz_primer")
    primer_bars = right.number_input("Primer bars", 1, 64, 2, key="jazz_primer_bars")
    return bars, temperature, seed, chords, tempo, guide, cleanup, primer, primer_bars


def make_solo(bars, temperature, seed, chords_text, tempo, guide, cleanup, primer_upload, primer_bars) -> None:
    primer_file = saved_upload(primer_upload, "jazz-primer") if primer_upload is not None else None
    try:
        chords = parse_progression(chords_text, improviser.beats_per_bar, what="Chords box") \
            if chords_text.strip() else None
        primer = primer_from_file(primer_file.path, int(primer_bars)) if primer_file else None
        options = SoloOptions(primer=primer, cleanup=cleanup, guide="harmony" if guide else "none", tempo=tempo)
        solo = improvise(improviser, int(bars), chords, temperature, int(seed), options=options)
        st.session_state["jazz_solo"] = (solo, solo_media(solo), score_svg(solo))
    except UserError as error:
        show_error(error, primer_file, widgets=WIDGETS)


def show_solo(model_key: str) -> None:
    solo, media, pages = st.session_state["jazz_solo"]
    source = source_media(model_key)
    left, right = st.columns(2)
    left.markdown("**Solo**")
    left.audio(media.wav, format="audio/wav")
    right.markdown(f"**Source** ({sources.split(', ')[0] if sources else 'training music'})")
    if source is not None:
        right.audio(source.wav, format="audio/wav")
    else:
        right.caption("This model was trained before models kept their source; retrain it to hear the source.")
    st.caption(f"Audio rendered with {media.renderer} and the General MIDI SoundFont that ships with pretty_midi.")
    score, roll = st.columns(2)
    for page in pages:
        score.image(page, caption="Lead sheet (engraved by verovio)" if page is pages[0] else None,
                    width="stretch")
    roll.pyplot(piano_roll(solo, "Piano roll"), clear_figure=False)
    left, right = st.columns(2)
    left.download_button("Download MIDI", media.midi, file_name="solo.mid", mime="audio/midi", key="jazz_download",
                         on_click="ignore")
    right.download_button("Download MusicXML", media.musicxml, file_name="solo.musicxml",
                          mime="application/vnd.recordare.musicxml+xml", key="jazz_download_musicxml", on_click="ignore")
    table = {"Solo": labelled(solo_stats(solo)), "Source": labelled(improviser.extra.get("source_stats", {}))}
    st.dataframe(pd.DataFrame(table), key="jazz_stats")


with generate_tab:
    if improviser is None:
        waiting("jazz")
    else:
        inputs = solo_inputs()
        if st.button("Improvise", key="jazz_generate", type="primary"):
            make_solo(*inputs)
        if "jazz_solo" in st.session_state:
            show_solo(model_dir or "default")

with train_tab:
    upload = st.file_uploader("A MIDI, MusicXML or ABC file", type=SCORE_TYPES, key="jazz_upload")
    if upload is not None:
        saved = saved_upload(upload, "jazz")
        try:
            score = parsed(saved.path, saved.name)[0]
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
                out = session_dir("jazz-session-")
                with TrainingRun("jazz_model_dir", out, "jazz_stop") as run:
                    try:
                        piece = select(score, pick.get(melody), pick.get(chords), start, end)
                        st.pyplot(piano_roll(piece, "Source melody"))
                        live = LiveTraining(int(epochs), ["train_loss"])
                        train(JazzOptions(epochs=int(epochs)), [piece], out, sources=[saved.name],
                              callbacks=[run.stop, live], progress=False)
                    except UserError as error:
                        show_error(error, saved, widgets=WIDGETS)
                    else:
                        st.session_state.pop("jazz_solo", None)
                        run.done(f"Trained on {saved.name}; the Improvise tab now uses this model.")
