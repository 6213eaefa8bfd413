"""In-app browsers (Instagram, TikTok, Facebook): platform sign-ins often fail inside them
(popups blocked, Google refuses embedded web views), so fans there are offered the email
signup and a way out to their real browser instead.

static/js/fan.js applies the same patterns in the page, so the cached page is the same for
everyone; the server uses this list where it answers a direct-save tap itself.
"""

import re
from urllib.parse import urlsplit

# Instagram: "Instagram 300.0 ..."; Facebook and Messenger: FBAN/FBAV/FB_IAB/FBIOS;
# TikTok: "musical_ly", "TikTok", "BytedanceWebview", "trill" (the TikTok Lite app).
IN_APP = re.compile(
    r"Instagram|FBAN|FBAV|FB_IAB|FBIOS|FB4A|Messenger|TikTok|musical_ly|Bytedance|\btrill_", re.I
)


def in_app_browser(user_agent: str | None) -> bool:
    return bool(IN_APP.search(user_agent or ""))


def open_in_browser_url(url: str, user_agent: str | None) -> str:
    """A link that leaves the in-app browser where the system offers one.

    Android: an intent URL for the default browser. iOS 17+: x-safari-https opens Safari.
    Elsewhere the page's own address (the fan copies it, or uses the app's "open in browser").
    """
    ua = user_agent or ""
    parts = urlsplit(url)
    if "Android" in ua:
        rest = parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
        return f"intent://{rest}#Intent;scheme={parts.scheme};end"
    if re.search(r"iPhone|iPad|iPod", ua) and parts.scheme == "https":
        return "x-safari-" + url
    return url
