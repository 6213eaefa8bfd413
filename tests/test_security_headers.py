"""Every response carries the security headers; a view can widen its own CSP, nothing else's."""

import pytest

from app.security_headers import allow

PAGES = [
    "/login",
    "/signup",
    "/dashboard/",
    "/dashboard/campaigns/new",
    "/no-such-page",
    "/healthz",
    "/static/css/app.css",
    "/simulator/",
]


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(logged_in, path):
    response = logged_in.get(path)
    response.close()  # a static file's stream
    csp = directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_an_error_page_carries_them_too(client):
    response = client.post("/dashboard/campaigns/1/active")  # not logged in: a redirect
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_no_hsts_in_debug_where_the_site_runs_over_plain_http(make_app):
    client = make_app(DEBUG=True).test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert client.get("/login").headers["X-Content-Type-Options"] == "nosniff"


def test_a_view_widens_its_own_policy_and_no_other(make_app):
    app = make_app()

    @app.get("/with-musickit")
    def with_musickit():
        allow("script-src", "https://js-cdn.music.apple.com")
        allow("connect-src", "https://api.music.apple.com")
        return "ok"

    client = app.test_client()
    widened = directives(client.get("/with-musickit"))
    assert widened["script-src"] == ["'self'", "https://js-cdn.music.apple.com"]
    assert widened["connect-src"] == ["'self'", "https://api.music.apple.com"]
    assert widened["frame-ancestors"] == ["'none'"]
    assert directives(client.get("/login"))["script-src"] == ["'self'"]


def test_framing_cannot_be_allowed_by_a_view(app):
    with app.test_request_context(), pytest.raises(ValueError):
        allow("frame-ancestors", "https://evil.example")


def test_no_page_has_an_inline_script_or_style(logged_in, make, artist):
    campaign = make.campaign(artist)
    for path in [*PAGES[:4], f"/dashboard/campaigns/{campaign.id}/edit", "/simulator/"]:
        html = logged_in.get(path).text
        assert "<script>" not in html and "<style" not in html, path
        assert " style=" not in html and "onclick=" not in html, path


def test_in_live_mode_fan_pages_may_load_musickit_and_no_other_page_may(make_app):
    client = make_app(PLATFORM_MODE="live").test_client()
    fan_policy = client.get("/some-release").headers["Content-Security-Policy"]
    assert "script-src 'self' https://js-cdn.music.apple.com;" in fan_policy
    assert "connect-src 'self' https://api.music.apple.com;" in fan_policy
    login_policy = client.get("/login").headers["Content-Security-Policy"]
    assert "apple.com" not in login_policy


def test_in_simulator_mode_the_musickit_stand_in_needs_no_other_origin(client):
    assert "apple.com" not in client.get("/some-release").headers["Content-Security-Policy"]
