"""The campaign form: each field validates itself, so a page post and an inline htmx check
give the same messages."""

from datetime import date
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app import clock
from app.campaigns.artwork import MAX_ARTWORK_BYTES, InvalidArtwork, check_size
from app.campaigns.editing import slug_taken
from app.campaigns.look import DEFAULT_THEME, THEMES
from app.campaigns.slugs import TAKEN_MESSAGE, validate_slug
from app.form_filters import clean_text
from app.models import Campaign
from app.platforms import registry
from app.platforms.release_source import InvalidReleaseSource, parse_release_source


@cache
def time_zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


@cache
def time_zone_groups() -> dict[str, list[tuple[str, str]]]:
    """The zones grouped by region, each named by its place: a phone's picker shows
    "Europe" > "Berlin" instead of one list of six hundred "Region/City" names."""
    groups: dict[str, list[tuple[str, str]]] = {"UTC": [("UTC", "UTC")]}
    for zone in time_zones():
        if zone == "UTC":
            continue
        region, place = zone.split("/", 1)
        groups.setdefault(region, []).append((zone, place.replace("_", " ").replace("/", " / ")))
    return groups


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CampaignForm(FlaskForm):
    title = StringField(
        "Release title",
        filters=[clean_text],
        validators=[DataRequired("Enter the release title."), Length(max=200)],
    )
    artist_name = StringField(
        "Artist name",
        filters=[clean_text],
        validators=[DataRequired("Enter the artist name."), Length(max=200)],
    )
    artwork = FileField("Artwork")
    release_date = DateField(
        "Release date", validators=[DataRequired("Enter the release date (YYYY-MM-DD).")]
    )
    time_zone = SelectField("Time zone", default="UTC")
    release_source = StringField(
        "Release source",
        filters=[clean_text],
        validators=[DataRequired("Enter the release source.")],
    )
    theme = SelectField(
        "Page colours",
        choices=[SelectChoice(key, label) for key, label in THEMES.items()],
        default=DEFAULT_THEME,
        validate_choice=False,
    )
    platforms = CheckboxesField("Platforms", default=registry.KEYS)
    double_opt_in = BooleanField("Ask fans to confirm their email (double opt-in)")
    slug = StringField("Page address", filters=[clean_text], validators=[Optional()])

    hints = {
        "artwork": "PNG, JPEG or WebP, at least 300×300 pixels, up to 5 MB. "  # noqa: RUF001
        "A non-square image is cropped to its centred square.",
        "release_date": "The page turns into a Smart Link at midnight of this day.",
        "time_zone": "Midnight in this time zone is the release moment.",
        "release_source": "A Spotify album or track link or URI, a UPC/EAN, or an ISRC. "
        "The exact Spotify link from your distributor matches fastest.",
        "slug": "Lower-case letters, digits and hyphens. Leave empty to use the title.",
        "theme": "From artwork takes the page's colours from the artwork; "
        "text and buttons always stay readable.",
        "double_opt_in": "Email signups get a confirmation link and count only once the fan "
        "clicks it; unconfirmed signups are deleted after 7 days.",
    }
    attrs = {
        "release_source": {"placeholder": "spotify:album:… or 602445790609 or USUM71703861"},
        "slug": {"placeholder": "made from the title", "pattern": "[a-z0-9-]+"},
        "time_zone": {"data-local-default": True},
        # The page refuses a file over the limit before uploading it (static/js/artwork.js).
        "artwork": {
            "accept": "image/png,image/jpeg,image/webp",
            "data-max-bytes": MAX_ARTWORK_BYTES,
        },
    }

    def __init__(self, *args, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, obj=campaign, **kwargs)
        self.campaign = campaign
        self.time_zone.choices = {
            region: [SelectChoice(zone, label) for zone, label in zones]
            for region, zones in time_zone_groups().items()
        }
        offered = registry.enabled(current_app.config["DISABLED_PLATFORMS"])
        self.platforms.choices = [SelectChoice(p.key, p.name) for p in offered]
        if campaign is not None and not self.is_submitted():
            self.release_source.data = campaign.source_value
        if campaign is None and not self.is_submitted():
            self.double_opt_in.data = current_app.config["DOUBLE_OPT_IN"]
        if campaign is not None:
            # An edit keeps the address when the field is emptied: say so, not "leave empty".
            self.hints = self.hints | {"slug": "Lower-case letters, digits and hyphens."}
            self.attrs = self.attrs | {"slug": {"pattern": "[a-z0-9-]+"}}

    # A new campaign needs artwork; an edit keeps the old one unless a new file comes.
    def validate_artwork(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            if self.campaign is None or not self.campaign.artwork:
                raise ValidationError("Add the release artwork (PNG, JPEG or WebP, up to 5 MB).")
            return
        try:
            check_size(upload.stream)
        except InvalidArtwork as error:
            raise ValidationError(str(error)) from None

    def validate_theme(self, field):
        if field.data not in THEMES:
            raise ValidationError("Choose From artwork, Light or Dark.")

    def validate_time_zone(self, field):
        if field.data not in time_zones():
            raise ValidationError("Choose a time zone from the list, like Europe/Berlin.")

    def validate_release_date(self, field):
        if field.data is None:
            return
        unchanged = self.campaign is not None and self.campaign.release_date == field.data
        zone = self.time_zone.data if self.time_zone.data in time_zones() else "UTC"
        today = clock.now().astimezone(ZoneInfo(zone)).date()
        if field.data < today and not unchanged:
            raise ValidationError("The release date can't be in the past.")
        if field.data > date(today.year + 2, today.month, 1):
            raise ValidationError("Pick a release date within the next two years.")

    def validate_release_source(self, field):
        try:
            self.parsed_source = parse_release_source(field.data or "")
        except InvalidReleaseSource as error:
            raise ValidationError(str(error)) from None

    def validate_platforms(self, field):
        if not field.data:
            raise ValidationError("Choose at least one platform.")

    def validate_slug(self, field):
        slug = (field.data or "").strip().lower()
        field.data = slug
        if not slug:
            return  # generated from the title on save
        message = validate_slug(slug)
        if message:
            raise ValidationError(message)
        if slug_taken(slug, self.campaign):
            raise ValidationError(TAKEN_MESSAGE)

    def validate_one(self, name: str) -> bool:
        """Validate a single field (the inline htmx check)."""
        field = self[name]
        inline = getattr(type(self), f"validate_{name}", None)
        return field.validate(self, extra_validators=[inline] if inline else ())
