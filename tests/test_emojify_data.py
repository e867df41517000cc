"""Emojify's CSV readers, labels and metrics."""

import pytest

from nlp_rnn.emojify.data import read_examples, train_valid
from nlp_rnn.emojify.labels import canonical_label, emoji_for
from nlp_rnn.emojify.metrics import classification_report
from nlp_rnn.errors import DataError


def write(tmp_path, content: bytes, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_classic_format_as_is(tmp_path):
    # extra columns, a trailing tab, spaces, a quoted comma, no final newline
    content = (b'never talk to me again,3\nI am proud of your achievements,2,,\nIt is the worst day in my life\t,3\n'
               b'"food, glorious food",4\nlove you ,0')
    examples = read_examples(write(tmp_path, content))
    assert [e.label for e in examples] == ["disappointed", "smile", "disappointed", "fork_and_knife", "heart"]
    assert examples[2].text == "It is the worst day in my life" and examples[3].text == "food, glorious food"
    assert examples[4].line == 5


def test_headered_format_with_emoji_aliases_names_and_new_classes(tmp_path):
    content = "text,label,source\nwe won,😄,x\nlet's eat,:fork_and_knife:,y\nlaunch day,:rocket:,z\nwin,happy,\nlove,❤,\n"
    examples = read_examples(write(tmp_path, content.encode()))
    assert [e.label for e in examples] == ["smile", "fork_and_knife", "rocket", "smile", "heart"]
    assert emoji_for("heart") == "❤️" and emoji_for("🚀") == "🚀"


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        (b"hello,7\n", "not 0-4", 1),
        (b"fine,1\njust text\n", "expected sentence,label_index", 2),
        (b"text,label\nhi,\n", "missing label", 2),
        (b"ok,1\n\xff\xfe,2\n", "not UTF-8", 2),
        (b"", "empty file", None),
        (b" ,1\n", "empty sentence", 1),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path, content, message, line):
    path = write(tmp_path, content)
    with pytest.raises(DataError, match=message) as error:
        read_examples(path)
    assert error.value.line == line and str(path) in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such CSV file"):
        read_examples(tmp_path / "nope.csv")


def test_bundled_dataset_split_is_documented_and_balanced():
    examples = read_examples("bundled")
    train, valid = train_valid(examples)
    assert len(examples) >= 300 and len(valid) == len(examples) // 5
    assert {e.label for e in valid} == {e.label for e in train} == {"heart", "baseball", "smile", "disappointed",
                                                                     "fork_and_knife"}


def test_carved_validation_is_stratified_and_deterministic(tmp_path):
    rows = "".join(f"sentence {i},{i % 2}\n" for i in range(40))
    examples = read_examples(write(tmp_path, rows.encode()))
    train, valid = train_valid(examples, valid_fraction=0.25, seed=3, carve_from=40)
    assert len(valid) == 10 and sum(e.label == "heart" for e in valid) == 5
    assert train_valid(examples, valid_fraction=0.25, seed=3, carve_from=40) == (train, valid)
    assert train_valid(examples) == (examples, [])  # below 500 sentences: all of them train


@pytest.mark.parametrize(("text", "name"), [("❤️", "heart"), (":heart:", "heart"), ("Baseball", "baseball"),
                                            ("🍴", "fork_and_knife"), (":tada:", "tada"), ("🎉", "🎉")])
def test_canonical_labels(text, name):
    assert canonical_label(text) == name


def test_metrics_against_hand_computed_values():
    report = classification_report([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], ["a", "b", "c"])
    assert report["accuracy"] == 0.6 and report["n"] == 5
    assert report["confusion"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert report["per_class"]["b"] == {"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2}
    assert report["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
