"""Command line: every command works end to end; user errors are one line with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from seqcore.cli import build_parser, main
from tests.synthetic import sentiment_data

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo"
TINY = ["--embedding-dim", "8", "--hidden-size", "6", "--epochs", "2", "--batch-size", "4", "--quiet", "--device", "cpu"]


@pytest.fixture(scope="module")
def polarity_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("pol")
    data = sentiment_data(60)
    (d / "x.pos").write_bytes("".join(e.text + "\n" for e in data if e.label == "positive").encode("latin-1"))
    (d / "x.neg").write_bytes("".join(e.text + "\n" for e in data if e.label == "negative").encode("latin-1"))
    return d / "x.pos", d / "x.neg"


def test_every_flag_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        for action in p._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_sentiment_train_predict_trace_evaluate(tmp_path, polarity_files, capsys):
    out = tmp_path / "sent"
    assert (
        main(["train", "--task", "sentiment", "--data", *map(str, polarity_files), "--cell", "gru", "--out", str(out), *TINY])
        == 0
    )
    assert "saved" in capsys.readouterr().out
    card = json.loads((out / "card.json").read_text())
    assert card["task"] == "sentiment" and card["cell"] == "gru" and card["sizes"]["dev"] > 0

    assert main(["predict", str(out), "the food was good"]) == 0
    line = capsys.readouterr().out
    assert "P(positive)=" in line and "P(negative)=" in line

    assert main(["trace", str(out), "the food was good", "--units", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("GRU layer 0 forward")
    assert "r[0]" in lines[1] and "z[1]" in lines[1] and "n[0]" in lines[1] and "h[1]" in lines[1]
    assert [ln.split()[0] for ln in lines[2:]] == ["the", "food", "was", "good"]

    assert main(["evaluate", str(out), "--data", *map(str, polarity_files), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["n"] == 60 and 0.0 <= metrics["accuracy"] <= 1.0


def test_kfold_training_records_cross_validation(tmp_path, polarity_files, capsys):
    out = tmp_path / "cv"
    args = [
        "train",
        "--task",
        "sentiment",
        "--data",
        *map(str, polarity_files),
        "--folds",
        "3",
        "--ship-fold",
        "1",
        "--out",
        str(out),
        *TINY,
    ]
    assert main(args) == 0
    card = json.loads((out / "card.json").read_text())
    cv = card["cross_validation"]
    assert card["hard_slice"]["applies"] is False and card["hard_slice"]["accuracy"] is None  # no aspects: said so
    assert cv["folds"] == 3 and cv["shipped_fold"] == 1 and len(cv["per_fold"]) == 3
    assert cv["mean_accuracy"] == pytest.approx(sum(f["accuracy"] for f in cv["per_fold"]) / 3)
    assert "3-fold accuracy" in capsys.readouterr().out


def test_aspect_train_on_demo_and_predict_with_aspects(tmp_path, capsys):
    out = tmp_path / "asp"
    demo = DEMO / "restaurants_2014_demo.xml"
    assert (
        main(
            [
                "train",
                "--task",
                "aspect",
                "--data",
                str(demo),
                "--test",
                str(demo),
                "--out",
                str(out),
                "--dev-fraction",
                "0.3",
                *TINY,
            ]
        )
        == 0
    )
    card = json.loads((out / "card.json").read_text())
    assert card["test_metrics"]["labels"] == ["negative", "neutral", "positive"]
    hard = card["hard_slice"]  # the test sentences whose aspects disagree in polarity, scored apart
    assert hard["sentences"] >= 0 and "applies" not in hard and "disagree" in hard["slice"]
    capsys.readouterr()
    assert (
        main(["predict", str(out), "The pasta was great but the service was slow", "--aspect", "pasta", "--aspect", "service"])
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("pasta: ") and lines[1].startswith("service: ")
    assert main(["predict", str(out), "The pasta was great"]) == 2
    assert "needs at least one --aspect" in capsys.readouterr().err
    assert main(["predict", str(out), "The pasta was great", "--aspect", "wine"]) == 2
    assert "does not occur" in capsys.readouterr().err


def test_tagging_train_and_predict(tmp_path, capsys):
    out = tmp_path / "pos"
    conllu = ROOT / "tests" / "fixtures" / "mini.conllu"
    assert main(["train", "--task", "tagging", "--data", str(conllu), "--dev", str(conllu), "--out", str(out), *TINY]) == 0
    capsys.readouterr()
    assert main(["predict", str(out), "The cat sat ."]) == 0
    assert [w.split("/")[0] for w in capsys.readouterr().out.split()] == ["The", "cat", "sat", "."]


def test_stats_lists_counts_and_problems(capsys):
    # Exit 1: parts of a file were skipped or repaired (each one listed).
    assert main(["stats", str(DEMO / "broken_demo.xml"), str(DEMO / "restaurants_2016_demo.xml")]) == 1
    out = capsys.readouterr().out
    assert "kind: semeval2014" in out and "kind: semeval2016" in out
    assert "null_targets" in out
    assert "problems: 5" in out
    assert (
        main(["stats", str(DEMO / "restaurants_2016_demo.xml"), str(ROOT / "data/ud-english-ewt/en_ewt-ud-dev.conllu.gz")]) == 0
    )
    out = capsys.readouterr().out
    assert "kind: conllu" in out and "sentences: 2001" in out and "words: 25147" in out


def test_stats_reports_every_refused_file_keeps_going_and_returns_2(tmp_path, capsys):
    empty, text, exe = tmp_path / "empty.xml", tmp_path / "notes.xml", tmp_path / "prog"
    empty.write_bytes(b"")
    text.write_text("just a line of text\n")
    exe.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\n" * 500)
    files = [empty, text, exe, tmp_path, tmp_path / "missing.txt", DEMO / "restaurants_2016_demo.xml"]
    assert main(["stats", *map(str, files)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"error: {empty} is empty; expected a SemEval XML file.",
        f"error: {text} is not well-formed XML (syntax error at line 1, column 1); check that the file is complete and really is XML.",
        f"error: {exe} is a binary file, not text (NUL byte at offset 7); expected UTF-8 text: SemEval XML, CoNLL-U, or one sentence per line.",
        f"error: {tmp_path} is a folder, not a file; name the data files inside it.",
        f"error: no such file: {tmp_path / 'missing.txt'}",
    ]
    assert "kind: semeval2016" in captured.out and "text_lines" not in captured.out


def test_stats_prints_a_progress_line_for_a_big_file(monkeypatch, capsys):
    from seqcore import cli

    monkeypatch.setattr(cli.ProgressLine, "MIN_BYTES", 1000)
    assert main(["stats", str(DEMO / "broken_demo.xml")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("reading ") and err[-1].endswith("100% of 0.0 MB") and len(err) <= 5


def test_progress_line_in_place_on_a_terminal():
    import io

    from seqcore.cli import ProgressLine

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    line = ProgressLine(out)
    for done in range(0, 41_000_000, 1_000_000):
        line("big.xml", done, 40_000_000)
    text = out.getvalue()
    assert text.count("\r") == 41 and text.endswith("reading big.xml: 100% of 40.0 MB\n") and "\n" not in text[:-1]
    line("small.xml", 10, 100)  # under MIN_BYTES: nothing
    assert out.getvalue() == text


@pytest.mark.parametrize("model", ["aspect-restaurants-lstm", "pos-ewt-lstm", "sentiment-lstm"])
def test_evaluate_refuses_a_folder_a_binary_file_and_a_file_of_another_kind(model, tmp_path, capsys):
    exe = tmp_path / "prog"
    exe.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\n" * 500)
    other = {"aspect-restaurants-lstm": "a CoNLL-U file, but an aspect model", "pos-ewt-lstm": "an XML file, but a tagging model"}
    wrong = ROOT / ("data/ud-english-ewt/en_ewt-ud-dev.conllu.gz" if model.startswith("aspect") else "demo/broken_demo.xml")
    cases = [
        ([str(tmp_path)], f"{tmp_path} is a folder, not a file"),
        ([str(exe)], f"{exe} is a binary file, not text"),
        ([str(wrong)], other.get(model, "an XML file, but a sentiment model")),
    ]
    for data, message in cases:
        assert main(["evaluate", str(ROOT / "models" / model), "--data", *data]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    "argv,message",
    [
        (["stats", "/no/such/file.xml"], "no such file"),
        (["predict", "/no/such/model", "hi"], "no checkpoint folder"),
        (["train", "--task", "sentiment", "--data", "a.txt", "--out", "x"], "no such data file"),
        (["train", "--task", "aspect", "--data", "demo/broken_demo.xml", "--out", "x", "--dropout", "1.5"], "dropout must be in"),
    ],
)
def test_user_errors_are_one_line_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_process_exit_codes_and_no_traceback(tmp_path):
    bad = tmp_path / "evil.xml"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><sentences>&e;</sentences>')
    run = lambda *a: subprocess.run([sys.executable, "-m", "seqcore", *a], capture_output=True, text=True, cwd=ROOT)  # noqa: E731
    r = run("stats", str(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.startswith("error: ")
    r = run("evaluate", "models/pos-ewt-lstm", "--data", "data/ud-english-ewt")
    assert (
        r.returncode == 2 and r.stderr == "error: data/ud-english-ewt is a folder, not a file; name the data files inside it.\n"
    )
    r = run("stats", "/bin/ls" if Path("/bin/ls").is_file() else sys.executable, str(bad))
    assert r.returncode == 2 and r.stderr.count("error: ") == 2 and "is a binary file, not text" in r.stderr
    r = run("train", "--task", "poetry")
    assert r.returncode == 2 and "invalid choice" in r.stderr
    r = run("--help")
    assert r.returncode == 0 and all(c in r.stdout for c in ["train", "evaluate", "predict", "trace", "stats"])


def test_predict_trace_and_evaluate_read_a_model_zip(tmp_path, polarity_files, capsys):
    from seqcore.checkpoints import checkpoint_to_zip

    out = tmp_path / "sent"
    assert main(["train", "--task", "sentiment", "--data", *map(str, polarity_files), "--out", str(out), *TINY]) == 0
    capsys.readouterr()
    (tmp_path / "sent.zip").write_bytes(checkpoint_to_zip(out))
    for folder_or_zip in (out, tmp_path / "sent.zip"):
        assert main(["predict", str(folder_or_zip), "the food was good"]) == 0
        assert main(["trace", str(folder_or_zip), "the food was good", "--units", "1"]) == 0
        assert main(["evaluate", str(folder_or_zip), "--data", *map(str, polarity_files), "--json"]) == 0
    printed = capsys.readouterr().out
    half = len(printed) // 2
    assert printed[:half] == printed[half:]  # the zip answers exactly as the folder does
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 broken")
    assert main(["predict", str(tmp_path / "bad.zip"), "good"]) == 2
    assert "error:" in capsys.readouterr().err


def test_a_sentence_over_the_token_cap_is_one_line_error(tmp_path, polarity_files, capsys, monkeypatch):
    out = tmp_path / "sent"
    assert main(["train", "--task", "sentiment", "--data", *map(str, polarity_files), "--out", str(out), *TINY]) == 0
    capsys.readouterr()
    monkeypatch.setenv("SEQCORE_MAX_TOKENS", "5")
    assert main(["trace", str(out), "one two three four five six"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the sentence has 6 tokens") and len(err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def untrained_checkpoints(tmp_path_factory):
    """Untrained bidirectional sentiment and aspect checkpoints: gradflow needs weights, not skill."""
    import torch

    from seqcore.checkpoints import save_checkpoint
    from seqcore.pipeline import FitSpec, build_model
    from seqcore.tasks import build_encoder
    from tests.synthetic import aspect_data

    d = tmp_path_factory.mktemp("gradflow")
    out = {}
    for task, data, extra in [("sentiment", sentiment_data(20), {"bidirectional": True}), ("aspect", aspect_data(20), {})]:
        enc = build_encoder(task, data)
        torch.manual_seed(0)
        model = build_model(FitSpec(task=task, cell="gru", embedding_dim=4, hidden_size=3, **extra), enc)
        out[task] = save_checkpoint(d / task, model, enc, {"task": task})
    return out


def test_gradflow_json_has_one_norm_per_token(untrained_checkpoints, capsys):
    from seqcore.checkpoints import load_checkpoint
    from seqcore.gradflow import gradient_flow_text

    path = untrained_checkpoints["sentiment"]
    assert main(["gradflow", str(path), "the food was not good", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tokens"] == ["the", "food", "was", "not", "good"] and len(data["grad_norms"]) == 5
    assert "concatenated" in data["grad_norms_of"] and data["target"] == data["predicted"]
    ck = load_checkpoint(path)
    flow = gradient_flow_text(ck.model, ck.encoder, "the food was not good")
    np.testing.assert_allclose(data["grad_norms"], flow.first_layer())
    np.testing.assert_allclose(
        data["grad_norms"], np.hypot(flow.hidden[(0, "forward")], flow.hidden[(0, "backward")])
    )  # the concatenated state [forward; backward]
    assert main(["gradflow", str(path), "the food was not good", "--target", "positive", "--readout", "last"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("GRU: loss = -log P(positive)") and "forward" in lines[1] and "backward" in lines[1]
    assert [ln.split()[0] for ln in lines[2:]] == ["the", "food", "was", "not", "good"]


def test_gradflow_aspect_model(untrained_checkpoints, capsys):
    path = str(untrained_checkpoints["aspect"])
    assert main(["gradflow", path, "the food was good", "--aspect", "food", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["item"] == 0 and len(data["grad_norms"]) == 4 and all(v > 0 for v in data["grad_norms"])


MODELS = ROOT / "models"
SENTENCE = "The pasta was great but the service was painfully slow ."


def test_units_lists_ranked_units_as_json(capsys):
    assert main(["units", str(MODELS / "sentiment-gru"), SENTENCE, "--top", "7", "--json"]) == 0
    units = json.loads(capsys.readouterr().out)["units"]
    assert len(units) == 7 and all({"layer", "direction", "unit", "score"} <= set(u) for u in units)
    assert [u["score"] for u in units] == sorted((u["score"] for u in units), reverse=True)
    assert main(["units", str(MODELS / "aspect-restaurants-lstm"), SENTENCE, "--aspect", "service", "--span", "7:10"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("aspect 'service' (tokens 6:7)") and "change over tokens 7:10" in out[0] and len(out) == 22


def test_saliency_json_adds_up_to_the_logit_change(capsys):
    assert main(["saliency", str(MODELS / "pos-ewt-lstm"), SENTENCE, "--token", "3", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["tokens"][3] == "great" and len(d["attributions"]) == len(d["tokens"]) == 11
    assert sum(d["attributions"]) == pytest.approx(d["logit"] - d["baseline_logit"], rel=0.01)
    assert d["target"] == "ADJ" and "LayerIntegratedGradients" in d["method"] and d["completeness_error"] <= 0.01
    assert main(["saliency", str(MODELS / "aspect-restaurants-gru"), SENTENCE, "--aspect", "pasta", "--target", "negative"]) == 0
    out = capsys.readouterr().out
    assert "logit(negative)" in out and "within" in out and "pasta" in out


def test_search_finds_matches_in_data_files(capsys):
    model = str(MODELS / "aspect-restaurants-lstm")
    demo = str(DEMO / "restaurants_2014_demo.xml")
    assert (
        main(["search", model, "The service was not good .", "--span", "3:5", "--data", demo, "--threshold", "0.1", "--json"])
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert d["units"] and all({"layer", "direction", "unit"} <= set(u) for u in d["units"])
    assert d["matches"] and all({"id", "text", "start", "end", "score"} <= set(m) for m in d["matches"])
    assert [m["score"] for m in d["matches"]] == sorted((m["score"] for m in d["matches"]), reverse=True)
    assert all(m["end"] - m["start"] == 2 for m in d["matches"])
    tsv = str(ROOT / "tests" / "fixtures" / "labeled.tsv")
    # sentiment-gru: no unit of the vector-started sentiment-lstm is on over all of 'not good' here above 0.05
    argv = ["search", str(MODELS / "sentiment-gru"), "the curry was not good at all", "--span", "3:5", "--data", tsv]
    assert main([*argv, "--top", "2", "--threshold", "0.2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("pattern: ") and "'not good'" in out[0] and "3 sentences searched" in out[0]
    assert len(out) == 3 and all("[[" in line and "labeled.tsv#" in line for line in out[1:])
    assert main([*argv, "--threshold", "0.99"]) == 0  # no unit is that clearly on: said plainly, not an error
    assert capsys.readouterr().out.startswith("no unit is on over tokens 3:5 'not good'")


@pytest.mark.parametrize(
    "argv,message",
    [
        (["gradflow", "{sentiment}", "   "], "the sentence is empty"),
        (["gradflow", "{sentiment}", ""], "the sentence is empty"),
        (["gradflow", "/no/such/model", "good food"], "no checkpoint folder"),
        (["gradflow", "{aspect}", "the food was good"], "needs an aspect term"),
        (["gradflow", "{aspect}", "the food was good", "--aspect", "wine"], "does not occur"),
        (["gradflow", "{sentiment}", "good food", "--target", "happy"], "unknown class 'happy'"),
        (["gradflow", "{sentiment}", "good food", "--token", "1"], "token position applies to tagging"),
        (["gradflow", "{aspect}", "the food", "--aspect", "food", "--readout", "max"], "readout applies to sentence"),
    ],
)
def test_gradflow_user_errors_are_one_line_exit_2(untrained_checkpoints, argv, message, capsys):
    argv = [a.format(**{k: str(v) for k, v in untrained_checkpoints.items()}) for a in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ") and message in captured.err and len(captured.err.strip().splitlines()) == 1
    assert captured.out == ""


def test_gradflow_help_says_what_the_norm_is(capsys):
    with pytest.raises(SystemExit):
        main(["gradflow", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "concatenated state of the first layer" in text and "predicted class" in text


@pytest.mark.parametrize(
    "argv,message",
    [
        (["units", "sentiment-gru", SENTENCE, "--span", "9:14"], "the span 9:14 is outside the sentence's 11 tokens"),
        (["units", "sentiment-gru", SENTENCE, "--span", "3-4"], "--span must be I:J"),
        (["units", "sentiment-gru", SENTENCE, "--top", "0"], "--top must be at least 1"),
        (["units", "aspect-restaurants-lstm", SENTENCE], "explains one aspect"),
        (["search", "sentiment-gru", SENTENCE, "--span", "5:5", "--data", "x.tsv"], "the span 5:5 is outside"),
        (["saliency", "aspect-restaurants-gru", SENTENCE, "--aspect", "wine"], "does not occur in the sentence"),
        (["saliency", "pos-ewt-lstm", SENTENCE, "--token", "11"], "token index 11 is out of range"),
        (["saliency", "pos-ewt-lstm", SENTENCE, "--token", "-1"], "token index -1 is out of range"),
        (["saliency", "sentiment-rnn", SENTENCE, "--target", "happy"], "unknown class 'happy'"),
        (["saliency", "sentiment-rnn", SENTENCE, "--steps", "0"], "--steps must be at least 1"),
        (["saliency", "sentiment-rnn", "   "], "the sentence is empty"),
    ],
)
def test_why_commands_print_one_line_errors(argv, message, capsys):
    argv = [argv[0], str(MODELS / argv[1]), *argv[2:]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_search_rejects_an_empty_or_missing_data_file(tmp_path, capsys):
    empty = tmp_path / "empty.pos"
    empty.write_text("")
    model = str(MODELS / "sentiment-gru")
    assert main(["search", model, SENTENCE, "--span", "0:2", "--data", str(empty), "--threshold", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {empty}: no sentence to search") and len(err.strip().splitlines()) == 1
    (tmp_path / "empty.xml").write_text("")
    aspect = str(MODELS / "aspect-restaurants-lstm")
    assert main(["search", aspect, SENTENCE, "--span", "0:2", "--data", str(tmp_path / "empty.xml")]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert main(["search", model, SENTENCE, "--span", "0:2", "--data", str(tmp_path / "nope.tsv")]) == 2
    assert "no such data file" in capsys.readouterr().err


def test_why_commands_exit_2_without_a_traceback():
    r = subprocess.run(
        [sys.executable, "-m", "seqcore", "saliency", str(MODELS / "pos-ewt-lstm"), "a b c", "--token", "7"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.startswith("error: token index 7")


def _unreadable(monkeypatch, victim: str) -> None:
    """Reading `victim` fails as an unreadable file does (chmod 000 does not stop root, who runs CI)."""
    import builtins
    import io

    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if str(file).endswith(victim):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    for target in (builtins, io):
        monkeypatch.setattr(target, "open", guarded)


def test_an_unreadable_data_file_is_one_line_error_exit_2(tmp_path, capsys, monkeypatch):
    name = "restaurants_2014_demo.xml"
    import shutil

    copy = tmp_path / name
    shutil.copy(DEMO / name, copy)
    if os.geteuid() != 0:
        copy.chmod(0)
    else:
        _unreadable(monkeypatch, name)
    assert main(["stats", str(copy)]) == 2
    err = capsys.readouterr().err
    assert f"cannot read {copy}: Permission denied" in err and "Traceback" not in err
    assert main(["evaluate", str(ROOT / "models" / "aspect-restaurants-gru"), "--data", str(copy)]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"error: cannot read {copy}: Permission denied"]


def test_train_flags_default_to_the_dataclass_fields():
    from seqcore.cli import settings_from_args
    from seqcore.models import ModelConfig, defaults
    from seqcore.pipeline import FitSpec
    from seqcore.training import TrainConfig

    args = build_parser().parse_args(["train", "--task", "aspect", "--data", "x.xml", "--out", "o"])
    spec, cfg = settings_from_args(args)
    assert spec == FitSpec(task="aspect") and cfg == TrainConfig()
    model = defaults(ModelConfig)
    assert (spec.hidden_size, spec.embedding_dim, spec.dropout, spec.pooling) == (
        model["hidden_size"],
        model["embedding_dim"],
        model["dropout"],
        model["pooling"],
    )


def test_variants_list_names_every_cell_and_variant(capsys):
    from seqcore.cells import CELLS

    assert main(["variants", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["variants"]
    assert [v["name"] for v in listed] == list(CELLS)
    assert {"lstm-peephole", "lstm-nfg", "lstm-cifg", "lstm-fgr", "gru-nrg", "gru-nug", "mgu"} <= {v["name"] for v in listed}
    assert all(v["description"] for v in listed)


def test_variants_runs_a_tiny_memory_experiment(capsys):
    argv = ["variants", "--task", "memory", "--variants", "lstm-peephole,lstm-nfg", "--seeds", "2", "--length", "4"]
    assert main([*argv, "--max-seconds", "20", "--json"]) == 0
    captured = capsys.readouterr()
    results = json.loads(captured.out)["results"]
    assert [r["variant"] for r in results] == ["lstm-peephole", "lstm-nfg"]
    for r in results:
        assert r["seeds"] == 2 and len(r["accuracies"]) == 2 and r["seconds"] > 0
        assert 0.0 <= r["accuracy_mean"] <= 1.0 and r["accuracy_std"] >= 0.0
    assert results[1]["vs"] == "lstm-peephole" and results[0]["vs"] is None
    assert captured.err.count("test accuracy") == 4  # one progress line per run


def test_variants_refuses_an_unknown_variant(capsys):
    assert main(["variants", "--task", "memory", "--variants", "lstm,lstm-xyz"]) == 2
    assert "lstm-xyz" in capsys.readouterr().err


def test_a_variant_trains_predicts_and_traces_from_the_cli(tmp_path, polarity_files, capsys):
    out = tmp_path / "peephole"
    argv = ["train", "--task", "sentiment", "--data", *map(str, polarity_files), "--cell", "lstm-nog", "--out", str(out)]
    assert main([*argv, *TINY]) == 0
    assert json.loads((out / "config.json").read_text())["cell"] == "lstm-nog"
    capsys.readouterr()
    assert main(["predict", str(out), "the food was good"]) == 0
    assert "P(positive)=" in capsys.readouterr().out
    assert main(["trace", str(out), "the food was good", "--units", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("LSTM-NOG layer 0 forward")
    assert lines[1].split() == ["token", "i[0]", "f[0]", "g[0]", "c[0]", "h[0]"]  # no output gate: none traced


def test_saliency_step_cap_is_the_library_s():
    from seqcore.attribution import MAX_STEPS
    from seqcore.cli.why import IG_MAX_STEPS

    assert IG_MAX_STEPS == MAX_STEPS
