"""Odesli (song.link) client: links on the platforms Dropday cannot look up by UPC or ISRC.

Amazon Music (closed API), SoundCloud (no ISRC filter) and YouTube / YouTube Music (text
search only) are found by mapping a live Spotify or Apple Music URL through Odesli
(platforms.md §7). Odesli takes no ISRC/UPC and presumably resolves only live releases.
No key is needed (10 requests/min); ODESLI_API_KEY raises that to 60.

`links` raises NotFound when Odesli cannot resolve the URL (a 404, or the `400
could_not_resolve_entity` it answers for items it does not know); `find_links` returns {}
when Odesli knows nothing.
"""

from app.platforms import http, settings
from app.platforms.base import Listing, NotFound, PermanentError, ReleaseIdentity, TemporaryError

# Odesli's platform names -> registry keys (platforms Dropday has no key for are dropped).
PLATFORMS = {
    "spotify": "spotify",
    "appleMusic": "apple_music",
    "youtube": "youtube",
    "youtubeMusic": "youtube_music",
    "tidal": "tidal",
    "deezer": "deezer",
    "amazonMusic": "amazon_music",
    "soundcloud": "soundcloud",
}
# Odesli sends no Retry-After (⚠️ not documented); its limits are per minute.
RATE_WAIT = 60


class OdesliClient(http.HttpClient):
    key = "odesli"

    def __init__(self, *, api_key: str | None = None, user_country: str = "US", **common):
        super().__init__(**common)
        self.api_key = api_key
        self.user_country = user_country

    @classmethod
    def from_config(cls, config) -> "OdesliClient":
        return cls(
            api_url=settings.url(config, "ODESLI_API_URL"),
            api_key=config.get("ODESLI_API_KEY"),
            user_country=config.get("ODESLI_USER_COUNTRY") or "US",
            timeout=settings.timeout(config),
        )

    def links(self, url: str) -> dict[str, Listing]:
        """Registry key -> Listing for every platform Odesli matched `url` on."""
        params = {"url": url, "userCountry": self.user_country}
        if self.api_key:
            params["key"] = self.api_key
        response = http.send(
            self.session,
            "GET",
            self.api_url + "/links",
            params=params,
            timeout=self.timeout,
            check=False,
        )
        if response.status_code == 404 or _code(response) == "could_not_resolve_entity":
            raise NotFound(f"Odesli does not know {url}")
        if response.status_code == 429:
            raise TemporaryError(
                "Odesli rate limit (429)", retry_after=http.retry_after(response) or RATE_WAIT
            )
        http.raise_for_temporary(response)
        if response.status_code != 200:
            raise PermanentError(f"Odesli refused the lookup ({response.status_code})")
        try:
            body = response.json()
        except ValueError as error:
            raise TemporaryError("Odesli answered with something that is not JSON") from error
        return _listings(body)

    def find_links(
        self, identity: ReleaseIdentity, urls: tuple[str, ...] = ()
    ) -> dict[str, Listing]:
        """Links from the identity's Spotify URL, else from other known URLs (an Apple Music
        listing's, say); {} if Odesli matches none of them."""
        for url in [identity.spotify_url, *urls]:
            if not url:
                continue
            try:
                return self.links(url)
            except NotFound:
                continue
        return {}


def _code(response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def _listings(body: dict) -> dict[str, Listing]:
    entities = body.get("entitiesByUniqueId", {})
    found = {}
    for name, link in body.get("linksByPlatform", {}).items():
        key = PLATFORMS.get(name)
        if key is None:
            continue
        unique_id = link.get("entityUniqueId", "")
        entity = entities.get(unique_id, {})
        found[key] = Listing(
            platform=key,
            url=link["url"],
            platform_id=entity.get("id") or unique_id.partition("::")[2],
            kind="track" if entity.get("type") == "song" else "album",
            matched_by="odesli",
            extra={"entity": unique_id},
        )
    return found
