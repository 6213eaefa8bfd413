"""Detection: is the release live yet, and where?

One check: resolve the campaign's source into identifiers (app/platforms/identity.py), then
ask every enabled platform of the campaign that has no link yet. Each client looks up in
its platform's own order (by UPC, then by ISRC, then by text search where that is all the
platform offers, a search match needing title and artist to agree: matching.py); Amazon
Music and SoundCloud are only reachable through Odesli, asked once for both. Every check is
recorded with each platform's answer. A platform that could not answer (outage, rate limit,
timeout) is recorded as an "outage", never as "not found".

Found anywhere: the campaign converts (convert.py); links found later appear on the Smart
Link as they come, and saves waiting for them become due.

The rhythm, from the release moment on, until the release is found: every 5 minutes for
2 hours, every 15 minutes until 24 hours past the release moment; then the alert
(operators' email, the dashboard banner: phase "not_found") and hourly for 7 days more,
then every 6 hours for 30 days more; then no more checks. After conversion, platforms not
yet found are checked every 15 minutes for 72 hours. Each due check is claimed with a
conditional update of the campaign's `check_lease_until` (one claimer wins) and enqueued
under an id naming that lease, so it runs once.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import or_, select, update

from app import clock
from app.extensions import db, mail
from app.jobs import JOB_TIMEOUT, enqueue, redis_connection, still_queued
from app.models import Campaign, PlatformLink, ReleaseCheck
from app.platforms import registry
from app.platforms.base import NotFound, PermanentError, TemporaryError
from app.platforms.clients import CLIENTS, client_for
from app.platforms.identity import UnresolvedSource, resolve_for
from app.release_day import convert, webhook_events
from app.release_day.deliver import kick_deliveries
from app.release_day.outbox import kept_alive

log = logging.getLogger(__name__)

ODESLI_ONLY = ("amazon_music", "soundcloud")
DENSE = (timedelta(hours=2), timedelta(minutes=5))
DAY = (timedelta(hours=24), timedelta(minutes=15))
ALERT_AFTER = timedelta(hours=24)
HOURLY = (ALERT_AFTER + timedelta(days=7), timedelta(hours=1))
SPARSE = (HOURLY[0] + timedelta(days=30), timedelta(hours=6))
LAG_WINDOW = timedelta(hours=72)
LAG_EVERY = timedelta(minutes=15)
# A claimed check holds its campaign CHECK_QUEUED at a time while its job waits for a worker
# (a tick that finds the claim run out and the job still queued claims again without a second
# job), then, once running, CHECK_LEASE at a time, renewed every CHECK_HEARTBEAT real
# seconds (outbox.kept_alive). If its job was lost (its worker killed, Redis emptied), the
# next tick after that enqueues it again: a check killed at the release moment, even before
# it started, runs again within seconds.
# Two checks that overlap anyway (a heartbeat starved that long) are harmless: links and
# deliveries are unique per campaign and platform, per fan and kind, so the later one's
# commit fails and nothing is done twice.
CHECK_QUEUED = timedelta(seconds=5)
CHECK_LEASE = timedelta(seconds=6)
CHECK_HEARTBEAT = 2


def next_check(release_at: datetime, now: datetime) -> datetime | None:
    """When to look again for a release not found yet; None once the schedule is over."""
    elapsed = now - release_at
    for until, every in (DENSE, DAY, HOURLY, SPARSE):
        if elapsed < until:
            return now + every
    return None


def next_lag_check(converted_at: datetime, now: datetime) -> datetime | None:
    """After conversion: when to look again for the platforms still missing."""
    return now + LAG_EVERY if now - converted_at < LAG_WINDOW else None


def enqueue_due_checks(now: datetime) -> list[int]:
    """Claim and enqueue every campaign's check that is due (the tick)."""
    due = select(Campaign.id).where(
        or_(
            Campaign.next_check_at <= now,
            # Never checked and the release moment has come (also a campaign created for a
            # release that is already out): straight to detection.
            (Campaign.phase == "presave") & (Campaign.release_at <= now),
        ),
        or_(Campaign.check_lease_until.is_(None), Campaign.check_lease_until < now),
    )
    return [campaign for campaign in db.session.scalars(due).all() if claim_check(campaign, now)]


