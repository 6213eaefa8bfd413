"""The local mailbox's page for `make dev`: every message the local SMTP server received
(app/mailbox.py keeps each as a file), newest first, with its headers, its text and HTML
parts and the links in them, so a password reset or a release-day email can be followed
without a real mail account.

Mounted only for local runs (DROPDAY_ENV=development, never in production): it shows every
email sent, reset links included.
"""

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    url_for,
)

from app.loopback import local_only
from app.security_headers import untrusted_html

bp = Blueprint("dev_mailbox", __name__, url_prefix="/dev/mailbox")
local_only(bp)

_NAME = re.compile(r"\d{20}-[0-9a-f]{8}")
_URL = re.compile(r"https?://[^\s<>\"']+")
SHOWN = 200  # the newest messages; older ones stay in the folder


@dataclass
class Received:
    name: str
    message: EmailMessage

    @property
    def text(self) -> str | None:
        part = self.message.get_body(("plain",))
        return part.get_content() if part else None

    @property
    def html(self) -> str | None:
        part = self.message.get_body(("html",))
        return part.get_content() if part else None

    @property
    def links(self) -> list[str]:
        found = _hrefs(self.html) if self.html else []
        found += _URL.findall(self.text or "")
        return list(dict.fromkeys(link.rstrip(".,)") for link in found))


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.hrefs.append(href)


def _hrefs(html: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(html)
    return parser.hrefs


def _folder() -> Path:
    return Path(current_app.config["MAILBOX_FOLDER"])


def _read(path: Path) -> Received:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return Received(path.stem, message)


def received() -> list[Received]:
    """The newest messages first."""
    paths = sorted(_folder().glob("*.eml"), reverse=True)[:SHOWN]
    return [_read(path) for path in paths]


def one(name: str) -> Received:
    path = _folder() / f"{name}.eml"
    if not _NAME.fullmatch(name) or not path.is_file():
        abort(404)
    return _read(path)


@bp.app_context_processor
def dev_pages() -> dict:
    """Links between the local-run pages (the simulator console and this mailbox)."""
    if not has_request_context():
        return {}  # an email rendered by a job
    pages = [("Mailbox", url_for("dev_mailbox.index"))]
    if "simulator" in current_app.blueprints:
        pages.insert(0, ("Simulator", url_for("simulator.index")))
    return {"dev_pages": pages}


@bp.get("/")
def index():
    return render_template("dev/mailbox.html", messages=received(), folder=_folder())


@bp.get("/<name>/html")
def html_part(name: str):
    """One message's HTML part, for the sandboxed frame on the page (never run as ours)."""
    html = one(name).html
    if html is None:
        abort(404)
    untrusted_html()
    return html, 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.post("/clear")
def clear():
    for path in _folder().glob("*.eml"):
        path.unlink(missing_ok=True)
    flash("The mailbox is empty.", "info")
    return redirect(url_for("dev_mailbox.index"), 303)
