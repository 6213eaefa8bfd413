"""The platform mark beside each button's name: a <use> of the vendored sprite, or None
for a platform without a mark (app/platforms/marks.py)."""

from flask import url_for

from app.fan.blueprint import bp
from app.platforms.marks import SLUGS, SPRITE


@bp.app_template_global()
def mark_url(platform_key: str) -> str | None:
    if platform_key not in SLUGS:
        return None
    return f"{url_for('static', filename=SPRITE)}#{platform_key}"
