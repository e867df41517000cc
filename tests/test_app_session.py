"""What pages do with a session's files: uploads never become paths, folders go when replaced or when the
session ends, and errors name the user's file and widget."""

import gc
import tempfile
import uuid
from pathlib import Path

import pytest

from nlp_rnn.paths import cache_dir
from tests.test_app import page_with_model
from tests.test_app_jazz import small_jazz_model  # noqa: F401  (a fixture)


@pytest.fixture(scope="module")
def small_emojify_model(tmp_path_factory):
    from nlp_rnn.emojify.data import read_examples, train_valid
    from nlp_rnn.emojify.train import EmojifyOptions, train

    out = tmp_path_factory.mktemp("emojify") / "model"
    train(EmojifyOptions(model="v1", epochs=2), *train_valid(read_examples("bundled")), out, progress=False)
    return str(out)


def escaped(name: str) -> list[Path]:
    """Where ``name`` would land if a page joined it to one of the folders it writes in."""
    bases = [Path(tempfile.gettempdir()) / "x", cache_dir() / "models" / "x", cache_dir() / "models" / "x" / "y"]
    return [path for path in ((base / name).resolve() for base in bases) if path.exists()]


def test_an_upload_named_like_a_path_stays_in_a_fresh_folder_and_errors_name_it(small_emojify_model):
    name = f"../../escape-{uuid.uuid4().hex[:8]}.csv"
    at = page_with_model("emojify", "emojify_model_dir", small_emojify_model)
    at.radio(key="emojify_train_source").set_value("Upload a CSV").run()
    at.file_uploader(key="emojify_train_upload").set_value((name, b"text,label\n\xff\xfe bad,1\n", "text/csv")).run()
    at.button(key="emojify_train").click().run()
    assert not at.exception
    assert escaped(name) == []
    message = at.error[0].value
    assert message.startswith(Path(name).name) and "nlp-rnn-upload" not in message and "/tmp" not in message


def test_upload_errors_name_the_users_file_not_our_copy(small_jazz_model):  # noqa: F811
    at = page_with_model("jazz", "jazz_model_dir", small_jazz_model)
    at.file_uploader(key="jazz_upload").set_value(("my song.mid", b"just some text", "audio/midi")).run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("my song.mid: ") and "upload.mid" not in message and "nlp-rnn-upload" not in message


def test_a_replaced_upload_folder_is_removed_and_the_rest_go_with_the_session(small_jazz_model):  # noqa: F811
    from nlp_rnn.jazz.export import write_midi
    from tests.test_jazz import scale_piece

    with tempfile.TemporaryDirectory() as work:
        first, second = (write_midi(scale_piece(n), Path(work) / f"{n}.mid").read_bytes() for n in (4, 6))
    at = page_with_model("jazz", "jazz_model_dir", small_jazz_model)
    at.file_uploader(key="jazz_upload").set_value(("a.mid", first, "audio/midi")).run()
    old = at.session_state["_upload_jazz"][1].path
    at.file_uploader(key="jazz_upload").set_value(("b.mid", second, "audio/midi")).run()
    assert not at.exception
    new = at.session_state["_upload_jazz"][1].path
    assert new.read_bytes() == second and not old.parent.exists()
    del at
    gc.collect()
    assert not new.parent.exists()  # the session's state is gone, and its folders with it
