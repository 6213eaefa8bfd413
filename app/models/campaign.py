"""Campaigns: one release's pre-save page, which becomes its Smart Link on release day."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, ForeignKey, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.campaigns.look import DEFAULT_THEME, THEMES
from app.campaigns.palette import Palette
from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.platforms.release_source import ReleaseSource

PHASES = ("presave", "awaiting_release", "live", "not_found")
SOURCE_KINDS = ("spotify", "upc", "isrc")


def release_moment(day: date, zone: str) -> datetime:
    """Local midnight of `day` in `zone`, in UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


class Campaign(db.Model):
    __table_args__ = (
        CheckConstraint(f"phase IN {PHASES!r}", name="phase"),
        CheckConstraint(f"source_kind IN {SOURCE_KINDS!r}", name="source_kind"),
        CheckConstraint(f"theme IN {tuple(THEMES)!r}", name="theme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    # Who created it; the campaign stays its workspace's when that account goes.
    artist_id: Mapped[int | None] = mapped_column(
        ForeignKey("artist.id", ondelete="SET NULL"), index=True
    )
    slug: Mapped[str] = mapped_column(db.String(60), unique=True)
    title: Mapped[str] = mapped_column(db.String(200))
    artist_name: Mapped[str] = mapped_column(db.String(200))
    artwork: Mapped[str | None] = mapped_column(db.String(64))
    # The artwork's colours ("#rrggbb"), taken at upload (app/campaigns/palette.py).
    palette_dominant: Mapped[str | None] = mapped_column(db.String(7))
    palette_accent: Mapped[str | None] = mapped_column(db.String(7))
    theme: Mapped[str] = mapped_column(db.String(10), default=DEFAULT_THEME)
    release_date: Mapped[date]
    time_zone: Mapped[str] = mapped_column(db.String(64))
    release_at = mapped_column(UTCDateTime, nullable=False, index=True)
    source_kind: Mapped[str] = mapped_column(db.String(16))
    source_value: Mapped[str] = mapped_column(db.String(64))
    platforms: Mapped[list] = mapped_column(db.JSON)
    active: Mapped[bool] = mapped_column(default=True)
    # Email signups wait for the fan to confirm by email before they count (double opt-in).
    double_opt_in: Mapped[bool] = mapped_column(default=False, server_default=false())
    phase: Mapped[str] = mapped_column(db.String(20), default="presave")
    # Release day (app/release_day/schedule.py). No next check yet means "at release_at".
    next_check_at = mapped_column(UTCDateTime, index=True)
    # A check claimed by a tick runs until then; after it, the next tick may claim it again.
    check_lease_until = mapped_column(UTCDateTime)
    converted_at = mapped_column(UTCDateTime)  # first found: the page became the Smart Link
    # Not found a day past the release moment: operators were emailed; the dashboard shows
    # a banner while phase == "not_found".
    alerted_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    workspace = relationship("Workspace")
    creator = relationship("Artist")

    def __init__(self, **fields):
        """A campaign made without a workspace lands in its creator's personal one."""
        super().__init__(**fields)
        if self.workspace is None and self.workspace_id is None and self.creator is not None:
            self.workspace = self.creator.personal_workspace

    @property
    def source(self) -> ReleaseSource:
        return ReleaseSource.from_stored(self.source_kind, self.source_value)

    @source.setter
    def source(self, source: ReleaseSource) -> None:
        self.source_kind, self.source_value = source.kind, source.value

    @property
    def palette(self) -> Palette | None:
        if not (self.palette_dominant and self.palette_accent):
            return None
        return Palette(self.palette_dominant, self.palette_accent)

    @palette.setter
    def palette(self, palette: Palette) -> None:
        self.palette_dominant, self.palette_accent = palette.dominant, palette.accent

    def schedule(self, day: date, zone: str) -> None:
        self.release_date, self.time_zone = day, zone
        self.release_at = release_moment(day, zone)
