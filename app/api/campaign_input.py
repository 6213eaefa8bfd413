"""A campaign from an API body, checked by the dashboard's own form: one set of rules and
messages for both. Fields an update leaves out keep the campaign's values."""

import base64
import binascii
import io

from werkzeug.datastructures import FileStorage, MultiDict

from app.api.schemas import CampaignInput
from app.dashboard.forms import CampaignForm
from app.models import Campaign

BAD_ARTWORK = "Send the artwork as the base64 of a PNG, JPEG or WebP file."


class BadArtwork(ValueError):
    pass


def _current(campaign: Campaign) -> dict:
    return {
        "title": campaign.title,
        "artist_name": campaign.artist_name,
        "release_date": campaign.release_date.isoformat(),
        "time_zone": campaign.time_zone,
        "release_source": campaign.source_value,
        "platforms": list(campaign.platforms),
        "theme": campaign.theme,
        "slug": campaign.slug,
    }


def _artwork(text: str) -> FileStorage:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadArtwork(BAD_ARTWORK) from None
    return FileStorage(io.BytesIO(raw), filename="artwork", name="artwork")


def campaign_form(body: CampaignInput, campaign: Campaign | None) -> CampaignForm:
    """The form filled from `body` (over the campaign's values), validated; raises
    BadArtwork when the artwork is not base64 at all."""
    values = (_current(campaign) if campaign else {}) | body.model_dump(exclude_none=True)
    formdata = MultiDict()
    for name, value in values.items():
        if name == "artwork":
            formdata.add(name, _artwork(value))
        elif isinstance(value, list):
            for item in value:
                formdata.add(name, item)
        else:
            formdata.add(name, value)
    form = CampaignForm(formdata=formdata, campaign=campaign, meta={"csrf": False})
    form.validate()
    return form
