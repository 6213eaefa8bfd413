"""OAuth 2 glue: Dropday's app tokens (Spotify, TIDAL) and the fans of the platforms that
sign them in with OAuth (YouTube Music, TIDAL).

Authlib's requests `OAuth2Session` does the protocol (authorization URL, PKCE, code exchange,
refresh, client credentials); this module only maps its outcomes onto Dropday's three errors
and keeps two rules: a token endpoint that rate limits or is down is temporary, never a
refusal; and an expired access token is refreshed at most once per call (an app token) or
per job (a fan's, whose new tokens reach the caller's `TokenSaver` before the job goes on).
"""

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session

from app.platforms.base import Connected, PermanentError, TemporaryError, Tokens, TokenSaver
from app.platforms.http import DEFAULT_TIMEOUT, HttpClient, raise_for_temporary, send

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
    raise_for_temporary(response)
    return response


class AppTokenSession:
    """Dropday's own access to a catalog (client credentials): Authlib fetches the token and
    renews it shortly before it expires; a 401 before then (revoked, clock skew) earns one
    new token and one retry. `client` is Authlib's client settings (id, secret, auth method,
    leeway)."""

    def __init__(
        self,
        name: str,
        shared: requests.Session,
        token_url: str,
        timeout=DEFAULT_TIMEOUT,
        **client,
    ):
        self.name = name
        self.token_url = token_url
        self.timeout = timeout
        self.oauth = oauth_session(
            shared, timeout, token_endpoint=token_url, grant_type="client_credentials", **client
        )
        self._lock = threading.Lock()

    def get(self, url: str, *, check: bool = True, **kwargs) -> requests.Response:
        """GET with the app token; `check` as in `http.send`."""
        with self._token_errors():
            self._fetch(force=False)
            response = send(self.oauth, "GET", url, timeout=self.timeout, check=check, **kwargs)
            if response.status_code == 401:
                self._fetch(force=True)
                response = send(self.oauth, "GET", url, timeout=self.timeout, check=check, **kwargs)
        return response

    def _fetch(self, force: bool) -> None:
        with self._lock:
            if force or not self.oauth.token:
                self.oauth.fetch_token(self.token_url, grant_type="client_credentials")

    @contextmanager
    def _token_errors(self) -> Iterator[None]:
        """Map what fetching a token can raise (directly or inside Authlib's renewal)."""
        try:
            yield
        except AuthlibBaseError as exc:
            raise PermanentError(
                f"{self.name} refused Dropday's client credentials ({exc.error})"
            ) from exc
        except requests.Timeout as exc:
            raise TemporaryError(f"timed out fetching a {self.name} app token") from exc
        except requests.ConnectionError as exc:
            raise TemporaryError(f"could not reach {self.name}'s token endpoint") from exc
        except (requests.HTTPError, ValueError) as exc:  # not JSON: a proxy's error page
            raise PermanentError(
                f"{self.name}'s token endpoint refused Dropday without an answer"
            ) from exc


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


class OAuthClient(HttpClient):
    """What the clients of OAuth platforms (YouTube Music, TIDAL) share: one registered app
    whose id and secret go in the token request's form body (as Google documents and TIDAL's
    SDK sends them), a code exchange, and one FanSession per save.

    Subclasses set `scope` and, for PKCE, `code_challenge_method`; each writes its own
    `begin_connect`, since what the fan is sent with differs (a PKCE verifier, Google's
    offline access), and its own `account_id`, since each names the fan's account differently.
    """

    scope: str
    code_challenge_method: str | None = None

    def __init__(
        self,
        *,
        api_url: str,
        authorize_url: str,
        token_url: str,
        client_id: str | None,
        client_secret: str | None,
        timeout=DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ):
        super().__init__(api_url=api_url, timeout=timeout, session=session)
        self.authorize_url = authorize_url
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret

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

    def check(self, tokens: Tokens, on_refresh: TokenSaver) -> None:
        """A refresh proves the grant still stands (and renews the access token)."""
        self.fan_session(tokens, on_refresh, stale=lambda response: False).refresh()

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
