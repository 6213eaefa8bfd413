"""A local mailbox: an SMTP server that keeps every message it receives as a file.

`make dev` runs it (release-day emails, password resets) and the tests use the same server,
so mail always travels over real SMTP. Each message is one `.eml` file in a folder, written
atomically, so the web process (the dev mailbox page) and the tests read what another
process or thread received without sharing memory.

    python -m app.mailbox --folder instance/mailbox --port 8025
"""

import argparse
import email
import email.policy
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from app.local_redis import free_port


class _KeepAsFile:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        # Nanoseconds first, so names sort in arrival order.
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(envelope.original_content or envelope.content)
        temporary.replace(self.folder / name)
        return "250 Message accepted for delivery"


@dataclass
class Mailbox:
    """A running SMTP server and the folder it fills."""

    folder: Path
    host: str
    port: int
    controller: Controller

    def messages(self) -> list[EmailMessage]:
        return read(self.folder)

    def clear(self) -> None:
        for path in self.folder.glob("*.eml"):
            path.unlink(missing_ok=True)

    def stop(self) -> None:
        self.controller.stop()


def start(folder: str | Path, host: str = "127.0.0.1", port: int = 0) -> Mailbox:
    """Start the server in a thread; port 0 picks a free one."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_KeepAsFile(folder), hostname=host, port=port or free_port())
    controller.start()
    return Mailbox(folder, host, controller.port, controller)


def read(folder: str | Path) -> list[EmailMessage]:
    """Every message in `folder`, oldest first, parsed with the modern email API."""
    paths = sorted(Path(folder).glob("*.eml"))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]


def main() -> None:
    parser = argparse.ArgumentParser(description="Dropday's local mailbox (an SMTP server).")
    parser.add_argument("--folder", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    mailbox = start(args.folder, args.host, args.port)
    print(
        f"Mailbox listening on smtp://{mailbox.host}:{mailbox.port}, keeping mail in {args.folder}"
    )
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    mailbox.stop()


if __name__ == "__main__":
    main()
