"""The one rule for every URL a user supplied that Dropday fetches (today: fans' Web Push
endpoints): https on a public address only, checked when the URL is accepted and again at
the moment of connecting, so a name that later resolves somewhere private (DNS rebinding)
gains nothing. In simulator mode the simulator's own push service is the only place allowed.

`PublicOnlyAdapter` does the connect-time check: it resolves the host itself, refuses if any
address is loopback, private, link-local, multicast or reserved, and connects to the address
it checked (TLS still verifies the certificate for the host name).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool


class UnsafeURL(ValueError):
    """A URL Dropday will not fetch; the message is for logs, never for strangers."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def public_addresses(host: str, port: int) -> list[tuple]:
    """getaddrinfo's answers for host, refused whole if any of them is not public."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"{host} does not resolve") from error
    if not answers:
        raise UnsafeURL(f"{host} does not resolve")
    for *_, sockaddr in answers:
        if not _is_public(sockaddr[0]):
            raise UnsafeURL(f"{host} resolves to a non-public address")
    return answers


def check(url: str, config) -> None:
    """Raise UnsafeURL unless Dropday may fetch `url` (the live rule, or the simulator's)."""
    if config["PLATFORM_MODE"] == "simulator":
        simulator = config.get("SIMULATOR_URL") or config["PUBLIC_URL"] + "/simulator"
        if not url.startswith(simulator.rstrip("/") + "/push/send/"):
            raise UnsafeURL("in simulator mode only the simulator's push service is allowed")
        return
    parts = urlsplit(url)
    try:
        port = parts.port or 443
    except ValueError as error:
        raise UnsafeURL("the port is not a number") from error
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise UnsafeURL("only https URLs with a host name are allowed")
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
