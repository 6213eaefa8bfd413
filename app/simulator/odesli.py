"""Simulated Odesli (song.link): `GET /v1-alpha.1/links` maps one platform's URL to the others.

Shape from songlink/docs api-v1-alpha.1.md and what independent clients saw (platforms.md §7
and "Checked against independent clients"):

- A platform appears in `linksByPlatform` only where the release is live; optional fields
  (`nativeAppUriMobile`, ...) are left out, never null.
- One entity can power several platforms: an `ITUNES_*` entity serves `appleMusic` and
  `itunes`, one `YOUTUBE_VIDEO::<id>` serves `youtube` and `youtubeMusic` (the simulator
  picks the YouTube Music upload's id where there is one). ⚠️ For albums the simulator uses a
  `YOUTUBE_PLAYLIST::` entity the same way; what Odesli does there is not confirmed.
- A URL it cannot resolve (unknown, or not live on its platform) is `400
  could_not_resolve_entity`. ⚠️ The 401 for a wrong key follows what clients report.

Rate limits: 10 requests/min without a key, 60 with one (see Simulator.hit_rate_limit).
"""

import re

from flask import jsonify, request

from app.simulator.blueprint import current_simulator
from app.simulator.catalog import Release, Track, url
from app.simulator.routing import error_shape, fault_answer, sim_route

P = "odesli"

# Odesli platform name -> (catalog platform, API provider, entity prefix)
PLATFORMS = {
    "spotify": ("spotify", "spotify", "SPOTIFY"),
    "appleMusic": ("apple_music", "itunes", "ITUNES"),
    "itunes": ("apple_music", "itunes", "ITUNES"),
    "youtube": ("youtube", "youtube", "YOUTUBE"),
    "youtubeMusic": ("youtube_music", "youtube", "YOUTUBE"),
    "tidal": ("tidal", "tidal", "TIDAL"),
    "deezer": ("deezer", "deezer", "DEEZER"),
    "amazonMusic": ("amazon_music", "amazon", "AMAZON"),
    "soundcloud": ("soundcloud", "soundcloud", "SOUNDCLOUD"),
}
# YouTube's uploads, in the order the shared entity takes its id from.
YOUTUBE = ("youtube_music", "youtube")
LIMITS = {False: 10, True: 60}  # requests per minute without / with a key

_SPOTIFY = re.compile(
    r"(?:https?://open\.spotify\.com/(?:intl-[\w-]+/)?|spotify:)(album|track)[/:]([0-9A-Za-z]{22})"
)
_APPLE = re.compile(r"https?://(?:music|itunes)\.apple\.com/\w+/(album|song)/(?:[^/?]+/)?(\d+)")
_APPLE_TRACK = re.compile(r"[?&]i=(\d+)")


def error(status: int, code: str):
    response = jsonify(statusCode=status, code=code)
    response.status_code = status
    return response


@error_shape(P)
def _http_error(status: int, _message: str):
    return error(status, {404: "not_found", 405: "method_not_allowed"}.get(status, "error"))


@fault_answer(P)
def _fault(fault):
    if fault.kind in {"rate_limit", "quota"}:
        return error(429, "too_many_requests")
    return error(fault.status or 500, "internal_server_error")


@sim_route(P, "/v1-alpha.1/links")
def links():
    sim = current_simulator()
    key = request.args.get("key")
    known = sim.clients.get(P, {})
    if key and key not in known:
        return error(401, "invalid_api_key")
    if sim.hit_rate_limit(P, key or request.remote_addr, LIMITS[bool(key)], 60):
        return error(429, "too_many_requests")
    source = request.args.get("url")
    if not source and request.args.get("id"):
        source = _from_parts(request.args.get("platform"), request.args.get("type"))
    if not source:
        return error(400, "could_not_parse_url")
    with sim.lock:
        found = _resolve(sim, source)
        if found is None:
            return error(400, "could_not_resolve_entity")
        source_platform, release, track = found
        entities = _entities(release, track, sim.now())
    by_platform = {
        name: {"entityUniqueId": entity, "url": link}
        for entity, (_, links) in entities.items()
        for name, link in links.items()
    }
    name = next(n for n, (p, *_) in PLATFORMS.items() if p == source_platform)
    first = by_platform[name]["entityUniqueId"]
    page = "song.link/s" if track else "album.link/s"
    return jsonify(
        entityUniqueId=first,
        userCountry=request.args.get("userCountry", "US"),
        pageUrl=f"https://{page}/{first.split('::')[1]}",
        entitiesByUniqueId={entity: body for entity, (body, _) in entities.items()},
        linksByPlatform=by_platform,
    )


