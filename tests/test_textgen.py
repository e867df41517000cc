"""Text generation: corpora, vocabularies, training from the CLI, evaluation, sampling."""

import gzip
import json

import pytest
import torch

from nlp_rnn.cli.main import main
from nlp_rnn.errors import DataError
from nlp_rnn.text import Tokenizer
from nlp_rnn.textgen.corpus import read_text
from nlp_rnn.textgen.data import build_vocabulary, split_tail, tokenize_corpus
from nlp_rnn.textgen.generation import generate_text
from nlp_rnn.textgen.pipeline import TextOptions, load_text_model, train_text
from nlp_rnn.textgen.presets import PRESETS

TEXT = "the cat sat on the mat .\nthe dog sat on the log .\n" * 60


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT)
    return path


def test_corpus_formats(tmp_path, corpus):
    (tmp_path / "c.txt.gz").write_bytes(gzip.compress(TEXT.encode()))
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text("first part")
    (folder / "b.txt").write_text("second part")
    assert read_text(corpus) == TEXT == read_text(tmp_path / "c.txt.gz")
    assert read_text(folder) == "first part\nsecond part"
    assert "bushfire" in read_text("lee")


@pytest.mark.parametrize(("content", "message", "line"), [(b"ok\n\xff bad\n", "not UTF-8", 2), (b"  \n", "empty", None)])
def test_bad_corpora_name_file_and_line(tmp_path, content, message, line):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as error:
        read_text(path)
    assert error.value.line == line
    with pytest.raises(DataError, match="no such corpus"):
        read_text(tmp_path / "missing.txt")


def test_word_level_follows_the_ptb_convention():
    tokens = tokenize_corpus(" the <unk> fell\n\nup 3 %\n", Tokenizer("word", split_punctuation=False))
    assert tokens == ["the", "<unk>", "fell", "<eos>", "up", "3", "%", "<eos>"]
    vocab = build_vocabulary(tokens * 3 + ["rare"], "word", min_freq=2)
    assert vocab.eos_index == 2 and "rare" not in vocab and vocab.encode(["rare"]) == [1]
    assert len(build_vocabulary(tokens, "word", max_size=5)) == 5


def test_split_tail_is_deterministic_and_off_the_end():
    train, valid = split_tail(list("abcdefghij"), 0.1)
    assert train == list("abcdefghi") and valid == ["j"]


def test_presets_match_the_papers():
    small = PRESETS["ptb-small"]
    assert (small["layers"], small["hidden"], small["bptt"], small["batch_size"], small["epochs"]) == (2, 200, 20, 20, 13)
    # the paper's lr 1 and clip 5 on a loss summed over 20 steps, in our per-token-mean units
    assert (small["lr"], small["lr_decay"], small["lr_decay_start"], small["clip"], small["init_range"]) == (20.0, 0.5, 4,
                                                                                                           0.25, 0.1)
    medium = PRESETS["ptb-medium"]
    assert (medium["hidden"], medium["bptt"], medium["dropout"], medium["lr_decay"], medium["epochs"]) == (650, 35, 0.5,
                                                                                                          0.8, 39)
    char = PRESETS["char-small"]
    assert (char["layers"], char["hidden"], char["bptt"], char["batch_size"], char["lr"]) == (2, 128, 50, 50, 2e-3)


def test_zaremba_units_give_the_papers_update():
    """SGD on the mean per-token loss with zaremba()'s lr and clip = the paper's step on the loss summed over time."""
    import torch.nn.functional as F

    from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
    from nlp_rnn.textgen.presets import zaremba

    tokens = torch.randint(0, 30, (4, 21), generator=torch.Generator().manual_seed(0))
    updated = []
    for reduction, settings_ in (("sum_over_time", dict(lr=1.0, clip=5.0)), ("mean", zaremba(lr=1.0, clip=5.0, bptt=20))):
        torch.manual_seed(0)
        model = LanguageModel(LanguageModelConfig(vocab_size=30, embed_dim=8, hidden_size=8, num_layers=2, init_range=0.5))
        logits, _ = model(tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 30), tokens[:, 1:].reshape(-1))
        (loss * 20 if reduction == "sum_over_time" else loss).backward()  # sum over 20 steps, mean over the batch
        torch.nn.utils.clip_grad_norm_(model.parameters(), settings_["clip"])
        torch.optim.SGD(model.parameters(), lr=settings_["lr"]).step()
        updated.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    torch.testing.assert_close(updated[0], updated[1])


@pytest.fixture(scope="module")
def word_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("lm") / "word"
    path = out.parent / "corpus.txt"
    path.write_text(TEXT)
    options = TextOptions(corpus=str(path), test=str(path), level="word",
                          overrides=(("hidden", 32), ("embed", 32), ("epochs", 4), ("batch_size", 4), ("bptt", 10),
                                     ("lr", 0.01), ("optimizer", "adam")))
    model, history, test = train_text(options, out, progress=False)
    return out, model, history, test


def test_word_model_learns_and_reports_test_perplexity(word_model):
    _, _, history, test = word_model
    assert history[-1]["val_perplexity"] < history[0]["val_perplexity"]
    assert test["perplexity"] < 4 and "bits_per_char" not in test  # 9-word vocabulary, very predictable text


