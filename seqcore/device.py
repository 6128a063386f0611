"""Choose the compute device once: CUDA, else MPS, else CPU."""

from __future__ import annotations

import functools

import torch


@functools.lru_cache(maxsize=1)
def pick_device() -> torch.device:
    """Return the best available device: CUDA, else Apple MPS, else CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def resolve_device(device: str | torch.device | None) -> torch.device:
    """Return `device` as a torch.device, or the best available one when None or "auto"."""
    if device is None or device == "auto":
        return pick_device()
    try:
        return torch.device(device)
    except RuntimeError as e:
        raise ValueError(f"unknown device {device!r}: use auto, cpu, cuda or mps") from e
