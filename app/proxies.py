"""The client's address behind reverse proxies: trusted only when the operator says so.

TRUSTED_PROXIES is how many proxies stand in front of the app (0 by default: a forwarded
header from the internet is never believed). With N, werkzeug's ProxyFix takes the client
address and scheme from the last N hops of X-Forwarded-For/-Proto. Rate limits and the
insights' country and unique-visitor counts all read that address.
"""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
