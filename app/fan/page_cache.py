"""A few seconds of in-process memory for the public fan pages.

A release link shared by a big artist is opened by thousands of fans in the same minute.
The page is the same for all of them (it is built to be cacheable), so each web process
keeps its latest rendering of each page for FAN_PAGE_CACHE_SECONDS and answers from it,
the same way a shared cache in front would. Edits show within that time; everything that
records something (signups, connections) is never answered from here; a signup may only
draw its answer from a remembered copy of the campaign (`remembered_campaign`, plain frozen
values), while the statement that records it checks the campaign in the database.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, fields
from datetime import datetime

from cachetools import TTLCache
from flask import Response, current_app, request
from flask_babel import get_locale

from app.campaigns.palette import Palette
from app.htmx_fragments import fragment_request
from app.models import Campaign

MAX_ENTRIES = 512
# What a rendering says about itself; headers added later for every response (security
# headers, Vary) are added again by the app's own hooks.
KEPT_HEADERS = {"content-type", "cache-control", "vary"}


class PageCache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: OrderedDict[tuple, tuple[float, bytes, int, list]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: tuple) -> Response | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, body, status, headers = entry
            if expires < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        return Response(body, status=status, headers=headers)

    def put(self, key: tuple, response: Response, seconds: float) -> None:
        if response.status_code != 200 or response.direct_passthrough:
            return
        headers = [(k, v) for k, v in response.headers if k.lower() in KEPT_HEADERS]
        entry = (time.monotonic() + seconds, response.get_data(), 200, headers)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def _cache() -> PageCache:
    return current_app.extensions.setdefault("dropday.fan_page_cache", PageCache())


def cached_page(render):
    """Answer `render()`'s page from memory when a fresh copy is there (GET only)."""
    seconds = current_app.config.get("FAN_PAGE_CACHE_SECONDS") or 0
    if seconds <= 0:
        return render()
    key = (
        request.full_path,
        str(get_locale()),  # negotiated from Accept-Language when the address names none
        fragment_request(),  # the page or its fragment
    )
    cache = _cache()
    hit = cache.get(key)
    if hit is not None:
        return hit
    response = render()
    cache.put(key, response, seconds)
    return response


@dataclass(frozen=True, slots=True)
class CampaignCopy:
    """What a signup's answer reads of its campaign: plain values, safe to share between
    the process's threads (an ORM instance is not)."""

    id: int
    workspace_id: int
    slug: str
    title: str
    artist_name: str
    artwork: str | None
    palette: Palette | None
    theme: str
    release_at: datetime
    time_zone: str
    platforms: tuple[str, ...]
    active: bool
    phase: str

    @classmethod
    def of(cls, campaign: Campaign) -> "CampaignCopy":
        values = {f.name: getattr(campaign, f.name) for f in fields(cls)}
        return cls(**values | {"platforms": tuple(values["platforms"] or ())})


_copies_lock = threading.Lock()


def _copies(seconds: float) -> TTLCache:
    """The process's copies, kept for `seconds` (a changed setting starts a fresh cache)."""
    copies = current_app.extensions.get("dropday.fan_campaigns")
    if copies is None or copies.ttl != seconds:
        copies = current_app.extensions["dropday.fan_campaigns"] = TTLCache(MAX_ENTRIES, seconds)
    return copies


def remembered_campaign(slug: str, load) -> CampaignCopy | None:
    """A copy of `load()`'s campaign, or the one made in the last FAN_PAGE_CACHE_SECONDS."""
    seconds = current_app.config.get("FAN_PAGE_CACHE_SECONDS") or 0
    if seconds <= 0:
        campaign = load()
        return CampaignCopy.of(campaign) if campaign is not None else None
    with _copies_lock:
        hit = _copies(seconds).get(slug)
    if hit is not None:
        return hit
    campaign = load()
    if campaign is None:
        return None
    copy = CampaignCopy.of(campaign)
    with _copies_lock:
        _copies(seconds)[slug] = copy
    return copy
