"""Drift check: what would the newest allowed versions change? ``python tools/check_latest.py``.

It builds a throwaway venv, installs the newest versions that ``requirements-dev.txt``'s ranges allow
(as a fresh machine without the lock would), prints which packages moved against
``requirements-dev.lock``, runs the test suite there, and prints what broke. Nothing in the repo
changes: an upgrade becomes a decision (``python tools/lock.py`` and a commit), not a surprise.

Exit status: 0 when the suite passes on the newest versions, 1 when it fails, 2 when they do not install.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lock import freeze  # noqa: E402
from reqs import canonical, read_lock  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def moved(locked: dict, newest: dict[str, str]) -> list[str]:
    """One line per package whose newest allowed version differs from the lock (or is new or gone)."""
    lines = []
    for name in sorted(set(locked) | set(newest)):
        old = str(locked[name]) if name in locked else None
        new = newest[name].split("==", 1)[1] if name in newest else None
        if old != new:
            lines.append(f"  {name}: {old or '(not locked)'} -> {new or '(no longer installed)'}")
    return lines


def failures(pytest_output: str) -> list[str]:
    """pytest's short summary lines of what failed or errored."""
    return [line for line in pytest_output.splitlines() if line.startswith(("FAILED ", "ERROR "))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the Python that makes the throwaway venv (default: this one)")
    parser.add_argument("--no-tests", action="store_true", help="only list the packages that moved")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (e.g. -k or a test path)")
    args = parser.parse_args(argv)
    locked = {canonical(k): v for k, v in read_lock(ROOT / "requirements-dev.lock").items()}
    with tempfile.TemporaryDirectory(prefix="seqcore-latest-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([args.python, "-m", "venv", str(venv)], check=True)
        py = venv / "bin" / "python"
        print("installing the newest versions requirements-dev.txt allows into a throwaway venv...", flush=True)
        done = subprocess.run(
            [py, "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements-dev.txt")], capture_output=True, text=True
        )
        if done.returncode:
            print("the newest allowed versions do not install:\n" + done.stderr[-3000:])
            return 2
        lines = moved(locked, freeze(py))
        print(f"{len(lines)} package(s) moved against requirements-dev.lock" + (":" if lines else ""))
        if lines:
            print("\n".join(lines))
        if args.no_tests:
            return 0
        print("running the test suite on them...", flush=True)
        run = subprocess.run(
            [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.pytest_args], cwd=ROOT, capture_output=True, text=True
        )
        tail = [line for line in run.stdout.splitlines() if line.strip()][-1:]
        broke = failures(run.stdout)
        print(f"suite on the newest versions: {tail[0] if tail else 'no output'}")
        for line in broke:
            print(f"  {line}")
        return 0 if run.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
