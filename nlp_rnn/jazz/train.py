"""Training the improviser on the shared engine: token windows of length Tx, next token at every step."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import torch
import torch.nn.functional as F

from nlp_rnn import checkpoint, distributed
from nlp_rnn.devices import to_model
from nlp_rnn.errors import UserError
from nlp_rnn.jazz.context import CONTEXT_SIZE, context_tensor
from nlp_rnn.jazz.model import PITCH_CLASSES, JazzModel, JazzModelConfig
from nlp_rnn.jazz.piece import Piece
from nlp_rnn.jazz.stats import solo_stats
from nlp_rnn.jazz.tokens import TOKEN, duration_of, encode
from nlp_rnn.jazz.transpose import in_random_keys
from nlp_rnn.models.store import load_model
from nlp_rnn.seeding import seed_everything
from nlp_rnn.threads import one_thread
from nlp_rnn.training import Callback, Task, TrainConfig, Trainer
from nlp_rnn.vocab import EOS, Vocabulary

log = logging.getLogger(__name__)
MAX_SOURCE_NOTES = 5_000  # of the first piece's melody, kept with the model so a page can play it


@dataclass(frozen=True)
class JazzOptions:
    tokens: Literal["grammar", "pitch"] = "grammar"  # token scheme (see jazz.tokens)
    conditioning: Literal["chord", "none"] = "chord"  # feed the chord + beat each step, or the exercise's plain LSTM
    hidden: int = 64  # n_a
    layers: int = 1
    embed: int = 32
    dropout: float = 0.0
    context_dropout: float = 0.0  # chord-conditioned: hide a step's chord (and, apart, its beat) this often in training
    # chord-conditioned --tokens pitch: a learned weight per interval above the chord root (and for chord tones) added
    # to each pitch token's logit (jazz.model.ChordBias); "gated": those weights also follow the LSTM state
    chord_bias: Literal["none", "interval", "gated"] = "gated"
    # chord-conditioned --tokens pitch: the LSTM also reads each input note as an interval above the step's chord root
    # (jazz.model.NoteIntervals), so it learns scale-degree habits once for all keys
    note_intervals: bool = True
    window: int = 30  # Tx: tokens per training window
    epochs: int = 60
    lr: float = 0.01  # Adam, as in the exercise
    weight_decay: float = 0.0  # Adam's L2 penalty
    validation: float = 0.0  # share of each piece's tokens (its end) held apart to stop early on; 0: none
    patience: int = 5  # with validation: stop after this many epochs without a lower validation loss
    keys: int = 0  # learn each piece in this many random keys (jazz.transpose); 0: as written
    batch_size: int = 32
    max_steps: int | None = None  # stop after this many optimizer steps (1 = dry run)
    max_minutes: float | None = None
    seed: int = 0
    device: str | None = None  # where to train (see nlp_rnn.devices); None: $NLP_RNN_DEVICE, else auto
    precision: str = "fp32"  # fp32 | bf16 | fp16


class WindowTask(Task):
    """All windows of ``window + 1`` tokens (stride 1) over the pieces' token streams, shuffled per epoch;
    the validation loss over held-apart streams."""

    def __init__(self, tokens: torch.Tensor, context: torch.Tensor | None, window: int, batch_size: int, seed: int,
                 held_apart: list[tuple[torch.Tensor, torch.Tensor | None]] = ()):
        self.held_apart = list(held_apart)  # (tokens, context) streams scored by ``evaluate``
        starts = torch.arange(0, max(1, len(tokens) - window))
        span = torch.arange(window + 1)
        self.tokens = tokens[starts[:, None] + span]  # (windows, window + 1)
        self.context = context[starts[:, None] + span[:-1]] if context is not None else None  # (windows, window, C)
        self.batch_size, self.seed = batch_size, seed

    def train_batches(self, epoch: int) -> list:
        order = torch.randperm(len(self.tokens), generator=torch.Generator().manual_seed(self.seed * 1_000 + epoch))
        return [(self.tokens[rows], self.context[rows] if self.context is not None else None)
                for rows in order.split(self.batch_size)]

    def train_step(self, model, batch) -> tuple[torch.Tensor, int]:
        tokens, context = batch
        logits, _ = model(tokens[:, :-1], context)
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), tokens[:, 1:].reshape(-1)), tokens[:, 1:].numel()

    def evaluate(self, model) -> dict[str, float]:
        """The mean next-token loss over the held-apart ends of the pieces, each run whole (none: {})."""
        if not self.held_apart:
            return {}
        total, count = 0.0, 0  # the Trainer evaluates in eval mode, without gradients
        for tokens, context in self.held_apart:
            tokens, context = to_model(model, (tokens, context))
            logits, _ = model(tokens[None, :-1], None if context is None else context[None, :-1])
            total += float(F.cross_entropy(logits[0], tokens[1:], reduction="sum"))
            count += len(tokens) - 1
        return {"val_loss": total / count}


def token_streams(pieces: list[Piece], scheme: str) -> list[list[str]]:
    """Each piece's tokens after an ``<eos>`` that marks where a piece starts."""
    return [[EOS] + encode(piece.melody, piece.chords, scheme) for piece in pieces]


