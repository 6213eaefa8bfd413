"""Playing the listener on a simulated consent page, over plain HTTP (no browser).

`consent(url)` opens an authorize URL, fills in the page's form as the listener and returns
what the platform answered: for OAuth platforms the redirect back to Dropday (the callback
URL with `code` or `error`), for the MusicKit stand-in the page holding the Music User Token.
"""

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests

# Dropday's registered callbacks (PUBLIC_URL is http://localhost in tests); never fetched,
# since the redirect back is not followed.
TIDAL_CALLBACK = "http://localhost/connect/tidal/callback"
GOOGLE_CALLBACK = "http://localhost/connect/youtube_music/callback"
APPLE_CALLBACK = "http://localhost/connect/apple_music/callback"


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "consent":
            self.action = attrs.get("action")
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def consent_form(url: str) -> tuple[str, dict[str, str]]:
    page = requests.get(url, timeout=5)
    assert page.status_code == 200, page.text
    form = _Form()
    form.feed(page.text)
    assert form.action, "no consent form on the page"
    return urljoin(url, form.action), form.fields


def consent(url: str, listener: str = "ada", decision: str = "allow") -> requests.Response:
    action, fields = consent_form(url)
    return requests.post(
        action,
        data={**fields, "listener": listener, "decision": decision},
        allow_redirects=False,
        timeout=5,
    )


def callback(url: str, listener: str = "ada", decision: str = "allow") -> str:
    """The URL the platform sends the fan back to."""
    answer = consent(url, listener, decision)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def answer(url: str, listener: str = "ada", decision: str = "allow") -> dict[str, str]:
    """What the platform sends back to the callback: its query (`code`/`error`, `state`)."""
    return dict(parse_qsl(urlsplit(callback(url, listener, decision)).query))
