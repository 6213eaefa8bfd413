"""The simulator's default catalog: the demo campaign's album and a few neighbours.

"demo" is the album behind `flask seed-demo`'s campaign (spotify:album:4aawyAB9vmqN3uQ7FjRGTy);
it is live on most platforms and still indexing on TIDAL, so `make dev` shows availability lag.
Deezer lists its UPC with a leading zero, as labels' EAN-13 feeds often do.
"""

from datetime import timedelta

from app.simulator.catalog import PLATFORMS

DEMO_SPOTIFY_ID = "4aawyAB9vmqN3uQ7FjRGTy"
DEMO_UPC = "602445790609"

EVERYWHERE = PLATFORMS


def populate(sim) -> None:
    now = sim.now()
    sim.add_release(
        "demo",
        title="Midnight Signals",
        artists=["The Night Owls"],
        upc=DEMO_UPC,
        spotify_id=DEMO_SPOTIFY_ID,
        tracks=[
            ("USUM71703861", "Midnight Signals"),
            ("USUM71703862", "Static Hearts"),
            ("USUM71703863", "Lighthouse Frequencies"),
        ],
        release_date=now.date(),
        listed_upc={"deezer": "0" + DEMO_UPC},
        live={p: True for p in EVERYWHERE} | {"tidal": now + timedelta(hours=6)},
    )
    # Released long ago: found everywhere.
    sim.add_release(
        "catalog-single",
        title="Paper Lanterns",
        artists=["Mira Vale", "The Night Owls"],
        upc="602445790616",
        album_type="single",
        tracks=[("USUM71703870", "Paper Lanterns")],
        live=dict.fromkeys(EVERYWHERE, now - timedelta(days=400)),
    )
    # Announced, not delivered anywhere yet: every platform answers "unknown".
    sim.add_release(
        "upcoming",
        title="Tides Between Us",
        artists=["Harbor Lights"],
        upc="602445790623",
        tracks=[("GBARL2600101", "Tides Between Us"), ("GBARL2600102", "Undertow")],
        release_date=(now + timedelta(days=14)).date(),
    )
