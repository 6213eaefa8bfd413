"""The release-day rehearsal of `make dev`: a campaign whose release day is running, and fans.

`flask seed-demo` adds "Tides Between Us" next to the demo campaign (which releases in two
weeks). Its release moment passed within the last hour, but no platform has the release
yet: it is the simulator's "upcoming" release, found by UPC once it goes live. A newcomer
makes it go live in the simulator console and watches Dropday find it, turn the page into
a Smart Link and deliver to the fans seeded here: email fans on several platforms and one
fan connected to TIDAL in the simulator (a direct save).

The simulator keeps its tokens in the web process's memory, so the connected fan is
connected again, through the real OAuth flow against the running simulator, each time
`flask dev` starts (`connect_fan`).
"""

import secrets
from datetime import UTC, date, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import requests
from flask import current_app

from app import clock
from app.campaigns.editing import delete_campaign
from app.campaigns.palette import Palette
from app.extensions import db
from app.fan.recording import record_direct_signup
from app.models import Artist, Campaign, Connection, Signup
from app.platforms import registry
from app.platforms.clients import CLIENTS
from app.simulator import defaults

SLUG = "tides-between-us"
UPC = "602445790623"  # the simulator's "upcoming" release (app/simulator/demo.py)
EMAIL_FANS = (
    ("ana@fans.test", "spotify"),
    ("bo@fans.test", "deezer"),
    ("cy@fans.test", "amazon_music"),
    ("dee@fans.test", "youtube"),
    ("eli@fans.test", "spotify"),
)
# The simulated listener behind the connected fan, and the fan's email (TIDAL asks for one).
LISTENER = "rehearsal_fan"
CONNECTED_PLATFORM = "tidal"
CONNECTED_EMAIL = "tidal.fan@fans.test"
CONSENT_VERSION = 1


def ensure_campaign(artist: Artist, artwork: str, palette: Palette) -> Campaign:
    """The rehearsal campaign with its email fans (once; the connected fan comes later)."""
    campaign = db.session.scalar(db.select(Campaign).filter_by(slug=SLUG))
    if campaign is not None:
        return campaign
    campaign = Campaign(
        creator=artist,
        title="Tides Between Us",
        artist_name="Harbor Lights",
        slug=SLUG,
        platforms=list(registry.KEYS),
        artwork=artwork,
        palette_dominant=palette.dominant,
        palette_accent=palette.accent,
        source_kind="upc",
        source_value=UPC,
    )
    campaign.schedule(*just_released())
    db.session.add(campaign)
    db.session.flush()
    add_email_fans(campaign)
    return campaign


def just_released() -> tuple[date, str]:
    """A release date and time zone whose local midnight passed within the last hour, so
    Dropday is in its densest checks (every 5 minutes) when the rehearsal starts, not yet
    raising the "not found after a day" alert. It is midnight somewhere: Etc/GMT-N is UTC+N."""
    now = clock.now().astimezone(UTC)
    offset = (24 - now.hour) % 24
    if offset > 14:  # zones run from UTC-12 to UTC+14
        offset -= 24
    zone = "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"
    return (now + timedelta(hours=offset)).date(), zone


def reset_campaign() -> None:
    """Forget the rehearsal campaign (its fans, deliveries, checks and links go with it)."""
    campaign = db.session.scalar(db.select(Campaign).filter_by(slug=SLUG))
    if campaign is not None:
        delete_campaign(campaign)


def add_email_fans(campaign: Campaign) -> None:
    for email, platform in EMAIL_FANS:
        if not db.session.scalar(db.select(Signup).filter_by(campaign_id=campaign.id, email=email)):
            db.session.add(
                Signup(
                    campaign_id=campaign.id,
                    platform=platform,
                    mode="email",
                    email=email,
                    consent_version=CONSENT_VERSION,
                )
            )


def connect_fan(public_url: str) -> Connection:
    """Connect the rehearsal's TIDAL fan through the simulator served at `public_url`, as a
    fan's browser would (authorize, consent, code, token), and store the fresh tokens."""
    campaign = db.session.scalar(db.select(Campaign).filter_by(slug=SLUG))
    if campaign is None:
        raise LookupError("no rehearsal campaign: run `flask seed-demo` first")
    config = {**current_app.config, "PUBLIC_URL": public_url}
    defaults.point_at(config, public_url + "/simulator")
    client = CLIENTS[CONNECTED_PLATFORM].from_config(config)
    redirect_uri = f"{public_url}/connect/{CONNECTED_PLATFORM}/callback"
    try:
        start = client.begin_connect(redirect_uri, secrets.token_urlsafe(16))
        answer = _consent(start.redirect_url)
        connected = client.finish_connect(redirect_uri, answer, start.verifier)
    finally:
        client.session.close()

    # Recorded as the fan page records a connection: the same fan again, fresh tokens.
    signup = record_direct_signup(campaign, CONNECTED_PLATFORM, connected, CONNECTED_EMAIL)
    return signup.connection


def _consent(authorize_url: str) -> dict[str, str]:
    """Play the listener on the simulator's consent page: allow, and read the code that the
    platform sends back to the callback (which is not followed: no browser session here)."""
    with requests.Session() as http:
        page = http.get(authorize_url, timeout=10)
        page.raise_for_status()
        form = {"listener": LISTENER, "decision": "allow", **_hidden_fields(page.text)}
        answer = http.post(
            authorize_url.split("?")[0], data=form, allow_redirects=False, timeout=10
        )
    if answer.status_code != 302:
        raise RuntimeError(f"the simulated consent page answered {answer.status_code}")
    return dict(parse_qsl(urlsplit(answer.headers["Location"]).query))


def _hidden_fields(html: str) -> dict[str, str]:
    fields: dict[str, str] = {}

    class Form(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
                fields[attrs["name"]] = attrs.get("value") or ""

    Form().feed(html)
    return fields
