"""What the insights tests read back: the rollups' sums, as the tab would."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import InsightCount

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
UK = "81.2.69.160"


def count(app, campaign_id: int, metric: str, dimension: str = "", value: str = "") -> int:
    with app.app_context():
        total = db.session.scalar(
            select(func.sum(InsightCount.count)).filter_by(
                campaign_id=campaign_id, grain="h", metric=metric, dimension=dimension, value=value
            )
        )
        return int(total or 0)


def visit(client, slug: str, body: str = "", user_agent: str = PHONE, address: str = UK, **headers):
    """The page's beacon, as static/js/visit.js sends it."""
    return client.post(
        f"/{slug}/v",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"User-Agent": user_agent, **headers},
        environ_base={"REMOTE_ADDR": address},
    )
