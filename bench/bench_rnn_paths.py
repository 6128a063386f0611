"""Time one training step (forward + backward) of seqcore's padded path, its packed path, and the usual packed model.

seqcore runs the fused cell on the padded batch, gathers the last relevant output at each
length, and feeds the backward direction each sequence reversed within its own length
(`rnn_impl="padded"`). `rnn_impl="packed"` runs the same modules on `pack_padded_sequence`
batches. The usual approach packs the batch and runs one (bi)directional module. All three give
the same logits; this script checks that, then prints milliseconds per step, the share of the
batch that is padding, and which path `rnn_impl="auto"` takes (`seqcore.models.fastest_path`).

    python bench/bench_rnn_paths.py [--batch 64] [--min-len 5] [--max-len 40] [--repeats 30]
    python bench/bench_rnn_paths.py --sweep   # padded / packed as the padding share grows (max length 40)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seqcore.device import device_for  # noqa: E402
from seqcore.models import ModelConfig, SequenceModel, fastest_path  # noqa: E402


class PackedBaseline(nn.Module):
    """Embedding -> pack_padded_sequence -> one fused (bi)directional module -> final states -> linear."""

    def __init__(self, cell: str, vocab: int, emb: int, hidden: int, bidirectional: bool, classes: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=0)
        module = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = module(emb, hidden, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, state = self.rnn(packed)
        h = state[0] if isinstance(state, tuple) else state  # (dirs, B, H)
        return self.head(torch.cat(list(h), dim=-1))  # (B, C)


def copy_weights(model: SequenceModel, base: PackedBaseline) -> None:
    """Give the baseline exactly seqcore's weights, so their outputs can be compared."""
    with torch.no_grad():
        base.embedding.weight.copy_(model.embedding.weight)
        base.head.load_state_dict(model.head.state_dict())
        for d, rnn in enumerate(model.encoder.layers[0]):
            suffix = "_l0" + ("_reverse" if d else "")
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(base.rnn, name + suffix).copy_(getattr(rnn, name + "_l0"))


def time_steps(
    models: list[nn.Module],
    ids: torch.Tensor,
    lengths: torch.Tensor,
    labels: torch.Tensor,
    repeats: int,
    device: torch.device,
    clock=time.perf_counter,
) -> list[float]:
    """Return the median milliseconds of one forward + backward step of each model, the models interleaved step by step."""
    loss_fn = nn.CrossEntropyLoss()
    times: list[list[float]] = [[] for _ in models]
    for i in range(repeats + 3):
        for k, model in enumerate(models):
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = clock()
            model.zero_grad(set_to_none=True)
            loss_fn(model(ids, lengths), labels).backward()
            if device.type == "cuda":
                torch.cuda.synchronize()
            if i >= 3:  # warm-up
                times[k].append((clock() - t0) * 1000)
    return [statistics.median(t) for t in times]


def make_models(cell: str, bi: bool, args: argparse.Namespace, vocab: int, device: torch.device) -> list[nn.Module]:
    """Return seqcore padded, seqcore packed and the usual packed model, all with the same weights."""
    cfg = ModelConfig(
        task="sentiment",
        vocab_size=vocab,
        num_classes=2,
        cell=cell,
        embedding_dim=args.emb,
        hidden_size=args.hidden,
        bidirectional=bi,
        pooling="last",
        dropout=0.0,  # the usual model has none: time the paths, not dropout
        rnn_impl="padded",
    )
    padded = SequenceModel(cfg).to(device).train()
    packed = SequenceModel(ModelConfig(**{**cfg.to_dict(), "rnn_impl": "packed"})).to(device).train()
    packed.load_state_dict(padded.state_dict())
    base = PackedBaseline(cell, vocab, args.emb, args.hidden, bi, 2).to(device).train()
    copy_weights(padded, base)
    return [padded, packed, base]


