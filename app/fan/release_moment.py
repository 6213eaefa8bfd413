"""The release moment told in the fan's language (Babel's date and time formats), in the
campaign's time zone: what the page shows without JavaScript, and what its small script
replaces with the fan's own clock."""

from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_time, get_timezone_location
from flask_babel import get_locale, ngettext


def _local(campaign):
    return campaign.release_at.astimezone(ZoneInfo(campaign.time_zone))


def when(campaign) -> str:
    """“Friday, December 4, 2026, 12:00 AM (Mexico City)”: the locale's own words and order,
    the zone named by its city (Babel's localized name: “Ciudad de México”)."""
    locale = get_locale()
    local = _local(campaign)
    date = format_date(local, "full", locale=locale)
    time = format_time(local, "short", locale=locale)
    joined = str(locale.datetime_formats["medium"]).format(time, date)
    zone = get_timezone_location(ZoneInfo(campaign.time_zone), locale=locale, return_city=True)
    return f"{joined} ({zone})"


def day(campaign) -> str:
    """“December 4”, for the page's description."""
    return format_skeleton("MMMMd", _local(campaign), locale=get_locale())


def days_to_go(days: int) -> str:
    return ngettext("%(num)d day to go", "%(num)d days to go", days)
