"""The locks pin what the ranges allow (tools/check_lock.py, run first by .ci/run)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from check_latest import failures, moved  # noqa: E402
from check_lock import lock_problems  # noqa: E402
from reqs import Version, canonical, read_lock, read_requirements  # noqa: E402

FILES = ("requirements.txt", "requirements-dev.txt", "requirements.lock", "requirements-dev.lock")


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_repos_locks_satisfy_the_ranges():
    assert lock_problems(ROOT) == []


def test_every_lock_line_is_an_exact_pin_and_torch_is_the_disks_build():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        pins = read_lock(ROOT / lock)
        assert pins["torch"] == Version("2.13.0")
        assert len(pins) > 50  # the transitive packages too, not only the direct ones
    runtime, dev = read_lock(ROOT / "requirements.lock"), read_lock(ROOT / "requirements-dev.lock")
    assert set(runtime) < set(dev) and {"pytest", "ruff", "mypy", "playwright"} <= set(dev) - set(runtime)


def test_every_direct_requirement_has_an_upper_bound_or_an_exact_pin():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for req in read_requirements(ROOT / name):
            ops = {s.operator for s in req.specifier}
            assert ops & {"<", "<=", "==", "~="}, f"{name}: {req} is open at the top"


def test_a_range_the_lock_no_longer_satisfies_is_named(repo: Path):
    text = (repo / "requirements.txt").read_text().replace("plotly>=5.20,<8", "plotly>=8,<9")
    (repo / "requirements.txt").write_text(text)
    problems = lock_problems(repo)
    assert any("plotly" in p and "requirements.lock" in p and ">=8" in p for p in problems)


def test_a_requirement_missing_from_the_lock_and_a_loose_line_are_named(repo: Path):
    (repo / "requirements-dev.txt").write_text((repo / "requirements-dev.txt").read_text() + "hypothesis>=6\n")
    assert any("does not pin hypothesis" in p for p in lock_problems(repo))
    (repo / "requirements.lock").write_text("numpy>=2\n")
    assert any("not an exact pin" in p for p in lock_problems(repo))


def test_the_two_locks_must_agree(repo: Path):
    dev = (repo / "requirements-dev.lock").read_text()
    numpy = next(line for line in dev.splitlines() if line.startswith("numpy=="))
    (repo / "requirements-dev.lock").write_text(dev.replace(numpy, "numpy==2.0.0"))
    assert any("numpy" in p and "requirements-dev.lock" in p for p in lock_problems(repo))


def test_check_lock_fails_with_one_line_that_says_how_to_regenerate(repo: Path):
    (repo / "requirements.txt").write_text((repo / "requirements.txt").read_text().replace("numpy>=1.26,<3", "numpy>=3,<4"))
    script = (
        (ROOT / "tools" / "check_lock.py")
        .read_text()
        .replace("ROOT = Path(__file__).resolve().parent.parent", f"ROOT = Path({str(repo)!r})")
    )
    (repo / "check.py").write_text(script)
    shutil.copy(ROOT / "tools" / "reqs.py", repo / "reqs.py")
    done = subprocess.run([sys.executable, str(repo / "check.py")], capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "numpy" in lines[0] and "python tools/lock.py" in lines[0]


def test_the_drift_check_lists_moves_and_failures():
    locked = {"plotly": Version("7.1.0"), "numpy": Version("2.4.6"), "gone": Version("1.0")}
    newest = {"plotly": "plotly==7.2.0", "numpy": "numpy==2.4.6", "fresh": "fresh==0.1"}
    assert moved(locked, newest) == [
        "  fresh: (not locked) -> 0.1",
        "  gone: 1.0 -> (no longer installed)",
        "  plotly: 7.1.0 -> 7.2.0",
    ]
    out = "....\nFAILED tests/a.py::test_x - AssertionError\nERROR tests/b.py::test_y\n1 failed, 3 passed"
    assert failures(out) == ["FAILED tests/a.py::test_x - AssertionError", "ERROR tests/b.py::test_y"]


def test_names_are_compared_canonically():
    assert canonical("Jinja2") == canonical("jinja2") and canonical("typing_extensions") == "typing-extensions"
