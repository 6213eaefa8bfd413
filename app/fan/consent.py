"""The consent texts fans are shown beside the signup forms, versioned.

A Signup stores the version it was given under, never a copy of the text. Never edit a
published version: add the next number and make it CURRENT, so every stored number still
says what that fan agreed to.
"""

from flask_babel import lazy_gettext as _l

CURRENT = 1

TEXTS: dict[int, dict[str, str]] = {
    1: {
        "email": _l(
            "By signing up you agree that {artist} and Dropday keep your email address and "
            "platform choice to email you when “{title}” is out. Every email has a one-click "
            "unsubscribe link. Nothing else is stored about you or your device."
        ),
        "direct": _l(
            "By connecting you allow Dropday to add “{title}” by {artist} to your library on "
            "release day, and nothing else. We keep the access your platform grants (encrypted) "
            "and, if you give it, your email address to tell you it is there. You can "
            "unsubscribe at any time."
        ),
    },
}


# The optional, unticked "future releases" box: its own consent, versioned the same way.
FUTURE_CURRENT = 1
FUTURE_LABEL = _l("Also tell me about future releases from {artist}")
FUTURE_TEXTS: dict[int, str] = {
    1: _l(
        "If you tick this, {artist} may email you when they announce a new release. "
        "We keep your email address, the platform you chose and when you agreed. "
        "Every such email has a one-click link to stop them. Your email about “{title}” "
        "does not depend on it."
    ),
}


def future_label(artist: str) -> str:
    return str(FUTURE_LABEL).format(artist=artist)


def future_text(version: int, *, title: str, artist: str) -> str:
    return str(FUTURE_TEXTS[version]).format(title=title, artist=artist)


def text(version: int, mode: str, *, title: str, artist: str) -> str:
    return str(TEXTS[version][mode]).format(title=title, artist=artist)


def known(version) -> bool:
    return version in TEXTS


class StaleFutureConsent(ValueError):
    """The box was ticked under a future-releases text that is no longer the current one."""


def future_ticked(form) -> bool:
    """Whether the fan ticked the future-releases box (under the text now current)."""
    if form.get("future") != "yes":
        return False
    if form.get("future_version", type=int) != FUTURE_CURRENT:
        raise StaleFutureConsent
    return True
