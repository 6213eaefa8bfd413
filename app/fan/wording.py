"""What the page says about each platform, derived from the registry's facts (mode, email),
so a platform added to the registry gets the right words without a branch on its name."""

from app.platforms.registry import Email, Platform

# Apple calls a pre-save a "pre-add"; wording only, the flow is the same for every platform.
VERBS = {"apple_music": "Pre-add"}


def button_label(platform: Platform) -> str:
    if platform.direct:
        return f"{VERBS.get(platform.key, 'Pre-save')} on {platform.name}"
    if platform.key == "other":
        return "Get an email on release day with a link"
    return f"Get an email on release day for {platform.name}"


def button_hint(platform: Platform) -> str:
    if platform.direct:
        needs = " and leave your email" if platform.email is Email.REQUIRED else ""
        return f"Connect {platform.name}{needs}; it's saved to your library on release day."
    return "No account needed."


def email_title(platform: Platform) -> str:
    if platform.key == "other":
        return button_label(platform)
    return f"Get an email on release day for {platform.name}"


def email_heads_up(platform: Platform) -> str | None:
    """The seed's "Heads up", said for every email signup (an email is never a save)."""
    if platform.key == "other":
        return None
    return (
        f"This is an email on release day that takes you to {platform.name}, "
        f"not an automatic save to your {platform.name} library."
    )


def release_day(platform: Platform, mode: str, email: str | None, title: str) -> str:
    """Exactly what happens on release day, for the confirmation."""
    if mode == "direct":
        said = f"On release day, Dropday adds “{title}” to your {platform.name} library."
        if email:
            said += f" We'll also email {email} when it's out."
        return said
    where = "the streaming service" if platform.key == "other" else platform.name
    said = f"On release day we'll email {email} a link that opens “{title}” on {where}."
    if platform.key != "other":
        said += f" Nothing is added to your {platform.name} library automatically: tap the link."
    return said
