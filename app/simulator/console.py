"""The simulator's page for `make dev`: play a scenario by hand (make a release live on a
platform, revoke a listener's token, turn faults on and off) and watch Dropday's calls.

Plain server-rendered forms; unlike the simulated APIs these keep Dropday's CSRF check.
Every action answers 303 back to the page.
"""

from flask import flash, redirect, render_template, request, url_for

from app.simulator import bp, current_simulator
from app.simulator.catalog import PLATFORMS
from app.simulator.faults import GENERIC
from app.simulator.routing import FAULT_KINDS

LOG_ROWS = 100


@bp.get("/")
def index():
    sim = current_simulator()
    with sim.lock:
        now = sim.now()
        releases = [
            (release, {p: (release.live_at.get(p), release.is_live(p, now)) for p in PLATFORMS})
            for release in sim.catalog.releases.values()
        ]
        listeners = list(sim.listeners.values())
        faults = list(sim.faults.active)
        log = list(reversed(sim.log.entries[-LOG_ROWS:]))
    return render_template(
        "simulator/index.html",
        now=now,
        platforms=PLATFORMS,
        api_platforms=sorted(FAULT_KINDS),
        fault_kinds=sorted(set().union(GENERIC, *FAULT_KINDS.values())),
        releases=releases,
        listeners=listeners,
        faults=faults,
        log=log,
    )


def _back():
    return redirect(url_for("simulator.index"), 303)


@bp.post("/releases/<key>/availability")
def availability(key):
    sim = current_simulator()
    platform = request.form.get("platform") or None
    if key not in sim.catalog.releases or (platform and platform not in PLATFORMS):
        flash("Unknown release or platform.", "error")
        return _back()
    if request.form.get("action") == "take_down":
        sim.take_down(key, platform)
    else:
        sim.go_live(key, platform)
    return _back()


@bp.post("/listeners")
def add_listener():
    key = request.form.get("key", "").strip().lower()
    if not key.isidentifier():
        flash("A listener needs a short name (letters, digits, underscores).", "error")
        return _back()
    current_simulator().add_listener(key)
    return _back()


@bp.post("/listeners/<key>/revoke")
def revoke(key):
    sim = current_simulator()
    platform = request.form.get("platform", "")
    if key not in sim.listeners:
        flash("Unknown listener.", "error")
        return _back()
    count = sim.revoke(key, platform)
    flash(f"Revoked {count} token(s) of {key} on {platform}.", "success")
    return _back()


@bp.post("/faults")
def add_fault():
    sim = current_simulator()
    form = request.form
    platform, kind = form.get("platform", ""), form.get("kind", "")
    try:
        times = int(form["times"]) if form.get("times") else None
        rate = float(form["rate"]) if form.get("rate") else None
        retry_after = int(form.get("retry_after") or 30)
    except ValueError:
        flash("Times, rate and Retry-After must be numbers.", "error")
        return _back()
    if platform not in FAULT_KINDS or kind not in FAULT_KINDS[platform]:
        flash(f"{platform or 'That platform'} has no fault “{kind}”.", "error")
        return _back()
    if times is None and rate is None:
        times = 1
    sim.fail(
        platform,
        kind,
        times=times,
        rate=rate,
        retry_after=retry_after,
        path=form.get("path") or None,
    )
    return _back()


@bp.post("/faults/clear")
def clear_faults():
    current_simulator().clear_faults(request.form.get("platform") or None)
    return _back()


@bp.post("/clock")
def clock():
    sim = current_simulator()
    try:
        hours = float(request.form.get("hours", "0"))
    except ValueError:
        flash("Hours must be a number.", "error")
        return _back()
    sim.advance(hours=hours)
    return _back()


@bp.post("/reset")
def reset():
    current_simulator().reset()
    flash("Simulator reset to the default catalog.", "success")
    return _back()
