"""`make dev` (`flask dev`): one command starts Redis, the database, the worker, the web app and
the demo, and Ctrl-C stops all of it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
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
        except requests.RequestException:
            # Refused, reset or slow to answer (ReadTimeout on a loaded machine): not yet.
            pass
        time.sleep(0.25)
    raise AssertionError("dev server never became healthy")


def _wait_for_mail(browser, url, subject, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = browser.get(f"{url}/dev/mailbox/", timeout=5)
        if subject in page.text:
            return page.text.split(subject, 1)[1]
        time.sleep(0.25)
    raise AssertionError(f"no mail “{subject}” arrived")


def _ctrl_c(proc):
    # A terminal's Ctrl-C reaches the whole foreground process group.
    with contextlib.suppress(ProcessLookupError):  # it may have died already
        os.killpg(proc.pid, signal.SIGINT)
    code = proc.wait(60)
    output = proc.stdout.read()
    proc.stdout.close()
    assert code == 0, output
    return output


def test_the_readiness_wait_outlasts_a_server_too_busy_to_answer_at_first():
    # A loaded machine: the first request is accepted but answered only after the client's
    # one-second timeout (a ReadTimeout), the next one at once.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(20)
        port = server.getsockname()[1]

        def serve():
            slow, _ = server.accept()
            fast, _ = server.accept()
            fast.recv(4096)
            fast.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
            fast.close()
            slow.close()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as alive:
            try:
                _wait_healthy(f"http://127.0.0.1:{port}", alive, timeout=15)
            finally:
                alive.kill()
        thread.join(5)


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

            # Mail goes to the local SMTP server and shows on the mailbox page.
            browser.post(
                f"{url}/forgot-password",
                data={"csrf_token": token, "email": "demo@dropday.test"},
            )
            reset = _wait_for_mail(browser, url, "Reset your Dropday password")
            link = reset.split('<a href="')[1].split('"')[0]
            assert link.startswith(f"{url}/reset-password/")
            assert browser.get(link).status_code == 200
        health = requests.get(f"{url}/healthz", timeout=5).json()
        assert health == {"status": "ok", "database": "ok", "redis": "ok"}
    finally:
        output = _ctrl_c(proc)
    assert "Demo login: demo@dropday.test / dropday-demo" in output
    assert f"Local mailbox (every email sent): {url}/dev/mailbox/" in output
    assert "Traceback" not in output, output
    mail_port = int(output.split("Mailbox listening on smtp://127.0.0.1:")[1].split(",")[0])
    assert not _port_open(mail_port)
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
