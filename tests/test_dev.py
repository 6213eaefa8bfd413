"""`make dev` (`flask dev`): one command starts Redis, the database, the worker, the web app and
the demo, and Ctrl-C stops all of it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import requests

from app.config import ROOT
from app.local_redis import free_port


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _start(instance, port):
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env |= {"DROPDAY_INSTANCE": str(instance), "DROPDAY_ENV": "development"}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "dev", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_healthy(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # starting, or a busy machine
            pass
        time.sleep(0.25)
    raise AssertionError("dev server never became healthy")


def _ctrl_c(proc):
    # A terminal's Ctrl-C reaches the whole foreground process group.
    with contextlib.suppress(ProcessLookupError):  # it may have died already
        os.killpg(proc.pid, signal.SIGINT)
    code = proc.wait(60)
    output = proc.stdout.read()
    proc.stdout.close()
    assert code == 0, output
    return output


def test_dev_runs_everything_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(tmp_path, port)
    try:
        _wait_healthy(url, proc)
        with requests.Session() as browser:
            page = browser.get(f"{url}/login")
            token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            response = browser.post(
                f"{url}/login",
                data={
                    "csrf_token": token,
                    "email": "demo@dropday.test",
                    "password": "dropday-demo",
                },
            )
            assert response.status_code == 200
            assert "Midnight Signals" in response.text
        health = requests.get(f"{url}/healthz", timeout=5).json()
        assert health == {"status": "ok", "database": "ok", "redis": "ok"}
    finally:
        output = _ctrl_c(proc)
    assert "Demo login: demo@dropday.test / dropday-demo" in output
    assert "Traceback" not in output, output
    redis_port = int(output.split("private redis-server at redis://127.0.0.1:")[1].split("/")[0])
    assert not _port_open(port) and not _port_open(redis_port)
    assert (tmp_path / "dropday.db").exists()

    # A second run reuses the database and its demo.
    proc = _start(tmp_path, port)
    try:
        _wait_healthy(url, proc)
    finally:
        output = _ctrl_c(proc)
    assert "Demo artist already there." in output
    assert not _port_open(port)
