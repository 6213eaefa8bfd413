"""What a request says about its visitor, reduced to a few coarse labels at request time.

Bots, crawlers and link-preview fetchers come from crawlerdetect's maintained list;
prefetches and prerenders announce themselves in `Sec-Purpose`/`Purpose`. The country comes
from iptocc's offline table, the device class and OS family from ua-parser's rules. Nothing
here keeps the address or the user agent: callers get labels only.
"""

import functools
import ipaddress
from urllib.parse import urlsplit

import iptocc
import ua_parser
from crawlerdetect import CrawlerDetect

UNKNOWN = "unknown"
DIRECT = "direct"

# Referrer sites by the name artists know them by (registrable domain -> source).
SOURCES = {
    "instagram.com": "Instagram",
    "threads.net": "Threads",
    "facebook.com": "Facebook",
    "fb.com": "Facebook",
    "messenger.com": "Facebook",
    "tiktok.com": "TikTok",
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "x.com": "X",
    "twitter.com": "X",
    "t.co": "X",
    "snapchat.com": "Snapchat",
    "reddit.com": "Reddit",
    "discord.com": "Discord",
    "linktr.ee": "Linktree",
    "bsky.app": "Bluesky",
    "google.com": "Google",
    "bing.com": "Bing",
    "duckduckgo.com": "DuckDuckGo",
    "spotify.com": "Spotify",
    "soundcloud.com": "SoundCloud",
    "bandcamp.com": "Bandcamp",
}
# In-app browsers often send no referrer; their user agent still names the app.
APP_SOURCES = (
    ("Instagram", "Instagram"),
    ("FBAN", "Facebook"),
    ("FBAV", "Facebook"),
    ("TikTok", "TikTok"),
    ("musical_ly", "TikTok"),
    ("Bytedance", "TikTok"),
)

_crawlers = CrawlerDetect()


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """Crawlers, link previews (WhatsApp, Slack, iMessage, Discord, ...) and clients that
    send no user agent at all. Cached: the same few agents make most requests."""
    return not user_agent.strip() or _crawlers.isCrawler(user_agent)


def is_prefetch(headers) -> bool:
    """A speculative load (link prefetch, prerender) the person may never see."""
    purpose = (headers.get("Sec-Purpose") or headers.get("Purpose") or "").lower()
    return "prefetch" in purpose or "prerender" in purpose


def _site(host: str) -> str:
    """The registrable part of a host, near enough: the last two labels, or three for
    the `co.uk` kind of suffix."""
    labels = host.lower().rstrip(".").removeprefix("www.").split(".")
    keep = 3 if len(labels) > 2 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def source_of(referrer: str, own_host: str, user_agent: str = "") -> str:
    """The named source of a visit: a known site, another site's domain, or "direct"."""
    host = urlsplit(referrer or "").hostname or ""
    if host and host != own_host:
        site = _site(host)
        if site in SOURCES:
            return SOURCES[site]
        if site.split(".")[0] == "google":  # google.de, google.co.uk, ...
            return "Google"
        return site[:64]
    for mark, source in APP_SOURCES:
        if mark in user_agent:
            return source
    return DIRECT


def country_of(address: str | None) -> str:
    """ISO 3166 alpha-2 code from the offline table; "unknown" for private or unlisted."""
    try:
        ipaddress.ip_address(address or "")
    except ValueError:
        return UNKNOWN
    return iptocc.country_code(address) or UNKNOWN


@functools.lru_cache(maxsize=4096)
def device_of(user_agent: str) -> tuple[str, str]:
    """(device class, OS family): mobile/tablet/desktop and iOS/Android/other."""
    parsed = ua_parser.parse(user_agent)
    os_family = (parsed.os.family if parsed.os else "") or ""
    device = (parsed.device.family if parsed.device else "") or ""
    if os_family in {"iOS", "iPadOS"}:
        os_name = "iOS"
    elif os_family == "Android":
        os_name = "Android"
    else:
        os_name = "other"
    if (
        device == "iPad"
        or "Tablet" in user_agent
        or (os_name == "Android" and "Mobile" not in user_agent)
    ):
        return "tablet", os_name
    if os_name != "other" or "Mobile" in user_agent:
        return "mobile", os_name
    return "desktop", os_name
