"""Default models are published whole: a first use killed at any moment leaves nothing that later
runs take for the default, and two first uses at once give one model (issue 15).

The text default's real publish path (``textgen.default.load_default``), with its options swapped
for a tiny model so that a first use takes seconds, not half a minute."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import torch

TINY = ("TextOptions(corpus=CORPUS, level='char', preset='char-small', seed=0, overrides=(('epochs', 30), "
        "('layers', 1), ('hidden', 16), ('embed', 16), ('batch_size', 4), ('bptt', 8)))")
FIRST_USE = textwrap.dedent(f"""
    import sys
    import torch
    torch.set_num_threads(1)
    from nlp_rnn.textgen import default
    from nlp_rnn.textgen.pipeline import TextOptions
    CORPUS = sys.argv[1]
    default.OPTIONS = {TINY}
    model = default.load_default(progress=False)
    print(default.default_model_dir(), flush=True)
""")


def first_use(corpus, cache):
    env = {**os.environ, "NLP_RNN_CACHE": str(cache)}
    return subprocess.Popen([sys.executable, "-c", FIRST_USE, str(corpus)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def weights(folder):
    from nlp_rnn.models.store import load_model

    return load_model(folder).model.state_dict()


def uninterrupted(corpus, cache, monkeypatch):
    """What an uninterrupted first use publishes, trained in this process."""
    from nlp_rnn.textgen import default
    from nlp_rnn.textgen.pipeline import TextOptions

    monkeypatch.setenv("NLP_RNN_CACHE", str(cache))
    monkeypatch.setattr(default, "OPTIONS", eval(TINY, {"TextOptions": TextOptions, "CORPUS": str(corpus)}))
    default.load_default(progress=False)
    return weights(default.default_model_dir())


def test_killed_first_uses_never_publish_and_two_at_once_agree(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a small corpus for a tiny default model, a few batches per epoch.\n" * 6)
    expected = uninterrupted(corpus, tmp_path / "reference", monkeypatch)

    cache, rng = tmp_path / "cache", random.Random(0)
    models = cache / "models"
    for _ in range(2):
        process = first_use(corpus, cache)
        deadline = time.time() + 120
        while not list(models.glob("*/checkpoint.json")) and time.time() < deadline:
            time.sleep(0.02)  # the first epoch is saved (in the final folder or the temporary one)
        time.sleep(rng.uniform(0.0, 0.5))  # then kill it in the middle of training (an epoch takes ~0.25 s)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        published = [p for p in models.iterdir() if not p.name.startswith(".")]
        assert not published or all(torch.equal(expected[k], v) for k, v in weights(published[0]).items())

    together = [first_use(corpus, cache) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in together]
    assert all(p.returncode == 0 for p in together), [err for _, err in results]
    folders = {out.strip() for out, _ in results}
    assert len(folders) == 1
    for key, value in weights(folders.pop()).items():
        assert torch.equal(expected[key], value), key
    assert sorted(p.name for p in models.iterdir() if not p.name.endswith(".lock")) == [
        p.name for p in models.iterdir() if not p.name.startswith(".")]  # no half-trained folder left
    logs = "".join(err for _, err in results)
    assert logs.count("(first use)") <= 1  # one trained, the other waited and loaded its model


def test_a_first_use_that_waits_for_another_says_so(tmp_path, caplog):
    """A second first use (another session's thread, here) waits for the lock and says so, then loads what the
    first one published without training again."""
    import threading

    import filelock

    from nlp_rnn import checkpoint, defaults

    directory, trained = tmp_path / "models" / "tiny-1", []
    directory.parent.mkdir(parents=True)
    holder = filelock.FileLock(str(directory.parent / f".{directory.name}.lock"))
    holder.acquire()  # another process is training

    def train(folder):
        trained.append(folder)
        checkpoint.save(folder, {"kind": "t"}, {"model": {"w": torch.zeros(1)}})

    waiter = threading.Thread(target=defaults.train_once, args=(directory, train, lambda d: d, "the tiny model"))
    with caplog.at_level("WARNING", logger="nlp_rnn.defaults"):
        waiter.start()
        deadline = time.time() + 30
        while "waiting for another process" not in caplog.text and time.time() < deadline:
            time.sleep(0.02)
        assert "waiting for another process that is training the tiny model" in caplog.text
        checkpoint.save(directory, {"kind": "t"}, {"model": {"w": torch.ones(1)}})  # the other one publishes
        holder.release()
        waiter.join(30)
    assert not waiter.is_alive() and trained == []  # it loaded the published model instead of training
