"""Unique visitors per day without identifying anyone (the Plausible way).

A visitor is blake2b(salt, day, campaign, address, user agent). The salt is random, made
once a day and kept only in Redis, set to expire at the end of the UTC day (and in each
process's memory for that day), never in the database: once the day is over no one can
recompute a digest from an address. The day's digests sit in VisitorDay, the database
being the one place that decides "first visit today" together with the count it adds to
(same transaction); the periodic job deletes earlier days' rows.

Losing Redis mid-day makes a new salt: that day's returning visitors may count twice,
never a visit more.
"""

import hashlib
import secrets
import threading
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from app import clock
from app.extensions import db
from app.jobs import redis_connection
from app.models import VisitorDay

_salts: dict[str, bytes] = {}
_lock = threading.Lock()


def day_of(moment: datetime) -> str:
    return moment.date().isoformat()


def _salt(day: str, now: datetime) -> bytes:
    with _lock:
        salt = _salts.get(day)
    if salt is not None:
        return salt
    salt = secrets.token_bytes(16)
    if current_app.config.get("REDIS_URL"):
        redis = redis_connection()
        key = f"dropday:insights:salt:{day}"
        day_end = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
        redis.set(key, salt, nx=True, exat=int(day_end.timestamp()))
        salt = redis.get(key) or salt
    with _lock:
        _salts.clear()  # earlier days' salts go as soon as a new day starts
        _salts[day] = salt
    return salt


def digest(campaign_id: int, address: str, user_agent: str, now: datetime) -> bytes:
    day = day_of(now)
    text = f"{day}\n{campaign_id}\n{address}\n{user_agent}".encode()
    return hashlib.blake2b(text, key=_salt(day, now), digest_size=16).digest()


def forget_past_days() -> int:
    """Delete digests of days that are over (periodic job; also safe to run at any time)."""
    today = day_of(clock.now())
    result = db.session.execute(delete(VisitorDay).where(VisitorDay.day < today))
    db.session.commit()
    return result.rowcount