def _entities(release: Release, track: Track | None, now) -> dict[str, tuple[dict, dict]]:
    """entity unique id -> (its body, {Odesli platform name: url}) where the item is live."""
    item = track or release
    kind = "SONG" if track else "ALBUM"
    out = {}
    for name, (platform, provider, prefix) in PLATFORMS.items():
        if prefix == "YOUTUBE" or not release.is_live(platform, now):
            continue
        entity = f"{prefix}_{kind}::{item.ids[platform]}"
        link = url(platform, release, track)
        if name == "itunes":
            link += ("&" if "?" in link else "?") + "app=itunes"
        _, links = out.setdefault(entity, (_entity(release, item, platform, provider), {}))
        links[name] = link
    live_on_youtube = [p for p in YOUTUBE if release.is_live(p, now)]
    if live_on_youtube:
        video_id = item.ids[live_on_youtube[0]]
        entity = f"YOUTUBE_{'VIDEO' if track else 'PLAYLIST'}::{video_id}"
        where = f"watch?v={video_id}" if track else f"playlist?list={video_id}"
        out[entity] = (
            _entity(release, item, live_on_youtube[0], "youtube"),
            {
                "youtube": f"https://www.youtube.com/{where}",
                "youtubeMusic": f"https://music.youtube.com/{where}",
            },
        )
    return out


def _entity(release: Release, item, platform: str, provider: str) -> dict:
    names = [n for n, (_, p, *_) in PLATFORMS.items() if p == provider]
    return {
        "id": item.ids[platform],
        "type": "song" if isinstance(item, Track) else "album",
        "title": item.title,
        "artistName": ", ".join(release.artists),
        "thumbnailUrl": f"https://thumbs.song.link/{item.ids[platform]}.jpg",
        "apiProvider": provider,
        "platforms": names,
    }


def _from_parts(platform: str | None, kind: str | None) -> str | None:
    item_id = request.args["id"]
    if platform == "spotify" and kind in {"song", "album"}:
        return f"spotify:{'track' if kind == 'song' else 'album'}:{item_id}"
    if platform in {"appleMusic", "itunes"} and kind in {"song", "album"}:
        return f"https://music.apple.com/us/{kind}/{item_id}"
    return None


def _resolve(sim, source: str) -> tuple[str, Release, Track | None] | None:
    """The platform, release (and track) a URL names, if live on that URL's platform."""
    now = sim.now()
    if match := _SPOTIFY.search(source):
        platform, item_id = "spotify", match[2]
    elif match := _APPLE.search(source):
        platform = "apple_music"
        track_id = _APPLE_TRACK.search(source)
        item_id = track_id[1] if track_id else match[2]
    else:
        platform, item_id = _by_url(sim, source)
        if platform is None:
            return None
    found = sim.catalog.by_id(platform, item_id)
    if not found or not found[0].is_live(platform, now):
        return None
    return platform, *found


def _by_url(sim, source: str) -> tuple[str | None, str | None]:
    wanted = source.split("#")[0].rstrip("/")
    for release in sim.catalog.releases.values():
        for _name, (platform, *_) in PLATFORMS.items():
            for track in [None, *release.tracks]:
                if url(platform, release, track) == wanted:
                    return platform, (track or release).ids[platform]
    return None, None
