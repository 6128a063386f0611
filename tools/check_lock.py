"""Check the locks against the ranges: ``python tools/check_lock.py [--installed]``.

- Every requirement of ``requirements.txt`` is pinned in ``requirements.lock``, and every requirement of
  ``requirements-dev.txt`` in ``requirements-dev.lock``, at a version its range allows.
- ``requirements.lock`` agrees with ``requirements-dev.lock`` on every package they share.
- ``--installed``: every package installed in this environment (but pip, setuptools and wheel) is pinned
  in ``requirements-dev.lock`` at the installed version; run it after ``pip install -r requirements-dev.lock``
  in a new venv, so that nothing unpinned came in.

On failure it prints one line that says what is wrong and how to regenerate the locks, and exits 1.
It needs nothing but the standard library and pip, so ``.ci/run`` runs it before installing anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reqs import Version, canonical, read_lock, read_requirements  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAIRS = (("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock"))
FIX = "regenerate the locks with `python tools/lock.py` and commit them"
NOT_PINNED = {"pip", "setuptools", "wheel"}


def lock_problems(root: Path = ROOT) -> list[str]:
    """What is wrong between the requirement files and their locks (empty when all is well)."""
    problems = []
    locks = {}
    for req_name, lock_name in PAIRS:
        try:
            locks[lock_name] = pins = read_lock(root / lock_name)
        except FileNotFoundError:
            problems.append(f"{lock_name} is missing")
            continue
        except ValueError as e:
            problems.append(str(e))
            continue
        for req in read_requirements(root / req_name):
            name = canonical(req.name)
            if req.marker is not None and not req.marker.evaluate():
                continue
            if name not in pins:
                problems.append(f"{lock_name} does not pin {req.name} ({req_name} asks for {req})")
            elif not req.specifier.contains(pins[name], prereleases=True):
                problems.append(f"{lock_name} pins {req.name}=={pins[name]}, outside {req_name}'s {req}")
    runtime, dev = locks.get("requirements.lock", {}), locks.get("requirements-dev.lock", {})
    for name, version in runtime.items():
        if name in dev and dev[name] != version:
            problems.append(f"requirements.lock pins {name}=={version} but requirements-dev.lock {name}=={dev[name]}")
        elif dev and name not in dev:
            problems.append(f"requirements.lock pins {name}, which requirements-dev.lock lacks")
    return problems


def installed_problems(root: Path = ROOT) -> list[str]:
    """Packages of this environment that requirements-dev.lock does not pin at their installed version."""
    from importlib import metadata

    pins = read_lock(root / "requirements-dev.lock")
    problems = []
    for dist in metadata.distributions():
        name = canonical(dist.metadata["Name"])
        if name in NOT_PINNED:
            continue
        version = Version(dist.version)
        if name not in pins:
            problems.append(f"{name}=={version} is installed but not pinned in requirements-dev.lock")
        elif Version(version.base_version if version.local else str(version)) != pins[name]:
            problems.append(f"{name}=={version} is installed but requirements-dev.lock pins {pins[name]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that the locks satisfy requirements*.txt (and the environment).")
    parser.add_argument("--installed", action="store_true", help="also check this environment against requirements-dev.lock")
    args = parser.parse_args(argv)
    for problems, fix in (
        (lock_problems(), FIX),
        (installed_problems() if args.installed else [], "install into a new venv: `pip install -r requirements-dev.lock`"),
    ):
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            print(f"error: {problems[0]}{more}: {fix}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
