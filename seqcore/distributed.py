"""Training on several processes, GPUs or machines with PyTorch's DistributedDataParallel, launched by torchrun.

    torchrun --nproc_per_node=N -m seqcore train ...

torchrun starts N copies of the command and tells each its RANK, LOCAL_RANK and WORLD_SIZE;
`start` joins them into one process group (NCCL between GPUs, gloo on CPUs). Every rank reads
the data, carves the same dev split and builds the same vocabulary (all seeded), and wraps the
same initial model in DDP, which averages gradients across ranks after every backward pass.

Sharding: every rank computes the same bucketed, shuffled order of *global* batches
(`batching.batch_order` with the epoch's seed) and takes its contiguous share of each one
(`shard`). A `DistributedSampler` would instead deal each rank a strided slice of the shuffled
examples and let each rank batch its own slice: the global batches would no longer be the ones a
single process trains on, padding would grow (a rank's batch no longer comes from one length
bucket), and the sampler pads the last round by repeating examples. Sharding seqcore's own global
batches keeps the length bucketing, never repeats an example, and makes N processes compute the
same steps as one process with the same --batch-size (the global batch), to float tolerance; the
loss of each share is normalised by the number of labeled items in the whole global batch (see
`training.train`), so sentences, aspects and tokens all weigh what they weigh in one process.

Rank 0 alone scores dev, reports progress and writes the checkpoint; it broadcasts each epoch's
early-stopping decision, and the other ranks wait for it (and, at the end, at a barrier).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.distributed as dist

NO_STEP = 2**62  # "no non-finite step": larger than any step number, so a minimum over ranks ignores it


@dataclass(frozen=True)
class Dist:
    """This process's place in a running process group."""

    rank: int
    world_size: int
    local_rank: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def launched_world_size() -> int:
    """Return the WORLD_SIZE torchrun set (1 when this process was not started by torchrun)."""
    raw = os.environ.get("WORLD_SIZE", "1")
    try:
        return int(raw)
    except ValueError as e:
        raise ValueError(f"WORLD_SIZE must be a whole number of processes, got {raw!r}") from e


def start(device: torch.device) -> Dist | None:
    """Join the process group torchrun describes (NCCL when training on CUDA, else gloo); None for a single process.

    On CUDA, each process trains on the GPU of its LOCAL_RANK.
    """
    if launched_world_size() <= 1:
        return None
    if not dist.is_available():
        raise ValueError("this torch build has no torch.distributed: run without torchrun")
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    backend = "gloo"
    if device.type == "cuda":
        if device.index is not None:
            raise ValueError(f"under torchrun each process uses the GPU of its LOCAL_RANK: pass --device cuda, not {device}")
        torch.cuda.set_device(local_rank)
        backend = "nccl"
    if not dist.is_initialized():
        dist.init_process_group(backend)
    return current()


def current() -> Dist | None:
    """Return this process's place in the process group, or None when training runs in one process."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return None
    return Dist(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


def is_main() -> bool:
    """Return whether this process reports and saves: rank 0, or the only process."""
    ctx = current()
    return ctx is None or ctx.is_main


def world_size() -> int:
    """Return the number of training processes (1 without torchrun)."""
    ctx = current()
    return 1 if ctx is None else ctx.world_size


def shard(positions: Sequence[int], rank: int, world: int) -> list[int]:
    """Return rank's contiguous share of one global batch: sizes differ by at most one, ranks past its end get []."""
    size, extra = divmod(len(positions), world)
    first = rank * size + min(rank, extra)
    return list(positions[first : first + size + (rank < extra)])


def broadcast_floats(values: Sequence[float], device: torch.device) -> list[float]:
    """Return rank 0's `values` on every rank (float64, so integers up to 2^53 survive)."""
    t = torch.tensor(list(values), dtype=torch.float64, device=device)
    dist.broadcast(t, src=0)
    return t.tolist()


def all_sum(value: torch.Tensor) -> torch.Tensor:
    """Return the sum of a tensor over all ranks."""
    out = value.clone()
    dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out


def all_min(value: torch.Tensor) -> torch.Tensor:
    """Return the minimum of a tensor over all ranks."""
    out = value.clone()
    dist.all_reduce(out, op=dist.ReduceOp.MIN)
    return out


def barrier() -> None:
    """Wait until every rank gets here (no-op in one process)."""
    if current() is not None:
        dist.barrier()


def stop() -> None:
    """Leave the process group (no-op in one process)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
