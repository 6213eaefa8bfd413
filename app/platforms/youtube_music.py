"""YouTube Music through the public YouTube Data API v3 and Google OAuth 2.

Finding a release: the API has no ISRC/UPC lookup, so Dropday asks Odesli first when the
release has a Spotify URL (an exact mapping), then falls back to `search.list` by title and
artist, keeping only results whose normalised title and artist really match (see `matching`).

Saving: the public API cannot add a YouTube Music album to a library (albums are `OLAK5uy_`
playlists and there is no `playlists.rate`). The unofficial `ytmusicapi` can, by imitating the
web client, but it is not a supported API and is not used here. What the public API does allow
is liking videos, and liked songs show up in the fan's YouTube Music library ("Liked music";
⚠️ that is how the YouTube Music app behaves, not something the API documents),
so a save likes each track's video with `videos.rate?rating=like`. Liking is idempotent, so a
retried job that likes a video twice does no harm. Each like costs 50 quota units of the
default 10,000 a day.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import requests

from app import clock
from app.platforms import matching, settings
from app.platforms.base import (
    ConnectStart,
    Listing,
    PermanentError,
    PlatformError,
    ReleaseIdentity,
    SaveResult,
    TemporaryError,
    Tokens,
    TokenSaver,
)
from app.platforms.http import retry_after, send
from app.platforms.oauth import FanSession, OAuthClient
from app.platforms.odesli import OdesliClient

SCOPE = "https://www.googleapis.com/auth/youtube"
PACIFIC = ZoneInfo("America/Los_Angeles")
SEARCH_RESULTS = 10
# Google's standard rate-limit errors come as 403s (a 429 is temporary for every platform).
RATE_LIMITS = {"rateLimitExceeded", "userRateLimitExceeded"}
RATE_LIMIT_WAIT = 60


def seconds_until_quota_reset(now: datetime | None = None) -> float:
    """YouTube quotas reset at midnight Pacific time (PST or PDT, whichever is in force).
    `now`: Dropday's clock by default, as for every wait it schedules."""
    now = (now or clock.now()).astimezone(PACIFIC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)
    # Subtract in UTC: aware datetimes sharing a tzinfo subtract as wall clocks, which is off
    # by an hour on the days the clocks change.
    return (midnight.astimezone(UTC) - now.astimezone(UTC)).total_seconds()


def error_reason(response: requests.Response) -> str:
    """The first `errors[].reason` of a Google API error body, e.g. "quotaExceeded"."""
    try:
        error = response.json().get("error") or {}
        return (error.get("errors") or [{}])[0].get("reason") or error.get("status") or ""
    except (ValueError, AttributeError):
        return ""


