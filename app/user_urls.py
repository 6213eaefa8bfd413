"""The one rule for every URL a user supplied that Dropday fetches (fans' Web Push endpoints,
artists' webhook endpoints): https on a public address only, checked when the URL is accepted
and again at the moment of connecting, so a name that later resolves somewhere private (DNS
rebinding) gains nothing. In simulator mode the simulator's own push service is the only push
endpoint allowed.

`session` is what both send through: no redirect followed, no proxy from the environment,
and `PublicOnlyAdapter` for https, which does the connect-time check: it resolves the host
itself, refuses if any address is loopback, private, link-local, multicast or reserved, and
connects to the address it checked (TLS still verifies the certificate for the host name).
Plain http is refused by that session. An operator lifts the rule for their own network
explicitly: `WEBHOOK_ALLOW_PRIVATE` for webhooks, simulator mode for push (whose push service
is this machine).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool


class UnsafeURL(ValueError):
    """A URL Dropday will not fetch. The message is for logs and for the URL's own owner (an
    artist adding a webhook), never for strangers."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[tuple]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"The host name {host} does not resolve.") from error
    if not answers:
        raise UnsafeURL(f"The host name {host} does not resolve.")
    return answers


def public_addresses(host: str, port: int) -> list[tuple]:
    """getaddrinfo's answers for host, refused whole if any of them is not public."""
    answers = _resolve(host, port)
    for *_, sockaddr in answers:
        if not _is_public(sockaddr[0]):
            raise UnsafeURL(f"{host} is not a public address: only public addresses are allowed.")
    return answers


def check(url: str, config) -> None:
    """Raise UnsafeURL unless Dropday may push to `url` (the live rule, or the simulator's)."""
    if config["PLATFORM_MODE"] == "simulator":
        simulator = config.get("SIMULATOR_URL") or config["PUBLIC_URL"] + "/simulator"
        if not url.startswith(simulator.rstrip("/") + "/push/send/"):
            raise UnsafeURL("in simulator mode only the simulator's push service is allowed")
        return
    check_public(url)


def check_public(url: str, allow_private: bool = False) -> None:
    """Raise UnsafeURL unless `url` is https to a host whose every address is public.
    `allow_private` (the operator's own network): http too, and any address it resolves to."""
    parts = urlsplit(url)
    try:
        port = parts.port or (80 if parts.scheme == "http" else 443)
    except ValueError as error:
        raise UnsafeURL("The port is not a number.") from error
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeURL("Addresses must start with https://.")
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeURL("Give a full address like https://example.com/hooks/dropday.")
    if allow_private:
        _resolve(parts.hostname, port)
    else:
        public_addresses(parts.hostname, port)


class _PublicHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        answers = public_addresses(self._dns_host, self.port)
        family, kind, proto, _, sockaddr = answers[0]
        sock = socket.socket(family, kind, proto)
        if isinstance(self.timeout, int | float):
            sock.settimeout(self.timeout)
        try:
            sock.connect(sockaddr)
        except OSError:
            sock.close()
            raise
        return sock


class _PublicHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """An https adapter that connects to public addresses only (mount it for "https://")."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"https": _PublicHTTPSConnectionPool}


class _Refused(BaseAdapter):
    """Mounted for plain http when only public https is allowed: nothing is sent."""

    def send(self, request, *args, **kwargs):
        raise UnsafeURL("Addresses must start with https://.")

    def close(self):
        pass


class _NoRedirects(requests.Session):
    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def session(pool_size: int, allow_private: bool = False) -> requests.Session:
    """A keep-alive session for user-supplied URLs, safe to share between `pool_size` threads
    per host: redirects never followed, no proxy from the environment, https connected to
    public addresses only (checked at connect time) and http refused, unless
    `allow_private`."""
    guarded = _NoRedirects()
    guarded.trust_env = False
    if allow_private:
        guarded.mount("http://", HTTPAdapter(pool_maxsize=pool_size))
        guarded.mount("https://", HTTPAdapter(pool_maxsize=pool_size))
    else:
        guarded.mount("http://", _Refused())
        guarded.mount("https://", PublicOnlyAdapter(pool_maxsize=pool_size))
    return guarded
