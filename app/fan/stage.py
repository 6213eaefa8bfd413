"""Where a release stands for a fan, decided once per answer and read by every sentence
that depends on it: the page's "Out now", the confirmation's promise, where a pre-save
address leads.

- BEFORE: the release moment is still ahead; every promise is "on release day".
- OUT: the moment has passed but no platform has the release yet (not converted): a
  signup is still recorded, and its email or save happens as soon as the links are known.
- LIVE: converted; the page is the Smart Link and every pre-save address leads there.
"""

from app import clock

BEFORE, OUT, LIVE = "before", "out", "live"


def stage(campaign) -> str:
    """`campaign`: a Campaign or a remembered copy of one (app/fan/page_cache.py)."""
    if campaign.phase == "live":
        return LIVE
    return OUT if campaign.release_at <= clock.now() else BEFORE