class YouTubeMusicClient(OAuthClient):
    key = "youtube_music"
    scope = SCOPE
    web_url = "https://music.youtube.com"

    def __init__(self, *, api_key: str | None, revoke_url: str, odesli=None, **common):
        super().__init__(**common)
        self.api_key = api_key
        self.revoke_url = revoke_url
        self.odesli = odesli

    @classmethod
    def from_config(cls, config: Mapping) -> "YouTubeMusicClient":
        return cls(
            api_url=settings.url(config, "YOUTUBE_API_URL"),
            authorize_url=settings.url(config, "GOOGLE_AUTHORIZE_URL"),
            token_url=settings.url(config, "GOOGLE_TOKEN_URL"),
            revoke_url=settings.url(config, "GOOGLE_REVOKE_URL"),
            client_id=config.get("GOOGLE_CLIENT_ID"),
            client_secret=config.get("GOOGLE_CLIENT_SECRET"),
            api_key=config.get("YOUTUBE_API_KEY"),
            odesli=OdesliClient.from_config(config),
            timeout=settings.timeout(config),
        )

    def revoke(self, tokens: Tokens) -> None:
        """Google's revocation endpoint (RFC 7009): revoking the refresh token ends the whole
        grant, its access tokens too. (TIDAL documents none: platforms.md.)"""
        form = {"token": tokens.refresh_token or tokens.access_token, "client_id": self.client_id}
        if self.client_secret:
            form["client_secret"] = self.client_secret
        response = send(self.session, "POST", self.revoke_url, data=form, timeout=self.timeout)
        if response.status_code >= 400:
            raise PermanentError(f"the platform refused the revocation ({response.status_code})")

    # -- finding the release ------------------------------------------------------------

    def find_release(self, identity: ReleaseIdentity) -> Listing | None:
        return self._from_odesli(identity) or self._from_search(identity)

    def _from_odesli(self, identity: ReleaseIdentity) -> Listing | None:
        """Odesli maps the release's Spotify URL exactly, and costs no YouTube quota."""
        if self.odesli is None or not identity.spotify_url:
            return None
        try:
            return self.odesli.find_links(identity).get(self.key)
        except PlatformError:
            return None  # Odesli busy or refusing: the search below still works

    def _from_search(self, identity: ReleaseIdentity) -> Listing | None:
        kind = identity.kind
        params = {
            "part": "snippet",
            "q": f"{identity.artists[0] if identity.artists else ''} {identity.title}".strip(),
            "type": "video" if kind == "track" else "playlist",
            "maxResults": SEARCH_RESULTS,
            "key": self.api_key,
        }
        response = send(
            self.session, "GET", f"{self.api_url}/search", params=params, timeout=self.timeout
        )
        self._raise_for_error(response)
        best = matching.best_match(
            identity,
            (
                (item["id"].get("videoId") or item["id"].get("playlistId"), item["snippet"])
                for item in response.json().get("items", [])
            ),
            prefer_topic=self.key == "youtube_music",
        )
        return self._listing(best, kind, "search") if best else None

    def _listing(self, platform_id: str, kind: str, matched_by: str) -> Listing:
        if kind == "album":
            url = f"{self.web_url}/playlist?list={platform_id}"
        else:
            url = f"{self.web_url}/watch?v={platform_id}"
        return Listing(self.key, url, platform_id, kind, matched_by)

    # -- connecting a fan ---------------------------------------------------------------

    def begin_connect(self, redirect_uri: str, state: str) -> ConnectStart:
        # offline + consent: Google only hands out a refresh token on a consent screen, and
        # release day may be months after the fan connected.
        url, state = self.oauth(redirect_uri).create_authorization_url(
            self.authorize_url, state=state, access_type="offline", prompt="consent"
        )
        return ConnectStart(state=state, redirect_url=url)

    def account_id(self, token: dict, tokens: Tokens) -> str:
        """The fan's channel id (`channels.list?mine=true`, 1 quota unit)."""
        fan = self.fan_session(tokens, on_refresh=lambda _: None, stale=_unauthorized)
        response = fan.request(
            "GET", f"{self.api_url}/channels", params={"part": "id", "mine": "true"}
        )
        self._raise_for_error(response)
        items = response.json().get("items") or []
        if not items:
            raise PermanentError("this Google account has no YouTube channel")
        return items[0]["id"]

    # -- saving -------------------------------------------------------------------------

    def save(
        self,
        tokens: Tokens,
        listing: Listing,
        on_refresh: TokenSaver,
        *,
        connection_id: str | None = None,
    ) -> SaveResult:
        """Like each track's video. Likes are idempotent, so `connection_id` is not needed."""
        fan = self.fan_session(tokens, on_refresh, stale=_unauthorized)
        if listing.kind == "album":
            videos = self._playlist_videos(fan, listing.platform_id)
        else:
            videos = [listing.platform_id]
        if not videos:
            raise PermanentError("the album playlist has no videos to like")
        for video_id in videos:
            response = fan.request(
                "POST",
                f"{self.api_url}/videos/rate",
                params={"id": video_id, "rating": "like"},
            )
            self._raise_for_error(response)
        # videos.rate answers 204 only once the rating is recorded: that is the proof.
        return SaveResult(verified=True, detail=f"liked {len(videos)} video(s)")

    def _playlist_videos(self, fan: FanSession, playlist_id: str) -> list[str]:
        videos, page = [], None
        while True:
            params = {"part": "contentDetails", "playlistId": playlist_id, "maxResults": 50}
            if page:
                params["pageToken"] = page
            response = fan.request("GET", f"{self.api_url}/playlistItems", params=params)
            self._raise_for_error(response)
            body = response.json()
            videos += [item["contentDetails"]["videoId"] for item in body.get("items", [])]
            page = body.get("nextPageToken")
            if not page:
                return videos

    def _raise_for_error(self, response: requests.Response) -> None:
        if response.status_code < 400:
            return
        reason = error_reason(response)
        if response.status_code == 403 and reason in {"quotaExceeded", "dailyLimitExceeded"}:
            raise TemporaryError(
                "YouTube daily quota exhausted", retry_after=seconds_until_quota_reset()
            )
        if response.status_code == 403 and reason in RATE_LIMITS:
            wait = retry_after(response) or RATE_LIMIT_WAIT
            raise TemporaryError(f"YouTube rate limit ({reason})", retry_after=wait)
        raise PermanentError(f"YouTube refused the request ({response.status_code} {reason})")


class YouTubeClient(YouTubeMusicClient):
    """The same API for the email-only YouTube choice: links point at youtube.com."""

    key = "youtube"
    web_url = "https://www.youtube.com"


def _unauthorized(response: requests.Response) -> bool:
    """Google answers an expired access token with a plain 401."""
    return response.status_code == 401
