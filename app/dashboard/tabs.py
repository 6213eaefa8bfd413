"""The tabs of a campaign's page in the dashboard, in the order the tab bar shows them.

Each tab is (label, endpoint); the endpoint takes `campaign_id`. `/dashboard/campaigns/<id>`
opens the first one. A new tab is one more line here plus its view, whose template extends
`dashboard/campaign_page.html`.
"""

CAMPAIGN_TABS: list[tuple[str, str]] = [
    ("Subscribers", "dashboard.subscribers"),
    ("Release day", "dashboard.release_day"),
]
