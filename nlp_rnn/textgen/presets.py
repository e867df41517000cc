"""Named configurations from the literature."""

from __future__ import annotations


def zaremba(lr: float, clip: float, bptt: int) -> dict:
    """Zaremba et al.'s SGD settings in this engine's units.

    Their loss is summed over the ``bptt`` steps of a window (and averaged over the batch); ours is
    the mean per token, so our gradient is theirs / bptt. Learning rate × bptt and clip / bptt give
    exactly their update (pytorch's word_language_model uses lr 20, clip 0.25 for the same reason).
    """
    return dict(bptt=bptt, lr=lr * bptt, clip=clip / bptt)


# Zaremba, Sutskever & Vinyals 2014, "Recurrent Neural Network Regularization", small and
# medium PTB models (PTB is pre-tokenized: split on whitespace only); char-small is char-rnn's default (Karpathy 2015).
PRESETS: dict[str, dict] = {
    "ptb-small": dict(level="word", split_punctuation=False, cell="lstm", layers=2, hidden=200, embed=200,
                      dropout=0.0, batch_size=20, optimizer="sgd", lr_decay=0.5, lr_decay_start=4, epochs=13,
                      init_range=0.1, **zaremba(lr=1.0, clip=5.0, bptt=20)),
    "ptb-medium": dict(level="word", split_punctuation=False, cell="lstm", layers=2, hidden=650, embed=650, dropout=0.5,
                       batch_size=20, optimizer="sgd", lr_decay=0.8, lr_decay_start=6, epochs=39, init_range=0.05,
                       **zaremba(lr=1.0, clip=5.0, bptt=35)),
    "char-small": dict(level="char", cell="lstm", layers=2, hidden=128, embed=128, dropout=0.0, bptt=50, batch_size=50,
                       optimizer="adam", lr=2e-3, lr_decay=1.0, lr_decay_start=0, epochs=20, clip=5.0, init_range=None),
}
DEFAULT_PRESET = {"char": "char-small", "word": "ptb-small"}
