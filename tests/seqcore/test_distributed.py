"""Distributed training: 2 CPU processes (gloo) train what 1 process trains with the same global batch."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
from safetensors.torch import load_file, save_file

from seqcore import distributed
from seqcore.pipeline import FitSpec, fit
from seqcore.training import TrainConfig
from tests.synthetic import aspect_data, sentiment_data, tagging_data

ROOT = Path(__file__).resolve().parents[2]
TINY = dict(embedding_dim=10, hidden_size=8, dropout=0.0)  # dropout 0: every rank would draw its own masks


def case(name: str):
    """Return (spec, cfg, examples) of one comparison; train sizes leave a last global batch of one example."""
    if name == "sentiment":
        spec = FitSpec(task="sentiment", cell="lstm", bidirectional=True, pooling="max", **TINY)
        return spec, TrainConfig(epochs=3, batch_size=8, lr=0.01, seed=4, device="cpu", report_every=4), sentiment_data(101)
    if name == "tagging":  # per-token loss: each share holds a different number of labeled tokens
        spec = FitSpec(task="tagging", cell="gru", **TINY)
        return spec, TrainConfig(epochs=2, batch_size=6, lr=0.01, seed=2, device="cpu"), tagging_data(81)
    spec = FitSpec(task="aspect", cell="rnn", **TINY)  # early stopping decided on rank 0 and broadcast
    cfg = TrainConfig(epochs=6, batch_size=5, lr=1e-9, patience=1, seed=3, device="cpu")
    return spec, cfg, aspect_data(71)


CASES = ("sentiment", "tagging", "aspect")


def rank_main(rank: int, world: int, port: int, out: str) -> None:
    """One process of the group: train every case, write its weights and what rank 0 reported."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    ctx = distributed.start(torch.device("cpu"))
    try:
        for name in CASES:
            spec, cfg, data = case(name)
            fitted = fit(spec, cfg, data, test_examples=data[:20])
            state = {k: v.contiguous() for k, v in fitted.model.state_dict().items()}
            save_file(state, f"{out}/{name}-{ctx.rank}.safetensors")
            report = {
                "world_size": fitted.card["world_size"],
                "best_epoch": fitted.result.best_epoch,
                "epochs_run": fitted.result.epochs_run,
                "stopped_early": fitted.result.stopped_early,
                "history": [[p.epoch, p.train_loss, p.dev_accuracy] for p in fitted.result.history if p.kind == "epoch"],
                "test": fitted.card.get("test_metrics"),
            }
            Path(f"{out}/{name}-{ctx.rank}.json").write_text(json.dumps(report))
        # As `seqcore train` does: no rank leaves the group while another still works (rank 0 scores test alone);
        # a rank that tore its group down early aborted now and then on a loaded machine.
        distributed.barrier()
    finally:
        distributed.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ddp")
    mp.spawn(rank_main, args=(2, free_port(), str(out)), nprocs=2, join=True)
    return out


@pytest.mark.parametrize("name", CASES)
def test_two_processes_train_what_one_process_trains_with_the_same_global_batch(two_ranks, name):
    spec, cfg, data = case(name)
    single = fit(spec, cfg, data, test_examples=data[:20])
    assert single.card["world_size"] == 1
    ranks = [load_file(str(two_ranks / f"{name}-{r}.safetensors")) for r in (0, 1)]
    for k, v in single.model.state_dict().items():
        torch.testing.assert_close(ranks[0][k], v, rtol=1e-4, atol=2e-5, msg=f"{name}: {k}")
        assert torch.equal(ranks[0][k], ranks[1][k]), k  # DDP keeps every rank's weights identical
    main, other = (json.loads((two_ranks / f"{name}-{r}.json").read_text()) for r in (0, 1))
    assert main["world_size"] == 2
    assert (main["best_epoch"], main["epochs_run"], main["stopped_early"]) == (
        single.result.best_epoch,
        single.result.epochs_run,
        single.result.stopped_early,
    )
    assert (other["best_epoch"], other["epochs_run"]) == (main["best_epoch"], main["epochs_run"])  # the broadcast decision
    epochs = [p for p in single.result.history if p.kind == "epoch"]
    assert [h[0] for h in main["history"]] == [p.epoch for p in epochs]
    for h, p in zip(main["history"], epochs):
        assert h[1] == pytest.approx(p.train_loss, rel=1e-5)  # the global mean over labeled items, not a mean of rank means
        assert h[2] == pytest.approx(p.dev_accuracy)
    assert other["history"] == [] and other["test"] is None  # rank 0 alone scores dev and test
    assert main["test"]["n"] == single.card["test_metrics"]["n"]
    if name == "aspect":
        assert main["stopped_early"]


def test_shard_splits_each_global_batch_contiguously_and_evenly():
    batch = list(range(10, 17))  # 7 positions
    shares = [distributed.shard(batch, r, 3) for r in range(3)]
    assert shares == [[10, 11, 12], [13, 14], [15, 16]]
    assert [distributed.shard([5], r, 2) for r in range(2)] == [[5], []]


def test_one_process_is_not_distributed(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert distributed.start(torch.device("cpu")) is None
    assert distributed.current() is None and distributed.world_size() == 1 and distributed.is_main()
    monkeypatch.setenv("WORLD_SIZE", "two")
    with pytest.raises(ValueError, match="WORLD_SIZE must be a whole number"):
        distributed.start(torch.device("cpu"))


def write_polarity(folder: Path) -> list[str]:
    data = sentiment_data(90, seed=9)
    for label, suffix in (("positive", "pos"), ("negative", "neg")):
        lines = [ex.text or " ".join(ex.tokens) for ex in data if ex.label == label]
        (folder / f"tiny.{suffix}").write_text("\n".join(lines) + "\n", encoding="latin-1")
    return [str(folder / "tiny.pos"), str(folder / "tiny.neg")]


def test_torchrun_trains_on_two_processes_and_rank_0_alone_writes_the_checkpoint(tmp_path):
    files = write_polarity(tmp_path)
    flags = ["train", "--task", "sentiment", "--data", *files, "--epochs", "2", "--batch-size", "8", "--dropout", "0"]
    flags += ["--hidden-size", "6", "--embedding-dim", "6", "--device", "cpu", "--test", *files]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    one = subprocess.run(
        [sys.executable, "-m", "seqcore", *flags, "--out", str(tmp_path / "one")], capture_output=True, text=True, env=env
    )
    assert one.returncode == 0, one.stderr
    run = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "seqcore"]
    two = subprocess.run([*run, *flags, "--out", str(tmp_path / "two")], capture_output=True, text=True, env=env, timeout=300)
    assert two.returncode == 0, two.stderr
    assert two.stdout.count("saved ") == 1  # rank 0 alone summarizes (and saves)
    assert two.stdout.count("epoch  1") == 1
    card = json.loads((tmp_path / "two" / "card.json").read_text())
    assert card["world_size"] == 2 and json.loads((tmp_path / "one" / "card.json").read_text())["world_size"] == 1
    a, b = (load_file(str(tmp_path / d / "weights.safetensors")) for d in ("one", "two"))
    for k in a:
        torch.testing.assert_close(b[k], a[k], rtol=1e-4, atol=2e-5)
