"""A few seconds of in-process memory for the public fan pages.

A release link shared by a big artist is opened by thousands of fans in the same minute.
The page is the same for all of them (it is built to be cacheable), so each web process
keeps its latest answer for each page for FAN_PAGE_CACHE_SECONDS and sends it again before
Flask dispatches (app/fan/page_store.py, app/fan/front.py), the same way a shared cache in
front would. Everything that records something (signups, connections) is never answered
from there; a signup may only draw its answer from a remembered copy of the campaign
(`remembered_campaign`, plain frozen values), while the statement that records it checks
the campaign in the database.
"""

import threading
from dataclasses import dataclass, fields
from datetime import datetime

from cachetools import TTLCache
from flask import current_app, has_app_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.campaigns.palette import Palette
from app.models import Campaign

MAX_ENTRIES = 512
# Set in the WSGI environ by `cached_page`: app/fan/front.py keeps the answer this long.
KEEP_SECONDS = "dropday.page_keep_seconds"
STORE = "dropday.page_store"  # this app's PageStore, in app.extensions


def cached_page(render):
    """`render()`'s page, marked to be kept and sent again for FAN_PAGE_CACHE_SECONDS to
    requests of the same variant (GET only; only a public 200 answer is kept)."""
    seconds = current_app.config.get("FAN_PAGE_CACHE_SECONDS") or 0
    if seconds > 0:
        request.environ[KEEP_SECONDS] = seconds
    return render()


def forget(slug: str) -> None:
    """Drop this process's kept pages and copy of the campaign at `slug` (it was just
    edited here; other processes see the edit when their seconds pass)."""
    store = current_app.extensions.get(STORE)
    if store is not None:
        store.forget(slug)
    copies = current_app.extensions.get("dropday.fan_campaigns")
    if copies is not None:
        with _copies_lock:
            copies.pop(slug, None)


EDITED = "dropday.edited_slugs"


def _note_edits(session, flush_context) -> None:
    """Remember the addresses of campaigns this flush changed or deleted (old ones too)."""
    slugs = session.info.setdefault(EDITED, set())
    for campaign in (*session.dirty, *session.deleted):
        if isinstance(campaign, Campaign):
            history = inspect(campaign).attrs.slug.history
            slugs.update(s for s in (*history.deleted, campaign.slug) if s)


def _forget_edits(session) -> None:
    slugs = session.info.pop(EDITED, ())
    if has_app_context():
        for slug in slugs:
            forget(slug)


def _drop_edits(session) -> None:
    session.info.pop(EDITED, None)


def forget_on_commit() -> None:
    """Whatever commits a campaign's change (dashboard, API, release day in this process)
    forgets its kept pages and copy once the change is committed."""
    for name, listener in (
        ("after_flush", _note_edits),
        ("after_commit", _forget_edits),
        ("after_rollback", _drop_edits),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


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
