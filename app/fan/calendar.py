"""`/<slug>/release.ics`: the release moment as a calendar event (RFC 5545), for the page's
"Add to calendar" link. The same file for everyone who asks in one language, so cacheable."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, make_response
from flask_babel import gettext as _
from icalendar import Calendar, Event

from app.fan.answers import page_url
from app.fan.blueprint import bp
from app.fan.language_links import current
from app.fan.lookup import campaign_or_404
from app.public_cache import cacheable


@bp.get("/<slug>/release.ics")
def calendar(slug: str):
    campaign = campaign_or_404(slug)
    address = f"{page_url(campaign)}?lang={current()}"
    event = Event()
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "dropday.invalid"
    event.add("uid", f"release-{campaign.id}@{host}")
    event.add("dtstamp", campaign.updated_at)
    event.add("dtstart", campaign.release_at)
    event.add("duration", timedelta(hours=1))
    event.add(
        "summary",
        _("“%(title)s” by %(artist)s is out", title=campaign.title, artist=campaign.artist_name),
    )
    event.add("description", _("Listen on your platform: %(url)s", url=address))
    event.add("url", address)
    calendar = Calendar()
    calendar.add("prodid", "-//Dropday//Release calendar//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    response = make_response(calendar.to_ical())
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{campaign.slug}.ics"'
    return cacheable(response)
