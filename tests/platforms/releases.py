"""The default simulator catalog's releases as Dropday knows them (ReleaseIdentity)."""

from app.platforms.base import ReleaseIdentity
from app.simulator.demo import DEMO_SPOTIFY_ID, DEMO_UPC

DEMO = ReleaseIdentity(
    title="Midnight Signals",
    artists=("The Night Owls",),
    upc=DEMO_UPC,
    isrcs=("USUM71703861",),
    spotify_id=DEMO_SPOTIFY_ID,
    spotify_type="album",
)
# The same album known only by title, artist and UPC (no Spotify id, no ISRCs).
DEMO_BY_UPC = ReleaseIdentity(title="Midnight Signals", artists=("The Night Owls",), upc=DEMO_UPC)
SINGLE = ReleaseIdentity(title="Paper Lanterns", artists=("Mira Vale",), isrcs=("USUM71703870",))
# A Spotify album whose UPC Spotify does not give: found through its tracks' ISRCs.
SINGLE_ALBUM = ReleaseIdentity(
    title="Paper Lanterns", artists=("Mira Vale",), isrcs=("USUM71703870",), spotify_type="album"
)
UPCOMING = ReleaseIdentity(title="Tides Between Us", artists=("Harbor Lights",), upc="602445790623")
