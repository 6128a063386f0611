"""Time one training step (forward + backward) of seqcore's padded path against the usual packed path.

seqcore runs the fused cell on the padded batch, gathers the last relevant output at each
length, and feeds the backward direction each sequence reversed within its own length.
The usual approach packs the batch with `pack_padded_sequence` and runs one (bi)directional
module. Both give the same logits; this script checks that, then prints milliseconds per
step and the ratio.

    python bench/bench_rnn_paths.py [--batch 64] [--min-len 5] [--max-len 40] [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seqcore.device import pick_device  # noqa: E402
from seqcore.models import ModelConfig, SequenceModel  # noqa: E402


class PackedBaseline(nn.Module):
    """Embedding -> pack_padded_sequence -> one fused (bi)directional module -> final states -> linear."""

    def __init__(self, cell: str, vocab: int, emb: int, hidden: int, bidirectional: bool, classes: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=0)
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](emb, hidden, batch_first=True, bidirectional=bidirectional)
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


def time_step(
    model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor, repeats: int, device: torch.device
) -> float:
    """Return the median milliseconds of one forward + backward step."""
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for i in range(repeats + 3):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        model.zero_grad(set_to_none=True)
        loss_fn(model(ids, lengths), labels).backward()
        if device.type == "cuda":
            torch.cuda.synchronize()
        if i >= 3:  # warm-up
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=64, help="sentences per batch")
    ap.add_argument("--min-len", type=int, default=5, help="shortest sentence")
    ap.add_argument("--max-len", type=int, default=40, help="longest sentence")
    ap.add_argument("--emb", type=int, default=100, help="embedding size")
    ap.add_argument("--hidden", type=int, default=128, help="hidden size per direction")
    ap.add_argument("--repeats", type=int, default=30, help="timed steps per configuration (median reported)")
    ap.add_argument("--device", default=None, help="cpu, cuda or mps (default: best available)")
    args = ap.parse_args()

    device = torch.device(args.device) if args.device else pick_device()
    print(
        f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads; batch {args.batch}, "
        f"embedding {args.emb}, hidden {args.hidden}; median of {args.repeats} steps"
    )
    print(
        f"{'batch lengths':<22}{'cell':<6}{'dirs':<6}{'seqcore padded ms':>19}{'packed ms':>12}{'speed-up':>10}{'max |diff|':>12}"
    )
    torch.manual_seed(0)
    spread = torch.randint(args.min_len, args.max_len + 1, (args.batch,))
    # seqcore's batches come from length buckets: a batch spans a few lengths, not the whole range.
    mid = (args.min_len + args.max_len) // 2
    bucket = torch.randint(mid - 2, mid + 3, (args.batch,))
    for name, lengths in ((f"random {args.min_len}..{args.max_len}", spread), (f"bucketed {mid - 2}..{mid + 2}", bucket)):
        run_case(name, lengths, args, device)


def run_case(name: str, lengths: torch.Tensor, args: argparse.Namespace, device: torch.device) -> None:
    """Time both paths on one batch of the given lengths, for each cell and direction."""
    vocab = 5000
    T = int(lengths.max())
    ids = torch.randint(2, vocab, (args.batch, T)) * (torch.arange(T) < lengths.unsqueeze(1))
    labels = torch.randint(0, 2, (args.batch,))
    ids, lengths, labels = ids.to(device), lengths.to(device), labels.to(device)
    for cell in ("lstm", "gru"):
        for bi in (False, True):
            cfg = ModelConfig(
                task="sentiment",
                vocab_size=vocab,
                num_classes=2,
                cell=cell,
                embedding_dim=args.emb,
                hidden_size=args.hidden,
                bidirectional=bi,
                pooling="last",
            )
            ours = SequenceModel(cfg).to(device).train()
            base = PackedBaseline(cell, vocab, args.emb, args.hidden, bi, 2).to(device).train()
            copy_weights(ours, base)
            with torch.no_grad():
                diff = (ours(ids, lengths) - base(ids, lengths)).abs().max().item()
            t_ours = time_step(ours, ids, lengths, labels, args.repeats, device)
            t_base = time_step(base, ids, lengths, labels, args.repeats, device)
            print(
                f"{name:<22}{cell:<6}{'bi' if bi else 'uni':<6}{t_ours:>19.1f}{t_base:>12.1f}{t_base / t_ours:>9.2f}x{diff:>12.1e}"
            )


if __name__ == "__main__":
    main()
