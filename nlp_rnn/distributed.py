"""Training across processes and machines, on torch.distributed.

A run of N ranks is started by torch's elastic launcher: ``torchrun ... -m nlp_rnn text train``
or, the same code path, ``nlp-rnn text train --nproc N`` (``launch``). Each rank joins the process
group described by the launcher's environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR/PORT):
gloo on CPUs, nccl on CUDA. The trainer then

- takes the rank's share of every global batch (``shard``: rows of the batch, contiguous), so
  ``--batch-size`` is the global batch whatever N is and every rank runs the same number of steps;
- averages gradients with DistributedDataParallel, weighting uneven shares so the update is the
  one a single process makes on the whole batch;
- sums validation and loss totals over ranks (``all_sum``), broadcasts stop decisions from rank 0
  (``broadcast``), and lets rank 0 alone write checkpoints, logs and the progress bar.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

from nlp_rnn.errors import UserError

log = logging.getLogger(__name__)
LAUNCH_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK")
# --nproc auto on a CPU: the layout bench/distributed_speed.py measured faster on a quiet 2-core machine
# (one process × 2 threads beat 2 ranks × 1 thread: 2 ranks gave 0.75× char-small, 0.65× ptb-small; only
# under heavy contention from other jobs did 2 ranks win, and a default should not assume a loaded machine).
CPU_AUTO_NPROC = 1
JOIN_TIMEOUT = timedelta(minutes=10)  # how long a rank waits for the others to join


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0
    local_size: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def launched() -> bool:
    """Started by torchrun or the elastic launcher (its variables are set)."""
    return all(name in os.environ for name in LAUNCH_VARIABLES)


def current() -> World:
    if not (dist.is_available() and dist.is_initialized()):
        return World()
    return World(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0)),
                 int(os.environ.get("LOCAL_WORLD_SIZE", 1)))


def restarted() -> bool:
    """A worker the elastic launcher restarted after a failure (it should resume)."""
    return int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")) > 0


def resuming(requested: bool, out_dir) -> bool:
    """Resume when asked to, or when the launcher restarted this worker and a training state is saved."""
    from nlp_rnn import checkpoint
    from nlp_rnn.train_state import RESUME

    return requested or (restarted() and out_dir is not None and checkpoint.exists(out_dir, RESUME))


def setup(device: torch.device) -> World:
    """Join the launcher's process group once (a no-op outside a launch or for one rank)."""
    if not launched() or int(os.environ["WORLD_SIZE"]) == 1:
        return current()
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        _join("nccl" if device.type == "cuda" else "gloo")
    world = current()
    if device.type == "cpu":
        torch.set_num_threads(cpu_threads(world.local_size))  # N ranks share the cores, never oversubscribe
    return world


def _join(backend: str) -> None:
    """init_process_group from the launcher's variables. The elastic agent's store outlives a
    restart, so each attempt's ranks meet under their own prefix: without it the restarted ranks
    read the dead ranks' addresses from the first attempt and wait for them (a hang we hit)."""
    if os.environ.get("TORCHELASTIC_USE_AGENT_STORE") != "True":
        dist.init_process_group(backend)
        return
    store = dist.TCPStore(os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"]), is_master=False,
                          timeout=JOIN_TIMEOUT)
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    dist.init_process_group(backend, store=dist.PrefixStore(f"nlp-rnn/attempt-{attempt}", store),
                            rank=int(os.environ["RANK"]), world_size=int(os.environ["WORLD_SIZE"]))


