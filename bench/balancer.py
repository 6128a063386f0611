"""N app replicas behind nginx on loopback, with sticky sessions: what docs/deploy.md describes, started for a benchmark.

`replicas(n)` starts `n` `streamlit run app.py` servers (each with SEQCORE_MAX_TRAINING training runs at most,
default 1) and one nginx (Debian's package: `apt-get install nginx`) in front of them on a free loopback port,
from a configuration written to a temporary folder (`nginx_conf`: the one in docs/deploy.md, with loopback
ports and no root paths). It yields the balancer's URL and each replica's log file.

Stickiness: Streamlit keeps a session in one server's memory (the websocket, and the HTTP requests that name
the session: uploads, downloads, media), so every request of one browser must reach the same replica. nginx
(open source) hashes a cookie it sets on the first response (`seqcore_replica`, a random id) to pick the
replica; `ip_hash` would send a whole classroom behind one NAT address to one replica.

    python bench/bench_class.py --replicas 2 --students 30 --minutes 2
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench_sessions import free_port, server

STICKY_COOKIE = "seqcore_replica"


def nginx_conf(listen: str, upstreams: list[str], prefix: Path | None = None) -> str:
    """An nginx.conf that balances `upstreams` (host:port) behind `listen`, one replica per `seqcore_replica`
    cookie, websockets passed through. With `prefix`, pid, logs and temporary files go there (no root needed)."""
    here = (
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
        if prefix
        else "pid /run/nginx-seqcore.pid;\nerror_log /var/log/nginx/seqcore-error.log warn;\n"
    )
    temp = (
        "".join(f"    {kind}_temp_path {prefix}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        if prefix
        else ""
    )
    servers = "".join(f"        server {u};\n" for u in upstreams)
    return f"""worker_processes 1;
{here}events {{ worker_connections 4096; }}

http {{
    access_log off;
{temp}    # one replica per browser: hash its cookie, or a new random id (then set as its cookie)
    map $cookie_{STICKY_COOKIE} $seqcore_replica {{
        ""      $request_id;
        default $cookie_{STICKY_COOKIE};
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}
    upstream seqcore {{
        hash $seqcore_replica consistent;
{servers}    }}
    server {{
        listen {listen};
        client_max_body_size 20m;             # the app's upload limit (server.maxUploadSize, .streamlit/config.toml)
        location / {{
            proxy_pass http://seqcore;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;       # the websocket (/_stcore/stream)
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 1d;                        # a session's websocket stays open while its tab does
            proxy_buffering off;
            add_header Set-Cookie "{STICKY_COOKIE}=$seqcore_replica; Path=/; HttpOnly; SameSite=Lax";
        }}
    }}
}}
"""


def _wait(url: str, proc: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    raise SystemExit(f"nginx did not answer at {url}:\n{log.read_text(errors='replace')[-2000:]}")


@contextlib.contextmanager
def replicas(n: int, max_training: int = 1) -> Iterator[tuple[str, list[str], list[Path], list[int]]]:
    """`n` app servers behind nginx on loopback; yields (the balancer's URL, each replica's own URL, log and pid)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is missing (apt-get install nginx)")
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        prefix = Path(tmp)
        logs = [prefix / f"replica{k}.log" for k in range(n)]
        started = [stack.enter_context(server(log=log, env={"SEQCORE_MAX_TRAINING": str(max_training)})) for log in logs]
        urls = [u for u, _ in started]
        port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(f"127.0.0.1:{port}", [u.removeprefix("http://") for u in urls], prefix))
        proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait(url, proc, prefix / "error.log")
            yield url, urls, logs, [p.pid for _, p in started]
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
            if proc.poll() is None:
                proc.kill()
