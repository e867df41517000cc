import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_rnn.errors import DataError
from nlp_rnn.text import Tokenizer
from nlp_rnn.vocab import Vocabulary


@pytest.mark.parametrize(
    ("tokenizer", "text", "tokens"),
    [
        (Tokenizer("word"), "I love you!", ["I", "love", "you", "!"]),
        (Tokenizer("word", lower=True), "I LOVE you", ["i", "love", "you"]),
        (Tokenizer("word"), "don't stop", ["don't", "stop"]),
        (Tokenizer("word"), "café crème, s'il vous plaît", ["café", "crème", ",", "s'il", "vous", "plaît"]),
        (Tokenizer("word"), "lunch 🍴 at 12:30", ["lunch", "🍴", "at", "12", ":", "30"]),
        (Tokenizer("word"), "love ❤️ you", ["love", "❤️", "you"]),
        (Tokenizer("word"), "coder 👩‍💻 here", ["coder", "👩‍💻", "here"]),
        (Tokenizer("word", split_punctuation=False), "hi, there!", ["hi,", "there!"]),
        (Tokenizer("word"), "  \t\n ", []),
        (Tokenizer("char"), "añ😄", ["a", "ñ", "😄"]),
        (Tokenizer("char", lower=True), "AB c", ["a", "b", " ", "c"]),
        (Tokenizer("word"), "Привет, мир", ["Привет", ",", "мир"]),
    ],
)
def test_tokenizers(tokenizer, text, tokens):
    assert tokenizer(text) == tokens


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        (["hello", ",", "world", "!"], "hello, world!"),
        (["a", "<eos>", "b", "c"], "a\nb c"),
        (["(", "x", ")"], "(x)"),
    ],
)
def test_word_detokenize(tokens, text):
    assert Tokenizer("word").detokenize(tokens) == text


def test_char_round_trip():
    text = "Ünïcödé 😄\n\ttabs"
    tokenizer = Tokenizer("char")
    assert tokenizer.detokenize(tokenizer(text)) == text


def test_bad_level_is_rejected():
    with pytest.raises(ValueError):
        Tokenizer("sentence")


def test_vocabulary_specials_and_unknowns():
    vocab = Vocabulary(["b", "a"])
    assert vocab.index_to_token[:2] == ["<pad>", "<unk>"]
    assert vocab.pad_index == 0 and vocab.unk_index == 1 and vocab.eos_index is None
    assert vocab.encode(["a", "zzz", "b"]) == [3, 1, 2]
    assert vocab.decode([3, 1, 2, 0]) == ["a", "b"]
    assert vocab.decode([3, 1], skip_specials=False) == ["a", "<unk>"]


def test_vocabulary_build_orders_by_frequency_then_alphabet_with_caps():
    texts = [["b", "a", "c", "a"], ["c", "d", "a", "e"]]
    vocab = Vocabulary.build(texts, eos=True)
    assert vocab.index_to_token == ["<pad>", "<unk>", "<eos>", "a", "c", "b", "d", "e"]
    assert Vocabulary.build(texts, min_freq=2).index_to_token[2:] == ["a", "c"]
    assert len(Vocabulary.build(texts, max_size=4)) == 4


def test_vocabulary_reuses_unk_from_ptb_style_text():
    vocab = Vocabulary.build([["the", "<unk>", "cat", "<unk>"]])
    assert vocab.token_to_index["<unk>"] == 1
    assert len(vocab) == 4


def test_vocabulary_json_round_trip(tmp_path):
    vocab = Vocabulary.build([["😄", "é", "word", "<eos>"]], eos=True)
    path = tmp_path / "vocab.json"
    vocab.save(path)
    again = Vocabulary.load(path)
    assert again == vocab
    assert again.eos_index == 2
    assert again.encode(["😄"]) == vocab.encode(["😄"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf8", "not JSON"),
        (b"{broken", "not JSON"),
        (json.dumps({"tokens": ["a", "b"]}).encode(), "not a vocabulary"),
        (json.dumps({"tokens": ["<pad>", "<unk>", "x", "x"]}).encode(), "twice"),
    ],
)
def test_vocabulary_load_errors_name_the_file(tmp_path, content, message):
    path = tmp_path / "v.json"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as error:
        Vocabulary.load(path)
    assert str(path) in str(error.value)


def test_vocabulary_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such"):
        Vocabulary.load(tmp_path / "nope.json")


@settings(max_examples=300)
@given(st.lists(st.text(alphabet=st.sampled_from("aZé Σς'’.,!\n\t\r<>_1👩\u200d💻❤\ufe0f"), max_size=12), max_size=6),
       st.booleans(), st.booleans())
def test_lines_tokenizes_a_batch_in_one_pass_as_one_call_per_text_would(texts, lower, split_punctuation):
    tokenize = Tokenizer("word", lower=lower, split_punctuation=split_punctuation)
    expected = [token for text in texts for token in (*tokenize(text.replace("\n", " ")), "\n")]
    assert tokenize.lines(texts) == expected


def test_lines_is_for_words_only():
    with pytest.raises(ValueError, match="words only"):
        Tokenizer("char").lines(["abc"])
