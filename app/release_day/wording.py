"""What the release-day email and push say, in the language the fan signed up in (the
caller renders inside `force_locale(signup.language)`). The artist's words are never
translated: they go in as they are."""

from flask_babel import get_locale
from flask_babel import gettext as _

from app.platforms import registry


def listen(platform_key: str | None) -> str:
    """The email's button and the push's line."""
    platform = registry.BY_KEY.get(platform_key or "")
    if platform is None or platform.key == "other":
        return _("Listen now")
    return _("Listen on %(platform)s", platform=platform.name)


def subject(title: str, artist: str) -> str:
    return _("Out now: %(title)s by %(artist)s", title=title, artist=artist)


def push_title(title: str) -> str:
    return _("%(title)s is out now", title=title)


def pre_save_page_of(artist: str) -> str:
    """“Harbor Lights' pre-save page”: the English possessive is grammar, done here; the
    other languages' catalogues word the phrase around the name."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        artist += "'" if artist.lower().endswith("s") else "'s"
    # TRANSLATORS: %(artist)s is the artist's name; English adds the possessive itself.
    return _("%(artist)s pre-save page", artist=artist)
