"""What the page says about each platform, derived from the registry's facts (mode, email),
so a platform added to the registry gets the right words without a branch on its name; and
the promise a confirmation makes, decided by the release's stage (app/fan/stage.py) like
the page's "Out now", so the two never disagree. Every sentence goes through Babel."""

from flask_babel import gettext as _

from app.fan.stage import BEFORE
from app.platforms.registry import Email, Platform


def button_label(platform: Platform) -> str:
    if platform.direct:
        if platform.key == "apple_music":  # Apple calls a pre-save a "pre-add"; words only
            return _("Pre-add on %(platform)s", platform=platform.name)
        return _("Pre-save on %(platform)s", platform=platform.name)
    if platform.key == "other":
        return _("Get an email on release day with a link")
    return email_title(platform)


def button_hint(platform: Platform) -> str:
    if not platform.direct:
        return _("No account needed.")
    if platform.email is Email.REQUIRED:
        return _(
            "Connect %(platform)s and leave your email; it's saved to your library on release day.",
            platform=platform.name,
        )
    return _("Connect %(platform)s; it's saved to your library on release day.", **_named(platform))


def email_title(platform: Platform) -> str:
    if platform.key == "other":
        return _("Get an email on release day with a link")
    return _("Get an email on release day for %(platform)s", platform=platform.name)


def email_heads_up(platform: Platform) -> str | None:
    """The seed's "Heads up", said for every email signup (an email is never a save)."""
    if platform.key == "other":
        return None
    return _(
        "This is an email on release day that takes you to %(platform)s, not an automatic "
        "save to your %(platform)s library.",
        platform=platform.name,
    )


def release_day(
    platform: Platform, mode: str, email: str | None, title: str, stage: str = BEFORE
) -> str:
    """Exactly what happens for this fan, for the confirmation: on release day, or (the
    moment has passed, the links are on their way) as soon as the release is found."""
    names = {"title": title, "email": email, **_named(platform)}
    before = stage == BEFORE
    if mode == "direct":
        if before:
            said = _(
                "On release day, Dropday adds “%(title)s” to your %(platform)s library.", **names
            )
        else:
            said = _(
                "It's out: Dropday adds “%(title)s” to your %(platform)s library as soon as "
                "%(platform)s has it.",
                **names,
            )
        if email:
            said += " " + _("We'll also email %(email)s when it's there.", email=email)
        return said
    if platform.key == "other":
        if before:
            return _(
                "On release day we'll email %(email)s a link that opens “%(title)s” on the "
                "streaming service.",
                **names,
            )
        return _(
            "It's out: we'll email %(email)s a link to “%(title)s” within minutes, as soon "
            "as the streaming services have it.",
            **names,
        )
    if before:
        said = _(
            "On release day we'll email %(email)s a link that opens “%(title)s” on %(platform)s.",
            **names,
        )
    else:
        said = _(
            "It's out: we'll email %(email)s a link to “%(title)s” on %(platform)s within "
            "minutes, as soon as %(platform)s has it.",
            **names,
        )
    return (
        said
        + " "
        + _(
            "Nothing is added to your %(platform)s library automatically: tap the link.",
            **_named(platform),
        )
    )


def _named(platform: Platform) -> dict:
    return {"platform": platform.name}
