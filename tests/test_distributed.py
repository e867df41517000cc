"""Training on several ranks (gloo, 127.0.0.1, free ports): the same model as one process, several
nodes through a c10d rendezvous, a killed rank restarted by the launcher, the global batch checked."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from nlp_rnn import checkpoint
from nlp_rnn.cli.main import main
from nlp_rnn.train_state import RESUME
from tests.distributed_runs import RUNS, make_data

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = [sys.executable, "-m", "torch.distributed.run"]


def env() -> dict[str, str]:
    """The ranks' environment, read when a test runs: conftest's private cache is set by then (at import
    time it is not, and the ranks would write vector caches into the user's ~/.cache)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def weights(directory: Path, manifest: str = checkpoint.CHECKPOINT) -> dict[str, torch.Tensor]:
    return checkpoint.load(directory, manifest)[1]["model"]


def max_difference(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k] - b[k]).abs().max()) for k in a)


def test_two_ranks_train_the_model_one_process_trains(tmp_path):
    data = tmp_path / "data"
    make_data(data)
    ranks = subprocess.Popen(LAUNCHER + ["--standalone", "--nproc-per-node", "2", "-m", "tests.distributed_runs",
                                         str(data), str(tmp_path / "ranks")], env=env(), cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for name, run in RUNS.items():  # the same runs in this process meanwhile
            if name != "char_lm_resumed":
                run(data, tmp_path / "one" / name)
        output, _ = ranks.communicate(timeout=300)
    finally:
        ranks.kill()
    assert ranks.returncode == 0, output[-3000:]
    for name in RUNS:
        one, two = tmp_path / "one" / name.removesuffix("_resumed"), tmp_path / "ranks" / name
        for manifest in (checkpoint.CHECKPOINT, RESUME):  # the best epoch, and the last step's weights
            assert max_difference(weights(one, manifest), weights(two, manifest)) < 1e-4, (name, manifest)
        history_one = json.loads((one / RESUME).read_text())["progress"]["history"]
        history_two = json.loads((two / RESUME).read_text())["progress"]["history"]
        assert [r["step"] for r in history_one] == [r["step"] for r in history_two] and len(history_one) >= 2
        for a, b in zip(history_one, history_two):  # losses summed over ranks, validation all-reduced
            for key in ("train_loss", "val_loss", "val_accuracy"):
                assert (key in a) == (key in b) and abs(a.get(key, 0) - b.get(key, 0)) < 1e-4, (name, key)
    assert json.loads((tmp_path / "one" / "char_lm" / RESUME).read_text())["progress"]["step"] >= 24


def _train_command(corpus: Path, out: Path, *extra: str) -> list[str]:
    return ["text", "train", "--corpus", str(corpus), "--layers", "1", "--hidden", "8", "--embed", "8",
            "--batch-size", "4", "--bptt", "12", "--out", str(out), "--device", "cpu", *extra]


def test_two_nodes_meet_through_a_c10d_rendezvous(tmp_path):
    make_data(tmp_path)
    endpoint = f"127.0.0.1:{free_port()}"
    node = LAUNCHER + ["--nnodes", "2", "--nproc-per-node", "1", "--rdzv-backend", "c10d", "--rdzv-endpoint", endpoint,
                       "--rdzv-id", "test-two-nodes", "-m", "nlp_rnn"]
    command = _train_command(tmp_path / "corpus.txt", tmp_path / "model", "--max-steps", "6")
    nodes = [subprocess.Popen(node + command, env=env(), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(2)]
    try:
        outputs = [n.communicate(timeout=180)[0] for n in nodes]
    finally:
        for n in nodes:
            n.kill()
    assert [n.returncode for n in nodes] == [0, 0], outputs
    assert sum("saved to" in out for out in outputs) == 1  # rank 0 alone prints
    files = sorted(p.name for p in (tmp_path / "model").iterdir())
    assert files.count(checkpoint.CHECKPOINT) == 1 and not [f for f in files if f.endswith(".tmp")]
    meta, tensors = checkpoint.load(tmp_path / "model")
    assert meta["history"][-1]["step"] == 6 and tensors["model"]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:  # the thread or process ended meanwhile
            continue
        for child in children:
            found += [int(child), *_children(int(child))]
    return found


def _worker(launcher: int, local_rank: str) -> int | None:
    for pid in _children(launcher):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"LOCAL_RANK={local_rank}".encode() in environ:
            return pid
    return None


def _saved_epochs(out: Path) -> list[dict]:
    try:
        return json.loads((out / RESUME).read_text())["progress"]["history"]
    except (OSError, ValueError, KeyError):
        return []


def test_a_killed_rank_is_restarted_and_the_run_continues(tmp_path):
    make_data(tmp_path)
    out = tmp_path / "model"
    command = [sys.executable, "-m", "nlp_rnn"] + _train_command(tmp_path / "corpus.txt", out, "--epochs", "8",
                                                                 "--nproc", "2", "--max-restarts", "1")
    run = subprocess.Popen(command, env=env(), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, killed, before = time.monotonic() + 120, None, []
        while killed is None and time.monotonic() < deadline and run.poll() is None:
            before = [r for r in _saved_epochs(out) if r["complete"]]
            worker = _worker(run.pid, "1") if before else None
            if worker is not None:
                os.kill(worker, signal.SIGKILL)
                killed = worker
            time.sleep(0.05)
        output, _ = run.communicate(timeout=240)
    finally:
        run.kill()
    assert killed is not None, f"no rank to kill before the run ended: {output[-2000:]}"
    assert run.returncode == 0, output[-3000:]
    history = _saved_epochs(out)
    assert [r["epoch"] for r in history] == list(range(1, 9)) and all(r["complete"] for r in history)
    assert history[: len(before)] == before  # epochs completed before the kill were kept, not trained again
    meta, tensors = checkpoint.load(out)  # whole: manifest and checksums
    assert meta["history"] and tensors["model"]


def test_the_global_batch_must_divide_among_the_ranks(tmp_path, capsys):
    make_data(tmp_path)
    code = main(_train_command(tmp_path / "corpus.txt", tmp_path / "model", "--nproc", "3"))
    err = capsys.readouterr().err
    assert code == 2 and "--batch-size 4 is the global batch and must divide among 3 ranks" in err
    assert err.count("\n") == 1 and not (tmp_path / "model").exists()


@pytest.mark.parametrize("threads, ranks, expected", [(2, 1, 2), (2, 2, 1), (2, 3, 1), (16, 4, 4)])
def test_ranks_share_the_cores(monkeypatch, threads, ranks, expected):
    from nlp_rnn import distributed

    monkeypatch.setattr(os, "sched_getaffinity", lambda _: set(range(threads)))
    assert distributed.cpu_threads(ranks) == expected


def test_each_rank_takes_contiguous_rows_of_the_global_batch():
    from nlp_rnn.distributed import World, shard

    batch = (torch.arange(10).view(5, 2), torch.arange(5), None)
    first, share = shard(batch, World(rank=0, size=2))
    second, other = shard(batch, World(rank=1, size=2))
    assert first[1].tolist() == [0, 1, 2] and second[1].tolist() == [3, 4] and first[2] is None
    assert torch.equal(torch.cat([first[0], second[0]]), batch[0]) and (share, other) == (0.6, 0.4)
    whole, none = shard(torch.arange(1), World(rank=1, size=2))  # fewer rows than ranks: step with weight 0
    assert whole.tolist() == [0] and none == 0.0
