"""docs/deploy.md's nginx configuration is the one bench/balancer.py writes, and nginx accepts it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from balancer import STICKY_COOKIE, nginx_conf  # noqa: E402


def documented() -> str:
    return (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8").split("```nginx\n", 1)[1].split("```", 1)[0]


def test_the_documented_configuration_is_the_benchmarked_one():
    assert documented() == nginx_conf("80", ["127.0.0.1:8501", "127.0.0.1:8502"])


def test_sessions_stick_by_a_cookie_not_by_address():
    conf = nginx_conf("80", ["127.0.0.1:8501"])
    assert "hash $seqcore_replica consistent;" in conf and f"$cookie_{STICKY_COOKIE}" in conf
    assert not any(line.strip().startswith("ip_hash") for line in conf.splitlines()) and "Upgrade $http_upgrade" in conf


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_conf("127.0.0.1:18080", ["127.0.0.1:8501", "127.0.0.1:8502"], tmp_path))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
