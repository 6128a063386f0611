"""Time `python -m seqcore stats` on a big generated SemEval-2014 file and print its peak memory.

python bench/bench_big_semeval.py [--terms 300000] [--keep FILE]

Writes a valid file of N aspect terms (3 per sentence, ~130 bytes per term: 300,000 terms make a
39 MB file), then runs `python -m seqcore stats` on it and on a one-sentence file in subprocesses,
and prints the wall time and the peak resident memory of each (the small file's peak is the fixed
cost of Python, torch and spaCy; the difference is what reading the big file costs).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADJ = ["great", "cold", "friendly", "slow", "tasty", "rude", "cheap", "noisy", "fresh", "bland", "lovely", "awful"]
NOUNS = ["pasta", "waiter", "wine list", "terrace", "service", "sushi", "dessert", "bartender", "menu", "decor"]


def write_semeval(path: Path, n_terms: int, seed: int = 13) -> int:
    """Write a SemEval-2014 file with n_terms aspect terms, 3 per sentence; return the number of sentences."""
    rng = random.Random(seed)
    n_sentences = (n_terms + 2) // 3
    left = n_terms
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<sentences>\n')
        for i in range(n_sentences):
            k = min(3, left)
            left -= k
            nouns = rng.sample(NOUNS, k)
            clauses = [f"the {noun} was {rng.choice(ADJ)}" for noun in nouns]
            text = (", but ".join(clauses) + f" on visit {rng.randint(1, 999)} .").capitalize()
            rows = []
            for noun in nouns:
                start = text.lower().find(noun)
                polarity = rng.choice(["positive", "negative", "neutral"])
                rows.append(
                    f'      <aspectTerm term="{text[start : start + len(noun)]}" polarity="{polarity}" from="{start}" to="{start + len(noun)}"/>\n'
                )
            f.write(
                f'  <sentence id="{i}">\n    <text>{text}</text>\n    <aspectTerms>\n{"".join(rows)}    </aspectTerms>\n  </sentence>\n'
            )
        f.write("</sentences>\n")
    return n_sentences


def run_stats(path: Path) -> tuple[float, float, str]:
    """Run `python -m seqcore stats` in a fresh process: (seconds, peak RSS in MB, last stdout lines)."""
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        f"r = subprocess.run([sys.executable, '-m', 'seqcore', 'stats', {str(path)!r}], capture_output=True, text=True, cwd={str(ROOT)!r}); "
        "print(time.perf_counter() - t); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); "
        "print(r.returncode); print(r.stdout)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n", 3)
    return float(out[0]), float(out[1]), f"exit {out[2]}\n{out[3]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--terms", type=int, default=300_000, help="aspect terms in the generated file")
    parser.add_argument("--keep", metavar="FILE", help="write the generated file here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(args.keep) if args.keep else Path(tmp) / "big.xml"
        t = time.perf_counter()
        n = write_semeval(big, args.terms)
        print(
            f"wrote {big.name}: {big.stat().st_size / 1e6:.1f} MB, {n:,} sentences, {args.terms:,} aspect terms ({time.perf_counter() - t:.1f} s)"
        )
        small = Path(tmp) / "small.xml"
        write_semeval(small, 3)
        s_secs, s_rss, _ = run_stats(small)
        b_secs, b_rss, out = run_stats(big)
        print(out.strip())
        print(f"stats on a 1-sentence file: {s_secs:6.1f} s, peak RSS {s_rss:6.0f} MB (Python, torch, spaCy)")
        print(
            f"stats on the big file:      {b_secs:6.1f} s, peak RSS {b_rss:6.0f} MB (+{b_rss - s_rss:.0f} MB for a {big.stat().st_size / 1e6:.0f} MB file)"
        )


if __name__ == "__main__":
    main()
