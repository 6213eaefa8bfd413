"""The tabs of a campaign's page in the dashboard, in the order the tab bar shows them.

Each tab is (label, endpoint); the endpoint takes `campaign_id`. `/dashboard/campaigns/<id>`
opens the first one. A new tab is one more line here plus its view, whose template extends
`dashboard/campaign_page.html` (which includes `dashboard/_campaign_tabs.html`).
"""

from flask import redirect, url_for

from app.dashboard.blueprint import bp
from app.workspaces.scope import workspace_campaign

CAMPAIGN_TABS: list[tuple[str, str]] = [
    ("Subscribers", "dashboard.subscribers"),
    ("Release day", "dashboard.release_day"),
    ("Insights", "dashboard.insights"),
    ("Announce", "dashboard.announce"),
]


@bp.context_processor
def campaign_tabs():
    return {"campaign_tabs": CAMPAIGN_TABS}


@bp.get("/campaigns/<int:campaign_id>")
def campaign_page(campaign_id: int):
    workspace_campaign(campaign_id)
    return redirect(url_for(CAMPAIGN_TABS[0][1], campaign_id=campaign_id))
