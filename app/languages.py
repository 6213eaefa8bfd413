"""The languages fans are spoken to in, and which one a request gets.

A fan page names its language in the address (`?lang=es`; a form carries it as a field),
so a shared cache keeps one copy per language; an address without it is negotiated from
Accept-Language (the answer then says `Vary: Accept-Language`). Artists' pages stay English.
"""

import functools

from flask import has_request_context, request
from flask_babel import get_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

DEFAULT = "en"
# Code -> the language's own name, as the menu shows it; Babel catalogues in translations/.
LANGUAGES = {
    "en": "English",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "fr": "Français",
    "de": "Deutsch",
    "ja": "日本語",
}
# Accept-Language uses hyphens ("pt-BR"); plain "pt" is best served by Brazilian Portuguese.
_TAGS = {code.replace("_", "-").lower(): code for code in LANGUAGES} | {"pt": "pt_BR"}


def known(code: str | None) -> str | None:
    """The supported language `code` names (either spelling), or None."""
    if not code:
        return None
    return _TAGS.get(code.replace("_", "-").lower()[:12])


def chosen() -> str | None:
    """The language the address or the form names, if any."""
    return known(request.values.get("lang")) if has_request_context() else None


def negotiated() -> str:
    return negotiated_from(request.headers.get("Accept-Language", ""))


@functools.lru_cache(maxsize=1024)
def negotiated_from(accept_language: str) -> str:
    """The language for an Accept-Language value (cached: browsers send a few hundred)."""
    best = parse_accept_header(accept_language, LanguageAccept).best_match(list(_TAGS))
    return _TAGS[best] if best else DEFAULT


def select_locale() -> str:
    """Flask-Babel's locale selector: fans' pages speak the fan's language, the rest English
    (outside a request, e.g. in a job, `force_locale` sets it)."""
    if not has_request_context() or request.blueprint != "fan":
        return DEFAULT
    return chosen() or negotiated()


def tag(code: str) -> str:
    """The BCP 47 tag for `lang` and `hreflang` attributes: pt_BR -> pt-BR."""
    return code.replace("_", "-")


def current_tag() -> str:
    """The tag of the language spoken now: a fan page's, or in a job the one `force_locale`
    set (an email's `<html lang>`)."""
    return tag(str(get_locale() or DEFAULT))


def named(code: str) -> str | None:
    """`code` for an address that leads a fan back from elsewhere (a platform's consent
    screen, an email): the default language's addresses stay plain, like its pages' links."""
    return None if code == DEFAULT else code
