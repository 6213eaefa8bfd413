"""The simulator's page for `make dev`: play a scenario by hand (make a release live on a
platform, everywhere at once or one platform after another, move the clock, revoke a
listener's token, turn faults on and off, with an exact status and body or a delay if wanted,
set YouTube's daily quota) and watch Dropday's calls.

Plain server-rendered forms; unlike the simulated APIs these keep Dropday's CSRF check.
An action that worked answers 303 back to the page. Bad input answers the page itself with
the reason and 422 (404 for an unknown release or listener), so neither a person nor a script
can mistake a refused action for a done one.
"""

import math
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for

from app.simulator.blueprint import bp, current_simulator
from app.simulator.catalog import PLATFORMS
from app.simulator.faults import GENERIC, REVOKED
from app.simulator.routing import FAULT_KINDS

LOG_ROWS = 100
MAX_HOURS = 24 * 366 * 10  # the clock moves at most ten years at a time
MAX_DELAY = 600  # seconds a fault may hold an answer back
QUOTA_PLATFORMS = ("youtube",)  # the simulated APIs that count a daily quota
MAX_STAGGER_MINUTES = 7 * 24 * 60  # a week between two platforms is plenty for a rehearsal


class BadInput(Exception):
    """Refuse a dev-page action: the page is shown again with `message` and `status`."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


@bp.errorhandler(BadInput)
def _bad_input(error: BadInput):
    return _page(error.message), error.status


@bp.get("/")
def index():
    return _page()


def _page(error: str | None = None):
    sim = current_simulator()
    with sim.lock:
        now = sim.now()
        releases = [
            (release, {p: (release.live_at.get(p), release.is_live(p, now)) for p in PLATFORMS})
            for release in sim.catalog.releases.values()
        ]
        listeners = list(sim.listeners.values())
        # The launch form offers first a release no platform has yet (the rehearsal's).
        unreleased = [r.key for r, states in releases if not any(v[1] for v in states.values())]
        faults = list(sim.faults.active)
        log = list(reversed(sim.log.entries[-LOG_ROWS:]))
    return render_template(
        "simulator/index.html",
        now=now,
        platforms=PLATFORMS,
        api_platforms=sorted(FAULT_KINDS),
        token_platforms=_token_platforms(),
        fault_kinds=sorted(set().union(GENERIC, *FAULT_KINDS.values())),
        quota_platforms=QUOTA_PLATFORMS,
        releases=releases,
        unreleased=unreleased,
        listeners=listeners,
        faults=faults,
        log=log,
        error=error,
    )


def _back():
    return redirect(url_for("simulator.index"), 303)


@bp.post("/releases/<key>/availability")
def availability(key):
    sim = current_simulator()
    if key not in sim.catalog.releases:
        raise BadInput(f"There is no release “{key}”.", 404)
    platform = _choice("platform", PLATFORMS, required=False)
    if _choice("action", ("go_live", "take_down"), required=False) == "take_down":
        sim.take_down(key, platform)
    else:
        sim.go_live(key, platform)
    return _back()


@bp.post("/launch")
def launch():
    """A release goes live on every platform not serving it yet: all now, or (`every` N
    simulated minutes) one platform after another in the catalog's order, the first now;
    or (`take_down`) no platform has it any more, to rehearse release day again."""
    sim = current_simulator()
    key = request.form.get("release", "")
    if key not in sim.catalog.releases:
        raise BadInput(f"There is no release “{key}”.", 404)
    mode = _choice("mode", ("all", "staggered", "take_down"))
    every = 0.0
    if mode == "staggered":
        every = _number("every", float, low=0, high=MAX_STAGGER_MINUTES) or 0
    with sim.lock:
        now = sim.now()
        release = sim.release(key)
        if mode == "take_down":
            sim.take_down(release)
            flash(f"{release.title} is live nowhere now.", "success")
            return _back()
        waiting = [p for p in PLATFORMS if not release.is_live(p, now)]
        for n, platform in enumerate(waiting):
            sim.go_live(release, platform, at=now + timedelta(minutes=every * n))
    if not waiting:
        flash(f"{release.title} is already live everywhere.", "success")
    elif every:
        flash(
            f"{release.title} goes live on {waiting[0]} now, then on one more platform "
            f"every {every:g} simulated minutes: {', '.join(waiting[1:]) or 'no others'}.",
            "success",
        )
    else:
        flash(f"{release.title} is live now on {', '.join(waiting)}.", "success")
    return _back()


@bp.post("/listeners")
def add_listener():
    key = request.form.get("key", "").strip().lower()
    if not key.isidentifier():
        raise BadInput("A listener needs a short name (letters, digits, underscores).")
    current_simulator().add_listener(key)
    return _back()


@bp.post("/listeners/<key>/revoke")
def revoke(key):
    sim = current_simulator()
    if key not in sim.listeners:
        raise BadInput(f"There is no listener “{key}”.", 404)
    platform = _choice("platform", _token_platforms())
    count = sim.revoke(key, platform)
    flash(f"Revoked {count} token(s) of {key} on {platform}.", "success")
    return _back()


@bp.post("/faults")
def add_fault():
    platform = _choice("platform", sorted(FAULT_KINDS))
    kind = _choice("kind", sorted(FAULT_KINDS[platform]))
    times = _number("times", int, low=1)
    rate = _number("rate", float, low=0, high=1)
    retry_after = _number("retry_after", int, low=0)
    status = _number("status", int, low=100, high=599)
    delay = _number("delay", float, low=0, high=MAX_DELAY)
    body = request.form.get("body") or None
    if body is not None and status is None:
        raise BadInput("An exact body needs its status too.")
    if times is None and rate is None:
        times = 1
    current_simulator().fail(
        platform,
        kind,
        times=times,
        rate=rate,
        retry_after=30 if retry_after is None else retry_after,
        status=status,
        delay=delay,
        body=body,
        path=request.form.get("path") or None,
    )
    return _back()


@bp.post("/quota")
def quota():
    platform = _choice("platform", QUOTA_PLATFORMS)
    units = _number("units", int, low=0, high=10**9)
    if units is None:
        raise BadInput("units must be a number from 0 (got nothing).")
    current_simulator().set_daily_quota(platform, units)
    flash(f"{platform}'s daily quota is now {units} units.", "success")
    return _back()


@bp.post("/faults/clear")
def clear_faults():
    platform = _choice("platform", sorted(FAULT_KINDS), required=False)
    current_simulator().clear_faults(platform)
    return _back()


@bp.post("/clock")
def clock():
    """Move the simulator's clock (which Dropday's follows in simulator mode) by `minutes`
    and/or `hours`; negative values go back."""
    hours = _number("hours", float, low=-MAX_HOURS, high=MAX_HOURS) or 0
    minutes = _number("minutes", float, low=-MAX_HOURS * 60, high=MAX_HOURS * 60) or 0
    if abs(hours * 60 + minutes) > MAX_HOURS * 60:
        raise BadInput(f"The clock moves at most {MAX_HOURS:g} hours at a time.")
    now = current_simulator().advance(hours=hours, minutes=minutes)
    flash(f"Simulator time is now {now:%Y-%m-%d %H:%M} UTC.", "success")
    return _back()


@bp.post("/reset")
def reset():
    current_simulator().reset()
    flash("Simulator reset to the default catalog.", "success")
    return _back()


def _token_platforms() -> list[str]:
    """The simulated platforms that issue tokens (so a listener's can be revoked)."""
    return sorted(p for p, kinds in FAULT_KINDS.items() if REVOKED in kinds)


def _choice(name: str, allowed, required: bool = True) -> str | None:
    """The form field `name` if it is one of `allowed` (None if left empty and not required)."""
    value = request.form.get(name) or None
    if value is None and not required:
        return None
    if value not in allowed:
        raise BadInput(f"{name} must be one of: {', '.join(allowed)} (got “{value or ''}”).")
    return value


def _number(name: str, parse: type, low: float | None = None, high: float | None = None):
    """The form field `name` as an int or float within [low, high]; None if left empty."""
    text = (request.form.get(name) or "").strip()
    if not text:
        return None
    try:
        value = parse(text)
    except ValueError:
        raise BadInput(f"{name} must be a number (got “{text}”).") from None
    if (
        not math.isfinite(value)
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        bounds = f"from {low:g}" if low is not None else ""
        bounds += f" to {high:g}" if high is not None else " or more"
        raise BadInput(f"{name} must be a number {bounds} (got “{text}”).")
    return value