def check_now(campaign_id: int) -> bool:
    """The artist's "Check now": a check at once, unless one is already running or the
    release moment has not come yet (nothing is converted early). The caller rate-limits
    it. Returns whether a check was started."""
    now = clock.now()
    return claim_check(campaign_id, now, Campaign.release_at <= now, by="manual")


def claim_check(campaign_id: int, now: datetime, *conditions, by="schedule") -> bool:
    """Take the campaign's next check (a conditional update of its lease: one caller wins,
    given `conditions` too) and enqueue it with an id naming that lease, so it runs once."""
    until = now + CHECK_QUEUED
    won = db.session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            or_(Campaign.check_lease_until.is_(None), Campaign.check_lease_until < now),
            *conditions,
        )
        .values(check_lease_until=until)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if won:
        waiting = f"dropday:check-job:{campaign_id}"  # the id of its job last enqueued
        redis = redis_connection()
        job_id = redis.get(waiting)
        if job_id is None or not still_queued(job_id.decode()):
            job = enqueue(
                run_check,
                campaign_id,
                by,
                queue_name="release",
                job_id=f"check-{campaign_id}-{until.timestamp():.0f}",
            )
            redis.set(waiting, job.id, ex=JOB_TIMEOUT)
    return bool(won)


def platforms_to_find(campaign: Campaign, linked: set[str]) -> list[str]:
    """The campaign's platforms that can be looked up, are enabled here, and have no link."""
    disabled = set(current_app.config.get("DISABLED_PLATFORMS") or ())
    return [
        key
        for key in campaign.platforms
        if key in registry.BY_KEY
        and registry.get(key).lookups
        and key not in disabled
        and key not in linked
        and (key in CLIENTS or key in ODESLI_ONLY)
    ]


def run_check(campaign_id: int, triggered_by: str = "schedule") -> str | None:
    """The job: one check of one campaign; returns the check's outcome (None: nothing to do)."""
    renew_check(campaign_id)  # running now: the shorter lease starts
    with kept_alive(lambda: renew_check(campaign_id), every=CHECK_HEARTBEAT):
        return _check(campaign_id, triggered_by)


