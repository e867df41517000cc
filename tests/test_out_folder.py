"""Training into a folder that holds another kind of model, or no model at all, stops unless
--resume or --force (issue 15); with --force nothing of the user's is removed."""

import pytest

from nlp_rnn.cli.main import main
from nlp_rnn.errors import UserError
from nlp_rnn.jazz.model import JazzModel, JazzModelConfig
from nlp_rnn.models.classifier import Classifier, ClassifierConfig
from nlp_rnn.models.store import save_model
from nlp_rnn.out_folder import check_out_folder


@pytest.fixture
def emojify_folder(tmp_path):
    model = Classifier(ClassifierConfig(vocab_size=5, embed_dim=3, num_classes=2, hidden_size=3))
    return save_model(tmp_path / "emojify", model, labels=["a", "b"], extra={"app": "emojify"})


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a small corpus, repeated to make a few batches per epoch.\n" * 8)
    return path


def text_train(corpus, out, *extra):
    return main(["text", "train", "--corpus", str(corpus), "--level", "char", "--layers", "1", "--hidden", "8",
                 "--embed", "8", "--batch-size", "4", "--bptt", "8", "--max-steps", "1", "--out", str(out), *extra])


def test_text_train_into_an_emojify_model_stops(emojify_folder, corpus, capsys):
    before = sorted(p.name for p in emojify_folder.iterdir())
    assert text_train(corpus, emojify_folder) == 2
    assert "holds an Emojify model, not a text model" in capsys.readouterr().err
    assert sorted(p.name for p in emojify_folder.iterdir()) == before


def test_a_folder_of_other_files_stops_and_force_keeps_them(tmp_path, corpus, capsys):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.tex").write_text("mine")
    assert text_train(corpus, out) == 2
    assert "files that are not an nlp-rnn model (chapter1.tex)" in capsys.readouterr().err
    assert text_train(corpus, out, "--force") == 0
    assert (out / "chapter1.tex").read_text() == "mine" and (out / "checkpoint.json").is_file()


def test_the_same_kind_resume_and_new_folders_are_fine(tmp_path, emojify_folder):
    check_out_folder(emojify_folder, "emojify")
    check_out_folder(emojify_folder, "jazz", resume=True)
    check_out_folder(tmp_path / "new", "jazz")
    jazz = save_model(tmp_path / "jazz", JazzModel(JazzModelConfig(vocab_size=4, embed_dim=2, hidden_size=2)))
    with pytest.raises(UserError, match="holds a jazz model, not an Emojify model"):
        check_out_folder(jazz, "emojify")


def test_an_out_that_is_a_file_stops(tmp_path):
    (tmp_path / "model").write_text("not a folder")
    with pytest.raises(UserError, match="not a folder"):
        check_out_folder(tmp_path / "model", "textgen", force=False)
