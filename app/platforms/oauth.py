"""OAuth 2 glue shared by the platforms that sign fans in with it (YouTube Music, TIDAL).

Authlib's requests `OAuth2Session` does the protocol (authorization URL, PKCE, code exchange,
refresh, client credentials); this module only maps its outcomes onto Dropday's three errors
and keeps the rule every direct-save platform follows: an expired access token is refreshed at
most once per job, and the new tokens reach the caller's `TokenSaver` before the job goes on.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session

from app.platforms.base import Connected, PermanentError, TemporaryError, Tokens, TokenSaver
from app.platforms.http import DEFAULT_TIMEOUT, retry_after, send

REVOKED = "connection revoked"
REFUSED = "authorization refused"


def oauth_session(shared: requests.Session, timeout=DEFAULT_TIMEOUT, **kwargs) -> OAuth2Session:
    """An Authlib session that reuses the client's connection pool and timeouts.

    One is made per fan operation (tokens differ per fan); mounting the shared adapter keeps
    the TCP/TLS connections pooled across them.
    """
    oauth = OAuth2Session(default_timeout=timeout, **kwargs)
    oauth.headers["User-Agent"] = shared.headers["User-Agent"]
    for prefix, adapter in shared.adapters.items():
        oauth.mount(prefix, adapter)
    # A token endpoint that is rate limiting or down is a reason to retry, not to log out.
    oauth.register_compliance_hook("access_token_response", _temporary_failures)
    oauth.register_compliance_hook("refresh_token_response", _temporary_failures)
    return oauth


def _temporary_failures(response: requests.Response) -> requests.Response:
    if response.status_code == 429 or response.status_code >= 500:
        raise TemporaryError(
            f"token endpoint answered {response.status_code}", retry_after(response)
        )
    return response


def tokens_from(token: dict) -> Tokens:
    expires_at = token.get("expires_at")
    return Tokens(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token"),
        expires_at=datetime.fromtimestamp(int(expires_at), UTC) if expires_at else None,
        scope=token.get("scope"),
    )


def token_dict(tokens: Tokens) -> dict:
    token = {"access_token": tokens.access_token, "token_type": "Bearer"}
    if tokens.refresh_token:
        token["refresh_token"] = tokens.refresh_token
    if tokens.expires_at:
        token["expires_at"] = int(tokens.expires_at.timestamp())
    return token


def exchange_code(
    oauth: OAuth2Session, token_url: str, callback_url: str, state: str, **kwargs
) -> dict:
    """Trade the code in the callback URL for the token endpoint's answer; a fan who said
    no is a permanent refusal."""
    if "error" in parse_qs(urlsplit(callback_url).query):
        raise PermanentError(REFUSED)
    try:
        token = oauth.fetch_token(
            token_url, authorization_response=callback_url, state=state, **kwargs
        )
    except AuthlibBaseError as exc:
        raise PermanentError(f"{REFUSED} ({exc.error})") from exc
    except requests.HTTPError as exc:  # a 4xx without a JSON body
        raise PermanentError(REFUSED) from exc
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TemporaryError(f"could not reach the token endpoint: {exc}") from exc
    return token


class OAuthClient:
    """What the clients of OAuth platforms (YouTube Music, TIDAL) share: one registered app
    whose id and secret go in the token request's form body (as Google documents and TIDAL's
    SDK sends them), a code exchange, and one FanSession per save.

    Subclasses set `session`, `timeout`, `token_url`, `client_id`, `client_secret`, `scope`
    and, for PKCE, `code_challenge_method`; each writes its own `begin_connect`, since what
    the fan is sent with differs (a PKCE verifier, Google's offline access), and its own
    `account_id`, since each names the fan's account differently.
    """

    scope: str
    code_challenge_method: str | None = None

    def client_auth(self) -> dict:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret or None,
            "token_endpoint_auth_method": "client_secret_post" if self.client_secret else "none",
        }

    def oauth(self, redirect_uri: str) -> OAuth2Session:
        return oauth_session(
            self.session,
            self.timeout,
            scope=self.scope,
            redirect_uri=redirect_uri,
            code_challenge_method=self.code_challenge_method,
            **self.client_auth(),
        )

    def finish_connect(
        self, redirect_uri: str, answer: Mapping[str, str], verifier: str | None = None
    ) -> Connected:
        # The caller has checked `state` against the fan's browser; Authlib checks it again.
        callback_url = f"{redirect_uri}?{urlencode(dict(answer))}"
        token = exchange_code(
            self.oauth(redirect_uri),
            self.token_url,
            callback_url,
            answer.get("state", ""),
            code_verifier=verifier,
        )
        tokens = tokens_from(token)
        return Connected(tokens, self.account_id(token, tokens))

    def fan_session(
        self, tokens: Tokens, on_refresh: TokenSaver, stale: Callable[[requests.Response], bool]
    ) -> "FanSession":
        return FanSession(
            self.session,
            self.token_url,
            tokens,
            on_refresh,
            stale,
            timeout=self.timeout,
            **self.client_auth(),
        )


class FanSession:
    """A fan's access for one job: requests carry the token; a refresh happens at most once.

    `stale(response)` says whether a response means "your access token expired" (each
    platform words that differently); such a response earns one refresh and one retry.
    """

    def __init__(
        self,
        shared: requests.Session,
        token_url: str,
        tokens: Tokens,
        on_refresh: TokenSaver,
        stale: Callable[[requests.Response], bool],
        timeout=DEFAULT_TIMEOUT,
        **client,
    ):
        self.token_url = token_url
        self.on_refresh = on_refresh
        self.stale = stale
        self.timeout = timeout
        self.refreshed = False
        self.oauth = oauth_session(shared, timeout, token=token_dict(tokens), **client)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        if self.oauth.token.is_expired() and not self.refreshed:
            self.refresh()
        response = self._send(method, url, **kwargs)
        if self.stale(response) and not self.refreshed:
            self.refresh()
            response = self._send(method, url, **kwargs)
        if self.stale(response):
            # Fresh tokens refused too: only the fan can fix this by connecting again.
            raise PermanentError(REVOKED)
        return response

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            return send(self.oauth, method, url, timeout=self.timeout, **kwargs)
        except AuthlibBaseError as exc:
            # Authlib will not send a token it knows to be expired and cannot renew.
            raise PermanentError(REVOKED) from exc

    def refresh(self) -> None:
        self.refreshed = True
        refresh_token = self.oauth.token.get("refresh_token")
        if not refresh_token:
            raise PermanentError(REVOKED)
        try:
            token = self.oauth.refresh_token(self.token_url, refresh_token=refresh_token)
        except (AuthlibBaseError, requests.HTTPError) as exc:
            # invalid_grant (revoked, expired, unused for months) or any other 4xx refusal.
            raise PermanentError(REVOKED) from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TemporaryError(f"could not reach the token endpoint: {exc}") from exc
        self.on_refresh(tokens_from(token))