def renew_check(campaign_id: int) -> None:
    """The check's heartbeat: its campaign stays claimed while it runs."""
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.check_lease_until.is_not(None))
        .values(check_lease_until=clock.now() + CHECK_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _check(campaign_id: int, triggered_by: str) -> str | None:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    now = clock.now()
    links = {
        link.platform: link
        for link in db.session.scalars(
            select(PlatformLink).where(PlatformLink.campaign_id == campaign_id)
        )
    }
    wanted = platforms_to_find(campaign, set(links))
    answers = ask(campaign, wanted) if wanted else {}
    newly = []
    for key, answer in answers.items():
        if answer["status"] == "found":
            listing = answer.pop("listing")
            db.session.add(
                PlatformLink(
                    campaign_id=campaign_id,
                    platform=key,
                    url=listing.url,
                    platform_id=listing.platform_id,
                    kind=listing.kind,
                    matched_by=listing.matched_by,
                    found_at=now,
                )
            )
            newly.append(key)
    statuses = {a["status"] for a in answers.values()}
    if links or newly:
        outcome = "found"
    elif answers and statuses <= {"outage", "error"}:
        outcome = "outage"
    else:
        outcome = "not_found"
    if answers or triggered_by == "manual":
        db.session.add(
            ReleaseCheck(
                campaign_id=campaign_id,
                checked_at=now,
                outcome=outcome,
                triggered_by=triggered_by,
                answers=answers,
            )
        )
    converted = False
    if outcome == "found" and campaign.phase != "live":
        convert.convert(campaign, now)
        converted = True
    woken = convert.wake_saves(campaign_id, newly, now)
    if newly:  # the release showed up on more platforms (committed below with the links)
        webhook_events.emit_for_campaign(
            campaign_id, "campaign.released", {"platforms": newly, "at": now.isoformat()}
        )
    alert = False
    if campaign.phase == "live":
        still_missing = [key for key in wanted if key not in newly]
        campaign.next_check_at = (
            next_lag_check(campaign.converted_at, now) if still_missing else None
        )
    else:
        if campaign.phase == "presave":
            campaign.phase = "awaiting_release"
        if now - campaign.release_at >= ALERT_AFTER and campaign.alerted_at is None:
            campaign.phase = "not_found"
            campaign.alerted_at = now
            alert = True
            webhook_events.emit_for_campaign(
                campaign_id, "release.alert", {"release_at": campaign.release_at.isoformat()}
            )
        campaign.next_check_at = next_check(campaign.release_at, now)
    campaign.check_lease_until = None
    db.session.commit()
    if alert:
        send_alert(campaign, answers)
    if converted or woken:
        kick_deliveries()
    return outcome


def ask(campaign: Campaign, wanted: list[str]) -> dict[str, dict]:
    """Each wanted platform's answer: {"status", "matched_by"?, "url"?, "detail"?}, plus the
    Listing under "listing" for those found (taken out before the answers are stored)."""
    try:
        identity = resolve_for(campaign.source)
    except UnresolvedSource as error:
        return {key: {"status": "not_found", "detail": error.reason} for key in wanted}
    except TemporaryError as error:
        detail = f"the release source could not be resolved: {error}"
        return {key: {"status": "outage", "detail": detail} for key in wanted}
    except PermanentError as error:
        detail = f"the release source could not be resolved: {error.reason}"
        return {key: {"status": "error", "detail": detail} for key in wanted}

    answers = {}
    for key in wanted:
        if key in ODESLI_ONLY:
            continue
        answers[key] = _answer(lambda key=key: client_for(key).find_release(identity))
    odesli_wanted = [key for key in wanted if key in ODESLI_ONLY]
    if odesli_wanted:
        urls = tuple(a["url"] for a in answers.values() if a.get("url"))
        try:
            found = client_for("odesli").find_links(identity, urls)
        except Exception as error:
            answers.update({key: _failure(error) for key in odesli_wanted})
        else:
            answers.update({key: _found(found.get(key)) for key in odesli_wanted})
    return answers


def _answer(lookup) -> dict:
    try:
        return _found(lookup())
    except Exception as error:
        return _failure(error)


def _failure(error: Exception) -> dict:
    if isinstance(error, NotFound):
        return {"status": "not_found"}
    if isinstance(error, TemporaryError):
        return {"status": "outage", "detail": str(error)}
    if isinstance(error, PermanentError):
        return {"status": "error", "detail": error.reason}
    log.error("release lookup failed", exc_info=error)
    return {"status": "outage", "detail": f"unexpected error: {error.__class__.__name__}"}


def _found(listing) -> dict:
    if listing is None:
        return {"status": "not_found"}
    return {
        "status": "found",
        "matched_by": listing.matched_by,
        "url": listing.url,
        "listing": listing,
    }


def send_alert(campaign: Campaign, answers: dict) -> None:
    """Tell the operators a release is still not found a day after its release moment."""
    to = current_app.config.get("ALERT_EMAIL")
    if not to:
        log.warning("campaign %s not found after a day; ALERT_EMAIL is not set", campaign.id)
        return
    lines = [
        f"“{campaign.title}” by {campaign.artist_name} (campaign {campaign.id}, "
        f"/{campaign.slug}) is still not found on any platform, "
        f"{ALERT_AFTER.total_seconds() / 3600:.0f} hours past its release moment "
        f"({campaign.release_at:%Y-%m-%d %H:%M} UTC).",
        f"Release source: {campaign.source_kind} {campaign.source_value}",
        "",
        "Last check:",
        *(f"- {key}: {a['status']} {a.get('detail', '')}".rstrip() for key, a in answers.items()),
        "",
        "Dropday keeps checking: hourly for 7 days, then every 6 hours for 30 days.",
    ]
    try:
        mail.send(
            Message(
                subject=f"[Dropday] Release not found: {campaign.title}",
                recipients=[to],
                body="\n".join(lines),
            )
        )
    except Exception:
        log.exception("could not send the not-found alert for campaign %s", campaign.id)
