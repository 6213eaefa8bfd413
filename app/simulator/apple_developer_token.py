"""Apple's check of a developer token, as the simulated Apple Music API and MusicKit make it.

A token Apple would accept is an ES256 JWT whose `kid` is Dropday's key id (APPLE_KEY_ID),
signed by that key (the simulator checks the signature with the public half of
APPLE_PRIVATE_KEY, as Apple does with the key registered to the team), `iss` =
APPLE_TEAM_ID, and `exp` in the future and at most 15777000 s after `iat`. Times are checked
against the wall clock, not the simulator's clock: the token is signed with the real time,
whatever a scenario's clock says.
"""

import time
from functools import cache

from flask import current_app, request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey
from joserfc.jws import extract_compact

MAX_TOKEN_AGE = 15_777_000  # seconds: Apple's limit on exp - iat


@cache
def _public_key(private_pem: str) -> ECKey:
    return ECKey.import_key(ECKey.import_key(private_pem).as_pem(private=False))


def developer_token_problem(token: str | None, check_origin: bool = True) -> str | None:
    """Why Apple would refuse this developer token, or None if it is good.

    `origin` restricts where a browser may use the token from: it is checked against the
    Origin header of API calls, not on the consent page (a page of Apple's own)."""
    if not token:
        return "no developer token"
    config = current_app.config
    try:
        header = extract_compact(token.encode()).protected
    except (JoseError, ValueError):
        return "not a JWT"
    if header.get("alg") != "ES256":
        return "alg must be ES256"
    if header.get("kid") != config.get("APPLE_KEY_ID"):
        return "unknown kid"
    try:
        claims = jwt.decode(token, _public_key(config["APPLE_PRIVATE_KEY"]), ["ES256"]).claims
    except (JoseError, ValueError):
        return "bad signature"
    if claims.get("iss") != config.get("APPLE_TEAM_ID"):
        return "iss is not the team id"
    iat, exp, now = claims.get("iat"), claims.get("exp"), time.time()
    if not isinstance(iat, int) or not isinstance(exp, int):
        return "iat and exp are required"
    if iat > now + 60:
        return "iat is in the future"
    if exp <= now:
        return "expired"
    if exp - iat > MAX_TOKEN_AGE:
        return "exp is more than 6 months after iat"
    origin = request.headers.get("Origin")
    if check_origin and origin and "origin" in claims and origin not in claims["origin"]:
        return "origin not allowed"
    return None
