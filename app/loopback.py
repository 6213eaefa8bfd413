"""Development-only pages (the dev mailbox, the platform simulator) answer only requests from
this computer: even if a server is started with DROPDAY_ENV=development by mistake, nobody
else can read its mail or drive its simulator."""

import ipaddress

from flask import Blueprint, abort, request


def _from_this_computer() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def local_only(bp: Blueprint) -> None:
    """Refuse every request to `bp` from a non-loopback client address (404: nothing here)."""

    @bp.before_request
    def _refuse_strangers():
        if not _from_this_computer():
            abort(404)