def stream_tensors(pieces: list[Piece], streams: list[list[str]], vocabulary: Vocabulary,
                   conditioned: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Token indices of all streams end to end, and the context of the note each position predicts."""
    ids, contexts = [], []
    for piece, stream in zip(pieces, streams):
        ids += vocabulary.encode(stream)
        if conditioned:
            onsets, offset = [], 0.0
            for token in stream:
                offset += duration_of(token)
                onsets.append(offset)  # where the next note starts
            contexts.append(context_tensor(piece.chords, onsets, piece.beats_per_bar))
    return torch.tensor(ids), (torch.cat(contexts) if conditioned else None)


def split_streams(pieces: list[Piece], streams: list[list[str]], vocabulary: Vocabulary, conditioned: bool,
                  share: float) -> tuple[torch.Tensor, torch.Tensor | None, list]:
    """Training tokens and context end to end, and each piece's last ``share`` of tokens held apart (with its
    context) for validation; pieces too short to spare 2 tokens are all training."""
    train_rows, held_apart = [], []
    for piece, stream in zip(pieces, streams):
        ids, context = stream_tensors([piece], [stream], vocabulary, conditioned)
        cut = len(ids) - int(len(ids) * share)
        if share > 0 and len(ids) - cut >= 2 and cut >= 2:
            held_apart.append((ids[cut:], None if context is None else context[cut:]))
            ids, context = ids[:cut], None if context is None else context[:cut]
        train_rows.append((ids, context))
    tokens = torch.cat([ids for ids, _ in train_rows])
    return tokens, torch.cat([c for _, c in train_rows]) if conditioned else None, held_apart


def token_pitch_classes(vocabulary: Vocabulary) -> str:
    """JazzModelConfig.pitch_classes: each token's MIDI pitch class in hex, "." for rests, specials and grammar
    tokens ("" when no token has a pitch)."""
    matches = [TOKEN.match(token) for token in vocabulary.index_to_token]
    classes = "".join(PITCH_CLASSES[int(m.group("pitch")) % 12] if m and m.group("pitch") else "." for m in matches)
    return classes if classes.strip(".") else ""


def register(pieces: list[Piece]) -> list[int]:
    """The pitch range the solo should keep to: the training melodies' 5th to 95th percentile, at least 1.5 octaves."""
    pitches = sorted(n.pitch for piece in pieces for n in piece.melody if n.pitch is not None)
    low, high = pitches[len(pitches) // 20], pitches[-1 - len(pitches) // 20]
    spread = max(0, 18 - (high - low))
    return [low - spread // 2, high + spread - spread // 2]


def pitch_range(pieces: list[Piece]) -> list[int]:
    """The lowest and highest pitch of the training melodies (the default solo register)."""
    pitches = [n.pitch for piece in pieces for n in piece.melody if n.pitch is not None]
    return [min(pitches), max(pitches)]


def train(options: JazzOptions, pieces: list[Piece], out_dir: str | Path | None, sources: list[str] | None = None,
          callbacks: list[Callback] = (), progress: bool = True,
          resume: bool = False) -> tuple[JazzModel, Vocabulary, list[dict]]:
    """Train on ``pieces``; with ``out_dir`` the model, its vocabulary and the source chords are saved there.

    ``resume`` continues the run saved in ``out_dir`` exactly (same options and music: the same
    weights as one uninterrupted run); it raises DataError when there is no run to continue.
    """
    source_pieces, pieces = pieces, in_random_keys(pieces, options.keys, options.seed)
    streams = token_streams(pieces, options.tokens)
    if sum(len(s) for s in streams) < options.window + 2:
        raise UserError(f"only {sum(len(s) - 1 for s in streams)} notes to learn from; need at least {options.window + 1} "
                        "(widen --start/--end or add MIDI files)")
    vocabulary = Vocabulary.build(streams, eos=True)
    if resume and out_dir is not None and checkpoint.exists(out_dir):
        vocabulary = load_model(out_dir, kind="jazz").vocabulary  # the run's own token order
    conditioned = options.conditioning == "chord"
    tokens, context, held_apart = split_streams(pieces, streams, vocabulary, conditioned, options.validation)
    seed_everything(options.seed)
    model = JazzModel(JazzModelConfig(vocab_size=len(vocabulary), embed_dim=options.embed, hidden_size=options.hidden,
                                      num_layers=options.layers, dropout=options.dropout,
                                      context_size=CONTEXT_SIZE if conditioned else 0,
                                      context_dropout=options.context_dropout if conditioned else 0.0,
                                      pitch_classes=token_pitch_classes(vocabulary) if conditioned
                                      and (options.chord_bias != "none" or options.note_intervals) else "",
                                      chord_bias=options.chord_bias != "none",
                                      chord_bias_gate=options.chord_bias == "gated",
                                      note_intervals=options.note_intervals))
    task = WindowTask(tokens, context, options.window, options.batch_size, options.seed, held_apart)
    config = TrainConfig(epochs=options.epochs, max_steps=options.max_steps, max_minutes=options.max_minutes,
                         optimizer="adam", lr=options.lr, weight_decay=options.weight_decay,
                         monitor="val_loss" if held_apart else "train_loss",
                         early_stopping_patience=options.patience if held_apart else None, seed=options.seed,
                         progress=progress, device=options.device, precision=options.precision)
    first = source_pieces[0]  # what the page plays beside the solo, in its own key
    info = {"vocabulary": vocabulary, "extra": {
        "options": asdict(options), "sources": sources or [], "beats_per_bar": first.beats_per_bar,
        "tempo": first.tempo, "chords": [[c.offset, c.root, c.quality, list(c.pitch_classes)] for c in first.chords],
        "source_bars": first.bars, "notes": sum(len(s) - 1 for s in streams), "register": register(source_pieces),
        "pitch_range": pitch_range(source_pieces), "source_stats": solo_stats(first),
        "source_melody": [[n.offset, n.duration, n.pitch] for n in first.melody[:MAX_SOURCE_NOTES]]}}
    trainer = Trainer(model, task, config, out_dir, model_info=info, callbacks=callbacks)
    if distributed.resuming(resume, out_dir):  # asked to, or restarted by the launcher after a failure
        trainer.resume()
    with one_thread():  # a 64-unit LSTM: measured 28.7 s on one thread, over 90 s on two, on the shared machine
        history = trainer.fit()
    log.info("trained on %d tokens, vocabulary %d", len(tokens), len(vocabulary))
    return model.eval(), vocabulary, history
