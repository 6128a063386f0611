"""Time one training step (forward + backward + optimiser step) of every cell variant against the fused nn.LSTM.

Each variant's `seqcore.cellnets.LoopCell` loops over the time steps of the padded batch (with
masking); `lstm` is PyTorch's fused kernel. The models are whole sentiment classifiers (embedding,
one unidirectional layer, pooling "last", linear head) on one random batch with lengths spread up
to --steps, interleaved step by step; the script prints the median milliseconds per step and the
ratio to the fused LSTM (the issue's goal: at most 3x at batch 64, 22 steps, hidden 128 on the CPU).

The CPU may be shared: `--clock cpu` measures this process's CPU time (not wall time), and
`--threads 1` keeps torch on one thread, so other processes on the machine change the numbers less.

    python bench/bench_cells.py --threads 1 --clock cpu [--batch 64] [--steps 22] [--hidden 128] [--repeats 20]
    python bench/bench_cells.py --modes   # also the step under TorchScript and torch.compile, for the LSTM variants
    python bench/bench_cells.py --cells lstm-fgr --loops   # also lstm-fgr through the spec's own loop (its reference)
    python bench/bench_cells.py --cells lstm-fgr --compile-loop   # also the spec's loop under torch.compile, compile time printed

`lstm-fgr` trains through `seqcore.cellnets.FgrRecurrence` (the same equations, backward written out);
--loops times it beside `LoopCell.loop`, the spec's own step looped under autograd, in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import cast

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seqcore.cellnets import LoopCell  # noqa: E402
from seqcore.cells import CELLS  # noqa: E402
from seqcore.models import ModelConfig, SequenceModel  # noqa: E402

CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def batch(B: int, T: int, vocab: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(max(1, T // 2), T + 1, (B,), generator=g)
    lengths[0] = T
    ids = torch.randint(2, vocab, (B, T), generator=g) * (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1))
    return ids, lengths, torch.randint(0, 2, (B,), generator=g)


def median_ms(models: dict[str, nn.Module], ids, lengths, labels, repeats: int, clock) -> dict[str, float]:
    """Median milliseconds of one training step of each model, the models interleaved."""
    loss_fn = nn.CrossEntropyLoss()
    opts = {k: torch.optim.Adam(m.parameters(), lr=1e-3) for k, m in models.items()}
    times: dict[str, list[float]] = {k: [] for k in models}
    for i in range(repeats + 2):
        for k, model in models.items():
            t0 = clock()
            opts[k].zero_grad(set_to_none=True)
            loss_fn(model(ids, lengths), labels).backward()
            opts[k].step()
            if i >= 2:  # warm-up steps are not counted
                times[k].append((clock() - t0) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def compiled_step_models(base: nn.Module, mode: str) -> nn.Module | None:
    """The same model with its LoopCell's step function compiled (TorchScript or torch.compile), or None if that fails."""
    import copy

    model = cast(SequenceModel, copy.deepcopy(base))
    rnn = cast(LoopCell, model.encoder.rnns()[0][0])
    rnn.forward = rnn.loop  # type: ignore[method-assign]  # the spec's step, also for lstm-fgr (else FgrRecurrence)
    step = rnn.spec.advance
    try:
        if mode == "compile":
            fast = torch.compile(step, dynamic=False)
        else:
            fast = torch.jit.script(step)  # closures over Python dataclasses: TorchScript refuses them
    except Exception as e:  # noqa: BLE001 - a mode that cannot run is reported, not fatal
        print(f"  {mode}: not available ({type(e).__name__}: {str(e).splitlines()[0][:100]})")
        return None
    object.__setattr__(rnn, "spec", _Swapped(rnn.spec, fast))
    return model


def looped_models(base: nn.Module, compile_loop: bool) -> nn.Module:
    """The same model with its LoopCell running `LoopCell.loop` (the spec's own step), compiled with torch.compile if asked."""
    import copy

    model = cast(SequenceModel, copy.deepcopy(base))
    rnn = cast(LoopCell, model.encoder.rnns()[0][0])
    rnn.forward = torch.compile(rnn.loop, dynamic=False) if compile_loop else rnn.loop  # type: ignore[method-assign]
    return model


