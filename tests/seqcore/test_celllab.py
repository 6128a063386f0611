"""The cell lab: every variant trains with the same seeds and budget; the summary's statistics are the right ones."""

from __future__ import annotations

import statistics

import pytest
from scipy.stats import ttest_ind

from seqcore.celllab import LabProgress, LabResult, LabRun, LabSettings, run_lab, welch


def test_settings_refuse_what_cannot_run():
    with pytest.raises(ValueError, match="task must be one of"):
        LabSettings(task="chess")
    with pytest.raises(ValueError, match="variants must be some of"):
        LabSettings(variants=("lstm", "lstm-xyz"))
    with pytest.raises(ValueError, match="once"):
        LabSettings(variants=("lstm", "lstm"))
    with pytest.raises(ValueError, match="seeds"):
        LabSettings(seeds=0)


def test_summary_gives_mean_spread_and_welch_against_the_vanilla_lstm():
    settings = LabSettings(variants=("lstm-peephole", "lstm-nfg", "mgu"), seeds=3)
    acc = {"lstm-peephole": [0.9, 0.95, 1.0], "lstm-nfg": [0.5, 0.6, 0.55], "mgu": [0.7, 0.8, 0.9]}
    runs = [LabRun(v, s, a, a, 1, 1.0) for v, values in acc.items() for s, a in enumerate(values)]
    rows = {r["variant"]: r for r in LabResult(settings, runs).summary()}
    nfg = rows["lstm-nfg"]
    assert nfg["accuracy_mean"] == pytest.approx(0.55) and nfg["accuracy_std"] == pytest.approx(statistics.stdev(acc["lstm-nfg"]))
    assert nfg["vs"] == "lstm-peephole" and nfg["difference"] == pytest.approx(-0.4)
    assert nfg["p_value"] == pytest.approx(ttest_ind(acc["lstm-nfg"], acc["lstm-peephole"], equal_var=False).pvalue)
    assert rows["lstm-peephole"]["vs"] is None and rows["mgu"]["vs"] is None  # the GRU, MGU's baseline, did not run
    assert welch([1.0, 1.0], [1.0, 1.0]) == (None, None)  # no spread anywhere: no test


def test_a_tiny_memory_lab_runs_every_variant_with_every_seed_and_stops_on_request():
    reports: list[LabProgress] = []
    settings = LabSettings(task="memory", variants=("lstm", "gru-nrg"), seeds=2, length=3, max_seconds=10)
    result = run_lab(settings, reports.append)
    assert [(r.variant, r.seed) for r in result.runs] == [("lstm", 1), ("gru-nrg", 1), ("lstm", 2), ("gru-nrg", 2)]
    assert all(0.0 <= r.accuracy <= 1.0 and not r.stopped_by_user for r in result.runs)
    assert [p.done for p in reports if p.done is not None] == result.runs
    stopped = run_lab(settings, should_stop=lambda: True)
    assert stopped.stopped and not stopped.runs
