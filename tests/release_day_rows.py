"""Release-day rows for the tests of what people see (Smart Link, routing links, the tab),
written through the models as the engine writes them."""

from datetime import timedelta

from app import clock
from app.extensions import db
from app.models import Campaign, Click, Delivery, PlatformLink, ReleaseCheck, Signup

URLS = {
    "spotify": "https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy",
    "apple_music": "https://music.apple.com/us/album/midnight-signals/1440857781",
    "deezer": "https://www.deezer.com/album/302127",
    "tidal": "https://tidal.com/browse/album/123456789",
    "youtube_music": "https://music.youtube.com/playlist?list=OLAK5uy_abc",
}


class Rows:
    def __init__(self, app):
        self.app = app

    def _add(self, *rows):
        with self.app.app_context():
            db.session.add_all(rows)
            db.session.commit()
            for row in rows:
                db.session.refresh(row)
                db.session.expunge(row)
        return rows[0] if len(rows) == 1 else rows

    def live(self, campaign, *platforms, **fields) -> list[PlatformLink]:
        """The campaign converted, with a link on each of `platforms`."""
        with self.app.app_context():
            row = db.session.get(Campaign, campaign.id)
            row.phase = "live"
            row.converted_at = clock.now()
            for name, value in fields.items():
                setattr(row, name, value)
            db.session.commit()
        return [self.link(campaign, p) for p in platforms]

    def link(self, campaign, platform, url=None, **fields) -> PlatformLink:
        return self._add(
            PlatformLink(
                campaign_id=campaign.id,
                platform=platform,
                url=url or URLS.get(platform, f"https://{platform}.example/album/1"),
                platform_id=fields.pop("platform_id", "1"),
                kind=fields.pop("kind", "album"),
                matched_by=fields.pop("matched_by", "upc"),
                **fields,
            )
        )

    def signup(self, campaign, email=None, platform="spotify", mode="email", **fields) -> Signup:
        return self._add(
            Signup(
                campaign_id=campaign.id,
                email=email,
                platform=platform,
                mode=mode,
                consent_version=1,
                **fields,
            )
        )

    def delivery(self, signup, kind, state="due", **fields) -> Delivery:
        return self._add(
            Delivery(
                campaign_id=signup.campaign_id,
                signup_id=signup.id,
                kind=kind,
                platform=fields.pop("platform", signup.platform),
                state=state,
                **fields,
            )
        )

    def check(self, campaign, outcome, answers, ago=timedelta(0), **fields) -> ReleaseCheck:
        return self._add(
            ReleaseCheck(
                campaign_id=campaign.id,
                outcome=outcome,
                answers=answers,
                checked_at=clock.now() - ago,
                **fields,
            )
        )

    def clicks(self, campaign) -> list[tuple[str | None, str]]:
        with self.app.app_context():
            return [
                (c.platform, c.source)
                for c in db.session.scalars(
                    db.select(Click).filter_by(campaign_id=campaign.id).order_by(Click.id)
                )
            ]

    def click(self, campaign, platform, source, n=1) -> None:
        for _ in range(n):
            self._add(Click(campaign_id=campaign.id, platform=platform, source=source))
