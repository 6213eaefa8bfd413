"""Security headers on every response, and the one way a view widens the CSP.

The policy allows only this site's own scripts, styles, images and connections; no inline
script or style, and no page may be framed. A page that really needs another source asks
for it while the request runs, and gets it for that response alone:

    from app.security_headers import allow

    @bp.get("/<slug>")
    def page(slug):
        if current_app.config["PLATFORM_MODE"] == "live":
            allow("script-src", "https://js-cdn.music.apple.com")   # MusicKit JS
            allow("connect-src", "https://api.music.apple.com")
        ...

For a whole blueprint, call `allow` from its `before_request`. `allow` only adds sources, and
never to `frame-ancestors`: no Dropday page may be framed. The one exception is HTML that
Dropday did not write, shown sandboxed in a frame of our own: see `untrusted_html`.
"""

from flask import Flask, current_app, g

DEFAULT_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "worker-src": ("'self'",),  # the fan page's service worker (/sw.js)
    "manifest-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "frame-ancestors": ("'none'",),
}

# Browser features no Dropday page uses: nobody (no frame, no injected script) gets them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)

HSTS = "max-age=31536000; includeSubDomains"

# For showing HTML that Dropday did not write (a received email on the dev mailbox page) in a
# frame of our own page: sandboxed (no script, an opaque origin), its inline styles allowed,
# nothing fetched, and framed only by this site.
UNTRUSTED_HTML_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


def allow(directive: str, *sources: str) -> None:
    """Add `sources` to `directive` of this response's Content-Security-Policy."""
    if directive not in DEFAULT_POLICY or directive == "frame-ancestors":
        raise ValueError(f"CSP directive {directive!r} cannot be widened")
    extra = g.setdefault("csp_extra", {})
    extra.setdefault(directive, [])
    extra[directive] += [s for s in sources if s not in extra[directive]]


def untrusted_html() -> None:
    """Serve this response under UNTRUSTED_HTML_POLICY instead of the site's policy."""
    g.csp_untrusted = True


def policy(extra: dict | None = None) -> str:
    """This request's Content-Security-Policy header value."""
    extra = g.get("csp_extra", {}) if extra is None else extra
    parts = []
    for directive, defaults in DEFAULT_POLICY.items():
        sources = list(defaults) + [s for s in extra.get(directive, ()) if s not in defaults]
        if "'none'" in sources and len(sources) > 1:
            sources.remove("'none'")
        parts.append(" ".join([directive, *sources]))
    return "; ".join(parts)


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response):
    headers = response.headers
    if g.get("csp_untrusted"):
        headers["Content-Security-Policy"] = UNTRUSTED_HTML_POLICY
        headers["X-Frame-Options"] = "SAMEORIGIN"
    else:
        headers["Content-Security-Policy"] = policy()
        headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers that predate it
    add_common_headers(headers, current_app.debug)
    return response


def add_early_headers(headers, debug: bool) -> None:
    """The site's headers on an answer sent before Flask sees the request (a static file
    from WhiteNoise, the visit beacon)."""
    headers["Content-Security-Policy"] = policy({})
    headers["X-Frame-Options"] = "DENY"
    add_common_headers(headers, debug)


def add_common_headers(headers, debug: bool) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if not debug:
        # Browsers ignore it over plain http, so local http runs are unaffected.
        headers["Strict-Transport-Security"] = HSTS
