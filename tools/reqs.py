"""Read requirement and lock files with the standard library and pip's own ``packaging``.

Shared by ``lock.py``, ``check_lock.py`` and ``check_latest.py``; nothing here needs the project's
dependencies, so the checks run before anything is installed.
"""

from __future__ import annotations

import re
from pathlib import Path

try:  # pip ships packaging; a Python without pip may still have it installed
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.version import Version
except ImportError:  # pragma: no cover
    from packaging.requirements import Requirement  # type: ignore[no-redef]
    from packaging.version import Version  # type: ignore[no-redef]

__all__ = ["Requirement", "Version", "canonical", "read_lock", "read_requirements"]


def canonical(name: str) -> str:
    """PEP 503 name: ``Jinja2`` and ``jinja2``, ``typing_extensions`` and ``typing-extensions`` are one."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _lines(path: Path) -> list[tuple[int, str]]:
    out = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            out.append((number, line))
    return out


def read_requirements(path: Path) -> list[Requirement]:
    """Every requirement of a requirements file, following ``-r other.txt``."""
    reqs: list[Requirement] = []
    for _, line in _lines(path):
        if line.startswith(("-r ", "--requirement ")):
            reqs += read_requirements(path.parent / line.split(None, 1)[1])
        elif not line.startswith("-"):
            reqs.append(Requirement(line))
    return reqs


def read_lock(path: Path) -> dict[str, Version]:
    """{canonical name: version} of a lock; every line must be ``name==version``."""
    pins: dict[str, Version] = {}
    for number, line in _lines(path):
        name, sep, version = line.partition("==")
        if not sep or not version or any(c in version for c in "<>=!~,;"):
            raise ValueError(f"{path.name}:{number}: {line!r} is not an exact pin (name==version)")
        pins[canonical(name)] = Version(version)
    return pins