def test_generation_is_seeded_joins_words_and_handles_unknown_primes(word_model):
    _, model, _, _ = word_model
    first = generate_text(model, "the cat", 20, seed=5, num=2)
    assert first == generate_text(model, "the cat", 20, seed=5, num=2) and len(first) == 2
    assert first[0].startswith("the cat ")
    assert "<eos>" not in first[0] and "\n" in first[0]  # <eos> becomes a line break
    assert ".\n" in first[0] and " ." not in first[0]  # punctuation hugs its word
    assert generate_text(model, "zebras quantum", 5, seed=1)[0].startswith("zebras quantum")
    assert generate_text(model, "", 5, seed=1, temperature=0)[0]


def test_cli_train_dry_run_resume_evaluate_generate(tmp_path, corpus, capsys):
    out = tmp_path / "char"
    common = ["text", "train", "--corpus", str(corpus), "--level", "char", "--layers", "1", "--hidden", "16",
              "--embed", "16", "--batch-size", "4", "--bptt", "10", "--epochs", "2", "--out", str(out)]
    assert main(common + ["--max-steps", "1"]) == 0
    assert main(common + ["--resume"]) == 0
    assert "2 epochs" in capsys.readouterr().out
    assert main(["text", "evaluate", "--model", str(out), "--corpus", str(corpus), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"perplexity", "cross_entropy", "bits_per_char", "tokens"}
    assert result["tokens"] == len(TEXT) - 1
    assert main(["text", "generate", "--model", str(out), "--prime", "the ñ", "--length", "30", "--seed", "2",
                 "--top-k", "5", "--top-p", "0.9"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("the ñ") and len(text.strip()) >= 30


@pytest.mark.parametrize("args", [["--corpus", "missing.txt"], ["--corpus", "CORPUS", "--tied", "--hidden", "8"],
                                  ["--corpus", "CORPUS", "--resume"]])
def test_cli_errors_are_one_line(tmp_path, corpus, args, capsys):
    args = [str(corpus) if a == "CORPUS" else a for a in args]
    assert main(["text", "train", *args, "--max-steps", "1", "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nlp-rnn: error:")


def test_loading_what_is_not_a_language_model(tmp_path):
    from nlp_rnn.models.classifier import Classifier, ClassifierConfig
    from nlp_rnn.models.store import save_model

    save_model(tmp_path, Classifier(ClassifierConfig(vocab_size=5, embed_dim=2, hidden_size=2)))
    with pytest.raises(DataError, match="not a language_model"):
        load_text_model(tmp_path)


def test_the_word_default_is_ptb_small_with_a_35_step_window():
    """No preset named at word level: ptb-small's model and SGD (Zaremba units rescaled for the window), bptt 35."""
    from nlp_rnn.textgen.pipeline import settings

    word, small = settings(TextOptions(level="word")), PRESETS["ptb-small"]
    assert word["bptt"] == 35 and word["lr"] == 35.0 and word["clip"] == 5.0 / 35
    assert {k: v for k, v in word.items() if k not in ("bptt", "lr", "clip")} == \
        {k: v for k, v in small.items() if k not in ("bptt", "lr", "clip")}


def test_ptb_text_keeps_its_tokens():
    """PTB is pre-tokenized: `<unk>` and `'s` stay single tokens, so perplexities compare with the literature."""
    from nlp_rnn.textgen.pipeline import settings

    assert Tokenizer("word")("the <unk> fell") == ["the", "<unk>", "fell"]
    split = settings(TextOptions(level="word", preset="ptb-small"))["split_punctuation"]
    tokens = tokenize_corpus("the company 's <unk> rose N %\n", Tokenizer("word", split_punctuation=split))
    assert tokens == ["the", "company", "'s", "<unk>", "rose", "N", "%", "<eos>"]


def test_the_500th_pick_costs_one_model_step_like_the_first(word_model):
    from nlp_rnn.textgen.generation import NextTokenPicker

    _, model, _, _ = word_model
    fed = []
    hook = model.model.embedding.register_forward_hook(lambda module, args, out: fed.append(args[0].numel()))
    try:
        picker = NextTokenPicker(model, "the cat")
        for _ in range(500):
            picker.pick(picker.candidates(k=1)[0][0])
    finally:
        hook.remove()
    assert fed == [2] + [1] * 500  # the prime once, then one token per pick
    assert picker.text == generate_text(model, "the cat", 500, temperature=0)[0]  # greedy picks = greedy sampling


def test_generate_streams_its_output_before_it_ends(tmp_path, word_model, capsys):
    """--length 1e9 prints at once: the output is written as it is sampled, never drawn whole first."""
    import sys

    out, _, _, _ = word_model

    class Enough(Exception):
        pass

    class FirstWords:
        def __init__(self):
            self.text = ""

        def write(self, piece):
            self.text += piece
            if len(self.text) > 200:
                raise Enough

        def flush(self):
            pass

    stdout, sys.stdout = sys.stdout, FirstWords()
    try:
        with pytest.raises(Enough):
            main(["text", "generate", "--model", str(out), "--length", "1000000000", "--seed", "3"])
        written = sys.stdout.text
    finally:
        sys.stdout = stdout
    assert written.startswith(generate_text(load_text_model(out), "", 30, seed=3)[0][:100])