def compile_seconds(model: nn.Module, ids, lengths, labels) -> tuple[float, float]:
    """(wall, this process's CPU) seconds of the first training step, which compiles; the timed steps come after.

    Inductor may compile in worker processes, whose CPU time this process's clock does not see: the wall time is
    what a class waits."""
    wall, cpu = time.perf_counter(), time.process_time()
    nn.CrossEntropyLoss()(model(ids, lengths), labels).backward()
    return time.perf_counter() - wall, time.process_time() - cpu


class _Swapped:
    """A spec whose advance() is a compiled function."""

    def __init__(self, spec, advance) -> None:
        self._spec, self.advance = spec, advance

    def __getattr__(self, name):
        return getattr(self._spec, name)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=64, help="sentences per batch")
    p.add_argument("--steps", type=int, default=22, help="time steps (the longest sentence; others are 50-100%% of it)")
    p.add_argument("--hidden", type=int, default=128, help="hidden units")
    p.add_argument("--embedding", type=int, default=100, help="embedding size")
    p.add_argument("--repeats", type=int, default=20, help="timed steps per model")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    p.add_argument("--clock", choices=tuple(CLOCKS), default="cpu", help="cpu: this process's CPU time; wall: elapsed time")
    p.add_argument("--cells", default=",".join(CELLS), help="comma-separated cells (lstm is always timed, as the reference)")
    p.add_argument("--modes", action="store_true", help="also time the step under TorchScript and torch.compile")
    p.add_argument("--loops", action="store_true", help="also time lstm-fgr through the spec's own loop (LoopCell.loop)")
    p.add_argument(
        "--compile-loop", action="store_true", help="also time lstm-fgr's spec loop under torch.compile (prints the compile time)"
    )
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    vocab = 5000
    ids, lengths, labels = batch(args.batch, args.steps, vocab)
    cells = ["lstm"] + [c for c in args.cells.split(",") if c and c != "lstm"]
    models: dict[str, nn.Module] = {}
    for cell in cells:
        cfg = ModelConfig("sentiment", vocab, 2, cell=cell, embedding_dim=args.embedding, hidden_size=args.hidden, dropout=0.0)
        models[cell] = SequenceModel(cfg).train()
    if args.modes:
        for cell in [c for c in cells if c.startswith("lstm-")][:2]:
            for mode in ("script", "compile"):
                model = compiled_step_models(models[cell], mode)
                if model is not None:
                    models[f"{cell} ({mode})"] = model
    clock = CLOCKS[args.clock]
    if "lstm-fgr" in models and args.loops:
        models["lstm-fgr (spec loop)"] = looped_models(models["lstm-fgr"], compile_loop=False)
    if "lstm-fgr" in models and args.compile_loop:
        model = looped_models(models["lstm-fgr"], compile_loop=True)
        wall, cpu = compile_seconds(model, ids, lengths, labels)
        print(f"lstm-fgr (compiled loop): the first step compiles: {wall:.1f} s wall, {cpu:.1f} s CPU of this process")
        shorter = lengths.clone()
        shorter[int(lengths.argmin())] -= 1  # a batch whose shortest sentence is one token shorter: same shapes
        wall, cpu = compile_seconds(model, ids, shorter, labels)
        print(f"lstm-fgr (compiled loop): a batch with another shortest length: {wall:.1f} s wall, {cpu:.1f} s CPU")
        models["lstm-fgr (compiled loop)"] = model
    print(
        f"batch {args.batch}, {args.steps} steps (padding {1 - lengths.sum().item() / (args.batch * args.steps):.0%}), "
        f"hidden {args.hidden}, embedding {args.embedding}, {args.threads} thread(s), {args.clock} clock, "
        f"median of {args.repeats} training steps"
    )
    ms = median_ms(models, ids, lengths, labels, args.repeats, clock)
    print(f"{'cell':<24}{'ms/step':>10}{'x fused LSTM':>14}")
    for name, value in ms.items():
        print(f"{name:<24}{value:>10.1f}{value / ms['lstm']:>13.2f}x")
    worst = max((v / ms["lstm"], k) for k, v in ms.items() if k in CELLS and k != "lstm")
    print(f"slowest variant: {worst[1]} at {worst[0]:.2f}x the fused nn.LSTM (goal: at most 3x)")


if __name__ == "__main__":
    main()