def cpu_threads(local_ranks: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // max(1, local_ranks))


def check_batch(batch_size: int | None, ranks: int) -> None:
    """--batch-size is the global batch: it must split evenly over the ranks."""
    if batch_size is not None and ranks > 1 and batch_size % ranks:
        raise UserError(f"--batch-size {batch_size} is the global batch and must divide among {ranks} ranks; "
                        f"use a multiple of {ranks} (e.g. {batch_size - batch_size % ranks or ranks})")


def shard(batch, world: World):
    """This rank's contiguous rows of a global batch, and their share of its rows.

    ``batch`` is a tensor or a tuple/list of tensors whose first dimension counts the examples
    (a language model's streams); None entries stay None. A rank whose share is empty (a last batch smaller than the
    world) steps on the whole batch with weight 0, so every rank still runs the step.
    """
    tensors = batch if isinstance(batch, (tuple, list)) else (batch,)
    rows = len(tensors[0])
    local = type(tensors)(t.tensor_split(world.size)[world.rank] if t is not None else None for t in tensors)
    if len(local[0]) == 0:
        return batch, 0.0
    return (local if isinstance(batch, (tuple, list)) else local[0]), len(local[0]) / rows


def local_rows(batch):
    """This rank's rows of an evaluation set (tensor or tuple of tensors), None when it has none."""
    world = current()
    if world.size == 1:
        return batch
    local, share = shard(batch, world)
    return local if share > 0 else None


def _comm_device() -> torch.device:
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def all_sum(values: list[float]) -> list[float]:
    """Element-wise sums over the ranks (the values themselves in one process)."""
    if not (dist.is_available() and dist.is_initialized()):
        return list(values)
    tensor = torch.tensor(values, dtype=torch.float64, device=_comm_device())
    dist.all_reduce(tensor)
    return tensor.tolist()


def all_gather(tensor: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """Every rank's ``tensor`` joined along ``dim`` in rank order (``tensor`` itself in one process)."""
    if not (dist.is_available() and dist.is_initialized()):
        return tensor
    parts = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]
    dist.all_gather(parts, tensor.contiguous())
    return torch.cat(parts, dim=dim)


def broadcast(value):
    """Rank 0's ``value`` on every rank (any picklable value made by our own code)."""
    if not (dist.is_available() and dist.is_initialized()):
        return value
    holder = [value]
    dist.broadcast_object_list(holder, src=0, device=_comm_device())
    return holder[0]


def barrier() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


class _Methods(torch.nn.Module):
    """Routes a named method through ``forward``, so DDP sees calls such as a language model's ``loss``."""

    def __init__(self, inner: torch.nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, method: str, *args, **kwargs):
        return self.inner(*args, **kwargs) if method == "forward" else getattr(self.inner, method)(*args, **kwargs)


class Replicated:
    """``model`` under DDP, called like the model itself: ``m(...)`` and ``m.loss(...)`` both sync gradients."""

    def __init__(self, model: torch.nn.Module, device: torch.device):
        from torch.nn.parallel import DistributedDataParallel

        self.module = model
        self.ddp = DistributedDataParallel(_Methods(model), device_ids=[device] if device.type == "cuda" else None)

    def __call__(self, *args, **kwargs):
        return self.ddp("forward", *args, **kwargs)

    def loss(self, *args, **kwargs):
        return self.ddp("loss", *args, **kwargs)

    def train(self, mode: bool = True):
        self.ddp.train(mode)
        return self

    def __getattr__(self, name: str):
        return getattr(self.module, name)


def wrap(model: torch.nn.Module, device: torch.device):
    """DDP over ``model`` when there are several ranks (rank 0's weights are broadcast to all)."""
    return model if current().size == 1 else Replicated(model, device)


def auto_nproc(device: torch.device) -> int:
    """``--nproc auto``: one rank per GPU; on a CPU the layout the bench measured faster."""
    if device.type == "cuda":
        return torch.cuda.device_count()
    return CPU_AUTO_NPROC


def launch(argv: list[str], nproc: int, max_restarts: int = 0) -> int:
    """Run ``nlp-rnn ARGV`` as ``nproc`` local ranks under torch's elastic launcher (torchrun's path).

    Returns 0, or the exit code of the first rank that failed (it has printed its own error).
    """
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    config = LaunchConfig(min_nodes=1, max_nodes=1, nproc_per_node=nproc, run_id=f"nlp-rnn-{uuid.uuid4()}",
                          rdzv_backend="c10d", rdzv_endpoint="127.0.0.1:0", max_restarts=max_restarts,
                          monitor_interval=0.2)
    try:
        elastic_launch(config, sys.executable)("-m", "nlp_rnn", *argv)
    except ChildFailedError as error:
        rank, first = error.get_first_failure()
        log.warning("rank %s failed with exit code %s", rank, first.exitcode)
        return first.exitcode if first.exitcode > 0 else 1
    return 0