def measure_case(lengths: torch.Tensor, args: argparse.Namespace, device: torch.device, cells: list[str]):
    """Time the three paths on one batch of the given lengths, for each cell and direction; yield one dict per row.

    Each row: cell, bi, share (of padding), padded / packed / usual (median ms per step), diff (largest logit gap
    between the paths) and auto (the path `rnn_impl="auto"` takes: these models pool "last").
    """
    vocab = 5000
    T = int(lengths.max())
    share = 1 - lengths.sum().item() / (len(lengths) * T)
    ids = torch.randint(2, vocab, (len(lengths), T)) * (torch.arange(T) < lengths.unsqueeze(1))
    labels = torch.randint(0, 2, (len(lengths),))
    ids, labels = ids.to(device), labels.to(device)
    for cell in cells:
        for bi in (False, True):
            models = make_models(cell, bi, args, vocab, device)
            with torch.no_grad():
                out = [m.eval()(ids, lengths.to(device)) for m in models]
                diff = max((out[0] - o).abs().max().item() for o in out[1:])
            for m in models:
                m.train()
            clock = time.process_time if args.clock == "cpu" else time.perf_counter
            t_pad, t_packed, t_base = time_steps(models, ids, lengths.to(device), labels, args.repeats, device, clock)
            auto = fastest_path(cell, device.type, lengths, T, final_only=True)
            yield {
                "cell": cell,
                "bi": bi,
                "share": share,
                "padded": t_pad,
                "packed": t_packed,
                "usual": t_base,
                "diff": diff,
                "auto": auto,
            }


def run_case(name: str, lengths: torch.Tensor, args: argparse.Namespace, device: torch.device, cells: list[str]) -> None:
    """Print one line per cell and direction of `measure_case`."""
    for r in measure_case(lengths, args, device, cells):
        print(
            f"{name:<20}{r['share']:>6.0%}  {r['cell']:<5}{'bi' if r['bi'] else 'uni':<4}"
            f"{r['padded']:>9.1f}{r['packed']:>9.1f}{r['usual']:>9.1f}"
            f"{r['packed'] / r['padded']:>9.2f}x{r['usual'] / r['padded']:>9.2f}x{r['diff']:>10.1e}  {r['auto']}",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=64, help="sentences per batch")
    ap.add_argument("--min-len", type=int, default=5, help="shortest sentence")
    ap.add_argument("--max-len", type=int, default=40, help="longest sentence")
    ap.add_argument("--emb", type=int, default=100, help="embedding size")
    ap.add_argument("--hidden", type=int, default=128, help="hidden size per direction")
    ap.add_argument("--repeats", type=int, default=30, help="timed steps per configuration (median reported)")
    ap.add_argument("--device", default=None, help="cpu, cuda or mps (default: the batch device)")
    ap.add_argument("--cells", nargs="+", default=["lstm", "gru", "rnn"], help="cells to time")
    ap.add_argument("--sweep", action="store_true", help="vary the padding share instead (lengths uniform in lo..max-len)")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    ap.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="wall time, or this process's CPU time (with --threads 1: robust on a shared machine)",
    )
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    device = torch.device(args.device) if args.device else device_for("batch")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads, load average {load:.1f}; batch {args.batch}, "
        f"embedding {args.emb}, hidden {args.hidden}; median of {args.repeats} interleaved steps, {args.clock} time"
    )
    print(
        f"{'batch lengths':<20}{'pad':>6}  {'cell':<5}{'dir':<4}{'padded':>9}{'packed':>9}{'usual':>9}"
        f"{'packed/':>10}{'usual/':>10}{'max|diff|':>10}  auto"
    )
    print(f"{'':<20}{'share':>6}  {'':<9}{'ms':>9}{'ms':>9}{'ms':>9}{'padded':>10}{'padded':>10}")
    torch.manual_seed(0)
    if args.sweep:
        for lo in (args.max_len, args.max_len * 3 // 4, args.max_len // 2, args.max_len // 4, 1):
            lengths = torch.randint(lo, args.max_len + 1, (args.batch,))
            lengths[0] = args.max_len
            run_case(f"random {lo}..{args.max_len}", lengths, args, device, args.cells)
        return
    spread = torch.randint(args.min_len, args.max_len + 1, (args.batch,))
    # seqcore's batches come from length buckets: a batch spans a few lengths, not the whole range.
    mid = (args.min_len + args.max_len) // 2
    bucket = torch.randint(mid - 2, mid + 3, (args.batch,))
    for name, lengths in ((f"random {args.min_len}..{args.max_len}", spread), (f"bucketed {mid - 2}..{mid + 2}", bucket)):
        run_case(name, lengths, args, device, args.cells)


if __name__ == "__main__":
    main()
