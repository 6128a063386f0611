"""Turn `python -m seqcore variants ... --json` outputs into docs/cell-lab.md's tables, beside Greff et al.'s direction.

    python -m seqcore variants --task memory --length 30 --seeds 5 --json > runs/celllab/memory30.json
    python -m seqcore variants --task sentiment --subset 4000 --seeds 5 --json > runs/celllab/sentiment.json
    python bench/cell_lab_report.py runs/celllab/memory30.json runs/celllab/sentiment.json

Each row: mean ± standard deviation of test accuracy over the seeds, the difference from the vanilla LSTM
(peepholes), Welch's two-sided p, the direction Greff et al. 2017 report, and whether this run agrees
(significant at 5% in the paper's direction, or not significant where the paper found no significant change).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# Greff et al. 2017 (Fig. 3): "worse" where the variant was significantly worse than vanilla on every task (NFG, NOAF)
# or on most of them (NIG, NOG, NIAF: speech and handwriting); "same" where no significant difference was found.
PAPER = {
    "lstm": "same",
    "lstm-nig": "worse",
    "lstm-nfg": "worse",
    "lstm-nog": "worse",
    "lstm-niaf": "worse",
    "lstm-noaf": "worse",
    "lstm-cifg": "same",
    "lstm-fgr": "same",
}
LEVEL = 0.05
SOLVED = 0.95  # memory task: a run that reaches this test accuracy remembered the first word (chance is 0.5)


def verdict(row: dict) -> str:
    expected = PAPER.get(row["variant"])
    p, diff = row["p_value"], row["difference"]
    if expected is None or diff is None:
        return ""
    significant = p is not None and p < LEVEL
    measured = ("worse" if diff < 0 else "better") if significant else "same"
    return "agrees" if measured == expected else f"differs (measured: {measured})"


def table(path: Path) -> str:
    data = json.loads(path.read_text())
    s = data["settings"]
    memory = data["task"] == "memory"
    size = f"length {s['length']}" if memory else f"{s['subset']} training sentences"
    solved = " solved (>= 95%) |" if memory else ""
    lines = [
        f"**{data['task']}** ({size}, {len(data['results'][0]['accuracies'])} seeds, {data['seconds'] / 60:.1f} min in all)",
        "",
        f"| variant | test accuracy (mean ± sd) |{solved} vs vanilla | Welch p | paper | this run | runs that hit the budget |",
        "|---|---|---|---|---|---|---|" + ("---|" if memory else ""),
    ]
    for r in data["results"]:
        diff = f"{r['difference']:+.3f}" if r["difference"] is not None else "(baseline)"
        p = f"{r['p_value']:.3f}" if r["p_value"] is not None else "-"
        count = f" {sum(a >= SOLVED for a in r['accuracies'])} of {r['seeds']} |" if memory else ""
        lines.append(
            f"| `{r['variant']}` | {r['accuracy_mean']:.3f} ± {r['accuracy_std']:.3f} |{count} {diff} | {p} | "
            f"{PAPER.get(r['variant'], '-')} | {verdict(r)} | {r['timed_out']} |"
        )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", type=Path, help="JSON outputs of `python -m seqcore variants --json`")
    for path in p.parse_args().files:
        print(table(path))
        print()


if __name__ == "__main__":
    main()
