"""Bad input anywhere in the dashboard and auth pages gets a clear answer, never a 500."""

import io

import pytest

GARBAGE = [
    {},
    {
        "title": "x" * 5000,
        "artist_name": "\x00",
        "release_date": "2026-02-30",
        "time_zone": "../../etc/passwd",
        "release_source": "spotify:album:" + "a" * 500,
        "platforms": ["nope", "spotify"],
        "slug": "-" * 80,
        "active": "maybe",
    },
    {"release_date": "99999-01-01", "platforms": "", "email": "@", "password": "x" * 10_000},
    {"artwork": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), "x.png"), "name": "\u202eevil"},
    {
        "name-name": "\x00" * 500,
        "email-email": "@@" * 200,
        "email-password": "x" * 10_000,
        "password-password": "\u202e",
        "password-new_password": "\x00" * 20,
        "delete-confirm": "x" * 5000,
    },
]


def _routes(app, campaign_id):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in {"auth", "dashboard", "account"}:
            continue
        path = rule.rule.replace("<int:campaign_id>", str(campaign_id))
        path = path.replace("<field>", "title")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


@pytest.mark.parametrize("data", GARBAGE)
def test_no_dashboard_or_auth_route_answers_garbage_with_a_500(logged_in, app, make, artist, data):
    campaign = make.campaign(artist)
    for method, path in _routes(app, campaign.id):
        if path in {"/logout", "/account/logout-everywhere"}:
            continue  # would end the session the other routes need
        payload = {
            k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v
            for k, v in data.items()
        }
        response = logged_in.open(path, method=method, data=payload)
        assert response.status_code < 500, (method, path, response.status_code)
