"""What a fan's browser does, for the fan page tests: read the page, post its forms."""

import re

import brotli

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


FIRST_VIEW_BUDGET = 30 * 1024  # bytes transferred for a first view, artwork excluded
# What a first view fetches besides the page: stylesheets, scripts, the icon, the marks sprite.
FIRST_VIEW_ASSETS = re.compile(
    r'<(?:script[^>]+src|link[^>]+rel="(?:stylesheet|icon)"[^>]+href)="([^"]+)"'
    r'|<use href="([^"#]+)#'
)


def first_view(client, path: str) -> dict[str, int]:
    """Each URL a first view of `path` fetches (artwork aside), with its bytes as sent to
    a browser that accepts brotli."""
    headers = {"Accept-Encoding": "br, gzip"}
    page = client.get(path, headers=headers)
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "br"
    sent = {path: len(page.get_data())}
    html = brotli.decompress(page.get_data()).decode()
    for match in FIRST_VIEW_ASSETS.finditer(html):
        url = match.group(1) or match.group(2)
        if url in sent:
            continue
        asset = client.get(url, headers=headers)
        assert asset.status_code == 200, url
        sent[url] = len(asset.get_data())
        asset.close()
    return sent


def signups(app, campaign_id: int | None = None) -> list[Signup]:
    with app.app_context():
        query = db.select(Signup).order_by(Signup.id)
        if campaign_id is not None:
            query = query.filter_by(campaign_id=campaign_id)
        rows = db.session.scalars(query).all()
        for row in rows:
            db.session.expunge(row)
        return rows
