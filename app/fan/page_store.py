"""Fan pages kept as finished answers, served like static files.

A fan page is byte-identical for everyone who asks for it the same way, so each web process
keeps the whole answer Flask gave (compressed body, every header, an ETag) for
FAN_PAGE_CACHE_SECONDS, and app/fan/front.py sends it again before Flask's dispatch runs.
Within those seconds a changed campaign, or a release moment that passed, shows on the next
answer after they end (a shared cache may keep the page for PAGE_MAX_AGE anyway); an edit
made through this process is forgotten at once (`forget`).

"The same way" is the request's variant key: host, scheme, address, the language the page
is spoken in (named in the address, else negotiated from Accept-Language), whether htmx
asked for a fragment, and Accept-Encoding (the body is stored as Flask-Compress encoded it).
"""

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qs

from werkzeug.http import parse_etags, remove_entity_headers

from app import languages

MAX_ENTRIES = 1024
# Headers a server adds to every answer itself; never stored.
SERVER_HEADERS = {"date", "server", "connection", "transfer-encoding"}
STATUS = "200 OK"
NOT_MODIFIED = "304 Not Modified"


def variant(environ: dict) -> tuple:
    """What a fan page's bytes depend on, read from the WSGI environ."""
    query = environ.get("QUERY_STRING", "")
    named = None
    if "lang=" in query:
        named = languages.known(parse_qs(query).get("lang", [None])[0])
    return (
        environ.get("HTTP_HOST", ""),
        environ.get("wsgi.url_scheme", ""),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        query,
        named or languages.negotiated_from(environ.get("HTTP_ACCEPT_LANGUAGE", "")),
        environ.get("HTTP_HX_REQUEST"),
        environ.get("HTTP_HX_BOOSTED"),
        environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST"),
        environ.get("HTTP_ACCEPT_ENCODING", ""),
    )


@dataclass(frozen=True, slots=True)
class StoredPage:
    expires: float
    path: str
    etag: str
    body: bytes
    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]

    @classmethod
    def of(cls, path: str, headers: list[tuple[str, str]], body: bytes, seconds: float):
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        kept = [(k, v) for k, v in headers if k.lower() not in SERVER_HEADERS | {"etag"}]
        kept.append(("ETag", etag))
        not_modified = list(kept)
        remove_entity_headers(not_modified)
        return cls(time.monotonic() + seconds, path, etag, body, kept, not_modified)

    def answer(self, environ: dict, start_response) -> list[bytes]:
        """This page as the answer to `environ`'s GET or HEAD (304 when the client has it)."""
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains(self.etag.strip('"')):
            start_response(NOT_MODIFIED, self.not_modified_headers)
            return []
        start_response(STATUS, self.headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [self.body]


class PageStore:
    """This process's stored pages by variant, the least recently used dropped first."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: OrderedDict[tuple, StoredPage] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: tuple) -> StoredPage | None:
        with self._lock:
            page = self._entries.get(key)
            if page is None:
                return None
            if page.expires < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return page

    def put(self, key: tuple, page: StoredPage) -> None:
        with self._lock:
            self._entries[key] = page
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, slug: str) -> None:
        """Drop every stored page under /<slug> (its page, email forms, languages)."""
        prefix = f"/{slug}"
        with self._lock:
            for key in [k for k, page in self._entries.items() if _under(page.path, prefix)]:
                del self._entries[key]


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")
