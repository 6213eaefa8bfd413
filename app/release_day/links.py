"""Personal routing links: the one link in a fan's release-day email or push.

`/r/<token>` (served by the fan blueprint) reads the token, records a click with its source
and sends the fan to the release on their platform, or to the Smart Link while that platform
has no link yet. The token is signed (it names a signup, so it must not be guessable or
editable) and carries no expiry: emails are opened days later.
"""

from flask import current_app

from app.signed_tokens import SignedToken

SOURCES = ("email", "push")
_TOKENS = SignedToken("personal-link")  # no expiry: emails are opened days later


def personal_link(signup, source: str) -> str:
    """The absolute URL of `signup`'s routing link from `source` ("email" or "push")."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    signup_id = signup if isinstance(signup, int) else signup.id
    token = _TOKENS.dumps([signup_id, source])
    return f"{current_app.config['PUBLIC_URL']}/r/{token}"


def read_personal_link(token: str) -> tuple[int, str] | None:
    """(signup id, source) from a token, or None if it is not one Dropday signed."""
    value = _TOKENS.loads(token)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or isinstance(value[0], bool)
        or value[1] not in SOURCES
    ):
        return None
    return value[0], value[1]
