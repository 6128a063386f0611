"""Time `python -m seqcore stats` on a big generated CSV and print its peak memory: the file streams.

python bench/bench_big_csv.py [--mb 200] [--dir DIR]

Writes a CSV of about N MB (id, review with quotes, commas and sometimes a newline, label) into a
temporary folder (or DIR), runs `python -m seqcore stats` on it and on a three-row CSV in fresh
processes, prints the wall time and the peak resident memory of each (the small file's peak is the
fixed cost of Python, torch and spaCy; the difference is what reading the big file costs), and
deletes the file. `--mb 2048` is the 2 GB file of issue 20; mind the disk.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from bench_big_semeval import run_stats  # type: ignore[import-not-found]

WORDS = ["great", "cold", "friendly", "slow", "tasty", "rude", "cheap", "noisy", "fresh", "bland", "pasta", "waiter", "wine"]


def write_csv(path: Path, mb: float, seed: int = 13) -> int:
    """Write a CSV of about `mb` megabytes; return its number of rows."""
    rng = random.Random(seed)
    target = int(mb * 1e6)
    block = []
    for i in range(1000):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
        text = f'"The {words}, ""really"" {words}' + ("\nsecond line" if i % 97 == 0 else "") + '"'
        block.append(f"{{i}},{text},{rng.choice(['positive', 'negative', 'neutral'])}\n")
    rows = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,review,label\n")
        while f.tell() < target:
            for line in block:
                f.write(line.replace("{i}", str(rows), 1))
                rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=200, help="size of the generated CSV in megabytes")
    parser.add_argument("--dir", metavar="DIR", help="folder to write the CSV into (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        big, small = Path(tmp) / "big.csv", Path(tmp) / "small.csv"
        t = time.perf_counter()
        n = write_csv(big, args.mb)
        print(f"wrote {big.name}: {big.stat().st_size / 1e6:,.1f} MB, {n:,} rows ({time.perf_counter() - t:.1f} s)")
        small.write_text("id,review,label\n1,fine food,positive\n2,cold soup,negative\n3,ok,neutral\n")
        s_secs, s_rss, _ = run_stats(small)
        b_secs, b_rss, out = run_stats(big)
        print(f"stats on 3 rows:    {s_secs:6.1f} s, peak RSS {s_rss:7.1f} MB")
        print(f"stats on {n:,} rows: {b_secs:6.1f} s, peak RSS {b_rss:7.1f} MB ({b_rss - s_rss:+.1f} MB for the big file)")
        print(out)


if __name__ == "__main__":
    main()
