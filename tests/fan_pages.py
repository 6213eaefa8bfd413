"""What a fan's browser does, for the fan page tests: read the page, post its forms."""

import re

from app.extensions import db
from app.models import Signup


def form_token(client, slug: str) -> str:
    """The token in the page's email form (the first platform's; it is per campaign)."""
    page = client.get(f"/{slug}").get_data(as_text=True)
    form_url = re.search(rf'href="(/{slug}/email/[a-z_]+)[?"]', page).group(1)
    html = client.get(form_url).get_data(as_text=True)
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def sign_up(client, slug: str, email: str, platform: str = "spotify", **extra):
    """The email form sent as the page sends it; `lang=` the page's language, if named."""
    headers = extra.pop("headers", {})
    lang = extra.pop("lang", None)
    data = {
        "platform": platform,
        "email": email,
        "form_token": form_token(client, slug),
        "consent_version": "1",
        **extra,
    }
    query = f"?lang={lang}" if lang else ""
    return client.post(f"/{slug}/signup{query}", data=data, headers=headers)


def signups(app, campaign_id: int | None = None) -> list[Signup]:
    with app.app_context():
        query = db.select(Signup).order_by(Signup.id)
        if campaign_id is not None:
            query = query.filter_by(campaign_id=campaign_id)
        rows = db.session.scalars(query).all()
        for row in rows:
            db.session.expunge(row)
        return rows
